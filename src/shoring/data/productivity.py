"""Manufacturing labour productivity relative to the US (USA = 1) by economy and year.

The embedded table ``tables/labour_productivity.csv`` (card beside it) is long format: one
row per (``iso3``, ``year``) with ``index`` (manufacturing value added per person engaged
at market exchange rates, relative to the US), ``method`` (``derived`` | ``interpolated``
| ``extrapolated``), ``derivation``, ``source`` and ``url``. The cited anchors (GGDC
Productivity Level Database 2023, 2005, 2011 and 2017) are in
``scripts/data/labour_productivity_anchors.csv``; ``scripts/build_labour_productivity.py``
fills the grid 2000-2024 by the labour-cost table's rule (:mod:`shoring.data.anchored`).

The engine divides labour per unit by it: products' ``labour_hours`` are hours at US
productivity, so a site in an economy with index 0.12 needs 1 / 0.12 times the hours.
Economies outside the table are undefined (no default 1): a site there must give its own
``productivity_index``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
import xarray as xr

from shoring.data.anchored import ANCHOR_METHODS, methods_by_pair, series_trends, wide_values
from shoring.data.paths import TABLES_DIR
from shoring.errors import ShoringError

SOURCE = (
    "GGDC Productivity Level Database 2023: manufacturing value added per person engaged "
    "at market exchange rates, relative to the US"
)
"""Source of the country index, shown next to it in cost explanations."""

LABOUR_NOTE = (
    "labour = hours per unit at US productivity x wage x (1 - automation) / (productivity x "
    "index); the index (output per hour, USA = 1) is the site's productivity_index where "
    "given, else 1 (the same hours as a US plant), or with meta.labour_productivity: "
    f"national its country's for the year ({SOURCE}; tables/labour_productivity.card.yaml)"
)
"""One line explaining the labour component, printed under cost tables."""


def productivity_basis(site_given: bool, iso3: str, year: int, national: bool = True) -> str:
    """Where a site's productivity index comes from, in words (for cost explanations).

    Parameters
    ----------
    site_given : bool
        The site gives its own ``productivity_index``.
    iso3 : str
        The site's country.
    year : int
        The year costed.
    national : bool, default True
        The network takes sites' indices from the country table
        (``meta.labour_productivity: national``); else a site without its own index takes 1.

    Returns
    -------
    str
        ``"site's productivity_index"``, the equal-hours default or the country table's
        source, method and year.
    """
    if site_given:
        return "site's productivity_index"
    if not national:
        return "1: the same hours as a US plant (meta.labour_productivity: equal)"
    if iso3 == "USA":
        return f"USA {year}, 1 by definition (the reference economy): {SOURCE}"
    method = _methods().get((iso3, year), f"extrapolated beyond {max(_wide().columns)}")
    return f"{iso3} {year}, {method}: {SOURCE}"


@cache
def _methods() -> dict[tuple[str, int], str]:
    """(iso3, year) -> the row's method: one lookup per cost record, not a table scan."""
    return methods_by_pair(_table())


class ProductivityRangeError(ShoringError, KeyError):
    """No productivity index for an economy, or for a year outside the table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@cache
def _table() -> pd.DataFrame:
    return pd.read_csv(
        TABLES_DIR / "labour_productivity.csv",
        keep_default_na=False,
        dtype={"iso3": str, "year": int, "index": float},
    )


def labour_productivity_table() -> pd.DataFrame:
    """Return the embedded productivity table (long format, one row per economy-year).

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``year``, ``index`` (USA = 1), ``method``, ``derivation``,
        ``source``, ``url``. A copy: edit freely.
    """
    return _table().copy()


@cache
def _wide() -> pd.DataFrame:
    return _table().pivot(index="iso3", columns="year", values="index").sort_index()


@cache
def _trends() -> pd.DataFrame:
    table = _table()
    return series_trends(table[table["method"].isin(ANCHOR_METHODS)], "index")


@cache
def productivity_economies() -> tuple[str, ...]:
    """ISO3 codes of the economies the embedded table covers, sorted."""
    return tuple(_wide().index)


def productivity_matrix(
    iso3s: Sequence[str], years: Sequence[int], *, extrapolate: bool = False
) -> xr.DataArray:
    """Productivity index (USA = 1) for every (country, year) pair, vectorized.

    Parameters
    ----------
    iso3s : sequence of str
        ISO3 codes; repeated codes give repeated rows.
    years : sequence of int
        Calendar years.
    extrapolate : bool, default False
        Fill years outside the table (2000-2024) at each series' own cited trend
        (:func:`shoring.data.anchored.series_trends`) instead of raising.

    Returns
    -------
    xarray.DataArray
        Float array with dims (``country``, ``year``), units ``USA = 1``.

    Raises
    ------
    ProductivityRangeError
        An economy the table does not cover, or a year outside it without
        ``extrapolate``.
    """
    codes = [str(c).upper() for c in iso3s]
    wanted = [int(y) for y in years]
    wide = _wide()
    unknown = sorted(set(codes) - set(wide.index))
    if unknown:
        raise ProductivityRangeError(
            f"no manufacturing productivity index for {', '.join(unknown)}; covered "
            f"economies: {', '.join(wide.index)}"
        )
    values = wide_values(wide, _trends, codes, wanted, extrapolate)
    if np.isnan(values).any():
        rows, cols = np.nonzero(np.isnan(values))
        raise ProductivityRangeError(
            f"no manufacturing productivity index for {codes[rows[0]]} in {wanted[cols[0]]}; "
            f"the table covers {min(wide.columns)}-{max(wide.columns)} "
            "(pass extrapolate=True to extend it at its own cited trend)"
        )
    return xr.DataArray(
        values,
        dims=("country", "year"),
        coords={"country": codes, "year": wanted},
        name="productivity_index",
        attrs={"units": "USA = 1", "source": "shoring tables/labour_productivity.csv"},
    )


LOW_INDEX = 0.25
"""National index below which the equal-hours default deserves a note (a quarter of the
US's manufacturing value added per person; a threshold for the note, not a figure)."""


def equal_hours_note(iso3s: Sequence[str], year: int) -> str | None:
    """A note for cost tables when equal hours compare economies far apart in productivity.

    Parameters
    ----------
    iso3s : sequence of str
        Countries of the sites that take the default index 1 (no ``productivity_index``)
        under ``meta.labour_productivity: equal``.
    year : int
        The year whose national index is quoted.

    Returns
    -------
    str or None
        The countries whose national index (:func:`productivity_matrix`) is below
        :data:`LOW_INDEX`, with their index and the two ways to use it; None when there
        are none.
    """
    codes = sorted(set(iso3s) & set(productivity_economies()))
    if not codes:
        return None
    index = productivity_matrix(codes, [year], extrapolate=True).to_numpy()[:, 0]
    low = [f"{c} {v:.3f}" for c, v in zip(codes, index, strict=True) if v < LOW_INDEX]
    if not low:
        return None
    return (
        f"labour is compared at equal hours (meta.labour_productivity: equal); national "
        f"manufacturing value added per person relative to the US in {year}: "
        f"{', '.join(low)} ({SOURCE}). A plant there that needs more hours than a US plant "
        "should give sites.productivity_index, or set meta.labour_productivity: national"
    )
