"""The policy map of a finished (or partly finished) sweep, read back with DuckDB.

For every grid point: the cheapest site of each (product, market, year) of a cost sweep,
or the chosen footprint of an optimize sweep; and, when the sweep measured one, the regret
of the given footprint across the grid. :mod:`shoring.report.policy_map` draws the map
over two parameters (the others held at one value each): an offline HTML page, a section
of the study report, figures for the web app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from shoring.errors import ShoringError
from shoring.sweep.store import PARTS, parts, read_manifest


@dataclass(frozen=True)
class SweepResults:
    """A sweep folder's manifest and rows.

    Attributes
    ----------
    manifest : dict
    rows : pandas.DataFrame
        One row per finished variant (columns as :func:`shoring.sweep.store.schema`).
    """

    manifest: dict[str, Any]
    rows: pd.DataFrame

    @property
    def parameters(self) -> list[str]:
        """Parameter names, in grid order."""
        return list(self.manifest["parameters"])

    @property
    def outcomes(self) -> list[str]:
        """Outcome columns of the map: ``site__<lane>`` (cost), ``footprint`` (optimize),
        annual expected loss, CVaR and mean service level (simulate)."""
        if self.manifest["analysis"] == "optimize":
            return ["footprint"]
        if self.manifest["analysis"] == "simulate":
            return ["annual_expected_loss", "cvar", "service_level_mean"]
        return [c for c in self.rows.columns if c.startswith("site__")]


def read_results(
    out: str | Path, where: Mapping[str, Any] | None = None, sql: str | None = None
) -> SweepResults:
    """Read a sweep folder with DuckDB.

    Parameters
    ----------
    out : str or Path
        The folder (:func:`shoring.sweep.run_sweep`).
    where : mapping, optional
        Parameter name -> value: only the variants at those values.
    sql : str, optional
        Extra SQL condition on the rows (DuckDB syntax), e.g. ``"error IS NULL"``.

    Returns
    -------
    SweepResults

    Raises
    ------
    ShoringError
        No sweep in the folder, or an unknown parameter or value in ``where``.
    """
    import duckdb

    path = Path(out)
    info = read_manifest(path)
    names = list(info["parameters"])
    conditions, args = [], []
    for name, value in (where or {}).items():
        if name not in names:
            raise ShoringError(f"unknown parameter {name!r}; the sweep's: {', '.join(names)}")
        if value not in info["parameters"][name]:
            known = ", ".join(str(v) for v in info["parameters"][name])
            raise ShoringError(f"{name} = {value!r} is not on the grid; its values: {known}")
        conditions.append(f'"{name}" = ?')
        args.append(value)
    if sql:
        conditions.append(f"({sql})")
    if not parts(path):
        return SweepResults(info, pd.DataFrame(columns=["variant_id", *names]))
    files = str(path / PARTS).replace("'", "''")
    query = f"SELECT * FROM read_parquet('{files}')"
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    query += " ORDER BY " + ", ".join(f'"{n}"' for n in names)
    try:
        rows = duckdb.execute(query, args).df()
    except duckdb.Error as exc:
        raise ShoringError(f"query on {path}: {exc}") from None
    return SweepResults(info, rows)


def parse_at(items: Sequence[str], info: Mapping[str, Any]) -> dict[str, Any]:
    """``NAME=VALUE`` options as parameter values of the sweep (typed as on the grid).

    Parameters
    ----------
    items : sequence of str
        E.g. ``["chn_wage_growth=0.06", "mex_usa_preference=true"]``.
    info : mapping
        The sweep's manifest.

    Returns
    -------
    dict
        Name -> value (float or bool).

    Raises
    ------
    ShoringError
        Not ``NAME=VALUE``, an unknown name, or a value that is not a number/boolean.
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in info["parameters"]:
            known = ", ".join(info["parameters"])
            raise ShoringError(f"--at {item!r}: give NAME=VALUE with NAME one of {known}")
        grid_values = info["parameters"][name]
        if isinstance(grid_values[0], bool):
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise ShoringError(f"--at {item!r}: {name} is true or false")
            out[name] = lowered == "true"
            continue
        try:
            out[name] = float(text)
        except ValueError:
            raise ShoringError(f"--at {item!r}: {name} takes a number") from None
    return out


def map_axes(
    results: SweepResults, x: str | None, y: str | None, at: Mapping[str, Any]
) -> tuple[str, str | None, dict[str, Any]]:
    """The map's axes and the values the other parameters are held at.

    Defaults: x the first parameter, y the second; every other parameter at ``at`` or
    else its first grid value.

    Returns
    -------
    tuple
        ``(x, y or None, held)``.

    Raises
    ------
    ShoringError
        An unknown parameter, or x and y the same.
    """
    names = results.parameters
    for name in (x, y):
        if name is not None and name not in names:
            raise ShoringError(f"unknown parameter {name!r}; the sweep's: {', '.join(names)}")
    x = x or names[0]
    rest = [n for n in names if n != x]
    y = y or (rest[0] if rest else None)
    if x == y:
        raise ShoringError("--x and --y name the same parameter")
    held = {n: at.get(n, results.manifest["parameters"][n][0]) for n in names if n not in (x, y)}
    return x, y, held


def matrix(rows: pd.DataFrame, x: str, y: str | None, column: str) -> pd.DataFrame:
    """``column`` laid out with ``y`` values as rows and ``x`` values as columns.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows at one value of every other parameter (one row per (x, y)).
    x, y : str
        Parameters (``y`` None: one row).
    column : str
        Outcome or regret column.

    Returns
    -------
    pandas.DataFrame
        Missing grid points (not yet computed) are NaN/None.
    """
    if y is None:
        return rows.set_index(x)[[column]].T
    return rows.pivot(index=y, columns=x, values=column)


def regret_summary(results: SweepResults) -> pd.DataFrame:
    """Regret of the sweep's footprint across the grid, per outcome column.

    Returns
    -------
    pandas.DataFrame
        ``column, variants, max, mean, zero_share`` (share of variants where the footprint
        is optimal, regret <= 1e-9 relative); empty when the sweep measured no regret.
    """
    columns = [c for c in results.rows.columns if c == "regret" or c.startswith("regret__")]
    out = []
    for column in columns:
        values = results.rows[column].dropna().astype(float)
        if values.empty:
            continue
        scale = max(float(values.abs().max()), 1.0)
        out.append(
            {
                "column": column,
                "variants": int(values.size),
                "max": float(values.max()),
                "mean": float(values.mean()),
                "zero_share": float((values <= 1e-9 * scale).mean()),
            }
        )
    return pd.DataFrame(out, columns=["column", "variants", "max", "mean", "zero_share"])
