"""The user's own unit costs and inventory settings, as arrays the engine adds up.

A network can give, besides what the engine estimates:

- ``production_costs``: a variable production cost per unit made at a site, for one
  product or every product the site makes (the ``production`` component);
- ``lane_costs``: a cost per unit shipped on a lane, from a site to a market or site, or
  from a supplier to a site, optionally for one product and one transport mode (the
  ``lane`` component; a supplier's lane cost is part of what its component costs
  delivered, hence of ``materials``); a lane row may also set the carrying rate and
  safety stock of the goods on it;
- inventory settings: the annual carrying rate and safety-stock days of the whole network
  (``meta``) or of a product (``products``), which win over the cost-parameter defaults;
- ``meta.exclude_components``: components left out (0), e.g. freight and duties when the
  user's lane costs already include them, as a textbook's cost matrix does.

Precedence, most specific first: a lane row naming product and mode, product only, mode
only, neither; then the product; then the network; then the default (carrying rate
25%/year, ``cost_parameters.yaml``; safety days from the lane's lead-time variability,
:func:`shoring.costs.formulas.safety_stock_days`). Computed once per study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shoring.costs.places import NodePlaces
from shoring.network import Network

__all__ = ["LaneOverrides", "UserCosts", "lane_overrides", "user_costs"]


@dataclass(frozen=True)
class LaneOverrides:
    """Lane rows resolved per (product, site, destination place) and (supplier, place).

    Attributes
    ----------
    cost : ndarray (P, S, C)
        USD per unit shipped (0 where no row applies).
    carrying_rate, safety_days : ndarray (P, S, C)
        Inventory settings of the lane; NaN where no row sets them.
    supply : ndarray (U, C)
        USD per unit of a supplier's component delivered to a place (0: no row).
    """

    cost: np.ndarray
    carrying_rate: np.ndarray
    safety_days: np.ndarray
    supply: np.ndarray


@dataclass(frozen=True)
class UserCosts:
    """Everything of the user's own that the engine needs, resolved to arrays.

    Attributes
    ----------
    production : ndarray (P, S)
        Variable production cost per unit made (USD/unit; 0 where none is given).
    carrying_rate : ndarray (P,)
        Annual carrying rate per product: the product's, else the network's, else the
        default.
    safety_days : ndarray (P,)
        Safety stock days per product: the product's, else the network's; NaN: the
        transport mode's default.
    excluded : frozenset of str
        Components the network leaves out.
    lanes : LaneOverrides or None
        The lane rows, once the lanes' modes are known (None: no lane rows).
    """

    production: np.ndarray
    carrying_rate: np.ndarray
    safety_days: np.ndarray
    excluded: frozenset[str]
    lanes: LaneOverrides | None = None

    def zero(self, component: str, values: np.ndarray) -> np.ndarray:
        """``values``, or zeros of its shape when the network excludes ``component``.

        Parameters
        ----------
        component : str
            A name of :data:`shoring.fields.CostComponent`.
        values : ndarray
            The component's values.

        Returns
        -------
        ndarray
        """
        return np.zeros_like(values) if component in self.excluded else values

    def inventory(self, pl: np.ndarray, mode_safety: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Carrying rate and safety days of products ``pl`` on every (site, country) lane.

        Parameters
        ----------
        pl : ndarray of int
            Product positions.
        mode_safety : ndarray (len(pl), S, C)
            Safety days of the lanes (the product's or network's, else the chosen mode's:
            :func:`shoring.costs.lanes.build_lanes` applies them).

        Returns
        -------
        tuple of ndarray
            Carrying rate (fraction/year) and safety days, both broadcastable to
            ``mode_safety``'s shape (0 rate where ``inventory`` is excluded).
        """
        rate = self.carrying_rate[pl, None, None]
        safety = mode_safety
        if self.lanes is not None:
            lane_rate = self.lanes.carrying_rate[pl]
            rate = np.where(np.isnan(lane_rate), rate, lane_rate)
            lane_safety = self.lanes.safety_days[pl]
            safety = np.where(np.isnan(lane_safety), safety, lane_safety)
        if "inventory" in self.excluded:
            rate = np.zeros_like(rate)
        return rate, safety

    def lane_cost(self, pl: np.ndarray) -> np.ndarray | float:
        """The ``lane`` component of products ``pl``: (len(pl), S, C), or 0.0 if none."""
        if self.lanes is None or "lane" in self.excluded:
            return 0.0
        return self.lanes.cost[pl]


