"""Build ``src/shoring/data/tables/ocean_freight_rates.csv`` from the curated Drewry WCI quotes.

Run from the project root with the reference data at ``../shared/data``::

    python scripts/build_ocean_freight_rates.py

Input: ``freight/drewry_wci_quoted_2019_2025.csv`` (Drewry World Container Index spot
rates, USD per 40ft container, as quoted in press reposts of Drewry's weekly release, one
citation per row). Output: one row per (WCI lane, year 2019-2025) with

- ``usd_per_feu``: the mean of that year's quotes for the lane (``basis = quoted``);
  for a year without a quote of the lane, the year's composite mean times the lane's
  mean ratio to the composite over the years quoted for both (``basis = composite x
  lane ratio``);
- ``reference_km``: the lane's port-to-port sea-route length (``shoring.data.sea_routes``,
  all chokepoints open); for the ``Composite`` row, the mean of the eight lanes' lengths
  (an assumption: lanes the WCI does not quote pay the composite per km of that
  reference distance).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shoring.data.freight_rates import WCI_LANES  # noqa: E402
from shoring.data.paths import TABLES_DIR, shared_data_dir  # noqa: E402
from shoring.data.sea_routes import SeaRouter  # noqa: E402

YEARS = range(2019, 2026)


def quote_date(period: str) -> dt.date:
    """``2024-01-18`` or ISO week ``2025-W14`` (its Thursday, Drewry's release day)."""
    if "-W" in period:
        year, week = period.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 4)
    return dt.date.fromisoformat(period)


def build(shared: Path) -> pd.DataFrame:
    quotes = pd.read_csv(shared / "freight" / "drewry_wci_quoted_2019_2025.csv")
    quotes["year"] = [quote_date(p).year for p in quotes["period"]]
    means = quotes.groupby(["lane", "year"])["usd_per_40ft"].agg(["mean", "size"])
    composite = means.loc["Composite", "mean"]
    router = SeaRouter()
    rows = []
    lane_km = {}
    for lane, (origin, destination, *_ranges) in WCI_LANES.items():
        lane_km[lane] = router.route(origin, destination).km
    for lane in ["Composite", *WCI_LANES]:
        quoted = means.loc[lane] if lane in means.index.get_level_values(0) else None
        ratio = 1.0
        if lane != "Composite":
            both = quoted["mean"].index.intersection(composite.index)
            ratio = float((quoted["mean"][both] / composite[both]).mean())
        km = sum(lane_km.values()) / len(lane_km) if lane == "Composite" else lane_km[lane]
        for year in YEARS:
            if quoted is not None and year in quoted.index:
                value, basis, n = (
                    float(quoted.at[year, "mean"]),
                    "quoted",
                    int(quoted.at[year, "size"]),
                )
            else:
                value, basis, n = float(composite[year]) * ratio, "composite x lane ratio", 0
            rows.append(
                {
                    "lane": lane,
                    "year": year,
                    "usd_per_feu": round(value, 4),
                    "basis": basis,
                    "quotes": n,
                    "reference_km": round(km, 1),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data not found")
    table = build(shared)
    table.to_csv(TABLES_DIR / "ocean_freight_rates.csv", index=False)
    print(f"wrote {len(table)} rows")


if __name__ == "__main__":
    main()
