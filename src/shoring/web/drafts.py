"""Fixing an upload's problems in the browser: the rows the problems point to, and cell
edits applied to what was read before it is checked again.

An upload with located problems is kept as a *draft* (its bytes, as uploaded, and the
edits made so far; :class:`~shoring.web.store.Store`). Each check reads the bytes again
with every safety rule of :func:`shoring.web.uploads.read_upload` (size, archive and
formula checks), applies the edits to the records read (:func:`apply_edits`) and
validates the result exactly as an upload is validated: an edit is a cell typed into the
file, nothing more. Edits are addressed by table, the record's position in it and a
column of the table's schema; a value is text (blank clears the cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shoring.errors import Problem, ShoringInputError
from shoring.network.io_common import cell_text
from shoring.network.records import RawNetwork, RawRecord, RawTable
from shoring.network.schema import columns

MAX_EDITS = 500
"""Most cell edits a draft may hold."""
MAX_VALUE_CHARS = 2000
"""Longest text of one edited cell."""
MAX_ROWS_SHOWN = 50
"""Most rows offered for editing at once (the first problems' rows)."""


class DraftError(ShoringInputError):
    """An upload's located problems, with the rows they point to (:func:`problem_rows`).

    Parameters
    ----------
    problems : list of Problem
        As reported to the user (file names as uploaded).
    rows : list of dict
        The offending records, ready to edit.
    """

    def __init__(self, problems: Sequence[Problem], rows: list[dict[str, Any]]) -> None:
        super().__init__(list(problems))
        self.rows = rows


class EditError(ShoringInputError):
    """Edits that address no cell of the upload (the draft is left as it was)."""


def _edit_problem(message: str, edit: dict[str, Any]) -> Problem:
    return Problem("edits", message, sheet=str(edit.get("table")), field=str(edit.get("field")))


def apply_edits(raw: RawNetwork, edits: Sequence[dict[str, Any]]) -> None:
    """Write cell edits into the records read from an upload (in place).

    Parameters
    ----------
    raw : RawNetwork
        What the reader found.
    edits : sequence of dict
        ``{table, index, field, value}``: ``index`` is the record's position in its
        table (as :func:`problem_rows` gives it), ``field`` a column of the table's
        schema, ``value`` text or None (blank: the cell is cleared).

    Raises
    ------
    EditError
        Too many edits, an unknown table, record or column, or a value too long.
    """
    problems: list[Problem] = []
    if len(edits) > MAX_EDITS:
        raise EditError([Problem("edits", f"more than {MAX_EDITS} edited cells")])
    for edit in edits:
        table: RawTable | None = raw.tables.get(str(edit.get("table")))
        index, field, value = edit.get("index"), str(edit.get("field")), edit.get("value")
        if table is None:
            problems.append(_edit_problem("no such table in the upload", edit))
        elif not isinstance(index, int) or not 0 <= index < len(table.records):
            problems.append(_edit_problem(f"no record {index!r} in the table", edit))
        elif field not in columns(table.name):
            known = ", ".join(columns(table.name))
            message = f"{field!r} is not a column of {table.name} ({known})"
            problems.append(_edit_problem(message, edit))
        elif value is not None and (not isinstance(value, str) or len(value) > MAX_VALUE_CHARS):
            message = f"a cell holds text of at most {MAX_VALUE_CHARS} characters"
            problems.append(_edit_problem(message, edit))
        else:
            record: RawRecord = table.records[index]
            text = None if value is None else value.strip()
            if text:
                record.values[field] = text
            else:
                record.values.pop(field, None)
    if problems:
        raise EditError(problems)


def _holds(record: RawRecord, row: int) -> bool:
    return record.row == row or row in record.field_rows.values()


def problem_rows(raw: RawNetwork, problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """The records the problems point to, each with its cells and its problems.

    Parameters
    ----------
    raw : RawNetwork
        What the reader found (the problems' file names as the reader wrote them).
    problems : sequence of Problem
        The located problems of the upload.

    Returns
    -------
    list of dict
        At most :data:`MAX_ROWS_SHOWN`, in the problems' order: ``table``, ``index``
        (position in the table, the address of an edit), ``row`` (the row, line or
        YAML line the user sees), ``columns`` (the schema's), ``values`` (column ->
        text as read) and ``problems`` (``field``, ``message``). Problems without a
        row (a missing table, a malformed file) have no row to edit.
    """
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for p in problems:
        if p.row is None:
            continue
        for table in raw.tables.values():
            if (table.file, table.sheet) != (p.file, p.sheet):
                continue
            for index, record in enumerate(table.records):
                if not _holds(record, p.row):
                    continue
                key = (table.name, index)
                if key not in out:
                    if len(out) >= MAX_ROWS_SHOWN:
                        break
                    out[key] = {
                        "table": table.name,
                        "index": index,
                        "row": record.row if record.row is not None else p.row,
                        "columns": list(columns(table.name)),
                        "values": {k: cell_text(v) for k, v in record.values.items()},
                        "problems": [],
                    }
                out[key]["problems"].append({"field": p.field, "message": p.message})
    return list(out.values())
