"""Helpers shared by the readers and writers: records out of a network, cell formatting."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class TableMatch:
    """Which name (sheet, file stem) holds each table, and which names hold none.

    Parameters
    ----------
    chosen : dict of str to str
        Table -> the name to read it from.
    renamed : dict of str to str
        Tables read from a name that differs from the table's in case or spaces.
    ambiguous : dict of str to list of str
        Tables that more than one name could hold (none is read).
    unknown : list of str
        Names that hold no table.
    """

    chosen: dict[str, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def match_tables(names: Iterable[str]) -> TableMatch:
    """Match sheet names or CSV file stems to tables, ignoring case and outer spaces.

    The exact table name wins; otherwise one name equal to it ignoring case and spaces
    (``"BOM"``, ``"Sites "``) is taken; two such names make the table ambiguous.

    Parameters
    ----------
    names : iterable of str
        Names as found (sheet names, or file names without ``.csv``).

    Returns
    -------
    TableMatch
    """
    out = TableMatch()
    by_table: dict[str, list[str]] = {}
    for name in names:
        key = name.strip().lower()
        if key in TABLES:
            by_table.setdefault(key, []).append(name)
        else:
            out.unknown.append(name)
    for table, found in by_table.items():
        if table in found:
            out.chosen[table] = table
            others = [n for n in found if n != table]
            if others:
                out.ambiguous[table] = [table, *others]
                del out.chosen[table]
        elif len(found) == 1:
            out.chosen[table] = found[0]
            out.renamed[table] = found[0]
        else:
            out.ambiguous[table] = found
    return out


def unread_message(key: str, present: Iterable[str]) -> tuple[str, bool]:
    """Message for a sheet or file that holds no table, and whether it is an error.

    A name close to a table the input lacks (``"boms"`` with no ``bom``) is an error (the
    table would silently be empty); any other name is a warning.

    Parameters
    ----------
    key : str
        The sheet name or file stem, compared with table names.
    present : iterable of str
        Tables the input does hold.

    Returns
    -------
    tuple of (str, bool)
        The message and True when it is an error.
    """
    import difflib

    held = set(present)
    close = difflib.get_close_matches(key.strip().lower(), TABLES, n=1, cutoff=0.6)
    if close and close[0] not in held:
        return (
            f"not read: no table has this name; did you mean {close[0]!r}? "
            f"(table {close[0]!r} is absent)",
            True,
        )
    return f"not read: not a table of the network format ({', '.join(TABLES)})", False
