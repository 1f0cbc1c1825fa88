"""Constraint families of the network-design model, one function each.

Every function takes a :class:`~shoring.optimize.design.model.DesignModel` whose
variables exist, adds one family named ``"<Entity>-<kind>-<bound>"`` vectorized over
its coordinates, and skips itself when the family is empty or the rule is off.
:data:`FAMILIES` lists them in the order they are added.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from shoring.optimize.design.model import DesignModel
from shoring.optimize.design.terms import Terms, add_sparse_constraints, labels_of, var_terms

__all__ = [
    "FAMILIES",
    "add_budget",
    "add_component_balance",
    "add_demand",
    "add_diversification",
    "add_expansion",
    "add_lane_link",
    "add_local_content",
    "add_production_balance",
    "add_site_capacity",
    "add_site_product_capacity",
    "add_supplier_capacity",
    "add_transitions",
]

_WT = ("scenario", "period")


def _rest(dm: DesignModel) -> list:
    return [dm.coords["scenario"], dm.coords["period"]]


def add_transitions(dm: DesignModel) -> None:
    """Add ``Site-transition-eq``: open[t] = open[t-1] + opened[t] - closed[t].

    open[-1] is 1 for existing sites and 0 for candidates (each opens or closes once).

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, m = dm.data, dm.model
    is_open = dm.var("Site-open")
    first = np.zeros((len(d.sites), len(d.periods)))
    first[:, 0] = d.initial_open
    lhs = is_open - is_open.shift(period=1) - dm.var("Site-opened") + dm.var("Site-closed")
    m.add_constraints(lhs == dm.da(first, "site", "period"), name="Site-transition-eq")


def add_expansion(dm: DesignModel) -> None:
    """Add the expansion families; skipped when the model has no ``Site-expand``.

    ``Site-expand-transition-eq``: expanded[t] = expand[t] - expand[t-1] (once, kept);
    ``Site-expand-open-max``: expansion only at an open site.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    if "Site-expand" not in dm.model.variables:
        return
    expand = dm.var("Site-expand")
    dm.model.add_constraints(
        expand - expand.shift(period=1) - dm.var("Site-expanded") == 0,
        name="Site-expand-transition-eq",
    )
    dm.model.add_constraints(expand - dm.var("Site-open") <= 0, name="Site-expand-open-max")


def available(dm: DesignModel, capacity: np.ndarray, dims: tuple[str, ...]):
    """Linear expression of the capacity usable in each period.

    ``capacity`` x (open minus the ramp-up deficit of a recent opening).

    Parameters
    ----------
    dm : DesignModel
        Model with ``Site-open`` and ``Site-opened`` variables.
    capacity : ndarray
        Capacity in units per period, with dims ``dims``.
    dims : tuple of str
        Dimension names of ``capacity``; must include ``site``.

    Returns
    -------
    linopy.LinearExpression
        Dims ``dims`` plus ``scenario`` and ``period``.
    """
    cap = dm.da(capacity, *dims)
    expr = cap * dm.var("Site-open")
    deficit = dm.ramp_deficit()
    if bool((deficit > 0).any()):
        opened = dm.var("Site-opened").rename(period="opening")
        expr = expr - (cap * deficit * opened).sum("opening")
    return expr


def add_site_capacity(dm: DesignModel) -> None:
    """Add ``Site-capacity-max``: units made of all products <= capacity available.

    Available means open and ramped up (see :func:`available`), plus expansion.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d = dm.data
    make = dm.var("Product-Site-make")
    cap = available(dm, d.capacity, ("site",))
    if "Site-expand" in dm.model.variables:
        cap = cap + dm.da(d.expansion_capacity, "site") * dm.var("Site-expand")
    dm.model.add_constraints(make.sum("product") - cap <= 0, name="Site-capacity-max")


