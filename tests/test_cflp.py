"""Capacitated facility location: hand-solved optimum, OR-Library optima, solve wrapper, CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import highspy
import linopy
import numpy as np
import pandas as pd
import pytest

from shoring.errors import InfeasibleModelError
from shoring.optimize import (
    BENCHMARK_OPTIONS,
    CFLPInstance,
    SolveOptions,
    SolveStatus,
    build_cflp,
    read_orlib_cap,
    solve,
    solve_cflp,
    synthetic_cflp,
)
from shoring.optimize.solve import status_from_highs

# Hand-solved instance: 3 facilities, 4 customers, demand d = (4, 4, 6, 6), total 20.
#   facility  capacity  fixed   cost of serving the whole demand of customer 1..4
#   F1        10        100     10 10 40 40
#   F2        10        100     40 40 10 10
#   F3        20        250     20 20 20 20
# F1 or F2 alone lacks capacity (10 < 20). Candidate sets:
#   {F3}: 250 + 4*20 = 330.
#   {F1,F2}: capacity 20 = demand, so each serves exactly 10 units. Per unit, F1 is
#     cheaper for customers 1-2 by (40-10)/4 = 7.5 and dearer for 3-4 by (40-10)/6 = 5.
#     F1 takes customers 1-2 (8 units) and 2 more units of customers 3/4 at +5 each:
#     allocation 10+10+10+10 + 2*5 = 50; total 200 + 50 = 250.
#   {F1,F3}: F1 serves 1-2 (20), F3 serves 3-4 (40): 350 + 60 = 410.
#   {F2,F3}: F2 takes 3 fully and 4/6 of 4 (10 + 6.67), F3 the rest (6.67 + 40): 413.33.
#   all three: fixed 450 > 250.
# Optimum 250 with {F1, F2}, and F1 serves 1/3 of customers 3+4's combined demand of 12
# (2 units of 6 = 1/3 of one customer). Demand must be split: unsplittable, {F1,F2} is
# infeasible (F1 would need 8 + 6 = 14 > 10 units).
HAND = CFLPInstance(
    name="hand",
    capacity=np.array([10.0, 10.0, 20.0]),
    fixed_cost=np.array([100.0, 100.0, 250.0]),
    demand=np.array([4.0, 4.0, 6.0, 6.0]),
    cost=np.array(
        [
            [10.0, 10.0, 40.0, 40.0],
            [40.0, 40.0, 10.0, 10.0],
            [20.0, 20.0, 20.0, 20.0],
        ]
    ),
)
HAND_TEXT = """3 4
10 100
10 100
20 250
4
10 40 20
4
10 40
20
6
40 10 20
6
40 10 20
"""


def test_hand_solved_optimum() -> None:
    result = solve_cflp(HAND, BENCHMARK_OPTIONS)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(250.0, rel=1e-9)
    assert result.open_facilities == (1, 2)
    share = result.assignment
    assert share.dims == ("facility", "customer")
    np.testing.assert_allclose(share.sum("facility"), 1.0, atol=1e-9)
    np.testing.assert_allclose(share.sel(facility=1, customer=[1, 2]), 1.0, atol=1e-9)
    assert float(share.sel(facility=1, customer=[3, 4]).sum()) == pytest.approx(1 / 3)
    np.testing.assert_allclose(share.sel(facility=3), 0.0, atol=1e-9)
    assert result.mip_gap == pytest.approx(0.0, abs=1e-9)
    assert result.build_seconds >= 0 and result.solve_seconds >= 0


def test_model_names_and_dims() -> None:
    m = build_cflp(HAND)
    assert set(m.variables) == {"Facility-open", "Facility-Customer-share"}
    assert set(m.constraints) == {
        "Customer-demand-eq",
        "Facility-capacity-max",
        "Facility-Customer-link-max",
        "Facility-capacity-cover-min",  # no two facilities identical: no symmetry rows
    }
    assert m.variables["Facility-Customer-share"].dims == ("facility", "customer")
    assert m.variables["Facility-open"].indexes["facility"].tolist() == [1, 2, 3]
    assert m.constraints["Facility-Customer-link-max"].shape == (3, 4)


def test_instance_validation() -> None:
    with pytest.raises(ValueError, match="cost has shape"):
        CFLPInstance("x", np.ones(2), np.ones(2), np.ones(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match="demand must be >= 0"):
        CFLPInstance("x", np.ones(1), np.ones(1), -np.ones(1), np.ones((1, 1)))


def test_insufficient_capacity_is_infeasible() -> None:
    short = CFLPInstance(
        "short", np.array([3.0, 3.0]), np.ones(2), np.array([4.0, 4.0]), np.ones((2, 2))
    )
    with pytest.raises(InfeasibleModelError, match=r"total capacity 6 .* below total demand 8"):
        solve_cflp(short)


def test_solver_iis_diagnosis_names_constraints() -> None:
    short = CFLPInstance(
        "short", np.array([3.0, 3.0]), np.ones(2), np.array([4.0, 4.0]), np.ones((2, 2))
    )
    with pytest.raises(InfeasibleModelError) as excinfo:
        solve(build_cflp(short, cuts=("link",)))
    diagnosis = excinfo.value.diagnosis
    assert "irreducible infeasible subsystem" in diagnosis
    assert "Customer-demand-eq (customer=1)" in diagnosis
    assert "Facility-capacity-max (facility=2)" in diagnosis
    report = solve(build_cflp(short), raise_infeasible=False)
    assert report.status is SolveStatus.INFEASIBLE
    # with the aggregate capacity cut the IIS is that one row: 3 + 3 < 4 + 4
    with pytest.raises(InfeasibleModelError, match="Facility-capacity-cover-min"):
        solve(build_cflp(short))
    assert math.isnan(report.objective)


def test_integer_infeasibility_without_iis() -> None:
    m = linopy.Model()
    x = m.add_variables(lower=0, upper=10, integer=True, name="x")
    m.add_constraints(2 * x == 3, name="odd-eq")
    m.add_objective(1 * x)
    with pytest.raises(InfeasibleModelError, match="integrality"):
        solve(m)


def test_lp_report() -> None:
    m = linopy.Model()
    x = m.add_variables(lower=0, name="x")
    y = m.add_variables(lower=0, name="y")
    m.add_constraints(2 * x + 6 * y >= 10)
    m.add_constraints(4 * x + 2 * y >= 3)
    m.add_objective(2 * y + x)
    report = solve(m, SolveOptions(threads=1))
    # The two constraint lines cross at x = -0.1 (outside x >= 0), so the candidate vertices
    # are (0, 5/3) with 4x + 2y = 10/3 >= 3, objective 10/3, and (5, 0), objective 5.
    assert report.status is SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(10 / 3)
    assert report.mip_gap == 0.0


def test_status_mapping() -> None:
    s = highspy.HighsModelStatus
    feasible, none = 2, 0
    assert status_from_highs(s.kOptimal, feasible) is SolveStatus.OPTIMAL
    assert status_from_highs(s.kTimeLimit, feasible) is SolveStatus.FEASIBLE
    assert status_from_highs(s.kTimeLimit, none) is SolveStatus.NO_SOLUTION
    assert status_from_highs(s.kInfeasible, none) is SolveStatus.INFEASIBLE
    assert status_from_highs(s.kUnbounded, none) is SolveStatus.UNBOUNDED
    assert status_from_highs(s.kSolveError, none) is SolveStatus.ERROR
    assert SolveStatus.FEASIBLE.has_solution and not SolveStatus.NO_SOLUTION.has_solution


def test_options_validation() -> None:
    with pytest.raises(ValueError, match="mip_rel_gap"):
        SolveOptions(mip_rel_gap=1.5)
    with pytest.raises(ValueError, match="time_limit"):
        SolveOptions(time_limit=0)
    opts = SolveOptions(time_limit=5, mip_rel_gap=1e-6, threads=2).to_highs()
    assert opts["time_limit"] == 5.0 and opts["mip_rel_gap"] == 1e-6 and opts["threads"] == 2
    assert opts["output_flag"] is False


def test_log_file(tmp_path) -> None:
    log = tmp_path / "highs.log"
    solve_cflp(HAND, SolveOptions(log_file=log))
    assert "HiGHS" in log.read_text()


def test_synthetic_is_seeded() -> None:
    a, b = synthetic_cflp(4, 9, seed=3), synthetic_cflp(4, 9, seed=3)
    np.testing.assert_array_equal(a.cost, b.cost)
    assert a.capacity.sum() >= 3 * a.demand.sum()


@pytest.mark.shared_data
@pytest.mark.parametrize("instance", ["cap41", "cap61", "cap62", "cap63", "cap64"])
def test_orlib_optima(shared_data, instance: str) -> None:
    folder = shared_data / "benchmarks" / "orlib_cap"
    optima = pd.read_csv(folder / "optima.csv").set_index("instance")
    result = solve_cflp(read_orlib_cap(folder / f"{instance}.txt"), BENCHMARK_OPTIONS)
    assert result.status is SolveStatus.OPTIMAL
    assert (result.n_facilities, result.n_customers) == (
        optima.loc[instance, "n_facilities"],
        optima.loc[instance, "n_customers"],
    )
    assert result.objective == pytest.approx(optima.loc[instance, "optimal_cost"], rel=1e-6)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from shoring.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_cli_json(tmp_path) -> None:
    path = tmp_path / "hand.txt"
    path.write_text(HAND_TEXT)
    proc = _cli("bench", "cflp", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # stdout is pure JSON (no solver banner)
    assert list(data) == [
        "instance",
        "n_facilities",
        "n_customers",
        "objective",
        "status",
        "open_facilities",
        "build_seconds",
        "solve_seconds",
        "mip_gap",
    ]
    assert data["instance"] == "hand"
    assert (data["n_facilities"], data["n_customers"]) == (3, 4)
    assert data["objective"] == pytest.approx(250.0)
    assert data["status"] == "optimal"
    assert data["open_facilities"] == [1, 2]


def test_cli_bad_file_exits_2(tmp_path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(HAND_TEXT.replace("10 40 20\n4\n", "10 40 oops\n4\n", 1))
    proc = _cli("bench", "cflp", str(path), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"{path}:6: customer 1: cost from facility 3 is not a number: 'oops'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_table_and_option_error(tmp_path, capsys) -> None:
    from shoring.cli import main

    path = tmp_path / "hand.txt"
    path.write_text(HAND_TEXT)
    main(["bench", "cflp", str(path)])
    out = capsys.readouterr().out
    assert "CFLP hand" in out and "250.0000" in out and "optimal" in out
    with pytest.raises(SystemExit) as excinfo:
        main(["bench", "cflp", str(path), "--mip-gap", "2"])
    assert excinfo.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "--mip-gap" in err and "at most 1 as a fraction" in err
