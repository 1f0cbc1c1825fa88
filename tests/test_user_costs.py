"""The user's own costs: per-site production cost, per-lane cost, inventory switches.

Hand-worked through the landed-cost engine on a two-site network, and bad rows reported
with their file, table, row and field by every reader (YAML, Excel, CSV folder).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shoring.costs import landed_cost
from shoring.data.transport import cost_parameters
from shoring.errors import ShoringInputError
from shoring.network import Network, read_network, write_csv_folder, write_excel, write_yaml
from shoring.scenario import load_scenario

BASE: dict[str, Any] = {
    "meta": {"name": "own-costs", "base_year": 2024},
    "products": [
        {
            "id": "widget",
            "hs_code": "8544.42.90",
            "unit_value_usd": 100,
            "weight_kg": 10,
            "labour_hours": 1,
            "overhead_rate": 0.1,
            "lost_sale_penalty_usd": 0,
        },
        {
            "id": "part",
            "hs_code": "854449",
            "unit_value_usd": 20,
            "weight_kg": 1,
            "lost_sale_penalty_usd": 0,
        },
    ],
    "bom": [{"parent": "widget", "component": "part", "quantity": 2}],
    "sites": [
        {
            "id": "cn",
            "country": "CHN",
            "status": "existing",
            "products": ["widget"],
            "capacity_units": 1e6,
            "fixed_cost_usd": 0,
        },
        {
            "id": "mx",
            "country": "MEX",
            "status": "candidate",
            "products": ["widget"],
            "capacity_units": 1e6,
            "fixed_cost_usd": 0,
        },
    ],
    "suppliers": [
        {
            "id": "part-cn",
            "country": "CHN",
            "component": "part",
            "capacity_units": 1e7,
            "unit_price_usd": 20,
        },
    ],
    "markets": [{"id": "us", "country": "USA"}],
    "demand": [{"market": "us", "product": "widget", "year": 2024, "units": 1000}],
}


def network(**tables: Any) -> Network:
    data = copy.deepcopy(BASE)
    meta = tables.pop("meta", {})
    data["meta"].update(meta)
    products = tables.pop("products", {})
    for row in data["products"]:
        row.update(products.get(row["id"], {}))
    data.update(tables)
    return Network.from_dict(data)


def costs(net: Network):
    return landed_cost(net, [load_scenario("mfn-only")], years=[2024])


def at(ds, site: str, component: str | None = None) -> float:
    sel = ds.sel(product="widget", site=site, market="us", year=2024, scenario="mfn-only")
    return float(sel["total"] if component is None else sel["cost"].sel(component=component))


@pytest.fixture(scope="module")
def plain():
    return costs(network())


def test_production_cost_per_site_and_product(plain) -> None:
    ds = costs(
        network(
            production_costs=[
                {"site": "cn", "usd_per_unit": 5},  # every product of the site
                {"site": "cn", "product": "widget", "usd_per_unit": 7},  # the named row wins
                {"site": "mx", "usd_per_unit": 3},
            ]
        )
    )
    assert at(ds, "cn", "production") == pytest.approx(7.0)
    assert at(ds, "mx", "production") == pytest.approx(3.0)
    assert at(plain, "cn", "production") == 0.0
    # production is not overhead-bearing labour: materials, labour and overhead unchanged
    for component in ("materials", "labour", "overhead", "freight", "duties"):
        assert at(ds, "cn", component) == pytest.approx(at(plain, "cn", component))


def test_lane_cost_by_origin_destination_and_mode(plain) -> None:
    mode = str(plain["mode"].sel(product="widget", site="mx", market="us").item())
    assert mode == "rail"  # Mexico -> US goes by land
    ds = costs(
        network(
            lane_costs=[
                {"origin": "cn", "destination": "us", "usd_per_unit": 3},
                {"origin": "mx", "destination": "us", "mode": "air", "usd_per_unit": 50},
                {"origin": "mx", "destination": "us", "mode": "rail", "usd_per_unit": 2},
            ]
        )
    )
    assert at(ds, "cn", "lane") == pytest.approx(3.0)
    assert at(ds, "mx", "lane") == pytest.approx(2.0)  # the air row does not apply
    assert at(ds, "cn", "freight") == pytest.approx(at(plain, "cn", "freight"))  # on top


def test_supplier_lane_cost_enters_materials(plain) -> None:
    ds = costs(network(lane_costs=[{"origin": "part-cn", "destination": "mx", "usd_per_unit": 4}]))
    # 2 parts per widget, 4 USD each on the lane to Mexico; nothing changes in China
    assert at(ds, "mx", "materials") - at(plain, "mx", "materials") == pytest.approx(8.0)
    assert at(ds, "cn", "materials") == pytest.approx(at(plain, "cn", "materials"))


def test_inventory_hand_worked_with_lane_safety_days(plain) -> None:
    ds = costs(
        network(
            meta={"inventory_carrying_rate": 0.2},
            production_costs=[{"site": "cn", "usd_per_unit": 5}],
            lane_costs=[
                {"origin": "cn", "destination": "us", "usd_per_unit": 3, "safety_stock_days": 10}
            ],
        )
    )
    value = sum(
        at(ds, "cn", c)
        for c in ("materials", "labour", "overhead", "production", "freight", "lane", "duties")
    )
    transit = float(ds["lead_time_days"].sel(product="widget", site="cn", market="us"))
    # in transit: value * rate * transit / 365 with rate 20% (network); safety stock: the
    # lane's 10 days at the same rate
    assert at(ds, "cn", "inventory") == pytest.approx(value * 0.2 * transit / 365)
    assert at(ds, "cn", "safety_stock") == pytest.approx(value * 0.2 * 10 / 365)
    # the default: 25% a year; safety days from the lead-time variability of the ocean
    # lane: z(95%) = 1.6449, daily demand cv 0.5, lead-time sd 2.7 days
    default = sum(
        at(plain, "cn", c)
        for c in ("materials", "labour", "overhead", "production", "freight", "lane", "duties")
    )
    rate = cost_parameters().inventory_carrying_rate
    assert str(plain["mode"].sel(product="widget", site="cn", market="us").item()) == "ocean"
    lead = float(plain["lead_time_days"].sel(product="widget", site="cn", market="us"))
    assert at(plain, "cn", "inventory") == pytest.approx(default * rate * lead / 365)
    days = 1.644854 * np.sqrt(lead * 0.5**2 + 2.7**2)
    assert at(plain, "cn", "safety_stock") == pytest.approx(default * rate * days / 365, rel=1e-5)


def test_carrying_cost_switched_off_per_network_product_and_lane(plain) -> None:
    off = costs(network(meta={"inventory_carrying_rate": 0}))
    assert float(off["cost"].sel(component="inventory").sum()) == 0.0
    product = costs(network(products={"widget": {"inventory_carrying_rate": "0%"}}))
    assert at(product, "cn", "inventory") == 0.0 and at(product, "mx", "inventory") == 0.0
    lane = costs(
        network(lane_costs=[{"origin": "cn", "destination": "us", "inventory_carrying_rate": 0}])
    )
    assert at(lane, "cn", "inventory") == 0.0
    assert at(lane, "mx", "inventory") == pytest.approx(at(plain, "mx", "inventory"))
    assert at(lane, "cn", "lane") == 0.0  # a row with no cost adds none


def test_product_safety_days(plain) -> None:
    ds = costs(network(products={"widget": {"safety_stock_days": 0}}))
    transit = float(ds["lead_time_days"].sel(product="widget", site="cn", market="us"))
    value = sum(
        at(ds, "cn", c)
        for c in ("materials", "labour", "overhead", "production", "freight", "lane", "duties")
    )
    rate = cost_parameters().inventory_carrying_rate
    assert at(ds, "cn", "inventory") == pytest.approx(value * rate * transit / 365)
    assert at(ds, "cn", "safety_stock") == 0.0


def test_lead_time_variability_per_mode_from_the_network(plain) -> None:
    # a network's modes table sets the ocean lead-time sd to 0: only demand variability
    # over the lead time remains, z * sqrt(L * cv^2)
    ds = costs(network(modes=[{"mode": "ocean", "lead_time_sd_days": 0}]))
    lead = float(ds["lead_time_days"].sel(product="widget", site="cn", market="us"))
    value = sum(
        at(ds, "cn", c)
        for c in ("materials", "labour", "overhead", "production", "freight", "lane", "duties")
    )
    days = 1.644854 * np.sqrt(lead * 0.5**2)
    rate = cost_parameters().inventory_carrying_rate
    assert at(ds, "cn", "safety_stock") == pytest.approx(value * rate * days / 365, rel=1e-5)
    assert at(ds, "cn", "safety_stock") < at(plain, "cn", "safety_stock")


def test_excluded_components_are_zero(plain) -> None:
    ds = costs(network(meta={"exclude_components": "freight; duties; risk"}))
    for component in ("freight", "duties", "risk"):
        assert float(np.abs(ds["cost"].sel(component=component)).sum()) == 0.0
    np.testing.assert_allclose(ds["cost"].sum("component"), ds["total"])
    assert at(ds, "cn", "labour") == pytest.approx(at(plain, "cn", "labour"))
    # purchased parts lose their freight and duty too: 2 parts at the ex-works price
    assert at(ds, "mx", "materials") == pytest.approx(40.0)


# ----------------------------------------------------------------------------- errors


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ShoringInputError) as info:
        Network.from_dict(data)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("table", "row", "expected"),
    [
        ("production_costs", {"site": "xx", "usd_per_unit": 1},
         "production_costs:site: unknown site 'xx'"),
        ("production_costs", {"site": "cn", "product": "part", "usd_per_unit": 1},
         "production_costs:product: site 'cn' cannot make 'part'"),
        ("production_costs", {"site": "cn", "usd_per_unit": -1},
         "production_costs:usd_per_unit: must be at least 0"),
        ("lane_costs", {"origin": "nowhere", "destination": "us", "usd_per_unit": 1},
         "lane_costs:origin: unknown site or supplier 'nowhere'"),
        ("lane_costs", {"origin": "part-cn", "destination": "us", "usd_per_unit": 1},
         "lane_costs:destination: supplier 'part-cn' ships to sites: 'us' is not a site id"),
        ("lane_costs", {"origin": "part-cn", "destination": "mx", "product": "widget"},
         "lane_costs:product: supplier 'part-cn' supplies 'part', not 'widget'"),
        ("lane_costs", {"origin": "cn", "destination": "us", "mode": "boat"},
         "lane_costs:mode: must be one of"),
        ("lane_costs", {"origin": "cn", "destination": "us", "inventory_carrying_rate": 25},
         "lane_costs:inventory_carrying_rate: must be at most 1 as a fraction"),
        ("lane_costs", {"origin": "cn", "destination": "us", "safety_stock_days": 5000},
         "lane_costs:safety_stock_days: must be at most 3650"),
    ],
)  # fmt: skip
def test_bad_rows_are_located(table: str, row: dict, expected: str) -> None:
    data = copy.deepcopy(BASE)
    data[table] = [row]
    problems = _problems(data)
    assert any(expected in p for p in problems), problems


def test_duplicates_and_same_country_conflicts() -> None:
    data = copy.deepcopy(BASE)
    data["markets"].append({"id": "us-west", "country": "USA"})
    data["production_costs"] = [
        {"site": "cn", "usd_per_unit": 1},
        {"site": "cn", "usd_per_unit": 2},
    ]
    data["lane_costs"] = [
        {"origin": "cn", "destination": "us", "usd_per_unit": 1},
        {"origin": "cn", "destination": "us-west", "usd_per_unit": 2},
    ]
    problems = _problems(data)
    assert any("production_costs:site: duplicate row for site, product" in p for p in problems)
    assert any(
        "lane_costs:destination: lanes are priced per destination country: 'us-west' and "
        "'us' are both in USA" in p
        for p in problems
    ), problems


def test_meta_switches_checked() -> None:
    data = copy.deepcopy(BASE)
    data["meta"].update({"exclude_components": ["freight", "shipping"], "safety_stock_days": -1})
    problems = _problems(data)
    assert any("meta" in p and "exclude_components" in p and "shipping" in p for p in problems)
    assert any("safety_stock_days: must be at least 0" in p for p in problems)


@pytest.mark.parametrize("fmt", ["yaml", "xlsx", "csv"])
def test_every_reader_round_trips_and_locates(tmp_path: Path, fmt: str) -> None:
    net = network(
        meta={"inventory_carrying_rate": 0.1, "safety_stock_days": 12,
              "exclude_components": ["risk"]},
        products={"widget": {"inventory_carrying_rate": 0.3, "safety_stock_days": 5}},
        production_costs=[{"site": "cn", "usd_per_unit": 5},
                          {"site": "mx", "product": "widget", "usd_per_unit": 6}],
        lane_costs=[{"origin": "cn", "destination": "us", "mode": "ocean", "usd_per_unit": 3,
                     "safety_stock_days": 9}],
    )  # fmt: skip
    writer = {"yaml": write_yaml, "xlsx": write_excel, "csv": write_csv_folder}[fmt]
    path = writer(net, tmp_path / ("net" if fmt == "csv" else f"net.{fmt}"))
    assert read_network(path).equals(net)
    # a bad cost in the written file is reported at its row and field
    bad = net.table("lane_costs").assign(usd_per_unit=-3.0)
    path = writer(net.replace(lane_costs=bad), tmp_path / ("bad" if fmt == "csv" else f"bad.{fmt}"))
    with pytest.raises(ShoringInputError) as info:
        read_network(path)
    text = str(info.value)
    assert "lane_costs" in text and "usd_per_unit: must be at least 0" in text
