"""Manufacturing labour cost per hour (USD) by economy and year, and wage-file loaders.

The embedded table ``tables/labour_cost.csv`` (card beside it) is long format: one row
per (``iso3``, ``year``) with ``usd_per_hour``, ``method`` (``reported`` | ``derived`` |
``interpolated`` | ``extrapolated``), ``derivation``, ``source`` and ``url``. The target
concept is hourly compensation costs of all employees in manufacturing (total labour
cost incl. employer social contributions, BLS/Conference Board ILC); rows that use
another concept say so in ``derivation`` ("GAP: ..."). The grid 2000-2024 is complete
for every covered economy; a few earlier BLS anchors (1997) are kept too.

Years outside the covered range raise :class:`LabourCostRangeError` naming the range,
unless ``extrapolate=True`` is passed: the value of the nearest covered year is then
carried flat (nominal USD, no growth assumed) — the same rule the table uses for its
``extrapolated`` rows.

Loaders read the shared reference formats: the ILOSTAT earnings extract
(:func:`load_ilostat_earnings`) and the curated multi-unit wage files
(:func:`load_curated_wages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from shoring.data.csvio import names_to_iso3, read_csv_checked
from shoring.data.paths import TABLES_DIR
from shoring.errors import Problem, ShoringError, ShoringInputError

METHODS = ("reported", "derived", "interpolated", "extrapolated")
"""Allowed values of the ``method`` column, from most to least direct."""

_COLUMNS = ("iso3", "year", "usd_per_hour", "method", "derivation", "source", "url")


class LabourCostRangeError(ShoringError, KeyError):
    """No labour cost for an economy, or for a year outside the covered range."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@cache
def _table() -> pd.DataFrame:
    frame = pd.read_csv(
        TABLES_DIR / "labour_cost.csv",
        keep_default_na=False,
        dtype={"iso3": str, "year": int, "usd_per_hour": float},
    )
    return frame


def labour_cost_table() -> pd.DataFrame:
    """Return the embedded labour-cost table (long format, one row per economy-year).

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``year``, ``usd_per_hour`` (USD per hour worked), ``method``,
        ``derivation``, ``source``, ``url``. A copy: edit freely.
    """
    return _table().copy()


@cache
def _wide() -> pd.DataFrame:
    """usd_per_hour as a country x year frame (NaN where the table has no row)."""
    return _table().pivot(index="iso3", columns="year", values="usd_per_hour").sort_index()


def covered_years(iso3: str) -> tuple[int, int]:
    """First and last year with a labour cost for ``iso3``.

    Parameters
    ----------
    iso3 : str
        ISO3 code (case-insensitive).

    Returns
    -------
    tuple of (int, int)
        ``(first, last)`` year of the embedded table with a value.

    Raises
    ------
    LabourCostRangeError
        When the economy is not in the table.
    """
    wide = _wide()
    code = iso3.upper()
    if code not in wide.index:
        raise LabourCostRangeError(
            f"no manufacturing labour cost for {iso3!r}; covered economies: {', '.join(wide.index)}"
        )
    years = wide.loc[code].dropna().index
    return int(years.min()), int(years.max())


def labour_cost(iso3: str, year: int, *, extrapolate: bool = False) -> float:
    """Manufacturing labour cost per hour worked in USD.

    Parameters
    ----------
    iso3 : str
        ISO3 code of the economy (``"CHN"``).
    year : int
        Calendar year.
    extrapolate : bool, default False
        Outside the covered years, carry the nearest covered year's value flat instead
        of raising.

    Returns
    -------
    float
        USD per hour (nominal, converted at the year's average exchange rate).

    Raises
    ------
    LabourCostRangeError
        Unknown economy, or a year outside the covered range without ``extrapolate``.
    """
    return float(labour_cost_matrix([iso3], [year], extrapolate=extrapolate).item())


def labour_cost_matrix(
    iso3s: Sequence[str], years: Sequence[int], *, extrapolate: bool = False
) -> xr.DataArray:
    """Labour cost per hour for every (country, year) pair, vectorized.

    Parameters
    ----------
    iso3s : sequence of str
        ISO3 codes; repeated codes give repeated rows.
    years : sequence of int
        Calendar years.
    extrapolate : bool, default False
        Fill years outside each economy's covered range with its nearest covered
        value (flat) instead of raising.

    Returns
    -------
    xarray.DataArray
        Float array with dims (``country``, ``year``), units ``USD/hour``.

    Raises
    ------
    LabourCostRangeError
        An unknown economy, or a year without a value when ``extrapolate`` is False;
        the message names the covered range.
    """
    codes = [str(c).upper() for c in iso3s]
    wanted_years = [int(y) for y in years]
    wide = _wide()
    unknown = sorted(set(codes) - set(wide.index))
    if unknown:
        raise LabourCostRangeError(
            f"no manufacturing labour cost for {', '.join(unknown)}; covered economies: "
            f"{', '.join(wide.index)}"
        )
    sub = wide.loc[codes]
    if extrapolate:
        all_years = sorted(set(sub.columns) | set(wanted_years))
        sub = sub.reindex(columns=all_years).ffill(axis=1).bfill(axis=1)
    values = sub.reindex(columns=wanted_years).to_numpy(dtype=float)
    missing = np.isnan(values)
    if missing.any():
        rows, cols = np.nonzero(missing)
        code, year = codes[rows[0]], wanted_years[cols[0]]
        first, last = covered_years(code)
        raise LabourCostRangeError(
            f"no manufacturing labour cost for {code} in {year} ({int(missing.sum())} "
            f"missing pair(s)); {code} is covered {first}-{last}"
            f"{' (plus earlier anchors)' if first < 2000 else ''}; "
            "pass extrapolate=True to carry the nearest year flat"
        )
    return xr.DataArray(
        values,
        dims=("country", "year"),
        coords={"country": codes, "year": wanted_years},
        name="labour_cost",
        attrs={"units": "USD/hour", "source": "shoring tables/labour_cost.csv"},
    )


