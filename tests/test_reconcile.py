"""The per-unit ranking and the plan reconciled: hand-checked reasons and numbers."""

from __future__ import annotations

import pytest

from shoring.network import read_network
from shoring.report.reconcile import reconcile
from shoring.scenario import load_scenario
from shoring.study import Study

NET = """
meta: {{name: reconcile, base_year: 2025}}
products:
  - {{id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1}}
sites:
  - {{id: plant-us, country: USA, status: existing, products: [widget],
      capacity_units: {cap_us}, fixed_cost_usd: 100000, closing_cost_usd: 1.0e9}}
  - {{id: plant-mx, country: MEX, status: candidate, products: [widget],
      capacity_units: 100000, fixed_cost_usd: {fixed_mx}, opening_capex_usd: {capex_mx}}}
markets:
  - {{id: us, country: USA}}
demand:
  - {{market: us, product: widget, units: {{2026: 10000, 2027: 10000}}}}
"""


def _study(tmp_path, **values) -> Study:
    path = tmp_path / "net.yaml"
    path.write_text(NET.format(**values), encoding="utf-8")
    return Study(read_network(path), [load_scenario("baseline")], [2026, 2027])


def test_cheaper_candidate_not_opened_because_of_fixed_cost(tmp_path) -> None:
    study = _study(tmp_path, cap_us=100000, fixed_mx=5.0e7, capex_mx=1.0e8)
    total = study.landed_costs["total"].sel(product="widget", market="us", year=2027)
    us, mx = (float(total.sel(site=s, scenario="baseline")) for s in ("plant-us", "plant-mx"))
    assert mx < us, "the example needs Mexico cheaper per unit"
    design = study.design_study(points=1, alternatives=0, parallel=False)
    (row,) = reconcile(study.network, study.landed_costs, design)
    assert (row.cheapest_site, row.plan_site, row.reason) == ("plant-mx", "plant-us", "fixed-cost")
    # hand-worked: 10,000 units/yr x the per-unit gap, against 50 M/yr + 100 M over 2 years
    saving = 10000 * (us - mx)
    assert f"save ${saving:,.0f}/yr" in row.sentence
    assert "($100.0 M/yr)" in row.sentence and "2-year horizon" in row.sentence


def test_cheapest_site_full(tmp_path) -> None:
    """The US plant (cheaper here: no opening) holds 4,000 units; Mexico takes the rest."""
    study = _study(tmp_path, cap_us=4000, fixed_mx=1.0, capex_mx=0.0)
    design = study.design_study(points=1, alternatives=0, parallel=False)
    (row,) = reconcile(study.network, study.landed_costs, design)
    total = study.landed_costs["total"].sel(product="widget", market="us", year=2027)
    us, mx = (float(total.sel(site=s, scenario="baseline")) for s in ("plant-us", "plant-mx"))
    if row.cheapest_site == "plant-mx":  # Mexico cheaper per unit: plan and ranking agree
        assert mx < us and row.reason == "agrees"
    else:
        assert row.reason == "capacity" and "4,000 units/yr" in row.sentence
    assert row.units == pytest.approx(10000)
