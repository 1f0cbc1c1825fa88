"""Fill the gaps of ``src/shoring/data/tables/labour_cost.csv`` from its own anchor rows.

The table holds two kinds of rows:

* anchors, curated by hand: ``method`` is ``reported`` (a figure read in the cited
  source) or ``derived`` (computed from cited inputs; ``derivation`` says how);
* fills, written by this script for every (economy, year) of the covered grid
  (``YEARS``) that has no anchor:

  - ``interpolated``: between the nearest anchors before and after, at a constant
    annual growth rate (log-linear): ``v = a * (b / a) ** ((y - ya) / (yb - ya))``;
  - ``extrapolated``: before the first or after the last anchor, the nearest
    anchor's value carried flat (no growth is assumed).

Values are rounded to cents. Run from the repository root::

    python scripts/build_labour_cost.py

It reads and rewrites only the committed table, so the fills are reproducible.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TABLE = (
    Path(__file__).resolve().parents[1] / "src" / "shoring" / "data" / "tables" / "labour_cost.csv"
)
YEARS = range(2000, 2025)
ANCHOR_METHODS = ("reported", "derived")


def _label(row: pd.Series) -> str:
    return f"{row['year']} ({row['method']}) {row['usd_per_hour']:.2f}"


def fill(anchors: pd.DataFrame) -> pd.DataFrame:
    """Return interpolated/extrapolated rows for the grid years without an anchor."""
    out = []
    for iso3, group in anchors.groupby("iso3"):
        group = group.sort_values("year")
        years = group["year"].to_numpy()
        values = group["usd_per_hour"].to_numpy(dtype=float)
        for year in YEARS:
            if year in years:
                continue
            after = np.searchsorted(years, year)
            if after == 0 or after == len(years):
                near = group.iloc[0 if after == 0 else -1]
                value = float(near["usd_per_hour"])
                method = "extrapolated"
                side = "first" if after == 0 else "last"
                derivation = (
                    f"carried flat from the {side} anchor {_label(near)}; no cited figure for "
                    f"{year}; no growth assumed"
                )
                source, url = near["source"], near["url"]
            else:
                lo, hi = group.iloc[after - 1], group.iloc[after]
                share = (year - lo["year"]) / (hi["year"] - lo["year"])
                value = float(values[after - 1] * (values[after] / values[after - 1]) ** share)
                method = "interpolated"
                derivation = (
                    f"log-linear (constant growth) between anchors {_label(lo)} and {_label(hi)}"
                )
                source = f"{lo['source']} | {hi['source']}"
                url = f"{lo['url']} {hi['url']}" if lo["url"] != hi["url"] else lo["url"]
            out.append(
                {
                    "iso3": iso3,
                    "year": year,
                    "usd_per_hour": round(value, 2),
                    "method": method,
                    "derivation": derivation,
                    "source": source,
                    "url": url,
                }
            )
    return pd.DataFrame(out)


def main() -> None:
    table = pd.read_csv(TABLE, keep_default_na=False)
    anchors = table[table["method"].isin(ANCHOR_METHODS)].copy()
    anchors["usd_per_hour"] = anchors["usd_per_hour"].astype(float)
    result = pd.concat([anchors, fill(anchors)], ignore_index=True)
    result = result.sort_values(["iso3", "year"]).reset_index(drop=True)
    result.to_csv(TABLE, index=False, float_format="%.2f")
    print(f"{TABLE.name}: {len(anchors)} anchors, {len(result) - len(anchors)} filled rows")


if __name__ == "__main__":
    main()
