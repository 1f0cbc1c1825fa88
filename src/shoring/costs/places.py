"""Places goods move between: node locations (city, coordinates or the capital fallback).

A *place* is a point a site, supplier or market sits at. Nodes without a city or
coordinates sit at their country's capital and share one place per country, labelled
by the ISO3 code, so a network without locations has exactly one place per country (and
the landed-cost engine's results keep their country labels). Located nodes get the label
``"ISO3@lat,lon"``; markets at the same point share a place, so the engine computes
each destination point once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from shoring.costs.duties import DutyRates
from shoring.data.countries import countries as country_table
from shoring.data.distances import Distances, great_circle_km, internal_distance_km


@dataclass(frozen=True)
class Places:
    """Points lanes run between.

    Attributes
    ----------
    label : ndarray of str
        Place id: the ISO3 code for a country's capital, ``"ISO3 @ lat,lon"`` otherwise.
    country : ndarray of str
        ISO3 code of each place.
    lat, lon : ndarray of float
        Coordinates, degrees.
    """

    label: np.ndarray
    country: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @classmethod
    def capitals(cls, countries: Sequence[str]) -> Places:
        """One place per country, at its capital.

        Parameters
        ----------
        countries : sequence of str
            ISO3 codes.

        Returns
        -------
        Places
        """
        table = country_table().loc[list(countries)]
        codes = np.asarray(list(countries), dtype=object)
        return cls(codes, codes, table["lat"].to_numpy(float), table["lon"].to_numpy(float))


@dataclass(frozen=True)
class NodePlaces:
    """The places of a network's nodes.

    Attributes
    ----------
    places : Places
        Distinct places: one per country capital used as a fallback and one per distinct
        (country, lat, lon) given by city or coordinates.
    site, supplier, market : ndarray of int
        Index into ``places`` of each site, supplier and market (network order).
    """

    places: Places
    site: np.ndarray
    supplier: np.ndarray
    market: np.ndarray


def place_labels(nodes: pd.DataFrame) -> np.ndarray:
    """Place label of each node: its ISO3 code at the capital, ``"ISO3@lat,lon"`` otherwise.

    Parameters
    ----------
    nodes : pandas.DataFrame
        With columns ``country``, ``lat``, ``lon`` (NaN = the capital).

    Returns
    -------
    ndarray of str
    """
    lat, lon = nodes["lat"].to_numpy(float), nodes["lon"].to_numpy(float)
    country = nodes["country"].to_numpy(dtype=object)
    located = [f"{c}@{a:.4f},{b:.4f}" for c, a, b in zip(country, lat, lon, strict=True)]
    return np.where(np.isnan(lat), country, np.asarray(located, dtype=object)).astype(object)


def location_basis(nodes: pd.DataFrame) -> np.ndarray:
    """How each node's location was given: ``city``, ``coordinates`` or ``capital``.

    Parameters
    ----------
    nodes : pandas.DataFrame
        With columns ``city``, ``lat`` (NaN = the capital fallback).

    Returns
    -------
    ndarray of str
    """
    lat = nodes["lat"].to_numpy(float)
    city = nodes["city"].notna().to_numpy()
    return np.select([np.isnan(lat), city], ["capital", "city"], "coordinates").astype(object)


def node_places(sites: pd.DataFrame, suppliers: pd.DataFrame, markets: pd.DataFrame) -> NodePlaces:
    """Distinct places of the sites, suppliers and markets, and each node's place.

    Parameters
    ----------
    sites, suppliers, markets : pandas.DataFrame
        Network tables with ``country``, ``lat``, ``lon``.

    Returns
    -------
    NodePlaces
    """
    frames = [t[["country", "lat", "lon"]] for t in (sites, suppliers, markets)]
    nodes = pd.concat(frames, ignore_index=True)
    nodes["label"] = place_labels(nodes)
    first = nodes.drop_duplicates("label").sort_values("label")
    capital = country_table().reindex(first["country"])
    lat = np.where(first["lat"].isna(), capital["lat"].to_numpy(float), first["lat"])
    lon = np.where(first["lon"].isna(), capital["lon"].to_numpy(float), first["lon"])
    labels = first["label"].to_numpy(dtype=object)
    places = Places(labels, first["country"].to_numpy(dtype=object), lat, lon)
    index = pd.Index(labels).get_indexer(nodes["label"])
    n_s, n_u = len(sites), len(suppliers)
    return NodePlaces(places, index[:n_s], index[n_s : n_s + n_u], index[n_s + n_u :])


def great_circle_matrix(places: Places, distances: Distances) -> np.ndarray:
    """Great-circle km between every pair of places.

    Parameters
    ----------
    places : Places
        The places.
    distances : Distances
        Used between capital places (e.g. CEPII ``distw``; great-circle by default).

    Returns
    -------
    ndarray (place, place)
        km; a country's internal distance (CEPII convention) from a place to itself.
    """
    km = great_circle_km(
        places.lat[:, None], places.lon[:, None], places.lat[None, :], places.lon[None, :]
    )
    capital = places.label == places.country
    both = capital[:, None] & capital[None, :]
    if both.any():
        codes = list(places.country[capital])
        km[np.ix_(capital, capital)] = distances.matrix(codes, codes).to_numpy()
    same_point = km == 0.0
    if same_point.any():
        area = country_table().loc[list(places.country), "area_km2"].to_numpy(float)
        internal = np.broadcast_to(internal_distance_km(area)[:, None], km.shape)
        km = np.where(same_point & ~both, internal, km)
    return km


def duties_at_places(duty: DutyRates, place_country: np.ndarray) -> DutyRates:
    """Duty arrays with their destination axis (the last of each) over places.

    Parameters
    ----------
    duty : DutyRates
        Arrays over destination countries.
    place_country : ndarray of int
        Index into those countries of each place.

    Returns
    -------
    DutyRates
        The same object when every place is a country's capital (in country order).
    """
    if np.array_equal(place_country, np.arange(place_country.size)):
        return duty
    arrays = {
        k.name: np.take(getattr(duty, k.name), place_country, axis=-1)
        for k in fields(duty)
        if isinstance(getattr(duty, k.name), np.ndarray)
    }
    return replace(duty, **arrays)
