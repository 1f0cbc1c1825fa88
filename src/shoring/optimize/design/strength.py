"""Valid inequalities of the network-design model: tighter, same optimum.

Each family is one function with its own switch in :class:`~shoring.optimize.design.spec.DesignSpec`
(``cuts``), so a benchmark can show what each contributes. None changes the set of
integer-feasible plans' costs; each only cuts off fractional points of the linear
relaxation or symmetric copies of a plan.

- ``cover`` — ``Product-capacity-cover-min``: per product, scenario and period, the
  capacity of the open sites able to make it plus the demand lost covers the demand::

      sum_s min(pcap_ps, cap_s) x available_st + sum_m lost_pmwt >= sum_m D_pmt

  and ``Total-capacity-cover-min`` the same over all products with the site totals.
  Implied by the LP (sum the capacity, balance and demand rows) but, written as one
  row over the binaries, it lets the MIP solver derive knapsack cover and MIR cuts
  from it: the aggregate capacity constraint of capacitated facility location
  (Cornuejols, Sridharan and Thizy 1991, "A comparison of heuristics and relaxations
  for the capacitated plant location problem", EJOR 50:280-297; Aardal 1998,
  "Capacitated facility location: separation algorithms and computational
  experience", Math. Programming 81:149-175).
- ``market-link`` — ``Site-Market-link-max``: per site, market, scenario and period,
  the units of all products shipped from the site to the market are at most their
  demand there times the site's open variable::

      sum_{lanes l of (s, m)} ship_lwt <= (sum_{l} D_{p(l) m t}) x open_st

  The strong linking constraints of facility location (x_ij <= y_i; Cornuejols,
  Sridharan and Thizy 1991) aggregated over the products of a (site, market) pair:
  one row per pair instead of one per lane (``Lane-open-max``, ``DesignSpec.lane_links``),
  so a site that serves a market's whole demand must be open in the relaxation too,
  not only a capacity share of it.
- ``symmetry`` — ``Site-symmetry-order``: candidate sites that are identical in every
  number (country, capacities, costs, lanes) are interchangeable; the k-th of a group
  may open only if the (k-1)-th is open (open[k-1, t] >= open[k, t]), which removes the
  symmetric copies branch and bound would otherwise explore (Margot 2010, "Symmetry in
  integer linear programming", 50 Years of Integer Programming, 647-686) and makes the
  choice among equals the same on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from shoring.optimize.design.constraints import available
from shoring.optimize.design.model import DesignModel
from shoring.optimize.design.terms import Terms, add_sparse_constraints, labels_of

__all__ = [
    "STRENGTH_FAMILIES",
    "add_capacity_cover",
    "add_market_links",
    "add_symmetry",
    "identical_sites",
]


def add_capacity_cover(dm: DesignModel) -> None:
    """Add ``Product-capacity-cover-min`` and ``Total-capacity-cover-min``.

    Skipped unless ``"cover"`` is in ``dm.spec.cuts``; a product row only where the
    product has demand.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, m = dm.data, dm.model
    if "cover" not in dm.spec.cuts or not (d.demand > 0).any():
        return
    lost = m.variables["Product-Market-lost"]
    demand = dm.da(d.demand.sum(axis=1), "product", "period")  # (P, T)
    per = np.where(dm.make_mask, np.minimum(d.product_capacity, d.capacity[None, :]), 0.0)
    cap = available(dm, per, ("product", "site")).sum("site")
    if "Site-expand" in m.variables:
        extra = dm.da(np.where(dm.make_mask, d.expansion_capacity[None, :], 0.0), "product", "site")
        cap = cap + (extra * dm.var("Site-expand")).sum("site")
    has = dm.da(d.demand.sum(axis=(1, 2)) > 0, "product")
    m.add_constraints(
        cap + lost.sum("market") >= demand, name="Product-capacity-cover-min", mask=has
    )
    if len(d.products) > 1:
        total = available(dm, np.where(dm.make_mask.any(axis=0), d.capacity, 0.0), ("site",))
        if "Site-expand" in m.variables:
            total = total + (dm.da(d.expansion_capacity, "site") * dm.var("Site-expand"))
        need = dm.da(d.demand.sum(axis=(0, 1)), "period")
        # components count too: their make is capacity used by no final demand row
        m.add_constraints(
            total.sum("site") + lost.sum(["product", "market"]) >= need,
            name="Total-capacity-cover-min",
        )


