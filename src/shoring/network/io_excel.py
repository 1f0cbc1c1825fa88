"""Excel workbooks: :func:`read_excel` and :func:`write_excel` (openpyxl).

One sheet per table, named like the table, with the column names in row 1 and one
record per row below; ``meta`` has ``key`` and ``value`` columns. ``sites.products``
is ';'-separated in its cell. An "Instructions" sheet (written first, ignored when
reading) explains every sheet and column; any other sheet that holds no table is
reported. Problems are located by sheet, Excel row and column name.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shoring.errors import Problem
from shoring.network.checks import suggest
from shoring.network.io_common import (
    display_name,
    match_tables,
    network_records,
    plain,
    unread_message,
)
from shoring.network.model import Network
from shoring.network.records import RawNetwork, RawRecord, RawTable
from shoring.network.schema import TABLE_DESCRIPTIONS, TABLES, column_doc, columns
from shoring.network.validate import build_network
from shoring.network.xlsx_cells import SheetCells, check_archive, read_sheet
from shoring.textsafe import FORMULA_PREFIXES

INSTRUCTIONS = "Instructions"
"""Name of the sheet explaining the workbook."""

_GENERAL_NOTES = (
    "How to fill in this workbook",
    "One sheet per table; row 1 holds the column names (do not rename them), one record "
    "per row below. Other sheets are reported as not read (this one excepted).",
    "Units are part of the column names: _usd = US dollars, _kg = kilograms, "
    "_units = units per year, _months = months. Shares and rates are fractions: 0.25 = 25% "
    "(or write 25% with the percent sign; a plain 25 is refused).",
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


def _meta_table(raw: RawTable, cells: SheetCells, problems: list[Problem]) -> None:
    header = cells.rows.get(1, {})
    if [_text(header.get(1)), _text(header.get(2))] != ["key", "value"]:
        problems.append(raw.problem("the meta sheet needs columns 'key' and 'value'", 1))
    record = RawRecord(2, {})
    for number, row in sorted(cells.rows.items()):
        if number == 1:
            continue
        key, value = _text(row.get(1)), _text(row.get(2))
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


def _sheet_table(
    cells: SheetCells, table: str, sheet: str, file: str
) -> tuple[RawTable, list[Problem], list[Problem]]:
    """Raw records of one sheet, with its problems and warnings (located by cell)."""
    raw = RawTable(table, file, sheet, header_row=1)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    header = cells.rows.get(1, {})
    names = {c: str(_text(v)) for c, v in header.items() if _text(v) is not None}
    raw.header = tuple(names[c] for c in sorted(names))
    for issue in cells.issues:
        found = names.get(issue.column) if issue.row > 1 else None
        problem = raw.problem(issue.message, issue.row, found)
        (problems if issue.error else warnings).append(problem)
    if table == "meta":
        raw.header = None
        _meta_table(raw, cells, problems)
        return raw, problems, warnings
    unnamed: set[int] = set()
    for number, row in sorted(cells.rows.items()):
        if number == 1:
            continue
        values: dict[str, Any] = {}
        for column, cell in sorted(row.items()):
            value = _text(cell)
            if value is None:
                continue
            name = names.get(column)
            if name is None:
                if column not in unnamed:
                    unnamed.add(column)
                    letter = get_column_letter(column)
                    message = f"value in column {letter}, which has no column name in row 1"
                    problems.append(raw.problem(message, number))
                continue
            values.setdefault(name, value)
        if values:
            raw.records.append(RawRecord(number, values))
    return raw, problems, warnings


def _unreadable(file: str, exc: BaseException, sheet: str | None = None) -> RawNetwork:
    detail = " ".join(str(exc).split())[:200]
    message = f"not a readable .xlsx workbook ({type(exc).__name__}: {detail})"
    return RawNetwork(file, problems=[Problem(file, message, sheet=sheet)], fatal=True)


def raw_from_workbook(path: str | Path, file: str) -> RawNetwork:
    """Read a workbook into raw records (unreadable files become problems).

    Does not raise for bad input: problems are collected on the result. Sheets are
    matched to tables ignoring case and outer spaces; sheets that hold no table are
    reported (see :func:`~shoring.network.io_common.match_tables`); cells the reader
    cannot take as shown (formulas without a cached value, error values, merges across
    columns) are problems naming the cell (see :mod:`shoring.network.xlsx_cells`).

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
        sheet name when one is close), and ``fatal`` is set when the file is missing,
        too large or unreadable.
    """
    if not Path(path).is_file():
        what = "is a folder, not a workbook" if Path(path).is_dir() else "file not found"
        return RawNetwork(file, problems=[Problem(file, what)], fatal=True)
    refusal = check_archive(path)
    if refusal is not None:
        return RawNetwork(file, problems=[Problem(file, refusal)], fatal=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            return _unreadable(file, exc)
        try:
            return _read_sheets(workbook, file)
        finally:
            workbook.close()


def _read_sheets(workbook: Any, file: str) -> RawNetwork:
    raw = RawNetwork(file)
    sheets = [s for s in workbook.sheetnames if s != INSTRUCTIONS]
    match = match_tables(sheets)
    for table in TABLES:
        if table in match.ambiguous:
            names = ", ".join(repr(s) for s in match.ambiguous[table])
            message = f"several sheets could hold table {table!r}: {names}; keep one"
            raw.problems.append(Problem(file, message, sheet=table))
            continue
        sheet = match.chosen.get(table)
        if sheet is None:
            hint = suggest(table, match.unknown)
            raw.missing[table] = Problem(file, f"missing sheet{hint}", sheet=table)
            continue
        if table in match.renamed:
            message = f"read as table {table!r} (the expected sheet name is {table!r})"
            raw.warnings.append(Problem(file, message, sheet=sheet))
        try:
            cells = read_sheet(workbook[sheet])
        except Exception as exc:
            return _unreadable(file, exc, sheet)
        raw.tables[table], problems, notes = _sheet_table(cells, table, sheet, file)
        raw.problems.extend(problems)
        raw.warnings.extend(notes)
    for sheet in match.unknown:
        message, is_error = unread_message(sheet, raw.tables)
        (raw.problems if is_error else raw.warnings).append(Problem(file, message, sheet=sheet))
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
                ws.append([key, "; ".join(value) if isinstance(value, list) else plain(value)])
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
    live formula in Excel (OWASP, "CSV Injection") and read back empty. A text with a
    formula prefix also gets Excel's text prefix (the cell's ``quotePrefix`` style, not
    a character in the value), so editing the cell in Excel keeps it text."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                    cell.data_type = "s"
                    cell.quotePrefix = True
