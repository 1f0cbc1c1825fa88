"""Distances: great-circle default vs CEPII GeoDist."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shoring.data.cepii import load_cepii_distances, load_cepii_geo
from shoring.data.distances import Distances, distance_km, great_circle_km

PAIRS = [
    ("CHN", "USA"),
    ("MEX", "USA"),
    ("VNM", "USA"),
    ("BGD", "USA"),
    ("DEU", "POL"),
    ("CHN", "DEU"),
    ("KOR", "HUN"),
    ("JPN", "USA"),
    ("IND", "GBR"),
    ("TUR", "DEU"),
    ("MAR", "FRA"),
    ("BRA", "ARG"),
    ("CAN", "MEX"),
    ("THA", "JPN"),
    ("IDN", "AUS"),
    ("ZAF", "CHN"),
    ("ESP", "ITA"),
    ("ROU", "CZE"),
    ("PHL", "TWN"),
    ("MYS", "NLD"),
]


def test_haversine_hand_worked() -> None:
    # a quarter of a meridian: pole to equator is pi/2 * R
    assert great_circle_km(90, 0, 0, 0) == pytest.approx(np.pi / 2 * 6371.0088)
    # one degree of longitude on the equator
    assert great_circle_km(0, 0, 0, 1) == pytest.approx(2 * np.pi * 6371.0088 / 360)


def test_default_within_one_percent_of_cepii_distcap(shared_data: Path) -> None:
    with pytest.warns(UserWarning, match="dropped 1 row"):
        cepii = load_cepii_distances(shared_data / "geo" / "dist_cepii.csv")
    for a, b in PAIRS:
        assert distance_km(a, b) == pytest.approx(cepii.at[(a, b), "distcap"], rel=0.01), (a, b)


def test_cepii_replaces_default_and_prefers_distw(shared_data: Path) -> None:
    path = shared_data / "geo" / "dist_cepii.csv"
    with pytest.warns(UserWarning, match="dropped 1 row"):
        cepii = Distances.from_cepii(path)
    # published CEPII figures (dist_cepii.csv): CHN->USA distw 11183.43 km
    assert cepii.km("CHN", "USA") == pytest.approx(11183.43)
    m = cepii.matrix(["China", "Mexico"], ["USA", "Germany"])
    assert m.dims == ("origin", "destination")
    assert m.sel(origin="MEX", destination="USA").item() == pytest.approx(2468.405)
    with pytest.warns(UserWarning):
        capital = Distances.from_cepii(path, measure="distcap")
    assert capital.km("CHN", "USA") == pytest.approx(11159.25)


def test_internal_distance_and_symmetry() -> None:
    d = Distances.great_circle().matrix(["USA", "DEU", "MEX"], ["USA", "DEU", "MEX"]).values
    np.testing.assert_allclose(d, d.T)
    # CEPII internal distance of the USA: 0.67 * sqrt(9,529,106 / pi) = 1166.9 km
    assert d[0, 0] == pytest.approx(0.67 * np.sqrt(9529106 / np.pi))


def test_geo_loader_maps_legacy_codes(shared_data: Path) -> None:
    geo = load_cepii_geo(shared_data / "geo" / "geo_cepii.csv")
    assert "ROU" in geo.index and "ROM" not in geo.index
    assert geo.at["DEU", "city"] == "Berlin"
