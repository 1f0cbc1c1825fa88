"""Embedded tariff tables: schedules of additional duties by HS6 and date (``tariff_schedule``
measures) and named product lists (the goods of ``tariff`` measures with ``hs_lists``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from shoring.data.paths import TABLES_DIR
from shoring.errors import ShoringError

SCHEDULE_COLUMNS = ("importer", "exporter", "hs6", "start", "end", "additional")


@cache
def _load(name: str) -> pd.DataFrame:
    path = TABLES_DIR / f"{name}.csv.gz"
    if not path.exists():
        path = TABLES_DIR / f"{name}.csv"
    if not path.exists():
        raise ShoringError(f"no embedded tariff schedule {name!r} in {TABLES_DIR}")
    frame = pd.read_csv(path, dtype={"importer": str, "exporter": str, "hs6": str})
    missing = [c for c in SCHEDULE_COLUMNS if c not in frame.columns]
    if missing:
        raise ShoringError(f"tariff schedule {path.name} lacks columns {missing}")
    frame["start"] = pd.to_datetime(frame["start"]).values.astype("datetime64[D]")
    end = pd.to_datetime(frame["end"])
    frame["end"] = end.fillna(pd.Timestamp.max.normalize()).values.astype("datetime64[D]")
    frame["additional"] = frame["additional"].astype(float)
    return frame[list(SCHEDULE_COLUMNS)]


def load_tariff_schedule(name: str) -> pd.DataFrame:
    """Return an embedded schedule of additional duties.

    Parameters
    ----------
    name : str
        Table stem, e.g. ``"us_china_section301"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``importer``, ``exporter``, ``hs6`` (6-digit strings), ``start``,
        ``end`` (``datetime64[D]``, inclusive; open intervals end at the maximum
        timestamp) and ``additional`` (fraction). A copy.
    """
    return _load(name).copy()


@cache
def schedule_period(name: str) -> tuple[date, date | None]:
    """First start date and last end date of a schedule (``None`` when still open).

    Parameters
    ----------
    name : str
        Table stem, e.g. ``"us_china_section301"``.

    Returns
    -------
    tuple of (datetime.date, datetime.date or None)
        ``(first start, last end)``; cached.

    Raises
    ------
    shoring.errors.ShoringError
        If no such embedded schedule exists or it lacks columns.
    """
    frame = _load(name)
    first = pd.Timestamp(frame["start"].min()).date()
    last = pd.Timestamp(frame["end"].max())
    return first, None if last >= pd.Timestamp.max.normalize() else last.date()


PRODUCT_LISTS = "tariff_product_lists"
"""Embedded table of named product lists (``list, hs, share``), see its data card."""


@cache
def _lists() -> dict[str, tuple[dict[str, float], tuple[int, ...]]]:
    """List name -> (code -> share, code lengths present)."""
    path = TABLES_DIR / f"{PRODUCT_LISTS}.csv.gz"
    frame = pd.read_csv(path, dtype={"list": str, "hs": str, "share": float})
    out = {}
    for name, rows in frame.groupby("list", sort=False):
        codes = dict(zip(rows["hs"], rows["share"], strict=True))
        out[str(name)] = (codes, tuple(sorted({len(c) for c in codes})))
    return out


def product_lists() -> tuple[str, ...]:
    """Names of the embedded product lists.

    Returns
    -------
    tuple of str
        E.g. ``("us301-list1", ..., "us232-auto-parts", ...)``, sorted.
    """
    return tuple(sorted(_lists()))


def list_coverage(codes: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Share of each code's national lines that is on one of the named product lists.

    A list entry covers every code it is a prefix of (an entry ``"732010"`` covers
    ``"7320101000"``); a code shorter than the list's entries is covered in the share of
    its national tariff lines that are listed, as the table records it (e.g. ``0.5`` for
    a 6-digit subheading with one of its two 10-digit lines listed). Where several lists
    are named the largest share counts (the lists of one action do not overlap).

    Parameters
    ----------
    codes : ndarray of str
        HS codes (6, 8 or 10 digits), one per cell.
    names : sequence of str
        List names of the table ``tariff_product_lists``.

    Returns
    -------
    ndarray of float
        Same shape as ``codes``, 0..1.

    Raises
    ------
    shoring.errors.ShoringError
        If a list name is not in the table.
    """
    lists = _lists()
    unknown = [n for n in names if n not in lists]
    if unknown:
        raise ShoringError(f"unknown product list(s) {unknown}; known: {', '.join(sorted(lists))}")
    uniq, inverse = np.unique(np.asarray(codes, dtype=str), return_inverse=True)
    share = np.zeros(uniq.size)
    for k, code in enumerate(uniq.tolist()):
        best = 0.0
        for name in names:
            table, lengths = lists[name]
            for length in lengths:
                if length > len(code):
                    break
                value = table.get(code[:length])
                if value is not None and (value == 1.0 or length == len(code)):
                    best = max(best, value)
        share[k] = best
    return share[inverse.reshape(np.shape(codes))]
