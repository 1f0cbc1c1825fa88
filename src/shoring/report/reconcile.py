"""The per-unit ranking and the optimizer's plan, told as one story.

The landed cost per unit ranks the sites for each (product, market); the network-design
plan also pays fixed costs and capex, respects capacity and ramp-up, and may leave
demand unserved. When the plan does not serve a market from its cheapest site per
unit, :func:`reconcile` says why, with the numbers: the saving per year that site would
bring against what opening it costs, its capacity, its ramp-up, lost sales — so the two
never read as a contradiction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from shoring.network import Network
from shoring.optimize.design.study import DesignStudy
from shoring.report.layout import money

__all__ = ["Reconciliation", "reconcile", "reconcile_sentences"]

#: A site counts as full when its flows reach this share of its capacity.
FULL = 0.999


@dataclass(frozen=True)
class Reconciliation:
    """Why the robust plan serves a (product, market) from where it does.

    Attributes
    ----------
    product, market : str
    year : int
        The plan's last period (steady state after openings and ramp-up).
    cheapest_site : str
        Lowest expected landed cost per unit (probability-weighted over scenarios).
    cheapest_cost : float
        Its landed cost, USD per unit.
    plan_site : str or None
        Site shipping the most expected units in the plan (None: nothing shipped).
    plan_cost : float
        Expected landed cost per unit of what ``plan_site`` ships (NaN when None).
    units : float
        Expected demand, units per year.
    reason : str
        ``"agrees"``, ``"fixed-cost"``, ``"capacity"``, ``"ramp-up"``, ``"lost-sales"``
        or ``"risk"`` (the plan pays more per unit for a lower cost in bad scenarios or a
        constraint such as diversification, lead time or budget).
    sentence : str
        The explanation in words with its numbers.
    """

    product: str
    market: str
    year: int
    cheapest_site: str
    cheapest_cost: float
    plan_site: str | None
    plan_cost: float
    units: float
    reason: str
    sentence: str


def reconcile(network: Network, ds: xr.Dataset, design: DesignStudy) -> list[Reconciliation]:
    """Explain, per (product, market) with demand, the robust plan against the ranking.

    Costs are compared scenario by scenario and weighted by the scenario probabilities:
    the plan's cost of serving a market is its flows times their landed cost per unit in
    each scenario; the cheapest site's is the same units at its landed cost.

    Parameters
    ----------
    network : Network
        The study's network (sites' capacity, fixed cost, capex, ramp-up).
    ds : xarray.Dataset
        Landed costs of the study (:attr:`shoring.study.Study.landed_costs`); must cover
        the plan's last period and its scenarios.
    design : DesignStudy
        The design results; the robust plan is explained.

    Returns
    -------
    list of Reconciliation
        One per (product, market) with demand in the last period and a site with a
        defined landed cost under every scenario (undefined lanes are never ranked).
    """
    robust = design.robust
    periods = sorted({f.period for f in robust.flows} | {ls.period for ls in robust.lost_sales})
    if not periods or int(periods[-1]) not in ds["year"].values:
        return []
    year = int(periods[-1])
    prob = {str(k): float(v) for k, v in design.probabilities.items()}
    names = [w for w in prob if w in ds["scenario"].values]
    weight = np.array([prob[w] for w in names]) / sum(prob[w] for w in names)
    w_index = {w: i for i, w in enumerate(names)}
    total = ds["total"].sel(year=year, scenario=names)  # (product, site, market, scenario)
    demand = network.demand_array().sel(year=year)
    flows: dict[tuple[str, str], list] = {}
    load: dict[tuple[str, str], float] = {}  # (site, product or "") -> expected units/yr
    for fl in robust.flows:
        if fl.period == year and fl.scenario in w_index:
            flows.setdefault((fl.product, fl.market), []).append(fl)
            for key in ((fl.site, fl.product), (fl.site, "")):
                load[key] = load.get(key, 0.0) + weight[w_index[fl.scenario]] * fl.units
    lost: dict[tuple[str, str], float] = {}
    for ls in robust.lost_sales:
        if ls.period == year and ls.scenario in w_index:
            key = (ls.product, ls.market)
            lost[key] = lost.get(key, 0.0) + weight[w_index[ls.scenario]] * ls.units
    opened = {a.site: int(a.period) for a in robust.footprint if a.action in ("open", "keep")}
    horizon = max(1, int(network.years[-1]) - int(periods[0]) + 1)

    out = []
    for product in [str(p) for p in total["product"].values]:
        if product not in demand["product"].values:
            continue
        for market in [str(m) for m in total["market"].values]:
            units = float(demand.sel(product=product, market=market))
            cost = total.sel(product=product, market=market).to_pandas()  # site x scenario
            cost = cost.dropna(how="any")  # a site undefined in some scenario is not ranked
            if units <= 0 or cost.empty:
                continue
            expected = cost.to_numpy() @ weight
            best = str(cost.index[int(np.argmin(expected))])
            by_site: dict[str, float] = {}  # expected units shipped per year
            site_cost: dict[str, float] = {}  # their expected landed cost, USD per year
            plan_total = best_total = 0.0
            for fl in flows.get((product, market), []):
                p_w = weight[w_index[fl.scenario]]
                unit = float(
                    total.sel(product=product, site=fl.site, market=market, scenario=fl.scenario)
                )
                by_site[fl.site] = by_site.get(fl.site, 0.0) + p_w * fl.units
                site_cost[fl.site] = site_cost.get(fl.site, 0.0) + p_w * fl.units * unit
                plan_total += p_w * fl.units * unit
                best_total += p_w * fl.units * float(cost.at[best, fl.scenario])
            plan = max(by_site, key=by_site.__getitem__) if by_site else None
            facts = _Facts(
                product=product,
                market=market,
                year=year,
                best=best,
                best_cost=float(expected.min()),
                plan=plan,
                plan_cost=site_cost[plan] / by_site[plan] if plan else float("nan"),
                units=units,
                saving=plan_total - best_total,
                lost=lost.get((product, market), 0.0),
            )
            reason, sentence = _why(facts, network, load, opened, horizon)
            out.append(
                Reconciliation(
                    product=product,
                    market=market,
                    year=year,
                    cheapest_site=best,
                    cheapest_cost=facts.best_cost,
                    plan_site=plan,
                    plan_cost=facts.plan_cost,
                    units=units,
                    reason=reason,
                    sentence=sentence,
                )
            )
    return out


@dataclass(frozen=True)
class _Facts:
    product: str
    market: str
    year: int
    best: str
    best_cost: float
    plan: str | None
    plan_cost: float
    units: float
    saving: float  # expected USD per year the cheapest site would save on the plan's units
    lost: float


def _why(
    f: _Facts,
    network: Network,
    load: dict[tuple[str, str], float],
    opened: dict[str, int],
    horizon: int,
) -> tuple[str, str]:
    sites = network.sites
    head = f"{f.product} for {f.market} ({f.year}): "
    ranking = f"{f.best} is cheapest per unit ({money(f.best_cost)}/unit expected)"
    if f.lost > 0.5 and (f.plan is None or f.lost >= 0.5 * f.units):
        penalty = float(network.products.at[f.product, "lost_sale_penalty_usd"])
        return "lost-sales", (
            f"{head}{ranking}, but the plan leaves {f.lost:,.0f} of {f.units:,.0f} units/yr "
            f"unserved: serving them costs more than the lost-sale penalty "
            f"({money(penalty)}/unit)."
        )
    if f.plan == f.best:
        return "agrees", f"{head}{ranking}, and the plan serves it from there: they agree."
    plan_text = (
        f"the plan serves it mostly from {f.plan} ({money(f.plan_cost)}/unit expected on the "
        "units it ships from there)"
    )
    total_cap = float(sites.at[f.best, "capacity_units"])
    product_cap = float(network.site_product_capacity().sel(product=f.product, site=f.best))
    if f.best in opened and load.get((f.best, f.product), 0.0) >= FULL * product_cap:
        return "capacity", (
            f"{head}{ranking}; {plan_text} because {f.best} is full for {f.product}: its "
            f"{product_cap:,.0f} units/yr are all used."
        )
    if f.best in opened and load.get((f.best, ""), 0.0) >= FULL * total_cap:
        return "capacity", (
            f"{head}{ranking}; {plan_text} because {f.best} is full: its {total_cap:,.0f} "
            "units/yr of capacity go to other products and markets."
        )
    ramp = float(sites.at[f.best, "ramp_up_months"])
    if f.best in opened and opened[f.best] == f.year and ramp > 0:
        return "ramp-up", (
            f"{head}{ranking}; {plan_text} because {f.best} opens in {f.year} and needs "
            f"{ramp:g} months to reach capacity."
        )
    if f.best not in opened:
        fixed = float(sites.at[f.best, "fixed_cost_usd"])
        candidate = sites.at[f.best, "status"] == "candidate"
        capex = float(sites.at[f.best, "opening_capex_usd"]) if candidate else 0.0
        yearly = fixed + capex / horizon
        if yearly >= f.saving:
            return "fixed-cost", (
                f"{head}{ranking}; {plan_text}. Serving it from {f.best} would save "
                f"{money(f.saving)}/yr, less than its fixed cost {money(fixed)}/yr plus capex "
                f"{money(capex)} spread over the {horizon}-year horizon ({money(yearly)}/yr)."
            )
    return "risk", (
        f"{head}{ranking}; {plan_text}, {money(f.saving)}/yr more in expected cost, which the "
        "robust objective accepts for a lower cost in the worst scenarios or to meet a "
        "constraint (diversification, lead time, budget): see the frontier and the "
        "alternatives."
    )


def reconcile_sentences(network: Network, ds: xr.Dataset, design: DesignStudy) -> list[str]:
    """:func:`reconcile` as sentences, the disagreements first.

    Parameters
    ----------
    network, ds, design
        As for :func:`reconcile`.

    Returns
    -------
    list of str
    """
    rows = reconcile(network, ds, design)
    rows.sort(key=lambda r: (r.reason == "agrees", r.product, r.market))
    return [r.sentence for r in rows]
