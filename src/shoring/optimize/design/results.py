"""Frozen results of a network-design run, and reading them off a solved model.

:class:`DesignResult` is JSON-able (:meth:`DesignResult.to_dict`); the solution values
are kept as numpy arrays in :class:`Solution` for the explanations and the report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from shoring.optimize.design.data import DesignData
from shoring.optimize.design.lost import LostSummary
from shoring.optimize.design.model import DesignModel
from shoring.optimize.solve import SolveStatus

__all__ = [
    "COST_COMPONENTS",
    "Alternative",
    "DesignResult",
    "Flow",
    "FootprintAction",
    "LostSale",
    "ShadowPrice",
    "SiteDelta",
    "Solution",
    "component_costs",
    "cvar",
    "footprint",
    "max_origin_share",
    "read_solution",
]

COST_COMPONENTS = (
    "capex",
    "closing",
    "fixed",
    "conversion",
    "delivery",
    "transfer",
    "purchases",
    "lost_sales",
)
"""Cost components of a scenario's total cost, in USD over the horizon."""

Action = Literal["open", "keep", "close", "expand"]
_TOL = 1e-6


@dataclass(frozen=True)
class FootprintAction:
    """A first-stage decision: ``open`` a candidate, ``keep`` or ``close`` an existing
    site, ``expand`` a site, at the start of ``period``."""

    site: str
    country: str
    action: Action
    period: int


@dataclass(frozen=True)
class Flow:
    """Units per year of a finished product shipped from a site to a market."""

    product: str
    site: str
    market: str
    scenario: str
    period: int
    units: float


@dataclass(frozen=True)
class LostSale:
    """Units per year of demand left unmet."""

    product: str
    market: str
    scenario: str
    period: int
    units: float


@dataclass(frozen=True)
class ShadowPrice:
    """A binding constraint of the LP with the footprint fixed.

    ``dual`` is the change of the objective per unit added to the constraint's
    right-hand side (e.g. for ``Site-capacity-max``: one more unit/year of capacity in
    that scenario and period; negative = saving). Duals of per-scenario constraints
    include the scenario probability (expected cost objective).
    """

    constraint: str
    coords: Mapping[str, Any]
    dual: float


@dataclass(frozen=True)
class SiteDelta:
    """How much worse the objective gets without a chosen site.

    ``method`` is ``"resolve"``: the model re-solved with the site forced closed;
    ``replacement`` is the site whose production grows most in that solution;
    ``delta`` is ``inf`` when no feasible footprint exists without the site and NaN
    when the re-solve found no plan within its limits; ``status`` says which in words
    ("optimal", "infeasible: ...", "no plan within the time limit").
    """

    site: str
    country: str
    delta: float
    objective_without: float
    replacement: str | None
    method: str = "resolve"
    status: str = "optimal"


@dataclass(frozen=True)
class Alternative:
    """A structurally different near-optimal footprint (other set of sites used)."""

    rank: int
    objective: float
    gap: float
    open_sites: tuple[str, ...]
    footprint: tuple[FootprintAction, ...]


@dataclass(frozen=True, eq=False)
class Solution:
    """Solution values (absent variables are 0).

    Shapes: ``open``, ``expand`` (S, T); ``make`` (P, S, W, T); ``ship`` (L, W, T);
    ``transfer`` (K, W, T); ``buy`` (O, W, T); ``lost`` (P, M, W, T); ``qualified``
    (L, W, T): units shipped that meet the lane's rule of origin (None without rules).
    """

    open: np.ndarray
    expand: np.ndarray
    make: np.ndarray
    ship: np.ndarray
    transfer: np.ndarray
    buy: np.ndarray
    lost: np.ndarray
    qualified: np.ndarray | None = None

    @property
    def used(self) -> np.ndarray:
        """(S,) bool: open in some period.

        Returns
        -------
        ndarray of bool
            One flag per site, in data order.
        """
        return self.open.max(axis=1, initial=0) > 0.5


