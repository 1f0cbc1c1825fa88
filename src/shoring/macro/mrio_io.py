"""Reading MRIO systems: pymrio's formats, OECD ICIO and EXIOBASE 3 through pymrio.

pymrio (Stadler 2021, "Pymrio – A Python Based Multi-Regional Input-Output Analysis
Toolbox", *Journal of Open Research Software* 9(1): 8, https://github.com/IndEcol/pymrio)
is GPL-3.0 licensed; ``shoring`` (Apache-2.0) imports it only here, lazily, as the optional
extra ``shoring[mrio]``. The text layout of pymrio's bundled test MRIO (tab-separated
``trade_flows_Z.txt``, ``finald_demand_Y.txt``, ``factor_input.txt`` with ``region`` and
``sector`` header rows and a unit column) is read with pandas and needs no pymrio.

Formats (``fmt``):

``"test"``
    pymrio's test-MRIO text layout: a folder with ``trade_flows_Z.txt`` (or with such a
    ``mrio_data`` subfolder), e.g. ``../shared/data/mrio``.
``"pymrio"``
    A system saved with ``IOSystem.save_all`` (folder or zip with ``file_parameters.json``),
    read with ``pymrio.load_all``.
``"oecd"``
    OECD Inter-Country Input-Output tables (zip or csv as downloaded; a folder of them with
    ``year``), read with ``pymrio.parse_oecd``.
``"exiobase3"``
    EXIOBASE 3 (zip as downloaded from Zenodo, or the extracted folder), read with
    ``pymrio.parse_exiobase3``.
``"auto"``
    ``"test"`` or ``"pymrio"`` from what the folder holds.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringError, ShoringInputError
from shoring.macro.mrio import MRIOTable

__all__ = ["FORMATS", "load_mrio", "require_pymrio", "table_from_frames"]

FORMATS = ("auto", "test", "pymrio", "oecd", "exiobase3")
"""Accepted values of ``fmt``."""

_TEST_FILES = {"Z": "trade_flows_Z.txt", "Y": "finald_demand_Y.txt", "F": "factor_input.txt"}


def require_pymrio() -> Any:
    """Import pymrio, or explain how to install it.

    Returns
    -------
    module
        ``pymrio``.

    Raises
    ------
    shoring.errors.ShoringError
        When pymrio is not installed; the message names the extra ``shoring[mrio]``.
    """
    try:
        import pymrio
    except ImportError:
        raise ShoringError(
            "this MRIO format is read with pymrio (GPL-3.0), an optional extra: "
            "pip install 'shoring[mrio]'"
        ) from None
    return pymrio


def load_mrio(path: str | Path, fmt: str = "auto", year: int | None = None) -> MRIOTable:
    """Read an MRIO system.

    Parameters
    ----------
    path : str or Path
        Folder or archive (see the module docstring for each format).
    fmt : str
        One of :data:`FORMATS`.
    year : int, optional
        Year of the OECD ICIO table when ``path`` is a folder with several years.

    Returns
    -------
    MRIOTable

    Raises
    ------
    shoring.errors.ShoringInputError
        Missing file, unknown layout, a cell that is not a finite number (file, row,
        column), labels that do not form a region x sector grid.
    shoring.errors.ShoringError
        When the format needs pymrio and it is not installed.
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise ShoringInputError([Problem(str(path), f"unknown format {fmt!r}; use {FORMATS}")])
    if not path.exists():
        raise ShoringInputError([Problem(str(path), "not found")])
    if fmt == "auto":
        fmt = _detect(path)
    if fmt == "test":
        return _read_test_layout(_test_folder(path))
    pymrio = require_pymrio()
    try:
        if fmt == "pymrio":
            io = pymrio.load_all(path)
        elif fmt == "oecd":
            io = pymrio.parse_oecd(path, year=year)
        else:
            io = pymrio.parse_exiobase3(path)
    except Exception as exc:  # pymrio's parsers raise their own, pandas' and OS errors
        raise ShoringInputError([Problem(str(path), f"pymrio could not read it: {exc}")]) from None
    return from_pymrio(io, str(path))


