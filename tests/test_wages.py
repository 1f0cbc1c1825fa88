"""Manufacturing labour cost table, API and wage-file loaders."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REQUIRED_ECONOMIES
from shoring.data.paths import TABLES_DIR
from shoring.data.wages import (
    MAX_CITED_GAP,
    MAX_FLAT_YEARS,
    METHODS,
    LabourCostRangeError,
    labour_cost,
    labour_cost_matrix,
    labour_cost_table,
    load_curated_wages,
    load_ilostat_earnings,
    series_checks,
)
from shoring.errors import ShoringError, ShoringInputError

REQUIRED = REQUIRED_ECONOMIES
"""The brief's required economies."""
YEARS = range(2000, 2025)


@pytest.fixture(scope="module")
def table():
    return labour_cost_table()


def test_grid_complete_no_nan_every_row_sourced(table):
    grid = table[table["year"].between(2000, 2024)]
    assert not grid.duplicated(["iso3", "year"]).any()
    cited = table[table["method"].isin(["reported", "derived"])]
    for iso3 in REQUIRED:
        years = set(grid.loc[grid["iso3"] == iso3, "year"])
        first = max(2000, int(cited.loc[cited["iso3"] == iso3, "year"].min()))
        assert years == set(range(first, 2025)), iso3  # every year from the first cited one
    assert table["usd_per_hour"].notna().all()
    assert (table["usd_per_hour"] > 0).all()
    assert table["method"].isin(METHODS).all()
    assert table["url"].str.startswith("http").all()
    assert (table["source"].str.len() > 10).all()
    assert (table["derivation"].str.len() > 0).sum() >= len(table) - 42  # reported may be terse


def test_morocco_is_a_labelled_minimum_wage_proxy(table):
    card = yaml.safe_load((TABLES_DIR / "labour_cost.card.yaml").read_text(encoding="utf-8"))
    assert "MAR" in card["gaps"] and "SMIG" in card["gaps"]
    mar = table[(table["iso3"] == "MAR") & table["method"].isin(["reported", "derived"])]
    assert len(mar) >= 8
    assert mar["derivation"].str.contains("GAP: statutory MINIMUM wage").all()
    # Hand-worked: SMIG MAD 13.46/h (CLEISS 2017) x (1 + 21.09% employer) / MAD-USD 9.69 (IMF rf)
    assert labour_cost("MAR", 2017) == pytest.approx(13.46 * 1.2109 / 9.69, abs=0.005)
    # 2019: 14.13 from 1 July 2019 (decree 2-19-424), so the annual mean is (13.46 + 14.13) / 2
    assert labour_cost("MAR", 2019) == pytest.approx((13.46 + 14.13) / 2 * 1.2109 / 9.62, abs=0.005)
    # 2024: Evalliance SMIG USD 1.61/h x 1.2109
    assert labour_cost("MAR", 2024) == pytest.approx(1.61 * 1.2109, abs=0.005)
    # 2009: SMIG 10.14 until 30 June, 10.64 from 1 July (decree 2-08-292) / MAD-USD 8.06
    assert labour_cost("MAR", 2009) == pytest.approx((10.14 + 10.64) / 2 * 1.2109 / 8.06, abs=0.001)
    # 2005: SMIG 9.66 from 1 July 2004 (L'Economiste 2004-06-21) / MAD-USD 8.87
    assert labour_cost("MAR", 2005) == pytest.approx(9.66 * 1.2109 / 8.87, abs=0.001)
    # before the first anchor (2003, SMIG 8.78 at MAD-USD 9.57) the cost is undefined
    assert labour_cost("MAR", 2003) == pytest.approx(8.78 * 1.2109 / 9.57, abs=0.005)
    with pytest.raises(LabourCostRangeError, match="no cited figure before 2003"):
        labour_cost("MAR", 2002, extrapolate=True)


