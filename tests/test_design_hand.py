"""Network design: tiny MILPs with optima worked out by hand, one per objective and rule.

The base instance (``hand()``): one product, one period (2025), two markets, three sites.

    site  country  status     capacity  fixed  capex  closing  conversion/unit
    A     AAA      existing   100       10     0      20       1
    B     BBB      candidate  100       10     50     0        2
    C     CCC      candidate  100       10     50     0        3
    markets: m1 (AAA) demand 60, m2 (BBB) demand 60; delivery 1 per unit on every lane;
    lost-sale penalty 100 per unit.

A alone serves 100 of 120 units. Candidate footprints (cost = fixed + capex + closing +
(conversion + delivery) x units + penalty x lost):
    A:      10 + 100 x 2 + 20 x 100                       = 2210
    A+B:    10 + 100 x 2 + (10 + 50) + 20 x 3            = 330   <- optimum
    A+C:    10 + 100 x 2 + (10 + 50) + 20 x 4            = 350
    A+B+C:  330 + 60                                      = 390
    B+C (close A): 20 + 60 + 100 x 3 + 60 + 20 x 4       = 520
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shoring.errors import InfeasibleModelError
from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec, cvar, design_data, optimize_design

EXACT = SolveOptions(mip_rel_gap=1e-9)


def hand(
    capacity=(100.0, 100.0, 100.0),
    conversion=(1.0, 2.0, 3.0),
    penalty=100.0,
    periods=(2025,),
    ramp=(0, 0, 0),
    delivery=None,
    scenarios=("w",),
    probabilities=None,
    lead_time=None,
    **kwargs,
):
    sites = pd.DataFrame(
        {
            "country": ["AAA", "BBB", "CCC"],
            "status": ["existing", "candidate", "candidate"],
            "capacity_units": capacity,
            "fixed_cost_usd": [10.0, 10.0, 10.0],
            "opening_capex_usd": [0.0, 50.0, 50.0],
            "closing_cost_usd": [20.0, 0.0, 0.0],
            "ramp_up_months": ramp,
        },
        index=["A", "B", "C"],
    )
    n_t, n_w = len(periods), len(scenarios)
    conv = np.broadcast_to(np.asarray(conversion, float)[None, :, None, None], (1, 3, n_t, n_w))
    if delivery is None:
        delivery = np.ones((1, 3, 2, n_t, n_w))
    return design_data(
        products=["p"],
        sites=sites,
        markets={"m1": "AAA", "m2": "BBB"},
        periods=periods,
        scenarios=scenarios,
        demand=np.full((1, 2, n_t), 60.0),
        conversion=conv,
        delivery=delivery,
        penalty=[penalty],
        probabilities=probabilities,
        lead_time=lead_time,
        **kwargs,
    )


def run(data, spec=None, **kwargs):
    kwargs.setdefault("site_deltas", False)
    return optimize_design(data, spec or DesignSpec(), EXACT, **kwargs)


def actions(result):
    return {(a.site, a.action) for a in result.footprint}


def test_expected_cost_optimum():
    res = run(hand(), alternatives=2, within=0.5, site_deltas=True)
    assert res.objective == pytest.approx(330.0)
    assert actions(res) == {("A", "keep"), ("B", "open")}
    assert res.cost_by_component["capex"] == pytest.approx(50.0)
    assert res.cost_by_component["conversion"] == pytest.approx(100 * 1 + 20 * 2)
    assert res.cost_by_component["delivery"] == pytest.approx(120.0)
    assert sum(f.units for f in res.flows) == pytest.approx(120.0)
    # alternatives, best first: A+C (350), then A+B+C (390)
    assert [a.open_sites for a in res.alternatives] == [("A", "C"), ("A", "B", "C")]
    assert [a.objective for a in res.alternatives] == pytest.approx([350.0, 390.0])
    # without A: B+C at 520 (+190, B grows most); without B: A+C at 350 (+20, C replaces)
    deltas = {d.site: d for d in res.site_deltas}
    assert deltas["A"].delta == pytest.approx(190.0)
    assert deltas["B"].delta == pytest.approx(20.0)
    assert deltas["B"].replacement == "C"


def test_capacity_and_shadow_price():
    # A's capacity 50: A+B = 10 + 50 x 2 + 60 + 70 x 3 = 380; A+C = 10 + 100 + 60 + 280 = 450.
    # With B open, one more unit of A's capacity replaces a unit from B: saves 3 - 2 = 1.
    res = run(hand(capacity=(50.0, 100.0, 100.0)))
    assert res.objective == pytest.approx(380.0)
    assert actions(res) == {("A", "keep"), ("B", "open")}
    prices = {(s.constraint, s.coords["site"]): s.dual for s in res.shadow_prices}
    assert prices[("Site-capacity-max", "A")] == pytest.approx(-1.0)
    assert ("Site-capacity-max", "B") not in prices  # B has slack (70 of 100)


def test_lost_sales_when_cheaper_than_serving():
    # penalty 2.5 < B's landed 3: keep A only, serve 100 at 2, lose 20: 10 + 200 + 50 = 260
    # (A+B: 330; closing A and losing everything: 20 + 120 x 2.5 = 320).
    res = run(hand(penalty=2.5))
    assert res.objective == pytest.approx(260.0)
    assert actions(res) == {("A", "keep")}
    assert sum(x.units for x in res.lost_sales) == pytest.approx(20.0)
    assert res.cost_by_component["lost_sales"] == pytest.approx(50.0)


def test_diversification_cap():
    # at most 50% of each market's demand (30 units) from one country: A ships 30 + 30,
    # B 30 + 30: 10 + 60 x 2 + 60 + 60 x 3 = 370 (A+C: 10 + 120 + 60 + 240 = 430).
    res = run(hand(), DesignSpec(max_country_share=0.5))
    assert res.objective == pytest.approx(370.0)
    assert actions(res) == {("A", "keep"), ("B", "open")}
    assert res.max_origin_share == pytest.approx(0.5)


def test_budget():
    # budget 40 < capex 50 of any candidate: A alone, 2210.
    res = run(hand(), DesignSpec(budget=40.0))
    assert res.objective == pytest.approx(2210.0)
    assert res.open_sites == ("A",)


def test_lead_time_cap():
    # B's lanes take 10 days, the others 1; a 5-day cap forbids B: A+C at 350.
    lead = np.ones((1, 3, 2))
    lead[0, 1, :] = 10.0
    res = run(hand(lead_time=lead), DesignSpec(max_lead_time_days=5))
    assert res.objective == pytest.approx(350.0)
    assert actions(res) == {("A", "keep"), ("C", "open")}


def test_ramp_up():
    # two years, B needs 18 months to ramp up (0 capacity in year 1, half in year 2), C none.
    # A+C from 2025: 2 x (10 + 200 + 10 + 80) + 50 = 650.
    # A+B from 2025: 2025: 210 + 10 + 20 x 100 lost = 2220; 2026: 210 + 10 + 60 = 280;
    #   + 50 capex = 2550. Without ramp-up A+B is best: 2 x (210 + 70) + 50 = 610.
    res = run(hand(periods=(2025, 2026), ramp=(0, 18, 0)))
    assert res.objective == pytest.approx(650.0)
    assert actions(res) == {("A", "keep"), ("C", "open")}
    fast = run(hand(periods=(2025, 2026)))
    assert fast.objective == pytest.approx(610.0)
    assert actions(fast) == {("A", "keep"), ("B", "open")}


def test_bom_with_suppliers():
    # each unit needs 2 units of component k; U1 sells at 0.5 (capacity 150), U2 at 1.0.
    # 120 units need 240 components: 150 x 0.5 + 90 x 1 = 165 on top of 330 -> 495.
    # One more unit of U1's capacity saves 1.0 - 0.5 = 0.5.
    sites_products = ["p", "k"]
    suppliers = pd.DataFrame(
        {"country": ["AAA", "DDD"], "component": ["k", "k"], "capacity_units": [150.0, 1e6]},
        index=["U1", "U2"],
    )
    bom = np.array([[0.0, 2.0], [0.0, 0.0]])
    conv = np.full((2, 3, 1, 1), np.nan)
    conv[0, :, 0, 0] = [1.0, 2.0, 3.0]
    data = design_data(
        products=sites_products,
        sites=pd.DataFrame(
            {
                "country": ["AAA", "BBB", "CCC"],
                "status": ["existing", "candidate", "candidate"],
                "capacity_units": [100.0, 100.0, 100.0],
                "fixed_cost_usd": [10.0] * 3,
                "opening_capex_usd": [0.0, 50.0, 50.0],
                "closing_cost_usd": [20.0, 0.0, 0.0],
            },
            index=["A", "B", "C"],
        ),
        markets={"m1": "AAA", "m2": "BBB"},
        periods=[2025],
        scenarios=["w"],
        demand=np.array([[[60.0], [60.0]], [[0.0], [0.0]]]),
        conversion=conv,
        delivery=np.ones((2, 3, 2, 1, 1)),
        penalty=[100.0, 0.0],
        bom=bom,
        suppliers=suppliers,
        supply_cost=np.array([0.5, 1.0])[:, None, None, None],
    )
    res = run(data)
    assert res.objective == pytest.approx(495.0)
    assert res.cost_by_component["purchases"] == pytest.approx(165.0)
    prices = {(s.constraint, s.coords.get("supplier")): s.dual for s in res.shadow_prices}
    assert prices[("Supplier-capacity-max", "U1")] == pytest.approx(-0.5)


def two_scenarios():
    # w1 (p = 0.9): as the base but C converts at 3.2; w2 (p = 0.1): B's lanes cost 11.
    #   A+B: w1 = 10 + 200 + 60 + 20 x 3 = 330, w2 = 10 + 200 + 60 + 20 x 13 = 530; E = 350
    #   A+C: w1 = w2 = 10 + 200 + 60 + 20 x 4.2 = 354;                                E = 354
    #   A+B+C: w1 = 390, w2 = 10 + 200 + 120 + 84 = 414;                           E = 392.4
    delivery = np.ones((1, 3, 2, 1, 2))
    delivery[0, 1, :, 0, 1] = 11.0
    return hand(
        conversion=(1.0, 2.0, 3.2),
        delivery=delivery,
        scenarios=("w1", "w2"),
        probabilities=[0.9, 0.1],
    )


def test_two_scenarios_expected():
    res = run(two_scenarios())
    assert res.objective == pytest.approx(350.0)
    assert res.cost_by_scenario == pytest.approx({"w1": 330.0, "w2": 530.0})
    assert res.cvar == pytest.approx(530.0)  # CVaR_0.9 = the worst 10%: w2


def test_cvar_objective():
    # CVaR_0.9 is w2's cost: A+B 350 + 530 = 880; A+C 354 + 354 = 708; A+B+C 392.4 + 414.
    res = run(two_scenarios(), DesignSpec(objective="cvar", alpha=0.9, risk_weight=1.0))
    assert res.objective == pytest.approx(708.0)
    assert actions(res) == {("A", "keep"), ("C", "open")}
    assert res.cvar == pytest.approx(354.0)


def test_regret_objective():
    # scenario optima: w1 330 (A+B), w2 354 (A+C). Max regrets: A+B 530 - 354 = 176,
    # A+C 354 - 330 = 24, A+B+C 60. Minimax regret: A+C, 24.
    res = run(two_scenarios(), DesignSpec(objective="regret"))
    assert res.objective == pytest.approx(24.0)
    assert res.max_regret == pytest.approx(24.0)
    assert actions(res) == {("A", "keep"), ("C", "open")}


def test_cvar_formula():
    # two outcomes 100 (p 0.75) and 200 (p 0.25): CVaR_0.5 = mean of the worst half =
    # (0.25 x 200 + 0.25 x 100) / 0.5 = 150; CVaR_0.9 = 200.
    assert cvar(np.array([100.0, 200.0]), np.array([0.75, 0.25]), 0.5) == pytest.approx(150.0)
    assert cvar(np.array([100.0, 200.0]), np.array([0.75, 0.25]), 0.9) == pytest.approx(200.0)


def test_local_content_forces_a_local_site():
    # at least 50% of m2's demand (BBB) made in BBB: B must be open: A+B (330) already
    # does it only if B ships 30 to m2; A can then take 70 units: still 330.
    res = run(hand(), DesignSpec(local_content=0.5, groups={"AAA": "AAA", "BBB": "BBB"}))
    assert "B" in res.open_sites
    # and m1 needs 30 units from AAA: A ships >= 30 to m1
    flows = res.flows_frame()
    assert flows.query("site == 'A' and market == 'm1'")["units"].sum() >= 30 - 1e-6


def test_infeasible_local_content_names_the_rule():
    with pytest.raises(InfeasibleModelError, match="local content 50% for p in market m2"):
        run(hand(), DesignSpec(local_content=0.5, force_closed=("B",)))


def test_infeasible_lead_time_names_the_market():
    lead = np.ones((1, 3, 2))
    lead[:, :, 1] = 30.0  # every lane to m2 takes 30 days
    with pytest.raises(InfeasibleModelError, match=r"market m2.*lead-time cap of 5 days"):
        run(hand(lead_time=lead), DesignSpec(max_lead_time_days=5, max_lost_share=0.0))


def test_infeasible_capacity_is_diagnosed():
    with pytest.raises(InfeasibleModelError, match=r"120 units of p must be served.*50"):
        run(hand(capacity=(20.0, 20.0, 10.0)), DesignSpec(max_lost_share=0.0))


def test_infeasible_supplier_capacity_via_iis():
    # every unit needs a component only U1 sells, with capacity 100 (240 needed) and no
    # lost sales allowed: no data check names it, the solver's IIS does.
    suppliers = pd.DataFrame(
        {"country": ["AAA"], "component": ["k"], "capacity_units": [100.0]}, index=["U1"]
    )
    conv = np.full((2, 3, 1, 1), np.nan)
    conv[0, :, 0, 0] = [1.0, 2.0, 3.0]
    data = design_data(
        products=["p", "k"],
        sites=pd.DataFrame(
            {"country": ["AAA", "BBB", "CCC"], "capacity_units": [100.0] * 3},
            index=["A", "B", "C"],
        ),
        markets={"m1": "AAA", "m2": "BBB"},
        periods=[2025],
        scenarios=["w"],
        demand=np.array([[[60.0], [60.0]], [[0.0], [0.0]]]),
        conversion=conv,
        delivery=np.ones((2, 3, 2, 1, 1)),
        penalty=[100.0, 0.0],
        bom=np.array([[0.0, 2.0], [0.0, 0.0]]),
        suppliers=suppliers,
        supply_cost=0.5,
    )
    with pytest.raises(InfeasibleModelError, match="Supplier-capacity-max"):
        run(data, DesignSpec(max_lost_share=0.0))
