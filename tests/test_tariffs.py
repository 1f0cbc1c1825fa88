"""MFN tariffs and HS6 tariff event tables, checked against published figures."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from shoring.data.cards import data_card
from shoring.data.tariffs import (
    MissingTariffError,
    load_hs6_tariff_events,
    load_us_tariff_actions,
    mfn_rate,
    mfn_rates,
    mfn_table,
)
from shoring.errors import ShoringError, ShoringInputError

# ---------------------------------------------------------------- MFN (embedded)


def test_tables_have_cards_and_sources():
    assert data_card("mfn_tariffs").table == "mfn_tariffs.csv"
    table = mfn_table()
    assert table["source"].str.len().min() > 10
    assert table["url"].str.startswith("http").all()
    for col in ("total", "agri", "nonagri"):
        values = table[col].dropna()
        assert values.between(0, 1).all()
    # every economy has an all-products or a non-agricultural figure
    assert (table["total"].notna() | table["nonagri"].notna()).all()


def test_published_averages():
    # World Tariff Profiles 2023 summary table (2022 data)
    assert mfn_rate("CHN") == pytest.approx(0.075)
    assert mfn_rate("BRA") == pytest.approx(0.111)
    assert mfn_rate("CAN") == pytest.approx(0.038)
    assert mfn_rate("BGD") == pytest.approx(0.141)
    # World Tariff Profiles 2022, India: 18.3 total, 39.2 agri, 14.9 non-agri
    assert mfn_table().loc["IND", ["total", "agri", "nonagri"]].tolist() == pytest.approx(
        [0.183, 0.392, 0.149]
    )


def test_national_lines_replace_the_old_overrides():
    # the rates the retired override table held, now read from the official schedules
    # (USITC tariff database 2025, EU CET 2020, UK Global Tariff 2021)
    assert mfn_rate("USA", "8703.23.01") == pytest.approx(0.025)
    assert mfn_rate("USA", "870421") == pytest.approx(0.25)
    assert mfn_rate("USA", "850760") == pytest.approx(0.034)
    assert mfn_rate("USA", "6109.10.00") == pytest.approx(0.165)
    # wire harnesses: 8544.42.90 2.6%, the telecom lines 8544.42.10/.20 are free
    assert mfn_rate("USA", "8544.42.9090") == pytest.approx(0.026)
    assert mfn_rate("USA", "8544.42.10") == 0.0
    assert mfn_rate("USA", "85444220") == 0.0
    assert mfn_rate("EU", "85444290") == pytest.approx(0.033)
    assert mfn_rate("DEU", "85444210", on=date(2025, 1, 1)) == 0.0
    assert mfn_rate("GBR", "85444290", on=date(2025, 1, 1)) == pytest.approx(0.02)
    # before 2021 the UK applied the EU's common external tariff
    assert mfn_rate("GBR", "85444290", on=date(2020, 6, 1)) == pytest.approx(0.033)
    # 8704.10 dumpers are free (HTS 8704.10.10, .50), no longer the 3.3% average
    assert mfn_rate("USA", "870410") == 0.0
    # China's MFN on cars before the 1 July 2018 cut: 25% (HS 870323)
    assert mfn_rate("CHN", "870323") == pytest.approx(0.25)


def test_nonagricultural_average_for_chapters_25_to_97():
    # India 2021: 18.3 all products, 14.9 non-agricultural (World Tariff Profiles 2022)
    assert mfn_rate("IND", "8703") == pytest.approx(0.149)
    assert mfn_rate("IND", "2501") == pytest.approx(0.149)  # chapter 25: first of the range
    assert mfn_rate("IND", "9701") == pytest.approx(0.149)  # chapter 97: last of the range
    assert mfn_rate("IND", "2401") == pytest.approx(0.183)  # chapter 24: all products
    assert mfn_rate("IND", "0101") == pytest.approx(0.183)
    assert mfn_rate("IND") == pytest.approx(0.183)
    # Thailand 2021 (ITA Country Commercial Guide): 11.5 all, 8.4 non-agricultural
    assert mfn_rate("THA", "8507") == pytest.approx(0.084)
    assert mfn_rate("THA") == pytest.approx(0.115)
    # Switzerland abolished MFN duties on chapters 25-97 on 2024-01-01
    assert mfn_rate("CHE", "8501") == 0.0
    assert mfn_rate("CHE", "0401") == pytest.approx(0.053)
    # only a non-agricultural proxy cited for Mexico (WDI manufactured products 2018)
    assert mfn_rate("MEX", "8544") == pytest.approx(0.0567)
    assert mfn_rate("MEX") == pytest.approx(0.0567)  # documented fallback without HS
    with pytest.raises(MissingTariffError):
        mfn_rate("MEX", "0901")  # coffee: no agricultural or all-products figure


def test_new_economies_published_figures():
    table = mfn_table()
    # Philippines 2022 and Indonesia 2021 (ITA Country Commercial Guides, WTO data)
    assert table.loc["PHL", ["total", "agri", "nonagri"]].tolist() == pytest.approx(
        [0.061, 0.098, 0.055]
    )
    assert table.loc["IDN", ["total", "agri", "nonagri"]].tolist() == pytest.approx(
        [0.081, 0.087, 0.080]
    )
    # Taiwan Customs 2023 nominal averages: 6.34 all, 15.06 agricultural, 4.13 industrial
    assert mfn_rate("TWN", "8542") == pytest.approx(0.0413)
    assert table.loc["TWN", "year"] == 2023
    assert pd.isna(table.loc["JPN", "year"])  # the source does not state the year
    assert set(table["quality"]) <= {"primary", "secondary", "derived"}
    assert table["measure"].str.len().min() > 10


def test_second_pass_rows_match_their_sources():
    table = mfn_table()
    # World Tariff Profiles 2022, Sri Lanka Part A.1: 2021 simple averages 5.9 / 17.0 / 4.2
    assert table.loc["LKA", ["total", "agri", "nonagri"]].tolist() == pytest.approx(
        [0.059, 0.170, 0.042]
    )
    assert table.loc["LKA", "year"] == 2021 and table.loc["LKA", "quality"] == "primary"
    assert mfn_rate("LKA", "8507") == pytest.approx(0.042)  # chapter 85: non-agricultural
    assert mfn_rate("LKA", "0401") == pytest.approx(0.059)  # dairy: all products
    # IPEF volume (WTO data): New Zealand MFN applied averages 1.9% across all lines
    assert mfn_rate("NZL", "8703") == pytest.approx(0.019)
    # World Bank World Trade Indicators 2009/10: Egypt simple average MFN applied 16.9%
    assert mfn_rate("EGY") == pytest.approx(0.169)
    # ICMAP journal 2025: Pakistan applied MFN average 10.3% (year not stated)
    assert mfn_rate("PAK", "6109") == pytest.approx(0.103)
    assert pd.isna(table.loc["PAK", "year"])
    # US Country Commercial Guide (2013 repost): South Africa average 5.8%, low reliability
    assert mfn_rate("ZAF") == pytest.approx(0.058)
    for iso in ("NZL", "PAK", "ZAF"):
        assert table.loc[iso, "quality"] == "secondary"


def test_singapore_zero_for_manufactures_is_derived():
    # WT/TPR/S/202: all applied MFN duties are zero except six alcohol lines (chapter 22)
    row = mfn_table().loc["SGP"]
    assert row["quality"] == "derived" and pd.isna(row["total"])
    assert mfn_rate("SGP", "8542") == 0.0
    assert mfn_rate("SGP") == 0.0  # documented fallback to the non-agricultural figure
    with pytest.raises(MissingTariffError):
        mfn_rate("SGP", "2208")  # spirits carry specific duties: no cited average


def test_eu_members_use_the_common_external_tariff():
    assert mfn_rate("DEU", "870323") == pytest.approx(0.10)
    assert mfn_rate("FRA", "850760") == pytest.approx(0.027)
    assert mfn_rate("ITA", "6109") == pytest.approx(0.12)  # CN 6109 10 00, 6109 90 20/90
    assert mfn_rate("EU", "6203.42.31") == pytest.approx(0.12)
    # medical instruments are duty-free in the EU (CN 9018 19, 9018 90)
    assert mfn_rate("POL", "901819", on=date(2024, 1, 1)) == 0.0
    assert mfn_rate("DEU", "9018.90.10") == 0.0
    # an HS2022 code the EU's CN2020 (HS2017) lacks: the EU all-products average
    # (5.1%, secondary)
    assert mfn_rate("ROU", "852491", on=date(2024, 1, 1)) == pytest.approx(0.051)
    # the UK applied the EU tariff during the transition, its own afterwards
    assert mfn_rate("GBR", "870323", on=date(2020, 6, 1)) == pytest.approx(0.10)
    assert mfn_rate("GBR", "85444290", on=date(2020, 6, 1)) == pytest.approx(0.033)
    assert mfn_rate("GBR", "85444290", on=date(2021, 6, 1)) == pytest.approx(0.02)
    with pytest.raises(MissingTariffError):
        mfn_rate("GBR", "852491", on=date(2021, 6, 1))  # no UK line, no UK average
    # Poland before accession is not on the EU schedule
    with pytest.raises(MissingTariffError):
        mfn_rate("POL", "8703", on=date(2003, 1, 1))


def test_missing_is_a_shoring_error():
    assert issubclass(MissingTariffError, ShoringError)
    with pytest.raises(MissingTariffError, match="no cited MFN tariff for NOR"):
        mfn_rate("NOR")


def test_mfn_rates_vectorized_equals_scalar():
    importers = ["CHN", "USA", "DEU", "VNM", "USA", "BRA", "FRA", "IND", "IND", "MEX", "CHE"]
    codes = [
        "8703",
        "870431",
        "62",
        None,
        "8507.60",
        "850760",
        "870323",
        "8703",
        "0101",
        None,
        "85",
    ]
    got = mfn_rates(importers, codes, on=date(2024, 1, 1))
    want = [mfn_rate(i, h, date(2024, 1, 1)) for i, h in zip(importers, codes, strict=True)]
    np.testing.assert_allclose(got, want)
    # broadcasting one HS code over many importers
    np.testing.assert_allclose(mfn_rates(["CHN", "DEU"], "870323"), [0.25, 0.10])
    # missing entries: raise by default, NaN on request
    with pytest.raises(MissingTariffError):
        mfn_rates(["CHN", "NOR"])
    out = mfn_rates(["CHN", "NOR", "MEX"], [None, None, "0901"], missing="nan")
    assert out[0] == pytest.approx(0.075) and np.isnan(out[1]) and np.isnan(out[2])


def test_us_battery_override_matches_the_hs6_file(shared_data):
    # the HS6 file's 2018-01-01 rate for US imports of Li-ion batteries is the MFN rate
    us = load_hs6_tariff_events(
        shared_data / "tariffs/us_tariffs_on_china_hs6_2018_2020.csv", "USA", "CHN"
    )
    assert us.rate("850760", date(2018, 1, 1)) == pytest.approx(mfn_rate("USA", "850760"))
    assert us.rate("870323", date(2018, 1, 1)) == pytest.approx(mfn_rate("USA", "870323"))


# ---------------------------------------------------------------- HS6 event tables


@pytest.fixture(scope="module")
def us_on_china(shared_data):
    return load_hs6_tariff_events(
        shared_data / "tariffs/us_tariffs_on_china_hs6_2018_2020.csv", "USA", "CHN"
    )


@pytest.fixture(scope="module")
def china_on_us(shared_data):
    return load_hs6_tariff_events(
        shared_data / "tariffs/china_tariffs_on_us_hs6_2018_2020.csv", "CHN", "USA"
    )


def test_section301_list1_cars(us_on_china):
    # 870323 cars: MFN 2.5% until List 1 took effect on 2018-07-06, then +25 points
    assert us_on_china.rate("870323", date(2018, 7, 5)) == pytest.approx(0.025)
    assert us_on_china.rate("870323", date(2018, 7, 6)) == pytest.approx(0.275)


def test_section301_list3_furniture(us_on_china):
    # 940360 wooden furniture: MFN 0, +10 points on 2018-09-24; +25 points in total from
    # the raise to 25% (announced for 2019-05-10; this file dates it 2019-06-01, the
    # entry deadline for goods exported before 10 May)
    r = us_on_china.rates(
        ["940360"] * 4, [date(2018, 9, 23), date(2018, 9, 24), date(2019, 5, 31), date(2019, 6, 1)]
    )
    np.testing.assert_allclose(r, [0.0, 0.10, 0.10, 0.25])


def test_section301_list4a_tshirts(us_on_china):
    # 610910 cotton T-shirts: MFN 16.5%, +15 points on 2019-09-01, +7.5 from 2020-02-14
    r = us_on_china.rates(
        ["610910"] * 4, [date(2019, 8, 31), date(2019, 9, 1), date(2020, 2, 13), date(2020, 2, 14)]
    )
    np.testing.assert_allclose(r, [0.165, 0.315, 0.315, 0.24])


def test_as_of_edges(us_on_china):
    assert np.isnan(us_on_china.rate("870323", date(2017, 12, 31)))  # before first event
    assert np.isnan(us_on_china.rate("999999", date(2019, 1, 1)))  # unknown HS6
    assert us_on_china.rate(870323, date(2030, 1, 1)) == pytest.approx(0.275)  # int, last
    assert us_on_china.rate("8703.23.01", date(2018, 8, 1)) == pytest.approx(0.275)  # HS8
    assert us_on_china.rate(10121, date(2019, 9, 1)) == pytest.approx(0.15)  # zero padding
    # an empty rate cell in the file means unknown (NaN), not zero
    assert np.isnan(us_on_china.rate("440111", date(2018, 3, 1)))
    assert us_on_china.hs6.dtype.kind == "U" and (np.char.str_len(us_on_china.hs6) == 6).all()


def test_vectorized_equals_scalar(us_on_china, china_on_us):
    rng = np.random.default_rng(7)
    for sched in (us_on_china, china_on_us):
        codes = np.concatenate([rng.choice(sched.hs6, 300), ["999999", "010121"]])
        days = np.datetime64("2017-06-01") + rng.integers(0, 1200, codes.size)
        vec = sched.rates(codes, days)
        scalar = [sched.rate(c, d.astype(object)) for c, d in zip(codes, days, strict=True)]
        np.testing.assert_array_equal(np.isnan(vec), np.isnan(scalar))
        np.testing.assert_allclose(vec[~np.isnan(vec)], np.array(scalar)[~np.isnan(vec)])


def test_china_retaliation_on_us_cars(china_on_us):
    # 870323: MFN 25% cut to 15% on 2018-07-01, +25 points retaliation on 2018-07-06,
    # suspended from 2019-01-01 (file event 2019-01-02)
    r = china_on_us.rates(
        ["870323"] * 5,
        [date(2018, 6, 30), date(2018, 7, 1), date(2018, 7, 6), date(2019, 1, 1), date(2019, 1, 2)],
    )
    np.testing.assert_allclose(r, [0.25, 0.15, 0.40, 0.40, 0.15])
    assert china_on_us.importer == "CHN" and china_on_us.exporter == "USA"


def test_to_frame(us_on_china):
    frame = us_on_china.to_frame()
    assert list(frame.columns) == ["hs6", "date", "rate", "description"]
    row = frame[(frame.hs6 == "870323") & (frame.date == date(2018, 7, 6))]
    assert row.rate.item() == pytest.approx(0.275)
    assert "Motor vehicles" in row.description.item()
    assert frame.hs6.nunique() == 5114


def test_bad_event_file_is_located(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("hs6,time_of_tariff,tariff\n010121,2018-01-01,abc\n0101,2018-13-01,5\n")
    with pytest.raises(ShoringInputError) as err:
        load_hs6_tariff_events(bad, "USA", "CHN")
    text = str(err.value)
    assert "bad.csv:2:tariff" in text
    assert "bad.csv:3:hs6" in text and "bad.csv:3:time_of_tariff" in text
    missing = tmp_path / "missing.csv"
    missing.write_text("hs6,date,rate\n010121,2018-01-01,1\n")
    with pytest.raises(ShoringInputError, match="time_of_tariff"):
        load_hs6_tariff_events(missing, "USA", "CHN")


def test_absent_hs6_is_forward_filled(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text(
        "time_of_tariff,hs6,tariff\n"
        "2018-01-01,010121,5\n2018-01-01,020329,12\n"
        "2018-07-06,020329,37\n"  # 010121 has no row at this event: keeps 5%
        "2019-01-01,010121,\n"  # rate becomes unknown
    )
    s = load_hs6_tariff_events(f, "CHN", "USA")
    np.testing.assert_allclose(
        s.rates(["010121", "020329", "010121"], [date(2018, 8, 1)] * 3), [0.05, 0.37, 0.05]
    )
    assert np.isnan(s.rate("010121", date(2019, 2, 1)))
    assert s.rate("020329", date(2019, 2, 1)) == pytest.approx(0.37)


# ---------------------------------------------------------------- US actions


def test_us_tariff_actions(shared_data):
    actions = load_us_tariff_actions(shared_data / "tariffs/us_tariff_actions.csv")
    assert list(actions.columns) == [
        "date", "imposing", "target", "scope", "rate", "rate_text", "action", "source", "url",
    ]  # fmt: skip
    assert len(actions) == 43
    assert all(isinstance(d, date) for d in actions["date"])
    assert actions["date"].is_monotonic_increasing
    list1 = actions[(actions.date == date(2018, 7, 6)) & (actions.imposing == "USA")]
    assert list1.rate.item() == pytest.approx(0.25)
    assert "List 1" in list1.scope.item()
    list4a_cut = actions[actions.date == date(2020, 2, 14)]
    assert list4a_cut.rate.item() == pytest.approx(0.075)
    # a rate that is not one number stays NaN, with the text kept
    mixed = actions[actions.rate_text == "10 or 25"]
    assert mixed.rate.isna().all() and len(mixed) == 1
    assert actions.url.str.startswith("http").all()


def test_us_actions_bad_date(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(
        "date,imposing,target,scope,rate_pct,action,source,url\n2018-02-30,USA,x,y,25,z,s,u\n"
    )
    with pytest.raises(ShoringInputError, match=r"a\.csv:2:date"):
        load_us_tariff_actions(f)