def add_market_links(dm: DesignModel) -> None:
    """Add ``Site-Market-link-max``: shipped from a site to a market <= demand x open.

    Skipped unless ``"market-link"`` is in ``dm.spec.cuts``; one row per (site,
    market) pair with a usable lane, scenario and period.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d = dm.data
    lanes = np.flatnonzero(dm.ship_mask)
    if "market-link" not in dm.spec.cuts or not lanes.size:
        return
    pair_of_lane = d.lane_site[lanes] * len(d.markets) + d.lane_market[lanes]
    pairs, group = np.unique(pair_of_lane, return_inverse=True)
    demand = np.zeros((pairs.size, len(d.periods)))
    np.add.at(demand, group, d.demand[d.lane_product[lanes], d.lane_market[lanes]])
    rest = (len(d.scenarios), len(d.periods))
    ship = labels_of(dm.var("Lane-ship"), ("lane", "scenario", "period"))[lanes]
    is_open = labels_of(dm.var("Site-open"), ("site", "period"))[pairs // len(d.markets)]
    add_sparse_constraints(
        dm.model,
        "Site-Market-link-max",
        [
            Terms(ship, 1.0, group),
            Terms(
                np.broadcast_to(is_open[:, None, :], (pairs.size, *rest)),
                np.broadcast_to(-demand[:, None, :], (pairs.size, *rest)),
                np.arange(pairs.size),
            ),
        ],
        "<=",
        0.0,
        [pd.Index(np.arange(pairs.size), name="pair")],
        [dm.coords["scenario"], dm.coords["period"]],
    )


def identical_sites(dm: DesignModel) -> list[np.ndarray]:
    """Groups (2 or more) of candidate sites identical in every number of the model.

    Parameters
    ----------
    dm : DesignModel
        The model (its data and lane masks).

    Returns
    -------
    list of ndarray of int
        Site positions of each group, in data order.
    """
    d = dm.data
    order = np.argsort(d.lane_site, kind="stable")
    lane_start = np.searchsorted(d.lane_site[order], np.arange(len(d.sites) + 1))
    keys: dict[bytes, list[int]] = {}
    scalars = np.column_stack(
        [
            d.capacity,
            d.fixed_cost,
            d.opening_capex,
            d.closing_cost,
            d.ramp_up_months,
            d.expansion_capacity,
            d.expansion_capex,
        ]
    )
    used_as_link = np.zeros(len(d.sites), dtype=bool)
    used_as_link[d.link_source] = True
    used_as_link[d.link_target] = True
    used_as_offer = np.zeros(len(d.sites), dtype=bool)
    used_as_offer[d.offer_site] = True
    for s in np.flatnonzero(~d.initial_open & ~used_as_link & ~used_as_offer):
        lanes = order[lane_start[s] : lane_start[s + 1]]
        h = hashlib.blake2b(digest_size=16)
        h.update(str(d.site_country[s]).encode())
        h.update(scalars[s].tobytes())
        h.update(np.ascontiguousarray(d.product_capacity[:, s]).tobytes())
        h.update(np.ascontiguousarray(d.conversion[:, s]).tobytes())
        h.update(d.lane_product[lanes].tobytes())
        h.update(d.lane_market[lanes].tobytes())
        h.update(np.ascontiguousarray(d.lane_cost[lanes]).tobytes())
        h.update(np.ascontiguousarray(d.lane_lead_time[lanes]).tobytes())
        h.update(dm.ship_mask[lanes].tobytes())
        keys.setdefault(h.digest(), []).append(int(s))
    return [np.array(g) for g in keys.values() if len(g) > 1]


def add_symmetry(dm: DesignModel) -> None:
    """Add ``Site-symmetry-order``: open[k-1, t] >= open[k, t] within each group of
    identical candidate sites (data order).

    Skipped unless ``"symmetry"`` is in ``dm.spec.cuts``. Sites forced open or closed
    and sites with links or supplier offers are left out of the groups.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    if "symmetry" not in dm.spec.cuts:
        return
    forced = set(dm.spec.force_open) | set(dm.spec.force_closed)
    groups = [g[[dm.data.sites[s] not in forced for s in g]] for g in identical_sites(dm)]
    pairs = [(g[:-1], g[1:]) for g in groups if len(g) > 1]
    if not pairs:
        return
    first = np.concatenate([a for a, _ in pairs])
    second = np.concatenate([b for _, b in pairs])
    labels = labels_of(dm.var("Site-open"), ("site", "period"))
    pair = np.arange(len(first))
    add_sparse_constraints(
        dm.model,
        "Site-symmetry-order",
        [Terms(labels[first], 1.0, pair), Terms(labels[second], -1.0, pair)],
        ">=",
        0.0,
        [pd.Index(pair, name="pair")],
        [dm.coords["period"]],
    )


STRENGTH_FAMILIES: tuple[Callable[[DesignModel], None], ...] = (
    add_capacity_cover,
    add_market_links,
    add_symmetry,
)
"""The valid-inequality families, added after the constraint families."""
