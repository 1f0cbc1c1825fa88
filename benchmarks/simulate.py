"""Benchmark of the vectorized disruption simulation against a SimPy discrete-event model.

Run::

    pip install -e .[bench]            # SimPy
    python benchmarks/simulate.py [--runs 10000] [--weeks 156] [--nodes 200] [--sample 10]

A seeded synthetic network (``np.random.default_rng(seed)``; every figure an assumption,
for timing only): ``nodes`` nodes, a fifth of them sites in 12 countries making 10
finished products (each site two), the rest suppliers of 40 components (each product
needs 4; each component has its suppliers in several countries); 7 days of buffer at
every node; the default hazard model (natural hazards per node, pandemic waves, port
closures). The synthetic network has no geography, so no chokepoint or bloc flows.

Measured in the same run:

- vectorized: :func:`shoring.simulate.simulate`, ``runs`` draws x ``weeks`` weeks,
  node-weeks per second, and the process' peak resident memory;
- SimPy: the same model as a discrete-event simulation (one SimPy process per hazard
  event switching a node's or country's state, one weekly process running the flow
  rules item by item in Python), on the first ``sample`` draws with the same random
  events (each draw's own generator); its lost sales are checked against the vectorized
  ones for those draws, then its node-weeks per second and the speed-up are reported.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from shoring.network import Network
from shoring.simulate import default_hazards, sim_network, simulate
from shoring.simulate.engine import _processes
from shoring.simulate.events import draw_events, draw_waves


def synthetic(nodes: int, seed: int) -> Network:
    """A seeded synthetic network with ``nodes`` sites and suppliers (see the module doc)."""
    rng = np.random.default_rng(seed)
    countries = ["CHN", "VNM", "MEX", "USA", "DEU", "POL", "IND", "JPN", "KOR", "THA", "TUR", "HUN"]
    n_sites = max(nodes // 5, 5)
    n_sup = nodes - n_sites
    products = [
        {
            "id": f"p{i}",
            "hs_code": "8507.60",
            "unit_value_usd": 500,
            "weight_kg": 5,
            "labour_hours": 1,
            "margin": 0.15,
        }
        for i in range(10)
    ]
    products += [
        {"id": f"c{i}", "hs_code": "8507.90", "unit_value_usd": 20, "weight_kg": 1}
        for i in range(40)
    ]
    bom = [
        {"parent": f"p{i}", "component": f"c{(4 * i + j) % 40}", "quantity": 1}
        for i in range(10)
        for j in range(4)
    ]
    sites = [
        {
            "id": f"s{i}",
            "country": countries[i % 12],
            "status": "existing",
            "products": [f"p{i % 10}", f"p{(i + 3) % 10}"],
            "capacity_units": float(rng.uniform(3e4, 6e4)),
            "fixed_cost_usd": 0,
        }
        for i in range(n_sites)
    ]
    suppliers = [
        {
            "id": f"u{i}",
            "country": countries[int(rng.integers(12))],
            "component": f"c{i % 40}",
            "capacity_units": float(rng.uniform(2e4, 5e4)),
            "unit_price_usd": 10,
        }
        for i in range(n_sup)
    ]
    demand = [{"market": "m", "product": f"p{i}", "year": 2025, "units": 9e4} for i in range(10)]
    return Network.from_dict(
        {
            "meta": {"name": "synthetic", "currency": "USD", "base_year": 2025},
            "products": products,
            "bom": bom,
            "sites": sites,
            "suppliers": suppliers,
            "markets": [{"id": "m", "country": "USA"}],
            "demand": demand,
        }
    )


def simpy_draw(sim, model, events, waves, weeks: int) -> np.ndarray:
    """Lost units per finished product of one draw, as a SimPy discrete-event model."""
    import simpy

    env = simpy.Environment()
    n, g = sim.n_nodes, sim.countries.size
    r = len(model.geopolitics.ruptures)
    k = sim.chokepoints.size
    count = [0] * (n + r + k + g)
    locked = [[0] * g for _ in model.pandemic.waves]

    def outage(counter: list[int], src: int, start: int, length: int):
        yield env.timeout(start)
        counter[src] += 1
        yield env.timeout(length)
        counter[src] -= 1

    for src, start, length in zip(events.source, events.start, events.weeks, strict=True):
        env.process(outage(count, int(src), int(start), int(length)))
    for i, wave in enumerate(waves):
        for src, start, length in zip(wave.source, wave.start, wave.weeks, strict=True):
            env.process(outage(locked[i], int(src), int(start), int(length)))
    n_p, items = sim.n_products, sim.items.size
    pairs = list(
        zip(sim.pair_node.tolist(), sim.pair_item.tolist(), sim.pair_cap.tolist(), strict=True)
    )
    bmax = [0.0] * items
    for node, item, base in zip(sim.pair_node, sim.pair_item, sim.pair_base, strict=True):
        bmax[item] += base * sim.buffer_weeks[node]
    stock = list(bmax)
    req = sim.req.tolist()
    demand = sim.demand.tolist()
    lost = [0.0] * n_p
    losses = [w.capacity_loss for w in model.pandemic.waves]

    def weekly():
        yield env.timeout(0.5)  # after the week's events
        for _ in range(weeks):
            avail = []
            for node in range(n):
                c = sim.node_country[node]
                lock = max(
                    [loss if locked[i][c] > 0 else 0.0 for i, loss in enumerate(losses)] + [0.0]
                )
                cut = sum(sim.port_share[node, j] for j in range(g) if count[n + r + k + j] > 0)
                own = (1 - model.natural.capacity_loss * (count[node] > 0)) * (1 - lock)
                avail.append(own * (1 - min(cut, 1.0)))
            cap = [0.0] * items
            for node, item, pcap in pairs:
                cap[item] += avail[node] * pcap
            target = [demand[p] + bmax[p] - stock[p] for p in range(n_p)]
            made = []
            for p in range(n_p):
                limit = 1.0
                for c in range(items - n_p):
                    if req[p][c] > 0:
                        need = sum(target[q] * req[q][c] for q in range(n_p))
                        ratio = (cap[n_p + c] + stock[n_p + c]) / need if need > 0 else 1.0
                        limit = min(limit, ratio)
                made.append(min(cap[p], target[p] * limit))
            for c in range(items - n_p):
                used = sum(made[p] * req[p][c] for p in range(n_p))
                inflow = min(cap[n_p + c], used + bmax[n_p + c] - stock[n_p + c])
                stock[n_p + c] += inflow - used
            for p in range(n_p):
                sold = min(demand[p], stock[p] + made[p])
                stock[p] += made[p] - sold
                lost[p] += demand[p] - sold
            yield env.timeout(1)

    env.process(weekly())
    env.run()
    return np.array(lost)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = default_hazards().model_copy(update={"horizon_weeks": args.weeks})
    sim = sim_network(synthetic(args.nodes, args.seed), model, buffer_days=7.0, lanes=False)
    print(
        f"network: {sim.n_nodes} nodes ({(sim.kind == 'site').sum()} sites), "
        f"{sim.items.size} items, "
        f"{sim.pair_node.size} node-item pairs, {sim.countries.size} countries"
    )
    t0, c0 = time.perf_counter(), time.process_time()
    result = simulate(sim, model, runs=args.runs, seed=args.seed)
    fast, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    node_weeks = args.runs * args.weeks * sim.n_nodes
    print(
        f"vectorized: {args.runs:,} draws x {args.weeks} weeks x {sim.n_nodes} nodes in "
        f"{fast:.1f} s wall ({cpu:.1f} s CPU) = {node_weeks / fast:,.0f} node-weeks/s; "
        f"peak RSS {peak:,.0f} MB"
    )
    s = result.summary()
    print(
        f"  expected lost sales {s['expected_lost_units']:,.0f} units, service level "
        f"{s['service_level_mean']:.2%}, CVaR95 {s['cvar']:,.0f} USD"
    )

    processes, _ = _processes(sim, model)
    seeds = np.random.SeedSequence(args.seed).spawn(args.runs)[: args.sample]
    t0 = time.perf_counter()
    lost = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        events = draw_events(rng, processes, args.weeks)
        waves = draw_waves(
            rng, model.pandemic.rate_per_year, model.pandemic.waves, sim.countries.size, args.weeks
        )
        lost.append(simpy_draw(sim, model, events, waves, args.weeks))
    slow = time.perf_counter() - t0
    same = np.allclose(np.array(lost), result.lost_units[: args.sample], rtol=1e-9, atol=1e-6)
    slow_rate = args.sample * args.weeks * sim.n_nodes / slow
    print(
        f"SimPy: {args.sample} draws in {slow:.1f} s = {slow_rate:,.0f} node-weeks/s; "
        f"lost sales equal to the vectorized draws: {same}"
    )
    print(f"speed-up: {node_weeks / fast / slow_rate:,.0f}x per node-week (target >= 100x)")
    if not same:
        raise SystemExit("SimPy and vectorized results differ")


if __name__ == "__main__":
    main()
