"""Solver statuses told as they are, and degenerate inputs that must not crash.

Each solver status has a test: optimal, a plan stopped at a limit (with gap and bound),
no plan within a limit, infeasible (with a diagnosis), unbounded and numerical trouble
(mapping only: HiGHS cannot be made to fail on purpose). The CLI exits with 3 (not 2,
bad input) when a valid model leaves no plan.
"""

from __future__ import annotations

import json

import highspy
import linopy
import numpy as np
import pandas as pd
import pytest

from shoring.cli import main
from shoring.errors import NO_PLAN_EXIT_CODE, InfeasibleModelError, NoPlanError
from shoring.optimize import SolveOptions, SolveStatus, build_cflp, solve, synthetic_cflp
from shoring.optimize.design import DesignSpec, design_data, optimize_design
from shoring.optimize.design.lost import cost_to_serve, lost_summary
from shoring.optimize.design.pareto import pareto_points
from shoring.optimize.solve import status_from_highs
from test_design_hand import EXACT, hand, run

MS = highspy.HighsModelStatus
FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)
NONE = int(highspy.SolutionStatus.kSolutionStatusNone)


@pytest.mark.parametrize(
    ("model_status", "primal", "expected"),
    [
        (MS.kOptimal, FEASIBLE, SolveStatus.OPTIMAL),
        (MS.kTimeLimit, FEASIBLE, SolveStatus.FEASIBLE),
        (MS.kTimeLimit, NONE, SolveStatus.NO_SOLUTION),
        (MS.kIterationLimit, NONE, SolveStatus.NO_SOLUTION),
        (MS.kSolutionLimit, FEASIBLE, SolveStatus.FEASIBLE),
        (MS.kInfeasible, NONE, SolveStatus.INFEASIBLE),
        (MS.kUnbounded, NONE, SolveStatus.UNBOUNDED),
        (MS.kSolveError, NONE, SolveStatus.ERROR),
        (MS.kNotset, NONE, SolveStatus.ERROR),
    ],
)
def test_status_mapping(model_status, primal, expected):
    assert status_from_highs(model_status, primal) is expected


def test_status_words():
    assert SolveStatus.NO_SOLUTION.describe("Time limit reached") == "no plan within the time limit"
    assert "time limit" in SolveStatus.FEASIBLE.describe("Time limit reached")
    assert "numerical trouble" in SolveStatus.ERROR.describe("Solve error")


def _cflp_model():
    # 10 sites x 40 customers, tight capacity: the first incumbent is not optimal
    return build_cflp(synthetic_cflp(10, 40, seed=3, capacity_ratio=1.3))


def test_optimal():
    report = solve(_cflp_model(), SolveOptions(mip_rel_gap=1e-9))
    assert report.status is SolveStatus.OPTIMAL
    assert report.mip_gap <= 1e-9
    assert report.dual_bound == pytest.approx(report.objective, rel=1e-9)


def test_feasible_at_a_limit_has_gap_and_bound():
    # stop at the first improving solution: a plan, not proven optimal
    options = SolveOptions(highs_options={"mip_max_improving_sols": 1})
    report = solve(_cflp_model(), options)
    assert report.status is SolveStatus.FEASIBLE
    assert report.dual_bound < report.objective
    assert report.mip_gap == pytest.approx(
        (report.objective - report.dual_bound) / report.objective, rel=1e-6
    )


def test_no_plan_within_a_limit():
    report = solve(_cflp_model(), SolveOptions(highs_options={"mip_max_leaves": 0}))
    assert report.status is SolveStatus.NO_SOLUTION
    assert np.isnan(report.objective)


def test_unbounded():
    m = linopy.Model()
    x = m.add_variables(lower=0.0, name="x")
    m.add_constraints(x >= 1, name="x-min")
    m.add_objective(-1 * x)
    assert solve(m, raise_infeasible=False).status is SolveStatus.UNBOUNDED


def test_infeasible_has_a_diagnosis_and_is_no_plan():
    m = linopy.Model()
    x = m.add_variables(lower=0.0, name="x")
    m.add_constraints(x >= 2, name="x-min")
    m.add_constraints(x <= 1, name="x-max")
    m.add_objective(1 * x)
    with pytest.raises(InfeasibleModelError, match="x-m") as info:
        solve(m)
    assert isinstance(info.value, NoPlanError)
    assert info.value.exit_code == NO_PLAN_EXIT_CODE == 3
    assert info.value.to_dict()["status"] == "infeasible"


