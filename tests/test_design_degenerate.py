"""Random small networks with empty or degenerate dimensions, and report wording.

Property: whatever the sizes (one site, one scenario, no suppliers, no demand, lanes
banned in a scenario), the optimizer returns a plan in which every demand is either
shipped or lost, no forbidden lane carries flow, every cost is finite, and the same
input gives the same plan twice.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec, design_data, optimize_design
from shoring.report.design import DesignStudy, design_findings, design_tables, merge_coincident

EXACT = SolveOptions(mip_rel_gap=1e-9)


@st.composite
def networks(draw):
    n_p = draw(st.integers(1, 2))
    n_s = draw(st.integers(1, 3))
    n_m = draw(st.integers(1, 2))
    n_t = draw(st.integers(1, 2))
    n_w = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    sites = pd.DataFrame(
        {
            "country": [f"C{i}" for i in range(n_s)],
            "status": rng.choice(["existing", "candidate"], n_s),
            "capacity_units": rng.choice([0.0, 5.0, 50.0], n_s),
            "fixed_cost_usd": rng.choice([0.0, 10.0], n_s),
            "opening_capex_usd": rng.choice([0.0, 20.0], n_s),
        },
        index=[f"s{i}" for i in range(n_s)],
    )
    demand = rng.choice([0.0, 0.0, 3.0, 10.0], (n_p, n_m, n_t))
    conversion = rng.uniform(1.0, 5.0, (n_p, n_s, n_t, n_w))
    conversion[rng.random(conversion.shape) < 0.2] = np.nan  # cannot make there
    delivery = rng.uniform(0.0, 3.0, (n_p, n_s, n_m, n_t, n_w))
    delivery[rng.random(delivery.shape) < 0.3] = np.nan  # banned lane
    if draw(st.booleans()):
        delivery[..., -1] = np.nan  # a scenario that bans every lane
    return design_data(
        products=[f"p{i}" for i in range(n_p)],
        sites=sites,
        markets={f"m{i}": f"C{i % n_s}" for i in range(n_m)},
        periods=list(range(2025, 2025 + n_t)),
        scenarios=[f"w{i}" for i in range(n_w)],
        demand=demand,
        conversion=conversion,
        delivery=delivery,
        penalty=rng.uniform(2.0, 20.0, n_p),
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=networks(), cap=st.sampled_from([1.0, 0.6]))
def test_random_small_networks(data, cap):
    spec = DesignSpec(max_country_share=cap)
    res = optimize_design(data, spec, EXACT, shadow_prices=False, site_deltas=False)
    sol = res.solution
    assert res.status.has_solution
    assert all(np.isfinite(v) for v in res.cost_by_scenario.values())
    assert np.isfinite(res.expected_cost)
    # shipped + lost = demand for every (product, market, scenario, period)
    shipped = np.zeros_like(sol.lost)
    np.add.at(shipped, (data.lane_product, data.lane_market), sol.ship)
    demand = data.demand[:, :, None, :]
    assert np.allclose(shipped + sol.lost, np.broadcast_to(demand, sol.lost.shape), atol=1e-6)
    # no flow on a lane its scenario forbids
    banned = ~np.isfinite(data.lane_cost).transpose(0, 2, 1)  # (L, W, T)
    assert np.all(sol.ship[banned] <= 1e-9)
    # same input, same plan
    again = optimize_design(data, spec, EXACT, shadow_prices=False, site_deltas=False)
    assert again.footprint == res.footprint
    assert np.allclose(again.solution.ship, sol.ship)


# ------------------------------------------------------------ report wording


def _result(cost_by_scenario, expected, sites=("A",), lost=()):
    return SimpleNamespace(
        cost_by_scenario=cost_by_scenario,
        expected_cost=expected,
        cvar=max(cost_by_scenario.values()),
        alpha=0.9,
        footprint=(),
        open_sites=sites,
        alternatives=(),
        max_origin_share=float("nan"),
        site_deltas=(),
        lost_summary=lost,
    )


def test_no_premium_claimed_when_regret_is_zero():
    # the robust plan equals each scenario's own optimum up to the MIP gap
    own = {"a": _result({"a": 100.0}, 100.0), "b": _result({"b": 200.0}, 200.0)}
    robust = _result({"a": 100.0, "b": 200.0 - 1e-9}, 150.0)
    study = DesignStudy(own, robust, pd.DataFrame(), {"a": 0.5, "b": 0.5}, within=0.0)
    text = " ".join(design_findings(study))
    assert "no regret in any scenario" in text
    assert "largest regret" not in text
    costs = design_tables(study)["design_costs"]
    assert (costs["regret"] == 0.0).all() and (costs["regret_share"] == 0.0).all()
    assert "-0.0" not in text


def test_regret_reported_when_there_is_one():
    own = {"a": _result({"a": 100e6}, 100e6), "b": _result({"b": 200e6}, 200e6)}
    robust = _result({"a": 110e6, "b": 200e6}, 155e6)
    study = DesignStudy(own, robust, pd.DataFrame(), {"a": 0.5, "b": 0.5}, within=0.0)
    text = " ".join(design_findings(study))
    # hand-worked: regret under a = 110 - 100 = $10.0 M (+10.00%)
    assert "largest regret is under a: $10.0 M (+10.00%)" in text


def test_coincident_frontier_points_share_one_label():
    frame = pd.DataFrame(
        {"x": [1.0, 1.0, 2.0], "y": [5.0, 5.0, 4.0], "open_sites": ["A", "A", "B"]}
    )
    merged = merge_coincident(frame, ["0", "0.05", "20"], "λ=")
    assert list(merged["label"]) == ["λ=0, 0.05", "λ=20"]
    undefined = frame.assign(x=[np.nan, np.nan, np.nan])
    assert merge_coincident(undefined, ["0", "1", "2"], "cap ").empty


@pytest.mark.parametrize("value", [-1e-9, -0.0, 1e-9])
def test_money_never_negative_zero(value):
    from shoring.cli.optimize_cmd import _money
    from shoring.report.layout import money

    assert _money(value) == "0"
    assert money(value) == "$0"  # whole dollars below a million: never "$0.0 M"
