"""Build ``src/shoring/data/tables/labour_cost.csv`` from the cited anchors.

Input: ``scripts/data/labour_cost_anchors.csv``, curated by hand, one row per cited
figure (``iso3, year, usd_per_hour, method, derivation, source, url``): ``method`` is
``reported`` (a USD/hour figure read in the cited source) or ``derived`` (computed from
cited inputs; ``derivation`` gives the arithmetic and names any concept gap).

Output: the anchors plus one row for every other year of the grid ``YEARS`` of every
economy:

- ``interpolated``: between the nearest anchors before and after, at constant annual
  growth (log-linear): ``v = a * (b / a) ** ((y - ya) / (yb - ya))``;
- ``extrapolated``: after the last anchor, the last anchor grown at the rate
  :func:`shoring.data.anchored.series_trends` states (the series' own cited trend, or the
  median of the other series' trends where it has none), named in the row's
  ``derivation``. Years before an economy's first anchor get no row
  (:data:`shoring.data.wages.BACKWARD`): the labour cost is undefined there.

Values are rounded to a tenth of a cent (sub-dollar series stay distinct year to
year). The card's ``series`` section (per economy: cited years and the method of every
other year) and its ``cited_gaps`` section (economies with a stretch of MAX_CITED_GAP or
more years without a cited figure) are rewritten from the result. Run from the repository root::

    python scripts/build_labour_cost.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from shoring.data.anchored import ANCHOR_METHODS, fill_grid, series_summary
from shoring.data.wages import BACKWARD, MAX_CITED_GAP, series_checks

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = ROOT / "scripts" / "data" / "labour_cost_anchors.csv"
TABLE = ROOT / "src" / "shoring" / "data" / "tables" / "labour_cost.csv"
CARD = TABLE.with_name("labour_cost.card.yaml")
YEARS = range(2000, 2025)


def cited_gaps(table: pd.DataFrame) -> dict[str, str]:
    """Economies whose longest stretch without a cited figure is MAX_CITED_GAP years or more."""
    checks = series_checks(table)
    short = checks[checks["uncited_run"] >= MAX_CITED_GAP]
    return {
        str(iso3): f"no cited figure {row.uncited_years} ({row.uncited_run} years)"
        for iso3, row in short.iterrows()
    }


def main() -> None:
    """Read the anchors, fill the grid, write the embedded table."""
    anchors = pd.read_csv(ANCHORS, keep_default_na=False)
    bad = anchors[~anchors["method"].isin(ANCHOR_METHODS)]
    if not bad.empty:
        raise SystemExit(f"{ANCHORS.name}: anchors must be reported or derived: {bad.index[0] + 2}")
    anchors["usd_per_hour"] = anchors["usd_per_hour"].astype(float)
    result = pd.concat([anchors, fill_grid(anchors, YEARS, backward=BACKWARD)], ignore_index=True)
    result = result.sort_values(["iso3", "year"]).reset_index(drop=True)
    result.to_csv(TABLE, index=False, float_format="%.3f")
    text = CARD.read_text(encoding="utf-8").split("\nseries:\n")[0].rstrip("\n")
    series = yaml.safe_dump({"series": series_summary(result)}, width=100, sort_keys=True)
    gaps = yaml.safe_dump({"cited_gaps": cited_gaps(result)}, width=100, sort_keys=True)
    CARD.write_text(f"{text}\n{series}{gaps}", encoding="utf-8")
    counts = result["method"].value_counts().to_dict()
    print(f"{TABLE.name}: {result['iso3'].nunique()} economies, {counts}")


if __name__ == "__main__":
    main()