def test_years_before_the_first_cited_figure_are_undefined(table):
    # Chile's only figure is INE 2024 (CLP 7,522 = USD 7.98): no row before it, and no
    # history grown back at other series' trends (it was 1.49 in 2000 at +7.25 %/yr).
    chl = table[table["iso3"] == "CHL"]
    assert chl["year"].tolist() == [2024]
    assert labour_cost("CHL", 2024) == pytest.approx(7.98)
    with pytest.raises(LabourCostRangeError, match=r"CHL in 2023.*wage_usd_per_hour"):
        labour_cost_matrix(["CHL", "USA"], [2023, 2024], extrapolate=True)
    # extrapolate=True still extends forward from the last figure
    assert labour_cost("CHL", 2026, extrapolate=True) > 7.98
    # no economy has a row before its first cited one (1997 BLS anchors are cited)
    first_cited = table[table["method"].isin(["reported", "derived"])].groupby("iso3")["year"].min()
    first_row = table.groupby("iso3")["year"].min()
    assert (first_row == first_cited).all()


@pytest.mark.parametrize(
    ("iso3", "year", "value"),
    [
        ("USA", 2010, 34.81),  # BLS 2008-2012 final release (revised; 34.74 in 2011 release)
        ("USA", 2012, 35.67),  # BLS final ILC release
        ("DEU", 2010, 43.76),  # BLS 2010 release, Table 1
        ("MEX", 2010, 6.23),  # BLS 2010 release via IndustryWeek
        ("KOR", 2010, 16.62),
        ("CHN", 2008, 1.36),  # Banister & Cook, MLR March 2011
        ("CHN", 2009, 1.74),  # BLS revised China series
        ("CHN", 2013, 4.12),  # Conference Board ILC, curated file
        ("USA", 2015, 37.71),  # Conference Board ILC
        ("IND", 2005, 0.91),  # BLS MLR May 2010 (organized sector)
    ],
)
def test_reported_figures_match_publications(iso3, year, value):
    assert labour_cost(iso3, year) == pytest.approx(value, abs=0.005)


def test_derived_rows_follow_their_stated_arithmetic():
    # NBS 2023 manufacturing wage CNY 103,932 / 2,000 h / CNY-USD 7.0809 (Fed G.5A 2023)
    assert labour_cost("CHN", 2023) == pytest.approx(103932 / 2000 / 7.0809, abs=0.005)
    # Destatis 2023 manufacturing EUR 46.00 x USD/EUR 1.0817
    assert labour_cost("DEU", 2023) == pytest.approx(46.00 * 1.0817, abs=0.005)
    # JETRO FY2019 Thailand USD 446/month x 12 / 2,000 h
    assert labour_cost("THA", 2019) == pytest.approx(446 * 12 / 2000, abs=0.005)
    # Eurostat 2017 whole economy: Italy EUR 28.2, Czechia EUR 11.3 x USD/EUR 1.1301 (Fed G.5A 2017)
    assert labour_cost("ITA", 2017) == pytest.approx(28.2 * 1.1301, abs=0.005)
    assert labour_cost("CZE", 2017) == pytest.approx(11.3 * 1.1301, abs=0.005)
    # DANE EAM 2018: COP 21.6 trillion / 582,775 directly hired / 2,000 h / COP-USD 2,955.70
    assert labour_cost("COL", 2018) == pytest.approx(21.6e12 / 582775 / 2000 / 2955.70, abs=0.005)
    # DANE EAM 2015: COP 16.9 trillion / (80% of 711,827) / 2,000 h / COP-USD 2,741.88
    assert labour_cost("COL", 2015) == pytest.approx(16.9e12 / 569461.6 / 2000 / 2741.88, abs=0.005)
    # INEI 2022-23 manufacturing USD 430.3/month x 12 / 2,000 h x 1.09 (EsSalud 9%)
    assert labour_cost("PER", 2022) == pytest.approx(430.3 * 12 / 2000 * 1.09, abs=0.005)
    # Eurostat 2022 Romania EUR 9.5 x USD/EUR 1.0534 (Fed G.5A 2022)
    assert labour_cost("ROU", 2022) == pytest.approx(9.5 * 1.0534, abs=0.005)
    # Destatis 2020 manufacturing EUR 41.60 x 1.1410
    assert labour_cost("DEU", 2020) == pytest.approx(41.60 * 1.1410, abs=0.005)
    # PBS LFS 2020-21 average monthly wage PKR 24,028 x 12 / 2,000 h / mean of the IMF IFS
    # 2020 and 2021 averages (161.84, 162.91): the July-June fiscal year spans both
    assert labour_cost("PAK", 2021) == pytest.approx(24028 * 12 / 2000 / 162.375, abs=0.001)
    # BLS 2007 release: Mexico 12% of the US 2005 level (2006 level 29.60 / (1 - 0.005))
    assert labour_cost("MEX", 2005) == pytest.approx(0.12 * 29.60 / 0.995, abs=0.005)
    # Statistics Finland 2012: EUR 31.6 per hour worked x USD/EUR 1.2859 (Fed G.5A 2012)
    assert labour_cost("FIN", 2012) == pytest.approx(31.6 * 1.2859, abs=0.005)
    # Lett & Banister 2004: city 1.19, TVE 0.45, weighted by the 2002 split (0.57-0.41)/(0.95-0.41)
    city = (0.57 - 0.41) / (0.95 - 0.41)
    assert labour_cost("CHN", 2004) == pytest.approx(city * 1.19 + (1 - city) * 0.45, abs=0.001)


