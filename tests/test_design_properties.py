"""Network design: properties that hold for any instance (hypothesis-generated).

- a scenario of probability 0 does not change the expected-cost optimum;
- raising a lane's delivery cost (a tariff) never increases its expected flow: for
  optima x at c and x' at c + d e_l, c x <= c x' and (c + d e_l) x' <= (c + d e_l) x,
  so d (x'_l - x_l) <= 0;
- a max single-country share of 1 is inactive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec, design_data, optimize_design
from shoring.optimize.design.model import build_design

EXACT = SolveOptions(mip_rel_gap=0.0)
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_instance(seed: int, n_w: int = 2, n_t: int = 2):
    rng = np.random.default_rng(seed)
    sites = pd.DataFrame(
        {
            "country": ["AAA", "BBB", "CCC"],
            "status": ["existing", "candidate", "candidate"],
            "capacity_units": rng.integers(40, 120, 3).astype(float),
            "fixed_cost_usd": rng.integers(0, 50, 3).astype(float),
            "opening_capex_usd": [0.0, *rng.integers(0, 100, 2)],
            "closing_cost_usd": [float(rng.integers(0, 50)), 0.0, 0.0],
            "ramp_up_months": [0, *rng.integers(0, 18, 2)],
        },
        index=["A", "B", "C"],
    )
    periods = list(range(2025, 2025 + n_t))
    return design_data(
        products=["p"],
        sites=sites,
        markets={"m1": "AAA", "m2": "BBB"},
        periods=periods,
        scenarios=[f"w{i}" for i in range(n_w)],
        demand=rng.integers(10, 80, (1, 2, n_t)).astype(float),
        conversion=rng.uniform(1.0, 5.0, (1, 3, n_t, n_w)).round(2),
        delivery=rng.uniform(0.5, 4.0, (1, 3, 2, n_t, n_w)).round(2),
        penalty=[float(rng.integers(6, 20))],
    )


def expected_flow(data, result) -> np.ndarray:
    """(L,) probability- and period-weighted units per lane."""
    ship = result.solution.ship  # (L, W, T)
    return (ship * data.probability[None, :, None] * data.period_weight[None, None, :]).sum((1, 2))


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_zero_probability_scenario_changes_nothing(seed):
    base = random_instance(seed, n_w=2)
    rng = np.random.default_rng(seed + 1)
    # a third scenario with wild costs and probability 0
    conv = np.concatenate([base.conversion, rng.uniform(50, 100, (1, 3, 2, 1))], axis=3)
    lane = np.concatenate(
        [base.lane_cost, rng.uniform(50, 100, (base.lane_cost.shape[0], 2, 1))], 2
    )
    from dataclasses import replace

    extended = replace(
        base,
        scenarios=(*base.scenarios, "wild"),
        probability=np.array([0.5, 0.5, 0.0]),
        conversion=conv,
        lane_cost=lane,
        link_cost=np.zeros((0, 2, 3)),
        offer_cost=np.zeros((0, 2, 3)),
    )
    a = optimize_design(base, DesignSpec(), EXACT, shadow_prices=False, site_deltas=False)
    b = optimize_design(extended, DesignSpec(), EXACT, shadow_prices=False, site_deltas=False)
    assert b.objective == pytest.approx(a.objective, rel=1e-9)
    assert b.expected_cost == pytest.approx(a.expected_cost, rel=1e-9)


@SETTINGS
@given(seed=st.integers(0, 10_000), lane=st.integers(0, 5), raise_by=st.floats(0.1, 20.0))
def test_raising_a_lane_cost_never_increases_its_flow(seed, lane, raise_by):
    data = random_instance(seed)
    lane = lane % len(data.lane_product)
    before = optimize_design(data, DesignSpec(), EXACT, shadow_prices=False, site_deltas=False)
    cost = data.lane_cost.copy()
    cost[lane] += raise_by
    dearer = data.with_lane_cost(cost)
    after = optimize_design(dearer, DesignSpec(), EXACT, shadow_prices=False, site_deltas=False)
    assert expected_flow(dearer, after)[lane] <= expected_flow(data, before)[lane] + 1e-6


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_max_country_share_of_one_is_inactive(seed):
    data = random_instance(seed)
    free = optimize_design(data, DesignSpec(), EXACT, shadow_prices=False, site_deltas=False)
    # a cap just below 1 builds the constraint family; it must not bind
    capped = optimize_design(
        data,
        DesignSpec(max_country_share=1.0 - 1e-12),
        EXACT,
        shadow_prices=False,
        site_deltas=False,
    )
    assert capped.objective == pytest.approx(free.objective, rel=1e-8)
    assert (
        "Market-Product-Origin-share-max"
        in build_design(data, DesignSpec(max_country_share=1.0 - 1e-12)).model.constraints
    )
    assert optimize_design(
        data, DesignSpec(max_country_share=1.0), EXACT, shadow_prices=False, site_deltas=False
    ).objective == pytest.approx(free.objective, rel=1e-12)
