"""The plan side of the Lagrangian method (:mod:`~shoring.optimize.design.lagrange`).

A footprint (each site's opening or closing pattern) fixes every binary of the model;
what is left is one transportation LP per period and scenario (:class:`Pricing`), whose
optimum plus the footprint's first-stage cost is the plan's exact expected cost.
:class:`Planner` keeps the best plan and prices the footprints the relaxation offers,
and, when asked, improves the best plan by local search over single sites' patterns and
pairs of them.

Both use one fact about the LPs: with costs and demand fixed, the optimum ``V(c)`` of a
transportation LP is convex in the capacities ``c``, and the LP's row duals ``y`` at
``c0`` (one per site, ``y <= 0``) are a subgradient there, so for any other footprint

    V(c) >= V(c0) + y (c - c0)                                          (1)

(linear programming duality: ``y`` stays dual feasible when only the right-hand side
changes). With the best plan's values and duals, (1) gives a lower bound on any
footprint's cost before an LP is solved: a footprint whose bound is not below the best
plan is skipped, and one whose LPs solved so far plus (1) for the rest reach the best
plan is cut short. The same bound ranks local-search moves: a change of one site's
pattern can only pay if its first-stage saving exceeds its bound's increase, so moves are
tried most promising first and those that cannot pay are never priced. Screening only
skips footprints proven not better; every reported plan is priced in full.

The relaxation gives a second bound (``fixing``). At multipliers ``u`` the relaxed model
falls apart by site, so holding sites to patterns ``p_s`` raises ``L(u)`` by exactly
their reduced costs ``rc_s(p_s)`` (pattern cost minus the site's cheapest one, >= 0):

    cost(footprint) >= L(u) + sum_s rc_s(p_s)                          (2)

A footprint or move whose (2) reaches the best plan is not priced: Lagrangian
reduced-cost fixing (the "problem reduction" tests of Beasley 1993, "Lagrangean
relaxation", in Reeves (ed.), Modern Heuristic Techniques for Combinatorial Problems,
243-303). On the three-period benchmark rung at a 0.1 % gap (2) fixes 185 of the 300
sites to the relaxation's pattern; a move is ranked by the larger of (1) and (2).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from shoring.optimize.design.data import DesignData
from shoring.optimize.solve import run_highs

__all__ = ["Patterns", "Planner", "Pricing", "site_patterns", "unit_costs"]


def unit_costs(data: DesignData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Objective coefficients of the second stage.

    Returns
    -------
    q : ndarray (L, T, W)
        Cost of a unit shipped on each lane (made at its site), weighted by period and
        scenario probability (USD; inf where the site cannot make the product).
    q_lost : ndarray (PM, T, W)
        Weighted lost-sale penalty per (product, market) row ``p * M + m``.
    pm : ndarray (L,) of int
        Demand row of each lane.
    """
    d = data
    n_p, n_m = len(d.products), len(d.markets)
    n_t, n_w = len(d.periods), len(d.scenarios)
    weight = d.period_weight[:, None] * d.probability[None, :]  # (T, W)
    lp_, ls = d.lane_product, d.lane_site
    q = (d.conversion[lp_, ls] + d.lane_cost) * weight[None]
    q = np.where(np.isfinite(q), q, np.inf)
    q_lost = np.broadcast_to(
        d.penalty[:, None, None, None] * weight[None, None], (n_p, n_m, n_t, n_w)
    ).reshape(-1, n_t, n_w)
    return q, q_lost, lp_ * n_m + d.lane_market


@dataclass(frozen=True)
class Patterns:
    """Each site's first-stage choices: pattern ``o`` opens a candidate from period ``o``
    (``o = T``: never) or closes an existing site from period ``o`` (``o = T``: never).

    Attributes
    ----------
    is_open : ndarray (S, T + 1, T) of bool
        Open periods of each pattern.
    level : ndarray (S, T + 1, T) of int
        Capacity level of each pattern in each period, an index into ``levels``.
    first : ndarray (S, T + 1)
        First-stage cost (capex or closing cost plus the fixed costs of open periods,
        weighted by period; USD).
    levels : ndarray (S, T + 1, T)
        Capacity levels: full (0), and ramping up after opening in period ``o`` (1 + o).
    capacity : ndarray (S, T + 1, T)
        Capacity of each pattern in each period (0 where closed).
    """

    is_open: np.ndarray
    level: np.ndarray
    first: np.ndarray
    levels: np.ndarray
    capacity: np.ndarray


