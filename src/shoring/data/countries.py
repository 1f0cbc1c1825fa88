"""Countries: ISO codes, names, capitals, regions; name-to-ISO3 conversion.

The embedded table (``tables/countries.csv``, card beside it) covers every UN member
and the other economies CEPII GeoDist lists (Taiwan, Hong Kong, ...). Names in user
input are converted with country_converter; an unknown name raises
:class:`~shoring.errors.UnknownCountryError` listing close matches.
"""

from __future__ import annotations

import difflib
import logging
from functools import cache

import country_converter as coco
import pandas as pd

from shoring.data.paths import TABLES_DIR
from shoring.errors import UnknownCountryError

logging.getLogger("country_converter").setLevel(logging.ERROR)
logging.getLogger("country_converter.country_converter").setLevel(logging.ERROR)


@cache
def _table() -> pd.DataFrame:
    frame = pd.read_csv(
        TABLES_DIR / "countries.csv",
        keep_default_na=False,  # Namibia's ISO2 code is "NA"
        dtype={"iso3": str, "iso2": str, "un_member": bool, "landlocked": bool},
    )
    return frame.set_index("iso3")


def countries() -> pd.DataFrame:
    """Return the embedded country table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso3``; columns ``iso2``, ``name``, ``region`` (continent),
        ``subregion`` (UN M49 subregion), ``un_member``, ``capital``, ``lat``, ``lon``
        (capital, degrees), ``landlocked``, ``coord_source``. A copy: edit freely.
    """
    return _table().copy()


@cache
def _converter() -> coco.CountryConverter:
    return coco.CountryConverter()


@cache
def _names() -> dict[str, str]:
    """Lower-case name/code -> ISO3, for fast exact lookups and suggestions."""
    table = _table()
    names: dict[str, str] = {}
    for iso3, row in table.iterrows():
        for key in (iso3, row["iso2"], row["name"]):
            names[str(key).lower()] = str(iso3)
    return names


def suggest_countries(name: str, n: int = 3) -> list[str]:
    """Close matches for a misspelt country, formatted ``"ISO3 (Name)"``.

    Parameters
    ----------
    name : str
        The unrecognised name (case-insensitive).
    n : int
        Maximum number of suggestions.

    Returns
    -------
    list of str
        Distinct matches, best first (difflib, cutoff 0.6); empty when none is close.
    """
    names = _names()
    table = _table()
    hits = difflib.get_close_matches(name.lower(), list(names), n=n * 3, cutoff=0.6)
    seen: list[str] = []
    for hit in hits:
        iso3 = names[hit]
        label = f"{iso3} ({table.at[iso3, 'name']})"
        if label not in seen:
            seen.append(label)
    return seen[:n]


@cache
def to_iso3(name: str) -> str:
    """Convert a country name or ISO2/ISO3 code to an ISO3 code.

    Parameters
    ----------
    name : str
        ``"CHN"``, ``"cn"``, ``"China"``, ``"Viet Nam"``, ``"Türkiye"``, ...

    Returns
    -------
    str
        The ISO3 code of a country in :func:`countries`.

    Raises
    ------
    UnknownCountryError
        When the name matches no country; the error lists close matches.
    """
    key = str(name).strip()
    if not key:
        raise UnknownCountryError(name)
    exact = _names().get(key.lower())
    if exact is not None:
        return exact
    converted = _converter().convert(key, to="ISO3", not_found=None)
    if isinstance(converted, str) and converted in _table().index:
        return converted
    raise UnknownCountryError(name, suggest_countries(key))


def country_name(iso3: str) -> str:
    """Short English name of an ISO3 code (``"CHN"`` -> ``"China"``).

    Parameters
    ----------
    iso3 : str
        ISO3 code (any name :func:`to_iso3` accepts also works).

    Returns
    -------
    str
        The ``name`` column of :func:`countries`.

    Raises
    ------
    UnknownCountryError
        When the code matches no country.
    """
    return str(_table().at[to_iso3(iso3), "name"])
