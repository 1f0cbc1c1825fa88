"""USMCA utilization: the share of US imports from Canada and Mexico that claim USMCA.

The embedded table ``tables/usmca_utilization.csv.gz`` (data card beside it; built by
``scripts/build_usmca_utilization.py`` from USITC DataWeb figures compiled by the Budget
Lab at Yale) gives, per year (2024, 2025), exporter (CAN, MEX) and HS6 subheading, the
unweighted mean over the subheading's HTS10 lines of the share of US imports entered under
USMCA, and the same mean per HS chapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from shoring.data.paths import TABLES_DIR

TABLE = TABLES_DIR / "usmca_utilization.csv.gz"
IMPORTER = "USA"
"""The table is of US imports only."""


@cache
def _table() -> pd.DataFrame:
    frame = pd.read_csv(TABLE, dtype={"hs": str, "exporter": str})
    return frame.set_index(["year", "exporter", "hs"])["share"].sort_index()


def table_years() -> tuple[int, ...]:
    """Years of the embedded table, ascending."""
    return tuple(sorted(set(_table().index.get_level_values("year"))))


def table_year(year: int) -> int:
    """The table's year used for ``year``: itself, else the nearest (first or last)."""
    years = table_years()
    return min(max(year, years[0]), years[-1])


def usmca_utilization(exporters: Sequence[str], hs6: Sequence[str], year: int) -> np.ndarray:
    """Share of US imports entered under USMCA, shape (len(exporters), len(hs6)).

    Parameters
    ----------
    exporters : sequence of str
        ISO3 codes; only CAN and MEX have figures.
    hs6 : sequence of str
        HS6 subheadings (6 digits).
    year : int
        Calendar year; the table's nearest year is used (:func:`table_year`).

    Returns
    -------
    numpy.ndarray of float
        Fraction 0..1: the subheading's mean over its HTS10 lines, or its chapter's mean
        where the year's table does not list the subheading; NaN for an exporter without
        figures (not CAN or MEX) or a chapter the table does not list.
    """
    table = _table().loc[table_year(year)]
    keys = pd.MultiIndex.from_product([list(exporters), list(hs6)])
    chapters = pd.MultiIndex.from_product([list(exporters), [str(h)[:2] for h in hs6]])
    own = table.reindex(keys).to_numpy()
    chapter = table.reindex(chapters).to_numpy()
    return np.where(np.isnan(own), chapter, own).reshape(len(exporters), len(hs6))
