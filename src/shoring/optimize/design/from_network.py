"""Model data of a firm's :class:`~shoring.network.Network` priced by the landed-cost engine."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import xarray as xr

from shoring.errors import ShoringError
from shoring.optimize.design.data import DesignData, design_data
from shoring.optimize.design.origin import origin_data
from shoring.optimize.design.weights import period_weights, resolve_probabilities

__all__ = ["design_data_from_network"]


def design_data_from_network(
    network: object,
    scenarios: Sequence[object],
    years: Sequence[int] | None = None,
    costs: xr.Dataset | None = None,
    settings: object | None = None,
    probabilities: Sequence[float] | None = None,
    max_sites_per_market: int | None = None,
) -> DesignData:
    """Model data of a firm's network priced by the landed-cost engine.

    Parameters
    ----------
    network : Network
        The firm's network (existing sites start open, candidates closed).
    scenarios : sequence of Scenario
        Policy futures; probabilities default to the scenarios' own (when all declare
        one), else equal.
    years : sequence of int, optional
        Periods (a subset of the demand years); default every demand year. Each period
        stands for the years up to the next one (the last up to the last demand year).
    costs : xarray.Dataset, optional
        Output of :func:`shoring.costs.lane_costs` for these scenarios and years (computed
        when not given).
    settings : CostSettings, optional
        Landed-cost settings (distances, parameters) for costs and lead times.
    probabilities : sequence of float, optional
        Scenario probabilities (sum to 1).
    max_sites_per_market : int, optional
        See :func:`design_data`.

    Notes
    -----
    Costs per unit: conversion (labour, overhead, production, risk, minus incentives) per
    unit made; delivery (freight, lane, duties, inventory, carbon and the other delivery
    components) per unit shipped from a site to a market's place (its city or
    coordinates, else its country's capital: :mod:`shoring.costs.places`), or of a
    component to another site's place (a component used at the site that makes it moves
    nowhere: no delivery cost); supply (price, freight, duty) per unit bought, delivered
    to the site's place. Lead times are the transit days of the chosen transport mode
    (``lane_costs``' ``lead_time_days``, as ``landed_cost``'s).
    """
    from shoring.costs import CostSettings, lane_costs
    from shoring.costs.places import place_labels
    from shoring.network import Network

    assert isinstance(network, Network)
    settings = settings or CostSettings()
    all_years = network.years
    if not all_years:
        raise ShoringError(f"network {network.name!r} has no demand: nothing to optimize")
    chosen = sorted(set(int(y) for y in (years or all_years)))
    unknown = sorted(set(chosen) - set(all_years))
    if unknown:
        raise ShoringError(
            f"no demand in year(s) {', '.join(map(str, unknown))}; "
            f"the network's years are {all_years[0]}-{all_years[-1]}"
        )
    if costs is None:
        costs = lane_costs(network, scenarios, chosen, settings)  # type: ignore[arg-type]
    products = network.product_ids
    sites, markets, suppliers = network.sites, network.markets, network.suppliers
    names = [str(getattr(w, "name", w)) for w in scenarios]
    # products no site makes are absent from lane_costs (or NaN): they are only bought
    costs = costs.sel(year=chosen, scenario=names).reindex(product=list(products))
    conv = costs["conversion"].transpose("product", "site", "year", "scenario")
    conv = conv.sel(site=list(sites.index)).to_numpy()
    at_market, at_site = list(place_labels(markets)), list(place_labels(sites))
    delivery = costs["delivery"].transpose("product", "site", "country", "year", "scenario")
    to_market = delivery.sel(country=at_market).to_numpy()
    # component moves are priced by destination place (P, S, C, T, W); the links
    # (only maker -> user pairs) pick their column, so no site x site array is built
    country_index = {c: i for i, c in enumerate(delivery["country"].to_numpy().tolist())}
    to_country = delivery.to_numpy()
    transfer_country = np.array([country_index[c] for c in at_site], dtype=int)
    supply = costs["supply"].transpose("supplier", "country", "year", "scenario")
    supply = supply.sel(country=at_site).to_numpy() if len(suppliers) else None

    lead = costs["lead_time_days"].transpose("product", "site", "country")
    lead = lead.sel(site=list(sites.index), country=at_market).to_numpy()
    demand = network.demand_array().sel(year=chosen).transpose("product", "market", "year")
    pcap = network.site_product_capacity().transpose("product", "site").to_numpy()
    declared = [getattr(w, "probability", None) for w in scenarios]
    prob = resolve_probabilities(len(scenarios), probabilities, declared)
    data = design_data(
        products=list(products),
        sites=sites,
        markets=markets["country"],
        periods=chosen,
        scenarios=names,
        demand=demand.to_numpy(),
        conversion=conv,
        delivery=to_market,
        penalty=network.products["lost_sale_penalty_usd"].to_numpy(dtype=float),
        product_capacity=pcap,
        lead_time=lead,
        bom=network.bom_matrix().to_numpy(),
        suppliers=suppliers,
        supply_cost=supply,
        transfer_cost=to_country,
        transfer_country=transfer_country,
        probabilities=prob,
        period_weight=period_weights(chosen, all_years[-1]),
        max_sites_per_market=max_sites_per_market,
    )
    stake = costs["at_stake"].transpose("product", "site", "country", "year", "scenario")
    stake = np.nan_to_num(stake.sel(country=at_market).to_numpy())
    lanes = (data.lane_product, data.lane_site, data.lane_market)
    exworks = (costs["landed"] - costs["delivery"]).transpose(
        "product", "site", "country", "year", "scenario"
    )  # materials, labour, overhead, risk, incentives: the net-cost basis
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        net_cost = np.nanmean(exworks.to_numpy(), axis=(2, 3, 4)) if exworks.size else None
    origin = origin_data(
        network,
        lanes,
        stake[data.lane_product, data.lane_site, data.lane_market],
        np.nan_to_num(net_cost) if net_cost is not None else np.zeros(data.can_make.shape),
        dt.date(chosen[0], 7, 1),
    )
    return replace(data, origin=origin)
