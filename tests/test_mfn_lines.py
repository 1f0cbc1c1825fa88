"""Product-level MFN duties: official line rates, AVE of specific duties, basis, messages.

Every expected rate is read from the official schedule (the row is quoted in the
comment); the specific-duty AVEs are worked by hand.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shoring.costs import landed_cost
from shoring.costs.mfn import product_mfn
from shoring.data.cards import data_card
from shoring.data.mfn_lines import fx_usd_per_unit, match_lines, mfn_lines
from shoring.data.schedules import parse_rate
from shoring.data.tariffs import mfn_lookup
from shoring.errors import ShoringInputError
from shoring.network import Network
from shoring.scenario import load_scenario

JULY = dt.date(2025, 7, 1)


def one(importer: str, code: str, value: float = np.nan, weight: float = np.nan):
    found = mfn_lookup([importer], [code], JULY, [value], [weight])
    return float(found.rate[0]), str(found.basis[0])


@pytest.mark.parametrize(
    ("importer", "code", "rate", "basis"),
    [
        # USITC tariff database 2025: 62034245 "16.60%" (HTS 6203.42.45, men's cotton
        # trousers incl. blue denim jeans; 6203.42.40 was split into .07/.45)
        ("USA", "6203.42.45", 0.166, "national-line"),
        ("USA", "6203.42.4511", 0.166, "national-line"),  # HTS10 under the HTS8 line
        ("USA", "8544.30.00", 0.05, "national-line"),  # "5%" wiring sets for vehicles
        ("USA", "9018.90.80", 0.0, "national-line"),  # "Free"
        ("USA", "870431", 0.25, "hs6"),  # 8704.31.01 "25%", the only line of 8704.31
        ("USA", "8507.60.00", 0.034, "national-line"),  # "3.40%"
        # EU CET 2020 (DIT file, cet_duty_rate): 87032311/19/90 all "10.0%"
        ("DEU", "870323", 0.10, "hs6"),
        ("FRA", "850760", 0.027, "hs6"),  # 85076000 "2.7%"
        ("GBR", "85076000", 0.02, "national-line"),  # ukgt_duty_rate "2.0%"
        # Japan 2026: 0201.10-000 基本 (50%), 暫定 38.5%, WTO (50%): the temporary
        # rate replaces the general one; the WTO rate is not lower
        ("JPN", "0201.10.000", 0.385, "national-line"),
        # 8544.30: 基本 無税 on the heading row, WTO (4.8%) on -090: free applies
        ("JPN", "8544.30.090", 0.0, "national-line"),
        # China 2018-01-01 (before the retaliation of 2 April 2018): cars 25%
        ("CHN", "870323", 0.25, "hs6"),
    ],
)
def test_official_line_rates(importer, code, rate, basis):
    got, got_basis = one(importer, code)
    assert got == pytest.approx(rate, abs=1e-12)
    assert got_basis == basis


def test_hs6_with_lines_of_different_rates_is_averaged():
    # US 6203.42: .03 Free, .05 10.3%, .07 16.6%, .17 Free, .25 10.3%, .45 16.6%
    rate, basis = one("USA", "620342")
    assert basis == "hs6-avg"
    assert rate == pytest.approx((0 + 0.103 + 0.166 + 0 + 0.103 + 0.166) / 6)
    match = match_lines(np.array(["USA"]), np.array(["620342"]))
    assert (match.first[0], match.last[0], int(match.count[0])) == ("62034203", "62034245", 6)


def test_specific_duty_as_ad_valorem_equivalent():
    # EU CN 0406 10 30 fresh mozzarella: 185.20 EUR / 100 kg. Goods worth 100 USD, 2 kg:
    # 1.852 EUR/kg x 2 kg = 3.704 EUR x 1.0817 USD/EUR (Fed G.5A 2023) = 4.0066 USD -> 4.0066%
    rate, basis = one("ITA", "04061030", value=100.0, weight=2.0)
    assert basis == "national-line"
    assert rate == pytest.approx(3.704 * 1.0817 / 100.0)
    # US 0406.10.08 "$1.509/kg": 1 kg worth 10 USD -> 15.09%
    assert one("USA", "04061008", 10.0, 1.0)[0] == pytest.approx(0.1509)
    # Japan 0408.19-000: 基本 25% or 60 yen/kg whichever higher; WTO 20% or 48 yen/kg
    # whichever higher (lower than the general rate, so it applies). 1 kg worth 1 USD:
    # 48 yen = 48 / 140.5001 USD = 0.3416 USD -> AVE 34.16% > 20%
    assert one("JPN", "0408.19.000", 1.0, 1.0)[0] == pytest.approx(48 / 140.5001)
    # worth 100 USD: 48 yen is 0.34%, 20% is higher
    assert one("JPN", "0408.19.000", 100.0, 1.0)[0] == pytest.approx(0.20)


def test_rate_parser_forms():
    assert parse_rate("41 cents/kg + 16.3%") == {
        "ad_valorem": pytest.approx(0.163),
        "specific": pytest.approx(0.41),
        "currency": "USD",
        "per": "kg",
        "combine": "+",
    }
    assert parse_rate("12.80% + 176.80 EUR / 100 kg")["specific"] == pytest.approx(1.768)
    assert parse_rate("79.00 GBP/1000kg")["specific"] == pytest.approx(0.079)
    assert parse_rate("$1.50/doz.")["specific"] == pytest.approx(0.125)
    assert parse_rate("(無税)")["ad_valorem"] == 0.0
    assert parse_rate("8.50% (01 JAN-31 MAY, 1 NOV-31 DEC), 12.00% (01 JUN-31 OCT)") is None
    assert parse_rate("Entry Price") is None


def _network(hs_code: str, mfn_rates: list | None = None) -> dict:
    data = {
        "meta": {"name": "mfn-probe", "base_year": 2025},
        "products": [
            {"id": "jeans", "hs_code": hs_code, "unit_value_usd": 10.0, "weight_kg": 0.6},
        ],
        "sites": [
            {
                "id": "vn",
                "country": "VNM",
                "status": "existing",
                "products": ["jeans"],
                "capacity_units": 1e6,
                "fixed_cost_usd": 0.0,
            }
        ],
        "markets": [{"id": "us", "country": "USA"}],
        "demand": [{"market": "us", "product": "jeans", "year": 2025, "units": 1000}],
    }
    if mfn_rates is not None:
        data["mfn_rates"] = mfn_rates
    return data


def test_ambiguous_hs6_is_noted_and_national_code_resolves_it():
    net = Network.from_dict(_network("620342"))
    mfn = product_mfn(net, np.array(["USA", "VNM"]), JULY)
    assert mfn.basis[0, 0] == "hs6-avg"
    assert any("62034203..62034245" in n and "national code" in n for n in mfn.notes)
    net = Network.from_dict(_network("6203.42.45"))
    mfn = product_mfn(net, np.array(["USA"]), JULY)
    assert (mfn.basis[0, 0], mfn.rate[0, 0]) == ("national-line", pytest.approx(0.166))
    assert mfn.notes == ()


def test_user_rate_wins():
    rows = [{"importer": "USA", "hs_code": "6203", "rate": 0.2, "source": "ruling"}]
    rows.append({"importer": "United States", "hs_code": "6203.42", "rate": 0.05})
    net = Network.from_dict(_network("620342", rows))
    assert net.mfn_rates["importer"].tolist() == ["USA", "USA"]
    mfn = product_mfn(net, np.array(["USA"]), JULY)
    assert (mfn.basis[0, 0], mfn.rate[0, 0]) == ("user", 0.05)  # longest prefix wins
    assert mfn.notes == ()


def test_unknown_code_names_the_row():
    with pytest.raises(ShoringInputError) as err:
        Network.from_dict(_network("6203.42.40"))
    problem = err.value.problems[0]
    assert (problem.sheet, problem.field) == ("products", "hs_code")
    assert "6203424" in problem.message and "USA 62034203..62034245" in problem.message
    with pytest.raises(ShoringInputError, match="HS 999999 is not a subheading"):
        Network.from_dict(_network("999999"))
    # a user rate for the code makes it acceptable (another country's national code)
    Network.from_dict(
        _network("6203.42.40", [{"importer": "USA", "hs_code": "620342", "rate": 0.1}])
    )


def test_engine_reports_basis_and_charges_the_line_rate():
    net = Network.from_dict(_network("6203.42.45"))
    ds = landed_cost(net, [load_scenario("baseline")], [2025])
    lane = {"product": "jeans", "market": "us", "year": 2025}
    assert ds["duty_basis"].sel(lane).item() == "national-line"
    assert ds["mfn_rate"].sel(lane).item() == pytest.approx(0.166)


def test_card_and_fx():
    card = data_card("mfn_lines")
    assert card.table == "mfn_lines.csv.gz"
    assert data_card("fx_rates").table == "fx_rates.csv"
    assert fx_usd_per_unit()["JPY"] == pytest.approx(1 / 140.5001)
    lines = mfn_lines()
    assert set(lines["importer"]) == {"USA", "EU", "GBR", "JPN", "CHN"}
    assert lines["ad_valorem"].dropna().between(0, 10).all()


# ------------------------------------------------------------ against the shared files


def test_embedded_table_matches_the_official_files(shared_data):
    folder = shared_data / "tariffs"
    lines = mfn_lines().drop_duplicates(["importer", "code"]).set_index(["importer", "code"])
    rng = np.random.default_rng(7)
    us = pd.read_csv(folder / "us_tariff_database_2025_06062025.csv", dtype=str)
    ad_only = us[us["mfn_rate_type_code"].isin(["0", "7"]) & (us["hts8"].str[:2] < "98")]
    for row in ad_only.iloc[rng.choice(len(ad_only), 60, replace=False)].itertuples():
        assert lines.loc[("USA", row.hts8), "ad_valorem"] == pytest.approx(
            float(row.mfn_ad_val_rate)
        ), row.hts8
    spec = us[(us["mfn_rate_type_code"] == "1") & us["mfn_text_rate"].str.endswith("/kg")]
    spec = spec[spec["hts8"].str[:2] < "98"]
    for row in spec.iloc[rng.choice(len(spec), 20, replace=False)].itertuples():
        assert lines.loc[("USA", row.hts8), "specific"] == pytest.approx(
            float(row.mfn_specific_rate)
        ), row.hts8
    eu = pd.read_csv(folder / "uk_global_tariff_2021_with_eu_cet_2020.csv", dtype=str)
    eu = eu[(eu["commodity"].str.len() == 8) & eu["cet_duty_rate"].str.match(r"^[\d.]+%$")]
    for row in eu.iloc[rng.choice(len(eu), 60, replace=False)].itertuples():
        want = float(row.cet_duty_rate.rstrip("%")) / 100
        assert lines.loc[("EU", row.commodity), "ad_valorem"] == pytest.approx(want)
        if row.ukgt_duty_rate.endswith("%"):
            want = float(row.ukgt_duty_rate.rstrip("%")) / 100
            assert lines.loc[("GBR", row.commodity), "ad_valorem"] == pytest.approx(want)
    cn = pd.read_csv(folder / "china_tariffs_on_us_hs6_2018_2020.csv", dtype={"hs6": str})
    first = cn[cn["time_of_tariff"] == "2018-01-01"]
    for row in first.iloc[rng.choice(len(first), 40, replace=False)].itertuples():
        assert lines.loc[("CHN", row.hs6), "ad_valorem"] == pytest.approx(row.tariff / 100)
