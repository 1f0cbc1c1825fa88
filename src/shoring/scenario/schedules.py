"""Embedded tariff schedules: additional duties by HS6 and date (``tariff_schedule`` measures)."""

from __future__ import annotations

from datetime import date
from functools import cache

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
