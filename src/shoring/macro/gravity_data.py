"""Trade panels for gravity: read a CSV with located errors, select the sample, derive regressors.

Rows are ordered pairs (exporter, importer) in a year; domestic (intra-national) flows have
exporter = importer. Trade values are in any currency unit (the book's data: millions of
current US dollars); they must be finite and non-negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError
from shoring.macro.ge_spec import FillPairs
from shoring.macro.gravity_spec import Columns, GravitySpec, Regressor, spec_problem

INTERNATIONAL = "__international__"
"""Level of the ``intra_national`` effect shared by every international flow."""

DOMESTIC = "__domestic__"
"""Level of the ``pair_intl`` effect shared by every domestic flow."""

MAX_LISTED = 5
"""Bad rows reported one by one before a count of the rest."""


def _row_problems(file: str, mask: np.ndarray, what: str, field: str | None) -> list[Problem]:
    """One problem per bad CSV line (``file:line:field``), the first MAX_LISTED, then a count."""
    lines = (np.flatnonzero(mask) + 2).tolist()  # CSV line: header is line 1
    problems = [Problem(file, what, row=n, field=field) for n in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        more = f"{what}: {len(lines) - MAX_LISTED} more line(s), {len(lines)} in all"
        problems.append(Problem(file, more, field=field))
    return problems


def read_trade(
    path: str | Path,
    columns: Columns,
    extra: Iterable[str] = (),
    recode: Mapping[str, str] | None = None,
    spec_file: str | Path | None = None,
    locs: Mapping[str, tuple[str | int, ...]] | None = None,
) -> pd.DataFrame:
    """Read a trade CSV and check its identifying columns and the trade flow.

    Parameters
    ----------
    path : str or Path
        CSV file with a header line.
    columns : Columns
        Names of exporter, importer, year, trade and pair columns. The pair column
        identifies a country pair in both directions and each domestic flow (as in the
        book's data); when absent it is built from the two country codes.
    extra : iterable of str
        Further columns that must be present and numeric (regressors, their sources).
    recode : mapping of str to str, optional
        Country codes renamed on reading (the book's data write Germany ``ZZZ``).
    spec_file : str or Path, optional
        The spec naming the columns: a missing column is reported at the spec's line and
        field (``locs``, e.g. the regressor that reads it), else at the CSV.
    locs : mapping of str to tuple, optional
        Column -> location of the spec field naming it (:func:`source_locs`).

    Returns
    -------
    pandas.DataFrame
        Columns renamed to ``exporter, importer, year, trade, pair`` (exporter and importer
        as text, year as int), the extra columns as float; original row order.

    Raises
    ------
    ShoringInputError
        Missing file or column; a non-numeric, missing, negative or infinite value (with
        its CSV line numbers); a duplicated (exporter, importer, year).
    """
    file = str(path)
    try:
        raw = pd.read_csv(path, low_memory=False)
    except FileNotFoundError:
        raise ShoringInputError([Problem(file, "file not found")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ShoringInputError([Problem(file, f"not a readable CSV: {exc}")]) from None
    wanted = {
        "exporter": columns.exporter,
        "importer": columns.importer,
        "year": columns.year,
        "trade": columns.trade,
    }
    extra = [c for c in dict.fromkeys(extra) if c not in wanted.values()]
    missing = {col: ("columns", key) for key, col in wanted.items() if col not in raw.columns}
    missing |= {col: (locs or {}).get(col, ()) for col in extra if col not in raw.columns}
    problems = []
    for col, loc in missing.items():
        if spec_file is None:
            message = f"column {col!r} not found (named in the spec)"
            problems.append(Problem(file, message, field=col))
        else:
            known = ", ".join(map(str, raw.columns[:12])) + ", ..." * (len(raw.columns) > 12)
            message = f"column {col!r} is not in {file} (columns: {known})"
            problems.append(spec_problem(spec_file, loc, message))
    if problems:
        raise ShoringInputError(problems)
    out = pd.DataFrame(
        {
            "exporter": raw[columns.exporter].astype(str).str.strip(),
            "importer": raw[columns.importer].astype(str).str.strip(),
        }
    )
    if recode:
        out = out.replace({"exporter": dict(recode), "importer": dict(recode)})
    for key, col in [("year", columns.year), ("trade", columns.trade)] + [(c, c) for c in extra]:
        values = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if key == "trade":
            bad |= values < 0
        if key == "year":
            bad |= values != np.round(values)
        if bad.any():
            what = "not a finite number" + (" >= 0" if key == "trade" else "")
            raise ShoringInputError(_row_problems(file, bad, what, col))
        out[key] = values.astype(int) if key == "year" else values
    if columns.pair in raw.columns:
        out["pair"] = raw[columns.pair].astype(str).str.strip()
    else:
        low = np.minimum(out["exporter"], out["importer"])
        high = np.maximum(out["exporter"], out["importer"])
        out["pair"] = low + "|" + high  # one pair for both directions, as in the book
    dup = out.duplicated(["exporter", "importer", "year"]).to_numpy()
    if dup.any():
        what = "exporter, importer and year repeat an earlier row"
        raise ShoringInputError(_row_problems(file, dup, what, None))
    return out


def source_columns(spec: GravitySpec) -> list[str]:
    """Data columns a spec's regressors read (besides the identifying ones)."""
    return list(source_locs(spec))


def source_locs(
    spec: GravitySpec | FillPairs, prefix: tuple[str | int, ...] = ()
) -> dict[str, tuple[str | int, ...]]:
    """Data columns the regressors read -> location of the regressor naming each.

    Parameters
    ----------
    spec : GravitySpec or FillPairs
        Anything with ``regressors``.
    prefix : tuple
        Location of ``spec`` in its file (``("estimation",)`` in a counterfactual spec).
    """
    cols: dict[str, tuple[str | int, ...]] = {}
    for k, r in enumerate(spec.regressors):
        loc = (*prefix, "regressors", k)
        col = r.log or r.lag or r.column
        if col is None and not r.international_border and r.border_by_year is None:
            col = r.name
        if col is not None:
            cols.setdefault(col, loc)
    return cols


def check_sample_years(
    frame: pd.DataFrame, spec: GravitySpec, spec_file: str | Path, prefix: tuple = ()
) -> None:
    """Refuse sample years the data lacks, at the spec's ``sample.years`` line.

    Raises
    ------
    ShoringInputError
        Naming the missing years and the years the data has.
    """
    years = spec.sample.year_list()
    have = sorted(frame["year"].unique().tolist())
    missing = sorted(set(years or ()) - set(have))
    if missing:
        message = (
            f"years not in the data: {', '.join(map(str, missing))}; "
            f"the data has {', '.join(map(str, have))}"
        )
        raise ShoringInputError([spec_problem(spec_file, (*prefix, "sample", "years"), message)])


@dataclass(frozen=True)
class Design:
    """The estimation frame and what was done to build it.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per observation: ``trade``, the regressors by name, fixed-effect columns
        named ``fe_<effect>``, ``pair`` (cluster) and the identifying columns.
    years : tuple of int
        Years in the sample.
    dropped_no_lag : int
        Rows left out because a lag or lead falls outside the data.
    """

    frame: pd.DataFrame
    years: tuple[int, ...]
    dropped_no_lag: int


def _lagged(data: pd.DataFrame, column: str, years: int) -> pd.Series:
    keys = ["exporter", "importer", "year"]
    past = data[[*keys, column]].copy()
    past["year"] = past["year"] + years
    merged = data[keys].merge(past, on=keys, how="left")
    return pd.Series(merged[column].to_numpy(), index=data.index)


def _regressor(data: pd.DataFrame, r: Regressor, file: str) -> dict[str, pd.Series]:
    international = (data["exporter"] != data["importer"]).astype(float)
    if r.border_by_year is not None:
        return {
            name: international * (data["year"] == y)
            for name, y in zip(r.names(), r.border_by_year, strict=True)
        }
    assert r.name is not None
    if r.international_border:
        return {r.name: international}
    if r.log is not None:
        values = data[r.log]
        if (values <= 0).any():
            bad = (values <= 0).to_numpy()
            raise ShoringInputError(_row_problems(file, bad, "log of a value <= 0", r.log))
        return {r.name: np.log(values)}
    if r.lag is not None:
        assert r.years is not None
        return {r.name: _lagged(data, r.lag, r.years)}
    return {r.name: data[r.column or r.name]}


def _effect(data: pd.DataFrame, effect: str) -> pd.Series:
    year = data["year"].astype(str)
    domestic = data["exporter"] == data["importer"]
    if effect == "exporter_year":
        return data["exporter"] + "|" + year
    if effect == "importer_year":
        return data["importer"] + "|" + year
    if effect == "pair":
        return data["pair"]
    if effect == "pair_intl":
        return data["pair"].where(~domestic, DOMESTIC)
    if effect == "intra_national":
        return data["exporter"].where(domestic, INTERNATIONAL)
    return data[effect].astype(str)  # exporter, importer, year


def build_design(data: pd.DataFrame, spec: GravitySpec, file: str) -> Design:
    """Select the sample and derive the regressors and fixed-effect columns.

    Lags and leads are read from the full data before the sample years are selected (a
    4-year lag of 1990 is the 1986 value even when the sample skips years); a row whose
    lag or lead is not in the data is left out and counted.

    Parameters
    ----------
    data : pandas.DataFrame
        As returned by :func:`read_trade`.
    spec : GravitySpec
        The estimation.
    file : str
        Data file name for messages.

    Returns
    -------
    Design

    Raises
    ------
    ShoringInputError
        A log of a non-positive value; an empty sample; sample years absent from the data.
    """
    derived: dict[str, pd.Series] = {}
    for r in spec.regressors:
        derived |= _regressor(data, r, file)
    frame = data.assign(**derived)
    years = spec.sample.year_list()
    if years is not None:
        missing = sorted(set(years) - set(frame["year"].unique().tolist()))
        if missing:
            message = f"sample years not in the data: {', '.join(map(str, missing))}"
            raise ShoringInputError([Problem(file, message, field="year")])
        frame = frame[frame["year"].isin(years)]
    if spec.sample.international_only:
        frame = frame[frame["exporter"] != frame["importer"]]
    if spec.sample.positive_trade_only:
        frame = frame[frame["trade"] > 0]
    names = list(spec.regressor_names())
    complete = frame[names].notna().all(axis=1)
    dropped = int((~complete).sum())
    frame = frame[complete]
    if frame.empty:
        raise ShoringInputError([Problem(file, "no rows left in the sample")])
    frame = frame.assign(**{f"fe_{e}": _effect(frame, e) for e in spec.fixed_effects})
    return Design(
        frame=frame.reset_index(drop=True),
        years=tuple(sorted(frame["year"].unique().tolist())),
        dropped_no_lag=dropped,
    )
