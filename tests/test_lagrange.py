"""Lagrangian bound and plan of the network-design model (optimize/design/lagrange.py).

Hand-worked instance: one product, one market (demand 10), one period, one scenario,
penalty 100 per lost unit, two candidate sites of capacity 10, no delivery cost:

    site  fixed  conversion   serving all 10 costs
    A     100    1            100 + 10 x 1 = 110
    B     50     3            50 + 10 x 3  = 80   <- optimum (nothing lost: 1,000)

With the demand row relaxed at multiplier u (per unit):
L(u) = 10 u + 10 min(0, 100 - u) + min(0, 100 + 10 (1 - u)) + min(0, 50 + 10 (3 - u)),
which is 10 u up to u = 8 and 80 on [8, 11]: the bound reaches the optimum, 80.
The multiplier starts at the cheapest full-site unit cost, min(1 + 100 / 10, 3 + 50 / 10)
= 8, already on the bound's maximum.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from shoring.optimize import SolveOptions, SolveStatus, solve
from shoring.optimize.design import DesignSpec, build_design, design_data, lagrange_plan
from shoring.optimize.design.lagrange import METHODS, lagrangian_design
from shoring.optimize.design.model import FixedFootprint


def _seeded(seed=0, n_s=8, n_m=6, n_p=3, periods=(2026, 2027), n_w=2):
    """Existing and candidate sites (capex, closing, ramp-up), sites unable to make a
    product, capacities that bind, scenario-dependent costs."""
    rng = np.random.default_rng(seed)
    n_t = len(periods)
    existing = rng.random(n_s) < 0.4
    cap = rng.uniform(150, 400, n_s)
    sites = pd.DataFrame(
        {
            "country": [f"C{i % 3}" for i in range(n_s)],
            "status": np.where(existing, "existing", "candidate"),
            "capacity_units": cap,
            "fixed_cost_usd": cap * rng.uniform(2, 6, n_s),
            "opening_capex_usd": np.where(existing, 0.0, cap * rng.uniform(2, 8, n_s)),
            "closing_cost_usd": np.where(existing, cap * 2.0, 0.0),
            "ramp_up_months": np.where(existing, 0, rng.integers(0, 13, n_s)),
        },
        index=[f"s{i}" for i in range(n_s)],
    )
    conv = rng.uniform(5, 20, (n_p, n_s, 1, n_w)) * np.ones((1, 1, n_t, 1))
    conv[rng.random((n_p, n_s)) < 0.25] = np.nan
    return design_data(
        products=[f"p{i}" for i in range(n_p)],
        sites=sites,
        markets={f"m{i}": f"C{i % 3}" for i in range(n_m)},
        periods=list(periods),
        scenarios=[f"w{i}" for i in range(n_w)],
        demand=rng.integers(20, 120, (n_p, n_m, n_t)).astype(float),
        conversion=conv,
        delivery=rng.uniform(1, 15, (n_p, n_s, n_m, 1, n_w)),
        penalty=60.0,
    )


def _two_sites():
    sites = pd.DataFrame(
        {
            "country": ["AAA", "BBB"],
            "capacity_units": [10.0, 10.0],
            "fixed_cost_usd": [100.0, 50.0],
        },
        index=["A", "B"],
    )
    conv = np.array([1.0, 3.0])[None, :, None, None]
    return design_data(
        products=["p"],
        sites=sites,
        markets={"m": "AAA"},
        periods=[2026],
        scenarios=["w"],
        demand=np.full((1, 1, 1), 10.0),
        conversion=conv,
        delivery=np.zeros((1, 2, 1, 1, 1)),
        penalty=100.0,
    )


@pytest.mark.parametrize("method", METHODS)
def test_hand_worked_bound_and_plan(method):
    res = lagrangian_design(_two_sites(), gap=1e-9, time_limit=30, method=method)
    assert res.objective == pytest.approx(80.0, rel=1e-9)
    assert res.bound == pytest.approx(80.0, rel=1e-6)
    assert res.bound <= 80.0 + 1e-9
    assert res.open.tolist() == [[False], [True]]
    assert res.status is SolveStatus.OPTIMAL


def test_starts_at_the_cheapest_full_site_unit_cost():
    res = lagrangian_design(_two_sites(), gap=1e-9, max_iterations=1, price_every=1)
    assert res.bound == pytest.approx(80.0, rel=1e-12)  # L(8), the optimum: proven at once
    assert res.objective == pytest.approx(80.0, rel=1e-12)
    assert res.iterations == 1 and res.status is SolveStatus.OPTIMAL


def test_statuses_at_the_iteration_limit():
    data = _seeded()
    res = lagrangian_design(data, gap=1e-9, max_iterations=3, price_every=1)
    assert res.status is SolveStatus.FEASIBLE  # a plan, its gap and bound
    assert res.bound < res.objective and res.plans >= 1
    assert res.gap == pytest.approx((res.objective - res.bound) / res.objective)
    res = lagrangian_design(data, gap=1e-9, max_iterations=1, price_every=5)
    assert res.status is SolveStatus.NO_SOLUTION  # no footprint priced yet
    assert np.isfinite(res.bound) and res.plans == 0


@pytest.mark.parametrize("method", METHODS)
def test_bound_and_plan_bracket_the_proven_optimum(method):
    data = _seeded()
    res = lagrangian_design(data, gap=1e-4, time_limit=60, max_iterations=400, method=method)
    dm = build_design(data, DesignSpec())
    opt = solve(dm.model, SolveOptions(mip_rel_gap=1e-7))
    assert res.bound <= opt.objective * (1 + 1e-9)
    assert res.objective >= opt.dual_bound * (1 - 1e-9)
    assert res.gap == pytest.approx((res.objective - res.bound) / res.objective)
    # the plan's cost is the model's own objective for its footprint
    fixed = FixedFootprint(res.open.astype(float), np.zeros(res.open.shape))
    lp = solve(build_design(data, DesignSpec(), fixed=fixed).model, SolveOptions())
    assert res.objective == pytest.approx(lp.objective, rel=1e-7)


def test_refuses_what_it_does_not_model():
    data = _two_sites()
    with pytest.raises(ValueError, match="expansions"):
        lagrangian_design(replace(data, expansion_capacity=np.array([5.0, 0.0])))
    with pytest.raises(ValueError, match="unknown multiplier method 'bundle'"):
        lagrangian_design(data, method="bundle")


def _linear_relaxation(data) -> float:
    """Optimum of the model with every binary relaxed, by HiGHS (per-lane links, no cuts)."""
    h = build_design(data, DesignSpec(cuts=frozenset())).model.to_highspy()
    h.setOptionValue("output_flag", False)
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    h.run()
    return h.getInfo().objective_function_value


@pytest.mark.parametrize("seed", [0, 2])
def test_volume_bound_reaches_the_linear_relaxation(seed):
    """The Lagrangian dual is at least the linear relaxation with per-lane links (Geoffrion
    1974), which HiGHS computes independently: after 300 iterations the volume algorithm's
    bound is within 0.1 % of it and below the MILP optimum. (Stepping by the averaged
    direction's own norm, as the 2000 paper does, left seed 0 7.8 % short: the average of
    opposed subgradients is short and the steps were far too long.)"""
    data = _seeded(seed)
    lp = _linear_relaxation(data)
    opt = solve(build_design(data, DesignSpec()).model, SolveOptions(mip_rel_gap=1e-9))
    res = lagrangian_design(data, gap=1e-9, max_iterations=300, method="volume")
    assert res.bound >= lp * (1 - 1e-3)
    assert res.bound <= opt.objective * (1 + 1e-9)


def _planner(data, local_search=False):
    q, q_lost, pm = lagrange_plan.unit_costs(data)
    pat = lagrange_plan.site_patterns(data)
    pricing = lagrange_plan.Pricing(data, q, q_lost, pm)
    return lagrange_plan.Planner(pricing, pat, local_search=local_search), pat


def test_the_duals_bound_every_footprint_from_below():
    """(1) of lagrange_plan: the best plan's LP values plus its capacity duals times the
    change of capacity never exceed another footprint's exact second-stage cost (each
    priced from scratch by HiGHS on the full model with the footprint fixed)."""
    data = _seeded(1)
    planner, pat = _planner(data)
    rng = np.random.default_rng(5)
    n_s, n_pat = pat.first.shape
    planner.finish(rng.integers(0, n_pat, n_s))
    assert np.isfinite(planner.best)
    base = planner.capacity[planner.sites, planner.choice]
    for _ in range(3):
        choice = rng.integers(0, n_pat, n_s)
        delta = pat.capacity[np.arange(n_s), choice] - base
        bound = planner.values.sum() + np.einsum("stw,st->", planner.duals, delta)
        is_open = pat.is_open[np.arange(n_s), choice]
        fixed = FixedFootprint(is_open.astype(float), np.zeros(is_open.shape))
        lp = solve(build_design(data, DesignSpec(), fixed=fixed).model, SolveOptions())
        second_stage = lp.objective - pat.first[np.arange(n_s), choice].sum()
        assert bound <= second_stage + 1e-6 * abs(second_stage)


def test_screening_keeps_a_better_footprint():
    """A footprint better than the plan is priced and kept (never screened out): the
    hand-worked instance's optimum (B alone, 80) offered after A alone (110)."""
    planner, _ = _planner(_two_sites())
    a_only, b_only = np.array([0, 1]), np.array([1, 0])  # pattern 0 open, 1 never
    planner.finish(a_only)
    assert planner.best == pytest.approx(110.0)
    planner.finish(np.array([0, 0]))  # both open: 150 + 10 x 1 = 160, not better
    assert planner.best == pytest.approx(110.0)
    planner.finish(b_only)
    assert planner.best == pytest.approx(80.0) and planner.choice.tolist() == [1, 0]


