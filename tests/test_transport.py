"""Transport modes, land connectivity and cost parameters against hand-worked figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from shoring.costs import formulas as f
from shoring.data.cards import data_card
from shoring.data.paths import TABLES_DIR
from shoring.data.transport import (
    MODES,
    CostParameters,
    allowed_modes,
    cost_parameters,
    land_connected,
    landmass,
    mode_mask,
    transport_mode_sources,
    transport_modes,
)
from shoring.errors import UnknownCountryError

KM_PER_MILE = 1.609344
KG_PER_SHORT_TON = 907.18474
KM_PER_NMI = 1.852


# ------------------------------------------------------------ published -> per tonne-km
def test_truck_rate_reproduces_atri_per_mile_cost() -> None:
    # ATRI 2024 update: USD 2.270 per mile (2023); assumed payload 16 t.
    rate = transport_modes().at["truck", "cost_usd_per_tonne_km"]
    assert rate * 16 * KM_PER_MILE == pytest.approx(2.270, abs=0.0005)


def test_ocean_rate_reproduces_drewry_per_feu_rate() -> None:
    # Drewry WCI Shanghai-Rotterdam USD 3,997/FEU; 20 t per FEU; 13,800 nmi via the Cape.
    rate = transport_modes().at["ocean", "cost_usd_per_tonne_km"]
    assert rate * 20 * 13_800 * KM_PER_NMI == pytest.approx(3997, rel=1e-4)


def test_air_rate_reproduces_baltic_index_per_kg() -> None:
    # Baltic Air Freight Index Hong Kong-Europe USD 4.18/kg; 9,154 km great-circle HKG-FRA.
    modes = transport_modes()
    per_kg = modes.at["air", "cost_usd_per_tonne_km"] * 9_154 * modes.at["air", "routing_factor"]
    assert per_kg / 1000 == pytest.approx(4.18, rel=1e-3)


def test_rail_rate_reproduces_bts_cents_per_ton_mile() -> None:
    # BTS Class I yield 4.16 cents per short-ton-mile (2013), index 152 (2013) -> 173 (2022).
    rate_2022 = transport_modes().at["rail", "cost_usd_per_tonne_km"]
    rate_2013 = rate_2022 * 152 / 173
    cents_per_ton_mile = rate_2013 * KM_PER_MILE * KG_PER_SHORT_TON / 1000 * 100
    assert cents_per_ton_mile == pytest.approx(4.16, abs=0.005)


def test_ocean_speed_reproduces_shanghai_rotterdam_35_days() -> None:
    speed = transport_modes().at["ocean", "speed_km_per_day"]
    assert 10_600 * KM_PER_NMI / speed == pytest.approx(35, abs=0.01)


# ------------------------------------------------------------------ hand-worked costs
def _freight(weight_kg: float, gc_km: float, mode: str) -> float:
    """The one freight formula (costs.formulas) with a mode's default parameters."""
    row = transport_modes().loc[mode]
    tonnes = f.chargeable_tonnes(weight_kg, 0.0, row["volumetric_kg_per_m3"])
    km = gc_km * row["routing_factor"]
    return float(
        f.freight_cost(tonnes, km, row["cost_usd_per_tonne_km"], row["handling_usd_per_tonne"])
    )


def test_ten_kg_by_truck_over_1000_km_costs_what_hand_arithmetic_gives() -> None:
    # 0.010 t * (1000 km * 1.2 routing * 0.08816 USD/tkm + 0 handling) = 1.05792 USD
    assert _freight(10, 1000, "truck") == pytest.approx(1.05792, abs=1e-9)


def test_rail_cost_adds_handling_per_tonne() -> None:
    # 1 t, 200 km: 1 * (200 * 1.262 * 0.03243 + 20) = 28.1853
    assert _freight(1000, 200, "rail") == pytest.approx(200 * 1.262 * 0.03243 + 20, abs=1e-9)


def test_transit_days_and_co2_by_hand() -> None:
    # truck 1,000 km: 1,200 network km / 770 km per day + 1 day dwell
    row = transport_modes().loc["truck"]
    days = f.transit_days(1000 * row["routing_factor"], row["speed_km_per_day"], row["dwell_days"])
    assert float(days) == pytest.approx(1200 / 770 + 1)