# ---------------------------------------------------------------------------- loaders


def load_ilostat_earnings(path: str | Path) -> pd.DataFrame:
    """Read the ILOSTAT average monthly earnings extract (EAR_4MTH, 2021 PPP $).

    The file (``wages/ilostat_avg_monthly_earnings_ppp2021_2014_2024.csv``) has columns
    ``country, source, year, earnings_ppp, obs_status, note_indicator``; the figures
    cover ALL sectors (not manufacturing) in 2021 purchasing-power-parity dollars, so
    they are not market-rate USD and are not mixed into :func:`labour_cost_table`.

    Parameters
    ----------
    path : str or Path
        The CSV as distributed.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``country`` (as written in the file), ``year`` (int),
        ``earnings_ppp`` (float, 2021 PPP $ per month), ``survey`` (ILOSTAT source),
        ``obs_status``, ``note``. Several surveys may give rows for the same
        country-year; they are all kept.

    Raises
    ------
    ShoringInputError
        Missing columns, or country names that cannot be converted (one problem per
        name, with its first row).
    """
    required = ("country", "source", "year", "earnings_ppp", "obs_status", "note_indicator")
    frame = read_csv_checked(path, required, "ILOSTAT EAR_4MTH extract")
    names = frame["country"].astype(str).str.strip()
    iso3 = names_to_iso3(names, path, field="country")
    out = pd.DataFrame(
        {
            "iso3": iso3,
            "country": names,
            "year": pd.to_numeric(frame["year"], errors="raise").astype(int),
            "earnings_ppp": pd.to_numeric(frame["earnings_ppp"], errors="coerce"),
            "survey": frame["source"].astype(str),
            "obs_status": frame["obs_status"].fillna("").astype(str),
            "note": frame["note_indicator"].fillna("").astype(str),
        }
    )
    return out.sort_values(["iso3", "year", "survey"]).reset_index(drop=True)


def load_curated_wages(path: str | Path) -> pd.DataFrame:
    """Read a curated wage file (``wages/wages_manufacturing*.csv``).

    Each row holds one figure in its own unit (``USD/hour``, ``index USA=100``,
    ``CNY/year``, ``USD per month``, ...) with its measure and citation. Units are
    normalised only in spelling (``"USD per month"`` -> ``"USD/month"``); no conversion
    is done, because the measures differ (see the shared CURATED_FIGURES notes).

    Parameters
    ----------
    path : str or Path
        ``wages_manufacturing.csv`` or ``wages_manufacturing_more.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``year`` (int), ``value`` (float), ``unit``, ``measure``,
        ``source``, ``url``, sorted by iso3, year.

    Raises
    ------
    ShoringInputError
        Missing columns, a code that is not three letters, or a non-numeric value.
    """
    required = ("iso3", "year", "value", "unit", "measure", "source", "url")
    frame = read_csv_checked(path, required, "curated wage figures")
    iso3 = frame["iso3"].astype(str).str.strip().str.upper()
    values = pd.to_numeric(frame["value"], errors="coerce")
    problems = [
        Problem(str(path), f"not an ISO3 code: {code!r}", row=i + 2, field="iso3")
        for i, code in enumerate(iso3)
        if not (len(code) == 3 and code.isalpha())
    ]
    problems += [
        Problem(str(path), f"not a number: {frame['value'].iloc[i]!r}", row=i + 2, field="value")
        for i in np.flatnonzero(values.isna().to_numpy())
    ]
    if problems:
        raise ShoringInputError(problems)
    unit = frame["unit"].astype(str).str.strip().str.replace(r"\s+per\s+", "/", regex=True)
    out = pd.DataFrame(
        {
            "iso3": iso3,
            "year": pd.to_numeric(frame["year"], errors="raise").astype(int),
            "value": values.astype(float),
            "unit": unit,
            "measure": frame["measure"].astype(str),
            "source": frame["source"].astype(str),
            "url": frame["url"].astype(str),
        }
    )
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)
