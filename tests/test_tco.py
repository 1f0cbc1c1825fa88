"""TCO checklist components, hand-worked through the landed-cost engine.

A 100 USD, 10 kg widget made in China (ocean to the US) or Mexico (rail, USMCA) and sold
in the US and in China. Defaults (data card tco_parameters): US MPF 0.3464% within 33.58
and 651.50 USD per entry (FY 2026), HMF 0.125% on ocean imports, broker 125 USD per
entry, 20 t per ocean or rail shipment, packaging 1%, quality 1%, oversight 0.5%, IP risk
1% in Priority Watch List countries (China and Mexico in 2025), 30% prepaid 45 days
before shipment at 8% a year, obsolescence 0.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shoring.costs import formulas as f
from shoring.costs import landed_cost
from shoring.data.tco import tco_parameters
from shoring.errors import ShoringInputError
from shoring.network import Network
from shoring.scenario import load_scenario

BASE: dict[str, Any] = {
    "meta": {"name": "tco", "base_year": 2024},
    "products": [
        {"id": "widget", "hs_code": "8544.42.90", "unit_value_usd": 100, "weight_kg": 10,
         "labour_hours": 1, "overhead_rate": 0.1, "lost_sale_penalty_usd": 0},
        {"id": "part", "hs_code": "854449", "unit_value_usd": 20, "weight_kg": 1,
         "lost_sale_penalty_usd": 0},
    ],
    "bom": [{"parent": "widget", "component": "part", "quantity": 1}],
    "sites": [
        {"id": "cn", "country": "CHN", "status": "existing", "products": ["widget"],
         "capacity_units": 1e6, "fixed_cost_usd": 0},
        {"id": "mx", "country": "MEX", "status": "candidate", "products": ["widget"],
         "capacity_units": 1e6, "fixed_cost_usd": 0},
    ],
    "suppliers": [
        {"id": "part-cn", "country": "CHN", "component": "part", "capacity_units": 1e7,
         "unit_price_usd": 20},
    ],
    "markets": [{"id": "us", "country": "USA"}, {"id": "cn-home", "country": "CHN"}],
    "demand": [{"market": "us", "product": "widget", "year": 2024, "units": 1000}],
}  # fmt: skip


def costs(**tables: Any):
    data = copy.deepcopy(BASE)
    data["meta"].update(tables.pop("meta", {}))
    data.update(tables)
    return landed_cost(Network.from_dict(data), [load_scenario("mfn-only")], years=[2024])


def at(ds, site: str, market: str, component: str) -> float:
    sel = ds["cost"].sel(product="widget", site=site, market=market, year=2024)
    return float(sel.sel(scenario="mfn-only", component=component))


@pytest.fixture(scope="module")
def default():
    return costs()


def test_us_customs_fees_ocean_from_china(default) -> None:
    assert str(default["mode"].sel(product="widget", site="cn", market="us").item()) == "ocean"
    # 2,000 units per entry (20 t / 10 kg); the US values FOB: 100 USD a unit
    mpf = min(max(0.003464 * 100 * 2000, 33.58), 651.50) / 2000  # the maximum binds
    hmf = 0.00125 * 100
    broker = 125 / 2000
    assert at(default, "cn", "us", "customs_fees") == pytest.approx(mpf + hmf + broker)
    assert mpf == pytest.approx(651.50 / 2000)


def test_usmca_goods_pay_no_mpf_and_rail_no_hmf(default) -> None:
    assert bool(default["origin_rule_met"].sel(product="widget", site="mx", market="us").item())
    assert str(default["mode"].sel(product="widget", site="mx", market="us").item()) == "rail"
    assert at(default, "mx", "us", "customs_fees") == pytest.approx(125 / 2000)  # broker only


def test_value_shares_and_ip_risk(default) -> None:
    assert at(default, "cn", "us", "packaging") == pytest.approx(1.0)
    assert at(default, "cn", "us", "quality") == pytest.approx(1.0)
    assert at(default, "cn", "us", "oversight") == pytest.approx(0.5)
    assert at(default, "cn", "us", "ip_risk") == pytest.approx(1.0)  # China: PWL 2025
    assert at(default, "mx", "us", "ip_risk") == pytest.approx(1.0)  # Mexico: added in 2025
    # sold at home: no border, so no packaging, fees, prepayment, quality or oversight
    for component in ("packaging", "customs_fees", "prepayment", "quality", "oversight"):
        assert at(default, "cn", "cn-home", component) == 0.0
    assert at(default, "cn", "cn-home", "ip_risk") == pytest.approx(1.0)  # made there


def test_prepayment_hand_worked(default) -> None:
    exworks = sum(
        at(default, "cn", "us", c) for c in ("materials", "labour", "overhead", "production")
    )
    transit = float(default["lead_time_days"].sel(product="widget", site="cn", market="us"))
    expected = exworks * 0.30 * 0.08 * (45 + transit) / 365
    assert at(default, "cn", "us", "prepayment") == pytest.approx(expected)


def test_obsolescence_uses_the_carrying_formula(default) -> None:
    assert at(default, "cn", "us", "obsolescence") == 0.0  # inside the 25% carrying rate
    ds = costs(cost_settings=[{"parameter": "obsolescence_rate", "value": "10%"}])
    # same stock value and days as the carrying cost (in transit and safety stock), at
    # 10% instead of 25% a year
    carrying = at(ds, "cn", "us", "inventory") + at(ds, "cn", "us", "safety_stock")
    assert at(ds, "cn", "us", "obsolescence") == pytest.approx(carrying * 0.10 / 0.25)


def test_network_and_product_overrides() -> None:
    ds = costs(
        cost_settings=[
            {"parameter": "packaging_rate", "value": "2%"},  # the network
            {"product": "widget", "parameter": "quality_rate", "value": 0.03},  # a product
            {"parameter": "quality_rate", "value": 0.05},  # the product's row wins
            {"product": "widget", "parameter": "units_per_entry", "value": 10},
            {"parameter": "broker_fee_usd_per_entry", "value": 200},
        ]
    )
    assert at(ds, "cn", "us", "packaging") == pytest.approx(2.0)
    assert at(ds, "cn", "us", "quality") == pytest.approx(3.0)
    # 10 units per entry: the MPF minimum binds (0.3464% of 1,000 USD is 3.46 < 33.58)
    expected = 33.58 / 10 + 0.00125 * 100 + 200 / 10
    assert at(ds, "cn", "us", "customs_fees") == pytest.approx(expected)


def test_components_sum_and_exclusion(default) -> None:
    total = default["total"].sel(product="widget", site="cn", market="us", year=2024)
    assert float(default["cost"].sel(product="widget", site="cn", market="us", year=2024)
                 .sum("component").item()) == pytest.approx(float(total.item()))  # fmt: skip
    ds = costs(meta={"exclude_components": ["customs_fees", "ip_risk"]})
    assert at(ds, "cn", "us", "customs_fees") == 0.0 and at(ds, "cn", "us", "ip_risk") == 0.0
    assert at(ds, "cn", "us", "packaging") == pytest.approx(1.0)


def test_mpf_formula_limits() -> None:
    p = tco_parameters()
    assert (p.us_mpf_rate, p.us_mpf_min_usd, p.us_mpf_max_usd) == (0.003464, 33.58, 651.50)
    # 50,000 USD entry: 173.20 USD, within the limits; 1,000 USD: the minimum; 1 M: the maximum
    fee = f.merchandise_processing_fee([500, 10, 10_000], 100, 0.003464, 33.58, 651.50)
    assert fee * 100 == pytest.approx([173.20, 33.58, 651.50])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"parameter": "packaging", "value": 0.01}, "parameter: must be one of"),
        ({"parameter": "quality_rate", "value": 5}, "value: must be at most 1 as a fraction"),
        ({"parameter": "units_per_entry", "value": 0},
         "value: units_per_entry must be greater than 0"),
        ({"parameter": "broker_fee_usd_per_entry", "value": -5}, "value: must be at least 0"),
        ({"product": "gizmo", "parameter": "quality_rate", "value": 0.1},
         "product: unknown product 'gizmo'"),
    ],
)  # fmt: skip
def test_bad_settings_are_located(row: dict, expected: str) -> None:
    data = copy.deepcopy(BASE)
    data["cost_settings"] = [row]
    with pytest.raises(ShoringInputError) as info:
        Network.from_dict(data)
    problems = [str(p) for p in info.value.problems]
    assert any(f"cost_settings:{expected}" in p for p in problems), problems


def test_duplicate_network_setting() -> None:
    data = copy.deepcopy(BASE)
    data["cost_settings"] = [
        {"parameter": "quality_rate", "value": 0.1},
        {"parameter": "quality_rate", "value": 0.2},
    ]
    with pytest.raises(ShoringInputError, match="duplicate row for product, parameter"):
        Network.from_dict(data)


def test_every_component_has_a_chart_colour() -> None:
    from shoring.costs import COMPONENTS
    from shoring.report.charts import COMPONENT_COLOURS

    assert set(COMPONENT_COLOURS) == set(COMPONENTS)


def test_no_customs_entry_inside_the_eu() -> None:
    data = copy.deepcopy(BASE)
    data["sites"].append(
        {"id": "pl", "country": "POL", "status": "candidate", "products": ["widget"],
         "capacity_units": 1e6, "fixed_cost_usd": 0}
    )  # fmt: skip
    data["markets"].append({"id": "de", "country": "DEU"})
    ds = landed_cost(Network.from_dict(data), [load_scenario("mfn-only")], years=[2024])
    # Poland -> Germany: free circulation in the EU customs union, no entry, no broker
    assert at(ds, "pl", "de", "customs_fees") == 0.0
    assert at(ds, "pl", "de", "packaging") == pytest.approx(1.0)  # still crosses a border
    assert at(ds, "cn", "de", "customs_fees") > 0.0  # an EU import pays the broker


def test_mpf_at_every_us_place() -> None:
    # two US markets at different cities are two places: both pay the MPF
    data = copy.deepcopy(BASE)
    data["markets"] = [
        {"id": "us", "country": "USA", "lat": 40.71, "lon": -74.01},
        {"id": "us-west", "country": "USA", "lat": 34.05, "lon": -118.24},
        {"id": "cn-home", "country": "CHN"},
    ]
    ds = landed_cost(Network.from_dict(data), [load_scenario("mfn-only")], years=[2024])
    for market in ("us", "us-west"):
        fees = at(ds, "cn", market, "customs_fees")
        units = 20000 / 10 if str(
            ds["mode"].sel(product="widget", site="cn", market=market).item()
        ) == "ocean" else 1000 / 10  # fmt: skip
        assert fees >= min(max(0.003464 * 100 * units, 33.58), 651.50) / units
