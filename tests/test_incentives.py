"""Incentives as cited measures: IRA 45X per kWh with its phase-down and foreign-entity rule,
CHIPS 48D, METI 2020, France C3IV; hand-worked from the statutes' figures."""

from __future__ import annotations

import pytest

from shoring.costs import landed_cost
from shoring.examples import example_path
from shoring.network import read_network
from shoring.scenario import load_scenario, parse_scenario, product_incentives

CELL, MODULE = 0.375, 9.375  # kWh per unit of the EV example's cell and module


@pytest.mark.parametrize(
    ("year", "cell", "module"),
    [
        (2025, 35 * CELL, 10 * MODULE),  # 45X(b)(1)(K)-(L): $35 and $10 per kWh
        (2030, 0.75 * 35 * CELL, 0.75 * 10 * MODULE),  # 45X(b)(3): 75% in 2030
        (2032, 0.25 * 35 * CELL, 0.25 * 10 * MODULE),  # 25% in 2032
        (2033, 0.0, 0.0),  # nothing after 2032
    ],
)
def test_45x_per_kwh_and_phase_down(year: int, cell: float, module: float) -> None:
    law = load_scenario("current-law")
    got = product_incentives(law, ["USA", "MEX"], year, ["850760", "850760"], [CELL, MODULE])
    assert got["per_unit_usd"][0, :, 0] == pytest.approx([cell, module])
    assert got["per_unit_usd"][0, :, 1] == pytest.approx([0.0, 0.0])  # only US production


def test_45x_foreign_entity_restriction_from_2026() -> None:
    law = load_scenario("current-law")
    for year, expected in ((2025, 35 * CELL), (2026, 0.0)):
        got = product_incentives(law, ["USA"], year, ["850760"], [CELL])
        assert got["per_unit_usd"][1, 0, 0] == pytest.approx(expected)


def test_45x_over_several_years_at_once() -> None:
    # the statute's figures for a cell of an ordinary and of a prohibited foreign
    # entity's site, years 2025-2033 asked in one call (what the engine does per scenario)
    years = list(range(2025, 2034))
    got = product_incentives(load_scenario("current-law"), ["USA"], years, ["850760"], [CELL])
    phase = [1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0]  # 45X(b)(3)
    assert got["per_unit_usd"].shape == (2, 1, 1, len(years))
    assert got["per_unit_usd"][0, 0, 0] == pytest.approx([35 * CELL * p for p in phase])
    assert got["per_unit_usd"][1, 0, 0] == pytest.approx([35 * CELL] + [0.0] * 8)  # FEOC


def test_45x_critical_minerals_phase_out_from_2031() -> None:
    law = load_scenario("current-law")
    shares = [
        product_incentives(law, ["USA"], y, ["283691"], [float("nan")])["cost_share"][0, 0, 0]
        for y in (2030, 2031, 2033, 2034)
    ]
    assert shares == pytest.approx([0.10, 0.075, 0.025, 0.0])


def test_programmes_in_current_law() -> None:
    ids = {m.id for m in load_scenario("current-law").measures}
    assert {"chips-48d", "chips-48d-35", "meti-supply-chain-2020", "france-c3iv"} <= ids
    chips = product_incentives(load_scenario("current-law"), ["USA"], 2026, ["854231"], [0.0])
    assert chips["capex_share"][0, 0, 0] == pytest.approx(0.35)


def test_engine_subtracts_45x_for_us_modules() -> None:
    net = read_network(example_path("ev-battery"))
    without = parse_scenario("name: none\ntitle: no measures\nparents: [mfn-only]\n")
    ds = landed_cost(net, [load_scenario("current-law"), without], years=[2026])
    inc = ds["cost"].sel(component="incentives", product="module-9kwh", market="us", year=2026)
    delta = inc.sel(scenario="current-law") - inc.sel(scenario="none")
    assert float(delta.sel(site="tennessee")) == pytest.approx(-10 * MODULE)
    assert float(delta.sel(site="monterrey")) == pytest.approx(0.0)
