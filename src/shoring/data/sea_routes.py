"""Sea routes between container ports, with the chokepoints each route passes.

Distances come from the maritime network bundled with the ``searoute`` package
(G. Halili, Apache-2.0, https://github.com/genthalili/searoute-py; the network is
Eurostat's SeaRoute graph): a route is the shortest path on that graph between the
network nodes nearest the two ports, as ``searoute.searoute`` computes it. Ports are the
embedded ``container_ports.csv`` (World Shipping Council Top 50 and national gateways,
UN/LOCODE ids); a location ships through its nearest one (great-circle), an assumption.

Chokepoints are the graph's named passages (Suez, Bab-el-Mandeb, Panama, Malacca,
Hormuz, Gibraltar, Bosporus, Sunda, the Cape of Good Hope) plus the Taiwan Strait,
which the graph does not name: we tag the edges crossing 24 N between 117.8 E and
120.3 E (the strait between Fujian and Taiwan). Both Arctic passages (``northwest`` and
``bering``) are always closed: ``searoute`` closes only the north-west one by default,
which lets Shanghai-Rotterdam "avoiding Suez" run through the Arctic.

One Dijkstra run per origin port and set of closed chokepoints gives the routes to
every destination port; :class:`SeaRouter` caches them, so a study's lanes cost one
search per distinct origin port (scipy's compiled Dijkstra, all origins at once).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from shoring.data.distances import great_circle_km
from shoring.data.paths import TABLES_DIR

ARCTIC_PASSAGES = frozenset({"northwest", "bering"})
"""``searoute`` passages always closed (ice; no scheduled container services)."""

CHOKEPOINTS: dict[str, str] = {
    "suez": "suez",
    "bab_el_mandeb": "babalmandab",
    "panama": "panama",
    "malacca": "malacca",
    "hormuz": "ormuz",
    "taiwan_strait": "taiwan_strait",
    "gibraltar": "gibraltar",
    "bosporus": "bosporus",
    "dardanelles": "dardanelles",
    "sunda": "sunda",
    "cape_of_good_hope": "south_africa",
}
"""Chokepoint names used in scenarios and reports -> the passage tag on the graph."""

_PASSAGE_NAMES = {passage: name for name, passage in CHOKEPOINTS.items()}
_NOT_CHOKEPOINTS = {"segment", "pacific_ocean"}  # graph tags for date-line edges

TAIWAN_STRAIT_LAT = 24.0
TAIWAN_STRAIT_LON = (117.8, 120.3)


class UnknownChokepointError(ValueError):
    """A chokepoint name that is not in :data:`CHOKEPOINTS`."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown chokepoint {name!r}; known: {', '.join(sorted(CHOKEPOINTS))}")


def chokepoint_passages(names: Iterable[str]) -> frozenset[str]:
    """Graph passage tags of chokepoint names.

    Parameters
    ----------
    names : iterable of str
        Names from :data:`CHOKEPOINTS` (case-insensitive; ``-`` and spaces read as ``_``).

    Returns
    -------
    frozenset of str

    Raises
    ------
    UnknownChokepointError
        For a name not in :data:`CHOKEPOINTS`.
    """
    out = set()
    for name in names:
        key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
        if key not in CHOKEPOINTS:
            raise UnknownChokepointError(str(name))
        out.add(CHOKEPOINTS[key])
    return frozenset(out)


@dataclass(frozen=True)
class _Graph:
    """The sea-lane network as arrays: node coordinates and undirected weighted edges."""

    nodes: np.ndarray  # (n, 2) lon, lat
    u: np.ndarray
    v: np.ndarray
    km: np.ndarray
    passage: np.ndarray  # object: tag or None
    tagged: dict  # (min node, max node) -> passage, for tagged edges


@cache
def _graph() -> _Graph:
    from searoute.searoute import setup_M

    marnet = setup_M()
    index = {node: i for i, node in enumerate(marnet.nodes)}
    u, v, km, tags = [], [], [], []
    for a, b, data in marnet.edges(data=True):
        passage = data.get("passage")
        (x1, y1), (x2, y2) = a, b
        if passage is None and min(y1, y2) < TAIWAN_STRAIT_LAT <= max(y1, y2):
            x = x1 + (TAIWAN_STRAIT_LAT - y1) * (x2 - x1) / (y2 - y1)
            if TAIWAN_STRAIT_LON[0] <= x <= TAIWAN_STRAIT_LON[1]:
                passage = "taiwan_strait"
        u.append(index[a])
        v.append(index[b])
        km.append(max(float(data["weight"]), 1e-9))  # csgraph drops explicit zeros
        tags.append(passage)
    passage_arr = np.array(tags, dtype=object)
    u_arr, v_arr = np.array(u), np.array(v)
    tagged = {
        (min(int(i), int(j)), max(int(i), int(j))): str(t)
        for i, j, t in zip(u_arr, v_arr, passage_arr, strict=True)
        if t is not None
    }
    nodes = np.array(list(marnet.nodes), dtype=float)
    return _Graph(nodes, u_arr, v_arr, np.array(km), passage_arr, tagged)


@cache
def _open_edges(closed: frozenset[str]) -> sparse.csr_array:
    graph = _graph()
    keep = ~np.isin(graph.passage, list(closed | ARCTIC_PASSAGES))
    n = graph.nodes.shape[0]
    matrix = sparse.coo_array(
        (graph.km[keep], (graph.u[keep], graph.v[keep])), shape=(n, n)
    ).tocsr()
    return matrix


