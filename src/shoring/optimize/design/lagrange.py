"""A proven bound and a plan for very large network-design models: Lagrangian relaxation.

For models too large for branch and bound within minutes (1,000 sites x 700 markets x
100 products x 3 periods x 5 scenarios: 3.9 million flows), :func:`lagrangian_design`
relaxes the demand rows ``shipped + lost = demand`` with multipliers ``u`` (one per
product, market, period and scenario). What is left falls apart by site: each site
chooses its best opening (or closing) period, and in each period and scenario fills
its capacity with the lanes of most negative reduced cost ``q - u`` (a continuous
knapsack, solved by sorting), each lane at most its market's demand. For every ``u``

    L(u) = sum u D + sum D min(0, q_lost - u) + sum_sites min_pattern (first-stage cost
           + sum_{t, w} knapsack value)

is a lower bound on the expected-cost optimum (weak duality; every term is an exact
minimum); its maximum over ``u`` is at least the linear relaxation with a link per lane
(``Lane-open-max``): the relaxation of the capacitated facility location problem in
Cornuejols, Sridharan and Thizy (1991, "A comparison of heuristics and relaxations for
the capacitated plant location problem", EJOR 50:280-297, relaxation of the demand
constraints). The multipliers start at each demand's cheapest full-site unit cost (the lane's cost
plus its site's fixed cost and a period's share of its capex per unit of capacity, at
most the lost-sale penalty) and follow the subgradient method with Polyak's step (Held,
Wolfe and Crowder 1974, "Validation of subgradient optimization", Math. Programming
6:62-88), each direction deflected by a share of the previous one (Camerini, Fratta and
Maffioli 1975, "On improving relaxation methods by modified gradient techniques", Math.
Programming Study 3:26-34), or by the volume algorithm (Barahona and Anbil 2000), or
the first then the second (``method``, default ``"subgradient"``). Now and then
(``price_every``) the relaxation's footprint is priced exactly: with the sites fixed
the model is one transportation LP per period and scenario (HiGHS dual simplex, each
LP warm-started from its own basis of the previous footprint, the first time from a
neighbouring period's or scenario's), so every reported plan is feasible and its cost
is the model's objective.

Scope: the model of the default :class:`~shoring.optimize.design.spec.DesignSpec`
(expected cost, no lead-time cap, sourcing rule, budget or forced site), on data
without links, supplier offers, bills of materials, expansions, per-product capacities
or rules of origin (the synthetic benchmark rungs); such data raise ``ValueError``.
The plan's gap ``(plan - bound) / plan`` is a proven gap of that model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from shoring.optimize.design.data import DesignData
from shoring.optimize.solve import SolveStatus, run_highs

__all__ = ["LagrangianResult", "lagrangian_design"]


@dataclass(frozen=True)
class LagrangianResult:
    """Outcome of :func:`lagrangian_design`.

    Attributes
    ----------
    status : SolveStatus
        ``OPTIMAL`` when the proven gap is within the requested one, ``FEASIBLE`` (a
        plan, stopped at the time or iteration limit, with its gap and bound) otherwise;
        ``NO_SOLUTION`` if no footprint was priced.
    objective : float
        Expected cost of the best plan found (USD), exact for its footprint.
    bound : float
        Best Lagrangian lower bound on the optimum (USD).
    gap : float
        ``(objective - bound) / objective``.
    open : ndarray (S, T) of bool
        The plan's footprint: site open in period.
    iterations : int
        Subgradient iterations done.
    plans : int
        Footprints priced exactly.
    seconds : float
        Wall time.
    history : list of tuple
        ``(seconds, bound, objective)`` after each priced footprint.
    """

    status: SolveStatus
    objective: float
    bound: float
    gap: float
    open: np.ndarray
    iterations: int
    plans: int
    seconds: float
    history: list[tuple[float, float, float]]


def _check(data: DesignData) -> None:
    sizes = data.sizes
    unsupported = {
        "links": sizes["link"] > 0,
        "supplier offers": sizes["offer"] > 0,
        "a bill of materials": bool(np.any(data.bom)),
        "expansions": bool(np.any(data.expansion_capacity > 0)),
        "per-product capacities": bool(
            np.any(
                np.isfinite(data.product_capacity)
                & (data.product_capacity > 0)
                & (data.product_capacity < data.capacity[None, :])
            )
        ),
        "rules of origin": data.origin is not None,
    }
    named = [k for k, v in unsupported.items() if v]
    if named:
        raise ValueError(f"the Lagrangian method does not handle {', '.join(named)}")


class _Pricing:
    """The second stage for a fixed footprint: one transportation LP per (t, w)."""

    def __init__(self, data: DesignData, q: np.ndarray, q_lost: np.ndarray, pm: np.ndarray):
        d = data
        n_l = len(d.lane_product)
        n_s, n_t, n_w = len(d.sites), len(d.periods), len(d.scenarios)
        self.n_pm = q_lost.shape[0]
        self.models: list[list[highspy.Highs]] = []
        self.dem = d.demand.reshape(-1, n_t)  # (PM, T)
        # columns: lanes, then lost per (product, market); rows: demand, then site capacity
        rows = np.concatenate([pm, np.arange(self.n_pm), self.n_pm + d.lane_site])
        cols = np.concatenate([np.arange(n_l), n_l + np.arange(self.n_pm), np.arange(n_l)])
        a = sparse.csc_matrix(
            (np.ones(rows.size), (rows, cols)), shape=(self.n_pm + n_s, n_l + self.n_pm)
        )
        for t in range(n_t):
            row = []
            for w in range(n_w):
                h = highspy.Highs()
                h.setOptionValue("output_flag", False)
                lp = highspy.HighsLp()
                lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
                cost = np.concatenate([q[:, t, w], q_lost[:, t, w]])
                upper = np.concatenate(
                    [np.where(np.isfinite(cost[:n_l]), np.inf, 0.0), self.dem[:, t]]
                )
                lp.col_cost_ = np.where(np.isfinite(cost), cost, 0.0)
                lp.col_lower_ = np.zeros(a.shape[1])
                lp.col_upper_ = upper
                lp.row_lower_ = np.concatenate([self.dem[:, t], np.full(n_s, -np.inf)])
                lp.row_upper_ = np.concatenate([self.dem[:, t], np.zeros(n_s)])
                lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
                lp.a_matrix_.start_ = a.indptr
                lp.a_matrix_.index_ = a.indices
                lp.a_matrix_.value_ = a.data
                h.passModel(lp)
                row.append(h)
            self.models.append(row)
        self.n_s = n_s
        self.solved = [[False] * n_w for _ in range(n_t)]

    def price(self, cap: np.ndarray) -> float:
        """Second-stage expected cost with site capacities ``cap`` (S, T); 0 = closed.

        Each LP starts from its own optimal basis of the last footprint (dual simplex:
        only capacities changed). The first time, only LP ``(0, 0)`` starts from
        scratch: ``(t, w)`` starts from the basis of ``(t, w - 1)`` (same rows, other
        costs) and ``(t, 0)`` from that of ``(t - 1, 0)`` (same costs, other demand and
        capacities).
        """
        total = 0.0
        rows = (self.n_pm + np.arange(self.n_s)).astype(np.int32)
        for t, row in enumerate(self.models):
            for w, h in enumerate(row):
                h.changeRowsBounds(self.n_s, rows, np.full(self.n_s, -np.inf), cap[:, t])
                if not self.solved[t][w] and (t, w) != (0, 0):
                    h.setBasis(row[w - 1].getBasis() if w else self.models[t - 1][0].getBasis())
                run_highs(h)
                self.solved[t][w] = True
                if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    raise RuntimeError(f"pricing LP: {h.modelStatusToString(h.getModelStatus())}")
                total += h.getInfo().objective_function_value
        return total


class _Subgradient:
    """Polyak steps along deflected subgradients; the step halves after 20 iterations
    without a better bound (Held, Wolfe and Crowder 1974; Camerini, Fratta and Maffioli
    1975)."""

    def __init__(self, deflection: float):
        self.deflection, self.step, self.stall = deflection, 2.0, 0
        self.direction: np.ndarray | None = None

    @property
    def exhausted(self) -> bool:
        return self.step < 1e-6

    def next(
        self,
        u: np.ndarray,
        lb: float,
        sub: np.ndarray,
        improved: bool,
        target: float,
    ) -> np.ndarray:
        if improved:
            self.stall = 0
        else:
            self.stall += 1
            if self.stall >= 20:
                self.step, self.stall = self.step / 2.0, 0
        d = sub if self.direction is None else sub + self.deflection * self.direction
        norm = float((d**2).sum())
        if norm <= 0:
            d, norm = sub, float((sub**2).sum())
        self.direction = d
        return u + self.step * (target - lb) / norm * d


class _Volume:
    """The volume algorithm (Barahona and Anbil 2000, "The volume algorithm: producing
    primal solutions with a subgradient method", Math. Programming 87:385-399).

    Steps start from the best multipliers so far (the centre) along a running convex
    combination of the subgradients (the subgradient of the averaged relaxed solution),
    ``alpha`` minimizing its norm within ``[alpha_max / 10, alpha_max]``. A better bound
    moves the centre; the step factor grows by 1.1 when the new subgradient still points
    along the step (green), shrinks by 0.66 after 20 steps without a better bound (red);
    ``alpha_max`` halves when 100 iterations raise the bound by less than ``stall``
    (relative), down to ``alpha_min``.

    Departures from the paper, measured: the step factor starts at 2 (as the
    subgradient's), not 0.1 (three-period benchmark rung, same load: 0.070 % after 35 s
    against 0.079 % after 41 s); the step is divided by the larger of
    the squared norms of the averaged direction and of the latest subgradient, not by
    the former alone (the average of opposed subgradients can be short: on a seeded
    8-site model the paper's step left the bound 7.8 % below the linear relaxation after
    300 iterations, this one 0.004 %); and the stall test asks 0.01 %, not 1 %, per 100
    iterations (the bound is within 1 % of the plan after a few dozen iterations here).
    """

    def __init__(self, lam: float = 2.0, stall: float = 1e-4, alpha_min: float = 1e-3):
        self.lam, self.alpha_max, self.reds = lam, 0.1, 0
        self.stall, self.alpha_min, self.count, self.checked = stall, alpha_min, 0, -np.inf
        self.centre: np.ndarray | None = None
        self.z = -np.inf
        self.v = np.zeros(0)
        self.direction = np.zeros(0)

    @property
    def exhausted(self) -> bool:
        return self.lam < 1e-6

    def next(
        self,
        u: np.ndarray,
        lb: float,
        sub: np.ndarray,
        improved: bool,
        target: float,
    ) -> np.ndarray:
        if self.centre is None:
            self.centre, self.z, self.v, self.checked = u, lb, sub, lb
        else:
            if lb > self.z:
                if float((sub * self.direction).sum()) >= 0:  # green
                    self.lam = min(2.0, 1.1 * self.lam)
                self.centre, self.z, self.reds = u, lb, 0
            else:
                self.reds += 1
                if self.reds >= 20:
                    self.lam, self.reds = 0.66 * self.lam, 0
            diff = self.v - sub
            dd = float((diff**2).sum())
            a = float((self.v * diff).sum()) / dd if dd > 0 else self.alpha_max
            a = min(max(a, self.alpha_max / 10.0), self.alpha_max)
            self.v = a * sub + (1.0 - a) * self.v
        self.count += 1
        if self.count % 100 == 0:
            if self.z - self.checked < self.stall * abs(self.z):
                self.alpha_max = max(self.alpha_min, self.alpha_max / 2.0)
            self.checked = self.z
        vv, gg = float((self.v**2).sum()), float((sub**2).sum())
        self.direction = self.v if vv > 0 else sub
        return self.centre + self.lam * (target - self.z) / max(vv, gg) * self.direction


class _Switch:
    """Deflected subgradient steps until their step factor has halved three times (the
    fast start), then the volume algorithm from the multipliers reached, its step factor
    starting at the subgradient's (the steadier tail).

    On the three-period rung of the network-design benchmark the subgradient reaches a
    0.1 % gap in 242 iterations and the volume algorithm in about 500, but to 0.03 % the
    switch takes 544 iterations against 625 (subgradient) and 1,494 (volume).
    """

    def __init__(self, deflection: float):
        self.first = _Subgradient(deflection)
        self.then: _Volume | None = None

    @property
    def exhausted(self) -> bool:
        return self.first.exhausted if self.then is None else self.then.exhausted

    def next(
        self,
        u: np.ndarray,
        lb: float,
        sub: np.ndarray,
        improved: bool,
        target: float,
    ) -> np.ndarray:
        if self.then is None and self.first.step <= 0.25:
            self.then = _Volume(lam=self.first.step)
        if self.then is None:
            return self.first.next(u, lb, sub, improved, target)
        return self.then.next(u, lb, sub, improved, target)


METHODS = ("subgradient", "volume", "switch")
"""Multiplier updates of :func:`lagrangian_design`."""


def _ascent(method: str, deflection: float) -> _Subgradient | _Volume | _Switch:
    if method == "subgradient":
        return _Subgradient(deflection)
    if method == "volume":
        return _Volume()
    if method == "switch":
        return _Switch(deflection)
    raise ValueError(f"unknown multiplier method {method!r}: one of {', '.join(METHODS)}")


def lagrangian_design(
    data: DesignData,
    *,
    time_limit: float = 600.0,
    gap: float = 1e-3,
    max_iterations: int = 10_000,
    price_every: int = 20,
    deflection: float = 0.3,
    method: str = "subgradient",
    backoff: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LagrangianResult:
    """Lower bound and plan by Lagrangian relaxation of the demand rows (see module).

    Parameters
    ----------
    data : DesignData
        Model data within the scope of the module (else ``ValueError``).
    time_limit : float
        Wall seconds; the best plan and bound so far are returned at the limit.
    gap : float
        Stop when ``(plan - bound) / plan`` is at most this.
    max_iterations : int
        Multiplier iterations at most.
    price_every : int
        Price the footprint of a new best bound exactly (one LP per period and
        scenario) at most every this many iterations, every quarter of that once the
        gap is within 1 %. No plan exists before the first pricing; until then the
        step aims 5 % above the best bound.
    deflection : float
        Weight of the previous direction in the next one (deflected subgradient,
        0 = plain subgradient). On the three-period rung of the network-design
        benchmark 0.3 reached the 0.1 % gap in 242 iterations against 388-501 without
        deflection; 0.6 did not converge within 600 s.
    method : {"subgradient", "volume", "switch"}
        Multiplier update: the deflected subgradient, the volume algorithm (Barahona and
        Anbil 2000, step bounded as in :class:`_Volume`), or the first until its step
        has halved three times, then the second. On the large benchmark rung the volume
        algorithm's bound trailed the subgradient's (1.04 % against 0.38 % after about
        300 CPU s), so the subgradient stays the default.
    backoff : bool
        Double the pricing interval (up to 8 times) after each priced footprint that
        does not improve the plan. On the large benchmark rung it left the plan at
        2.6316e10 against 2.6267e10 with the fixed interval at the same CPU time (the
        plans there keep improving), so it is off by default.
    progress : callable, optional
        Called with a line after each priced footprint.

    Returns
    -------
    LagrangianResult

    Raises
    ------
    ValueError
        Data outside the method's scope, or an unknown ``method``.
    """
    _check(data)
    t0 = time.perf_counter()
    d = data
    n_p, n_s, n_m = len(d.products), len(d.sites), len(d.markets)
    n_t, n_w = len(d.periods), len(d.scenarios)
    weight = d.period_weight[:, None] * d.probability[None, :]  # (T, W)
    lp_, ls, lm = d.lane_product, d.lane_site, d.lane_market
    pm = lp_ * n_m + lm  # (L,) demand row of each lane
    # objective coefficient of a unit shipped on a lane (made at its site), (L, T, W)
    q = (d.conversion[lp_, ls] + d.lane_cost) * weight[None]
    q = np.where(np.isfinite(q), q, np.inf)
    q_lost = np.broadcast_to(
        d.penalty[:, None, None, None] * weight[None, None], (n_p, n_m, n_t, n_w)
    ).reshape(-1, n_t, n_w)  # (PM, T, W)
    dem = d.demand.reshape(-1, n_t)  # (PM, T)
    b_lane = dem[pm]  # (L, T): a lane carries at most its market's demand
    # capacity levels: full, and the ramp-up level of a site opened in period o
    years = np.asarray(d.periods, dtype=float)
    elapsed = (years[None, :] - years[:, None] + 1.0) * 12.0  # (opening, period)
    avail = np.clip((elapsed[None] - d.ramp_up_months[:, None, None]) / 12.0, 0.0, 1.0)
    avail = np.where(years[None, None, :] >= years[None, :, None], avail, 0.0)  # (S, O, T)
    levels = np.concatenate(
        [d.capacity[:, None, None] * np.ones((1, 1, n_t)), d.capacity[:, None, None] * avail],
        axis=1,
    )  # (S, 1+O, T)
    # first-stage cost of each pattern (site, pattern): candidates open from o (or never),
    # existing sites close at c (open in t < c; c = T: never)
    fixed = d.fixed_cost[:, None] * d.period_weight[None, :]  # (S, T)
    n_pat = n_t + 1
    pat_open = np.zeros((n_s, n_pat, n_t), dtype=bool)
    pat_level = np.zeros((n_s, n_pat, n_t), dtype=int)  # index into levels
    pat_first = np.zeros((n_s, n_pat))
    tt = np.arange(n_t)
    for o in range(n_pat):
        cand_open = tt[None, :] >= o  # open from o (o = T: never)
        exist_open = tt[None, :] < o  # open before o (o = T: always)
        ex = d.initial_open[:, None]
        pat_open[:, o] = np.where(ex, exist_open, cand_open)
        pat_level[:, o] = np.where(ex | (o == n_t), 0, 1 + min(o, n_t - 1))
        first_c = (d.opening_capex if o < n_t else 0.0) + (fixed * cand_open).sum(axis=1)
        first_e = (d.closing_cost if o < n_t else 0.0) + (fixed * exist_open).sum(axis=1)
        pat_first[:, o] = np.where(d.initial_open, first_e, first_c)

    pricing = _Pricing(d, q, q_lost, pm)
    has_demand = dem > 0  # (PM, T)
    # start: each lane's cost plus its site's fixed cost and capex per unit of capacity (a full
    # site's share), capped at the lost-sale penalty
    per_unit = (d.fixed_cost + d.opening_capex / n_t) / np.maximum(d.capacity, 1e-12)
    full = q + weight[None] * per_unit[ls][:, None, None]
    u = q_lost.copy()
    np.minimum.at(u, pm, np.where(np.isfinite(full), full, np.inf))
    u = np.where(has_demand[:, :, None], u, 0.0)

    grp = (ls[:, None, None] * n_t + tt[None, :, None]) * n_w + np.arange(n_w)[None, None, :]
    grp = np.broadcast_to(grp, q.shape).ravel()  # (L*T*W,) group (site, t, w)
    bflat = np.broadcast_to(b_lane[:, :, None], q.shape).ravel()
    st_of = grp // n_w  # (L*T*W,) site and period: s * T + t
    row_of = (pm[:, None] * (n_t * n_w) + np.arange(n_t * n_w)[None, :]).ravel()  # u.ravel()
    n_g = n_s * n_t * n_w
    n_lev = levels.shape[1]
    levels_st = levels.transpose(1, 0, 2).reshape(n_lev, n_s * n_t)  # (level, s * T + t)

    def relax(u: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(u), its subgradient (demand - shipped - lost), the footprint and patterns."""
        r = (q - u[pm]).ravel()  # reduced cost per (lane, t, w)
        neg = np.flatnonzero(r < 0)
        # one sort by (group, reduced cost): the group number plus the cost scaled to [0, 1)
        rn = r[neg]
        span = float(rn.max() - rn.min()) if rn.size else 0.0
        key = grp[neg] + (rn - (rn.min() if rn.size else 0.0)) / (span * 1.000001 + 1e-300)
        idx = neg[np.argsort(key)]
        g_sorted, r_sorted, b_sorted = grp[idx], r[idx], bflat[idx]
        cum = np.cumsum(b_sorted)
        start = np.searchsorted(g_sorted, np.arange(n_g))
        before = np.concatenate([[0.0], cum])[start]  # cum before each group's first item
        prior = cum - b_sorted - before[g_sorted]  # filled before this item, same group
        st_sorted = st_of[idx]
        values = np.empty((n_s, n_lev, n_t))
        amounts = np.empty((n_lev, idx.size))  # shipped at each capacity level
        for j in range(n_lev):
            np.subtract(levels_st[j][st_sorted], prior, out=amounts[j])
            np.clip(amounts[j], 0.0, b_sorted, out=amounts[j])
            v = np.bincount(g_sorted, weights=r_sorted * amounts[j], minlength=n_g)
            values[:, j] = v.reshape(n_s, n_t, n_w).sum(axis=2)
        # pattern cost = first stage + knapsack values at the pattern's levels
        pv = np.take_along_axis(values[:, None], pat_level[..., None, :], axis=2)[..., 0, :]
        pat_cost = pat_first + np.where(pat_open, pv, 0.0).sum(axis=2)
        choice = pat_cost.argmin(axis=1)
        lost_gain = np.minimum(0.0, q_lost - u)  # (PM, T, W)
        lb = float(
            (u * dem[:, :, None]).sum()
            + (lost_gain * dem[:, :, None]).sum()
            + pat_cost[np.arange(n_s), choice].sum()
        )
        is_open = pat_open[np.arange(n_s), choice]  # (S, T)
        level = np.where(is_open, pat_level[np.arange(n_s), choice], -1).ravel()[st_sorted]
        amount = np.where(level >= 0, amounts[np.maximum(level, 0), np.arange(idx.size)], 0.0)
        shipped = np.bincount(row_of[idx], weights=amount, minlength=u.size).reshape(u.shape)
        sub = dem[:, :, None] - shipped - np.where(q_lost < u, dem[:, :, None], 0.0)
        return lb, np.where(has_demand[:, :, None], sub, 0.0), is_open, choice

    best_lb, best_ub, best_open = -np.inf, np.inf, np.zeros((n_s, n_t), dtype=bool)
    history: list[tuple[float, float, float]] = []
    it, last_priced, interval = 0, 0, price_every
    priced: set[bytes] = set()
    ascent = _ascent(method, deflection)

    def price(is_open: np.ndarray, choice: np.ndarray) -> None:
        nonlocal best_ub, best_open, interval
        priced.add(is_open.tobytes())
        lev = pat_level[np.arange(n_s), choice][:, None, :]
        cap = np.take_along_axis(levels, lev, axis=1)[:, 0, :]
        cap = np.where(is_open, cap, 0.0)
        ub = pat_first[np.arange(n_s), choice].sum() + pricing.price(cap)
        if ub < best_ub:
            best_ub, best_open, interval = ub, is_open.copy(), price_every
        elif backoff:
            interval = min(2 * interval, 8 * price_every)
        history.append((time.perf_counter() - t0, best_lb, best_ub))
        if progress is not None:
            progress(
                f"iteration {it}: bound {best_lb:.6e}, plan {best_ub:.6e}, gap "
                f"{(best_ub - best_lb) / best_ub:.3%}, {int(is_open[:, -1].sum())} open"
            )

    for it in range(1, max_iterations + 1):
        lb, sub, is_open, choice = relax(u)
        improved = lb > best_lb + 1e-9 * abs(lb)
        best_lb = max(best_lb, lb)
        close = np.isfinite(best_ub) and best_ub - lb <= 0.01 * abs(best_ub)
        due = it - last_priced >= (max(interval // 4, 1) if close else interval)
        if is_open.tobytes() not in priced and improved and due:
            last_priced = it
            price(is_open, choice)
        if best_ub < np.inf and (best_ub - best_lb) <= gap * abs(best_ub):
            break
        if time.perf_counter() - t0 > time_limit or ascent.exhausted:
            break
        if not sub.any():  # the relaxed optimum meets every demand row: it is optimal
            if is_open.tobytes() not in priced:
                price(is_open, choice)
            break
        target = best_ub if np.isfinite(best_ub) else best_lb + 0.05 * abs(best_lb)
        u = ascent.next(u, lb, sub, improved, target)
    ub_gap = (best_ub - best_lb) / abs(best_ub) if np.isfinite(best_ub) else np.inf
    status = SolveStatus.OPTIMAL if ub_gap <= gap else SolveStatus.FEASIBLE
    return LagrangianResult(
        status=status if np.isfinite(best_ub) else SolveStatus.NO_SOLUTION,
        objective=best_ub,
        bound=best_lb,
        gap=ub_gap,
        open=best_open,
        iterations=it,
        plans=len(priced),
        seconds=time.perf_counter() - t0,
        history=history,
    )
