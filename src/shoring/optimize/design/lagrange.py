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

Each site's subproblem (a pattern, then a continuous knapsack per period and scenario)
has the integrality property: its linear relaxation with a link per lane has integral
optimal patterns, so the best multipliers give exactly the linear relaxation's bound
(Geoffrion 1974, "Lagrangean relaxation for integer programming", Math. Programming
Study 2:82-114) and no multiplier method proves more. On a rung HiGHS proves (100 x 60
x 10 x 3 x 5) that relaxation is 0.40 % below the optimum, while the Lagrangian plan is
optimal; on the large benchmark rung the plan was the weak side (the plans of the
relaxation's footprints stopped at 2.6266e10 in serial runs, 0.04-0.06 % above the plans
found with local search and the second thread). The plan side is
:mod:`~shoring.optimize.design.lagrange_plan`: footprints proven no better by the last
plan's LP duals are not priced (or are cut short), ``local_search`` changes one or two
sites' patterns in the order the same bound ranks them, ``parallel`` does all of it
in a second thread while the multipliers move, ``fixing`` skips footprints and moves
that the relaxation's own bound with the sites' reduced costs rules out (Lagrangian
reduced-cost fixing), and ``moves_per_job`` puts the second thread on a fixed schedule
counted in iterations (the same input, the same plan).

Scope: the model of the default :class:`~shoring.optimize.design.spec.DesignSpec`
(expected cost, no lead-time cap, sourcing rule, budget or forced site), on data
without links, supplier offers, bills of materials, expansions, per-product capacities
or rules of origin (the synthetic benchmark rungs); such data raise ``ValueError``.
The plan's gap ``(plan - bound) / plan`` is a proven gap of that model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shoring.optimize.design import lagrange_plan, lagrange_steps
from shoring.optimize.design.data import DesignData
from shoring.optimize.design.lagrange_steps import METHODS
from shoring.optimize.solve import SolveStatus

