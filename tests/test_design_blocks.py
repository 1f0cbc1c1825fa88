"""Network design: constraint families added in blocks of rows of similar length.

Large networks add their sparse families (production balance, demand, supplier
capacity...) in blocks so that linopy does not pad every row to the longest one. The
blocks must describe the same model: here they are forced on the tiny hand-solved
instances, whose optima (worked out in ``test_design_hand``) must not change.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import pytest

import test_design_hand as hand_cases
from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec, optimize_design
from shoring.optimize.design import terms as terms_module
from shoring.optimize.design.terms import Terms, add_sparse_constraints
from test_design_properties import random_instance


@pytest.fixture
def blocks(monkeypatch):
    """Every sparse family in blocks, one block per distinct row length."""
    monkeypatch.setattr(terms_module, "DENSE_CELLS", 0)
    monkeypatch.setattr(terms_module, "MAX_PADDING", 1.0001)


def test_blocks_by_hand(blocks):
    """Three rows over 8 lanes x 2 scenarios, min sum x:

    r0: 1 x0 + 2 x1 + 3 x2 + 4 x3 + 5 x4 >= 5  -> x4 = 1, cost 1, dual 1/5
    r1: 6 x5 >= 6                              -> x5 = 1, cost 1, dual 1/6
    r2: 7 x6 + 8 x7 >= 7                       -> x7 = 7/8, cost 0.875, dual 1/8
    r3 (masked out): 0 >= 9 would be infeasible.
    Per scenario 2.875, two scenarios: 5.75.
    """
    m = linopy.Model(force_dim_names=True)
    scen = pd.Index(["a", "b"], name="scenario")
    x = m.add_variables(lower=0, coords=[pd.RangeIndex(8, name="lane"), scen], name="x")
    labels = x.labels.transpose("lane", "scenario").to_numpy()
    group = np.array([0, 0, 0, 0, 0, 1, 2, 2])
    rows = pd.Index(["r0", "r1", "r2", "r3"], name="product")
    add_sparse_constraints(
        m,
        "Row-min",
        [Terms(labels, np.arange(1.0, 9.0), group)],
        ">=",
        np.array([[5.0], [6.0], [7.0], [9.0]]),
        [rows],
        [scen],
        mask=np.array([True, True, True, False]),
    )
    assert sorted(m.constraints) == ["Row-min#1", "Row-min#2", "Row-min#5"]
    m.add_objective((1.0 * x).sum())
    m.solve(solver_name="highs", io_api="direct", output_flag=False)
    assert m.objective.value == pytest.approx(5.75)
    duals = {}
    for name in m.constraints:
        dual = m.constraints[name].dual
        for product, value in zip(dual["product"].values, dual.values[:, 0], strict=True):
            duals[str(product)] = float(value)
    assert duals == pytest.approx({"r0": 1 / 5, "r1": 1 / 6, "r2": 1 / 8})


@pytest.mark.parametrize(
    "case",
    [
        hand_cases.test_expected_cost_optimum,
        hand_cases.test_lost_sales_when_cheaper_than_serving,
        hand_cases.test_diversification_cap,
        hand_cases.test_bom_with_suppliers,
        hand_cases.test_two_scenarios_expected,
        hand_cases.test_local_content_forces_a_local_site,
        hand_cases.test_infeasible_local_content_names_the_rule,
    ],
    ids=lambda f: f.__name__.removeprefix("test_"),
)
def test_hand_optima_unchanged_in_blocks(blocks, case):
    case()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_optimum_same_in_blocks(seed, monkeypatch):
    exact = SolveOptions(mip_rel_gap=0.0)
    spec = DesignSpec(max_country_share=0.7)
    data = random_instance(seed)
    dense = optimize_design(data, spec, exact, shadow_prices=False, site_deltas=False)
    monkeypatch.setattr(terms_module, "DENSE_CELLS", 0)
    monkeypatch.setattr(terms_module, "MAX_PADDING", 1.0001)
    split = optimize_design(data, spec, exact, shadow_prices=False, site_deltas=False)
    assert split.objective == pytest.approx(dense.objective, rel=1e-9)


@pytest.mark.parametrize("seed", [3, 4])
def test_lane_links_do_not_change_the_optimum(seed):
    """``Lane-open-max`` is implied by capacity x open: dropping it keeps the optimum."""
    exact = SolveOptions(mip_rel_gap=0.0)
    data = random_instance(seed)
    strong = optimize_design(data, DesignSpec(), exact, shadow_prices=False, site_deltas=False)
    weak = optimize_design(
        data, DesignSpec(lane_links=False), exact, shadow_prices=False, site_deltas=False
    )
    assert weak.objective == pytest.approx(strong.objective, rel=1e-9)
