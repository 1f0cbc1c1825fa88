"""Folders of CSV files: :func:`read_csv_folder` and :func:`write_csv_folder`.

One UTF-8 file per table, ``<table>.csv``, with the column names in line 1;
``meta.csv`` has columns ``key,value``. ``sites.products`` is ';'-separated in its
cell. Optional tables may be absent. Problems name the CSV file and its line.

Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) are written with a ``'`` in front and read back without it
(:func:`shoring.textsafe.guard_cell`), so a folder opened in a spreadsheet runs nothing
and still reads back to the same network.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from shoring.errors import Problem
from shoring.network.io_common import (
    cell_text,
    display_name,
    match_tables,
    network_records,
    plain,
    unread_message,
)
from shoring.network.model import Network
from shoring.network.records import RawNetwork, RawRecord, RawTable
from shoring.network.schema import TABLES, columns
from shoring.network.validate import build_network
from shoring.textsafe import guard_cell, unguard_cell


def _records(lines: Any, raw: RawTable, problems: list[Problem]) -> None:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        problems.append(raw.problem("the file is empty: line 1 must hold the column names", 1))
        return
    names = [h.strip() for h in header]
    raw.header = tuple(n for n in names if n)
    raw.header_row = 1
    previous = reader.line_num
    for cells in reader:
        line = previous + 1
        previous = reader.line_num
        values = {}
        for position, cell in enumerate(cells):
            text = unguard_cell(cell.strip())
            if not text:
                continue
            if position >= len(names) or not names[position]:
                message = f"more values than column names (value {text!r})"
                problems.append(raw.problem(message, line))
                break
            values.setdefault(names[position], text)
        if values:
            raw.records.append(RawRecord(line, values))


def _meta(raw: RawTable, problems: list[Problem]) -> None:
    if raw.header is not None and list(raw.header[:2]) != ["key", "value"]:
        problems.append(raw.problem("meta.csv needs columns 'key' and 'value'", 1))
    record = RawRecord(2, {})
    for item in raw.records:
        key, value = item.values.get("key"), item.values.get("value")
        if key is None:
            problems.append(raw.problem("value without a key", item.row, "key"))
        elif key in record.field_rows:
            problems.append(raw.problem("duplicate key", item.row, key))
        else:
            record.field_rows[key] = item.row  # type: ignore[assignment]
            if value is not None:
                record.values[key] = value
    raw.records = [record]
    raw.header = None


def _entry_problem(entry: Path) -> str | None:
    """Why a folder entry named like a table cannot be read (None: a readable file)."""
    if entry.is_file():
        return None
    if entry.is_symlink() and not entry.exists():
        return f"is a link to {os.readlink(entry)!s}, which does not exist: the table is not read"
    if entry.is_dir():
        return "is a folder, not a CSV file: the table is not read"
    return "is not a regular file: the table is not read"


def _table_files(folder: Path, name: str, raw: RawNetwork) -> dict[str, Path]:
    """The file to read for each table; everything else in the folder is reported.

    A ``.csv`` entry (any case) that is not a readable table file is a problem; one that
    names no table is a warning (or a problem when it looks like an absent table).
    """
    try:
        entries = {e.name: folder / e.name for e in os.scandir(folder)}
    except OSError as exc:
        raw.problems.append(Problem(name, f"cannot list the folder: {exc.strerror}"))
        return {}
    stems = {n[:-4]: n for n in entries if n.lower().endswith(".csv")}
    match = match_tables(stems)
    found: dict[str, Path] = {}
    for table in TABLES:
        expected = display_name(Path(name) / f"{table}.csv")
        if table in match.ambiguous:
            names = ", ".join(stems[s] for s in match.ambiguous[table])
            message = f"several files could hold table {table!r}: {names}; keep one"
            raw.problems.append(Problem(expected, message))
            continue
        if table not in match.chosen:
            raw.missing[table] = Problem(expected, "missing file")
            continue
        entry = entries[stems[match.chosen[table]]]
        file = display_name(Path(name) / entry.name)
        why = _entry_problem(entry)
        if why is not None:
            raw.problems.append(Problem(file, why))
            continue
        if table in match.renamed:
            message = f"read as table {table!r} (the expected file name is {table}.csv)"
            raw.warnings.append(Problem(file, message))
        found[table] = entry
    for stem in match.unknown:
        message, is_error = unread_message(stem, found)
        problem = Problem(display_name(Path(name) / stems[stem]), message)
        (raw.problems if is_error else raw.warnings).append(problem)
    return found


def raw_from_folder(path: str | Path) -> RawNetwork:
    """Read every ``<table>.csv`` of a folder into raw records.

    Does not raise for bad input: problems are collected on the result.

    Parameters
    ----------
    path : str or Path
        The folder; files are read as UTF-8 (a BOM is allowed).

    Returns
    -------
    RawNetwork
        Raw records per table found; ``problems`` lists unreadable or malformed files,
        ``missing`` the absent tables, and ``fatal`` is set when the folder does not exist.
    """
    folder = Path(path)
    name = display_name(path)
    raw = RawNetwork(name)
    if not folder.is_dir():
        raw.problems.append(Problem(name, "folder not found"))
        raw.fatal = True
        return raw
    found = _table_files(folder, name, raw)
    for table in TABLES:
        if table not in found:
            continue
        csv_path = found[table]
        file = display_name(Path(name) / csv_path.name)
        table_raw = RawTable(table, file, None)
        problems: list[Problem] = []
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                _records(handle, table_raw, problems)
        except UnicodeDecodeError:
            raw.problems.append(Problem(file, "not a UTF-8 text file"))
            continue
        except csv.Error as exc:
            raw.problems.append(Problem(file, f"malformed CSV: {exc}"))
            continue
        except OSError as exc:
            raw.problems.append(Problem(file, f"cannot read: {exc.strerror}"))
            continue
        if table == "meta":
            _meta(table_raw, problems)
        raw.problems.extend(problems)
        raw.tables[table] = table_raw
    return raw


def read_csv_folder(path: str | Path) -> Network:
    """Read and validate a folder of CSV files (one per table).

    Parameters
    ----------
    path : str or Path
        The folder holding ``<table>.csv`` files.

    Returns
    -------
    Network
        The validated network.

    Raises
    ------
    ShoringInputError
        Every problem found, located by CSV file, line and column.
    """
    return build_network(raw_from_folder(path))


def write_csv_folder(network: Network, path: str | Path) -> Path:
    """Write one CSV file per table into ``path`` (created if needed).

    Parameters
    ----------
    network : Network
        The network to write.
    path : str or Path
        The folder; existing ``<table>.csv`` files are overwritten.

    Returns
    -------
    Path
        The folder written.
    """
    return write_csv_records(network_records(network), path)


def write_csv_records(data: dict[str, Any], path: str | Path) -> Path:
    """Write YAML-shaped records as a CSV folder, unvalidated (see :func:`write_csv_folder`).

    Parameters
    ----------
    data : dict
        Records as returned by :func:`~shoring.network.io_common.network_records`; tables
        absent from it are written with only their header line.
    path : str or Path
        The folder, created if needed.

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if table == "meta":
                writer.writerow(["key", "value"])
                writer.writerows([k, _cell(v)] for k, v in data["meta"].items())
                continue
            cols = columns(table)
            writer.writerow(cols)
            writer.writerows([_cell(r.get(c)) for c in cols] for r in data.get(table, []))
    return folder


def _cell(value: Any) -> str:
    """A value's CSV cell: numbers as they are, text guarded against formulas."""
    text = cell_text(value)
    return text if isinstance(plain(value), int | float) else guard_cell(text)