__all__ = ["METHODS", "LagrangianResult", "lagrangian_design"]


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
    screened : int
        Footprints proven no better than the plan by the LP duals' bound, before or
        part way through their pricing (:mod:`~shoring.optimize.design.lagrange_plan`).
    moves : int
        Local-search moves priced.
    fixed : int
        Footprints ruled out by Lagrangian reduced-cost fixing (``fixing``).
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
    screened: int = 0
    moves: int = 0
    fixed: int = 0


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
    local_search: bool = False,
    parallel: bool = False,
    fixing: bool = False,
    moves_per_job: int | None = None,
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
        gap is within 1 % (with ``parallel``: offered to the second thread, where the
        latest waits). No plan exists before the first pricing; until then the step
        aims 5 % above the best bound.
    deflection : float
        Weight of the previous direction in the next one (deflected subgradient,
        0 = plain subgradient). On the three-period rung of the network-design
        benchmark 0.3 reached the 0.1 % gap in 242 iterations against 388-501 without
        deflection; 0.6 did not converge within 600 s.
    method : {"subgradient", "volume", "switch"}
        Multiplier update: the deflected subgradient, the volume algorithm (Barahona and
        Anbil 2000, step bounded as in
        :class:`~shoring.optimize.design.lagrange_steps.Volume`), or the first until its
        step has halved three times, then the second. On the large benchmark rung the volume
        algorithm's bound trailed the subgradient's (1.04 % against 0.38 % after about
        300 CPU s), so the subgradient stays the default.
    backoff : bool
        Double the pricing interval (up to 8 times) after each priced footprint that
        does not improve the plan. On the large benchmark rung it left the plan at
        2.6316e10 against 2.6267e10 with the fixed interval at the same CPU time (the
        plans there keep improving), so it is off by default.
    local_search : bool
        When a pricing is due and the relaxation's footprint was priced before (or in
        the background, whenever no footprint waits), change the best plan's pattern at
        one site, then at two, the moves the LP duals' bound ranks first
        (:class:`~shoring.optimize.design.lagrange_plan.Planner`).
    parallel : bool
        Price footprints (and search) in a second thread while the multipliers move:
        HiGHS and numpy's sorts release the interpreter lock, so on two cores the
        relaxation no longer waits for the LPs. The iterates then depend on when the
        plans arrive (run to run, the same bound and plan are not guaranteed; each
        stays proven).
    fixing : bool
        Lagrangian reduced-cost fixing on the plan side: a footprint or local-search move
        is not priced when the relaxation's best bound with its sites held to their
        patterns reaches the best plan (:class:`~shoring.optimize.design.lagrange_plan.Planner`).
    moves_per_job : int, optional
        With ``parallel``, a fixed schedule: when a pricing is due (as above, counted
        in iterations) and at least every ``price_every`` iterations, the iterations wait
        for the second thread's job, read its plan, and hand it the next one: the
        relaxation's footprint (when a pricing is due and the footprint is new), then
        up to this many local-search moves. The same input then gives the same iterates,
        bound and plan on every run, however the threads are timed (unless the time
        limit ends it). ``None``: the second thread works as it can (see ``parallel``).
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
    n_s = len(d.sites)
    n_t, n_w = len(d.periods), len(d.scenarios)
    weight = d.period_weight[:, None] * d.probability[None, :]  # (T, W)
    ls, tt = d.lane_site, np.arange(n_t)
    q, q_lost, pm = lagrange_plan.unit_costs(d)
    dem = d.demand.reshape(-1, n_t)  # (PM, T)
    b_lane = dem[pm]  # (L, T): a lane carries at most its market's demand
    pat = lagrange_plan.site_patterns(d)
    levels, pat_open, pat_level, pat_first = pat.levels, pat.is_open, pat.level, pat.first
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
        """L(u), its subgradient (demand - shipped - lost), each site's pattern and the
        cost of each site's patterns (S, P)."""
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
        return lb, np.where(has_demand[:, :, None], sub, 0.0), choice, pat_cost

    fixed_schedule = parallel and moves_per_job is not None
    best_lb = -np.inf
    history: list[tuple[float, float, float]] = []
    it, last_priced, last_sync, interval = 0, 0, 0, price_every
    ascent = lagrange_steps.ascent(method, deflection)

    def report(cost: float, footprint: np.ndarray, how: str, better: bool) -> None:
        nonlocal interval
        if better and not fixed_schedule:
            interval = price_every
        elif backoff and not fixed_schedule:
            interval = min(2 * interval, 8 * price_every)
        if not np.isfinite(cost):
            return
        history.append((time.perf_counter() - t0, best_lb, planner.best))
        if progress is not None:
            progress(
                f"iteration {it}: bound {best_lb:.6e}, plan {planner.best:.6e}, gap "
                f"{(planner.best - best_lb) / planner.best:.3%}, {int(footprint[:, -1].sum())} "
                f"open ({how}{', better' if better else ''}; {planner.priced} priced, "
                f"{planner.screened + planner.cut_short} screened, {planner.moves} moves, "
                f"{planner.fixed} fixed, {planner.free} free sites, waited {planner.waited:.0f} s)"
            )

    planner = lagrange_plan.Planner(
        lagrange_plan.Pricing(d, q, q_lost, pm),
        pat,
        local_search=local_search,
        fixing=fixing,
        report=report,
    )
    worker = threading.Thread(
        target=planner.run_jobs if fixed_schedule else planner.run,
        name="shoring-lagrange-plan",
        daemon=True,
    )
    feasible: np.ndarray | None = None
    relaxed = (-np.inf, np.zeros_like(pat_first))
    known_ub = np.inf  # the plan the iterates see: with a fixed schedule, as of the last job
    try:
        for it in range(1, max_iterations + 1):
            if parallel and np.isfinite(known_ub) and worker.ident is None:
                worker.start()
            lb, sub, choice, pattern_cost = relax(u)
            improved = lb > best_lb + 1e-9 * abs(lb)
            best_lb = max(best_lb, lb)
            if improved and fixing:
                relaxed = (lb, pattern_cost)
                if not fixed_schedule:
                    planner.relaxation(*relaxed)
            if not fixed_schedule:
                known_ub = planner.best
            close = np.isfinite(known_ub) and known_ub - lb <= 0.01 * abs(known_ub)
            due = it - last_priced >= (max(interval // 4, 1) if close else interval)
            if fixed_schedule and np.isfinite(known_ub):
                # the same jobs at the same iterations, every run
                offer = improved and due
                if offer or it - last_sync >= price_every:
                    last_sync = it
                    last_priced = it if offer else last_priced
                    planner.wait()
                    if fixing:
                        planner.relaxation(*relaxed)
                    offer = offer and planner.is_new(choice)
                    planner.submit(choice if offer else None, moves_per_job)
                    known_ub = planner.best  # as of the previous job
            elif improved and due and (planner.offer(choice) or (local_search and not parallel)):
                last_priced = it
                if not parallel or not np.isfinite(planner.best):
                    planner.step()  # the first plan is awaited: the steps aim at it
                    known_ub = planner.best
            if planner.error is not None:
                raise planner.error
            if known_ub < np.inf and (known_ub - best_lb) <= gap * abs(known_ub):
                planner.wait()  # a job under way ends as it would have at the next one
                break
            if time.perf_counter() - t0 > time_limit or ascent.exhausted:
                break
            if not sub.any():  # the relaxed optimum meets every demand row: it is optimal
                feasible = choice
                break
            target = known_ub if np.isfinite(known_ub) else best_lb + 0.05 * abs(best_lb)
            u = ascent.next(u, lb, sub, improved, target)
    finally:
        planner.stop = True
        planner.wake.set()
        if worker.ident is not None:
            worker.join()
    if feasible is not None:  # priced here, the second thread stopped
        planner.stop = False
        planner.finish(feasible)
    best_ub = planner.best
    ub_gap = (best_ub - best_lb) / abs(best_ub) if np.isfinite(best_ub) else np.inf
    status = SolveStatus.OPTIMAL if ub_gap <= gap else SolveStatus.FEASIBLE
    return LagrangianResult(
        status=status if np.isfinite(best_ub) else SolveStatus.NO_SOLUTION,
        objective=best_ub,
        bound=best_lb,
        gap=ub_gap,
        open=planner.open,
        iterations=it,
        plans=planner.priced,
        seconds=time.perf_counter() - t0,
        history=history,
        screened=planner.screened + planner.cut_short,
        moves=planner.moves,
        fixed=planner.fixed,
    )