def test_container_volumetric_factor_is_payload_over_capacity() -> None:
    # 26,500 kg payload / 67 m3 (World Shipping Council 40ft standard) = 395.5 kg/m3
    ocean = transport_modes().loc["ocean"]
    assert ocean["container_payload_kg"] / 67 == pytest.approx(
        ocean["volumetric_kg_per_m3"], abs=0.05
    )


def test_modes_are_ordered_by_cost_and_speed_as_expected() -> None:
    modes = transport_modes()
    cost = modes["cost_usd_per_tonne_km"]
    assert cost["ocean"] < cost["rail"] < cost["truck"] < cost["air"]
    co2 = modes["co2_kg_per_tonne_km"]
    assert co2["ocean"] < co2["rail"] < co2["truck"] < co2["air"]
    assert math.isinf(modes.at["rail", "max_distance_km"])


# -------------------------------------------------------------------- land connectivity
@pytest.mark.parametrize(
    ("origin", "destination", "expected"),
    [
        ("MEX", "USA", True),
        ("USA", "CAN", True),
        ("CHN", "DEU", True),  # Eurasian land bridge
        ("FRA", "GBR", True),  # Channel Tunnel
        ("VNM", "CHN", True),
        ("SGP", "MYS", True),  # causeway
        ("JPN", "CHN", False),
        ("USA", "DEU", False),
        ("IDN", "MYS", False),  # Indonesia is its own landmass
        ("TWN", "CHN", False),
        ("PHL", "VNM", False),
        ("KOR", "CHN", False),  # inter-Korean border closed
        ("COL", "PAN", False),  # Darien Gap
        ("BRA", "ARG", True),
        ("JPN", "JPN", True),
    ],
)
def test_land_connectivity_facts(origin: str, destination: str, expected: bool) -> None:
    assert bool(land_connected(origin, destination)) is expected


def test_land_connected_broadcasts_to_a_matrix() -> None:
    origins = np.array(["MEX", "JPN"])
    destinations = np.array(["USA", "CHN", "JPN"])
    got = land_connected(origins[:, None], destinations[None, :])
    assert got.tolist() == [[True, False, False], [False, False, True]]


def test_landmass_ids_and_unknown_codes() -> None:
    assert landmass(["CHN", "DEU", "USA", "AUS"]).tolist() == ["RUS", "RUS", "CAN", "AUS"]
    with pytest.raises(UnknownCountryError):
        land_connected("XYZ", "USA")


def test_every_country_of_the_country_table_has_a_landmass() -> None:
    codes = pd.read_csv(TABLES_DIR / "countries.csv", keep_default_na=False)["iso3"]
    assert len(landmass(codes.to_numpy())) == len(codes)


# --------------------------------------------------------------------------- mode rules
def test_mode_mask_shape_and_coords() -> None:
    origins = ["CHN", "MEX", "USA"]
    destinations = ["USA", "DEU", "MEX", "JPN", "CHN"]
    mask = mode_mask(origins, destinations, np.full((3, 5), 3000.0))
    assert mask.dims == ("origin", "destination", "mode")
    assert mask.shape == (3, 5, 4)
    assert list(mask["mode"].values) == list(MODES)
    assert mask.dtype == bool
    # CHN-USA: no land link -> ocean and air only
    assert mask.sel(origin="CHN", destination="USA").values.tolist() == [
        True,
        True,
        False,
        False,
    ]
    # MEX-USA at 3,000 km: land modes, air, and ocean (>= 1,500 km between neighbours)
    assert mask.sel(origin="MEX", destination="USA").all()


def test_mode_mask_aligns_a_distance_dataarray() -> None:
    import xarray as xr

    distance = xr.DataArray(
        [[0.0, 2000.0], [2000.0, 0.0]],
        dims=("origin", "destination"),
        coords={"origin": ["USA", "MEX"], "destination": ["USA", "MEX"]},
    )
    mask = mode_mask(["MEX"], ["USA"], distance)
    assert mask.sel(origin="MEX", destination="USA", mode="truck").item()


def test_allowed_modes_rules() -> None:
    assert allowed_modes("USA", "USA", 800) == ["rail", "truck"]
    assert allowed_modes("Japan", "China", 2100) == ["ocean", "air"]
    # neighbours closer than 1,500 km: no ocean
    assert allowed_modes("FRA", "DEU", 880) == ["air", "rail", "truck"]
    # 7,400 km great-circle * 1.2 exceeds the 4,500 km truck limit
    assert allowed_modes("CHN", "DEU", 7400) == ["ocean", "air", "rail"]