def _value(dm: DesignModel, name: str, dims: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    if name not in dm.model.variables:
        return np.zeros(shape)
    values = dm.model.variables[name].solution.transpose(*dims).to_numpy()
    return np.where(np.isfinite(values), values, 0.0)


def read_solution(dm: DesignModel) -> Solution:
    """Read the solution values of a solved :class:`DesignModel`.

    Parameters
    ----------
    dm : DesignModel
        A model whose linopy solve produced a solution.

    Returns
    -------
    Solution
        numpy arrays in the shapes listed on :class:`Solution`; variables absent from the
        model and non-finite values read as 0; ``open`` and ``expand`` rounded to 6 places.
    """
    d = dm.data
    n = d.sizes
    st = (n["site"], n["period"])
    wt = ("scenario", "period")
    wt_shape = (n["scenario"], n["period"])
    qualified = None
    lanes = getattr(dm, "qualify_lane", None)
    if lanes is not None and "Lane-Recipe-qualify" in dm.model.variables:
        units = _value(dm, "Lane-Recipe-qualify", ("pair", *wt), (len(lanes), *wt_shape))
        qualified = np.zeros((n["lane"], *wt_shape))
        np.add.at(qualified, lanes, units)
    return Solution(
        qualified=qualified,
        open=np.round(_value(dm, "Site-open", ("site", "period"), st), 6),
        expand=np.round(_value(dm, "Site-expand", ("site", "period"), st), 6),
        make=_value(
            dm, "Product-Site-make", ("product", "site", *wt), (n["product"], n["site"], *wt_shape)
        ),
        ship=_value(dm, "Lane-ship", ("lane", *wt), (n["lane"], *wt_shape)),
        transfer=_value(dm, "Link-transfer", ("link", *wt), (n["link"], *wt_shape)),
        buy=_value(dm, "Offer-buy", ("offer", *wt), (n["offer"], *wt_shape)),
        lost=_value(
            dm,
            "Product-Market-lost",
            ("product", "market", *wt),
            (n["product"], n["market"], *wt_shape),
        ),
    )


def component_costs(data: DesignData, sol: Solution) -> np.ndarray:
    """(W, len(COST_COMPONENTS)) cost of each component in each scenario (USD).

    Flow costs are per-year costs times the years each period stands for
    (``data.period_weight``); first-stage costs (capex, closing, fixed) are the same in
    every scenario.

    Parameters
    ----------
    data : DesignData
        The data the model was built from.
    sol : Solution
        Solution values, from :func:`read_solution`.

    Returns
    -------
    ndarray
        Shape ``(n_scenarios, len(COST_COMPONENTS))``, columns in :data:`COST_COMPONENTS`
        order, USD over the horizon.
    """
    d = data
    weight = d.period_weight
    opened = np.diff(sol.open, axis=1, prepend=d.initial_open[:, None].astype(float))
    capex = (d.opening_capex[:, None] * np.clip(opened, 0, None)).sum()
    expanded = np.diff(sol.expand, axis=1, prepend=0.0)
    capex += (d.expansion_capex[:, None] * np.clip(expanded, 0, None)).sum()
    closing = (d.closing_cost[:, None] * np.clip(-opened, 0, None)).sum()
    fixed = (d.fixed_cost[:, None] * weight[None] * sol.open).sum()
    conv = np.where(np.isfinite(d.conversion), d.conversion, 0.0).transpose(0, 1, 3, 2)
    w = weight[None, None, None, :]
    conversion = (conv * w * sol.make).sum(axis=(0, 1, 3))
    lane_w = weight[None, None, :]

    def flow(cost: np.ndarray, units: np.ndarray) -> np.ndarray:
        cost = np.where(np.isfinite(cost), cost, 0.0)  # forbidden cells carry no flow
        return (cost.transpose(0, 2, 1) * lane_w * units).sum(axis=(0, 2))

    delivery = flow(d.lane_cost, sol.ship)
    if sol.qualified is not None and d.origin is not None:  # duty saved by qualifying units
        delivery = delivery - flow(d.origin.lane_saving, sol.qualified)  # type: ignore[attr-defined]
    transfer = flow(d.link_cost, sol.transfer)
    purchases = flow(d.offer_cost, sol.buy)
    lost = (d.penalty[:, None, None, None] * w * sol.lost).sum(axis=(0, 1, 3))
    n_w = len(d.scenarios)
    first = np.broadcast_to(np.array([capex, closing, fixed]), (n_w, 3))
    return np.column_stack([first, conversion, delivery, transfer, purchases, lost])


def cvar(costs: np.ndarray, probability: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of a discrete cost distribution: ``min_eta eta + E[(C - eta)+]/(1-alpha)``
    (the minimum is attained at one of the outcomes).

    Parameters
    ----------
    costs : ndarray (W,)
        Cost of each outcome (scenario).
    probability : ndarray (W,)
        Probability of each outcome (summing to 1).
    alpha : float
        Confidence level in ``[0, 1)``; 0 gives the expected cost.

    Returns
    -------
    float
        Expected cost of the worst ``1 - alpha`` tail, in the units of ``costs``.
    """
    costs, probability = np.asarray(costs, float), np.asarray(probability, float)
    eta = costs[:, None]
    values = eta[:, 0] + (probability[None] * np.clip(costs[None] - eta, 0, None)).sum(1) / (
        1.0 - alpha
    )
    return float(values.min())


def max_origin_share(data: DesignData, sol: Solution, site_group: np.ndarray) -> float:
    """Largest share of a (product, market) demand shipped from one origin group, over
    every scenario and period with demand (NaN, undefined, when there is no demand).

    Parameters
    ----------
    data : DesignData
        The data the model was built from.
    sol : Solution
        Solution values, from :func:`read_solution`.
    site_group : ndarray of int (S,)
        Origin group (country or bloc) of each site, e.g. ``DesignModel.site_group``.

    Returns
    -------
    float
        Share of demand, 0..1 (above 1 only if shipments exceed demand), rounded to 9
        places; NaN without any demand.
    """
    d = data
    n_g = int(site_group.max(initial=0)) + 1
    n_p, n_m = len(d.products), len(d.markets)
    cell = (d.lane_product * n_m + d.lane_market) * n_g + site_group[d.lane_site]
    by = np.zeros((n_p * n_m * n_g, *sol.ship.shape[1:]))
    np.add.at(by, cell, sol.ship)
    by = by.reshape(n_p, n_m, n_g, *sol.ship.shape[1:])
    demand = d.demand[:, :, None, None, :]  # (P, M, 1, 1, T)
    if not (d.demand > 0).any():
        return float("nan")
    share = np.where(demand > 0, by / np.where(demand > 0, demand, 1.0), 0.0)
    return round(float(share.max(initial=0.0)), 9)


def footprint(data: DesignData, sol: Solution) -> tuple[FootprintAction, ...]:
    """First-stage actions of a solution, site by site in data order.

    An existing site open in every period is ``keep`` (first period), otherwise ``close``
    in its first closed period; a candidate open in some period is ``open`` in its first
    open period; an ``expand`` action follows in the first period expanded.

    Parameters
    ----------
    data : DesignData
        The data the model was built from.
    sol : Solution
        Solution values, from :func:`read_solution`.

    Returns
    -------
    tuple of FootprintAction
        Unused candidates have no action.
    """
    d = data
    is_open = sol.open > 0.5
    out: list[FootprintAction] = []
    for s, site in enumerate(d.sites):
        country = str(d.site_country[s])
        row = is_open[s]
        if d.initial_open[s]:
            if row.all():
                out.append(FootprintAction(site, country, "keep", d.periods[0]))
            else:
                t = int(np.argmin(row))
                out.append(FootprintAction(site, country, "close", d.periods[t]))
        elif row.any():
            t = int(np.argmax(row))
            out.append(FootprintAction(site, country, "open", d.periods[t]))
        if (sol.expand[s] > 0.5).any():
            t = int(np.argmax(sol.expand[s] > 0.5))
            out.append(FootprintAction(site, country, "expand", d.periods[t]))
    return tuple(out)


def flows(data: DesignData, sol: Solution) -> tuple[Flow, ...]:
    """Shipments above 1e-6 units, in lane, scenario, period order.

    Parameters
    ----------
    data : DesignData
        The data the model was built from.
    sol : Solution
        Solution values, from :func:`read_solution`.

    Returns
    -------
    tuple of Flow
        Units per year of each finished product shipped from a site to a market.
    """
    d = data
    lane, w, t = np.nonzero(sol.ship > _TOL)
    return tuple(
        Flow(
            d.products[d.lane_product[i]],
            d.sites[d.lane_site[i]],
            d.markets[d.lane_market[i]],
            d.scenarios[j],
            d.periods[k],
            float(sol.ship[i, j, k]),
        )
        for i, j, k in zip(lane.tolist(), w.tolist(), t.tolist(), strict=True)
    )


def lost_sales(data: DesignData, sol: Solution) -> tuple[LostSale, ...]:
    """Unmet demand above 1e-6 units.

    Parameters
    ----------
    data : DesignData
        The data the model was built from.
    sol : Solution
        Solution values, from :func:`read_solution`.

    Returns
    -------
    tuple of LostSale
        Units per year unmet, in product, market, scenario, period order.
    """
    d = data
    p, m, w, t = np.nonzero(sol.lost > _TOL)
    return tuple(
        LostSale(
            d.products[a], d.markets[b], d.scenarios[c], d.periods[e], float(sol.lost[a, b, c, e])
        )
        for a, b, c, e in zip(p.tolist(), m.tolist(), w.tolist(), t.tolist(), strict=True)
    )


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value


@dataclass(frozen=True, eq=False)
class DesignResult:
    """Outcome of :func:`~shoring.optimize.design.run.optimize_design`.

    Attributes
    ----------
    status : SolveStatus
        ``OPTIMAL`` (within the MIP gap asked for) or ``FEASIBLE`` (a plan found before
        a limit; see ``mip_gap`` and ``bound``).
    solver_status : str
        HiGHS' own status text, e.g. ``"Time limit reached"``.
    objective : float
        Value of the objective minimized (expected cost; expected + lambda x CVaR; or the
        largest regret).
    objective_kind : str
        ``"expected"``, ``"cvar"`` or ``"regret"``.
    mip_gap : float
        Relative gap between ``objective`` and ``bound`` (fraction).
    bound : float
        Best proven lower bound of the objective the solver minimized (for
        ``regret``: including the small expected-cost tie-break).
    footprint : tuple of FootprintAction
    flows : tuple of Flow
    lost_sales : tuple of LostSale
    lost_summary : tuple of LostSummary
        Per product with lost sales: expected units, share, penalty, a note on why.
    cost_by_scenario : dict
        Scenario -> total cost over the horizon (USD).
    cost_by_component : dict
        Component -> expected cost (probability-weighted over scenarios).
    cost_by_scenario_component : dict
        Scenario -> component -> cost.
    expected_cost, cvar : float
        Of the scenario total costs (CVaR at ``alpha``).
    alpha : float
    max_regret : float or None
        Largest regret against the scenario optima (regret objective only).
    max_origin_share : float
        Largest share of a (product, market) demand made in one origin group.
    open_sites : tuple of str
        Sites open in some period.
    alternatives, shadow_prices, site_deltas : tuple
        Explanations (empty when not asked for).
    build_seconds, solve_seconds : float
        Model building (plus hand-over to HiGHS) and HiGHS run time of the main solve.
    solution : Solution
        The values (not in :meth:`to_dict`).
    """

    status: SolveStatus
    objective: float
    objective_kind: str
    mip_gap: float
    bound: float
    footprint: tuple[FootprintAction, ...]
    flows: tuple[Flow, ...]
    lost_sales: tuple[LostSale, ...]
    cost_by_scenario: dict[str, float]
    cost_by_component: dict[str, float]
    cost_by_scenario_component: dict[str, dict[str, float]]
    expected_cost: float
    cvar: float
    alpha: float
    max_regret: float | None
    max_origin_share: float
    open_sites: tuple[str, ...]
    build_seconds: float
    solve_seconds: float
    alternatives: tuple[Alternative, ...] = ()
    shadow_prices: tuple[ShadowPrice, ...] = ()
    site_deltas: tuple[SiteDelta, ...] = ()
    solver_status: str = ""
    lost_summary: tuple[LostSummary, ...] = ()
    solution: Solution | None = field(default=None, repr=False)

    def flows_frame(self) -> pd.DataFrame:
        """Flows as a DataFrame (product, site, market, scenario, period, units).

        Returns
        -------
        pandas.DataFrame
            One row per :class:`Flow` (units per year); empty with these columns if none.
        """
        columns = ["product", "site", "market", "scenario", "period", "units"]
        return pd.DataFrame([asdict(f) for f in self.flows], columns=columns)

    def footprint_frame(self) -> pd.DataFrame:
        """Footprint actions as a DataFrame (site, country, action, period).

        Returns
        -------
        pandas.DataFrame
            One row per :class:`FootprintAction`; empty with these columns if none.
        """
        columns = ["site", "country", "action", "period"]
        return pd.DataFrame([asdict(a) for a in self.footprint], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``status, objective, footprint, flows, cost_by_scenario,
        cost_by_component, alternatives`` plus ``objective_kind, mip_gap, expected_cost,
        cvar, alpha, max_regret, max_origin_share, open_sites, lost_sales,
        cost_by_scenario_component, binding_constraints, site_deltas, build_seconds,
        solve_seconds``. NaN and inf print as null.

        Returns
        -------
        dict
            Plain Python values (lists, dicts, floats, str); the solution arrays are left
            out.
        """
        out = {
            "status": self.status.value,
            "solver_status": self.solver_status,
            "objective": self.objective,
            "gap": self.mip_gap,
            "bound": self.bound,
            "footprint": [asdict(a) for a in self.footprint],
            "flows": [asdict(f) for f in self.flows],
            "cost_by_scenario": dict(self.cost_by_scenario),
            "cost_by_component": dict(self.cost_by_component),
            "alternatives": [
                {
                    "rank": a.rank,
                    "objective": a.objective,
                    "gap": a.gap,
                    "open_sites": list(a.open_sites),
                    "footprint": [asdict(x) for x in a.footprint],
                }
                for a in self.alternatives
            ],
            "objective_kind": self.objective_kind,
            "mip_gap": self.mip_gap,
            "expected_cost": self.expected_cost,
            "cvar": self.cvar,
            "alpha": self.alpha,
            "max_regret": self.max_regret,
            "max_origin_share": self.max_origin_share,
            "open_sites": list(self.open_sites),
            "lost_sales": [asdict(x) for x in self.lost_sales],
            "lost_sales_summary": [x.to_dict() for x in self.lost_summary],
            "cost_by_scenario_component": {
                k: dict(v) for k, v in self.cost_by_scenario_component.items()
            },
            "binding_constraints": [
                {"constraint": s.constraint, "coords": dict(s.coords), "dual": s.dual}
                for s in self.shadow_prices
            ],
            "site_deltas": [asdict(s) for s in self.site_deltas],
            "build_seconds": self.build_seconds,
            "solve_seconds": self.solve_seconds,
        }
        return _finite(out)  # type: ignore[return-value]