def test_korea_brazil_canada_anchors_follow_their_stated_arithmetic():
    # MOEL labour-cost survey FY2013: KRW 5,227 thousand a month / 185.0 h / KRW-USD 1094.67
    assert labour_cost("KOR", 2013) == pytest.approx(5227e3 / 185.0 / 1094.67, abs=0.005)
    # FY2023: KRW 6,958 thousand / 170.5 h / 1306.7637 (Fed G.5A 2023)
    assert labour_cost("KOR", 2023) == pytest.approx(6958e3 / 170.5 / 1306.7637, abs=0.005)
    # BLS 2011 Table 3: Brazil 11.65 total / (11.65 - 3.72 social insurance) direct pay;
    # IBGE PIA 2019 manufacturing BRL 301.7 bn / 7.426 mn persons / 2,000 h / BRL-USD 3.9440
    brazil = 11.65 / (11.65 - 3.72)
    pia_2019 = 301.7e9 / 7.426e6
    assert labour_cost("BRA", 2019) == pytest.approx(pia_2019 * brazil / 2000 / 3.944, abs=0.005)
    # 2014: 3.5 minimum wages of BRL 724 over 13 payments, BRL-USD 2.3512
    pia_2014 = 3.5 * 724 * 13
    assert labour_cost("BRA", 2014) == pytest.approx(pia_2014 * brazil / 2000 / 2.3512, abs=0.005)
    # Canada: LFS hourly wage x BLS 2011 total (36.56) / pay for time worked (25.48) / CAD-USD
    assert labour_cost("CAN", 2018) == pytest.approx(26.34 * 36.56 / 25.48 / 1.2957, abs=0.005)
    assert labour_cost("CAN", 2023) == pytest.approx(33.45 * 36.56 / 25.48 / 1.3494, abs=0.005)
    # BLS 2007 release indexes (US = 100) x the US level: Korea 48% (2005), Canada 104% (2007)
    assert labour_cost("KOR", 2005) == pytest.approx(0.48 * 29.60 / 0.995, abs=0.005)
    assert labour_cost("CAN", 2007) == pytest.approx(1.04 * 32.26 / 1.024, abs=0.005)


def test_china_wage_rise_documented():
    assert labour_cost("CHN", 2020) > 3 * labour_cost("CHN", 2005)
    chn = labour_cost_matrix(["CHN"], list(range(2002, 2025))).sel(country="CHN").to_numpy()
    assert chn[-1] > 10 * chn[0]  # 0.57 (BLS 2002, the first cited figure) -> 7.34 (2023-24)


