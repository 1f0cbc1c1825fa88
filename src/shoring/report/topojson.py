"""TopoJSON to GeoJSON, and the world's country shapes shipped with the package.

The report draws its world map from ``assets/countries-110m.json``: Natural Earth's
1:110m Admin 0 countries as TopoJSON, from the npm package ``world-atlas`` 2.0.2
(see ``assets/countries-110m.card.yaml``), so the map needs no network access.

TopoJSON (https://github.com/topojson/topojson-specification) stores each shared
border once, as an *arc*; geometries list arc indices (``~i`` = arc ``i`` reversed).
A quantized topology delta-encodes arc positions as integers, decoded as
``position = cumsum(delta) * scale + translate``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

ASSETS_DIR = Path(__file__).parent / "assets"
"""Static files of the report (world shapes and their data card)."""
WORLD_FILE = ASSETS_DIR / "countries-110m.json"
"""Natural Earth 1:110m countries as TopoJSON (world-atlas 2.0.2)."""


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Absolute (lon, lat) positions of every arc of a topology.

    Parameters
    ----------
    topology : dict
        A parsed TopoJSON ``Topology``, quantized (with ``transform``) or not.

    Returns
    -------
    list of numpy.ndarray
        One ``(n, 2)`` float array per arc.
    """
    arcs = topology["arcs"]
    transform = topology.get("transform")
    if not arcs:
        return []
    lengths = np.array([len(a) for a in arcs])
    flat = np.array([pt[:2] for arc in arcs for pt in arc], dtype=float)
    if transform is not None:
        # cumulative sum within each arc: global cumsum minus the sum before the arc
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        total = np.cumsum(flat, axis=0)
        before = np.vstack([np.zeros((1, 2)), total])[starts]
        flat = total - np.repeat(before, lengths, axis=0)
        flat = flat * np.asarray(transform["scale"], dtype=float) + np.asarray(
            transform["translate"], dtype=float
        )
    return np.split(flat, np.cumsum(lengths)[:-1])


def _ring(indices: list[int], arcs: list[np.ndarray]) -> list[list[float]]:
    """Stitch arcs into one ring; each arc after the first drops its repeated start."""
    parts = []
    for k, i in enumerate(indices):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.vstack(parts).round(6).tolist()


def _geometry(geom: dict[str, Any], arcs: list[np.ndarray]) -> dict[str, Any] | None:
    kind = geom.get("type")
    if kind == "Polygon":
        coords: Any = [_ring(r, arcs) for r in geom["arcs"]]
    elif kind == "MultiPolygon":
        coords = [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]
    elif kind == "LineString":
        coords = _ring(geom["arcs"], arcs)
    elif kind == "MultiLineString":
        coords = [_ring(line, arcs) for line in geom["arcs"]]
    elif kind in ("Point", "MultiPoint"):
        coords = geom["coordinates"]  # not used by world-atlas; positions left quantized
    else:  # null geometry
        return None
    return {"type": kind, "coordinates": coords}


def to_geojson(topology: dict[str, Any], name: str) -> dict[str, Any]:
    """Convert one object of a TopoJSON topology to a GeoJSON ``FeatureCollection``.

    Parameters
    ----------
    topology : dict
        A parsed TopoJSON ``Topology``.
    name : str
        The object to convert, e.g. ``"countries"``.

    Returns
    -------
    dict
        GeoJSON with one feature per geometry, keeping ``id`` and ``properties``.
    """
    arcs = decode_arcs(topology)
    obj = topology["objects"][name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for geom in geoms:
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": dict(geom.get("properties", {})),
            "geometry": _geometry(geom, arcs),
        }
        if "id" in geom:
            feature["id"] = geom["id"]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


@cache
def _world() -> dict[str, Any]:
    topology = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    return to_geojson(topology, "countries")


def world_countries() -> dict[str, Any]:
    """Natural Earth 1:110m country shapes as GeoJSON, with ISO3 codes.

    Returns
    -------
    dict
        A ``FeatureCollection``; each feature's ``properties`` has ``name`` and
        ``iso3`` (from the ISO 3166-1 numeric ``id``; empty for shapes without one,
        such as Kosovo or Somaliland). A deep copy: edit freely.
    """
    world = _world()
    if not any("iso3" in f["properties"] for f in world["features"]):
        import country_converter as coco

        numeric = [str(f.get("id", "")) for f in world["features"]]
        valid = [n for n in numeric if n.isdigit()]
        codes = coco.CountryConverter().convert(
            names=[int(n) for n in valid], src="ISOnumeric", to="ISO3", not_found=""
        )
        lookup = dict(zip(valid, codes if isinstance(codes, list) else [codes], strict=True))
        for feature, n in zip(world["features"], numeric, strict=True):
            feature["properties"]["iso3"] = lookup.get(n, "")
    return json.loads(json.dumps(world))
