"""Benchmark of the stress test: one LP changed per node vs an LP rebuilt per node.

Run::

    python benchmarks/stress.py [--nodes 1000] [--sample 200] [--seed 1]

The seeded synthetic network of ``benchmarks/simulate.py`` (``nodes`` sites and
suppliers, 10 finished products, 40 components; 7 days of buffer at every node). Measured
in the same run:

- warm: :func:`shoring.stress.stress_test` over every node: the TTS and PI LPs are built
  once in HiGHS and only bounds (and closed-share coefficients) change per node, each
  solve starting from the previous basis;
- rebuild: the same, building and solving fresh LPs per node
  (``stress_test(..., rebuild=True)``) on the first ``sample`` nodes (all when
  ``--sample 0``); its results are checked against the warm ones, and its time per node
  is extrapolated to every node.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from simulate import synthetic

from shoring.simulate import default_hazards, sim_network
from shoring.stress import StressTest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = default_hazards()
    sim = sim_network(synthetic(args.nodes, args.seed), model, buffer_days=7.0, lanes=False)
    print(f"network: {sim.n_nodes} nodes, {sim.pair_node.size} node-item pairs")
    t0 = time.perf_counter()
    warm = StressTest(sim, model).run()
    fast = time.perf_counter() - t0
    print(f"warm start: {len(warm)} nodes in {fast:.2f} s ({fast / len(warm) * 1e3:.2f} ms/node)")
    cold = StressTest(sim, model)
    nodes = cold.disruptions()
    sample = nodes if args.sample <= 0 else nodes[: args.sample]
    j = sim.pair_node.size
    none = type(nodes[0][4])(np.ones(j), np.zeros(j), np.zeros(j))
    t0 = time.perf_counter()
    by_name = {r["node"]: r for r in warm}
    same, base = True, {}
    for name, _, _, ttr, d in sample:
        tts = cold.time_to_survive(d, rebuild=True) * 7.0
        weeks = ttr / 7.0
        if weeks not in base:
            base[weeks] = cold.lost_profit(none, weeks, rebuild=True)
        impact = cold.lost_profit(d, weeks, rebuild=True) - base[weeks]
        row = by_name[name]
        same &= bool(np.isclose(tts, row["tts_days"], rtol=1e-6) or tts == row["tts_days"])
        same &= bool(np.isclose(max(impact, 0.0), row["performance_impact"], rtol=1e-6, atol=1e-3))
    slow = time.perf_counter() - t0
    per_node = slow / len(sample)
    print(
        f"rebuild per node: {len(sample)} nodes in {slow:.2f} s ({per_node * 1e3:.2f} ms/node); "
        f"every node extrapolated: {per_node * len(nodes):.1f} s; results equal: {same}"
    )
    print(f"speed-up: {per_node * len(nodes) / fast:.1f}x (target: every node < 30 s)")
    flagged = sum(r["needs_mitigation"] for r in warm)
    print(f"nodes needing mitigation (TTS < TTR): {flagged}")
    if not same:
        raise SystemExit("warm-start and rebuilt results differ")


if __name__ == "__main__":
    main()
