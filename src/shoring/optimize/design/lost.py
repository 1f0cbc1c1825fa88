"""Lost sales of a plan, per product, with the penalty used and the cost of serving.

A plan may leave demand unmet when serving it costs more than the lost-sale penalty
(``Product-Market-lost`` is priced at the penalty). :func:`lost_summary` says how much
and why, so no command reports an "optimal" plan that quietly drops demand: it names
the penalty and notes when it is below the cheapest variable cost of serving a unit
(then losing the sale is the cheaper choice by construction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from shoring.optimize.design.data import DesignData

if TYPE_CHECKING:  # pragma: no cover
    from shoring.optimize.design.results import Solution

__all__ = ["LostSummary", "cost_to_serve", "lost_sentence", "lost_summary"]

_TOL = 1e-6


@dataclass(frozen=True)
class LostSummary:
    """Unmet demand of one product (expected over scenarios, summed over the horizon).

    Attributes
    ----------
    product : str
    units : float
        Expected units lost over the horizon (probability-weighted over scenarios, each
        period counted for the years it stands for).
    demand_units : float
        Units demanded over the horizon.
    share : float
        ``units / demand_units``.
    penalty_usd : float
        Lost-sale penalty per unit used by the model.
    cost_to_serve_usd : float
        Cheapest variable cost of serving one unit (conversion + delivery + bought
        components, over every lane, period and scenario); NaN when no lane exists.
    by_scenario : dict of str to float
        Units lost over the horizon in each scenario.
    note : str
        Why the sales are lost, when it can be told from the data ("" otherwise).
    """

    product: str
    units: float
    demand_units: float
    share: float
    penalty_usd: float
    cost_to_serve_usd: float
    by_scenario: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN as None).

        Returns
        -------
        dict
            Every attribute.
        """

        def fin(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {
            "product": self.product,
            "units": fin(self.units),
            "demand_units": fin(self.demand_units),
            "share": fin(self.share),
            "penalty_usd": fin(self.penalty_usd),
            "cost_to_serve_usd": fin(self.cost_to_serve_usd),
            "by_scenario": {k: fin(v) for k, v in self.by_scenario.items()},
            "note": self.note,
        }


def cost_to_serve(data: DesignData) -> np.ndarray:
    """Cheapest variable cost of serving one unit of each product.

    Conversion at the site plus delivery to the market, plus for each component the
    BOM quantity times its cheapest source (a supplier's offer or own conversion; one
    level deep, so a lower bound for deep BOMs), minimized over lanes, periods and
    scenarios.

    Parameters
    ----------
    data : DesignData
        The model data.

    Returns
    -------
    ndarray (P,)
        USD per unit; NaN for a product without any lane.
    """
    d = data
    n_p = len(d.products)
    conv = np.where(np.isfinite(d.conversion), d.conversion, np.inf)  # (P, S, T, W)
    component = np.full(n_p, np.inf)
    if n_p and conv.size:
        component = conv.min(axis=(1, 2, 3))
    if len(d.offer_supplier):
        bought = np.full(n_p, np.inf)
        offer = np.where(np.isfinite(d.offer_cost), d.offer_cost, np.inf)
        np.minimum.at(bought, d.supplier_component[d.offer_supplier], offer.min(axis=(1, 2)))
        component = np.minimum(component, bought)
    parts = np.where(d.bom > 0, d.bom * component[None, :], 0.0).sum(axis=1)  # (P,)
    best = np.full(n_p, np.inf)
    if len(d.lane_product):
        delivery = np.where(np.isfinite(d.lane_cost), d.lane_cost, np.inf)
        lane = conv[d.lane_product, d.lane_site] + delivery  # (L, T, W)
        np.minimum.at(best, d.lane_product, lane.min(axis=(1, 2)))
    out = best + parts
    return np.where(np.isfinite(out), out, np.nan)


def lost_summary(data: DesignData, sol: Solution, proven: bool = True) -> tuple[LostSummary, ...]:
    """Per product with lost sales: expected units lost, share, penalty and a note.

    Parameters
    ----------
    data : DesignData
        The model data.
    sol : Solution
        Solution values.
    proven : bool, default True
        Whether the plan is proven optimal. A plan stopped at a limit may lose sales the
        optimum serves: its note then says so instead of explaining the loss by costs.

    Returns
    -------
    tuple of LostSummary
        Products with more than 1e-6 units lost, in product order; empty otherwise.
    """
    d = data
    weight = d.period_weight
    lost = (sol.lost * weight[None, None, None, :]).sum(axis=(1, 3))  # (P, W)
    expected = lost @ d.probability
    demand = (d.demand * weight[None, None, :]).sum(axis=(1, 2))
    serve = cost_to_serve(d)
    has_lane = np.zeros(len(d.products), dtype=bool)
    has_lane[d.lane_product] = True
    out = []
    for p in np.flatnonzero(lost.max(axis=1, initial=0.0) > _TOL):
        penalty, cost = float(d.penalty[p]), float(serve[p])
        if not has_lane[p]:
            note = "no site can make and deliver it to the markets that want it"
        elif np.isfinite(cost) and penalty < cost:
            note = (
                f"the lost-sale penalty {penalty:,.2f} USD/unit is below the cheapest cost "
                f"of serving a unit ({cost:,.2f} USD: variable cost of the cheapest lane, "
                "conversion, delivery and components, before any site's fixed cost; "
                "not the cost command's landed cost): losing the sale is cheaper; raise "
                "lost_sale_penalty_usd or cap lost sales (--max-lost-share)"
            )
        elif not proven:
            note = (
                "the solve stopped before proving this plan optimal, and serving a unit "
                f"can cost less ({cost:,.2f} USD) than the lost-sale penalty "
                f"({penalty:,.2f} USD/unit): these sales may be lost only because the "
                "search stopped early; give more time (--time-limit) or a looser --mip-gap"
            )
        else:
            note = (
                f"serving it would cost more than the lost-sale penalty of {penalty:,.2f} "
                "USD/unit once capacity, fixed costs and the rules are counted"
            )
        out.append(
            LostSummary(
                product=d.products[p],
                units=float(expected[p]),
                demand_units=float(demand[p]),
                share=float(expected[p] / demand[p]) if demand[p] > 0 else float("nan"),
                penalty_usd=penalty,
                cost_to_serve_usd=cost,
                by_scenario={w: float(v) for w, v in zip(d.scenarios, lost[p], strict=True)},
                note=note,
            )
        )
    return tuple(out)


def lost_sentence(summary: dict[str, Any]) -> str:
    """One line for the console or a report, from :meth:`LostSummary.to_dict`.

    Parameters
    ----------
    summary : dict
        A lost-sales summary as a dict.

    Returns
    -------
    str
        E.g. "lost sales of widget: 1,234 units (33.3% of demand) at a penalty of
        150.00 USD/unit; the lost-sale penalty ... is below ...".
    """
    share = summary.get("share")
    share_text = f" ({share:.1%} of demand)" if share is not None else ""
    penalty = summary.get("penalty_usd")
    penalty_text = f" at a penalty of {penalty:,.2f} USD/unit" if penalty is not None else ""
    note = f"; {summary['note']}" if summary.get("note") else ""
    return (
        f"lost sales of {summary['product']}: {summary['units']:,.0f} units over the horizon"
        f"{share_text}{penalty_text}{note}"
    )