def test_design_feasible_at_limit_reports_gap_and_bound():
    data = hand()
    res = optimize_design(
        data,
        DesignSpec(),
        SolveOptions(highs_options={"mip_max_improving_sols": 1, "presolve": "off"}),
        shadow_prices=False,
        site_deltas=False,
    )
    out = res.to_dict()
    assert out["status"] in ("feasible", "optimal")
    assert out["bound"] <= out["objective"] + 1e-9
    assert out["gap"] is not None


def test_design_no_plan_within_limit_raises_no_plan():
    with pytest.raises(NoPlanError, match="no plan within") as info:
        optimize_design(
            hand(),
            DesignSpec(),
            SolveOptions(highs_options={"mip_max_leaves": 0, "presolve": "off"}),
            shadow_prices=False,
            site_deltas=False,
        )
    assert not isinstance(info.value, InfeasibleModelError)
    assert info.value.status == "no_solution"


def cli(argv, capsys) -> tuple[int, str, str]:
    """Run ``shoring ARGV`` as the console script does: (exit code, stdout, stderr)."""
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_time_limit_is_not_infeasible(tmp_path, capsys):
    path = tmp_path / "net.yaml"
    path.write_text(_NET.replace("DEMAND", "1000"))
    code, stdout, stderr = cli(
        [
            "optimize",
            str(path),
            "-s",
            "baseline",
            "--time-limit",
            "0.000001",
            "--alternatives",
            "0",
            "--no-explain",
            "--json",
        ],
        capsys,
    )
    assert "infeasible" not in (stdout + stderr).lower()
    out = json.loads(stdout)
    if code == 0:  # a plan found before the limit: told with its gap and bound
        assert out["status"] in ("feasible", "optimal") and "bound" in out
    else:
        assert code == NO_PLAN_EXIT_CODE
        assert out["status"] == "no_solution"
        assert "time limit" in out["message"] and "time limit" in stderr


# ------------------------------------------------------------ degenerate inputs

_NET = """\
meta: {name: zero, base_year: 2025}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1}
sites:
  - {id: plant-cn, country: CHN, status: existing, products: [widget], capacity_units: 100000,
     fixed_cost_usd: 100000, closing_cost_usd: 50000}
  - {id: plant-mx, country: MEX, status: candidate, products: [widget], capacity_units: 100000,
     fixed_cost_usd: 100000, opening_capex_usd: 500000}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: widget, units: {2026: DEMAND, 2027: DEMAND}}
"""


def test_zero_demand_with_share_cap_and_pareto():
    # zero demand everywhere: a plan that serves nothing (closing the plant costs
    # 20 < its fixed cost 10 x 2 years + ...): no crash, share undefined
    data = _zero_demand()
    res = optimize_design(data, DesignSpec(max_country_share=0.6), EXACT, site_deltas=False)
    assert res.status is SolveStatus.OPTIMAL
    assert res.flows == () and res.lost_summary == ()
    assert np.isnan(res.max_origin_share)
    # hand-worked: keep A (fixed 10) vs close A (closing 20): keep, cost 10
    assert res.objective == pytest.approx(10.0)
    points = pareto_points(data, DesignSpec(), 2, EXACT)
    assert all(p.feasible and p.lost_units == 0 for p in points)


def _zero_demand():
    base = hand()
    from dataclasses import replace

    return replace(base, demand=np.zeros_like(base.demand))


def test_cli_zero_demand_commands(tmp_path, capsys):
    path = tmp_path / "net.yaml"
    path.write_text(_NET.replace("DEMAND", "0"))
    for args in (
        ["optimize", str(path), "-s", "baseline", "--max-country-share", "0.6", "--no-explain"],
        ["pareto", str(path), "-s", "baseline", "--points", "2"],
    ):
        code, stdout, stderr = cli(args, capsys)
        assert code == 0, stderr
        assert "lost sales" not in stdout


