"""The study API: one costing serves cost, compare, break-even, design and report."""

from __future__ import annotations

import numpy as np
import pytest

import shoring.costs.engine as engine
from shoring.costs.places import place_labels
from shoring.errors import ShoringError
from shoring.examples import example_path
from shoring.network import read_network
from shoring.scenario import load_scenario
from shoring.study import Study

YEARS = [2026, 2028]


@pytest.fixture(scope="module")
def network():
    return read_network(example_path("ev-battery"))


@pytest.fixture
def counted(monkeypatch):
    """Count the engine's (scenario, year) computations."""
    calls: list[tuple[str, int]] = []
    original = engine._year_costs

    def spy(study, scenario, year, settings, *args, **kwargs):
        calls.append((scenario.name, year))
        return original(study, scenario, year, settings, *args, **kwargs)

    monkeypatch.setattr(engine, "_year_costs", spy)
    return calls


def test_costs_each_scenario_year_once(network, counted) -> None:
    scenarios = [load_scenario("baseline"), load_scenario("tariffs-2025")]
    study = Study(network, scenarios, YEARS)
    assert study.landed_costs["total"].notnull().any()
    study.cheapest()
    study.compare("baseline", "tariffs-2025")
    study.breakeven("pack-75kwh", "us", "CHN", "MEX")
    data = study.design_data()
    assert list(data.periods) == YEARS
    assert sorted(counted) == sorted((s.name, y) for s in scenarios for y in YEARS)


def test_lane_costs_add_up_to_the_landed_cost(network) -> None:
    """A site serving a market in its own country: conversion + delivery + materials is
    the landed cost of that market (the identity the design model relies on)."""
    study = Study(network, [load_scenario("baseline")], YEARS)
    ds, lanes = study.landed_costs, study.lane_costs
    site, market = "tennessee", "us"
    assert network.sites.at[site, "country"] == network.markets.at[market, "country"] == "USA"
    cost = ds["cost"].sel(product="pack-75kwh", site=site, market=market, scenario="baseline")
    conversion = lanes["conversion"].sel(product="pack-75kwh", site=site, scenario="baseline")
    # the delivery axis holds places: the market's own (a city, or its country's capital)
    (place,) = place_labels(network.markets.loc[[market]])
    delivery = lanes["delivery"].sel(
        product="pack-75kwh", site=site, country=place, scenario="baseline"
    )
    materials = cost.sel(component="materials")
    expected = cost.sum("component")
    np.testing.assert_allclose(conversion + delivery + materials, expected, rtol=1e-12)


def test_design_periods_must_be_costed(network) -> None:
    study = Study(network, [load_scenario("baseline")], [2026])
    with pytest.raises(ShoringError, match=r"2028.*not costed"):
        study.design_data([2026, 2028])


def test_scenarios_required_and_distinct(network) -> None:
    with pytest.raises(ShoringError, match="at least one scenario"):
        Study(network, [])
    base = load_scenario("baseline")
    with pytest.raises(ShoringError, match="given twice"):
        Study(network, [base, base])


def test_progress_reports_every_scenario_year(network) -> None:
    seen: list[tuple[str, int | None, int | None]] = []
    study = Study(
        network,
        [load_scenario("baseline")],
        YEARS,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert study.landed_costs["total"].notnull().any()
    stages = list(dict.fromkeys(s for s, _, t in seen if t is not None))
    # the disruption risk (once per study, per site), then the engine (per scenario-year)
    assert stages == ["disruption risk (sites)", "landed cost (scenario-years)"]
    for stage in stages:
        counted = [(d, t) for s, d, t in seen if s == stage]
        assert [d for d, _ in counted] == sorted(d for d, _ in counted)
    assert counted[-1] == (len(YEARS), len(YEARS))


SMALL = """
meta: {name: small, base_year: 2025, accept: [demand_gap]}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1}
sites:
  - {id: plant-us, country: USA, status: existing, products: [widget], capacity_units: 100000,
     fixed_cost_usd: 1.0e5}
  - {id: plant-mx, country: MEX, status: candidate, products: [widget],
     capacity_units: 100000, fixed_cost_usd: 1.0e6, opening_capex_usd: 1.0e6}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: widget, units: {2026: 10000, 2028: 10000}}
"""


def test_report_optimize_costs_each_scenario_year_once(tmp_path, counted, cli) -> None:
    """``report --optimize`` prices the design model from the report's own costing: the
    engine runs once per (scenario, year), not once for the report and again for design."""
    net = tmp_path / "net.yaml"
    net.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    args = ["report", net, "-s", "tariffs-2025", "--optimize"]
    code, _, stderr = cli(*args, "--points", "1", "--out", out)
    assert code == 0, stderr
    assert sorted(counted) == [("tariffs-2025", y) for y in YEARS]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Per-unit ranking and the plan" in html


def test_design_costs_where_no_lane_has_a_preference(tmp_path) -> None:
    """No agreement on any lane (China and the US to the US): nothing is at stake, and
    the design view still adds up (no rule of origin to trace)."""
    net = tmp_path / "net.yaml"
    net.write_text(SMALL.replace("MEX", "CHN"), encoding="utf-8")
    study = Study(read_network(net), [load_scenario("baseline")], YEARS)
    lanes = study.lane_costs
    assert (lanes["at_stake"] == 0).all()
    landed = study.landed_costs["total"].sel(product="widget", market="us", scenario="baseline")
    assert landed.notnull().all()
