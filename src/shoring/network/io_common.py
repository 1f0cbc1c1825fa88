"""Helpers shared by the readers and writers: records out of a network, cell formatting."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shoring.network.schema import INDEX_NAMES, TABLES, columns

if TYPE_CHECKING:
    from shoring.network.model import Network


def plain(value: Any) -> Any:
    """numpy scalars -> Python; integral floats -> int (for tidy files); NaN -> None.

    Parameters
    ----------
    value : Any
        A cell value from a network table.

    Returns
    -------
    Any
        The plain Python value; tuples become lists, other values pass unchanged.
    """
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def network_records(network: Network) -> dict[str, Any]:
    """Every table as a list of plain records in file column order.

    ``meta`` is a mapping; ``sites.products`` a list; blank ``modes`` values are left
    out; demand is in long format.

    Parameters
    ----------
    network : Network
        The network to convert.

    Returns
    -------
    dict
        ``{"meta": {...}, table: [record, ...]}`` for every table of the schema; missing
        (NaN) values are left out of each record.
    """
    out: dict[str, Any] = {"meta": network.meta.model_dump()}
    for table in TABLES[1:]:
        frame = network.table(table)
        index_name = INDEX_NAMES.get(table)
        cols = columns(table)
        records = []
        if index_name is not None:
            id_col = cols[0]
            frame = frame.reset_index().rename(columns={index_name: id_col})
        for row in frame.itertuples(index=False):
            record = {c: plain(getattr(row, c)) for c in cols}
            records.append({k: v for k, v in record.items() if v is not None})
        out[table] = records
    return out


def cell_text(value: Any) -> str:
    """Text of one value in a CSV cell: lists ';'-joined, numbers exact (repr).

    Parameters
    ----------
    value : Any
        A cell value; passed through :func:`plain` first.

    Returns
    -------
    str
        The cell text; ``""`` for a missing value.
    """
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if value else "none"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def display_name(path: str | Path) -> str:
    """The file name to use in problems: the path as the user gave it.

    Parameters
    ----------
    path : str or Path
        The path as given.

    Returns
    -------
    str
        ``str(path)``, unresolved.
    """
    return str(path)