def test_interpolated_rows_are_log_linear_between_anchors(table):
    # Hand-worked: CHN 2006 between 2004 = 0.669 (Lett & Banister, city/TVE weighted) and
    # 2008 = 1.36, half way in log space
    assert labour_cost("CHN", 2006) == pytest.approx(math.sqrt(0.669 * 1.36), abs=0.005)
    # Every interpolated row equals the rule applied to its neighbouring anchors.
    anchors = table[table["method"].isin(["reported", "derived"])]
    for row in table[table["method"] == "interpolated"].itertuples():
        own = anchors[anchors["iso3"] == row.iso3].sort_values("year")
        lo = own[own["year"] < row.year].iloc[-1]
        hi = own[own["year"] > row.year].iloc[0]
        share = (row.year - lo["year"]) / (hi["year"] - lo["year"])
        expected = lo["usd_per_hour"] * (hi["usd_per_hour"] / lo["usd_per_hour"]) ** share
        assert row.usd_per_hour == pytest.approx(expected, abs=0.006), (row.iso3, row.year)


def test_extrapolated_rows_follow_a_stated_trend(table):
    ext = table[table["method"] == "extrapolated"]
    assert len(ext) > 0
    assert not ext["derivation"].str.contains("flat").any()
    assert ext["derivation"].str.contains(r"grown at [+-]\d+\.\d+%/yr").all()
    # Hand-worked: USA after BLS ECEC 2020 = 39.86 at its own trend from CB 2015 = 37.71
    growth = (39.86 / 37.71) ** (1 / 5)
    assert labour_cost("USA", 2024) == pytest.approx(39.86 * growth**4, abs=0.005)
    row = table[(table["iso3"] == "USA") & (table["year"] == 2024)].iloc[0]
    assert "own cited trend 2015-2020" in row["derivation"]
    # A series without 5 years of cited span (Peru: INEI 2022 only) says it takes the median
    # of the other series' trends.
    per = table[(table["iso3"] == "PER") & (table["year"] == 2024)].iloc[0]
    assert "median of" in per["derivation"]


def test_no_series_carried_flat_more_than_three_years(table):
    # A value repeated over more than 4 years may only come from cited anchors that are
    # themselves that close (a cited trend below a cent a year, e.g. 6.23 to 6.20 over 13 years).
    for iso3, group in table[table["year"] >= 2000].groupby("iso3"):
        group = group.sort_values("year")
        values = group["usd_per_hour"].to_numpy()
        fills = group["method"].to_numpy() == "extrapolated"
        derivations = group["derivation"].to_numpy()
        start = 0
        for i in range(1, len(values) + 1):
            if i == len(values) or values[i] != values[start]:
                if i - start > 4:  # only a cited trend below a cent a year may repeat
                    for text in derivations[start:i][fills[start:i]]:
                        assert re.search(r"grown at [+-]0\.0\d%/yr", text), (iso3, text)
                start = i


def test_new_economies_match_bls_and_conference_board():
    # BLS ILC 2010 release, Table 1 (all employees, USD/hour), and CB ILC 2015
    for iso3, v1997, v2010 in [
        ("SWE", 24.97, 43.81),
        ("PRT", 6.38, 11.72),
        ("AUS", 19.10, 40.60),
        ("SGP", 12.15, 19.10),
        ("ARG", 7.43, 12.66),
    ]:
        assert labour_cost(iso3, 1997) == pytest.approx(v1997)
        assert labour_cost(iso3, 2010) == pytest.approx(v2010)
    assert labour_cost("SWE", 2015) == pytest.approx(41.68)
    assert labour_cost("AUS", 2015) == pytest.approx(38.75)
    # Eurostat 2017 whole economy EUR 14.10 (Portugal) x USD/EUR 1.1301
    assert labour_cost("PRT", 2017) == pytest.approx(14.10 * 1.1301, abs=0.005)


