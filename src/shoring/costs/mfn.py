"""Product-level MFN duties of a network: the rate, its basis, and what to tell the user.

For every (product, importing country) the MFN rate is, in order:

1. the user's own rate from the network's ``mfn_rates`` table (longest HS prefix of the
   product's code, for the country or its customs union's schedule, e.g. ``EU``) ->
   basis ``"user"``;
2. the national tariff line(s) of the importer's official schedule (USA, EU, GBR, JPN,
   CHN; :func:`shoring.data.tariffs.mfn_lookup`), specific duties as ad valorem
   equivalents from the product's unit value and weight -> ``"national-line"``,
   ``"hs6"`` or ``"hs6-avg"``;
3. the economy's simple-average MFN -> ``"average"``; nothing cited -> ``"none"`` (taken
   as 0 by the engine and reported).

Where several national lines with different rates share the product's HS6 and the
product gives only the HS6, their simple average is used and a note names the lines and
asks for the national code. A code the importer's nomenclature does not have (an HS2022
code in the EU's HS2017-based CN, a code of another country's national digits) is noted
too; unknown codes in every nomenclature are rejected when the network is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shoring.data.mfn_lines import line_schedules
from shoring.data.tariffs import mfn_lookup
from shoring.errors import Problem, ShoringInputError
from shoring.network import Network

BASES = ("national-line", "hs6", "hs6-avg", "average", "user", "none")
"""Every basis a duty can have (``duty_basis`` in the engine's results)."""


@dataclass(frozen=True)
class ProductMfn:
    """MFN of each product into each country on one date.

    Attributes
    ----------
    rate : ndarray of float, (product, country)
        Ad valorem (equivalent) MFN rate, fraction; NaN where no figure is cited.
    basis : ndarray of str, (product, country)
        One of :data:`BASES`.
    notes : tuple of str
        Averaged lines and nomenclature gaps, one sentence each.
    """

    rate: np.ndarray
    basis: np.ndarray
    notes: tuple[str, ...]


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def _user_rates(
    network: Network, codes: np.ndarray, countries: np.ndarray, schedules: np.ndarray
) -> np.ndarray:
    """User rate per (product, country) by longest HS prefix; NaN where none."""
    out = np.full((codes.size, countries.size), np.nan)
    table = network.mfn_rates
    if table is None or table.empty:
        return out
    # shortest prefix first, so that the longest matching prefix is written last
    for row in table.sort_values("hs_code", key=lambda s: s.str.len()).itertuples():
        hit_p = np.char.startswith(codes.astype(str), str(row.hs_code))
        hit_c = (countries == row.importer) | (schedules == row.importer)
        cell = hit_p[:, None] & hit_c
        out = np.where(cell, float(row.rate), out)
    return out


def product_mfn(network: Network, countries: np.ndarray, on: dt.date) -> ProductMfn:
    """MFN rate and basis of every product of a network into every country.

    Parameters
    ----------
    network : Network
        Products (``hs_code``, ``unit_value_usd``, ``weight_kg``) and the optional
        ``mfn_rates`` table of the user's own rates.
    countries : ndarray of str
        ISO3 codes of the importing countries.
    on : datetime.date
        Date of customs-union membership (GBR applies the EU tariff until 2020).

    Returns
    -------
    ProductMfn

    Raises
    ------
    ShoringInputError
        A product's national line has a duty that cannot be expressed ad valorem (a
        rate per litre or per m2, a seasonal or entry-price rate) and the network gives
        no rate of its own for it.
    """
    products = network.products
    codes = products["hs_code"].to_numpy(dtype=str)
    found = mfn_lookup(
        countries[None, :],
        codes[:, None],
        on,
        products["unit_value_usd"].to_numpy(dtype=float)[:, None],
        products["weight_kg"].to_numpy(dtype=float)[:, None],
    )
    user = _user_rates(network, codes, np.asarray(countries, dtype=object), found.schedule)
    has_user = ~np.isnan(user)
    rate = np.where(has_user, user, found.rate)
    basis = np.where(has_user, "user", found.basis).astype(object)
    lines = found.lines
    shape = rate.shape
    problem = lines.problem.reshape(shape)
    bad = (problem != "") & ~has_user & np.isnan(rate)
    ids = [str(i) for i in products.index]
    if bad.any():
        raise ShoringInputError(
            Problem(
                network.name,
                f"product {ids[p]!r}: the MFN duty of {found.schedule[p, c]} on line "
                f"{problem[p, c]} cannot be expressed ad valorem from the unit value and "
                f"weight; give the rate in the network's mfn_rates table (importer "
                f"{found.schedule[p, c]}, hs_code {codes[p]})",
                sheet="products",
                field="hs_code",
            )
            for p, c in zip(*np.nonzero(bad), strict=True)
        )
    notes: dict[tuple[str, str], str] = {}
    avg = (basis == "hs6-avg").ravel()
    for i in np.flatnonzero(avg):
        p, c = divmod(int(i), shape[1])
        sched = str(found.schedule[p, c])
        notes.setdefault(
            (ids[p], sched),
            f"product {ids[p]!r} (HS {codes[p]}): {sched} has {lines.count[i]} national "
            f"lines {lines.first[i]}..{lines.last[i]} with MFN rates "
            f"{_pct(lines.low[i])} to {_pct(lines.high[i])}; their simple average "
            f"{_pct(lines.ave[i])} is used (basis hs6-avg). Give the national code as "
            f"hs_code, or your own rate in the mfn_rates table.",
        )
    for i in np.flatnonzero((found.unknown & ~has_user).ravel()):
        p, c = divmod(int(i), shape[1])
        sched = str(found.schedule[p, c])
        edition = line_schedules()[sched][1]
        notes.setdefault(
            (ids[p], sched),
            f"product {ids[p]!r}: HS code {codes[p]} is not in {sched}'s nomenclature "
            f"(HS{edition}-based); {sched}'s average MFN is used (basis average). Give "
            f"{sched}'s rate in the mfn_rates table.",
        )
    for i in np.flatnonzero(lines.fallback_hs6 & (basis.ravel() != "user")):
        p, c = divmod(int(i), shape[1])
        sched = str(found.schedule[p, c])
        notes.setdefault(
            (ids[p], sched + "|hs6"),
            f"product {ids[p]!r}: {codes[p]} is not a national line of {sched}; the "
            f"lines under HS {codes[p][:6]} are used (basis {basis[p, c]}).",
        )
    return ProductMfn(rate=rate, basis=basis, notes=tuple(notes.values()))


def basis_frame(mfn: ProductMfn, products: pd.Index, countries: np.ndarray) -> pd.DataFrame:
    """Long table of MFN rate and basis per (product, country), for reports and tests.

    Parameters
    ----------
    mfn : ProductMfn
        From :func:`product_mfn`.
    products : pandas.Index
        Product ids, in the order of ``mfn``'s rows.
    countries : ndarray of str
        ISO3 codes, in the order of ``mfn``'s columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``product``, ``country``, ``mfn_rate``, ``basis``.
    """
    p, c = np.meshgrid(np.arange(len(products)), np.arange(len(countries)), indexing="ij")
    return pd.DataFrame(
        {
            "product": np.asarray(products)[p.ravel()],
            "country": np.asarray(countries)[c.ravel()],
            "mfn_rate": mfn.rate.ravel(),
            "basis": mfn.basis.ravel(),
        }
    )


def duty_rows(
    codes: np.ndarray, by_year: dict[int, ProductMfn], copper_share: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray], np.ndarray]:
    """Rows of the duty arrays: products with the same HS code, MFN rates and declared
    copper content share one.

    Parameters
    ----------
    codes : ndarray of str
        HS code of each product.
    by_year : dict of int to ProductMfn
        MFN of the products per year (:func:`product_mfn`).
    copper_share : ndarray of float
        Declared copper content share of each product's value (NaN: none).

    Returns
    -------
    tuple
        The HS code of each row, the row of each product, the MFN rates per (row,
        country) of each year, and the copper content share of each row.
    """
    _, code_id = np.unique(codes, return_inverse=True)
    rates = [np.nan_to_num(m.rate, nan=-1.0) for m in by_year.values()]
    copper = np.asarray(copper_share, dtype=float)
    key = np.column_stack([code_id.astype(float), np.nan_to_num(copper, nan=-1.0), *rates])
    _, first, index = np.unique(key, axis=0, return_index=True, return_inverse=True)
    index = index.reshape(-1)
    mfn = {y: m.rate[first] for y, m in by_year.items()}
    return codes[first].astype(object), index, mfn, copper[first]
