"""Freight by weight and volume, dated ocean rates, cargo insurance and closed chokepoints,
against hand-worked figures, the quoted Drewry WCI numbers and searoute itself."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shoring.costs.lanes import Lanes, Quote, build_lanes
from shoring.costs.places import Places
from shoring.data.distances import Distances
from shoring.data.sea_routes import chokepoint_passages, container_ports
from shoring.data.transport import MODES, cost_parameters

# Drewry WCI Shanghai-Rotterdam quotes (USD/FEU) in the curated file:
WCI_2019 = (1300 + 1488 + 1303 + 1560) / 4  # 2019-07-12, 08-02, 09-20, 11-01 = 1412.75
WCI_2021 = (8740 + 14287 + 14558 + 14807) / 4  # 2021-01-30, 09-09, 09-30, 10-07 = 13098
PAYLOAD_T = 26.5  # t per FEU (transport_modes container_payload_kg)
OCEAN_HANDLING = 30.0  # USD per t (transport_modes)
OCEAN_SPEED = 560.9  # km per day (transport_modes)
PREMIUM = 0.003 * 1.10  # cargo insurance 0.3% on 110% of CIF (cost_parameters)


@pytest.fixture(scope="module")
def lanes() -> Lanes:
    """Shanghai, Tokyo and Rotterdam at their ports (no truck legs); three products."""
    ports = container_ports().loc[["CNSHA", "JPTYO", "NLRTM"]]
    places = Places(
        label=np.array(["shanghai", "tokyo", "rotterdam"], dtype=object),
        country=np.array(["CHN", "JPN", "NLD"], dtype=object),
        lat=ports["lat"].to_numpy(),
        lon=ports["lon"].to_numpy(),
    )
    return build_lanes(
        weight_kg=np.array([100.0, 10.0, 100.0]),
        value_usd=np.array([10.0, 10.0, 1000.0]),
        products=["dense", "bulky", "valuable"],
        places=places,
        distances=Distances.great_circle(),
        params=cost_parameters(),
        volume_m3=np.array([0.1, 0.5, 0.1]),
    )


def freight(
    lanes: Lanes,
    product: str,
    year: int,
    closed: frozenset[str] = frozenset(),
    origin: str = "shanghai",
) -> float:
    """Ocean freight to Rotterdam (Tokyo is in the WCI Shanghai range and has no rail)."""
    costs = lanes.at(year, closed)
    lane = {"product": product, "origin": origin, "destination": "rotterdam"}
    assert costs.mode.sel(lane).item() == "ocean"
    return float(costs.freight.sel(lane))


def insured(value: float, transport: float) -> float:
    """Transport plus the premium on CIF = (FOB + transport) / (1 - premium)."""
    return transport + PREMIUM * (value + transport) / (1 - PREMIUM)


def test_quoted_wci_means_are_what_the_lanes_use(shared_data) -> None:
    quotes = pd.read_csv(shared_data / "freight" / "drewry_wci_quoted_2019_2025.csv")
    lane = quotes[quotes["lane"] == "Shanghai-Rotterdam"]
    year = lane["period"].str[:4].astype(int)
    assert lane.loc[year == 2019, "usd_per_40ft"].mean() == pytest.approx(WCI_2019)
    assert lane.loc[year == 2021, "usd_per_40ft"].mean() == pytest.approx(WCI_2021)


def test_weight_bound_product_pays_by_weight(lanes: Lanes) -> None:
    # 100 kg in 0.1 m3: volumetric 0.1 * 395.5 = 39.6 kg < 100 kg, so 0.1 t is charged;
    # 0.1 * (1,412.75 / 26.5 + 30) = 8.3311 USD, plus the premium on CIF
    transport = 0.1 * (WCI_2019 / PAYLOAD_T + OCEAN_HANDLING)
    assert transport == pytest.approx(8.3311, abs=1e-4)
    assert freight(lanes, "dense", 2019) == pytest.approx(insured(10.0, transport), rel=1e-9)


def test_volume_bound_product_pays_by_volume(lanes: Lanes) -> None:
    # 10 kg in 0.5 m3: volumetric 0.5 * 395.5 = 197.75 kg > 10 kg: charged as 0.19775 t
    # (half a cubic metre is 1/134 of a 67 m3 container) = 16.4748 USD before insurance
    transport = 0.19775 * (WCI_2019 / PAYLOAD_T + OCEAN_HANDLING)
    assert transport == pytest.approx(16.4748, abs=1e-4)
    assert freight(lanes, "bulky", 2019) == pytest.approx(insured(10.0, transport), rel=1e-9)


def test_2021_spike_against_2019_on_shanghai_rotterdam(lanes: Lanes) -> None:
    # 13,098 vs 1,412.75 USD/FEU: the dense product pays 0.1 t * 13,098 / 26.5 + handling
    # (from Tokyo, priced as the Shanghai range; the same 2019 figure as from Shanghai)
    transport_2021 = 0.1 * (WCI_2021 / PAYLOAD_T + OCEAN_HANDLING)
    assert transport_2021 == pytest.approx(52.4264, abs=1e-4)
    assert freight(lanes, "dense", 2021, origin="tokyo") == pytest.approx(
        insured(10.0, transport_2021)
    )
    assert freight(lanes, "dense", 2019, origin="tokyo") == pytest.approx(
        freight(lanes, "dense", 2019)
    )
    # from Shanghai the 2021 spike makes the China-Europe railway cheaper (524 vs 385 USD/t)
    lane = {"product": "dense", "origin": "shanghai", "destination": "rotterdam"}
    assert lanes.at(2021).mode.sel(lane).item() == "rail"


def test_cargo_insurance_is_charged_on_cif_value(lanes: Lanes) -> None:
    # same 0.1 t shipment worth 1,000 instead of 10: the difference is the premium only,
    # 0.0033 * (1,000 - 10) / (1 - 0.0033) = 3.2778 USD
    diff = freight(lanes, "valuable", 2019, origin="tokyo") - freight(
        lanes, "dense", 2019, origin="tokyo"
    )
    assert diff == pytest.approx(0.0033 * 990 / (1 - 0.0033), abs=1e-6)
    assert diff == pytest.approx(3.2778, abs=1e-4)


def test_lane_names_the_chokepoints_it_passes(lanes: Lanes) -> None:
    names = str(lanes.at(2019).chokepoints.sel(origin="shanghai", destination="rotterdam"))
    for point in ("suez", "bab_el_mandeb", "malacca", "gibraltar"):
        assert point in names


def test_closed_suez_reroutes_with_extra_days_and_cost(lanes: Lanes) -> None:
    import searoute

    sha, rtm = (container_ports().loc[p, ["lon", "lat"]].tolist() for p in ("CNSHA", "NLRTM"))
    arctic = ["northwest", "bering"]
    via_suez = searoute.searoute(sha, rtm, restrictions=arctic).properties["length"]
    via_cape = searoute.searoute(sha, rtm, restrictions=[*arctic, "suez", "panama"])
    assert (
        "south_africa"
        in searoute.searoute(
            sha, rtm, restrictions=[*arctic, "suez", "panama"], return_passages=True
        ).properties["traversed_passages"]
    )
    cape_km = via_cape.properties["length"]
    # Rodrigue (Port Economics): 10,600 nmi via Suez, 13,800 nmi via the Cape
    assert via_suez == pytest.approx(10_600 * 1.852, rel=0.01)
    assert cape_km == pytest.approx(13_800 * 1.852, rel=0.01)

    open_ = lanes.at(2019)
    closed = lanes.at(2019, chokepoint_passages(["suez", "panama"]))
    pair = {"origin": "shanghai", "destination": "rotterdam"}
    assert float(open_.sea_km.sel(pair)) == pytest.approx(via_suez, rel=0.002)
    assert float(closed.sea_km.sel(pair)) == pytest.approx(cape_km, rel=0.002)
    names = str(closed.chokepoints.sel(pair))
    assert "cape_of_good_hope" in names and "suez" not in names
    # extra days: the extra sea km at 560.9 km/day (about 11 days)
    extra_days = (cape_km - via_suez) / OCEAN_SPEED
    lead = closed.transit_days - open_.transit_days
    assert float(lead.sel(product="dense", **pair)) == pytest.approx(extra_days, rel=0.005)
    assert 10.5 < extra_days < 11.5
    # extra cost: the FEU rate scales with the longer route
    extra = 0.1 * WCI_2019 / PAYLOAD_T * (cape_km / via_suez - 1)
    transport = 0.1 * (WCI_2019 / PAYLOAD_T + OCEAN_HANDLING) + extra
    got = freight(lanes, "dense", 2019, chokepoint_passages(["suez", "panama"]))
    assert got == pytest.approx(insured(10.0, transport), rel=0.003)


def test_closing_suez_alone_takes_the_next_shortest_route(lanes: Lanes) -> None:
    # on searoute's network the next shortest Shanghai-Rotterdam route is via Panama
    closed = lanes.at(2019, chokepoint_passages(["Suez"]))
    names = closed.chokepoints.sel(origin="shanghai", destination="rotterdam").item()
    assert names == "panama"
    # and never through the Arctic (both Arctic passages stay closed)
    assert float(closed.sea_km.sel(origin="shanghai", destination="rotterdam")) > 24_000


def test_unknown_chokepoint_is_named() -> None:
    with pytest.raises(ValueError, match="unknown chokepoint 'suez canal'"):
        chokepoint_passages(["suez canal"])


def test_user_container_quote_wins_in_its_validity_year() -> None:
    # a 2019 quote of USD 2,000 per 40ft Shanghai -> Rotterdam by sea: the dense product
    # (0.1 t of a 26.5 t payload) pays 2,000 * 0.1 / 26.5 = 7.5472 USD instead of the WCI
    # default 8.3311; in 2021 the quote has expired and the WCI rate applies again
    ports = container_ports().loc[["CNSHA", "NLRTM"]]
    places = Places(
        label=np.array(["shanghai", "rotterdam"], dtype=object),
        country=np.array(["CHN", "NLD"], dtype=object),
        lat=ports["lat"].to_numpy(),
        lon=ports["lon"].to_numpy(),
    )
    quote = Quote(
        origins=np.array([0]), destinations=np.array([1]), mode=MODES.index("ocean"),
        products=np.array([0]), usd_per_unit=float("nan"), usd_per_container=2000.0,
        valid_from=dt.date(2019, 1, 1), valid_to=dt.date(2019, 12, 31),
    )  # fmt: skip
    quoted = build_lanes(
        np.array([100.0]), np.array([10.0]), ["dense"], places, Distances.great_circle(),
        cost_parameters(), volume_m3=np.array([0.1]), quotes=[quote],
    )  # fmt: skip
    lane = {"product": "dense", "origin": "shanghai", "destination": "rotterdam"}
    assert pytest.approx(7.5472, abs=1e-4) == 2000 * 0.1 / 26.5
    assert float(quoted.at(2019).freight.sel(lane)) == pytest.approx(
        insured(10.0, 2000 * 0.1 / 26.5)
    )
    transport_2021 = 0.1 * (WCI_2021 / PAYLOAD_T + OCEAN_HANDLING)
    cost_2021 = quoted.at(2021)
    if cost_2021.mode.sel(lane).item() == "ocean":
        assert float(cost_2021.freight.sel(lane)) == pytest.approx(insured(10.0, transport_2021))
    else:  # the spike sends it by rail; the quote is not used either way
        assert float(cost_2021.freight.sel(lane)) < insured(10.0, transport_2021)