@cache
def _port_nodes() -> pd.Series:
    """Index of the network node nearest each port (as ``searoute`` snaps it)."""
    from searoute.searoute import setup_M

    tree = setup_M().kdtree
    ports = container_ports()
    graph = _graph()
    lookup = {tuple(xy): i for i, xy in enumerate(map(tuple, graph.nodes))}
    nodes = [lookup[tuple(map(float, tree.query((lon, lat))))] for lon, lat in
             zip(ports["lon"], ports["lat"], strict=True)]  # fmt: skip
    return pd.Series(nodes, index=ports.index)


@cache
def container_ports() -> pd.DataFrame:
    """Ports a location can ship through (embedded table ``container_ports.csv``).

    The World Shipping Council's Top 50 container ports plus the main gateway of
    economies without one (see the data card), with ``searoute``'s coordinates.

    Returns
    -------
    pandas.DataFrame
        Indexed by UN/LOCODE ``port``; columns ``name``, ``lat``, ``lon`` (degrees),
        ``selection``. A shared object: do not modify.
    """
    return pd.read_csv(TABLES_DIR / "container_ports.csv").set_index("port")


def nearest_ports(lat: Sequence[float], lon: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The nearest terminal port of each point (great-circle) and the distance to it.

    Parameters
    ----------
    lat, lon : sequence of float
        Points, degrees.

    Returns
    -------
    ports : ndarray of str
        UN/LOCODE of each point's port.
    km : ndarray of float
        Great-circle km from the point to its port.
    """
    ports = container_ports()
    km = great_circle_km(
        np.asarray(lat, dtype=float)[:, None],
        np.asarray(lon, dtype=float)[:, None],
        ports["lat"].to_numpy()[None, :],
        ports["lon"].to_numpy()[None, :],
    )
    best = np.argmin(km, axis=1)
    return ports.index.to_numpy(dtype=object)[best], km[np.arange(best.size), best]


@dataclass(frozen=True)
class SeaRoute:
    """One port-to-port route.

    Attributes
    ----------
    km : float
        Length along the sea-lane network (inf when every route is closed).
    chokepoints : tuple of str
        Names (:data:`CHOKEPOINTS` keys, or the graph's tag) of the passages crossed,
        sorted.
    """

    km: float
    chokepoints: tuple[str, ...]


class SeaRouter:
    """Port-to-port routes, cached per (origin port, closed chokepoints).

    Thread-safe; one instance can serve a whole study (and several scenarios). Shortest
    paths by :func:`scipy.sparse.csgraph.dijkstra`, all new origin ports at once.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, frozenset[str]], tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    def _search(self, ports: Sequence[str], closed: frozenset[str]) -> None:
        with self._lock:
            todo = sorted({p for p in ports if (p, closed) not in self._cache})
        if not todo:
            return
        sources = _port_nodes().loc[todo].to_numpy()
        dist, pred = csgraph.dijkstra(
            _open_edges(closed), directed=False, indices=sources, return_predecessors=True
        )
        with self._lock:
            for i, port in enumerate(todo):
                self._cache[(port, closed)] = (dist[i], pred[i])

    def route(self, origin: str, destination: str, closed: Iterable[str] = ()) -> SeaRoute:
        """Shortest open route between two ports.

        Parameters
        ----------
        origin, destination : str
            UN/LOCODEs from :func:`container_ports`.
        closed : iterable of str
            Graph passage tags to avoid (see :func:`chokepoint_passages`); the Arctic
            passages are always avoided.

        Returns
        -------
        SeaRoute
        """
        shut = frozenset(closed)
        self._search([origin], shut)
        with self._lock:
            dist, pred = self._cache[(origin, shut)]
        nodes = _port_nodes()
        source, target = int(nodes[origin]), int(nodes[destination])
        if not np.isfinite(dist[target]):
            return SeaRoute(float("inf"), ())
        tagged = _graph().tagged
        tags = set()
        node = target
        while node != source:
            back = int(pred[node])
            tag = tagged.get((min(node, back), max(node, back)))
            if tag is not None:
                tags.add(tag)
            node = back
        names = sorted(_PASSAGE_NAMES.get(t, t) for t in tags if t not in _NOT_CHOKEPOINTS)
        return SeaRoute(float(dist[target]), tuple(names))

    def routes(
        self, origins: Sequence[str], destinations: Sequence[str], closed: Iterable[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Routes between paired ports (element-wise).

        Parameters
        ----------
        origins, destinations : sequence of str
            Port codes, same length.
        closed : iterable of str
            As for :meth:`route`.

        Returns
        -------
        km : ndarray of float
            Route length (0 for a port to itself; inf where no route is open).
        chokepoints : ndarray of object
            Tuple of chokepoint names per pair.
        """
        shut = frozenset(closed)
        self._search(list(origins), shut)
        km = np.zeros(len(origins))
        points = np.empty(len(origins), dtype=object)
        for i, (o, d) in enumerate(zip(origins, destinations, strict=True)):
            if o == d:
                points[i] = ()
                continue
            found = self.route(o, d, shut)
            km[i], points[i] = found.km, found.chokepoints
        return km, points


SHARED_ROUTER = SeaRouter()
"""Process-wide route cache (routes depend only on the bundled network and ports)."""
