"""Read a network from any supported format: :func:`read_network`, :func:`write_network`."""

from __future__ import annotations

from pathlib import Path

from shoring.errors import Problem, ShoringInputError
from shoring.network.io_common import display_name
from shoring.network.io_csv import read_csv_folder, write_csv_folder
from shoring.network.io_excel import read_excel, write_excel
from shoring.network.io_yaml import read_yaml, write_yaml
from shoring.network.model import Network

YAML_SUFFIXES = (".yaml", ".yml")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_network(path: str | Path) -> Network:
    """Read and validate a network from a YAML file, an Excel workbook or a CSV folder.

    Parameters
    ----------
    path : str or Path
        ``.yaml``/``.yml``, ``.xlsx``, or a directory of ``<table>.csv`` files.

    Returns
    -------
    Network

    Raises
    ------
    ShoringInputError
        The only exception for bad input; lists every problem found.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if target.is_dir():
        return read_csv_folder(path)
    if suffix in YAML_SUFFIXES:
        return read_yaml(path)
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path)
    if not target.exists():
        raise ShoringInputError([Problem(display_name(path), "file not found")])
    message = "unsupported file type: use .yaml, .yml, .xlsx or a folder of CSV files"
    raise ShoringInputError([Problem(display_name(path), message)])


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