# ------------------------------------------------------------------------ provenance
def test_every_transport_figure_has_a_url_or_is_an_assumption() -> None:
    table = transport_mode_sources()
    assert set(table["basis"]) <= {"published", "derived", "assumption"}
    cited = table[table["basis"] != "assumption"]
    assert cited["url"].str.startswith("http").all()
    assumed = table[table["basis"] == "assumption"]
    assert assumed["source"].str.lower().str.startswith("assumption").all()
    assert (table["derivation"].str.len() > 0).all()
    # every mode has every parameter exactly once
    per_mode = table.groupby("mode")["parameter"].nunique()
    assert per_mode.drop("ocean").eq(10).all() and per_mode["ocean"] == 11  # + FEU payload
    assert len(table) == 3 * 10 + 11


def test_land_connectivity_rows_are_sourced_by_the_card() -> None:
    card = data_card("land_connectivity")
    assert any("mledoze" in s.url for s in card.sources)
    table = pd.read_csv(TABLES_DIR / "land_connectivity.csv", keep_default_na=False)
    assert table["iso3"].is_unique
    assert (table["landmass"].str.len() == 3).all()


def test_every_cost_parameter_has_a_url_or_is_an_assumption() -> None:
    raw = yaml.safe_load((TABLES_DIR / "cost_parameters.yaml").read_text(encoding="utf-8"))
    for key, entry in raw.items():
        if entry["basis"] == "assumption":
            assert "ASSUMPTION" in entry["note"], key
        else:
            assert entry["source"]["url"].startswith("http"), key


def test_cards_exist_for_the_three_tables() -> None:
    for name in ("transport_modes", "land_connectivity", "cost_parameters"):
        assert data_card(name).table.startswith(name)


# ------------------------------------------------------------------- cost parameters
def test_cost_parameters_values_and_types() -> None:
    p = cost_parameters()
    assert isinstance(p, CostParameters)
    assert p.inventory_carrying_rate == 0.25
    assert not hasattr(p, "overhead_rate")  # overhead is a product input, not a default here
    assert p.safety_stock_service_level == 0.95 and p.demand_cv_daily == 0.5
    assert p.provenance["inventory_carrying_rate"].basis == "published"
    with pytest.raises(ValueError):
        p.inventory_carrying_rate = 0.3  # type: ignore[misc]


def test_inventory_cost_by_hand() -> None:
    # USD 100 item, 30 days in transit + 30 days of safety stock at 25%/yr
    p = cost_parameters()
    cost = f.inventory_cost(100.0, p.inventory_carrying_rate, 30.0, 30.0)
    assert cost == pytest.approx(4.10959, abs=1e-5)


def test_safety_stock_with_uncertain_lead_time_textbook_example() -> None:
    # Chopra and Meindl, Supply Chain Management, ch. 12 (Dell hard drives): daily demand
    # mean 2,500, sd 500; lead time 7 days, sd 7 days; CSL 90%: sigma_L = 17,550 units,
    # safety stock 22,491 units. In days of demand: cv = 500 / 2,500 = 0.2.
    z = f.service_z(0.90)
    assert z == pytest.approx(1.28155, abs=1e-5)
    units = 2500 * f.safety_stock_days(z, 7.0, 0.2, 7.0)
    assert np.sqrt(7 * 500**2 + 2500**2 * 7**2) == pytest.approx(17_550, abs=1)
    assert units == pytest.approx(22_491, abs=1)
    # lead-time variability removed: sqrt(7) * 500 * z = 1,695 units
    assert 2500 * f.safety_stock_days(z, 7.0, 0.2, 0.0) == pytest.approx(1695.3, abs=0.1)
    # the default ocean lead-time sd is derived from Sea-Intelligence (>= 2.70 days)
    assert transport_modes().at["ocean", "lead_time_sd_days"] == pytest.approx(2.7)


@pytest.mark.shared_data
def test_embedded_landmass_table_is_rebuilt_from_mledoze_borders(shared_data) -> None:
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "build_land_connectivity.py"
    build_table = runpy.run_path(str(script))["build_table"]
    mledoze = pd.read_csv(shared_data / "geo" / "countries_mledoze.csv", keep_default_na=False)
    ours = pd.read_csv(TABLES_DIR / "countries.csv", keep_default_na=False)
    rebuilt = build_table(mledoze, ours)
    embedded = pd.read_csv(TABLES_DIR / "land_connectivity.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), embedded)
