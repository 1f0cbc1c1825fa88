"""User text made safe for the medium it is written to (spreadsheet cells, JSON).

One rule per medium, used by every writer:

- spreadsheet cells (CSV, Excel): a text starting with a formula prefix gets a ``'``
  in front (OWASP, "CSV Injection",
  https://owasp.org/www-community/attacks/CSV_Injection), so a spreadsheet shows it
  as text instead of running it; :func:`guard_cell` / :func:`unguard_cell` do it
  reversibly for files that shoring reads back (a network's CSV folder);
- JSON: :func:`json_text` writes strict JSON (RFC 8259): a non-finite number, which
  has no JSON form (Python would write the invalid tokens ``NaN`` or ``Infinity``),
  becomes ``null`` (undefined stays undefined; it is never written as a number).

HTML and console text have their own escapers beside their writers
(:func:`shoring.report.layout.esc`, :func:`shoring.report.charts.chart_text`,
:mod:`shoring.cli.console`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "guard_cell",
    "json_safe",
    "json_text",
    "spreadsheet_text",
    "unguard_cell",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
Injection", https://owasp.org/www-community/attacks/CSV_Injection)."""

QUOTE = "'"
"""The guard put before a text a spreadsheet would run (Excel's text prefix)."""


def spreadsheet_text(value: Any) -> Any:
    """A text cell made inert for spreadsheets: ``'`` before a formula prefix.

    Parameters
    ----------
    value : Any
        A cell; only strings are changed.

    Returns
    -------
    Any
        ``"'" + value`` for a string starting with ``=``, ``+``, ``-``, ``@``, tab or
        carriage return (OWASP CSV-injection guidance); anything else unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return QUOTE + value
    return value


def guard_cell(text: str) -> str:
    """A text cell made inert and reversible: :func:`unguard_cell` gives ``text`` back.

    Like :func:`spreadsheet_text`, and a text that itself starts with ``'`` gets one
    more, so a name written as ``'=x`` or ``'abc`` reads back as written.

    Parameters
    ----------
    text : str
        The cell text (of a text field: numbers are written as they are).

    Returns
    -------
    str
        ``"'" + text`` when ``text`` starts with a formula prefix or ``'``; else ``text``.
    """
    return QUOTE + text if text.startswith((*FORMULA_PREFIXES, QUOTE)) else text


def unguard_cell(text: str) -> str:
    """The text of a cell read from a file, without its spreadsheet guard.

    Removes one leading ``'`` when what follows starts with a formula prefix or ``'``
    (the cells :func:`guard_cell` writes, and what a spreadsheet shows for them); any
    other text, e.g. ``'abc``, is kept as written.

    Parameters
    ----------
    text : str
        The cell text as read.

    Returns
    -------
    str
        The text the cell stands for.
    """
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_PREFIXES, QUOTE)):
        return text[1:]
    return text


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite number replaced by ``None`` (JSON ``null``).

    Parameters
    ----------
    value : Any
        Nested dicts, lists, tuples, numbers (Python or numpy), strings, dates.

    Returns
    -------
    Any
        The same structure in plain Python types; NaN and infinities (and pandas'
        missing markers) as ``None``; numpy scalars and arrays as numbers and lists;
        dates as ISO strings.
    """
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    try:  # pandas NA / NaT and other missing markers
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def json_text(value: Any, indent: int | None = 2) -> str:
    """Strict JSON of ``value``: non-finite numbers written as ``null``, never ``NaN``.

    Parameters
    ----------
    value : Any
        What to write (see :func:`json_safe` for the types taken).
    indent : int, optional
        Indentation; ``None`` for one line.

    Returns
    -------
    str
        JSON text (UTF-8 characters kept) that every strict parser accepts.
    """
    return json.dumps(json_safe(value), indent=indent, ensure_ascii=False, allow_nan=False)
