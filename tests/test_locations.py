"""Node locations: cities resolved offline, coordinates, the capital fallback; lanes
between located places; a scenario closing a chokepoint through the engine."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shoring.costs import formulas as f
from shoring.costs import landed_cost
from shoring.costs.lanes import build_lanes
from shoring.costs.places import node_places
from shoring.data.distances import Distances, great_circle_km
from shoring.data.locations import CityError, resolve_city
from shoring.data.transport import cost_parameters, transport_modes
from shoring.errors import ShoringInputError
from shoring.network import Network
from shoring.scenario import load_scenario, parse_scenario


def network(site: dict[str, Any], market: dict[str, Any] | None = None) -> Network:
    return Network.from_dict(
        {
            "meta": {"name": "located", "base_year": 2024},
            "products": [
                {
                    "id": "p",
                    "hs_code": "854442",
                    "unit_value_usd": 50,
                    "weight_kg": 20,
                    "volume_m3": 0.05,
                    "labour_hours": 1,
                }
            ],
            "sites": [
                {
                    "id": "plant",
                    "status": "existing",
                    "products": ["p"],
                    "capacity_units": 1e6,
                    "fixed_cost_usd": 0,
                    **site,
                }
            ],
            "markets": [{"id": "m", **(market or {"country": "USA"})}],
            "demand": [{"market": "m", "product": "p", "year": 2024, "units": 1000}],
        }
    )


def test_city_resolves_to_geonames_coordinates() -> None:
    # GeoNames 5520993 El Paso, Texas: 31.75872 N, 106.48693 W
    assert resolve_city("El Paso", "USA") == pytest.approx((31.75872, -106.48693, "El Paso"))
    # accents and alternate names: "Ciudad Juarez" and "München"
    assert resolve_city("Ciudad Juarez", "MEX")[2] == "Ciudad Juárez"
    assert resolve_city("München", "DEU")[2] == "Munich"


def test_ambiguous_city_lists_the_candidates() -> None:
    with pytest.raises(CityError) as err:
        resolve_city("Springfield", "USA")
    text = str(err.value)
    assert "ambiguous" in text and "US-MO, population 170,188" in text
    assert "US-IL" in text and "lat and lon" in text


def test_network_reports_the_row_of_an_ambiguous_or_foreign_city() -> None:
    with pytest.raises(ShoringInputError) as err:
        network({"country": "MEX", "city": "Juarez"})
    problem = err.value.problems[0]
    assert (problem.sheet, problem.field) == ("sites", "city")
    assert "Ciudad Juárez (MX-06, population 1,512,450" in problem.message
    with pytest.raises(ShoringInputError, match=r"not found in MEX.*El Paso \(US-TX"):
        network({"country": "MEX", "city": "El Paso"})
    with pytest.raises(ShoringInputError, match="give both lat and lon"):
        network({"country": "MEX", "lat": 31.7})


def test_places_group_nodes_by_point_and_fall_back_to_capitals() -> None:
    net = network(
        {"country": "MEX", "city": "Ciudad Juarez"}, {"country": "USA", "lat": 41.85, "lon": -87.65}
    )
    located = node_places(net.sites, net.suppliers, net.markets)
    assert list(located.places.label) == ["MEX@31.7202,-106.4608", "USA@41.8500,-87.6500"]
    capital = network({"country": "MEX"})
    assert list(node_places(capital.sites, capital.suppliers, capital.markets).places.label) == [
        "MEX",
        "USA",
    ]


def test_border_plant_ships_a_shorter_land_lane_than_its_capital() -> None:
    # Ciudad Juarez -> Chicago by land: great-circle x routing x rate on the chargeable
    # weight (20 kg vs 0.05 m3 * 333 = 16.7 kg: weight binds), plus the premium on CIF
    border = network(
        {"country": "MEX", "city": "Ciudad Juarez"}, {"country": "USA", "city": "Chicago"}
    )
    located = node_places(border.sites, border.suppliers, border.markets)
    lanes = build_lanes(
        np.array([20.0]), np.array([50.0]), ["p"], located.places, Distances.great_circle(),
        cost_parameters(), volume_m3=np.array([0.05]),
    )  # fmt: skip
    costs = lanes.at(2024)
    o, d = located.places.label
    mode = costs.mode.sel(product="p", origin=o, destination=d).item()
    assert mode in ("truck", "rail")
    row = transport_modes().loc[mode]
    km = great_circle_km(31.72024, -106.46084, 41.85003, -87.65005)
    assert 2000 < km < 2200
    transport = 0.020 * (km * row["routing_factor"] * row["cost_usd_per_tonne_km"])
    transport += 0.020 * row["handling_usd_per_tonne"]
    expected = transport + f.cargo_insurance(50.0, transport, 0.0033)
    assert float(costs.freight.sel(product="p", origin=o, destination=d)) == pytest.approx(
        expected, rel=1e-6
    )
    # the same plant at Mexico City is farther from Chicago
    capital = network({"country": "MEX"}, {"country": "USA", "city": "Chicago"})
    far = landed_cost(capital, [load_scenario("baseline")], years=[2024])
    near = landed_cost(border, [load_scenario("baseline")], years=[2024])
    pick = {"product": "p", "site": "plant", "market": "m", "year": 2024, "scenario": "baseline"}
    assert str(near["site_location"].sel(site="plant").item()) == "city"
    assert str(far["site_location"].sel(site="plant").item()) == "capital"
    assert float(near["cost"].sel(component="freight", **pick)) < float(
        far["cost"].sel(component="freight", **pick)
    )


def test_scenario_closing_a_chokepoint_reroutes_in_the_engine() -> None:
    # a plant in Shanghai selling in Rotterdam by sea; Suez and Panama closed all of 2019
    ship = network(
        {"country": "CHN", "lat": 31.400091, "lon": 121.497113},
        {"country": "NLD", "lat": 51.904383, "lon": 4.442447},
    )
    ship = ship.replace(
        products=ship.products.assign(weight_kg=100.0, unit_value_usd=10.0, volume_m3=0.1)
    )
    closed = parse_scenario(
        """