def _resolved(given: np.ndarray, fallback: float | np.ndarray) -> np.ndarray:
    return np.where(np.isnan(given), fallback, given)


def user_costs(network: Network, default_carrying_rate: float) -> UserCosts:
    """Production costs, product inventory settings and exclusions of a network.

    Parameters
    ----------
    network : Network
        The firm's network.
    default_carrying_rate : float
        Carrying rate of the cost parameters (fraction/year), for products and networks
        that do not set one.

    Returns
    -------
    UserCosts
        Without ``lanes`` (see :func:`lane_overrides`).
    """
    meta, products = network.meta, network.products
    network_rate = (
        default_carrying_rate
        if meta.inventory_carrying_rate is None
        else meta.inventory_carrying_rate
    )
    network_safety = np.nan if meta.safety_stock_days is None else meta.safety_stock_days
    rows = network.table("production_costs")
    production = np.zeros((len(products), len(network.site_ids)))
    if len(rows):
        site = network.site_ids.get_indexer(rows["site"])
        cost = rows["usd_per_unit"].to_numpy(dtype=float)
        makes = network.can_make.transpose("product", "site").to_numpy()
        every = rows["product"].isna().to_numpy()
        production[:, site[every]] = np.where(makes[:, site[every]], cost[every], 0.0)
        named = network.product_ids.get_indexer(rows.loc[~every, "product"])
        production[named, site[~every]] = cost[~every]  # a row naming the product wins
    return UserCosts(
        production=production,
        carrying_rate=_resolved(products["inventory_carrying_rate"].to_numpy(float), network_rate),
        safety_days=_resolved(products["safety_stock_days"].to_numpy(float), network_safety),
        excluded=frozenset(meta.exclude_components),
    )


def lane_overrides(
    network: Network,
    products: Sequence[str],
    located: NodePlaces,
    lane_mode: np.ndarray,
) -> LaneOverrides | None:
    """The ``lane_costs`` rows resolved to arrays (None when the network has none).

    Parameters
    ----------
    network : Network
        The firm's network (validated: rows name existing nodes).
    products : sequence of str
        Product ids in the engine's order (P).
    located : NodePlaces
        The places of the network's nodes (:func:`shoring.costs.places.node_places`):
        a row applies to its destination node's place (C places).
    lane_mode : ndarray (P, C, C) of str
        Chosen transport mode per (product, origin place, destination place).

    Returns
    -------
    LaneOverrides or None
    """
    rows = network.table("lane_costs")
    if rows.empty:
        return None
    sites, markets, suppliers = network.sites, network.markets, network.suppliers
    # a site id wins over a market id of the same name (as in validation)
    place_of = dict(zip(markets.index, located.market, strict=True))
    place_of.update(zip(sites.index, located.site, strict=True))
    p_index = {p: i for i, p in enumerate(products)}
    s_index = {s: i for i, s in enumerate(sites.index)}
    u_index = {u: i for i, u in enumerate(suppliers.index)}
    n_p, n_s, n_c = len(products), len(sites), located.places.label.size
    cost = np.zeros((n_p, n_s, n_c))
    rate = np.full((n_p, n_s, n_c), np.nan)
    safety = np.full((n_p, n_s, n_c), np.nan)
    supply = np.zeros((len(suppliers), n_c))
    site_place = located.site
    # least specific first, so later (more specific) rows overwrite
    rank = rows["product"].notna().astype(int) * 2 + rows["mode"].notna().astype(int)
    for row in rows.loc[rank.sort_values(kind="stable").index].itertuples(index=False):
        dest = place_of[row.destination]
        if row.origin in u_index:
            u = u_index[row.origin]
            origin = located.supplier[u]
            p = p_index[suppliers["component"].iloc[u]]
            applies = pd.isna(row.mode) or lane_mode[p, origin, dest] == row.mode
            if applies and not np.isnan(row.usd_per_unit):
                supply[u, dest] = row.usd_per_unit
            continue
        s = s_index[row.origin]
        made = network.can_make.sel(site=row.origin).to_numpy()
        ps = np.flatnonzero(made) if pd.isna(row.product) else np.array([p_index[row.product]])
        mask = np.ones(ps.size, dtype=bool)
        if not pd.isna(row.mode):
            mask = lane_mode[ps, site_place[s], dest] == row.mode
        ps = ps[mask]
        for target, value in ((cost, row.usd_per_unit), (rate, row.inventory_carrying_rate),
                              (safety, row.safety_stock_days)):  # fmt: skip
            if not np.isnan(value):
                target[ps, s, dest] = value
    return LaneOverrides(cost, rate, safety, supply)
