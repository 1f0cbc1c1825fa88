"""Reading published CSV layouts: the required columns are checked, problems located."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError, UnknownCountryError


def require_columns(
    frame: pd.DataFrame, path: str | Path, required: Sequence[str], layout: str
) -> None:
    """Raise when ``frame`` lacks any of the ``required`` columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    path : str or Path
        The file it came from (named in the problems).
    required : sequence of str
        Columns the layout must have.
    layout : str
        Name of the published layout, e.g. ``"CEPII"``.

    Raises
    ------
    shoring.errors.ShoringInputError
        One problem per missing column.
    """
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ShoringInputError(
            [
                Problem(
                    str(path),
                    f"missing column; the {layout} layout has {', '.join(required)}",
                    field=c,
                )
                for c in missing
            ]
        )


def read_csv_checked(
    path: str | Path, required: Sequence[str], layout: str, **kwargs: Any
) -> pd.DataFrame:
    """Read a UTF-8 CSV (byte-order mark allowed) and check its columns.

    Parameters
    ----------
    path : str or Path
        The file.
    required : sequence of str
        Columns the layout must have.
    layout : str
        Name of the published layout, used in the error message.
    **kwargs
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    shoring.errors.ShoringInputError
        When the file is missing, not UTF-8, not a CSV table, separated by ';', or
        lacks a required column.
    """
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except FileNotFoundError:
        raise ShoringInputError([Problem(str(path), "file not found")]) from None
    except UnicodeDecodeError:
        why = "not a UTF-8 text file (save it as 'CSV UTF-8')"
        raise ShoringInputError([Problem(str(path), why)]) from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        why = f"not a readable CSV table ({str(exc).strip()})"
        raise ShoringInputError([Problem(str(path), why)]) from None
    if frame.shape[1] == 1 and ";" in str(frame.columns[0]):
        why = "columns are separated by ';': save the file with commas as separators"
        raise ShoringInputError([Problem(str(path), why, row=1)])
    require_columns(frame, path, required, layout)
    return frame


def names_to_iso3(names: pd.Series, path: str | Path, field: str) -> pd.Series:
    """Convert a column of country names to ISO3 codes, every unknown name reported.

    Parameters
    ----------
    names : pandas.Series
        Country names as read (one per CSV data row, in file order).
    path : str or Path
        The file they came from.
    field : str
        Column name, for the problems.

    Returns
    -------
    pandas.Series
        ISO3 codes, same index as ``names``.

    Raises
    ------
    shoring.errors.ShoringInputError
        One problem per unknown name, located at its first row (header is row 1).
    """
    from shoring.data.countries import to_iso3  # country_converter is slow to import

    mapping: dict[str, str] = {}
    problems = []
    values = names.to_numpy()
    for name in names.unique():
        try:
            mapping[name] = to_iso3(name)
        except UnknownCountryError as exc:
            row = int(np.flatnonzero(values == name)[0]) + 2
            problems.append(Problem(str(path), str(exc), row=row, field=field))
    if problems:
        raise ShoringInputError(problems)
    return names.map(mapping)