def test_matrix_shape_labels_and_errors():
    arr = labour_cost_matrix(["USA", "CHN", "MEX"], [2010, 2013])
    assert arr.dims == ("country", "year")
    assert arr.shape == (3, 2)
    assert arr.attrs["units"] == "USD/hour"
    np.testing.assert_allclose(arr.sel(country="USA").to_numpy(), [34.81, 36.34])
    with pytest.raises(LabourCostRangeError, match="2002-2024") as info:
        labour_cost_matrix(["CHN"], [2030])
    assert isinstance(info.value, ShoringError)
    out = labour_cost_matrix(["CHN"], [2030], extrapolate=True)
    # Hand-worked: NBS-derived 2018 = 5.45 and 2023 = 7.34 set the trend beyond 2024
    growth = (7.34 / 5.45) ** (1 / 5)
    assert float(out.item()) == pytest.approx(labour_cost("CHN", 2024) * growth**6, rel=1e-9)
    with pytest.raises(LabourCostRangeError, match="XXX"):
        labour_cost_matrix(["XXX"], [2010])


# ------------------------------------------------------------------ loaders (shared data)


def test_load_curated_wages(shared_data):
    df = load_curated_wages(shared_data / "wages" / "wages_manufacturing.csv")
    row = df[(df["iso3"] == "CHN") & (df["year"] == 2013) & (df["unit"] == "USD/hour")]
    assert row["value"].tolist() == [4.12]
    usa10 = df[(df["iso3"] == "USA") & (df["year"] == 2010)]["value"]
    assert sorted(usa10) == [34.74, 34.81]  # both BLS releases kept in the curated file
    more = load_curated_wages(shared_data / "wages" / "wages_manufacturing_more.csv")
    assert "USD/month" in set(more["unit"])
    tha = more[(more["iso3"] == "THA") & (more["year"] == 2019)]["value"]
    assert tha.tolist() == [446]


def test_embedded_reported_rows_agree_with_curated_file(shared_data, table):
    curated = load_curated_wages(shared_data / "wages" / "wages_manufacturing.csv")
    usd = curated[curated["unit"] == "USD/hour"]
    rep = table[table["method"] == "reported"]
    merged = rep.merge(usd, on=["iso3", "year"])
    assert len(merged) >= 30
    # every embedded reported figure appears in the curated file for that economy-year
    ok = merged.groupby(["iso3", "year"]).apply(
        lambda g: np.isclose(g["usd_per_hour"].iloc[0], g["value"]).any(), include_groups=False
    )
    assert ok.all(), ok[~ok]