def site_patterns(data: DesignData) -> Patterns:
    """The first-stage patterns of every site (see :class:`Patterns`)."""
    d = data
    n_s, n_t = len(d.sites), len(d.periods)
    years = np.asarray(d.periods, dtype=float)
    elapsed = (years[None, :] - years[:, None] + 1.0) * 12.0  # (opening, period)
    avail = np.clip((elapsed[None] - d.ramp_up_months[:, None, None]) / 12.0, 0.0, 1.0)
    avail = np.where(years[None, None, :] >= years[None, :, None], avail, 0.0)  # (S, O, T)
    levels = np.concatenate(
        [d.capacity[:, None, None] * np.ones((1, 1, n_t)), d.capacity[:, None, None] * avail],
        axis=1,
    )  # (S, 1+O, T)
    fixed = d.fixed_cost[:, None] * d.period_weight[None, :]  # (S, T)
    n_pat = n_t + 1
    is_open = np.zeros((n_s, n_pat, n_t), dtype=bool)
    level = np.zeros((n_s, n_pat, n_t), dtype=int)
    first = np.zeros((n_s, n_pat))
    tt = np.arange(n_t)
    ex = d.initial_open[:, None]
    for o in range(n_pat):
        cand_open = tt[None, :] >= o  # open from o (o = T: never)
        exist_open = tt[None, :] < o  # open before o (o = T: always)
        is_open[:, o] = np.where(ex, exist_open, cand_open)
        level[:, o] = np.where(ex | (o == n_t), 0, 1 + min(o, n_t - 1))
        first_c = (d.opening_capex if o < n_t else 0.0) + (fixed * cand_open).sum(axis=1)
        first_e = (d.closing_cost if o < n_t else 0.0) + (fixed * exist_open).sum(axis=1)
        first[:, o] = np.where(d.initial_open, first_e, first_c)
    capacity = np.where(is_open, np.take_along_axis(levels, level, axis=1), 0.0)
    return Patterns(is_open, level, first, levels, capacity)


class Pricing:
    """The second stage for a fixed footprint: one transportation LP per (t, w).

    Parameters
    ----------
    data : DesignData
        Model data (the scope of :func:`~shoring.optimize.design.lagrange.lagrangian_design`).
    q : ndarray (L, T, W)
        Weighted cost of a unit on each lane (inf where the site cannot make it).
    q_lost : ndarray (PM, T, W)
        Weighted lost-sale penalty per (product, market).
    pm : ndarray (L,) of int
        Demand row (product x markets + market) of each lane.
    """

    def __init__(self, data: DesignData, q: np.ndarray, q_lost: np.ndarray, pm: np.ndarray):
        d = data
        n_l = len(d.lane_product)
        n_s, n_t, n_w = len(d.sites), len(d.periods), len(d.scenarios)
        self.n_pm = q_lost.shape[0]
        self.models: list[list[highspy.Highs]] = []
        dem = d.demand.reshape(-1, n_t)  # (PM, T)
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
                upper = np.concatenate([np.where(np.isfinite(cost[:n_l]), np.inf, 0.0), dem[:, t]])
                lp.col_cost_ = np.where(np.isfinite(cost), cost, 0.0)
                lp.col_lower_ = np.zeros(a.shape[1])
                lp.col_upper_ = upper
                lp.row_lower_ = np.concatenate([dem[:, t], np.full(n_s, -np.inf)])
                lp.row_upper_ = np.concatenate([dem[:, t], np.zeros(n_s)])
                lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
                lp.a_matrix_.start_ = a.indptr
                lp.a_matrix_.index_ = a.indices
                lp.a_matrix_.value_ = a.data
                h.passModel(lp)
                row.append(h)
            self.models.append(row)
        self.n_s, self.shape = n_s, (n_t, n_w)
        self.solved = [[False] * n_w for _ in range(n_t)]
        self.rows = (self.n_pm + np.arange(n_s)).astype(np.int32)

    def solve(self, t: int, w: int, cap: np.ndarray) -> tuple[float, np.ndarray]:
        """Optimum and capacity duals (S,) of LP ``(t, w)`` with site capacities ``cap``
        (S,) (0 = closed).

        Each LP starts from its own optimal basis of the last footprint (dual simplex:
        only capacities changed). The first time, only LP ``(0, 0)`` starts from
        scratch: ``(t, w)`` starts from the basis of ``(t, w - 1)`` (same rows, other
        costs) and ``(t, 0)`` from that of ``(t - 1, 0)`` (same costs, other demand and
        capacities).

        Raises
        ------
        RuntimeError
            The LP did not end optimal.
        """
        h = self.models[t][w]
        h.changeRowsBounds(self.n_s, self.rows, np.full(self.n_s, -np.inf), cap)
        if not self.solved[t][w] and (t, w) != (0, 0):
            h.setBasis(self.models[t][w - 1].getBasis() if w else self.models[t - 1][0].getBasis())
        run_highs(h)
        self.solved[t][w] = True
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"pricing LP: {h.modelStatusToString(h.getModelStatus())}")
        duals = np.asarray(h.getSolution().row_dual)[self.n_pm :]
        return h.getInfo().objective_function_value, np.minimum(duals, 0.0)


