"""Stress test: time to survive, performance impact and risk exposure of every node.

After Simchi-Levi, Schmidt & Wei, "From superstorms to factory fires: managing
unpredictable supply-chain disruptions", Harvard Business Review 92(1-2), 2014, and
Simchi-Levi, Schmidt, Wei, Zhang, Combs, Ge, Gusikhin, Sanders & Zhang, "Identifying
risks and mitigating disruptions in the automotive supply chain", Interfaces 45(5),
375-390, 2015. For each node (site, supplier, chokepoint) taken out of the network
(:class:`~shoring.simulate.SimNetwork`, quantities per week, buffers as held stock):

- TTS (time to survive): the longest time ``t`` (weeks) the rest of the network meets
  all demand, an LP (``max t``): pair output ``y_j <= cap_j t`` (0 at the node);
  finished product ``p``: ``sum_j y_j + stock_p >= demand_p t``; component ``c``:
  ``sum_p req_pc sum_j y_j <= sum_j y_j + stock_c``. A chokepoint's closure cuts the share
  of each node's output with no other route, and the rerouted share arrives ``gap``
  weeks late (its extra transit days; no air expedite): for ``t`` up to the longest gap
  ``G`` the rerouted share delivers nothing (phase 1, ``y_j <= cap_j (share_j -
  rerouted_j) t``); if the network survives ``G``, TTS is the largest ``t`` with
  ``y_j <= cap_j share_j t - cap_j rerouted_j gap_j`` (phase 2, the gap lost once).
- PI (performance impact): the least lost profit while the node is down for its TTR,
  an LP (``min sum_p loss_p lost_p`` with ``y_j <= cap_j (share_j TTR - rerouted_j
  min(gap_j, TTR))``, ``lost_p <= demand_p TTR``), minus the same LP with nothing
  down (the structural gap is not the node's). Like the paper's LP it totals the TTR:
  a shortfall that spare capacity makes up later within the TTR is no loss (a
  backorder), so a node can have TTS 0 and PI 0.
- REI (risk exposure index): PI over the largest PI (1 for the worst node).
- ``needs_mitigation``: TTS < TTR.

Both LPs are built once in HiGHS (``highspy``); per node only column bounds, row bounds
and the coefficients of the closed share change, and HiGHS re-solves from the previous
basis (warm start). ``rebuild=True`` builds a fresh LP per node instead (the baseline
of ``benchmarks/stress.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from shoring.simulate.hazards import DAYS_PER_WEEK, HazardModel
from shoring.simulate.model import SimNetwork

QUESTION = (
    "stress test: each node taken out once, for its time to recover (TTR), after "
    "Simchi-Levi et al. (2015); shoring simulate instead draws every node's disruptions "
    "at their frequencies over the horizon, so the rankings differ: a node with impact 0 "
    "here can still lose sales there."
)
"""The question the stress test answers, against the Monte Carlo simulation's (one line)."""

COLUMNS = (
    "TTS days: how long the rest of the network meets all demand without the node; TTR "
    "days: how long the node takes to recover; impact: the least lost value while it is "
    "down for its TTR (lost units x lost-sale penalty, USD); REI: impact / the largest "
    "impact (risk exposure index, 0-1); mitigate: yes where TTS < TTR, the network runs "
    "short before the node recovers, so it needs stock or a second source (a flag, no unit)."
)
"""What the stress table's columns mean, with units (one line)."""

MAX_WEEKS = 520.0
"""TTS is searched up to 10 years; a node the network survives longer is reported
with ``tts_days`` infinite (JSON ``null``)."""


@dataclass(frozen=True)
class _Disruption:
    """What taking one node out changes, per node-item pair (J,)."""

    share: np.ndarray  # capacity share still shipped (0 for the node's pairs)
    rerouted: np.ndarray  # share of capacity on rerouted lanes (chokepoints)
    gap: np.ndarray  # weeks those lanes deliver nothing (extra transit days / 7)


