"""The ILOSTAT earnings index that moves wage anchors between years.

The arithmetic is in scripts/ilostat_earnings_index.py.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]

# PBS Labour Force Survey, average monthly wage of paid employees, PKR: 2017-18 (The Express
# Tribune, 2019-01-18), 2018-19 (Dawn, 2021-12-13), 2020-21 (INP-WealthPk, 2025-11-26), the
# survey years ILOSTAT reports as 2018, 2019 and 2021.
PBS_WAGE_PKR = {2018: 18_754, 2019: 21_326, 2021: 24_028}


@pytest.fixture(scope="module")
def index() -> dict:
    """The script's functions by name."""
    return runpy.run_path(str(ROOT / "scripts" / "ilostat_earnings_index.py"))


def test_cpi_ratio_chains_the_annual_rates(index: dict) -> None:
    # WDI FP.CPI.TOTL.ZG Pakistan: 2019 +10.5784%, 2020 +9.74%, 2021 +9.4962%.
    cpi_ratio = index["cpi_ratio"]
    assert cpi_ratio("PAK", 2021, 2018) == pytest.approx(1.105784 * 1.0974 * 1.094962)
    assert cpi_ratio("PAK", 2018, 2021) == pytest.approx(1 / (1.105784 * 1.0974 * 1.094962))
    assert cpi_ratio("PAK", 2018, 2018) == 1


@pytest.mark.shared_data
@pytest.mark.parametrize(("ref", "year", "tolerance"), [(2018, 2019, 0.002), (2018, 2021, 0.05)])
def test_index_reproduces_pakistan_lfs_wages(
    index: dict, shared_data: Path, ref: int, year: int, tolerance: float
) -> None:
    """ILOSTAT constant-2021 PPP $ x CPI gives the PBS rupee wage ratio (measured: +0.08%, +4.6%).

    The fiscal-year survey (July-June) against the calendar-year CPI may explain the 2021 gap;
    without the CPI step the ratios would be 9.5% and 21% low.
    """
    ratio = index["lcu_ratio"](shared_data, "PAK", year, ref)
    assert ratio == pytest.approx(PBS_WAGE_PKR[year] / PBS_WAGE_PKR[ref], rel=tolerance)


@pytest.mark.shared_data
def test_anchor_rows_match_the_ilostat_file(index: dict, shared_data: Path) -> None:
    """Each anchor derived with the index quotes the ILOSTAT figures and CPI ratio it used."""
    anchors = pd.read_csv(ROOT / "scripts" / "data" / "labour_cost_anchors.csv")
    rows = anchors[anchors["derivation"].str.startswith("all-sector earnings index (ILOSTAT/")]
    assert set(rows["iso3"]) == {"COL", "EGY", "LKA", "MEX"}
    pattern = re.compile(
        r"ILOSTAT earnings ([\d.]+) \((\d{4})\) / ([\d.]+) \((\d{4})\) 2021 PPP \$ a month "
        r"= [\d.]+ x CPI \d{4}/\d{4} ([\d.]+) .*? = ([\d.]+) x ([\d.]+) x ([\d.]+) = ([\d.]+);"
    )
    for row in rows.itertuples():
        found = pattern.search(row.derivation)
        assert found, (row.iso3, row.year)
        ppp_y, year, ppp_r, ref, cpi, usd, ratio, fx, value = found.groups()
        earnings = index["ilostat_ppp"](shared_data, row.iso3)["earnings_ppp"]
        assert int(year) == row.year
        assert (float(ppp_y), float(ppp_r)) == (earnings[row.year], earnings[int(ref)])
        expected_cpi = index["cpi_ratio"](row.iso3, row.year, int(ref))
        assert float(cpi) == pytest.approx(expected_cpi, abs=1e-4)
        assert float(ratio) == pytest.approx(
            index["lcu_ratio"](shared_data, row.iso3, row.year, int(ref)), abs=1e-4
        )
        anchor = anchors[(anchors["iso3"] == row.iso3) & (anchors["year"] == int(ref))]
        assert float(usd) == anchor["usd_per_hour"].item()
        assert float(value) == row.usd_per_hour
        assert float(usd) * float(ratio) * float(fx) == pytest.approx(row.usd_per_hour, abs=1e-3)
