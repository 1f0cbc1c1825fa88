"""Manufacturing labour cost per hour (USD) by economy and year, and wage-file loaders.

The embedded table ``tables/labour_cost.csv`` (card beside it) is long format: one row
per (``iso3``, ``year``) with ``usd_per_hour``, ``method`` (``reported`` | ``derived`` |
``interpolated`` | ``extrapolated``), ``derivation``, ``source`` and ``url``. The target
concept is hourly compensation costs of all employees in manufacturing (total labour
cost incl. employer social contributions, BLS/Conference Board ILC); rows that use
another concept say so in ``derivation`` ("GAP: ..."). It is built by
``scripts/build_labour_cost.py`` from the cited anchors in
``scripts/data/labour_cost_anchors.csv``; each covered economy has a row for every year
of the grid 2000-2024 from its first cited figure on, and earlier BLS anchors (1997) are
kept too.

Between anchors a series is interpolated at constant growth; after its last anchor it is
extrapolated at the growth rate :func:`series_trends` states: the series' own cited trend
(constant annual growth between the end anchor and the nearest anchor at least
:data:`MIN_TREND_SPAN` years away, anchors from :data:`TREND_FROM_YEAR` on), or, where a
series has no such span, the median of the other series' own trends. Before its first
cited figure a series is undefined (:data:`BACKWARD`): a network needing such a year gives
the site's own figure (``sites.wage_usd_per_hour``). Years after the table raise
:class:`LabourCostRangeError` unless ``extrapolate=True``, which applies the same rule.

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

from shoring.data.anchored import (
    ANCHOR_METHODS,
    TREND_FROM_YEAR,
    methods_by_pair,
    series_summary,
    series_trends,
    wide_values,
)
from shoring.data.anchored import (
    METHODS as METHODS,  # re-exported: the labour-cost table's method labels
)
from shoring.data.csvio import names_to_iso3, read_csv_checked
from shoring.data.paths import TABLES_DIR
from shoring.errors import Problem, ShoringError, ShoringInputError

FLAT_GROWTH = 0.005
"""Year-on-year log change below which a step of a series counts as flat (0.5%)."""

MAX_FLAT_YEARS = 3
"""Most years a value may be carried (near) flat without a cited reason."""

MAX_CITED_GAP = 5
"""A series should have a cited figure at least every this many years."""

BACKWARD = False
"""Whether a series is extrapolated back before its first cited figure: no. A history
grown back at another series' trend (Chile from one 2024 figure to 2000) is not a cited
figure; those years stay undefined and a site needing one gives its own wage."""

_COLUMNS = ("iso3", "year", "usd_per_hour", "method", "derivation", "source", "url")


class LabourCostRangeError(ShoringError, KeyError):
    """No labour cost for an economy, or for a year outside the covered range.

    Parameters
    ----------
    message : str
        What is missing and the fix.
    economy : str, optional
        ISO3 code of the economy whose year is missing (None for an unknown economy).
    """

    def __init__(self, message: str, economy: str | None = None) -> None:
        super().__init__(message)
        self.economy = economy

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


def wage_basis(site_given: bool, iso3: str, year: int) -> str:
    """Where a site's labour cost per hour comes from, in words (for cost explanations).

    Parameters
    ----------
    site_given : bool
        The site gives its own ``wage_usd_per_hour`` (used in every year as given).
    iso3 : str
        The site's country.
    year : int
        The year costed.

    Returns
    -------
    str
        ``"site's wage_usd_per_hour"``, or the table row's economy, year and method
        (``extrapolated after <last year>`` beyond the table, at the series' stated trend).
    """
    if site_given:
        return "site's wage_usd_per_hour (the same every year)"
    method = _methods().get((iso3, year))
    if method is None:
        method = f"extrapolated after {covered_years(iso3)[1]} at the stated trend"
    return f"{iso3} {year}, {method}: tables/labour_cost.card.yaml"


def wage_method(iso3: str, year: int) -> str:
    """Method label of the table's (economy, year) figure; ``extrapolated`` after the table.

    Parameters
    ----------
    iso3 : str
        ISO3 code of a covered economy.
    year : int
        A year from the economy's first cited figure on.

    Returns
    -------
    str
        One of :data:`METHODS`.
    """
    return _methods().get((iso3, year), "extrapolated")


@cache
def _methods() -> dict[tuple[str, int], str]:
    """(iso3, year) -> the row's method, looked up once per cost record."""
    return methods_by_pair(_table())


@cache
def _wide() -> pd.DataFrame:
    """usd_per_hour as a country x year frame (NaN where the table has no row)."""
    return _table().pivot(index="iso3", columns="year", values="usd_per_hour").sort_index()


@cache
def _trends() -> pd.DataFrame:
    table = _table()
    return series_trends(table[table["method"].isin(ANCHOR_METHODS)])


def covered_economies() -> tuple[str, ...]:
    """ISO3 codes of the economies the embedded table covers, sorted."""
    return tuple(_wide().index)


def series_checks(table: pd.DataFrame) -> pd.DataFrame:
    """Per economy: flat runs without a cited reason and stretches without a cited figure.

    A year-on-year step is *flat* when the value changes by less than
    :data:`FLAT_GROWTH` (log change). A flat step has a cited reason when neither row is
    extrapolated at a fallback rate: both rows are cited or interpolated between cited
    anchors, or extrapolated at the series' own cited trend. Only the grid years
    2000 onwards are checked.

    Parameters
    ----------
    table : pandas.DataFrame
        A labour-cost table (:func:`labour_cost_table` layout).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso3``: ``flat_uncited`` (int, longest run of flat steps without a
        cited reason, i.e. years a value is carried), ``flat_years`` (its span, "" if
        none), ``uncited_run`` (int, longest run of consecutive grid years without a
        cited figure; a series has a cited figure at least every :data:`MAX_CITED_GAP`
        years when it is below :data:`MAX_CITED_GAP`) and ``uncited_years`` (its span).
    """
    out: dict[str, dict[str, object]] = {}
    grid = table[table["year"] >= TREND_FROM_YEAR].sort_values(["iso3", "year"])
    for iso3, group in grid.groupby("iso3"):
        years = group["year"].to_numpy(dtype=int)
        cited = group["method"].isin(ANCHOR_METHODS).to_numpy()
        fallback = (group["method"] == "extrapolated").to_numpy() & ~group[
            "derivation"
        ].str.contains("own cited trend").to_numpy()
        steps = np.abs(np.diff(np.log(group["usd_per_hour"].to_numpy(dtype=float))))
        bad = (steps < FLAT_GROWTH) & (fallback[1:] | fallback[:-1])
        flat = _longest(bad, years[1:])
        gap = _longest(~cited, years)
        out[str(iso3)] = {
            "flat_uncited": flat[0],
            "flat_years": flat[1],
            "uncited_run": gap[0],
            "uncited_years": gap[1],
        }
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("iso3")


def _longest(mask: np.ndarray, years: np.ndarray) -> tuple[int, str]:
    """Length and 'first-last' years of the longest run of True in ``mask``."""
    best, span, start = 0, "", None
    for i, on in enumerate([*mask.tolist(), False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start > best:
                a, b = int(years[start]), int(years[i - 1])
                best, span = i - start, str(a) if a == b else f"{a}-{b}"
            start = None
    return best, span


@cache
def _summary() -> dict[str, str]:
    return series_summary(_table())


def labour_cost_series(iso3: str) -> str:
    """Cited years and fill methods of one economy's series (see :func:`series_summary`)."""
    return _summary().get(iso3.upper(), "not in the table")


def covered_years(iso3: str) -> tuple[int, int]:
    """First and last year with a labour cost for ``iso3`` (cached per code).

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
    return _covered_years(iso3.upper())


@cache
def _covered_years(code: str) -> tuple[int, int]:
    wide = _wide()
    if code not in wide.index:
        raise LabourCostRangeError(
            f"no manufacturing labour cost for {code!r}; covered economies: {', '.join(wide.index)}"
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
        After the covered years, extend the series at its stated trend
        (:func:`series_trends`) instead of raising.

    Returns
    -------
    float
        USD per hour (nominal, converted at the year's average exchange rate).

    Raises
    ------
    LabourCostRangeError
        Unknown economy, a year before the economy's first cited figure, or a year after
        the covered range without ``extrapolate``.
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
        Fill years after each economy's covered range from its last value at the growth
        rate :func:`series_trends` gives, instead of raising (years before its first cited
        figure stay undefined, :data:`BACKWARD`).

    Returns
    -------
    xarray.DataArray
        Float array with dims (``country``, ``year``), units ``USD/hour``.

    Raises
    ------
    LabourCostRangeError
        An unknown economy, a year before an economy's first cited figure, or a year
        after the table when ``extrapolate`` is False; the message names the covered
        range and the fix.
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
    values = wide_values(wide, _trends, codes, wanted_years, extrapolate, backward=BACKWARD)
    missing = np.isnan(values)
    if missing.any():
        rows, cols = np.nonzero(missing)
        code, year = codes[rows[0]], wanted_years[cols[0]]
        first, last = covered_years(code)
        hint = (
            f"no cited figure before {first}: give the site's own wage (wage_usd_per_hour)"
            if year < first
            else "pass extrapolate=True to extend it at its stated trend (series_trends)"
        )
        raise LabourCostRangeError(
            f"no manufacturing labour cost for {code} in {year} ({int(missing.sum())} "
            f"missing pair(s)); {code} is covered {first}-{last}"
            f"{' (plus earlier anchors)' if first < 2000 else ''}; {hint}",
            economy=code,
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
