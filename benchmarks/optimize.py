"""Benchmark of the optimization core: OR-Library CFLP optima and linopy vs Pyomo build time.

Run::

    python benchmarks/optimize.py [--seed 1] [--facilities 100] [--customers 1000]

Part 1 solves the five OR-Library capacitated warehouse instances in
``../shared/data/benchmarks/orlib_cap`` (skipped when the folder is absent) and compares
with the proven optima of ``optima.csv``.

Part 2 builds the same CFLP formulation (split demand, strong linking constraints) on a
seeded synthetic instance with linopy (ours, :func:`shoring.optimize.build_cflp`) and with
Pyomo (idiomatic ``ConcreteModel`` with indexed rules and ``quicksum``, below), measured in
the same run after a warm-up build of a tiny instance for each:

- build: constructing the model object;
- to solver: handing it to HiGHS (linopy direct API: matrix assembly + ``addRows``;
  Pyomo: ``pyomo.contrib.solver`` HiGHS persistent ``set_instance``);
- solve: HiGHS run time to the requested gap / time limit (both solved, as a check
  that the two formulations agree).

Needs the ``bench`` extra (Pyomo).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs as PyomoHighs

from shoring.data.paths import shared_data_dir
from shoring.optimize import (
    BENCHMARK_OPTIONS,
    CFLPInstance,
    SolveOptions,
    Stopwatch,
    build_cflp,
    read_orlib_cap,
    solve,
    solve_cflp,
    synthetic_cflp,
)


@contextlib.contextmanager
def _no_c_stdout() -> Iterator[None]:
    """Drop C-level stdout (the HiGHS banner Pyomo's HiGHS prints on construction)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def pyomo_cflp(inst: CFLPInstance) -> pyo.ConcreteModel:
    """The CFLP of :func:`shoring.optimize.build_cflp`, written in idiomatic Pyomo."""
    cap = dict(enumerate(inst.capacity.tolist(), 1))
    fixed = dict(enumerate(inst.fixed_cost.tolist(), 1))
    dem = dict(enumerate(inst.demand.tolist(), 1))
    cost = {(i + 1, j + 1): c for (i, j), c in np.ndenumerate(inst.cost)}
    model = pyo.ConcreteModel()
    model.I = pyo.RangeSet(1, inst.n_facilities)
    model.J = pyo.RangeSet(1, inst.n_customers)
    model.open = pyo.Var(model.I, domain=pyo.Binary)
    model.share = pyo.Var(model.I, model.J, bounds=(0, 1))

    def demand_rule(mdl: pyo.ConcreteModel, j: int) -> object:
        return pyo.quicksum(mdl.share[i, j] for i in mdl.I) == 1

    def capacity_rule(mdl: pyo.ConcreteModel, i: int) -> object:
        return pyo.quicksum(dem[j] * mdl.share[i, j] for j in mdl.J) <= cap[i] * mdl.open[i]

    def link_rule(mdl: pyo.ConcreteModel, i: int, j: int) -> object:
        return mdl.share[i, j] <= mdl.open[i]

    model.demand = pyo.Constraint(model.J, rule=demand_rule)
    model.capacity = pyo.Constraint(model.I, rule=capacity_rule)
    model.link = pyo.Constraint(model.I, model.J, rule=link_rule)
    model.cost = pyo.Objective(
        expr=pyo.quicksum(fixed[i] * model.open[i] for i in model.I)
        + pyo.quicksum(cost[i, j] * model.share[i, j] for i in model.I for j in model.J),
        sense=pyo.minimize,
    )
    return model


def orlib_part() -> None:
    root = shared_data_dir()
    folder = root / "benchmarks" / "orlib_cap" if root is not None else None
    print("1. OR-Library capacitated warehouse location (split demand), HiGHS mip_rel_gap=1e-9")
    if folder is None or not folder.is_dir():
        print("   skipped: ../shared/data/benchmarks/orlib_cap not found")
        return
    optima = pd.read_csv(folder / "optima.csv")
    header = (
        f"   {'instance':<9}{'m x n':>8}{'objective':>16}{'proven optimum':>16}"
        f"{'rel. gap':>10}{'status':>9}{'open':>6}{'build s':>9}{'solve s':>9}"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    for row in optima.itertuples(index=False):
        res = solve_cflp(read_orlib_cap(folder / f"{row.instance}.txt"), BENCHMARK_OPTIONS)
        gap = abs(res.objective - row.optimal_cost) / abs(row.optimal_cost)
        print(
            f"   {row.instance:<9}{f'{res.n_facilities}x{res.n_customers}':>8}"
            f"{res.objective:>16,.3f}{row.optimal_cost:>16,.3f}{gap:>10.1e}"
            f"{res.status.value:>9}{len(res.open_facilities):>6}"
            f"{res.build_seconds:>9.3f}{res.solve_seconds:>9.3f}"
        )
    print("   build s = linopy model + hand-over to HiGHS (first row includes warm-up)")


def build_part(n_facilities: int, n_customers: int, seed: int, gap: float, limit: float) -> None:
    inst = synthetic_cflp(n_facilities, n_customers, seed=seed)
    size = f"{n_facilities} facilities x {n_customers} customers"
    print()
    print(f"2. Build time, linopy (ours) vs Pyomo, synthetic CFLP {size}, seed {seed}")
    n_vars = n_facilities * (n_customers + 1)
    n_cons = n_customers + n_facilities + n_facilities * n_customers
    print(f"   {n_vars:,} variables, {n_cons:,} constraints; solve: HiGHS gap {gap:g}")
    print(f"   time limit {limit:g} s, threads 2")

    tiny = synthetic_cflp(3, 5, seed=seed)  # warm-up: imports, caches
    solve(build_cflp(tiny))
    with _no_c_stdout():
        PyomoHighs().set_instance(pyomo_cflp(tiny))

    options = SolveOptions(mip_rel_gap=gap, time_limit=limit, threads=2)
    with Stopwatch() as ours_build:
        model = build_cflp(inst)
    ours = solve(model, options)

    with Stopwatch() as pyomo_build:
        pmodel = pyomo_cflp(inst)
    with _no_c_stdout():
        solver = PyomoHighs()
        with Stopwatch() as pyomo_transfer:
            solver.set_instance(pmodel)
        t0 = time.perf_counter()
        presult = solver.solve(pmodel, time_limit=limit, rel_gap=gap, threads=2)
        pyomo_solve_wall = time.perf_counter() - t0
    try:  # HiGHS' own run time, as for ours; Pyomo keeps the highspy object privately
        pyomo_solve = float(solver._solver_model.getRunTime())
    except AttributeError:
        pyomo_solve = pyomo_solve_wall
    pyomo_obj = float(presult.incumbent_objective or math.nan)

    ours_total_build = ours_build.seconds + ours.transfer_seconds
    pyomo_total_build = pyomo_build.seconds + pyomo_transfer.seconds
    print()
    print(f"   {'':<28}{'linopy (ours)':>16}{'Pyomo':>16}{'Pyomo/ours':>12}")
    rows = [
        ("build model (s)", ours_build.seconds, pyomo_build.seconds),
        ("hand to HiGHS (s)", ours.transfer_seconds, pyomo_transfer.seconds),
        ("build + hand-over (s)", ours_total_build, pyomo_total_build),
    ]
    for label, a, b in rows:
        print(f"   {label:<28}{a:>16.3f}{b:>16.3f}{b / a:>11.1f}x")
    print(f"   {'HiGHS run time (s)':<28}{ours.solve_seconds:>16.3f}{pyomo_solve:>16.3f}")
    print(f"   {'objective':<28}{ours.objective:>16,.2f}{pyomo_obj:>16,.2f}")
    print(
        f"   status: ours {ours.status.value}, Pyomo {presult.termination_condition.name}; "
        f"Pyomo solve() call wall {pyomo_solve_wall:.3f} s"
    )

    ratio = pyomo_build.seconds / ours_build.seconds
    total = ours_total_build + ours.solve_seconds
    share = ours_total_build / total
    print()
    verdict = "met" if ratio >= 5 else "NOT met"
    print(f"   build speed-up vs Pyomo: {ratio:.1f}x (target >= 5x: {verdict})")
    verdict = "met" if share <= 0.10 else "NOT met"
    print(
        f"   our build share of total time: {share:.1%} = {ours_total_build:.3f} s of "
        f"{total:.3f} s (target <= 10%: {verdict})"
    )
    agree = abs(ours.objective - pyomo_obj) <= max(gap, 1e-9) * abs(pyomo_obj) * 2
    print(f"   objectives agree within the MIP gap: {'yes' if agree else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--facilities", type=int, default=100)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=1e-3, help="relative MIP gap, part 2")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds, part 2")
    args = parser.parse_args()
    t0 = time.perf_counter()
    orlib_part()
    build_part(args.facilities, args.customers, args.seed, args.gap, args.time_limit)
    print(f"\ntotal benchmark wall time: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
