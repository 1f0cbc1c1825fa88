"""Move a cited labour-cost level to other years with ILOSTAT's earnings in constant PPP dollars.

ILOSTAT publishes the average monthly earnings of employees (indicator EAR_4MTH, all
economic activities, wages only) in "2021 PPP $": international dollars at 2021 prices
("constant international dollars to adjust for inflation", unit "international-$ in 2021
prices", as Our World in Data describes the ILOSTAT series,
https://pages.owid.io/grapher/average-hourly-earnings; the ILO's own wage reports state levels
"converted to constant 2012 PPP$", Global Wage Report 2014/15, chart note,
http://www.ilo.org/global/research/global-reports/global-wage-report/2014/Charts/WCMS_324737/lang--en/index.htm).
Such a series is nominal local
currency deflated by the consumer price index (CPI) to 2021 and divided by the 2021
purchasing-power-parity factor, which cancels in a ratio of two years of one economy::

    LCU(y) / LCU(r) = [ppp(y) / ppp(r)] * [CPI(y) / CPI(r)]
    USD(y) = USD(r) * LCU(y) / LCU(r) * xr(r) / xr(y)        (xr: LCU per US dollar)

with ``r`` a year of a cited anchor of the same economy. The result keeps the anchor's
concept (its level, hours and employer charges); only the change between the years is
the all-sector earnings change measured by the labour force survey behind ILOSTAT.

Validation (``tests/test_wage_index.py``): Pakistan's anchors are the PBS Labour Force Survey
average monthly wage of paid employees (PKR 18,754 in 2017-18, 21,326 in 2018-19 and
24,028 in 2020-21), the survey ILOSTAT reports for 2018, 2019 and 2021. The ratios above
reproduce 2018->2019 within 0.1% and 2018->2021 within 4.6% (fiscal-year survey, calendar-year
CPI). Without the CPI step they would be 9.5% and 21% low. Over longer spans the index is
looser: from 2018 back to 2014 and 2015 it gives PKR 12,840 and 14,680 a month, 6.3% and 5.6%
below the same survey's rupee figures in ILOSTAT's local-currency extract (13,701 and 15,559),
so an index-derived row carries an error of about +-5% over 3-4 years; where a local-currency
figure of the series exists (PAK 2009-2015, LKA 2009-2014) the anchors use it instead.

CPI: World Bank WDI FP.CPI.TOTL.ZG (inflation, consumer prices, annual %), as committed in
github.com/datasets/cpi data/cpi.csv at 3750e45064a99b0452deb1423a416e4d5473a58e (the file
is labelled CPI but holds the annual percentage changes; its README names the
FP.CPI.TOTL.ZG download). Run from the repository root to print the ratios::

    python scripts/ilostat_earnings_index.py
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from shoring.data.wages import load_ilostat_earnings

ROOT = Path(__file__).resolve().parents[1]
ILOSTAT_FILE = "wages/ilostat_avg_monthly_earnings_ppp2021_2014_2024.csv"
"""The ILOSTAT extract under the shared data directory (``../shared/data``)."""

INFLATION_PCT = {
    "COL": {2014: 2.8988, 2015: 4.9898, 2016: 7.5135, 2017: 4.3143, 2018: 3.2406, 2019: 3.523,
            2020: 2.5266, 2021: 3.4951, 2022: 10.1772, 2023: 11.7359, 2024: 6.6091},
    "EGY": {2014: 10.0702, 2015: 10.3705, 2016: 13.8136, 2017: 29.5066, 2018: 14.4015,
            2019: 9.1528, 2020: 5.0449, 2021: 5.214, 2022: 13.8957, 2023: 33.8848},
    "LKA": {2014: 3.179, 2015: 3.7684, 2016: 3.9589, 2017: 7.7041, 2018: 2.135, 2019: 3.5284,
            2020: 6.1539, 2021: 7.0148, 2022: 49.7211, 2023: 16.5412, 2024: -0.4294},
    "MEX": {2014: 4.0186, 2015: 2.7206, 2016: 2.8217, 2017: 6.0415, 2018: 4.8994, 2019: 3.636,
            2020: 3.3968, 2021: 5.6892, 2022: 7.8963, 2023: 5.528, 2024: 4.7223},
    "PAK": {2014: 7.1894, 2015: 2.5293, 2016: 3.7651, 2017: 4.0854, 2018: 5.0781, 2019: 10.5784,
            2020: 9.74, 2021: 9.4962, 2022: 19.8739, 2023: 30.7681, 2024: 12.6325},
}  # fmt: skip
"""WDI FP.CPI.TOTL.ZG, percent change of the annual-average CPI on the year before (see above)."""


def cpi_ratio(iso3: str, year: int, ref_year: int) -> float:
    """CPI(year) / CPI(ref_year), chained from the annual inflation rates.

    Raises
    ------
    KeyError
        When a year between the two has no rate in :data:`INFLATION_PCT`.
    """
    rates = INFLATION_PCT[iso3]
    low, high = sorted((year, ref_year))
    growth = math.prod(1 + rates[y] / 100 for y in range(low + 1, high + 1))
    return growth if year >= ref_year else 1 / growth


def ilostat_ppp(shared_data: Path, iso3: str) -> pd.DataFrame:
    """One economy's ILOSTAT rows by ``year``: ``earnings_ppp``, ``obs_status``, ``survey``
    (read by :func:`shoring.data.wages.load_ilostat_earnings`)."""
    table = load_ilostat_earnings(shared_data / ILOSTAT_FILE)
    rows = table[table["iso3"] == iso3]
    return rows.set_index("year").sort_index()[["earnings_ppp", "obs_status", "survey"]]


def lcu_ratio(shared_data: Path, iso3: str, year: int, ref_year: int) -> float:
    """Local-currency earnings ratio LCU(year) / LCU(ref_year) from ILOSTAT constant PPP dollars.

    Raises
    ------
    KeyError
        When ILOSTAT has no figure for either year, or the CPI lacks a year between them.
    """
    ppp = ilostat_ppp(shared_data, iso3)["earnings_ppp"].astype(float)
    return float(ppp.loc[year] / ppp.loc[ref_year]) * cpi_ratio(iso3, year, ref_year)


def moved_usd(anchor_usd: float, ratio: float, xr_ref: float, xr_year: float) -> float:
    """The anchor's USD level moved by a local-currency ratio at the two years' exchange rates."""
    return anchor_usd * ratio * xr_ref / xr_year


def main() -> None:
    """Print each economy's ILOSTAT years and its local-currency earnings index (first year = 1)."""
    shared = ROOT.parent / "shared" / "data"
    for iso3 in INFLATION_PCT:
        ppp = ilostat_ppp(shared, iso3)
        first = int(ppp.index[0])
        for year, row in ppp.iterrows():
            ratio = lcu_ratio(shared, iso3, int(year), first)
            print(f"{iso3} {year} {row.earnings_ppp:>9} {ratio:7.4f} {row.obs_status} {row.survey}")


if __name__ == "__main__":
    main()