def _test_folder(path: Path) -> Path:
    for folder in (path, path / "mrio_data"):
        if (folder / _TEST_FILES["Z"]).is_file():
            return folder
    raise ShoringInputError(
        [Problem(str(path), f"no {_TEST_FILES['Z']} here or in mrio_data/ (pymrio test layout)")]
    )


def _detect(path: Path) -> str:
    if path.is_dir():
        if any((f / _TEST_FILES["Z"]).is_file() for f in (path, path / "mrio_data")):
            return "test"
        if (path / "file_parameters.json").is_file():
            return "pymrio"
    if path.suffix == ".zip":
        return "pymrio"
    raise ShoringInputError(
        [
            Problem(
                str(path),
                "cannot tell the MRIO format: expected a pymrio test-layout folder "
                f"({_TEST_FILES['Z']}) or a folder saved by pymrio (file_parameters.json); "
                "for OECD ICIO or EXIOBASE 3 pass --format oecd / exiobase3",
            )
        ]
    )


def _read(path: Path, header: int, index: int) -> pd.DataFrame:
    if not path.is_file():
        raise ShoringInputError([Problem(str(path), "file not found")])
    try:
        return pd.read_csv(
            path, sep="\t", header=list(range(header)), index_col=list(range(index)), dtype=str
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise ShoringInputError([Problem(str(path), f"not a tab-separated table: {exc}")]) from None


def _numeric(frame: pd.DataFrame, file: str, header_rows: int) -> pd.DataFrame:
    """Every cell a finite number, else a problem at its file row and column."""
    raw = frame.to_numpy(dtype=object)
    values = pd.DataFrame(raw).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        problems = []
        for i, j in np.argwhere(bad)[:10]:
            col = frame.columns[j]
            label = "/".join(map(str, col)) if isinstance(col, tuple) else str(col)
            cell = raw[i, j]
            what = "empty cell" if cell is None or cell != cell else f"not a number: {cell!r}"
            problems.append(Problem(file, what, row=header_rows + int(i) + 1, field=label))
        raise ShoringInputError(problems)
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def _read_test_layout(folder: Path) -> MRIOTable:
    z_path, y_path, f_path = (folder / _TEST_FILES[k] for k in ("Z", "Y", "F"))
    Z = _read(z_path, 2, 3)
    Y = _read(y_path, 2, 3)
    unit = str(Z.index.get_level_values(2)[0]) if len(Z) else ""
    Z = _numeric(Z.droplevel(2), str(z_path), 2)
    Y = _numeric(Y.droplevel(2), str(y_path), 2)
    F = None
    if f_path.is_file():
        F = _numeric(_read(f_path, 2, 2), str(f_path), 2)
    name = folder.parent.name if folder.name == "mrio_data" else folder.name
    with contextlib.suppress(OSError, ValueError, AttributeError):
        name = str(json.loads((folder / "metadata.json").read_text("utf-8")).get("name") or name)
    return table_from_frames(
        Z, Y, F, unit=unit, name=name, source=str(folder), files=(z_path, y_path)
    )


def from_pymrio(io: Any, source: str) -> MRIOTable:
    """Convert a ``pymrio.IOSystem`` into an :class:`MRIOTable`.

    Parameters
    ----------
    io : pymrio.IOSystem
        With ``Z`` (or ``A`` and ``x``) and ``Y``.
    source : str
        Path it was read from (named in errors).

    Returns
    -------
    MRIOTable

    Raises
    ------
    shoring.errors.ShoringInputError
        Without ``Y``, without ``Z`` and ``A``, or with non-finite values.
    """
    if getattr(io, "Z", None) is None and getattr(io, "A", None) is not None:
        x = io.x if getattr(io, "x", None) is not None else None
        if x is not None:
            io.Z = io.A * x.to_numpy().ravel()[np.newaxis, :]
    if getattr(io, "Z", None) is None or getattr(io, "Y", None) is None:
        raise ShoringInputError([Problem(source, "the system has no Z (or A and x) or no Y")])
    F = None
    factor_inputs = getattr(io, "factor_inputs", None)
    if factor_inputs is not None and getattr(factor_inputs, "F", None) is not None:
        F = factor_inputs.F
    unit = ""
    if getattr(io, "unit", None) is not None and len(io.unit):
        unit = str(io.unit.iloc[0, 0])
    return table_from_frames(
        io.Z.astype(float), io.Y.astype(float), F, unit=unit, name=str(io.name or ""), source=source
    )


def table_from_frames(
    Z: pd.DataFrame,
    Y: pd.DataFrame,
    F: pd.DataFrame | None = None,
    *,
    unit: str = "",
    name: str = "",
    source: str = "",
    files: tuple[Path, Path] | None = None,
) -> MRIOTable:
    """Build an :class:`MRIOTable` from labelled pymrio-style frames.

    Parameters
    ----------
    Z : pandas.DataFrame
        Rows and columns indexed by ``(region, sector)``, region-major, same order.
    Y : pandas.DataFrame
        Rows as ``Z``; columns ``(region, category)``; categories are summed per region.
    F : pandas.DataFrame, optional
        Factor inputs, columns as ``Z``; summed to the stated value added.
    unit, name, source : str
        Carried into the table.
    files : (Path, Path), optional
        The ``Z`` and ``Y`` files, for error messages (default: ``source``).

    Returns
    -------
    MRIOTable

    Raises
    ------
    shoring.errors.ShoringInputError
        When labels do not form a full region x sector grid or ``Y`` names an unknown
        region, or a value is not finite.
    """
    z_file, y_file = (str(f) for f in files) if files else (source, source)
    if Z.index.nlevels != 2 or Y.columns.nlevels != 2:
        raise ShoringInputError([Problem(z_file, "expected (region, sector) row labels")])
    regions = tuple(dict.fromkeys(map(str, Z.index.get_level_values(0))))
    sectors = tuple(dict.fromkeys(map(str, Z.index.get_level_values(1))))
    if len(regions) < 2:
        raise ShoringInputError(
            [Problem(z_file, f"one region only ({regions}): an MRIO table needs two or more")]
        )
    grid = pd.MultiIndex.from_product([regions, sectors])
    labels = pd.MultiIndex.from_arrays([Z.index.get_level_values(i).astype(str) for i in (0, 1)])
    if len(labels) != len(grid) or not (labels == grid).all():
        raise ShoringInputError(
            [
                Problem(
                    z_file,
                    f"rows are not every sector of every region in order ({len(regions)} "
                    f"regions x {len(sectors)} sectors expected, {len(labels)} rows)",
                )
            ]
        )
    columns = pd.MultiIndex.from_arrays([Z.columns.get_level_values(i).astype(str) for i in (0, 1)])
    if not columns.equals(labels):
        raise ShoringInputError(
            [Problem(z_file, "column labels differ from the row labels (region, sector)")]
        )
    y_rows = pd.MultiIndex.from_arrays([Y.index.get_level_values(i).astype(str) for i in (0, 1)])
    if not y_rows.equals(labels):
        raise ShoringInputError([Problem(y_file, "row labels differ from those of Z")])
    y_regions = Y.columns.get_level_values(0).astype(str)
    unknown = sorted(set(y_regions) - set(regions))
    if unknown:
        raise ShoringInputError(
            [Problem(y_file, f"final demand of unknown regions {unknown}", field="region")]
        )
    z = Z.to_numpy(dtype=float)
    y_cat = Y.to_numpy(dtype=float)
    for values, file in ((z, z_file), (y_cat, y_file)):
        if not np.isfinite(values).all():
            raise ShoringInputError([Problem(file, "contains values that are not finite")])
    onehot = (np.asarray(y_regions)[:, np.newaxis] == np.asarray(regions)[np.newaxis, :]).astype(
        float
    )
    stated = None
    if F is not None:
        f = F.to_numpy(dtype=float)
        if f.shape[1] == len(labels) and np.isfinite(f).all():
            stated = f.sum(axis=0)
    return MRIOTable(
        regions=regions,
        sectors=sectors,
        Z=z,
        Y=y_cat @ onehot,
        unit=unit,
        name=name,
        source=source,
        stated_value_added=stated,
    )