def add_site_product_capacity(dm: DesignModel) -> None:
    """Add ``Site-Product-capacity-max``: units of a product made <= its cap x available.

    Only where the per-product cap is below the site total and the site can make it.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d = dm.data
    tighter = np.isfinite(d.product_capacity) & (d.product_capacity < d.capacity[None, :])
    tighter &= dm.make_mask
    if not tighter.any():
        return
    cap = available(dm, np.where(tighter, d.product_capacity, 0.0), ("product", "site"))
    dm.model.add_constraints(
        dm.var("Product-Site-make") - cap <= 0,
        name="Site-Product-capacity-max",
        mask=dm.da(tighter, "product", "site"),
    )


def add_supplier_capacity(dm: DesignModel) -> None:
    """Add ``Supplier-capacity-max``: units bought from a supplier <= its capacity.

    Summed over sites, per scenario and period; skipped without ``Offer-buy``.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d = dm.data
    if "Offer-buy" not in dm.model.variables:
        return
    bought = Terms(labels_of(dm.var("Offer-buy"), ("offer", *_WT)), 1.0, d.offer_supplier)
    has = np.bincount(d.offer_supplier, minlength=len(d.suppliers)) > 0
    add_sparse_constraints(
        dm.model,
        "Supplier-capacity-max",
        [bought],
        "<=",
        d.supplier_capacity[:, None, None],
        [dm.coords["supplier"]],
        _rest(dm),
        mask=has,
    )


def _shipped(
    dm: DesignModel, group: np.ndarray, keep: np.ndarray | None = None, coeff: float = 1.0
) -> Terms:
    """Shipments summed by a flat group index of each lane (optionally only ``keep``)."""
    labels = labels_of(dm.var("Lane-ship"), ("lane", *_WT))
    if keep is not None:
        labels, group = labels[keep], group[keep]
    return Terms(labels, coeff, group)


def _add(dm: DesignModel, name: str, parts: list, sign, rhs, target: list, mask) -> None:
    add_sparse_constraints(dm.model, name, parts, sign, rhs, target, _rest(dm), mask=mask)


def add_demand(dm: DesignModel) -> None:
    """Add ``Market-Product-demand-eq``: shipped + lost = demand.

    One row per (product, market) with demand or a usable lane.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, c = dm.data, dm.coords
    n_m = len(d.markets)
    shipped = _shipped(dm, d.lane_product * n_m + d.lane_market)
    lost = var_terms(dm.var("Product-Market-lost"), ("product", "market"), _WT)
    lanes = np.zeros((len(d.products), n_m), dtype=bool)
    lanes[d.lane_product[dm.ship_mask], d.lane_market[dm.ship_mask]] = True
    need = (d.demand.sum(axis=2) > 0) | lanes
    target = [c["product"], c["market"]]
    demand = d.demand[:, :, None, :]
    _add(dm, "Market-Product-demand-eq", [shipped, lost], "==", demand, target, need)


def add_lane_link(dm: DesignModel) -> None:
    """Add ``Lane-open-max``: ship <= demand x open on every usable lane.

    Implied by the capacity constraints in the MILP, it tightens the LP relaxation as
    the CFLP's strong linking constraints do. Left out when ``spec.lane_links`` is off.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d = dm.data
    if not len(d.lane_product) or not dm.spec.lane_links:
        return
    demand = d.demand[d.lane_product, d.lane_market]  # (L, T)
    is_open = dm.var("Site-open").isel(site=dm.da(d.lane_site, "lane"))
    dm.model.add_constraints(
        dm.var("Lane-ship") - dm.da(demand, "lane", "period") * is_open <= 0,
        name="Lane-open-max",
        mask=dm.da(dm.ship_mask, "lane"),
    )


def add_production_balance(dm: DesignModel) -> None:
    """Add ``Site-Product-balance-eq``: units made = shipped to markets + moved to sites.

    Transfers to sites include the site itself; one row per (product, site) it can make.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, m, c = dm.data, dm.model, dm.coords
    n_s = len(d.sites)
    parts = [
        var_terms(dm.var("Product-Site-make"), ("product", "site"), _WT),
        _shipped(dm, d.lane_product * n_s + d.lane_site, coeff=-1.0),
    ]
    if "Link-transfer" in m.variables:
        labels = labels_of(dm.var("Link-transfer"), ("link", *_WT))
        parts.append(Terms(labels, -1.0, d.link_product * n_s + d.link_source))
    target = [c["product"], c["site"]]
    _add(dm, "Site-Product-balance-eq", parts, "==", 0.0, target, dm.make_mask)


def add_component_balance(dm: DesignModel) -> None:
    """Add ``Site-Component-balance-eq``: components bought + received = components used.

    Use is the sum over parents of bom x units made, per (component, site) that needs it;
    skipped when the BOM is empty.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, m, c = dm.data, dm.model, dm.coords
    parent, comp = np.nonzero(d.bom)
    if parent.size == 0:
        return
    n_s = len(d.sites)
    sites = np.arange(n_s)
    target = [c["component"], c["site"]]
    make = labels_of(dm.var("Product-Site-make"), ("product", "site", *_WT))
    # one term per (bom line, site): make[parent, site] x bom[parent, comp] -> (comp, site)
    labels = make[parent][:, sites]  # (B, S, W, T)
    coeffs = -np.repeat(d.bom[parent, comp], n_s)
    group = (comp[:, None] * n_s + sites[None, :]).ravel()
    parts = [Terms(labels.reshape(-1, *labels.shape[2:]), coeffs, group)]
    if "Offer-buy" in m.variables:
        labels = labels_of(dm.var("Offer-buy"), ("offer", *_WT))
        group = d.supplier_component[d.offer_supplier] * n_s + d.offer_site
        parts.append(Terms(labels, 1.0, group))
    if "Link-transfer" in m.variables:
        labels = labels_of(dm.var("Link-transfer"), ("link", *_WT))
        parts.append(Terms(labels, 1.0, d.link_product * n_s + d.link_target))
    uses = (d.bom.T @ d.can_make.astype(float)) > 0  # (component, site)
    _add(dm, "Site-Component-balance-eq", parts, "==", 0.0, target, uses)