def _matrices(sim: SimNetwork) -> tuple[sparse.csc_array, np.ndarray]:
    """Rows (pairs, products, components) x columns (pairs) of the flow balance.

    Returns the matrix over the pair columns and the stock per item (units).
    """
    n_p = sim.n_products
    j = sim.pair_node.size
    rows, cols, vals = [np.arange(j)], [np.arange(j)], [np.ones(j)]  # capacity rows
    is_p = sim.pair_item < n_p
    rows.append(j + sim.pair_item[is_p])
    cols.append(np.flatnonzero(is_p))
    vals.append(np.ones(is_p.sum()))
    # component rows: use by finished pairs minus supply by component pairs
    jp = np.flatnonzero(is_p)
    req = sim.req[sim.pair_item[jp]]  # (pairs of products, C)
    pj, cc = np.nonzero(req)
    rows.append(j + n_p + cc)
    cols.append(jp[pj])
    vals.append(req[pj, cc])
    jc = np.flatnonzero(~is_p)
    rows.append(j + sim.pair_item[jc])
    cols.append(jc)
    vals.append(-np.ones(jc.size))
    shape = (j + sim.items.size, j)
    matrix = sparse.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape
    )
    stock = (sim.pair_base * sim.buffer_weeks[sim.pair_node]) @ sim.item_matrix()
    return matrix, stock


class _Lp:
    """One HiGHS LP over columns ``[y (J), extra (X)]``, re-solved with new bounds."""

    def __init__(self, matrix: sparse.csc_array, cost, lower, upper, row_lower, row_upper) -> None:
        import highspy

        from shoring.optimize.solve import _quiet_stdout

        with _quiet_stdout():  # the HiGHS banner must not reach stdout (--json)
            self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
        lp.row_lower_, lp.row_upper_ = row_lower, row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        self.highs.passModel(lp)
        self.cols = np.arange(matrix.shape[1], dtype=np.int32)
        self.rows = np.arange(matrix.shape[0], dtype=np.int32)

    def solve(self) -> float:
        """Optimal objective; NaN when infeasible."""
        import highspy

        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return np.nan
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"stress LP not solved: {self.highs.modelStatusToString(status)}")
        return float(self.highs.getInfo().objective_function_value)

    def bounds(self, lower, upper, row_lower, row_upper) -> None:
        self.highs.changeColsBounds(self.cols.size, self.cols, lower, upper)
        self.highs.changeRowsBounds(self.rows.size, self.rows, row_lower, row_upper)


def sim_penalty_all(sim: SimNetwork, weeks: float) -> float:
    """Lost profit when every sale of ``weeks`` weeks is lost (USD)."""
    return float(sim.demand @ sim.penalty[: sim.n_products] * weeks)


