"""The per-unit ranking and the plan reconciled: reasons and numbers worked by hand.

The hand-worked cases give the landed cost per unit directly (a Dataset written here)
and price the design model with the same numbers, so every figure in the sentences is
checked against arithmetic done in the comments, not against the code's own output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from shoring.network import read_network
from shoring.optimize.design import DesignSpec, design_data, optimize_design
from shoring.report.reconcile import reconcile
from shoring.scenario import load_scenario
from shoring.study import DesignStudy, Study, run_design_study

NET = """
meta: {{name: reconcile, base_year: 2025}}
products:
  - {{id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1,
      lost_sale_penalty_usd: {penalty}}}
sites:
  - {{id: plant-us, country: USA, status: existing, products: [widget],
      capacity_units: {cap_us}, fixed_cost_usd: 100000, closing_cost_usd: 1.0e9,
      productivity_index: 1}}
  - {{id: plant-mx, country: MEX, status: candidate, products: [widget],
      capacity_units: 100000, fixed_cost_usd: {fixed_mx}, opening_capex_usd: {capex_mx},
      productivity_index: 1}}
markets:
  - {{id: us, country: USA}}
demand:
  - {{market: us, product: widget, units: {{2026: 10000, 2027: 10000}}}}
"""
YEARS = [2026, 2027]
SITES = ["plant-us", "plant-mx"]


def _network(tmp_path, penalty=1000.0, cap_us=100000, fixed_mx=1.0, capex_mx=0.0):
    path = tmp_path / "net.yaml"
    text = NET.format(penalty=penalty, cap_us=cap_us, fixed_mx=fixed_mx, capex_mx=capex_mx)
    path.write_text(text, encoding="utf-8")
    return read_network(path)


def _hand(network, unit_cost: dict[str, list[float]], probabilities=(1.0,)):
    """Landed cost per unit by site, one figure per scenario (the same every year), as a
    landed-cost Dataset, and the robust plan priced with exactly those costs, reconciled."""
    ds, data = _priced(network, unit_cost, probabilities)
    # reconcile reads the robust plan and the probabilities only
    robust = optimize_design(
        data,
        DesignSpec(objective="cvar", alpha=0.9, risk_weight=1.0),
        shadow_prices=False,
        site_deltas=False,
    )
    design = DesignStudy(
        {}, robust, pd.DataFrame(), dict(zip(data.scenarios, probabilities, strict=True))
    )
    (row,) = reconcile(network, ds, design)
    return row


def _priced(network, unit_cost: dict[str, list[float]], probabilities):
    names = [f"w{i}" for i in range(len(probabilities))]
    cost = np.array([unit_cost[s] for s in SITES], dtype=float)  # (site, scenario)
    total = np.broadcast_to(cost[None, :, None, None, :], (1, 2, 1, len(YEARS), len(names)))
    ds = xr.Dataset(
        {"total": (("product", "site", "market", "year", "scenario"), total.copy())},
        coords={
            "product": ["widget"],
            "site": SITES,
            "market": ["us"],
            "year": YEARS,
            "scenario": names,
        },
    )
    demand = network.demand_array().sel(year=YEARS).transpose("product", "market", "year")
    data = design_data(
        products=["widget"],
        sites=network.sites,
        markets=network.markets["country"],
        periods=YEARS,
        scenarios=names,
        demand=demand.to_numpy(),
        conversion=np.broadcast_to(cost[None, :, None, :], (1, 2, len(YEARS), len(names))),
        delivery=0.0,
        penalty=network.products["lost_sale_penalty_usd"].to_numpy(dtype=float),
        product_capacity=network.site_product_capacity().transpose("product", "site").to_numpy(),
        probabilities=list(probabilities),
    )
    return ds, data


def test_fixed_cost_and_capex_outweigh_the_saving(tmp_path) -> None:
    # Mexico 100/unit, the US 120/unit: 10,000 units/yr x 20 = 200,000/yr saved, against
    # 50 M/yr fixed + 100 M capex / 2 years = 100 M/yr: the plan keeps the US plant.
    network = _network(tmp_path, fixed_mx=5.0e7, capex_mx=1.0e8)
    row = _hand(network, {"plant-us": [120.0], "plant-mx": [100.0]})
    assert (row.cheapest_site, row.plan_site, row.reason) == ("plant-mx", "plant-us", "fixed-cost")
    assert row.sentence == (
        "widget for us (2027): plant-mx is cheapest per unit ($100/unit expected); the plan "
        "serves it mostly from plant-us ($120/unit expected on the units it ships from "
        "there). Serving it from plant-mx would save $200,000/yr, less than its fixed cost "
        "$50.0 M/yr plus capex $100.0 M spread over the 2-year horizon ($100.0 M/yr)."
    )


def test_saving_weighted_by_scenario_probability(tmp_path) -> None:
    # Mexico 100 (p 0.25) or 112 (p 0.75): 0.25 x 100 + 0.75 x 112 = 109/unit expected;
    # the US 120 in both. Saving: 10,000 x (0.25 x 20 + 0.75 x 8) = 110,000/yr, against
    # 50 M/yr fixed (no capex).
    network = _network(tmp_path, fixed_mx=5.0e7)
    row = _hand(network, {"plant-us": [120.0, 120.0], "plant-mx": [100.0, 112.0]}, (0.25, 0.75))
    assert row.reason == "fixed-cost"
    assert row.cheapest_cost == pytest.approx(109.0)
    assert "plant-mx is cheapest per unit ($109/unit expected)" in row.sentence
    assert "would save $110,000/yr, less than its fixed cost $50.0 M/yr plus capex $0" in (
        row.sentence
    )


def test_cheapest_site_full(tmp_path) -> None:
    # The US plant (100/unit) holds 4,000 units; Mexico (120/unit, opening free) takes the
    # other 6,000: the plan serves the market mostly from Mexico because the US is full.
    network = _network(tmp_path, cap_us=4000)
    row = _hand(network, {"plant-us": [100.0], "plant-mx": [120.0]})
    assert (row.cheapest_site, row.plan_site, row.reason) == ("plant-us", "plant-mx", "capacity")
    assert row.plan_cost == pytest.approx(120.0)
    assert row.sentence == (
        "widget for us (2027): plant-us is cheapest per unit ($100/unit expected); the plan "
        "serves it mostly from plant-mx ($120/unit expected on the units it ships from "
        "there) because plant-us is full for widget: its 4,000 units/yr are all used."
    )


def test_lost_sales_when_the_penalty_is_below_every_cost(tmp_path) -> None:
    # A lost sale costs 50; the cheapest unit costs 100: nothing is served.
    network = _network(tmp_path, penalty=50.0)
    row = _hand(network, {"plant-us": [120.0], "plant-mx": [100.0]})
    assert (row.plan_site, row.reason) == (None, "lost-sales")
    assert row.sentence == (
        "widget for us (2027): plant-mx is cheapest per unit ($100/unit expected), but the "
        "plan leaves 10,000 of 10,000 units/yr unserved: serving them costs more than the "
        "lost-sale penalty ($50/unit)."
    )


def test_plan_and_ranking_agree(tmp_path) -> None:
    # Mexico 100 (p 0.25) or 140 (p 0.75): 130 expected, above the US's 120.
    network = _network(tmp_path, fixed_mx=5.0e7)
    row = _hand(network, {"plant-us": [120.0, 120.0], "plant-mx": [100.0, 140.0]}, (0.25, 0.75))
    assert row.sentence == (
        "widget for us (2027): plant-us is cheapest per unit ($120/unit expected), and the "
        "plan serves it from there: they agree."
    )


def test_study_report_path_explains_fixed_cost(tmp_path) -> None:
    """Through the engine and the Study: a candidate cheaper per unit but with 50 M/yr
    fixed cost and 100 M capex is not opened for a 10,000 units/yr market."""
    network = _network(tmp_path, fixed_mx=5.0e7, capex_mx=1.0e8)
    study = Study(network, [load_scenario("baseline")], YEARS)
    total = study.landed_costs["total"].sel(product="widget", market="us", year=2027)
    us, mx = (float(total.sel(site=s, scenario="baseline")) for s in SITES)
    assert mx < us, "the example needs Mexico cheaper per unit"
    robust = study.optimize(objective="cvar", shadow_prices=False, site_deltas=False)
    design = DesignStudy({}, robust, pd.DataFrame(), {"baseline": 1.0})
    (row,) = reconcile(study.network, study.landed_costs, design)
    assert (row.cheapest_site, row.plan_site, row.reason) == ("plant-mx", "plant-us", "fixed-cost")
    assert "($100.0 M/yr)" in row.sentence and "2-year horizon" in row.sentence


def test_design_study_regret(tmp_path) -> None:
    # Scenario w0: Mexico 100/unit, w1: 140; the US 120 in both; Mexico's fixed cost
    # 100,000/yr, the US's too; 10,000 units/yr over 2 one-year periods; p = 0.5 each.
    # w0 alone opens Mexico: 2 x (10,000 x 100 + 100,000 + 100,000) = 2.4 M; w1 alone
    # keeps the US only: 2 x (10,000 x 120 + 100,000) = 2.6 M. Robust (expected + CVaR90):
    # US only costs 2.6 M in both (objective 5.2 M); opening Mexico costs 2.4 M in w0 and
    # 2.8 M in w1 (expected 2.6 M, CVaR90 2.8 M: 5.4 M). So the robust plan is the US
    # only, with regret 0.2 M under w0 (0.2 / 2.4 = 1/12 of its optimum) and none under w1.
    network = _network(tmp_path, fixed_mx=1.0e5)
    _, data = _priced(network, {"plant-us": [120.0, 120.0], "plant-mx": [100.0, 140.0]}, (0.5, 0.5))
    design = run_design_study(data, points=1, alternatives=0, parallel=False)
    assert tuple(design.robust.open_sites) == ("plant-us",)
    assert design.own_optimum("w0") == pytest.approx(2.4e6, rel=1e-4)
    assert design.own_optimum("w1") == pytest.approx(2.6e6, rel=1e-4)
    table = design.regret().set_index("scenario")
    assert table.loc["w0", "regret"] == pytest.approx(2.0e5, rel=1e-3)
    assert table.loc["w0", "regret_share"] == pytest.approx(1 / 12, rel=1e-3)
    assert table.loc["w1", "regret"] == 0.0
    assert len(design.frontier) >= 1
