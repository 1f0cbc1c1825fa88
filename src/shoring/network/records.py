"""Raw records as read from a file, before validation.

Every reader (YAML, Excel, CSV) turns its file into a :class:`RawNetwork`: per table,
the records with their location (file, sheet, row) and the values as written. The
validator (:mod:`shoring.network.validate`) turns that into a
:class:`~shoring.network.model.Network` or a list of located problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shoring.errors import Problem


@dataclass
class RawRecord:
    """One record (row) of a table.

    Parameters
    ----------
    row : int or None
        Excel row, CSV line or YAML line of the record.
    values : dict
        Column -> value as written; blank cells are left out.
    field_rows : dict
        Column -> row where that value sits, when it differs from ``row`` (meta
        key/value rows, compact YAML demand).
    """

    row: int | None
    values: dict[str, Any]
    field_rows: dict[str, int] = field(default_factory=dict)

    def row_of(self, column: str | None) -> int | None:
        """Row to report for a problem with ``column``.

        Parameters
        ----------
        column : str or None
            Column of the problem; None for the record as a whole.

        Returns
        -------
        int or None
            ``field_rows[column]`` when recorded, else the record's ``row``.
        """
        if column is None:
            return self.row
        return self.field_rows.get(column, self.row)


@dataclass
class RawTable:
    """Records of one table and where they came from.

    Parameters
    ----------
    name : str
        Table name (``"products"``...).
    file : str
        File name to report (the CSV file for a CSV folder).
    sheet : str or None
        Excel sheet or YAML section to report; ``None`` for CSV.
    records : list of RawRecord
    header : tuple of str or None
        Column headers (Excel/CSV); ``None`` when each record names its keys (YAML).
    header_row : int or None
        Row of the headers.
    """

    name: str
    file: str
    sheet: str | None
    records: list[RawRecord] = field(default_factory=list)
    header: tuple[str, ...] | None = None
    header_row: int | None = None

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        """A :class:`Problem` located in this table.

        Parameters
        ----------
        message : str
            What is wrong.
        row : int, optional
            Row in the file to report.
        column : str, optional
            Column (field) concerned.

        Returns
        -------
        Problem
            With this table's ``file`` and ``sheet``.
        """
        return Problem(self.file, message, sheet=self.sheet, row=row, field=column)


@dataclass
class RawNetwork:
    """Everything a reader found: tables present, and file-level problems.

    Parameters
    ----------
    file : str
        The file or folder name the user passed.
    tables : dict of str to RawTable
        Tables present in the file.
    problems : list of Problem
        Malformed-file problems found while reading (syntax, missing sheet...).
    missing : dict of str to Problem
        Problem to report for each table the file does not have.
    fatal : bool
        The file could not be read at all (syntax error...): report ``problems`` only.
    warnings : list of Problem
        Doubts that do not stop reading (a table read under another name, a sheet not
        read ...), emitted as :class:`~shoring.errors.InputWarning`.
    """

    file: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    missing: dict[str, Problem] = field(default_factory=dict)
    fatal: bool = False
    warnings: list[Problem] = field(default_factory=list)
