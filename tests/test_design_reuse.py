"""One built network-design model re-solved for other costs equals a fresh build exactly:
the same HiGHS model column for column, the same optimum and the same plan."""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from shoring.examples import example_path
from shoring.network import Network, read_network
from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec
from shoring.optimize.design.reuse import DesignReuse
from shoring.optimize.design.run import solve_design
from shoring.scenario import load_scenario
from shoring.study import Study
from shoring.sweep.grid import parse_grid
from shoring.sweep.run import base_of
from test_sweep import TWO_PLANTS  # a widget for the US made in Ohio or Ningbo

GRID = """\
years: [2026]
parameters:
  - name: us_tariff_chn
    kind: tariff
    measure: {importers: USA, exporters: CHN, hs: all, start: 2026-01-01}
    values: [0, 1.0]
  - name: chn_ban
    kind: export_ban
    measure: {exporters: CHN, importers: USA, hs: all, start: 2026-01-01}
    values: [false, true]
"""

OPTIONS = SolveOptions(threads=1)


def variants(network: Network, base: str, grid_text: str, pick: list[tuple[int, ...]]):
    """Design data of the grid variants ``pick``, each alone (one costing for all)."""
    measures = base_of(load_scenario(base))
    grid = parse_grid(grid_text, "grid.yaml", *measures)
    scenarios = [grid.scenario(*measures, index, f"v{k}") for k, index in enumerate(pick)]
    data = Study(network, scenarios, years=grid.years).design_data()
    return [data.with_scenarios([w], [1.0]) for w in range(len(pick))]


def lp_arrays(h) -> tuple[np.ndarray, ...]:
    lp = h.getLp()
    return tuple(np.asarray(a) for a in (lp.col_cost_, lp.col_lower_, lp.col_upper_))


def check_equal_to_fresh(reuse: DesignReuse, data) -> object:
    """Solve ``data`` on ``reuse``; assert the HiGHS model, optimum and plan equal a fresh
    build's exactly. Returns the result."""
    got = reuse.optimize(data)
    dm, report, _ = solve_design(data, reuse.spec, OPTIONS)
    for ours, fresh in zip(
        lp_arrays(reuse._dm.model.solver_model), lp_arrays(dm.model.solver_model), strict=True
    ):
        np.testing.assert_array_equal(ours, fresh)
    assert got.objective == report.objective
    assert got.status == report.status
    fresh_values = dm.model.variables
    for name in ("Site-open", "Lane-ship", "Product-Site-make", "Product-Market-lost"):
        ours = reuse._dm.model.variables[name].solution.to_numpy()
        np.testing.assert_array_equal(ours, fresh_values[name].solution.to_numpy(), err_msg=name)
    return got


def highs_with_two_threads() -> None:
    """Run HiGHS on this thread with ``threads=2``: its scheduler then refuses a model of
    another thread count run on this thread (the state other tests may leave behind)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 2)
    h.addVars(1, np.zeros(1), np.ones(1))
    h.run()


def test_reused_model_equals_fresh_build_across_a_plan_switch_and_a_ban():
    highs_with_two_threads()  # the re-solves run HiGHS on a thread of their own
    # no tariff: Ningbo; 100 % tariff: Ohio; Chinese exports banned: the lane's bound is 0
    free, taxed, banned = variants(
        Network.from_dict(TWO_PLANTS), "mfn-only", GRID, [(0, 0), (1, 0), (0, 1)]
    )
    reuse = DesignReuse(DesignSpec(), OPTIONS)
    first = reuse.optimize(free)  # built
    second = check_equal_to_fresh(reuse, taxed)
    third = check_equal_to_fresh(reuse, banned)
    assert (reuse.builds, reuse.reuses) == (1, 2)
    ship = [{f.site: f.units for f in r.flows} for r in (first, second, third)]
    assert ship == [{"ningbo": 500.0}, {"ohio": 500.0}, {"ohio": 500.0}]
    assert 0.0 in lp_arrays(reuse._dm.model.solver_model)[2]  # the banned lane's bound


def test_reused_model_with_rules_of_origin_equals_fresh_build():
    """The EV example prices qualifying units (Lane-Recipe-qualify) and 45X credits."""
    grid = """\
years: [2030]
parameters:
  - name: us_tariff_chn
    kind: tariff
    measure: {importers: USA, exporters: CHN, hs: ["8507"], start: 2026-01-01}
    values: [0, 0.5]
  - name: ira_45x_modules
    kind: incentive
    measure: {id: ira-45x-battery-modules}
    values: [true, false]
"""
    network = read_network(example_path("ev-battery"))
    built, changed = variants(network, "current-law", grid, [(0, 0), (1, 1)])
    reuse = DesignReuse(DesignSpec(), OPTIONS)
    reuse.optimize(built)
    check_equal_to_fresh(reuse, changed)
    assert "Lane-Recipe-qualify" in reuse._dm.model.variables
    assert (reuse.builds, reuse.reuses) == (1, 1)


@pytest.mark.parametrize("objective", ["cvar"])
def test_other_objectives_are_built_afresh(objective):
    data = variants(Network.from_dict(TWO_PLANTS), "mfn-only", GRID, [(0, 0), (1, 0)])
    reuse = DesignReuse(DesignSpec(objective=objective), OPTIONS)
    for d in data:
        reuse.optimize(d)
    assert (reuse.builds, reuse.reuses) == (2, 0)
