"""Valid inequalities (CFLP and network design), the capa-class generator, and the size
estimate that refuses a model too large for the machine before building it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shoring.optimize import (
    BENCHMARK_OPTIONS,
    CFLPInstance,
    beasley_capx,
    build_cflp,
    identical_facilities,
    parse_orlib_cap,
    solve_cflp,
)
from shoring.optimize.design import DesignSpec, build_design, design_data
from shoring.optimize.design.links import count_links
from shoring.optimize.design.size import ModelTooLargeError
from test_design_hand import hand, run

# Two customers (demand 3 and 5), three facilities; facilities 2 and 3 are identical.
#   facility  capacity  fixed   cost to c1, c2 (whole demand)
#   1         8         10      6, 10
#   2         5         4       3, 5
#   3         5         4       3, 5
# Optimum (hand): open 2 and 3 (8 = 3 + 5 units): 4 + 4 + 3 + 5 = 16; facility 1 alone
# costs 10 + 6 + 10 = 26. With the symmetry order, serving from 2 first: same cost.
TWIN = CFLPInstance(
    name="twin",
    capacity=np.array([8.0, 5.0, 5.0]),
    fixed_cost=np.array([10.0, 4.0, 4.0]),
    demand=np.array([3.0, 5.0]),
    cost=np.array([[6.0, 10.0], [3.0, 5.0], [3.0, 5.0]]),
)


def test_identical_facilities():
    assert [g.tolist() for g in identical_facilities(TWIN)] == [[1, 2]]


def test_cflp_cut_rows():
    m = build_cflp(TWIN)
    cover = m.constraints["Facility-capacity-cover-min"]
    assert float(cover.rhs) == 8.0  # total demand 3 + 5
    assert cover.lhs.coeffs.values.ravel().tolist() == [8.0, 5.0, 5.0]
    assert m.constraints["Facility-symmetry-order"].shape == (1,)
    bare = build_cflp(TWIN, cuts=())
    assert set(bare.constraints) == {"Customer-demand-eq", "Facility-capacity-max"}
    with pytest.raises(ValueError, match="unknown cut"):
        build_cflp(TWIN, cuts=("cover", "magic"))


@pytest.mark.parametrize("cuts", [(), ("cover",), ("link",), ("symmetry",), None])
def test_cuts_keep_the_hand_optimum(cuts):
    if cuts is None:  # the default: every cut
        res = solve_cflp(TWIN, BENCHMARK_OPTIONS)
    else:
        res = solve_cflp(TWIN, BENCHMARK_OPTIONS, cuts)
    assert res.objective == pytest.approx(16.0)
    assert res.open_facilities == (2, 3)


def test_symmetry_opens_the_first_of_equals():
    # demand 3 only: one of the twins suffices (4 + 3 = 7); the order picks facility 2
    one = CFLPInstance("one", TWIN.capacity, TWIN.fixed_cost, TWIN.demand[:1], TWIN.cost[:, :1])
    for _ in range(3):
        res = solve_cflp(one, BENCHMARK_OPTIONS)
        assert res.objective == pytest.approx(7.0)
        assert res.open_facilities == (2,)


def test_beasley_capx_class():
    inst = beasley_capx("capb", 6000.0, seed=4)
    assert (inst.n_facilities, inst.n_customers) == (100, 1000)
    assert set(np.unique(inst.capacity)) == {6000.0}
    assert inst.demand.min() >= 1 and inst.demand.max() <= 100
    assert np.all(inst.demand == np.round(inst.demand))
    assert inst.fixed_cost.min() >= 558_666 and inst.fixed_cost.max() <= 916_003
    again = beasley_capx("capb", 6000.0, seed=4)
    assert np.array_equal(inst.cost, again.cost)
    small = beasley_capx("capa", 8000.0, seed=1, n_facilities=10, n_customers=50)
    assert small.capacity[0] == pytest.approx(400.0)  # scaled with the customers


def test_orlib_capacity_override():
    text = "2 1\n1000 5.\n1000 7.\n4\n1.0 2.0\n"
    inst = parse_orlib_cap(text, "capx.txt", capacity=8000.0, override=True)
    assert inst.capacity.tolist() == [8000.0, 8000.0]


# ------------------------------------------------------------ network design


def test_design_cover_and_symmetry_keep_the_optimum():
    data = hand()
    model = build_design(data).model
    assert any(name.startswith("Product-capacity-cover-min") for name in model.constraints)
    assert run(data).objective == pytest.approx(330.0)
    assert run(data, DesignSpec(cuts=frozenset())).objective == pytest.approx(330.0)


def test_design_symmetry_between_identical_candidates():
    # B and C identical candidates in one country: the order opens B (the first)
    sites = pd.DataFrame(
        {
            "country": ["AAA", "BBB", "BBB"],
            "status": ["existing", "candidate", "candidate"],
            "capacity_units": [100.0, 100.0, 100.0],
            "fixed_cost_usd": [10.0, 10.0, 10.0],
            "opening_capex_usd": [0.0, 50.0, 50.0],
        },
        index=["A", "B", "C"],
    )
    data = design_data(
        products=["p"],
        sites=sites,
        markets={"m1": "AAA", "m2": "BBB"},
        periods=[2025],
        scenarios=["w"],
        demand=np.full((1, 2, 1), 60.0),
        conversion=np.array([1.0, 2.0, 2.0])[None, :, None, None],
        delivery=np.ones((1, 3, 2, 1, 1)),
        penalty=[100.0],
    )
    model = build_design(data).model
    order = [n for n in model.constraints if n.startswith("Site-symmetry-order")]
    assert order, list(model.constraints)
    res = run(data)
    # same hand optimum as hand(): A + B = 330
    assert res.objective == pytest.approx(330.0)
    assert res.open_sites == ("A", "B")
    assert run(data, DesignSpec(cuts=frozenset())).objective == pytest.approx(330.0)


def _every_site_makes_components(n_sites: int, **kwargs):
    sites = pd.DataFrame(
        {"country": ["AAA"] * n_sites, "capacity_units": 100.0},
        index=[f"s{i}" for i in range(n_sites)],
    )
    n_t, n_w = 3, 5
    bom = np.array([[0.0, 1.0], [0.0, 0.0]])  # p needs one c; every site makes both
    return design_data(
        products=["p", "c"],
        sites=sites,
        markets={"m": "AAA"},
        periods=[2025, 2026, 2027],
        scenarios=[f"w{i}" for i in range(n_w)],
        demand=np.stack([np.full((1, n_t), 10.0), np.zeros((1, n_t))]),
        conversion=np.ones((2, n_sites, n_t, n_w)),
        delivery=np.ones((2, n_sites, 1, n_t, n_w)),
        penalty=[100.0, 100.0],
        bom=bom,
        **kwargs,
    )


def test_links_only_from_makers_to_users():
    makeable = np.array([[True, True, False], [True, False, False]])  # p at 0,1; c at 0
    uses = np.array([[False, False, False], [True, True, False]])  # c used where p made
    bom = np.array([[0.0, 1.0], [0.0, 0.0]])
    assert count_links(makeable, uses, bom) == 2  # c: source 0 -> targets 0, 1


def test_thousand_sites_making_components_refused_before_building(monkeypatch):
    monkeypatch.setenv("SHORING_MAX_MEMORY_GB", "8")
    with pytest.raises(ModelTooLargeError, match="--max-sites-per-market") as info:
        _every_site_makes_components(1000)
    assert "transfer links 1,000,000" in str(info.value)
    assert "nothing was built" in str(info.value)
    # the shrinking option makes it fit: each site keeps its 3 cheapest sources, itself
    # always among them (a move to itself costs 0; ties go to the first sites)
    data = _every_site_makes_components(1000, max_sites_per_market=3)
    per_target = np.bincount(data.link_target, minlength=1000)
    assert per_target.max() <= 4 and per_target.min() == 3
    assert np.all(data.link_source[data.link_source == data.link_target] >= 0)
    assert (data.link_source == data.link_target).sum() == 1000


def _lp_bound(data, spec: DesignSpec) -> float:
    """Optimum of the linear relaxation (every binary relaxed to [0, 1])."""
    h = build_design(data, spec).model.to_highspy()
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    h.setOptionValue("output_flag", False)
    h.run()
    return h.getInfo().objective_function_value


def test_design_market_links_tighten_the_relaxation_by_hand():
    # One candidate site (capacity 100, fixed cost 100 a period), one market with demand
    # 10 at 1 + 1 per unit, lost sales at 1,000. MILP: open, 100 + 10 x 2 = 120.
    # Relaxation without the link: open = 10 / 100 of the capacity, 10 + 20 = 30.
    # With ship <= 10 x open, open must be 1: 120, the MILP optimum.
    sites = pd.DataFrame(
        {
            "country": ["AAA"],
            "status": ["candidate"],
            "capacity_units": [100.0],
            "fixed_cost_usd": [100.0],
            "opening_capex_usd": [0.0],
        },
        index=["A"],
    )
    data = design_data(
        products=["p"],
        sites=sites,
        markets={"m": "AAA"},
        periods=[2025],
        scenarios=["w"],
        demand=np.full((1, 1, 1), 10.0),
        conversion=np.ones((1, 1, 1, 1)),
        delivery=np.ones((1, 1, 1, 1, 1)),
        penalty=[1000.0],
    )
    weak = DesignSpec(lane_links=False, cuts=frozenset({"cover"}))
    strong = DesignSpec(lane_links=False, cuts=frozenset({"cover", "market-link"}))
    assert any(
        n.startswith("Site-Market-link-max") for n in build_design(data, strong).model.constraints
    )
    assert _lp_bound(data, weak) == pytest.approx(30.0)
    assert _lp_bound(data, strong) == pytest.approx(120.0)
    assert run(data, strong).objective == pytest.approx(120.0)
    assert run(hand(), DesignSpec(cuts=frozenset({"market-link"}))).objective == pytest.approx(
        330.0
    )
