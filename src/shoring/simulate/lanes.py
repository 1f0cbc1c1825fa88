"""Each node's outbound lanes, summarized for the disruption simulation.

A node's output flows to its customers: a site's to the markets in proportion to their
demand for each product, a supplier's to the sites in proportion to their planned use of
its component. A node that carries no planned flow (a backup) gets the same split as if
it carried some, so its lanes are known when it takes over. Lanes are priced by
:mod:`shoring.costs.lanes` for the year (cheapest mode, sea routes with chokepoints);
closing a chokepoint re-prices them around it (:meth:`shoring.costs.lanes.Lanes.at`),
which gives the extra transit days and freight. Air freight per unit uses the embedded
air rate, routing factor and handling (``transport_modes.csv``) on the great-circle km.
"""

from __future__ import annotations

import weakref

import numpy as np

from shoring.network import Network
from shoring.simulate.hazards import HazardModel


def _flows(
    n_sites: int,
    pair_node: np.ndarray,
    pair_item: np.ndarray,
    weight: np.ndarray,
    n_p: int,
    req: np.ndarray,
    dem: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Flow list ``(node, item, origin site-or-supplier, customer, kind, units)``.

    ``kind`` 0: site -> market ``customer``; 1: supplier -> site ``customer``.
    """
    market_share = dem / np.maximum(dem.sum(axis=0, keepdims=True), 1e-300)  # (m, p)
    site = pair_node < n_sites
    sp = np.flatnonzero(site)
    n_m = dem.shape[0]
    node = [np.repeat(pair_node[sp], n_m)]
    item = [np.repeat(pair_item[sp], n_m)]
    cust = [np.tile(np.arange(n_m), sp.size)]
    units = [(weight[sp, None] * market_share[:, pair_item[sp]].T).ravel()]
    kind = [np.zeros(sp.size * n_m, dtype=int)]
    # use of component c at site s: planned output of s times requirements
    out = np.zeros((n_sites, n_p))
    np.add.at(out, (pair_node[sp], pair_item[sp]), weight[sp])
    use = out @ req  # (site, component)
    share = use / np.maximum(use.sum(axis=0, keepdims=True), 1e-300)
    up = np.flatnonzero(~site)
    c = pair_item[up] - n_p
    node.append(np.repeat(pair_node[up], n_sites))
    item.append(np.repeat(pair_item[up], n_sites))
    cust.append(np.tile(np.arange(n_sites), up.size))
    units.append((weight[up, None] * share[:, c].T).ravel())
    kind.append(np.ones(up.size * n_sites, dtype=int))
    parts = [np.concatenate(x) for x in (node, item, cust, kind, units)]
    keep = parts[-1] > 0
    return tuple(p[keep] for p in parts)


_LANES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _network_lanes(network: Network) -> tuple:
    """Node places and lanes of a network (built once per network object)."""
    found = _LANES.get(network)
    if found is None:
        from shoring.costs import CostSettings
        from shoring.costs.lanes import build_lanes
        from shoring.costs.places import node_places

        products = network.products
        settings = CostSettings()
        located = node_places(network.sites, network.suppliers, network.markets)
        lanes = build_lanes(
            products["weight_kg"].to_numpy(float),
            products["unit_value_usd"].to_numpy(float),
            list(products.index),
            located.places,
            settings.distances,
            settings.parameters,
            network.modes,
            volume_m3=products["volume_m3"].to_numpy(float),
        )
        found = _LANES[network] = (located, lanes)
    return found


def node_lanes(
    network: Network,
    year: int,
    items: np.ndarray,
    n_p: int,
    site_ids: list[str],
    sup_ids: list[str],
    pair_node: np.ndarray,
    pair_item: np.ndarray,
    pair_base: np.ndarray,
    req: np.ndarray,
    dem: np.ndarray,
    countries: np.ndarray,
    hazards: HazardModel | None,
) -> dict[str, np.ndarray]:
    """Lane summaries per node (the lane fields of :class:`~shoring.simulate.model.SimNetwork`).

    Parameters
    ----------
    dem : ndarray, shape (market, n_p)
        Yearly demand of each finished product.
    hazards : HazardModel or None
        None: no lanes (every summary zero, no chokepoint).

    Returns
    -------
    dict of str to ndarray
        ``chokepoints`` (K,), ``choke_share``, ``choke_days``, ``choke_cost``,
        ``choke_cut`` (N, K), ``port_share``, ``dest_share`` (N, G), ``premium`` (N,).
    """
    n = len(site_ids) + len(sup_ids)
    g = countries.size
    markets = network.markets
    has_base = np.bincount(pair_node, weights=pair_base, minlength=n) > 0
    weight = np.where(has_base[pair_node], pair_base, pair_base + 1e-9)
    node, item, cust, kind, units = _flows(
        len(site_ids), pair_node, pair_item, weight, n_p, req, dem
    )
    if not has_base.all():  # backups: shares per node, not per unit of flow
        node_total = np.bincount(node, weights=units, minlength=n)
        units = units / np.maximum(node_total[node], 1e-300)
    total = np.bincount(node, weights=units, minlength=n)
    w = units / np.maximum(total[node], 1e-300)  # share of the node's output
    dest_country = np.where(
        kind == 0,
        markets["country"].to_numpy(object)[np.minimum(cust, len(markets) - 1)],
        network.sites.loc[site_ids, "country"].to_numpy(object)[
            np.minimum(cust, max(len(site_ids) - 1, 0))
        ],
    )
    dest = np.searchsorted(countries, dest_country)
    dest_share = np.zeros((n, g))
    np.add.at(dest_share, (node, dest), w)
    empty = {
        "chokepoints": np.zeros(0, dtype=object),
        "choke_share": np.zeros((n, 0)),
        "choke_days": np.zeros((n, 0)),
        "choke_cost": np.zeros((n, 0)),
        "choke_cut": np.zeros((n, 0)),
        "port_share": np.zeros((n, g)),
        "dest_share": dest_share,
        "premium": np.zeros(n),
    }
    if hazards is None:
        return empty
    from shoring.costs import formulas as f
    from shoring.data.sea_routes import chokepoint_passages

    products = network.products
    located, lanes = _network_lanes(network)
    pid = products.index.get_indexer(items[item])
    s_place = located.site[network.site_ids.get_indexer(site_ids)]
    u_place = located.supplier[network.supplier_ids.get_indexer(sup_ids)]
    node_place = np.concatenate([s_place, u_place])
    origin = node_place[node]
    target = np.where(
        kind == 0,
        located.market[np.minimum(cust, len(markets) - 1)],
        s_place[np.minimum(cust, max(len(site_ids) - 1, 0))],
    )
    base = lanes.at(year)
    mode = base.mode.to_numpy()[pid, origin, target]
    freight = base.freight.to_numpy()[pid, origin, target]
    transit = base.transit_days.to_numpy()[pid, origin, target]
    ocean = mode == "ocean"
    crossed = np.where(ocean, base.chokepoints.to_numpy()[origin, target], "")
    names = sorted({c for s in crossed for c in str(s).split(", ") if c})
    k_n = len(names)
    out = {
        key: np.zeros((n, k_n)) for key in ("choke_share", "choke_days", "choke_cost", "choke_cut")
    }
    for k, name in enumerate(names):
        on = np.array([name in str(s).split(", ") for s in crossed])
        closed = lanes.at(year, chokepoint_passages([name]))
        t2 = closed.transit_days.to_numpy()[pid, origin, target]
        f2 = closed.freight.to_numpy()[pid, origin, target]
        cut = on & ~np.isfinite(t2)
        ok = on & ~cut
        np.add.at(out["choke_share"][:, k], node[ok], w[ok])
        np.add.at(out["choke_cut"][:, k], node[cut], w[cut])
        np.add.at(out["choke_days"][:, k], node[ok], w[ok] * (t2 - transit)[ok])
        np.add.at(out["choke_cost"][:, k], node[ok], w[ok] * (f2 - freight)[ok])
    share = np.maximum(out["choke_share"], 1e-300)
    out["choke_days"] = np.where(out["choke_share"] > 0, out["choke_days"] / share, 0.0)
    out["choke_cost"] = np.where(out["choke_share"] > 0, out["choke_cost"] / share, 0.0)
    port_share = np.zeros((n, g))
    origin_country = np.searchsorted(countries, located.places.country[origin])
    intl = ocean & (origin_country != dest)
    np.add.at(port_share, (node[intl], origin_country[intl]), w[intl])
    np.add.at(port_share, (node[intl], dest[intl]), w[intl])
    air = lanes.table.loc["air"]
    tonnes = f.chargeable_tonnes(
        products["weight_kg"].to_numpy(float)[pid],
        np.nan_to_num(products["volume_m3"].to_numpy(float)[pid]),
        float(air["volumetric_kg_per_m3"]),
    )
    km = lanes.gc_km[origin, target] * float(air["routing_factor"])
    air_cost = f.freight_cost(
        tonnes, km, float(air["cost_usd_per_tonne_km"]), float(air["handling_usd_per_tonne"])
    )
    premium = np.bincount(
        node, weights=w * np.maximum(air_cost - np.nan_to_num(freight), 0.0), minlength=n
    )
    return {
        **out,
        "chokepoints": np.asarray(names, dtype=object),
        "port_share": np.minimum(port_share, 1.0),
        "dest_share": dest_share,
        "premium": premium,
    }
