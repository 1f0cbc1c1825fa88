"""Throughput of policy sweeps: serially vs on a local Dask cluster, in the same run.

Run::

    python benchmarks/sweep.py [--cost 200] [--optimize 100] [--workers 2]

On the ev-battery example (the network ``shoring demo`` uses), current law as the base,
2030: a cost grid of ``--cost`` variants (a US tariff on Chinese batteries x China's wage
growth x the IRA 45X module credit; see :func:`grid_text`) and an optimize grid of
``--optimize`` variants. Each is swept twice, one after the other: in this process
without Dask (``workers=0``), then on a ``LocalCluster`` of ``--workers`` processes (its
start-up is timed apart; both sides first run a small warm-up sweep, so that imports and
embedded tables are loaded in every process). Printed per sweep: wall seconds, variants
(or MILPs) per second, CPU seconds inside the tasks, and ``busy``, the share of the
workers' time spent inside tasks (the rest is Dask's per-task overhead, data transfer and
workers idle at the start and the tail, so ``1 - busy`` bounds the task overhead from
above), and the load average (1 minute) before and after each sweep. The machine may be
shared: compare the CPU seconds as well as the wall times, and quote the load with the
figures.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from shoring.examples import example_path
from shoring.network import read_network
from shoring.scenario import load_scenario
from shoring.sweep import run_sweep
from shoring.sweep.grid import parse_grid
from shoring.sweep.run import base_of, dask_client


def grid_text(n: int) -> str:
    """A grid of about ``n`` variants: the US tariff on Chinese batteries (``n / 4`` values
    from 0 to 100 %) x China's wage growth (0, 6 %) x IRA 45X module credit (on, off)."""
    steps = max(n // 4, 1)
    tariffs = [round(k / max(steps - 1, 1), 4) for k in range(steps)]
    return f"""\
years: [2030]
parameters:
  - name: us_tariff_chn
    kind: tariff
    measure: {{importers: USA, exporters: CHN, hs: ["8507"], start: 2026-01-01}}
    values: {tariffs}
  - name: chn_wage_growth
    kind: wage_path
    measure: {{country: CHN, start_year: 2026}}
    values: [0, 0.06]
  - name: ira_45x_modules
    kind: incentive
    measure: {{id: ira-45x-battery-modules}}
    values: [true, false]
"""


def sweep(analysis: str, n: int, scheduler: str | None, folder: Path) -> dict[str, float]:
    """One sweep of ``n`` variants, in this process or on ``scheduler``; its figures."""
    net = read_network(example_path("ev-battery"))
    base = load_scenario("current-law")
    grid = parse_grid(grid_text(n), "bench-grid", *base_of(base))
    load = os.getloadavg()[0]
    cpu = time.process_time()
    target = folder / f"{analysis}-{n}-{'dask' if scheduler else 'serial'}"
    summary = run_sweep(net, base, grid, target, analysis, workers=0, scheduler=scheduler)  # type: ignore[arg-type]
    return {
        "variants": summary.computed,
        "wall": summary.wall_seconds,
        "rate": summary.computed / summary.wall_seconds,
        "task_cpu": summary.task_cpu_seconds,
        "main_cpu": time.process_time() - cpu,
        "busy": summary.busy_share,
        "batches": summary.batches,
        "load": f"{load:.1f}-{os.getloadavg()[0]:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost", type=int, default=200, help="variants of the cost grid")
    parser.add_argument("--optimize", type=int, default=100, help="variants of the optimize grid")
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers")
    args = parser.parse_args()
    start = time.perf_counter()
    with dask_client(args.workers, None) as client, tempfile.TemporaryDirectory() as tmp:
        address = client.scheduler.address
        print(f"LocalCluster start-up ({args.workers} workers): "
              f"{time.perf_counter() - start:.1f} s (not counted below)")  # fmt: skip
        print(f"{'sweep':<10}{'mode':<16}{'variants':>9}{'batches':>8}{'wall s':>9}"
              f"{'per s':>8}{'task CPU s':>11}{'busy':>7}{'speed-up':>10}{'load':>12}")  # fmt: skip
        for analysis, n in (("cost", args.cost), ("optimize", args.optimize)):
            if n <= 0:
                continue
            # warm-up (imports, embedded tables) in this process and on every worker
            sweep(analysis, 4, None, Path(tmp))
            sweep(analysis, 4 * args.workers, address, Path(tmp))
            serial = sweep(analysis, n, None, Path(tmp))
            dask = sweep(analysis, n, address, Path(tmp))
            for mode, r in (("serial", serial), (f"dask x{args.workers}", dask)):
                ratio = r["rate"] / serial["rate"]
                print(
                    f"{analysis:<10}{mode:<16}{r['variants']:>9}{r['batches']:>8}"
                    f"{r['wall']:>9.1f}{r['rate']:>8.2f}{r['task_cpu']:>11.1f}"
                    f"{r['busy']:>7.0%}{ratio:>9.2f}x{r['load']:>12}"
                )


if __name__ == "__main__":
    main()