class Planner:
    """The best plan so far: footprints priced exactly, screened by (1), and local search.

    Parameters
    ----------
    pricing : Pricing
        The LPs.
    patterns : Patterns
        Each site's first-stage choices.
    local_search : bool
        Improve the best plan by changing one site's pattern, then two sites', when no
        offered footprint waits (:meth:`step`).
    fixing : bool
        Lagrangian reduced-cost fixing (2): with the relaxation's bound and each site's
        pattern costs at the best multipliers (:meth:`relaxation`), skip every footprint
        and local-search move whose Lagrangian bound reaches the best plan.
    report : callable, optional
        Called with ``(cost, footprint (S, T) of bool, how, better)`` after each
        footprint tried: ``cost`` is the plan's cost, or inf when (1) proved it no better
        before it was priced in full; ``how`` is ``"relaxation"`` or ``"local search"``;
        ``better`` whether it is the new best plan.

    Attributes
    ----------
    best : float
        Cost of the best plan (inf before the first).
    choice : ndarray (S,) of int
        Its pattern per site.
    priced, screened, cut_short, moves, interrupted, fixed : int
        Footprints priced in full, skipped by (1) before any LP, stopped by (1) part way;
        local-search moves tried, and those stopped for a footprint of the relaxation;
        footprints and moves skipped by (2).
    free : int
        Sites where (2), at the last bound, leaves a pattern other than the relaxation's
        open to a better plan (the others are fixed in every better plan).
    waited : float
        Seconds :meth:`wait` waited for jobs.
    """

    def __init__(
        self,
        pricing: Pricing,
        patterns: Patterns,
        *,
        local_search: bool = False,
        fixing: bool = False,
        report: Callable[[float, np.ndarray, str, bool], None] | None = None,
    ):
        self.pricing = pricing
        self.first, self.capacity = patterns.first, patterns.capacity
        self.is_open = patterns.is_open
        self.local_search, self.fixing, self.report = local_search, fixing, report
        self.lb, self.rc = -np.inf, np.zeros_like(self.first)  # (2): bound, (S, P) rc
        self.fixed = self.free = 0  # footprints skipped by (2); sites (2) leaves free
        self.waited = 0.0  # seconds the caller waited for jobs (fixed schedule)
        self.job: tuple[np.ndarray | None, int] | None = None  # (footprint, moves) to do
        self.idle = threading.Event()
        self.idle.set()
        n_s = self.first.shape[0]
        self.sites = np.arange(n_s)
        self.best, self.choice = np.inf, np.zeros(n_s, dtype=int)
        self.values = np.zeros(pricing.shape)  # (T, W) LP optima of the best plan
        self.duals = np.zeros((n_s, *pricing.shape))  # (S, T, W)
        self.priced = self.screened = self.cut_short = self.moves = self.interrupted = 0
        self.seen: set[bytes] = set()
        self.tried: set[tuple[int, ...]] = set()  # moves tried from the current best
        self.pending: np.ndarray | None = None
        self.exhausted = False  # no local-search move left that (1) says could pay
        self.stop = False
        self.error: BaseException | None = None  # raised in the background thread
        self.lock = threading.Lock()
        self.wake = threading.Event()

    @property
    def open(self) -> np.ndarray:
        """The best plan's footprint (S, T) of bool."""
        return self.is_open[self.sites, self.choice]

    def is_new(self, choice: np.ndarray) -> bool:
        """Whether the footprint ``choice`` was not priced or screened before."""
        return _key(choice) not in self.seen

    def offer(self, choice: np.ndarray) -> bool:
        """Queue a footprint (pattern per site) unless seen before; only the latest waits."""
        with self.lock:
            if _key(choice) in self.seen:
                return False
            self.pending = choice.copy()
        self.wake.set()
        return True

    def relaxation(self, lb: float, pattern_cost: np.ndarray) -> None:
        """Keep the relaxation's bound ``lb`` and its sites' pattern costs (S, P) at the
        same multipliers for (2) (call it with each better bound)."""
        rc = pattern_cost - pattern_cost.min(axis=1, keepdims=True)
        with self.lock:
            self.lb, self.rc = lb, rc
            # sites with a second pattern that (2) leaves open to a better plan
            self.free = int(np.count_nonzero((lb + rc < self.best).sum(axis=1) >= 2))
            self.exhausted = False  # (2) changed: moves to look at again

    def lagrangian_bound(self, choice: np.ndarray) -> float:
        """(2): the relaxation's bound with each site held to its pattern in ``choice``."""
        return self.lb + float(self.rc[self.sites, choice].sum())

    def submit(self, choice: np.ndarray | None, moves: int) -> None:
        """Hand the background thread (:meth:`run_jobs`) a job: price ``choice`` (unless
        None or seen before), then try up to ``moves`` local-search moves. Call only
        when :attr:`idle` is set (see :meth:`wait`)."""
        self.idle.clear()
        self.job = (None if choice is None else choice.copy(), moves)
        self.wake.set()

    def wait(self) -> None:
        """Wait until the job handed with :meth:`submit` is done (:attr:`waited`)."""
        if not self.idle.is_set():
            t0 = time.perf_counter()
            self.idle.wait()
            self.waited += time.perf_counter() - t0

    def do(self, choice: np.ndarray | None, moves: int) -> None:
        """Price ``choice`` (unless None or seen before), then try up to ``moves``
        local-search moves (fewer when (1) rules the rest out): the same work whenever
        it runs."""
        if choice is not None and self._first_time(choice):
            self._try(choice, "relaxation")
        for _ in range(moves if self.local_search else 0):
            if self.stop or not np.isfinite(self.best) or self.exhausted or not self._move():
                break

    def run_jobs(self) -> None:
        """Do the jobs handed with :meth:`submit` until :attr:`stop` (the body of a
        background thread on a fixed schedule); an exception is kept in :attr:`error`."""
        try:
            while not self.stop:
                self.wake.wait(0.5)
                self.wake.clear()
                job, self.job = self.job, None
                if job is not None:
                    self.do(*job)
                    self.idle.set()
        except BaseException as exc:  # re-raised by the caller
            self.error = exc
        finally:
            self.idle.set()

    def step(self) -> bool:
        """Price the waiting footprint, else try one local-search move; False if idle."""
        with self.lock:
            choice, self.pending = self.pending, None
            if choice is not None and not self._first_time(choice):
                choice = None
        if choice is not None:
            self._try(choice, "relaxation")
            return True
        if self.local_search and np.isfinite(self.best) and not self.exhausted:
            return self._move()
        return False

    def finish(self, choice: np.ndarray) -> None:
        """Price ``choice`` now (in the calling thread) unless seen before."""
        if self._first_time(choice):
            self._try(choice, "relaxation")

    def run(self) -> None:
        """Work until :attr:`stop` (the body of a background thread); an exception is
        kept in :attr:`error` for the caller."""
        try:
            while not self.stop:
                if not self.step():
                    self.wake.wait(0.5)
                    self.wake.clear()
        except BaseException as exc:  # re-raised by the caller
            self.error = exc

    def _first_time(self, choice: np.ndarray) -> bool:
        key = _key(choice)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _try(self, choice: np.ndarray, how: str) -> None:
        """Price ``choice`` in full unless (1) proves it no better; keep it if better.
        A local-search move gives way to a waiting footprint of the relaxation."""
        cap = self.capacity[self.sites, choice]  # (S, T)
        first = float(self.first[self.sites, choice].sum())
        if self.fixing and self.lagrangian_bound(choice) >= self.best:
            self.fixed += 1
            self._report(np.inf, choice, how, False)
            return
        if np.isfinite(self.best):
            delta = cap - self.capacity[self.sites, self.choice]
            bound = self.values + np.einsum("stw,st->tw", self.duals, delta)  # (1) per LP
            if first + bound.sum() >= self.best:
                self.screened += 1
                self._report(np.inf, choice, how, False)
                return
        else:
            bound = np.zeros(self.pricing.shape)  # no plan to beat: nothing is cut short
        values, duals = np.zeros(self.pricing.shape), np.zeros_like(self.duals)
        rest = bound.sum()
        total = first
        for t in range(values.shape[0]):
            for w in range(values.shape[1]):
                if self.stop or (how == "local search" and self.pending is not None):
                    self.interrupted += how == "local search"
                    return  # a footprint of the relaxation waits: it goes first
                values[t, w], duals[:, t, w] = self.pricing.solve(t, w, cap[:, t])
                total += values[t, w]
                rest -= bound[t, w]
                if total + rest >= self.best:
                    self.cut_short += 1
                    self._report(np.inf, choice, how, False)
                    return
        self.priced += 1
        better = total < self.best
        if better:
            with self.lock:
                self.best, self.choice = total, choice.copy()
                self.values, self.duals = values, duals
                self.tried.clear()
                self.exhausted = False
        self._report(total, choice, how, better)

    def _report(self, cost: float, choice: np.ndarray, how: str, better: bool) -> None:
        if self.report is not None:
            self.report(cost, self.is_open[self.sites, choice], how, better)

    def _move(self) -> bool:
        """Try the most promising untried change of one site's pattern, else of two
        sites' (by (1), and by (2) with ``fixing``); mark the plan exhausted when they
        rule every such move out."""
        cur = self.capacity[self.sites, self.choice]  # (S, T)
        # (1) for changing site s to pattern p alone: first-stage change + duals x capacity
        est = (
            self.first
            - self.first[self.sites, self.choice][:, None]
            + np.einsum("st,spt->sp", self.duals.sum(axis=2), self.capacity - cur[:, None])
        )
        est[self.sites, self.choice] = np.inf
        tol = 1e-9 * abs(self.best)
        lag, slack = np.full_like(est, -np.inf), 0.0
        if self.fixing:  # (2) for the move: the plan's Lagrangian bound plus the change
            slack = self.best - self.lagrangian_bound(self.choice)  # >= 0
            lag = self.rc - self.rc[self.sites, self.choice][:, None] - slack
        both = np.where(lag >= -tol, np.inf, np.maximum(est, lag))
        for s, p in zip(*np.unravel_index(np.argsort(both, axis=None), est.shape), strict=True):
            if both[s, p] >= -tol:
                break
            if (s, p) not in self.tried:
                return self._apply(((int(s), int(p)),))
        # pairs: each site's best single change, the 60 most promising sites; a pair's
        # (1) is the sum of its moves', its (2) the plan's plus both changes
        best_p = both.argmin(axis=1)
        e1, e2 = est[self.sites, best_p], lag[self.sites, best_p]
        top = np.argsort(both[self.sites, best_p])[:60]
        pairs = []
        for i, a in enumerate(top):
            for b in top[i + 1 :]:
                e = max(e1[a] + e1[b], e2[a] + e2[b] + slack)
                if e < -tol:
                    pairs.append((e, int(a), int(b)))
        for _, a, b in sorted(pairs):
            if (a, int(best_p[a]), b, int(best_p[b])) not in self.tried:
                return self._apply(((a, int(best_p[a])), (b, int(best_p[b]))))
        self.exhausted = True
        return False

    def _apply(self, changes: tuple[tuple[int, int], ...]) -> bool:
        move = tuple(x for c in changes for x in c)
        self.tried.add(move)
        choice = self.choice.copy()
        for s, p in changes:
            choice[s] = p
        with self.lock:
            if not self._first_time(choice):
                return True
        self.moves += 1
        interrupted = self.interrupted
        self._try(choice, "local search")
        if self.interrupted > interrupted:  # not tried after all: again later
            with self.lock:
                self.tried.discard(move)
                self.seen.discard(_key(choice))
        return True


def _key(choice: np.ndarray) -> bytes:
    return choice.astype(np.int8).tobytes()
