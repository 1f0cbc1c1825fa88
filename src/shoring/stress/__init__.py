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
  of each node's output with no other route and loses the pipeline gap
  ``share x planned output x extra days`` of the rerouted share (no air expedite),
  taken from the item's stock at the start (TTS 0 when the stock cannot cover it).
- PI (performance impact): the least lost profit while the node is down for its TTR,
  an LP (``min sum_p loss_p lost_p`` with ``y_j <= cap_j TTR``, ``lost_p <= demand_p
  TTR``), minus the same LP with nothing down (the structural gap is not the node's).
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

MAX_WEEKS = 520.0
"""TTS is searched up to 10 years; a node the network survives longer is reported
with ``tts_days`` infinite (JSON ``null``)."""


@dataclass(frozen=True)
class _Disruption:
    """What taking one node out changes: pair output bounds factor and pipeline loss."""

    share: np.ndarray  # (J,) capacity share left (0 for the node's pairs)
    loss: np.ndarray  # (J,) units lost once (pipeline gap)


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
                    _Disruption(share, np.zeros_like(share)),
                )
            )
        for k, name in enumerate(sim.chokepoints):
            node = sim.pair_node
            share = 1.0 - sim.choke_cut[node, k]
            weeks = sim.choke_days[node, k] / DAYS_PER_WEEK
            loss = sim.choke_share[node, k] * sim.pair_base * weeks
            closure = self.model.chokepoints.get(str(name))
            ttr = closure.duration.mean_days if closure is not None else np.nan
            out.append((str(name), "chokepoint", "", float(ttr), _Disruption(share, loss)))
        return out

    # -------------------------------------------------------------------- TTS
    def _stock(self, d: _Disruption) -> np.ndarray:
        """Stock per item less the pipeline lost at the start (units)."""
        lost = np.bincount(self.sim.pair_item, weights=d.loss, minlength=self.stock.size)
        return self.stock - lost

    def _tts_bounds(self, d: _Disruption) -> tuple[np.ndarray, ...]:
        sim = self.sim
        j, n_p = sim.pair_node.size, sim.n_products
        stock, big = self._stock(d), np.inf
        # columns: y (J), t; rows: capacity (J), products, components
        lower = np.zeros(j + 1)
        upper = np.concatenate([np.where(d.share > 0, big, 0.0), [MAX_WEEKS]])
        row_lower = np.concatenate(
            [np.full(j, -big), -stock[:n_p], np.full(stock.size - n_p, -big)]
        )
        row_upper = np.concatenate([np.zeros(j), np.full(n_p, big), stock[n_p:]])
        return lower, upper, row_lower, row_upper

    def _tts_lp(self, d: _Disruption) -> _Lp:
        sim = self.sim
        j, n_p = sim.pair_node.size, sim.n_products
        t_col = np.concatenate(
            [-sim.pair_cap * d.share, -sim.demand, np.zeros(self.stock.size - n_p)]
        )
        matrix = sparse.hstack([self.flow, sparse.csc_array(t_col[:, None])], format="csc")
        cost = np.concatenate([np.zeros(j), [-1.0]])
        return _Lp(matrix, cost, *self._tts_bounds(d))

    def time_to_survive(self, d: _Disruption, rebuild: bool = False) -> float:
        """TTS in weeks (inf when at least :data:`MAX_WEEKS`; 0 when the stock cannot
        cover the pipeline lost at the start)."""
        if (self._stock(d) < -1e-9).any():
            return 0.0
        if rebuild or self._tts is None:
            lp = self._tts_lp(d)
            if not rebuild:
                self._tts = lp
        else:
            lp = self._tts
            lp.bounds(*self._tts_bounds(d))
            t_col = self.sim.pair_node.size
            for r in np.flatnonzero(d.share != self._last_share):
                lp.highs.changeCoeff(int(r), t_col, float(-self.sim.pair_cap[r] * d.share[r]))
        self._last_share = d.share
        t = -lp.solve()
        if np.isnan(t):  # the stock cannot cover the pipeline lost at the start
            return 0.0
        return np.inf if t >= MAX_WEEKS * (1 - 1e-9) else max(t, 0.0) + 0.0

    # --------------------------------------------------------------------- PI
    def _pi_bounds(self, d: _Disruption, weeks: float) -> tuple[np.ndarray, ...]:
        sim = self.sim
        j, n_p = sim.pair_node.size, sim.n_products
        stock = self._stock(d)
        lower = np.zeros(j + n_p)
        upper = np.concatenate([sim.pair_cap * d.share * weeks, sim.demand * weeks])
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
            needs_mitigation}`` sorted by REI (largest first); ``tts_days`` is inf when
            the network survives at least :data:`MAX_WEEKS`; performance impact in USD.
        """
        nodes = self.disruptions()
        none = _Disruption(np.ones(self.sim.pair_node.size), np.zeros(self.sim.pair_node.size))
        self._last_share = none.share
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
        for r in rows:
            r["rei"] = r["performance_impact"] / worst if worst > 0 else 0.0
            r["needs_mitigation"] = bool(r["tts_days"] < r["ttr_days"])
        return sorted(rows, key=lambda r: (-r["rei"], r["tts_days"], r["node"]))


def stress_test(
    sim: SimNetwork,
    model: HazardModel,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """:meth:`StressTest.run` of a network (see the module docstring)."""
    return StressTest(sim, model).run(rebuild, progress)