def add_diversification(dm: DesignModel) -> None:
    """Max share of demand made in one origin (country or bloc).

    ``Market-Product-Origin-share-max`` (scope "market"): per (product, market, origin),
    units shipped from sites in the origin <= cap x demand;
    ``Product-Origin-share-max`` (scope "product"): summed over markets.
    Skipped when ``spec.max_country_share >= 1``.
    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, c, spec = dm.data, dm.coords, dm.spec
    if spec.max_country_share >= 1.0:
        return
    n_g = len(dm.groups)
    origin = pd.Index(list(dm.groups), name="origin")
    g = dm.site_group[d.lane_site]
    if spec.share_scope == "market":
        n_m = len(d.markets)
        group = (d.lane_product * n_m + d.lane_market) * n_g + g
        target = [c["product"], c["market"], origin]
        demand = d.demand[:, :, None, None, :]
        counts = np.bincount(group[dm.ship_mask], minlength=len(d.products) * n_m * n_g)
        mask = counts.reshape(len(d.products), n_m, n_g) > 0
        name = "Market-Product-Origin-share-max"
    else:
        group = d.lane_product * n_g + g
        target = [c["product"], origin]
        demand = d.demand.sum(axis=1)[:, None, None, :]
        counts = np.bincount(group[dm.ship_mask], minlength=len(d.products) * n_g)
        mask = counts.reshape(len(d.products), n_g) > 0
        name = "Product-Origin-share-max"
    cap = spec.max_country_share * demand
    _add(dm, name, [_shipped(dm, group)], "<=", cap, target, mask)


def add_local_content(dm: DesignModel) -> None:
    """Add ``Market-Product-local-min``: local shipments >= local_content x demand.

    Local means from sites in the market's own country (or bloc); skipped when
    ``spec.local_content`` is 0.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, c, spec = dm.data, dm.coords, dm.spec
    if spec.local_content <= 0.0:
        return
    n_m = len(d.markets)
    local = dm.site_group[d.lane_site] == dm.market_group[d.lane_market]
    target = [c["product"], c["market"]]
    shipped = _shipped(dm, d.lane_product * n_m + d.lane_market, keep=local)
    need = spec.local_content * d.demand[:, :, None, :]
    mask = d.demand.sum(axis=2) > 0
    _add(dm, "Market-Product-local-min", [shipped], ">=", need, target, mask)


def add_budget(dm: DesignModel) -> None:
    """Add ``Relocation-budget-max``: opening plus expansion capex over the horizon <= budget.

    Skipped when ``spec.budget`` is None.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the constraints are added to ``dm.model``.
    """
    d, spec = dm.data, dm.spec
    if spec.budget is None:
        return
    capex = (dm.da(d.opening_capex, "site") * dm.var("Site-opened")).sum()
    if "Site-expanded" in dm.model.variables:
        capex = capex + (dm.da(d.expansion_capex, "site") * dm.var("Site-expanded")).sum()
    dm.model.add_constraints(capex <= spec.budget, name="Relocation-budget-max")


FAMILIES: tuple[Callable[[DesignModel], None], ...] = (
    add_transitions,
    add_expansion,
    add_site_capacity,
    add_site_product_capacity,
    add_supplier_capacity,
    add_demand,
    add_lane_link,
    add_production_balance,
    add_component_balance,
    add_diversification,
    add_local_content,
    add_budget,
)
"""Every constraint family, in the order
:func:`~shoring.optimize.design.model.build_design` adds them."""