class StressTest:
    """The TTS and PI LPs of a network, built once (see the module docstring).

    Parameters
    ----------
    sim : SimNetwork
    model : HazardModel
        Chokepoint closure durations (their TTR).
    """

    def __init__(self, sim: SimNetwork, model: HazardModel) -> None:
        self.sim, self.model = sim, model
        self.flow, self.stock = _matrices(sim)
        self._tts: _Lp | None = None
        self._pi: _Lp | None = None

    # ------------------------------------------------------------------ nodes
    def disruptions(self) -> list[tuple[str, str, str, float, _Disruption]]:
        """Every node and chokepoint: ``(name, kind, country, ttr_days, disruption)``."""
        sim = self.sim
        out = []
        for n in range(sim.n_nodes):
            share = np.where(sim.pair_node == n, 0.0, 1.0)
            out.append(
                (
                    str(sim.nodes[n]),
                    str(sim.kind[n]),
                    str(sim.country[n]),
                    float(sim.recovery_days[n]),
                    _Disruption(share, np.zeros_like(share), np.zeros_like(share)),
                )
            )
        for k, name in enumerate(sim.chokepoints):
            node = sim.pair_node
            share = 1.0 - sim.choke_cut[node, k]
            gap = sim.choke_days[node, k] / DAYS_PER_WEEK
            d = _Disruption(share, sim.choke_share[node, k], gap)
            closure = self.model.chokepoints.get(str(name))
            ttr = closure.duration.mean_days if closure is not None else np.nan
            out.append((str(name), "chokepoint", "", float(ttr), d))
        return out

    # -------------------------------------------------------------------- TTS
    def _tts_bounds(self, offset: np.ndarray, cap: np.ndarray, t_max: float) -> tuple:
        sim = self.sim
        j, n_p = sim.pair_node.size, sim.n_products
        stock, big = self.stock, np.inf
        # columns: y (J), t; rows: capacity (J), products, components
        lower = np.zeros(j + 1)
        upper = np.concatenate([np.where(cap > 0, big, 0.0), [t_max]])
        row_lower = np.concatenate(
            [np.full(j, -big), -stock[:n_p], np.full(stock.size - n_p, -big)]
        )
        row_upper = np.concatenate([-offset, np.full(n_p, big), stock[n_p:]])
        return lower, upper, row_lower, row_upper

    def _max_t(self, coef: np.ndarray, offset: np.ndarray, t_max: float, rebuild: bool) -> float:
        """Largest t with ``y_j <= cap_j coef_j t - offset_j`` (NaN: infeasible)."""
        sim = self.sim
        bounds = self._tts_bounds(offset, coef, t_max)
        if rebuild or self._tts is None:
            n_p, j = sim.n_products, sim.pair_node.size
            t_col = np.concatenate(
                [-sim.pair_cap * coef, -sim.demand, np.zeros(self.stock.size - n_p)]
            )
            matrix = sparse.hstack([self.flow, sparse.csc_array(t_col[:, None])], format="csc")
            lp = _Lp(matrix, np.concatenate([np.zeros(j), [-1.0]]), *bounds)
            if not rebuild:
                self._tts, self._coef = lp, coef
        else:
            lp = self._tts
            lp.bounds(*bounds)
            t_col = sim.pair_node.size
            for r in np.flatnonzero(coef != self._coef):
                lp.highs.changeCoeff(int(r), t_col, float(-sim.pair_cap[r] * coef[r]))
            self._coef = coef
        return -lp.solve()

    def time_to_survive(self, d: _Disruption, rebuild: bool = False) -> float:
        """TTS in weeks (inf when at least :data:`MAX_WEEKS`)."""
        late = d.rerouted * (d.gap > 0)
        window = float(d.gap.max(initial=0.0)) if late.any() else 0.0
        if window > 0:  # phase 1: the rerouted lanes deliver nothing yet
            t = self._max_t(d.share - late, np.zeros_like(late), window, rebuild)
            if np.isnan(t) or t < window * (1 - 1e-9):
                return 0.0 if np.isnan(t) else max(t, 0.0) + 0.0
        offset = self.sim.pair_cap * late * d.gap
        t = self._max_t(d.share, offset, MAX_WEEKS, rebuild)
        if np.isnan(t):
            return window
        return np.inf if t >= MAX_WEEKS * (1 - 1e-9) else max(t, 0.0) + 0.0

    # --------------------------------------------------------------------- PI
    def _pi_bounds(self, d: _Disruption, weeks: float) -> tuple[np.ndarray, ...]:
        sim = self.sim
        j, n_p = sim.pair_node.size, sim.n_products
        stock = self.stock
        late = d.rerouted * np.minimum(d.gap, weeks)
        cap = np.maximum(sim.pair_cap * (d.share * weeks - late), 0.0)
        lower = np.zeros(j + n_p)
        upper = np.concatenate([cap, sim.demand * weeks])
        need = sim.demand * weeks - stock[:n_p]
        row_lower = np.concatenate([np.full(j, -np.inf), need, np.full(stock.size - n_p, -np.inf)])
        row_upper = np.concatenate([np.full(j, np.inf), np.full(n_p, np.inf), stock[n_p:]])
        return lower, upper, row_lower, row_upper

    def _pi_lp(self, d: _Disruption, weeks: float) -> _Lp:
        sim = self.sim
        j, n_p = sim.pair_node.size, sim.n_products
        lost = sparse.csc_array(
            (np.ones(n_p), (j + np.arange(n_p), np.arange(n_p))), shape=(self.flow.shape[0], n_p)
        )
        matrix = sparse.hstack([self.flow, lost], format="csc")
        cost = np.concatenate([np.zeros(j), sim.penalty[:n_p]])
        return _Lp(matrix, cost, *self._pi_bounds(d, weeks))

    def lost_profit(self, d: _Disruption, weeks: float, rebuild: bool = False) -> float:
        """Least lost profit (USD) over ``weeks`` weeks with the disruption ``d``."""
        if rebuild or self._pi is None:
            lp = self._pi_lp(d, weeks)
            if not rebuild:
                self._pi = lp
        else:
            lp = self._pi
            lp.bounds(*self._pi_bounds(d, weeks))
        value = lp.solve()
        if np.isnan(value):  # components short even with every sale lost: all lost
            value = float(sim_penalty_all(self.sim, weeks))
        return value

    # -------------------------------------------------------------------- run
    def run(
        self, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> list[dict[str, Any]]:
        """Every node's TTS, TTR, PI, REI and whether it needs mitigation.

        Parameters
        ----------
        rebuild : bool
            Build fresh LPs per node (baseline) instead of changing bounds.
        progress : callable, optional
            ``progress(done, total)`` after each node.

        Returns
        -------
        list of dict
            ``{node, kind, country, tts_days, ttr_days, performance_impact, rei,
            needs_mitigation, note}`` sorted by REI (largest first); ``tts_days`` is inf
            when the network survives at least :data:`MAX_WEEKS`; performance impact in
            USD; ``note`` explains puzzling rows (:meth:`note`).
        """
        nodes = self.disruptions()
        j = self.sim.pair_node.size
        none = _Disruption(np.ones(j), np.zeros(j), np.zeros(j))
        base = {}
        for ttr in sorted({t for *_, t, _ in nodes}):
            weeks = (ttr if np.isfinite(ttr) else 0.0) / DAYS_PER_WEEK
            base[weeks] = self.lost_profit(none, weeks, rebuild)
        rows = []
        for i, (name, kind, country, ttr, d) in enumerate(nodes):
            tts = self.time_to_survive(d, rebuild) * DAYS_PER_WEEK
            weeks = (ttr if np.isfinite(ttr) else 0.0) / DAYS_PER_WEEK
            impact = self.lost_profit(d, weeks, rebuild) - base[weeks]
            rows.append(
                {
                    "node": name,
                    "kind": kind,
                    "country": country or None,
                    "tts_days": tts,
                    "ttr_days": ttr,
                    "performance_impact": max(impact, 0.0),
                }
            )
            if progress is not None:
                progress(i + 1, len(nodes))
        worst = max((r["performance_impact"] for r in rows), default=0.0)
        for r, (*_, d) in zip(rows, nodes, strict=True):
            r["rei"] = r["performance_impact"] / worst if worst > 0 else 0.0
            r["needs_mitigation"] = bool(r["tts_days"] < r["ttr_days"])
            r["note"] = self.note(r, d)
        return sorted(rows, key=lambda r: (-r["rei"], r["tts_days"], r["node"]))

    def note(self, row: dict[str, Any], d: _Disruption) -> str:
        """Why a row reads as it does, where the figures alone puzzle ("" otherwise).

        A chokepoint: the share of planned output crossing it, the days rerouting adds
        and the share with no other route. A TTS below the TTR with no impact: the
        shortfall is made up within the TTR (a backorder, no sale lost).
        """
        sim = self.sim
        parts = []
        base = sim.pair_base
        own = np.bincount(sim.pair_node, weights=base, minlength=sim.n_nodes)
        if row["kind"] == "chokepoint":
            crossing = np.bincount(sim.pair_node, weights=base * d.rerouted, minlength=own.size)
            cut = np.bincount(sim.pair_node, weights=base * (1.0 - d.share), minlength=own.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                crossing, cut = crossing / own, cut / own
            for n in np.flatnonzero(crossing > 0):
                days = float((d.gap * ((sim.pair_node == n) & (d.rerouted > 0))).max())
                parts.append(
                    f"{crossing[n]:.0%} of {sim.nodes[n]}'s output crosses it; rerouting adds "
                    f"{days * DAYS_PER_WEEK:.1f} days in transit"
                )
            for n in np.flatnonzero(cut > 0):
                parts.append(f"{cut[n]:.0%} of {sim.nodes[n]}'s output has no other route")
            if not parts:
                parts.append("no planned flow crosses it")
        elif own[list(sim.nodes).index(row["node"])] == 0:
            parts.append("carries no planned flow")
        if row["needs_mitigation"] and row["performance_impact"] == 0:
            parts.append(
                "short at once (no stock covers the first days), but the shortfall is made "
                f"up within the {row['ttr_days']:.0f}-day TTR by spare capacity: no sale lost"
            )
        return "; ".join(parts)


def stress_test(
    sim: SimNetwork,
    model: HazardModel,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """:meth:`StressTest.run` of a network (see the module docstring)."""
    return StressTest(sim, model).run(rebuild, progress)
