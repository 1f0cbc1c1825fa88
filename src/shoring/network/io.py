"""Read a network from any supported format: :func:`read_network`, :func:`write_network`."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from shoring.errors import Problem, ShoringInputError
from shoring.network.io_common import display_name
from shoring.network.io_csv import read_csv_folder, write_csv_folder
from shoring.network.io_excel import read_excel, write_excel
from shoring.network.io_yaml import read_yaml, write_yaml
from shoring.network.model import Network
from shoring.network.schema import REQUIRED_TABLES, TABLES

YAML_SUFFIXES = (".yaml", ".yml")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_network(path: str | Path) -> Network:
    """Read and validate a network from a YAML file, an Excel workbook or a folder.

    A folder is read by :func:`network_source`: the one network file it holds (an
    example's folder, a ``shoring demo`` output), or its ``<table>.csv`` files.

    Parameters
    ----------
    path : str or Path
        ``.yaml``/``.yml``, ``.xlsx``/``.xlsm``, a folder holding one such file, or a
        folder of ``<table>.csv`` files.

    Returns
    -------
    Network

    Raises
    ------
    ShoringInputError
        The only exception for bad input; lists every problem found.
    """
    target = Path(path)
    if target.is_dir():
        target = network_source(target)
        if target.is_dir():
            return read_csv_folder(target)
        path = target
    suffix = target.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return read_yaml(path)
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path)
    if not target.exists():
        raise ShoringInputError([Problem(display_name(path), "file not found")])
    message = "unsupported file type: use .yaml, .yml, .xlsx or a folder of CSV files"
    raise ShoringInputError([Problem(display_name(path), message)])


def network_source(folder: str | Path) -> Path:
    """What a folder given as a network holds: one network file, or CSV tables.

    The rule: a folder with exactly one network file (``.yaml``, ``.yml``, ``.xlsx``,
    ``.xlsm``) and no CSV table is read from that file; a folder with CSV files named
    like tables (``products.csv``, any case) and no network file is a CSV folder.
    Anything else is an error that lists what the folder holds and what is expected.
    Hidden entries and Excel lock files (``~$book.xlsx``) are ignored.

    Parameters
    ----------
    folder : str or Path
        An existing directory.

    Returns
    -------
    Path
        The network file to read, or ``folder`` itself when it is a CSV folder.

    Raises
    ------
    ShoringInputError
        Several network files, a network file beside CSV tables, or neither; the
        message lists the entries found and, for an output folder of shoring (with a
        ``manifest.json``), the network its run read.
    """
    folder = Path(folder)
    name = display_name(folder)
    try:
        entries = sorted(e.name for e in os.scandir(folder) if not e.name.startswith((".", "~$")))
    except OSError as exc:
        raise ShoringInputError(
            [Problem(name, f"cannot list the folder: {exc.strerror}")]
        ) from None
    files = [n for n in entries if Path(n).suffix.lower() in YAML_SUFFIXES + EXCEL_SUFFIXES]
    tables = [n for n in entries if n.lower().endswith(".csv") and n[:-4].strip().lower() in TABLES]
    if len(files) == 1 and not tables:
        return folder / files[0]
    if tables and not files:
        return folder
    required = ", ".join(f"{t}.csv" for t in TABLES if t in REQUIRED_TABLES)
    expected = (
        "expected exactly one network file (.yaml, .yml, .xlsx or .xlsm), or CSV tables "
        f"({required} and the optional ones), not both"
    )
    if files and tables:
        message = (
            f"holds both network file(s) {', '.join(files)} and CSV tables "
            f"{', '.join(tables)}: give the file itself, or move one of them away; {expected}"
        )
    elif files:
        message = (
            f"holds {len(files)} network files ({_names(files)}): give one of them "
            f"as the network; {expected}"
        )
    else:
        found = f"found {_names(entries)}" if entries else "it is empty"
        message = f"holds no network: {found}; {expected}{_hints(folder, entries)}"
    raise ShoringInputError([Problem(name, message)])


def _names(entries: list[str], limit: int = 12) -> str:
    """``"a.csv, b.html"``, at most ``limit`` names and how many more."""
    more = f" and {len(entries) - limit} more" if len(entries) > limit else ""
    return ", ".join(entries[:limit]) + more


def _hints(folder: Path, entries: list[str]) -> str:
    """Where the network probably is: a shoring output folder's input, or table names
    close to a CSV file's (``product.csv`` for ``products.csv``)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        inputs = [str(i["path"]) for i in manifest["inputs"]]
        command = str(manifest["command"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    else:
        given = f"its network was {', '.join(inputs)}" if inputs else "it names no input"
        return (
            f". This is the output folder of `shoring {command}` (manifest.json), "
            f"results, not a network: {given}"
        )
    close = [
        f"{entry} -> {match[0]}.csv"
        for entry in entries
        if entry.lower().endswith(".csv")
        for match in [difflib.get_close_matches(entry[:-4].strip().lower(), TABLES, n=1)]
        if match
    ]
    return f". Rename {', '.join(close)}" if close else ""


def write_network(network: Network, path: str | Path) -> Path:
    """Write a network in the format the path asks for (suffix, or folder when none).

    Parameters
    ----------
    network : Network
        The network to write.
    path : str or Path
        ``.yaml``/``.yml`` for YAML, ``.xlsx``/``.xlsm`` for Excel, no suffix for a folder
        of CSV files (created if needed). Existing files are overwritten.

    Returns
    -------
    Path
        The file or folder written.

    Raises
    ------
    ValueError
        If the suffix is none of the supported ones.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return write_yaml(network, target)
    if suffix in EXCEL_SUFFIXES:
        return write_excel(network, target)
    if suffix == "":
        return write_csv_folder(network, target)
    raise ValueError(f"cannot write {path}: use .yaml, .yml, .xlsx or a folder")