name: canals-shut
title: Suez and Panama closed
parents: [baseline]
measures:
  - {type: chokepoint_closure, chokepoints: [suez, panama], start: 2019-01-01, end: 2019-12-31}
"""
    )
    costs = landed_cost(ship, [load_scenario("baseline"), closed], years=[2019])
    pick = {"product": "p", "site": "plant", "market": "m", "year": 2019}
    freight = costs["cost"].sel(component="freight", **pick)
    base, shut = float(freight.sel(scenario="baseline")), float(freight.sel(scenario="canals-shut"))
    # 0.1 t * 1,412.75 USD/FEU / 26.5 t * (25,758 / 19,610 - 1) = 1.67 USD more (+ premium)
    assert shut - base == pytest.approx(0.1 * 1412.75 / 26.5 * (25_758.3 / 19_609.7 - 1), rel=0.01)
    inventory = costs["cost"].sel(component="inventory", **pick)
    assert float(inventory.sel(scenario="canals-shut")) > float(inventory.sel(scenario="baseline"))


def test_network_freight_quote_per_unit_wins_over_the_default() -> None:
    base = network(
        {"country": "MEX", "city": "Ciudad Juarez"}, {"country": "USA", "city": "Chicago"}
    )
    default = landed_cost(base, [load_scenario("baseline")], years=[2024])
    pick = {"product": "p", "site": "plant", "market": "m"}
    mode = str(default["mode"].sel(pick).item())
    data = base.to_dict()
    data["freight_quotes"] = [
        {"origin": "plant", "destination": "USA", "mode": mode, "usd_per_unit": 0.5,
         "valid_from": "2024-01-01", "valid_to": "2024-12-31"}
    ]  # fmt: skip
    quoted = landed_cost(Network.from_dict(data), [load_scenario("baseline")], years=[2024])
    freight = quoted["cost"].sel(component="freight", year=2024, scenario="baseline", **pick)
    # USD 0.50 quoted, plus the premium on CIF: 0.0033 * (50 + 0.5) / (1 - 0.0033)
    assert float(freight) == pytest.approx(0.5 + 0.0033 * 50.5 / (1 - 0.0033), rel=1e-9)


def test_freight_quote_with_unknown_ends_names_the_row() -> None:
    data = network({"country": "MEX"}).to_dict()
    data["freight_quotes"] = [
        {"origin": "nowhere", "destination": "USA", "mode": "truck", "usd_per_unit": 1},
        {"origin": "plant", "destination": "USA", "mode": "truck"},
    ]
    with pytest.raises(ShoringInputError) as err:
        Network.from_dict(data)
    text = str(err.value)
    assert "origin 'nowhere' is neither a site or supplier id nor a country" in text
    assert "exactly one of usd_per_unit and usd_per_container" in text


@pytest.mark.parametrize("name", ["net.yaml", "net.xlsx", "csv"])
def test_locations_and_quotes_round_trip(tmp_path, name: str) -> None:
    from shoring.network.io import read_network, write_network

    data = network(
        {"country": "MEX", "city": "Ciudad Juarez"}, {"country": "USA", "lat": 41.85, "lon": -87.65}
    ).to_dict()
    data["freight_quotes"] = [
        {"origin": "plant", "destination": "USA", "mode": "truck", "usd_per_container": 900,
         "valid_from": "2024-01-01", "valid_to": "2024-12-31"}
    ]  # fmt: skip
    net = Network.from_dict(data)
    assert net.sites.at["plant", "lat"] == pytest.approx(31.72024)  # resolved from the city
    back = read_network(write_network(net, tmp_path / name))
    assert back.equals(net)


def test_design_data_prices_lanes_to_each_market_place() -> None:
    # a Shanghai plant selling in Los Angeles and New York (no preference on the lanes, so
    # no duty at stake): the design model's lanes carry each market city's delivery cost
    # and lead time, not Washington's for both
    from shoring.costs.flow_costs import DELIVERY
    from shoring.optimize.design.from_network import design_data_from_network

    data = network({"country": "CHN", "city": "Shanghai"}).to_dict()
    data["markets"] = [
        {"id": "la", "country": "USA", "city": "Los Angeles"},
        {"id": "ny", "country": "USA", "city": "New York City"},
    ]
    data["demand"] = [
        {"market": m, "product": "p", "year": 2024, "units": 1000} for m in ("la", "ny")
    ]
    net = Network.from_dict(data)
    scenario = load_scenario("baseline")
    costs = landed_cost(net, [scenario], years=[2024])
    design = design_data_from_network(net, [scenario], years=[2024])
    lanes = {design.markets[m]: i for i, m in enumerate(design.lane_market)}
    assert set(lanes) == {"la", "ny"}
    delivery = list(DELIVERY)  # freight, duties, inventory, carbon, TCO terms on the way
    for market, lane in lanes.items():
        pick = {"product": "p", "site": "plant", "market": market}
        expected = costs["cost"].sel(component=delivery, year=2024, scenario="baseline", **pick)
        assert design.lane_cost[lane, 0, 0] == pytest.approx(float(expected.sum()), rel=1e-12)
        lead = float(costs["lead_time_days"].sel(pick))
        assert design.lane_lead_time[lane] == pytest.approx(lead, rel=1e-12)
        assert str(costs["mode"].sel(pick).item()) == "ocean"
    # 2024 WCI: Shanghai-Los Angeles 4,773, Shanghai-New York 5,563.8 USD/FEU, and New
    # York is about 10 days farther by sea (through Panama)
    freight = costs["cost"].sel(component="freight", product="p", site="plant", year=2024)
    freight = freight.sel(scenario="baseline")
    assert float(freight.sel(market="la")) < float(freight.sel(market="ny"))
    assert design.lane_lead_time[lanes["la"]] + 8 < design.lane_lead_time[lanes["ny"]]