def test_local_search_reaches_the_optimum_by_a_swap():
    """From A alone (110) no single site's change pays (B too: 160; A closed: all lost,
    1,000); closing A and opening B together (80) does, and is found."""
    planner, _ = _planner(_two_sites(), local_search=True)
    planner.finish(np.array([0, 1]))
    while planner.step():
        pass
    assert planner.best == pytest.approx(80.0) and planner.choice.tolist() == [1, 0]
    assert planner.exhausted and planner.moves >= 1


@pytest.mark.parametrize("parallel", [False, True])
def test_local_search_and_parallel_bracket_the_proven_optimum(parallel):
    """Serial: the plan is the HiGHS optimum. With a second thread the plans arrive
    when they are priced, so only the bracket is certain."""
    data = _seeded(2)
    opt = solve(build_design(data, DesignSpec()).model, SolveOptions(mip_rel_gap=1e-7))
    res = lagrangian_design(
        data, gap=1e-4, time_limit=60, max_iterations=400, local_search=True, parallel=parallel
    )
    assert res.bound <= opt.objective * (1 + 1e-9)
    assert res.objective >= opt.dual_bound * (1 - 1e-9)
    if not parallel:
        assert res.objective <= opt.objective * (1 + 1e-6)


def test_fixing_skips_only_footprints_no_better_than_the_plan():
    """Lagrangian reduced-cost fixing, hand-worked on the two-site instance at u = 8
    (L = 80). Pattern costs (open, never): A 100 + 10 (1 - 8) = 30 and 0; B
    50 + 10 (3 - 8) = 0 and 0; reduced costs A (30, 0), B (0, 0). With the plan A alone
    (110): both open has Lagrangian bound 80 + 30 = 110, not below the plan, so it is
    not priced (its cost is 160); B alone has bound 80 + 0 < 110 and is the optimum
    (80), so it is priced and kept. A reversed sign in the reduced costs would price the
    first; a reversed test would drop the optimum."""
    q, q_lost, pm = lagrange_plan.unit_costs(_two_sites())
    pat = lagrange_plan.site_patterns(_two_sites())
    pricing = lagrange_plan.Pricing(_two_sites(), q, q_lost, pm)
    planner = lagrange_plan.Planner(pricing, pat, fixing=True)
    planner.relaxation(80.0, np.array([[30.0, 0.0], [0.0, 0.0]]))
    assert planner.lagrangian_bound(np.array([0, 0])) == pytest.approx(110.0)
    planner.finish(np.array([0, 1]))  # A alone
    assert planner.best == pytest.approx(110.0) and planner.priced == 1
    planner.finish(np.array([0, 0]))  # both open: ruled out by fixing, not priced
    assert planner.fixed == 1 and planner.priced == 1
    planner.finish(np.array([1, 0]))  # B alone: the optimum
    assert planner.best == pytest.approx(80.0) and planner.choice.tolist() == [1, 0]


def test_fixing_and_the_fixed_schedule_keep_the_proven_optimum_and_repeat():
    """With reduced-cost fixing the serial plan is still the HiGHS optimum; with the
    second thread on a fixed schedule the same input gives the same iterates, bound and
    plan twice (the threads' timing does not matter), bracketing the optimum."""
    data = _seeded(2)
    opt = solve(build_design(data, DesignSpec()).model, SolveOptions(mip_rel_gap=1e-7))
    kw = dict(gap=1e-4, time_limit=60, max_iterations=400, local_search=True, fixing=True)
    serial = lagrangian_design(data, **kw)
    assert serial.objective <= opt.objective * (1 + 1e-6)
    assert serial.bound <= opt.objective * (1 + 1e-9)
    runs = [lagrangian_design(data, parallel=True, moves_per_job=2, **kw) for _ in range(2)]
    for res in runs:
        assert res.bound <= opt.objective * (1 + 1e-9)
        assert res.objective >= opt.dual_bound * (1 - 1e-9)
    a, b = runs
    assert (a.objective, a.bound, a.iterations, a.plans, a.moves) == (
        b.objective,
        b.bound,
        b.iterations,
        b.plans,
        b.moves,
    )
    assert np.array_equal(a.open, b.open)
