"""Vectorized evaluation of measures against hand-worked cases."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import xarray as xr

from shoring.scenario import (
    Scenario,
    automation_share,
    capacity_lost,
    carbon_prices,
    incentives,
    load_scenario,
    trade_effects,
    trade_effects_dataset,
    wage_multiplier,
)


def _scn(measures: list[dict], blocs: dict | None = None) -> Scenario:
    return Scenario.model_validate(
        {"name": "t", "title": "Test scenario", "measures": measures, "blocs": blocs or {}}
    )


D = date(2025, 6, 1)


def test_stacking_add_replace_max() -> None:
    s = _scn(
        [
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "CHN",
                "ad_valorem": 0.25,
                "start": "2025-01-01",
            },
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "CHN",
                "hs": ["87"],
                "ad_valorem": 0.10,
                "start": "2025-01-01",
            },
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "DEU",
                "ad_valorem": 0.15,
                "stacking": "max",
                "start": "2025-01-01",
            },
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "JPN",
                "ad_valorem": 0.05,
                "stacking": "replace",
                "start": "2025-01-01",
            },
        ]
    )
    e = trade_effects(
        s,
        ["USA"] * 5,
        ["CHN", "CHN", "DEU", "DEU", "JPN"],
        ["870323", "850440", "870323", "640399", "870323"],
        D,
    )
    np.testing.assert_allclose(e.additional_ad_valorem, [0.35, 0.25, 0, 0, 0])
    # MFN 2.5% on cars, 20% on shoes: EU floor lifts 2.5% to 15%, leaves 20%; Japan replaced by 5%.
    rate = e.ad_valorem_rate([0.025, 0.0, 0.025, 0.20, 0.025])
    np.testing.assert_allclose(rate, [0.375, 0.25, 0.15, 0.20, 0.05])


def test_dates_are_inclusive_and_per_cell() -> None:
    s = _scn(
        [
            {
                "type": "tariff",
                "importers": "USA",
                "ad_valorem": 0.1,
                "start": "2025-03-01",
                "end": "2025-03-31",
            }
        ]
    )
    days = ["2025-02-28", "2025-03-01", "2025-03-31", "2025-04-01"]
    e = trade_effects(s, "USA", "CHN", "010121", days)
    np.testing.assert_allclose(e.additional_ad_valorem, [0, 0.1, 0.1, 0])


def test_origin_rule_exemption_is_waived_only_where_met() -> None:
    s = _scn(
        [
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": ["CAN", "MEX"],
                "ad_valorem": 0.25,
                "exemptions": {"origin_rule_met": "USMCA"},
                "start": "2025-01-01",
            },
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "all",
                "hs": ["7208"],
                "ad_valorem": 0.5,
                "start": "2025-01-01",
            },
        ]
    )
    e = trade_effects(s, "USA", ["MEX", "MEX", "CHN"], ["870323", "720851", "720851"], D)
    assert e.exemption_agreement.tolist() == ["USMCA", "USMCA", ""]
    np.testing.assert_allclose(e.additional_ad_valorem, [0.25, 0.75, 0.5])
    met = e.applicable([True, True, True])
    np.testing.assert_allclose(met.additional_ad_valorem, [0.0, 0.5, 0.5])
    np.testing.assert_allclose(
        e.ad_valorem_rate(0.0, origin_rule_met=[False, True, False]), [0.25, 0.5, 0.5]
    )


def test_exempt_hs_and_exempt_exporters() -> None:
    s = _scn(
        [
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "all",
                "exempt_exporters": ["CAN"],
                "exempt_hs": ["72"],
                "ad_valorem": 0.1,
                "start": "2025-01-01",
            }
        ]
    )
    e = trade_effects(s, "USA", ["CAN", "CHN", "CHN"], ["870323", "870323", "720851"], D)
    np.testing.assert_allclose(e.additional_ad_valorem, [0, 0.1, 0])


def test_agreement_bloc_membership_follows_the_date() -> None:
    # GBR was an EU member until 31 January 2020 (data layer: shoring.data.agreements).
    s = _scn(
        [
            {
                "type": "tariff",
                "importers": "USA",
                "exporters": "EU",
                "ad_valorem": 0.1,
                "start": "2019-01-01",
            }
        ]
    )
    e = trade_effects(
        s, "USA", ["GBR", "GBR", "FRA"], "870323", ["2019-06-01", "2020-06-01", "2020-06-01"]
    )
    np.testing.assert_allclose(e.additional_ad_valorem, [0.1, 0, 0.1])


def test_ban_sanction_ntb_and_preference() -> None:
    s = _scn(
        [
            {
                "type": "export_ban",
                "exporters": "WEST",
                "importers": "EAST",
                "hs": ["8542"],
                "start": "2025-01-01",
            },
            {"type": "sanction", "parties": [["USA"], ["RUS"]], "start": "2025-01-01"},
            {
                "type": "ntb",
                "importers": "USA",
                "exporters": "all",
                "ave": 0.02,
                "start": "2025-01-01",
            },
            {
                "type": "preference",
                "members": ["USA", "MEX"],
                "rate": 0.0,
                "rule_of_origin": {"rvc_threshold": 0.6},
            },
        ],
        blocs={"WEST": ["USA", "JPN"], "EAST": ["CHN"]},
    )
    e = trade_effects(
        s,
        ["CHN", "CHN", "RUS", "USA", "USA"],
        ["USA", "USA", "USA", "RUS", "MEX"],
        ["854231", "870323", "100199", "270900", "870323"],
        D,
    )
    assert e.blocked.tolist() == [True, False, True, True, False]
    np.testing.assert_allclose(e.ntb_ave, [0, 0, 0, 0.02, 0.02])
    assert e.preference_agreement.tolist() == ["", "", "", "", "members"]
    np.testing.assert_allclose(e.preference_rvc_threshold[-1], 0.6)


def test_trade_war_schedule_rates() -> None:
    # Section 301 list 1 (25%) on cars 8703.23 from 2018-07-06; list 4A 15% -> 7.5% on 0101.21;
    # China's 25% on US cars suspended from 2019-01-01.
    war = load_scenario("trade-war-2018")
    e = trade_effects(
        war,
        ["USA", "USA", "USA", "USA", "CHN", "CHN", "USA"],
        ["CHN", "CHN", "CHN", "CHN", "USA", "USA", "MEX"],
        ["870323", "870323", "010121", "010121", "870323", "870323", "870323"],
        [
            "2018-07-05",
            "2018-07-06",
            "2019-10-01",
            "2020-03-01",
            "2018-12-31",
            "2019-01-02",
            "2019-01-01",
        ],
    )
    np.testing.assert_allclose(e.additional_ad_valorem, [0, 0.25, 0.15, 0.075, 0.25, 0, 0])


def test_tariffs_2025_cells() -> None:
    t = load_scenario("tariffs-2025")
    e = trade_effects(
        t,
        ["USA", "USA", "USA", "USA", "USA", "CHN", "USA"],
        ["CHN", "CHN", "MEX", "VNM", "DEU", "USA", "MEX"],
        ["854231", "720851", "870323", "640399", "870323", "100199", "940360"],
        ["2025-04-20", *["2025-09-01"] * 6],
    )
    # CHN chips Apr 20: fentanyl 20% + Section 301 50% (9903.91.05 from 2025-01-01); the 125%
    # reciprocal does not apply (Annex II, heading 9903.01.32). CHN steel: fentanyl 20% + 232
    # 50% + Section 301 25% (9903.91.01), no reciprocal (U.S. note 2(v)(vi)). MEX car: 232
    # autos 25%, not the Mexico IEEPA duty (U.S. note 33(a)(3)). VNM shoes: reciprocal 20%.
    # DEU car: 15% all-in (9903.94.51). CHN on US wheat: 15% + 10% on top of the 25% of 2018
    # (parent trade-war-2018, still in force). MEX furniture: IEEPA 25%,
    # waived for USMCA-originating goods.
    np.testing.assert_allclose(e.additional_ad_valorem, [0.70, 0.95, 0.25, 0.20, 0.0, 0.50, 0.25])
    assert e.exemption_agreement[2] == ""
    assert e.exemption_agreement[6] == "USMCA"
    assert e.floor_rate[4] == pytest.approx(0.15)


def test_dataset_broadcasts_over_coords() -> None:
    war = load_scenario("trade-war-2018")
    ds = trade_effects_dataset(
        war,
        xr.DataArray(["USA", "CHN"], dims="importer"),
        xr.DataArray(["CHN", "USA"], dims="exporter"),
        xr.DataArray(["870323"], dims="product"),
        date(2018, 10, 1),
    )
    assert ds["additional_ad_valorem"].dims == ("importer", "exporter", "product")
    np.testing.assert_allclose(ds["additional_ad_valorem"].values[:, :, 0], [[0.25, 0], [0, 0.25]])


def test_capacity_lost_months_and_regions() -> None:
    s = _scn(
        [
            {
                "type": "closure",
                "country": "JPN",
                "capacity_lost": 0.31,
                "start": "2011-03-11",
                "end": "2011-03-31",
            },
            {
                "type": "closure",
                "country": "CHN",
                "region": "Hubei",
                "capacity_lost": 0.5,
                "start": "2020-01-01",
                "end": "2020-01-31",
            },
        ]
    )
    lost = capacity_lost(s, ["JPN", "CHN"], ["2011-02", "2011-03", "2020-01"])
    np.testing.assert_allclose(lost.values, [[0, 0.31 * 21 / 31, 0], [0, 0, 0]])
    hubei = capacity_lost(s, ["CHN"], ["2020-01"], regions={"CHN": "hubei"})
    np.testing.assert_allclose(hubei.values, [[0.5]])


def test_capacity_lost_takes_bloc_membership_month_by_month() -> None:
    # an EU-wide closure from December 2019 to March 2020: the United Kingdom left the EU
    # on 31 January 2020 (Withdrawal Agreement, OJ L 29, 31.1.2020), so it loses capacity
    # in December and January only; asked over the whole span at once, as for one month
    s = _scn(
        [
            {
                "type": "closure",
                "country": "EU",
                "capacity_lost": 0.4,
                "start": "2019-12-01",
                "end": "2020-03-31",
            }
        ]
    )
    lost = capacity_lost(s, ["GBR", "DEU"], ["2019-12", "2020-01", "2020-02", "2020-03"])
    np.testing.assert_allclose(lost.values, [[0.4, 0.4, 0, 0], [0.4, 0.4, 0.4, 0.4]])


def test_builtin_closures_reproduce_published_monthly_falls() -> None:
    japan = capacity_lost(load_scenario("japan-2011"), ["JPN"], ["2011-03"])
    assert japan.item() == pytest.approx(0.153, abs=5e-4)  # METI: -15.3% m/m in March 2011
    covid = capacity_lost(load_scenario("covid-2020"), ["ITA", "IND"], ["2020-03", "2020-04"])
    np.testing.assert_allclose(covid.values, [[0.284, 0.425], [0.183, 0.576]])


def test_wage_multiplier_compounds_growth_and_fx() -> None:
    s = _scn(
        [
            {"type": "wage_path", "country": "all", "annual_growth": 0.02, "start_year": 2027},
            {
                "type": "wage_path",
                "country": "CHN",
                "annual_growth": 0.06,
                "fx_change": 0.01,
                "start_year": 2027,
            },
        ]
    )
    w = wage_multiplier(s, ["CHN", "USA"], [2025, 2026, 2028], base_year=2026)
    np.testing.assert_allclose(w.values, [[1, 1, (1.06 * 1.01) ** 2], [1, 1, 1.02**2]])
    back = wage_multiplier(s, ["USA"], [2027], base_year=2028)
    np.testing.assert_allclose(back.values, [[1 / 1.02]])


def test_automation_ramp_and_sector() -> None:
    s = _scn(
        [
            {
                "type": "automation",
                "country": "all",
                "share_of_labour_removed": 0.2,
                "start_year": 2027,
                "full_year": 2031,
            },
            {
                "type": "automation",
                "country": "all",
                "hs": ["87"],
                "share_of_labour_removed": 0.4,
                "start_year": 2027,
                "full_year": 2031,
            },
        ]
    )
    a = automation_share(s, ["MEX"], [2026, 2027, 2029, 2031, 2040])
    np.testing.assert_allclose(a.values, [[0, 0, 0.1, 0.2, 0.2]])
    cars = automation_share(s, ["MEX"], [2029], hs6="870323")
    np.testing.assert_allclose(cars.values, [[0.2]])


def test_incentives_and_carbon() -> None:
    s = _scn(
        [
            {
                "type": "incentive",
                "country": "USA",
                "capex_share": 0.25,
                "per_job_usd": 10000,
                "start_year": 2023,
                "end_year": 2026,
            },
            {"type": "incentive", "country": "USA", "capex_share": 0.9, "start_year": 2026},
            {
                "type": "carbon_price",
                "jurisdictions": ["DEU", "FRA"],
                "usd_per_tco2": 80,
                "border_adjustment": True,
                "start_year": 2026,
            },
        ]
    )
    inc = incentives(s, ["USA", "MEX"], [2022, 2024, 2026])
    np.testing.assert_allclose(inc["capex_share"].values, [[0, 0.25, 1.0], [0, 0, 0]])
    np.testing.assert_allclose(inc["per_job_usd"].values, [[0, 10000, 10000], [0, 0, 0]])
    cp = carbon_prices(s, ["DEU", "USA"], [2025, 2026])
    np.testing.assert_allclose(cp["usd_per_tco2"].values, [[0, 80], [0, 0]])
    assert cp["border_adjustment"].values.tolist() == [[False, True], [False, False]]
