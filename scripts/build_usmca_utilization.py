"""Build ``src/shoring/data/tables/usmca_utilization.csv.gz`` from the USITC-derived shares.

Reads the two HTS10 tables of the share of US imports for consumption from Canada and
Mexico entered under USMCA (special programme indicator S / S+), computed from USITC
DataWeb by the Budget Lab at Yale (tariff-rate-tracker, MIT licence), as kept in
``../shared/data/rules_of_origin/``::

    usmca_utilization_shares_hts10_{2024,2025}.csv   hts10,cty_code,usmca_share

and writes one row per (year, exporter, HS code) with the UNWEIGHTED mean of the shares of
the HTS10 lines under that code (the tables hold no import values, so lines cannot be
weighted by trade; an assumption stated in the data card)::

    year,exporter,hs,share,lines

``hs`` is a 6-digit subheading, or a 2-digit chapter (the mean over every line of the
chapter, used for a subheading the year's table does not list). Census country codes:
1220 Canada, 2010 Mexico.

Run from the project root::

    python scripts/build_usmca_utilization.py [path/to/shared/data]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src/shoring/data/tables/usmca_utilization.csv.gz"
YEARS = (2024, 2025)
CENSUS_CODES = {1220: "CAN", 2010: "MEX"}


def year_table(path: Path, year: int) -> pd.DataFrame:
    """HS6 and chapter means of one year's HTS10 shares (columns as written)."""
    frame = pd.read_csv(path, dtype={"hts10": str})
    bad = ~frame["hts10"].str.fullmatch(r"\d{10}") | ~frame["cty_code"].isin(CENSUS_CODES)
    bad |= ~frame["usmca_share"].between(0.0, 1.0)
    if bad.any():
        raise SystemExit(f"{path}: unexpected rows, first at line {int(bad.idxmax()) + 2}")
    frame["exporter"] = frame["cty_code"].map(CENSUS_CODES)
    parts = []
    for digits in (6, 2):
        frame["hs"] = frame["hts10"].str[:digits]
        parts.append(
            frame.groupby(["exporter", "hs"])["usmca_share"]
            .agg(share="mean", lines="size")
            .reset_index()
        )
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "year", year)
    out["share"] = out["share"].round(4)
    return out


def main(shared: Path) -> None:
    folder = shared / "rules_of_origin"
    tables = [
        year_table(folder / f"usmca_utilization_shares_hts10_{year}.csv", year) for year in YEARS
    ]
    out = pd.concat(tables, ignore_index=True).sort_values(["year", "exporter", "hs"])
    out.to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    print(f"{OUT}: {len(out)} rows")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared/data"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
