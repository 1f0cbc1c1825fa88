"""Reshoring index, import concentration, China+1: worked examples and Kearney's values."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from shoring.macro.indices import (
    KEARNEY_ASIAN_LCC,
    china_plus_one,
    import_concentration,
    manufacturing_import_ratio,
    reshoring_index,
    reshoring_table,
)

# Published Kearney figures used below (the index values themselves are read from
# ../shared/data/indices/kearney_reshoring_index.csv):
# - MIR 2022 = 14.1 % ("14.1 cents ... for every $1 of domestic production, down from
#   14.49 cents in 2021"), Consulting.us 2023,
#   https://www.consulting.us/news/9017/reshoring-has-matured-into-a-commercial-reality-says-kearney
# - 2019: imports from the 14 Asian LCCs USD 757 bn, US manufacturing gross output USD
#   6.27 trillion (7th report, HomeWorld Business 2020,
#   https://www.homeworldbusiness.com/kearney-trade-war-drove-down-u-s-china-imports/)
# - MIR 2018 = 13.1 % (WSJ 2019-07-10 as quoted by The Cambodia Daily,
#   https://english.cambodiadaily.com/business/reshoring-report-finds-factory-work-not-returning-to-u-s-151171/)
MIR_2022 = 0.1410
IMPORTS_2019_BN, OUTPUT_2019_BN = 757.0, 6270.0
MIR_2018_PCT = 13.1


def _published(shared_data) -> dict[int, dict]:
    frame = pd.read_csv(shared_data / "indices" / "kearney_reshoring_index.csv")
    return {int(r.year): r._asdict() for r in frame.itertuples(index=False)}


def test_index_arithmetic_worked_example() -> None:
    # MIR 10 % -> 10.5 % is offshoring of 50 bp: index -50; then 10.5 % -> 10.2 %: +30;
    # 2024 is missing, so 2025 has no index.
    mir = manufacturing_import_ratio([100.0, 105.0, 102.0, 99.0], [1000.0, 1000.0, 1000.0, 0.0])
    np.testing.assert_allclose(mir[:3], [0.10, 0.105, 0.102])
    assert np.isnan(mir[3])  # no output: undefined
    index = reshoring_index([2021, 2022, 2023, 2025], [0.10, 0.105, 0.102, 0.11])
    assert np.isnan(index[0]) and np.isnan(index[3])
    np.testing.assert_allclose(index[1:3], [-50.0, 30.0])


@pytest.mark.shared_data
def test_kearney_index_from_published_mirs(shared_data) -> None:
    pub = _published(shared_data)
    mir_2020, mir_2021 = pub[2020]["mir_pct"] / 100, pub[2021]["mir_pct"] / 100
    index = reshoring_index([2020, 2021, 2022], [mir_2020, mir_2021, MIR_2022])
    assert index[1] == pytest.approx(pub[2021]["reshoring_index_bp"], abs=1e-9)  # -154
    assert index[2] == pytest.approx(pub[2022]["reshoring_index_bp"], abs=1e-9)  # +39


@pytest.mark.shared_data
def test_kearney_index_from_published_inputs_within_rounding(shared_data) -> None:
    # The inputs are published rounded (USD bn, 0.1 %); the published index must lie in
    # the range of indices the unrounded inputs can give.
    pub = _published(shared_data)
    lo19 = manufacturing_import_ratio(IMPORTS_2019_BN - 0.5, OUTPUT_2019_BN + 5)
    hi19 = manufacturing_import_ratio(IMPORTS_2019_BN + 0.5, OUTPUT_2019_BN - 5)
    # 2019 index: MIR 2018 in [13.05, 13.15] %
    worst = reshoring_index([2018, 2019], [(MIR_2018_PCT - 0.05) / 100, hi19])[1]
    best = reshoring_index([2018, 2019], [(MIR_2018_PCT + 0.05) / 100, lo19])[1]
    assert worst <= pub[2019]["reshoring_index_bp"] <= best  # 98
    # 2020 index: MIR 2020 = 12.95 % (published to 0.01 %)
    mir_2020 = pub[2020]["mir_pct"] / 100
    worst = reshoring_index([2019, 2020], [lo19, mir_2020 + 0.00005])[1]
    best = reshoring_index([2019, 2020], [hi19, mir_2020 - 0.00005])[1]
    assert worst <= pub[2020]["reshoring_index_bp"] <= best  # -87


def test_reshoring_table_sums_the_14_countries() -> None:
    assert len(set(KEARNEY_ASIAN_LCC)) == 14
    imports = pd.DataFrame(
        {
            "year": [2020, 2020, 2020, 2021, 2021],
            "partner": ["CHN", "VNM", "MEX", "CHN", "VNM"],
            "value": [80.0, 20.0, 500.0, 70.0, 40.0],
        }
    )
    output = pd.DataFrame({"year": [2020, 2021], "value": [1000.0, 1000.0]})
    table = reshoring_table(imports, output)
    # Mexico is not one of the 14: MIR 2020 = 100/1000, 2021 = 110/1000 -> index -100 bp
    np.testing.assert_allclose(table["mir"], [0.10, 0.11])
    assert np.isnan(table["index_bp"][0])
    assert table["index_bp"][1] == pytest.approx(-100.0)
    assert list(table["partners_reported"]) == [2, 2]


FLOWS = pd.DataFrame(
    {
        "product": ["850760"] * 5 + ["940360"] * 2,
        "year": [2022, 2022, 2022, 2023, 2023, 2023, 2023],
        "partner": ["CHN", "KOR", "VNM", "CHN", "VNM", "CHN", "CHN"],
        "value": [60.0, 30.0, 10.0, 40.0, 60.0, 5.0, 5.0],
    }
)


def test_import_concentration_worked_example() -> None:
    # 850760 in 2022: shares .6, .3, .1 -> HHI .36 + .09 + .01 = .46, 1/.46 partners
    # 850760 in 2023: .4, .6 -> .16 + .36 = .52; 940360 in 2023: all China -> 1
    table = import_concentration(FLOWS).set_index(["product", "year"])
    assert table.loc[("850760", 2022), "hhi"] == pytest.approx(0.46)
    assert table.loc[("850760", 2022), "hhi_points"] == pytest.approx(4600)
    assert table.loc[("850760", 2022), "equivalent_partners"] == pytest.approx(1 / 0.46)
    assert table.loc[("850760", 2022), "top_partner"] == "CHN"
    assert table.loc[("850760", 2023), "hhi"] == pytest.approx(0.52)
    assert table.loc[("850760", 2023), "top_partner"] == "VNM"
    assert table.loc[("940360", 2023), "hhi"] == pytest.approx(1.0)  # two rows, one partner
    assert table.loc[("940360", 2023), "n_partners"] == 1


def test_china_plus_one_worked_example() -> None:
    # 850760: China 60 % -> 40 %: diversification +2,000 bp; alternatives 2022 KOR 30,
    # VNM 10 -> HHI (.75^2 + .25^2) = .625; 2023 only VNM -> 1, top alternative VNM 60 %
    table = china_plus_one(FLOWS).set_index(["product", "year"])
    assert table.loc[("850760", 2022), "china_share"] == pytest.approx(0.6)
    assert table.loc[("850760", 2022), "alternatives_hhi"] == pytest.approx(0.625)
    assert table.loc[("850760", 2022), "top_alternative"] == "KOR"
    assert np.isnan(table.loc[("850760", 2022), "diversification_bp"])
    assert table.loc[("850760", 2023), "diversification_bp"] == pytest.approx(2000)
    assert table.loc[("850760", 2023), "top_alternative_share"] == pytest.approx(0.6)
    assert np.isnan(table.loc[("940360", 2023), "alternatives_hhi"])  # no alternative
    # Kearney counts Hong Kong with China: 2021 53.5 % -> 2022 50.7 % (Nikkei Asia 2023)
    hk = pd.DataFrame(
        {
            "product": ["mfg"] * 6,
            "year": [2021, 2021, 2021, 2022, 2022, 2022],
            "partner": ["CHN", "HKG", "VNM", "CHN", "HKG", "VNM"],
            "value": [52.5, 1.0, 46.5, 50.0, 0.7, 49.3],
        }
    )
    both = china_plus_one(hk, china=("CHN", "HKG")).set_index("year")
    assert both.loc[2022, "diversification_bp"] == pytest.approx(280)
    # years need not be consecutive: 2018 -> 2024 is the fall over six years
    gap = china_plus_one(hk.replace({"year": {2021: 2018, 2022: 2024}})).set_index("year")
    assert gap.loc[2024, "since_year"] == 2018
    assert gap.loc[2024, "diversification_bp"] == pytest.approx((0.525 - 0.50) * 1e4)


def test_cli_indices_and_located_errors(cli, tmp_path) -> None:
    flows = tmp_path / "flows.csv"
    FLOWS.to_csv(flows, index=False)
    code, out, err = cli("macro", "index", "concentration", flows, "--json")
    assert code == 0, err
    rows = json.loads(out)["products"]
    assert rows[0]["hhi"] == pytest.approx(0.46)
    code, out, err = cli("macro", "index", "china-plus-one", flows, "--json")
    assert code == 0, err
    assert json.loads(out)["products"][0]["diversification_bp"] is None
    imports = tmp_path / "imports.csv"
    imports.write_text("year,partner,value\n2020,China,100\n2021,Viet Nam,110\n")
    output = tmp_path / "output.csv"
    output.write_text("year,value\n2020,1000\n2021,1000\n")
    code, out, err = cli(
        "macro", "index", "reshoring", "--imports", imports, "--output", output, "--json"
    )
    assert code == 0, err
    years = json.loads(out)["years"]
    assert years[1]["index_bp"] == pytest.approx(-100.0)
    bad = tmp_path / "bad.csv"
    bad.write_text("product,partner,value\n850760,CHN,12\n850760,Atlantis,3\n850760,VNM,-1\n")
    code, _, err = cli("macro", "index", "concentration", bad)
    assert code == 2
    assert "bad.csv:4:value: not a finite number >= 0: '-1'" in err
    bad.write_text("product,partner,value\n850760,CHN,12\n850760,Atlantis,3\n")
    code, _, err = cli("macro", "index", "concentration", bad)
    assert code == 2 and "bad.csv:3:partner: unknown country 'Atlantis'" in err
    output.write_text("year,value\n2020,1000\n2020,900\n")
    code, _, err = cli("macro", "index", "reshoring", "--imports", imports, "--output", output)
    assert code == 2 and "output.csv:3:year: year 2020 given twice" in err


def test_reshoring_inputs_without_a_common_year_are_refused(cli, tmp_path) -> None:
    imports = tmp_path / "imports.csv"
    imports.write_text("year,partner,value\n2020,China,100\n2021,Viet Nam,110\n")
    output = tmp_path / "output.csv"
    output.write_text("year,value\n2010,1000\n2011,1000\n2012,990\n")
    args = ["macro", "index", "reshoring", "--imports", imports, "--output", output]
    code, out, err = cli(*args)
    assert code == 2 and not out
    assert (
        f"{imports}:year: no year in common with {output} (imports 2020-2021, output "
        "2010-2012)" in " ".join(err.split())
    )
    code, out, err = cli(*args, "--partner", "MEX")
    assert code == 2 and f"{imports}:partner: no import rows of the partners MEX" in err


# Kearney's 2024 report (11th, figures of 2023): "the manufacturing import ratio (MIR)
# jumping by 196 basis points"; imports from the 14 Asian LCCRs USD 1,022 bn (2022) ->
# 878 bn (2023), US manufacturing gross output USD 7.245 -> 7.236 trillion (The MAD
# Report 2024, https://themadreport.io/reshoring-revolution; the USD 143 bn fall of
# imports also in Kearney's release, PR Newswire 2024-04-24,
# https://prnewswire.com/news-releases/kearney-releases-2024-reshoring-index-11th-annual-report-on-reshoring-and-nearshoring-finds-made-in-america-for-america-a-lasting-trend-302125540.html)
IMPORTS_BN = {2022: 1022.0, 2023: 878.0}
OUTPUT_BN = {2022: 7245.0, 2023: 7236.0}
INDEX_2023_BP = 196


def test_kearney_2024_report_index_from_its_published_inputs() -> None:
    # inputs rounded to USD 1 bn: the index lies between the extremes they allow
    def mir(year: int, d_imports: float, d_output: float) -> float:
        return manufacturing_import_ratio(IMPORTS_BN[year] + d_imports, OUTPUT_BN[year] + d_output)

    low = reshoring_index([2022, 2023], [mir(2022, -0.5, 0.5), mir(2023, 0.5, -0.5)])[1]
    high = reshoring_index([2022, 2023], [mir(2022, 0.5, -0.5), mir(2023, -0.5, 0.5)])[1]
    assert 195.6 < low <= INDEX_2023_BP <= high < 198.9
    # the 2022 ratio of these inputs (14.11 %) is the 14.1 % of the 2023 report
    assert mir(2022, 0, 0) == pytest.approx(MIR_2022, abs=5e-4)
    assert mir(2023, 0, 0) == pytest.approx(0.1213, abs=5e-5)  # MIR 2023 = 12.13 %
