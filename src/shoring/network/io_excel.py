"""Excel workbooks: :func:`read_excel` and :func:`write_excel` (openpyxl).

One sheet per table, named like the table, with the column names in row 1 and one
record per row below; ``meta`` has ``key`` and ``value`` columns. ``sites.products``
is ';'-separated in its cell. An "Instructions" sheet (written first, ignored when
reading, as are any other extra sheets) explains every sheet and column. Problems
are located by sheet, Excel row and column name.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shoring.errors import Problem
from shoring.network.checks import suggest
from shoring.network.io_common import display_name, network_records, plain
from shoring.network.model import Network
from shoring.network.records import RawNetwork, RawRecord, RawTable
from shoring.network.schema import TABLE_DESCRIPTIONS, TABLES, column_doc, columns
from shoring.network.validate import build_network

INSTRUCTIONS = "Instructions"
"""Name of the sheet explaining the workbook."""

_GENERAL_NOTES = (
    "How to fill in this workbook",
    "One sheet per table; row 1 holds the column names (do not rename them), one record "
    "per row below. Extra sheets (like this one) are ignored.",
    "Units are part of the column names: _usd = US dollars, _kg = kilograms, "
    "_units = units per year, _months = months. Shares and rates are fractions: 0.25 = 25%.",
    "Ids are free text, unique within their sheet; other sheets refer to them (bom.parent, "
    "sites.products, suppliers.component, demand.market ...).",
    "Countries may be written as names (Germany) or ISO codes (DEU, DE); they are converted "
    "to ISO3.",
    "hs_code is a 6-digit Harmonized System subheading stored as text, so leading zeros "
    "are kept (format the column as Text).",
    "sites.products lists the product ids a site can make, separated by ';'.",
    "A blank optional cell takes its default; defaults are listed below. The default "
    "overhead_rate of 0.15 is an assumption, not a published figure.",
    "Check a filled workbook with: shoring validate <file>.xlsx",
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# ------------------------------------------------------------------------ reading


def _text(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _sheet_table(ws: Any, table: str, file: str) -> tuple[RawTable, list[Problem]]:
    raw = RawTable(table, file, table, header_row=1)
    problems: list[Problem] = []
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None)
    header = [_text(v) for v in (first or ())]
    names = [str(h) if h is not None else None for h in header]
    raw.header = tuple(n for n in names if n is not None)
    if table == "meta":
        raw.header = None
        if names[:2] != ["key", "value"]:
            problems.append(raw.problem("the meta sheet needs columns 'key' and 'value'", 1))
        record = RawRecord(2, {})
        for number, cells in enumerate(rows, start=2):
            key, value = [*cells, None, None][:2]
            key, value = _text(key), _text(value)
            if key is None:
                if value is not None:
                    problems.append(raw.problem("value without a key", number, "key"))
                continue
            key = str(key)
            if key in record.values or key in record.field_rows:
                problems.append(raw.problem("duplicate key", number, key))
                continue
            record.field_rows[key] = number
            if value is not None:
                record.values[key] = value
        raw.records = [record]
        return raw, problems
    unnamed: set[int] = set()
    for number, cells in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for position, cell in enumerate(cells):
            value = _text(cell)
            if value is None:
                continue
            name = names[position] if position < len(names) else None
            if name is None:
                if position not in unnamed:
                    unnamed.add(position)
                    letter = get_column_letter(position + 1)
                    message = f"value in column {letter}, which has no column name in row 1"
                    problems.append(raw.problem(message, number))
                continue
            values.setdefault(name, value)
        if values:
            raw.records.append(RawRecord(number, values))
    return raw, problems


def raw_from_workbook(path: str | Path, file: str) -> RawNetwork:
    """Read a workbook into raw records (unreadable files become problems).

    Does not raise for bad input: problems are collected on the result.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook; one sheet per table, column names in row 1.
    file : str
        File name to use in problems.

    Returns
    -------
    RawNetwork
        Raw records per sheet found; ``missing`` holds absent sheets (with a suggested
        sheet name when one is close), and ``fatal`` is set when the file is missing or
        unreadable.
    """
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        return RawNetwork(file, problems=[Problem(file, "file not found")], fatal=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        message = f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        return RawNetwork(file, problems=[Problem(file, message)], fatal=True)
    raw = RawNetwork(file)
    try:
        sheets = workbook.sheetnames
        for table in TABLES:
            if table not in sheets:
                hint = suggest(table, [s for s in sheets if s not in TABLES])
                raw.missing[table] = Problem(file, f"missing sheet{hint}", sheet=table)
                continue
            raw.tables[table], problems = _sheet_table(workbook[table], table, file)
            raw.problems.extend(problems)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        message = f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        return RawNetwork(file, problems=[Problem(file, message)], fatal=True)
    finally:
        workbook.close()
    return raw


def read_excel(path: str | Path) -> Network:
    """Read and validate an Excel network workbook.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook.

    Returns
    -------
    Network
        The validated network.

    Raises
    ------
    ShoringInputError
        Every problem found, located by sheet, row and column.
    """
    return build_network(raw_from_workbook(path, display_name(path)))


# ------------------------------------------------------------------------ writing


def _style_header(ws: Any, widths: list[int]) -> None:
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for position, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(position)].width = min(max(width + 2, 10), 60)
    ws.freeze_panes = "A2"


def _instructions(ws: Any) -> None:
    ws.append([_GENERAL_NOTES[0]])
    ws["A1"].font = Font(bold=True, size=14)
    for note in _GENERAL_NOTES[1:]:
        ws.append([note])
    ws.append([])
    header = ["sheet", "column", "required", "unit", "allowed values", "default", "description"]
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for table in TABLES:
        ws.append([table, None, None, None, None, None, TABLE_DESCRIPTIONS[table]])
        ws.cell(ws.max_row, 1).font = _HEADER_FONT
        for column in columns(table):
            doc = column_doc(table, column)
            default = doc["default"]
            if column in {"name", "lost_sale_penalty_usd"} and default is None:
                default = "id" if column == "name" else "unit value x (1 + margin)"
            elif table == "modes" and default is None:
                default = "built-in mode default"
            shown = column if table != "meta" else f"{column} (a row in key/value)"
            ws.append(
                [
                    table,
                    shown,
                    "yes" if doc["required"] else "no",
                    doc.get("unit"),
                    doc.get("allowed"),
                    plain(default) if not isinstance(default, str) else default,
                    doc["description"],
                ]
            )
    for letter, width in zip("ABCDEFG", (16, 28, 9, 14, 22, 24, 90), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        row[6].alignment = Alignment(wrap_text=True, vertical="top")


def _validation(ws: Any, column: str, table: str, options: str) -> None:
    position = columns(table).index(column) + 1
    letter = get_column_letter(position)
    rule = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
    rule.add(f"{letter}2:{letter}1000")
    ws.add_data_validation(rule)


def write_excel(network: Network, path: str | Path) -> Path:
    """Write a network as an Excel workbook with an Instructions sheet.

    Parameters
    ----------
    network : Network
        The network to write.
    path : str or Path
        The ``.xlsx`` file; an existing file is overwritten.

    Returns
    -------
    Path
        The file written.
    """
    return write_excel_records(network_records(network), path)


def write_excel_records(data: dict[str, Any], path: str | Path) -> Path:
    """Write YAML-shaped records (``Network.to_dict()`` layout) as a workbook, unvalidated.

    Used by :func:`write_excel` and by tests that write deliberately broken files.

    Parameters
    ----------
    data : dict
        Records as returned by :func:`~shoring.network.io_common.network_records`; list
        values are written ';'-joined and tables absent from it get only a header row.
    path : str or Path
        The ``.xlsx`` file; an existing file is overwritten.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    workbook = openpyxl.Workbook()
    _instructions(workbook.active)
    workbook.active.title = INSTRUCTIONS
    for table in TABLES:
        ws = workbook.create_sheet(table)
        if table == "meta":
            ws.append(["key", "value"])
            for key, value in data["meta"].items():
                ws.append([key, plain(value)])
            _style_header(ws, [12, 40])
            continue
        cols = columns(table)
        ws.append(list(cols))
        widths = [len(c) for c in cols]
        for record in data.get(table, []):
            cells = []
            for position, column in enumerate(cols):
                value = record.get(column)
                if isinstance(value, list):
                    value = "; ".join(value)
                cells.append(value)
                widths[position] = max(widths[position], len(str(value)) if value else 0)
            ws.append(cells)
        if "hs_code" in cols:
            letter = get_column_letter(cols.index("hs_code") + 1)
            for cell in ws[letter]:
                cell.number_format = "@"
        _style_header(ws, widths)
        if table == "sites":
            _validation(ws, "status", table, "existing,candidate")
        if table == "modes":
            _validation(ws, "mode", table, "ocean,air,rail,truck")
    _text_not_formulas(workbook)
    workbook.save(path)
    return path


def _text_not_formulas(workbook: openpyxl.Workbook) -> None:
    """Store every text cell as text: a name starting with ``=`` would otherwise become a
    live formula in Excel (OWASP, "CSV Injection") and read back empty."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