def test_lost_sales_told_with_penalty_below_cost_of_serving():
    # one site: conversion 1 + delivery 1 = 2 per unit; penalty 1.5 < 2: all 120 lost
    data = hand(penalty=1.5)
    assert cost_to_serve(data)[0] == pytest.approx(2.0)
    res = run(data)
    (summary,) = res.lost_summary
    assert summary.units == pytest.approx(120.0)
    assert summary.share == pytest.approx(1.0)
    assert summary.penalty_usd == 1.5
    assert "below the cheapest cost of serving" in summary.note
    out = res.to_dict()
    assert out["lost_sales_summary"][0]["units"] == pytest.approx(120.0)


def test_lost_sales_of_an_unproven_plan_are_not_explained_by_costs():
    # penalty 100 > cost of serving 2: the optimum serves all 120 units. A plan stopped at a
    # limit that still loses them must not claim serving would cost more than the penalty.
    from dataclasses import replace

    data = hand(penalty=100.0)
    sol = run(data).solution
    assert not sol.lost.any()
    stopped = replace(sol, lost=np.full_like(sol.lost, 0.0))
    stopped.lost[0, 0] = 120.0
    (told,) = lost_summary(data, stopped, proven=False)
    assert told.units == pytest.approx(120.0)
    assert "stopped before proving" in told.note and "2.00 USD" in told.note
    assert "would cost more" not in told.note
    (optimal_reading,) = lost_summary(data, stopped, proven=True)
    assert "would cost more than the lost-sale penalty" in optimal_reading.note


def test_cli_prints_lost_sales(tmp_path, capsys):
    path = tmp_path / "net.yaml"
    path.write_text(_NET.replace("DEMAND", "100"))
    code, stdout, _ = cli(["optimize", str(path), "-s", "baseline", "--no-explain"], capsys)
    assert code == 0
    # closing (50,000) + 200 units lost at the default penalty (120 = value 100 x 1.2)
    # beats a fixed cost of 100,000 a year: every sale is lost, and said so
    text = " ".join(stdout.split())
    assert "lost sales of widget: 200 units" in text
    assert "penalty of 120.00 USD/unit" in text


def test_lane_banned_in_one_scenario_only():
    # lane A->m2 banned in scenario b only: b loses m2's demand served from A; a does not
    n_t, n_w = 1, 2
    delivery = np.ones((1, 3, 2, n_t, n_w))
    delivery[0, :, 1, 0, 1] = np.nan  # every site -> m2 banned in scenario b
    data = hand(delivery=delivery, scenarios=("a", "b"), probabilities=[0.5, 0.5])
    assert len(data.lane_product) == 6  # lanes kept: allowed in scenario a
    res = run(data)
    sol = res.solution
    banned = np.flatnonzero(data.lane_market == 1)
    assert np.allclose(sol.ship[banned, 1, :], 0.0)
    assert sol.lost[0, 1, 1, 0] == pytest.approx(60.0)
    assert sol.lost[0, :, 0, 0].sum() == pytest.approx(0.0)
    assert all(np.isfinite(v) for v in res.cost_by_scenario.values())


def test_equal_sites_same_plan_every_run():
    # B and C identical: the choice between them must not depend on the run
    data = hand(conversion=(1.0, 2.0, 2.0))
    plans = {run(data).open_sites for _ in range(3)}
    assert len(plans) == 1


def test_one_site_one_scenario_no_suppliers():
    sites = pd.DataFrame(
        {"country": ["AAA"], "status": ["candidate"], "capacity_units": [10.0]}, index=["A"]
    )
    data = design_data(
        products=["p"],
        sites=sites,
        markets={"m": "AAA"},
        periods=[2025],
        scenarios=["w"],
        demand=np.full((1, 1, 1), 4.0),
        conversion=np.full((1, 1, 1, 1), 3.0),
        delivery=np.full((1, 1, 1, 1, 1), 1.0),
        penalty=[10.0],
    )
    res = run(data)
    # open A (no fixed cost): 4 units x (3 + 1) = 16 < 4 x 10 lost
    assert res.objective == pytest.approx(16.0)
    assert res.open_sites == ("A",)


def test_optimize_without_a_scenario_plans_under_current_law(tmp_path, capsys):
    # like cost, optimize needs no -s: the default is the current-law scenario
    path = tmp_path / "net.yaml"
    path.write_text(_NET.replace("DEMAND", "100"))
    code, stdout, _ = cli(["optimize", str(path), "--no-explain", "--json"], capsys)
    assert code == 0
    assert list(json.loads(stdout)["cost_by_scenario"]) == ["current-law"]
