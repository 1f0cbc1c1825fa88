"""Distances between countries, in km.

Default: great-circle distance between capitals (coordinates in the embedded country
table), on a sphere of the IUGG mean Earth radius; within a country, the CEPII
convention for internal distance ``0.67 * sqrt(area / pi)`` (Head & Mayer 2002).
Within 0.1% of CEPII GeoDist ``distcap``, which uses the same formula.

When the user has the CEPII GeoDist file, :meth:`Distances.from_cepii` replaces the
default with CEPII's measure — population-weighted ``distw`` by default, the usual
choice in gravity work — and falls back to the great-circle default for pairs CEPII
lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from shoring.data.cepii import load_cepii_distances
from shoring.data.countries import countries, to_iso3

EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius (Moritz 2000, Geodetic Reference System 1980)."""

CepiiMeasure = Literal["distw", "distcap", "dist", "distwces"]


def great_circle_km(
    lat1: np.ndarray | float,
    lon1: np.ndarray | float,
    lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:
    """Haversine great-circle distance in km between points given in degrees (broadcasts).

    Parameters
    ----------
    lat1, lon1 : ndarray or float
        First point(s), degrees.
    lat2, lon2 : ndarray or float
        Second point(s), degrees; broadcast against the first.

    Returns
    -------
    ndarray of float
        Distance in km on a sphere of radius :data:`EARTH_RADIUS_KM`.
    """
    phi1, lam1, phi2, lam2 = (
        np.radians(np.asarray(x, dtype=float)) for x in (lat1, lon1, lat2, lon2)
    )
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def internal_distance_km(area_km2: np.ndarray | float) -> np.ndarray:
    """CEPII's internal distance of a country, ``0.67 * sqrt(area / pi)`` km.

    Parameters
    ----------
    area_km2 : ndarray or float
        Land area, km2.

    Returns
    -------
    ndarray of float
        Internal distance, km.
    """
    return 0.67 * np.sqrt(np.asarray(area_km2, dtype=float) / np.pi)


@dataclass(frozen=True)
class Distances:
    """A source of country-to-country distances.

    Use :meth:`great_circle` (embedded default) or :meth:`from_cepii`; query with
    :meth:`km` or :meth:`matrix`.

    Attributes
    ----------
    name : str
        What the figures are, for reports (e.g. ``"CEPII GeoDist distw"``).
    overrides : pandas.Series
        Distances by (exporter, importer) that replace the great-circle default.
    """

    name: str
    overrides: pd.Series

    @classmethod
    def great_circle(cls) -> Distances:
        """Great-circle distances between capitals (the embedded default).

        Returns
        -------
        Distances
            With no overrides; same-country pairs use the internal distance.
        """
        empty = pd.Series(
            [],
            dtype=float,
            index=pd.MultiIndex.from_arrays([[], []], names=["exporter", "importer"]),
        )
        return cls("great-circle between capitals (CEPII/GeoNames coordinates)", empty)

    @classmethod
    def from_cepii(cls, path: str | Path, measure: CepiiMeasure = "distw") -> Distances:
        """Distances from CEPII GeoDist ``dist_cepii.csv``.

        Parameters
        ----------
        path : str or Path
            The ``dist_cepii.csv`` file.
        measure : {"distw", "distcap", "dist", "distwces"}
            Which CEPII distance to use; population-weighted ``distw`` by default. Pairs
            where that measure is missing use ``distcap``.

        Returns
        -------
        Distances
            CEPII figures as overrides; pairs absent from the file fall back to
            great-circle.

        Raises
        ------
        ShoringInputError
            When the file is missing or lacks a required column.
        """
        table = load_cepii_distances(path)
        values = table[measure].fillna(table["distcap"])
        return cls(f"CEPII GeoDist {measure} (Mayer & Zignago 2011)", values.astype(float))

    def matrix(self, origins: Sequence[str], destinations: Sequence[str]) -> xr.DataArray:
        """Distance in km for every (origin, destination) pair.

        Parameters
        ----------
        origins, destinations : sequence of str
            Country names or codes; converted to ISO3.

        Returns
        -------
        xarray.DataArray
            Dimensions (``origin``, ``destination``), ISO3 coordinates, km.
        """
        orig = [to_iso3(c) for c in origins]
        dest = [to_iso3(c) for c in destinations]
        table = countries()
        o = table.loc[orig]
        d = table.loc[dest]
        km = great_circle_km(
            o["lat"].to_numpy()[:, None],
            o["lon"].to_numpy()[:, None],
            d["lat"].to_numpy()[None, :],
            d["lon"].to_numpy()[None, :],
        )
        same = np.asarray(orig)[:, None] == np.asarray(dest)[None, :]
        internal = internal_distance_km(o["area_km2"].to_numpy())[:, None]
        km = np.where(same, np.broadcast_to(internal, km.shape), km)
        if len(self.overrides):
            pairs = pd.MultiIndex.from_product([orig, dest], names=["exporter", "importer"])
            found = self.overrides.reindex(pairs).to_numpy().reshape(km.shape)
            km = np.where(np.isnan(found), km, found)
        return xr.DataArray(
            km,
            dims=("origin", "destination"),
            coords={"origin": orig, "destination": dest},
            attrs={"units": "km", "source": self.name},
        )

    def km(self, origin: str, destination: str) -> float:
        """Distance in km between two countries (names or codes).

        Parameters
        ----------
        origin, destination : str
            Country names or codes; converted to ISO3.

        Returns
        -------
        float
            As :meth:`matrix` for the single pair.

        Raises
        ------
        UnknownCountryError
            When a name matches no country.
        """
        return float(self.matrix([origin], [destination]).item())


def distance_km(origin: str, destination: str) -> float:
    """Great-circle distance in km between two countries' capitals (embedded default).

    Parameters
    ----------
    origin, destination : str
        Country names or codes; converted to ISO3.

    Returns
    -------
    float
        Distance in km; the internal distance when both are the same country.

    Raises
    ------
    UnknownCountryError
        When a name matches no country.
    """
    return Distances.great_circle().km(origin, destination)
