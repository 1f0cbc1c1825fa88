"""CSV inputs of the indices, checked cell by cell (file, row, field in every problem).

Layouts (UTF-8, header row, one record per row; row numbers count the header as row 1):

``flows``
    ``product, partner, value`` and optionally ``year``: imports of a product from a
    partner country (ISO3 code or name), ``value`` a finite number >= 0 in one currency.
``imports``
    ``year, partner, value``: manufactured imports by partner (for the reshoring index).
``output``
    ``year, value``: domestic manufacturing gross output, same currency and unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.data.csvio import names_to_iso3, read_csv_checked
from shoring.errors import Problem, ShoringInputError

__all__ = ["read_flows", "read_imports", "read_output"]


def _read(path: str | Path, required: Sequence[str], optional: Sequence[str], layout: str):
    frame = read_csv_checked(path, required, layout, dtype=str, keep_default_na=False)
    if frame.empty:
        raise ShoringInputError([Problem(str(path), "no data rows")])
    return frame[[c for c in (*required, *optional) if c in frame.columns]]


def _check(path: str | Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Typed copy of ``frame``; every bad cell is a located problem."""
    problems: list[Problem] = []
    out = pd.DataFrame(index=frame.index)
    rows = np.arange(len(frame)) + 2
    if "year" in frame.columns:
        text = frame["year"].str.strip()
        year = pd.to_numeric(text, errors="coerce")
        bad = year.isna() | (year != year.round()) | (year < 1900) | (year > 2100)
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.append(
                Problem(
                    str(path),
                    f"not a year (1900-2100): {text.iloc[i]!r}",
                    row=int(rows[i]),
                    field="year",
                )
            )
        out["year"] = year.fillna(0).astype(int)
    if "product" in frame.columns:
        product = frame["product"].str.strip()
        for i in np.flatnonzero((product == "").to_numpy())[:20]:
            problems.append(Problem(str(path), "empty product", row=int(rows[i]), field="product"))
        out["product"] = product
    if "partner" in frame.columns:
        partner = frame["partner"].str.strip()
        for i in np.flatnonzero((partner == "").to_numpy())[:20]:
            problems.append(Problem(str(path), "empty partner", row=int(rows[i]), field="partner"))
    text = frame["value"].str.strip()
    value = pd.to_numeric(text, errors="coerce")
    bad = value.isna() | ~np.isfinite(value) | (value < 0)
    for i in np.flatnonzero(bad.to_numpy())[:20]:
        what = (
            "empty value" if text.iloc[i] == "" else f"not a finite number >= 0: {text.iloc[i]!r}"
        )
        problems.append(Problem(str(path), what, row=int(rows[i]), field="value"))
    if problems:
        raise ShoringInputError(problems)
    if "partner" in frame.columns:
        out["partner"] = names_to_iso3(partner, path, "partner")
    out["value"] = value.astype(float)
    return out.reset_index(drop=True)


def read_flows(path: str | Path) -> pd.DataFrame:
    """Read a ``flows`` CSV (``product, partner, value[, year]``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pandas.DataFrame
        ``product`` (str), ``partner`` (ISO3), ``value`` (float) and ``year`` (int) if given.

    Raises
    ------
    shoring.errors.ShoringInputError
        Missing file or column, empty product or partner, unknown country, a value that
        is not a finite number >= 0, a year that is not a whole year (each located).
    """
    frame = _read(path, ("product", "partner", "value"), ("year",), "flows")
    return _check(path, frame)


def read_imports(path: str | Path) -> pd.DataFrame:
    """Read an ``imports`` CSV (``year, partner, value``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pandas.DataFrame
        ``year``, ``partner`` (ISO3), ``value``.

    Raises
    ------
    shoring.errors.ShoringInputError
        As :func:`read_flows`.
    """
    return _check(path, _read(path, ("year", "partner", "value"), (), "imports"))


def read_output(path: str | Path) -> pd.DataFrame:
    """Read an ``output`` CSV (``year, value``); one row per year.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pandas.DataFrame
        ``year``, ``value``.

    Raises
    ------
    shoring.errors.ShoringInputError
        As :func:`read_flows`, and for a year given twice (located at its second row).
    """
    frame = _check(path, _read(path, ("year", "value"), (), "output"))
    duplicated = frame["year"].duplicated()
    if duplicated.any():
        raise ShoringInputError(
            [
                Problem(
                    str(path), f"year {frame['year'].iloc[i]} given twice", row=i + 2, field="year"
                )
                for i in np.flatnonzero(duplicated.to_numpy())
            ]
        )
    return frame