def test_load_ilostat_earnings(shared_data):
    df = load_ilostat_earnings(
        shared_data / "wages" / "ilostat_avg_monthly_earnings_ppp2021_2014_2024.csv"
    )
    assert df["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert df["iso3"].nunique() > 100
    assert "CHN" not in set(df["iso3"])  # the extract has no China
    afg = df[(df["iso3"] == "AFG") & (df["year"] == 2020)]
    assert afg["earnings_ppp"].tolist() == [pytest.approx(836.263)]


def test_loader_errors_name_the_problem(tmp_path):
    bad = tmp_path / "w.csv"
    bad.write_text("iso3,year,value,unit\nCHN,2010,x,USD/hour\n", encoding="utf-8")
    with pytest.raises(ShoringInputError, match="measure"):
        load_curated_wages(bad)
    bad.write_text(
        "iso3,year,value,unit,measure,source,url\nCHINA,2010,x,USD/hour,m,s,u\n", encoding="utf-8"
    )
    with pytest.raises(ShoringInputError) as info:
        load_curated_wages(bad)
    text = str(info.value)
    assert "w.csv:2:iso3" in text and "w.csv:2:value" in text
    ilo = tmp_path / "ilo.csv"
    ilo.write_text(
        "country,source,year,earnings_ppp,obs_status,note_indicator\nNarnia,LFS,2020,1,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ShoringInputError, match=r"ilo\.csv:2:country: unknown country 'Narnia'"):
        load_ilostat_earnings(ilo)


def test_new_economies_follow_their_stated_arithmetic():
    # Stats SA QES Dec 2019: ZAR 22,115/month x 12 / 2,000 h / ZAR 14.4475 x (1 + UIF 1% + SDL 1%)
    assert labour_cost("ZAF", 2019) == pytest.approx(22115 * 12 / 2000 / 14.4475 * 1.02, abs=5e-3)
    # JETRO Addis Ababa worker USD 46/month (2020) x 12 / 2,000 h x (1 + 11% employer pension)
    assert labour_cost("ETH", 2020) == pytest.approx(46 * 12 / 2000 * 1.11, abs=5e-3)
    # Cambodia garment minimum wage USD 190 (2020) x 12 / 2,000 h x (1 + 0.8% + 2.6% NSSF)
    assert labour_cost("KHM", 2020) == pytest.approx(190 * 12 / 2000 * 1.034, abs=5e-3)
    # Eurostat 2019 Portugal EUR 14.60 x USD/EUR 1.1194 (Fed G.5A 2019)
    assert labour_cost("PRT", 2019) == pytest.approx(14.60 * 1.1194, abs=5e-3)
    # BLS 2010 release, Table 1: Norway 57.53, New Zealand 20.57
    assert labour_cost("NOR", 2010) == pytest.approx(57.53)
    assert labour_cost("NZL", 2010) == pytest.approx(20.57)


def test_ilo_and_asi_earnings_anchors_follow_their_stated_arithmetic():
    # ILO manufacturing earnings (China Statistical Yearbook 2012, table 5-8), 2,000 h/year:
    # Thailand 2007 THB 6,999.2/month at THB 34.52 (IMF IFS via IndexMundi)
    assert labour_cost("THA", 2007) == pytest.approx(6999.2 * 12 / 2000 / 34.52, abs=5e-4)
    # South Africa 2005 ZAR 6,546.5/month at ZAR 6.36 (WDI) x (1 + UIF 1% + SDL 1%)
    assert labour_cost("ZAF", 2005) == pytest.approx(6546.5 * 12 / 2000 / 6.36 * 1.02, abs=5e-4)
    # Egypt 2000 EGP 125/week x 52 at EGP 3.47 (WDI)
    assert labour_cost("EGY", 2000) == pytest.approx(125 * 52 / 2000 / 3.47, abs=5e-4)
    # India ASI 2009-10 Rs 75,277/worker/year at the mean of WDI 2009 48.41 and 2010 45.73
    assert labour_cost("IND", 2010) == pytest.approx(75277 / 2000 / ((48.41 + 45.73) / 2), abs=5e-4)
    # BPS industrial workers Q2/Q3 2009 (Rp1,119,196; Rp1,156,492) at IDR 10,389.94 (IMF IFS)
    idn = (1119196 + 1156492) / 2 * 12 / 2000 / 10389.94
    assert labour_cost("IDN", 2009) == pytest.approx(idn, abs=5e-4)
    # JETRO 2024-04-15: Viet Nam worker base salary mean USD 273/month
    assert labour_cost("VNM", 2023) == pytest.approx(273 * 12 / 2000, abs=5e-4)
    # Bangladesh garment minimum wage Tk 3,000 (from 1 November 2010) at BDT 74.15 (2011)
    assert labour_cost("BGD", 2011) == pytest.approx(3000 * 12 / 2000 / 74.15, abs=5e-4)
    # South Africa QES August 2014 R15,770 (all formal non-agricultural) at ZAR 10.842 x 1.02
    assert labour_cost("ZAF", 2014) == pytest.approx(15770 * 12 / 2000 / 10.842 * 1.02, abs=5e-4)


def test_at_least_45_economies_with_a_cited_figure_each():
    table = labour_cost_table()
    cited = table[table["method"].isin(["reported", "derived"])]
    assert cited["iso3"].nunique() >= 45
    assert set(cited["iso3"]) == set(table["iso3"])  # no economy without a cited anchor
    issue_8 = "SWE PRT ZAF SGP AUS EGY PAK LKA CHL COL PER ARG PHL KHM NGA KEN ETH SAU ARE"
    for iso3 in issue_8.split():
        assert iso3 in set(cited["iso3"]), iso3


def test_card_lists_every_economys_cited_years():
    from shoring.data.cards import data_card
    from shoring.data.wages import labour_cost_series

    series = data_card("labour_cost").series
    table = labour_cost_table()
    assert series is not None and set(series) == set(table["iso3"])
    assert series["USA"].startswith("cited 1997, 2000, 2002, 2004-2013, 2015, 2020")
    assert labour_cost_series("usa") == series["USA"]
    assert labour_cost_series("PER") == series["PER"] and "median of" in series["PER"]
    assert "extrapolated 2021-2024 at own cited trend 2015-2020" in series["USA"]


def _rows(iso3, values, methods, derivation=""):
    return pd.DataFrame(
        {
            "iso3": iso3,
            "year": range(2000, 2000 + len(values)),
            "usd_per_hour": values,
            "method": methods,
            "derivation": derivation,
        }
    )


def test_series_checks_catch_flat_carries_and_uncited_stretches():
    # Hand-made: AAA carried at a fallback rate (+0.1%/yr) for 5 years after its 2000 anchor;
    # BBB equally flat but at its own cited trend; CCC cited in 2000, 2005, 2010.
    flat = [10 * 1.001**k for k in range(6)]
    table = pd.concat(
        [
            _rows("AAA", flat, ["reported"] + ["extrapolated"] * 5, "median of 20 series"),
            _rows("BBB", flat, ["reported"] + ["extrapolated"] * 5, "own cited trend 1997-2000"),
            _rows(
                "CCC",
                [1.0 * 1.05**k for k in range(11)],
                ["reported", *["interpolated"] * 4] * 2 + ["derived"],
            ),
        ]
    )
    checks = series_checks(table)
    assert checks.loc["AAA", "flat_uncited"] == 5 and checks.loc["AAA", "flat_years"] == "2001-2005"
    assert checks.loc["BBB", "flat_uncited"] == 0
    assert checks.loc["AAA", "uncited_run"] == 5
    assert checks.loc["CCC", "uncited_run"] == 4  # a cited figure every 5 years
    assert checks.loc["CCC", "uncited_years"] == "2001-2004"


def test_no_value_carried_flat_without_a_cited_reason(table):
    checks = series_checks(table)
    assert (checks["flat_uncited"] <= MAX_FLAT_YEARS).all(), checks[checks["flat_uncited"] > 3]


def test_card_lists_cited_years_methods_and_every_uncited_stretch(table):
    card = yaml.safe_load((TABLES_DIR / "labour_cost.card.yaml").read_text(encoding="utf-8"))
    economies = set(table["iso3"])
    assert set(card["series"]) == economies
    for iso3, text in card["series"].items():
        cited = table[(table["iso3"] == iso3) & table["method"].isin(["reported", "derived"])]
        assert text.startswith("cited ") and str(cited["year"].min()) in text, iso3
        others = set(table.loc[table["iso3"] == iso3, "method"]) - {"reported", "derived"}
        assert all(m in text for m in others), iso3
    # The card names every economy without a cited figure at least every 5 years, and only
    # those, with the stretch (the target is met where an economy is not listed).
    checks = series_checks(table)
    short = checks[checks["uncited_run"] >= MAX_CITED_GAP]
    assert set(card["cited_gaps"]) == set(short.index)
    for iso3, row in short.iterrows():
        assert f"{row.uncited_years} ({row.uncited_run} years)" in card["cited_gaps"][iso3]


def test_added_economies_follow_their_stated_arithmetic():
    # BLS production workers, Sri Lanka, USD/hour (November 2009 archive)
    assert labour_cost("LKA", 2000) == pytest.approx(0.48)
    assert labour_cost("LKA", 2005) == pytest.approx(0.54)
    # JETRO 2016 Sri Lanka worker USD 165/month x 12 / 2,000 h x (1 + EPF 12% + ETF 3%)
    assert labour_cost("LKA", 2016) == pytest.approx(165 * 12 / 2000 * 1.15, abs=5e-3)
    # JETRO FY2017 Dubai general worker USD 1,331/month x 12 / 2,000 h; the IMD 2009 total
    # compensation (USD 3.38/h) is not linked to it by anything cited, so ARE starts in 2017
    assert labour_cost("ARE", 2017) == pytest.approx(1331.0 * 12 / 2000, abs=5e-3)
    with pytest.raises(LabourCostRangeError, match="ARE"):
        labour_cost("ARE", 2016)
    # CGD Kenya USD 2,118 per worker-year / 2,000 h
    assert labour_cost("KEN", 2013) == pytest.approx(2118 / 2000, abs=5e-3)
    # BLS US all employees: 2006 = 29.60 (TED 2008-02-12); 2004 back at the Table 10 changes
    # (2006 -0.5%, 2005 +2.7%); 2007 = 2008 level 32.26 / 1.024 (TED 2010-09-01)
    assert labour_cost("USA", 2006) == pytest.approx(29.60)
    assert labour_cost("USA", 2004) == pytest.approx(29.60 / 0.995 / 1.027, abs=5e-3)
    assert labour_cost("USA", 2007) == pytest.approx(32.26 / 1.024, abs=5e-3)
    card = yaml.safe_load((TABLES_DIR / "labour_cost.card.yaml").read_text(encoding="utf-8"))
    assert "USA" not in card["cited_gaps"]  # a cited US figure at least every 5 years


def test_level_carried_with_national_growth_anchors():
    # Hand-worked (inputs read in the cited sources): a cited level in national currency,
    # grown with a cited national earnings series, at the cited annual exchange rate.
    aus = 38.75 * 1.3294 * 1658.40 / 1500.50 / 1.4384  # CB 2015 x ABS AWE Nov 2019/Nov 2015
    gbr = 26.30 * 0.88471 * 1.029 * 728 / 585 * 1.2785  # Destatis 2018 x ASHE 2019, 2024
    sgp = 22.60 * 1.2565 * 4437 / 3249 / 1.3486  # BLS 2011 x MOM median income 2018/2011
    prt = 8.13 * 1.038**6 / (1.044 * 1.042) / 0.804  # LCS 2000 x BLS Table 10 growth
    for iso3, year, expected in (
        ("AUS", 2019, aus),
        ("GBR", 2024, gbr),
        ("SGP", 2018, sgp),
        ("PRT", 2004, prt),
    ):
        assert labour_cost(iso3, year) == pytest.approx(expected, abs=0.0015), (iso3, year)


def test_extrapolation_takes_the_more_moderate_of_recent_and_long_run_trends(table):
    # Mexico's anchors: 2000 (BLS index x US level), 2018 (INEGI/IMSS 3.76), 2023 (6.20).
    # Recent 2018-2023: +10.5 %/yr (minimum-wage rises, strong peso); long-run 2000-2023
    # is smaller, so 2024 = 6.20 grown one year at the long-run rate.
    m2000, m2018, m2023 = (labour_cost("MEX", y) for y in (2000, 2018, 2023))
    recent = (m2023 / m2018) ** (1 / 5) - 1
    long_run = (m2023 / m2000) ** (1 / 23) - 1
    assert recent == pytest.approx(0.105, abs=0.001) and abs(long_run) < abs(recent)
    assert labour_cost("MEX", 2024) == pytest.approx(m2023 * (1 + long_run), abs=0.005)
    row = table[(table["iso3"] == "MEX") & (table["year"] == 2024)].iloc[0]
    assert (
        "2000-2023" in row["derivation"]
        and "more moderate than the recent 2018-2023" in (row["derivation"])
    )
    # China: the recent trend 2018-2023 (5.45 -> 7.34) is the more moderate one
    assert labour_cost("CHN", 2026, extrapolate=True) == pytest.approx(
        labour_cost("CHN", 2024) * (7.34 / 5.45) ** (2 / 5), rel=1e-9
    )


def test_wage_basis_says_where_each_figure_comes_from():
    from shoring.data.wages import wage_basis, wage_method

    assert wage_basis(True, "USA", 2030).startswith("site's wage_usd_per_hour")
    assert wage_basis(False, "USA", 2020).startswith("USA 2020, reported")  # BLS ECEC 2020
    assert wage_method("USA", 2024) == "extrapolated"  # last cited figure 2020
    assert "extrapolated after 2024 at the stated trend" in wage_basis(False, "USA", 2030)
