"""Build ``src/shoring/data/tables/labour_productivity.csv`` from the cited anchors.

Input: ``scripts/data/labour_productivity_anchors.csv``, one row per cited figure
(``iso3, year, index, method, derivation, source, url``): manufacturing value added per
person engaged at market exchange rates relative to the US (USA = 1), ``derived`` from
the GGDC Productivity Level Database 2023 (value added in local currency / market
exchange rate / persons engaged; ``derivation`` gives the inputs and the arithmetic).

Output: the anchors plus one row for every other year of the grid ``YEARS`` of every
economy, filled by the labour-cost table's rule (:func:`shoring.data.anchored.fill_grid`):
``interpolated`` at constant growth between anchors, ``extrapolated`` beyond them at the
series' own cited trend (:func:`shoring.data.anchored.series_trends`). The card's
``series`` section (per economy: cited years and the method of every other year) is
rewritten from the result. Run from the repository root::

    python scripts/build_labour_productivity.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from shoring.data.anchored import ANCHOR_METHODS, fill_grid, series_summary

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = ROOT / "scripts" / "data" / "labour_productivity_anchors.csv"
TABLE = ROOT / "src" / "shoring" / "data" / "tables" / "labour_productivity.csv"
CARD = TABLE.with_name("labour_productivity.card.yaml")
YEARS = range(2000, 2025)
VALUE = "index"


def main() -> None:
    """Read the anchors, fill the grid, write the embedded table and the card's series."""
    anchors = pd.read_csv(ANCHORS, keep_default_na=False)
    bad = anchors[~anchors["method"].isin(ANCHOR_METHODS)]
    if not bad.empty:
        raise SystemExit(f"{ANCHORS.name}: anchors must be reported or derived: {bad.index[0] + 2}")
    anchors[VALUE] = anchors[VALUE].astype(float)
    result = pd.concat([anchors, fill_grid(anchors, YEARS, VALUE, decimals=5)], ignore_index=True)
    result = result.sort_values(["iso3", "year"]).reset_index(drop=True)
    result.to_csv(TABLE, index=False, float_format="%.5f")
    text = CARD.read_text(encoding="utf-8").split("\nseries:\n")[0].rstrip("\n")
    series = yaml.safe_dump({"series": series_summary(result, VALUE)}, width=100, sort_keys=True)
    CARD.write_text(f"{text}\n{series}", encoding="utf-8")
    counts = result["method"].value_counts().to_dict()
    print(f"{TABLE.name}: {result['iso3'].nunique()} economies, {counts}")


if __name__ == "__main__":
    main()
