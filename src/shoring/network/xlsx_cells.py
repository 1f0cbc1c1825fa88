"""Cells of an Excel sheet as the user sees them, read with bounded cost.

openpyxl's read-only reader trusts a sheet's declared dimension (a sheet declaring
``A1:XFD1048576`` makes it pad every row to 16,384 cells and a million rows) and reads
a formula written without a cached result (as openpyxl, pandas and database exports
write them) as an empty cell. :func:`read_sheet` streams a sheet's XML with openpyxl's
parser and returns only the cells present, together with every cell whose value the
reader cannot take as shown:

- a formula without a cached value, and an Excel error value (``#REF!``,
  ``#DIV/0!`` ...) become problems naming the cell;
- a range merged down one column is read as the value in each of its rows (what the
  user sees); a merge across columns, or in the header row, is a problem naming it;
- hidden rows and columns that hold values are read, with a warning naming them.

:func:`check_archive` refuses, before anything is parsed, workbooks whose parts
expand beyond :data:`MAX_UNCOMPRESSED_BYTES` (zip bombs, huge sheets: use CSV files for
networks that large).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

MAX_UNCOMPRESSED_BYTES = 64 * 2**20
"""Largest total size of a workbook's parts once unzipped (64 MiB, ~1 million cells)."""

MAX_PARTS = 10_000
"""Most parts (files) a workbook archive may hold."""

_FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"


def check_archive(path: str | Path) -> str | None:
    """Why a workbook must not be opened (too large once unzipped), or None.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.

    Returns
    -------
    str or None
        A message for the user, or None when the archive is within bounds. A file that
        is no zip archive returns None (the workbook reader reports it).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(parts) > MAX_PARTS:
        return f"the workbook holds {len(parts):,} parts (at most {MAX_PARTS:,} are read)"
    total = sum(part.file_size for part in parts)
    if total > MAX_UNCOMPRESSED_BYTES:
        return (
            f"the workbook expands to {total / 2**20:,.0f} MiB "
            f"(at most {MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MiB are read): save the large "
            "tables as a folder of CSV files instead"
        )
    return None


@dataclass
class CellIssue:
    """A cell (or range) the reader cannot take as shown.

    Parameters
    ----------
    row : int
        Excel row of the cell (first row of a range).
    column : int
        1-based column of the cell (first column of a range).
    message : str
        What is wrong and how to fix it; names the cell address.
    error : bool
        True for a problem, False for a warning.
    """

    row: int
    column: int
    message: str
    error: bool = True


@dataclass
class SheetCells:
    """The cells present in a sheet and the issues found.

    Parameters
    ----------
    rows : dict of int to dict of int to Any
        Excel row -> {1-based column -> value}; blank cells are left out.
    issues : list of CellIssue
    """

    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    issues: list[CellIssue] = field(default_factory=list)


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, reading cached values and noting formula cells."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell = super().parse_cell(element)
        formula = element.find(_FORMULA_TAG)
        if formula is not None:
            cell["formula"] = "=" + formula.text if formula.text else "a shared formula"
        return cell


def _hidden(attrs: dict[str, Any]) -> bool:
    return str(attrs.get("hidden", "")).lower() in {"1", "true"}


def read_sheet(worksheet: Any) -> SheetCells:
    """Stream one sheet of a workbook opened with ``read_only=True, data_only=True``.

    Parameters
    ----------
    worksheet : openpyxl ReadOnlyWorksheet
        The sheet.

    Returns
    -------
    SheetCells
        Cells present (merged single-column ranges filled) and the issues found.

    Raises
    ------
    Exception
        Whatever openpyxl or the XML parser raises for a malformed sheet; the caller
        reports it as an unreadable sheet.
    """
    workbook = worksheet.parent
    out = SheetCells()
    with workbook._archive.open(worksheet._worksheet_path) as source:
        parser = _Parser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            values: dict[int, Any] = {}
            for cell in cells:
                column, value = cell["column"], cell["value"]
                address = f"{get_column_letter(column)}{number}"
                if cell["data_type"] == "e":
                    message = (
                        f"cell {address} shows the Excel error {value}: correct the formula "
                        "or type the value"
                    )
                    out.issues.append(CellIssue(number, column, message))
                    continue
                if "formula" in cell and value is None:
                    message = (
                        f"cell {address} holds a formula ({cell['formula']}) without a cached "
                        "value (written by a program that does not calculate): open and save "
                        "the workbook in Excel or LibreOffice, or type the value"
                    )
                    out.issues.append(CellIssue(number, column, message))
                    continue
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    values[column] = value
            if values:
                out.rows[number] = values
        _merged(parser, out)
        _hidden_parts(parser, out)
    return out


def _merged(parser: WorkSheetParser, out: SheetCells) -> None:
    if parser.merged_cells is None:
        return
    for merged in parser.merged_cells.mergeCell:
        ref = str(merged.ref)
        try:
            first_col, first_row, last_col, last_row = range_boundaries(ref)
        except (TypeError, ValueError):
            out.issues.append(CellIssue(1, 1, f"merged range {ref!r} is not a cell range"))
            continue
        if first_col is None or first_row is None or last_col is None or last_row is None:
            continue
        if first_col != last_col or first_row == 1:
            message = (
                f"cells {ref} are merged across columns or in the header row: unmerge them "
                "and type each value in its own cell"
            )
            out.issues.append(CellIssue(first_row, first_col, message))
            continue
        value = out.rows.get(first_row, {}).get(first_col)
        if value is None:
            continue
        for number in range(first_row + 1, last_row + 1):  # what the user sees in each row
            if number in out.rows:  # rows with nothing else stay blank
                out.rows[number][first_col] = value


def _hidden_parts(parser: WorkSheetParser, out: SheetCells) -> None:
    hidden_rows = [
        int(key)
        for key, attrs in parser.row_dimensions.items()
        if _hidden(attrs) and int(key) in out.rows
    ]
    for number in sorted(hidden_rows):
        first = min(out.rows[number])
        message = f"row {number} is hidden in Excel but is read: unhide it to check it"
        out.issues.append(CellIssue(number, first, message, error=False))
    for attrs in parser.column_dimensions.values():
        if not _hidden(attrs):
            continue
        low, high = int(attrs.get("min", 0)), int(attrs.get("max", 0))
        used = sorted({c for cells in out.rows.values() for c in cells if low <= c <= high})
        if used:
            letters = ", ".join(get_column_letter(c) for c in used)
            message = f"column(s) {letters} are hidden in Excel but are read: unhide to check"
            out.issues.append(CellIssue(1, used[0], message, error=False))
