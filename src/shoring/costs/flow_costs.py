"""Landed cost split into the pieces a network-design model prices its flows with."""

from __future__ import annotations

from collections.abc import Sequence

import xarray as xr

from shoring.costs.assemble import combine_chunks
from shoring.costs.engine import CostSettings, iter_landed_cost
from shoring.network import Network
from shoring.scenario import Scenario

CONVERSION = ("labour", "overhead", "production", "ip_risk", "risk", "incentives")
"""Components incurred where a product is made, whatever it is made from or sold to."""
DELIVERY = (
    "packaging",
    "freight",
    "lane",
    "duties",
    "customs_fees",
    "inventory",
    "safety_stock",
    "obsolescence",
    "prepayment",
    "quality",
    "oversight",
    "carbon",
)
"""Components incurred on the way from a site to a destination place."""


def lane_costs(
    network: Network,
    scenarios: Sequence[Scenario],
    years: Sequence[int] | None = None,
    settings: CostSettings | None = None,
) -> xr.Dataset:
    """Landed cost split into the pieces a network-design model prices flows with.

    One engine pass over every country of the network (see :func:`split_for_design`).

    Parameters
    ----------
    network, scenarios, years, settings
        As for :func:`shoring.costs.landed_cost`.

    Returns
    -------
    xarray.Dataset
        See :func:`split_for_design`.
    """
    settings = settings or CostSettings()
    chunks = iter_landed_cost(network, scenarios, years, settings, all_destinations=True)
    return split_for_design(combine_chunks(network, scenarios, chunks, settings))


def split_for_design(full: xr.Dataset) -> xr.Dataset:
    """The pieces of a landed-cost result over every destination country.

    Parameters
    ----------
    full : xarray.Dataset
        :func:`shoring.costs.assemble.combine_chunks` of
        ``iter_landed_cost(..., all_destinations=True)``: ``cost`` (scenario, year,
        component, product, site, destination), ``origin_rule_met`` and ``at_stake``
        (scenario, year, product, site, destination), ``supply`` (scenario, year,
        supplier, destination), ``lead_time_days`` (product, site, destination) and the
        ``site_place`` coordinate.

    Returns
    -------
    xarray.Dataset
        Products are those some site makes. ``conversion`` (product, site, year,
        scenario): labour + overhead + production + IP risk + risk - incentives per unit
        made (read on the lane to the site's own place); ``delivery`` (product, site,
        country, year, scenario): the components of :data:`DELIVERY` per unit shipped
        from the site to a place (the ``country`` coordinate holds place labels: the ISO3
        code for a node at its capital, see :func:`shoring.costs.places.place_labels`),
        with the duty at stake added back where the cheapest sourcing already qualifies
        (the design model earns it back on the units it makes qualify); ``supply``
        (supplier, country, year, scenario): price + freight + duty per unit bought from
        a supplier and delivered to a place (inf where impossible); ``landed`` (product,
        site, country, year, scenario): the full landed cost with the cheapest sourcing,
        NaN where impossible; duties assume the origin status of the cheapest sourcing.
        ``at_stake`` (product, site, country, year, scenario): duty saved by qualifying
        under the lane's rule of origin (with its carrying cost) where qualifying is a
        sourcing decision, else 0. ``lead_time_days`` (product, site, country): transit
        days of the chosen mode (first year, open sea routes, as
        :func:`~shoring.costs.landed_cost`'s). USD per unit.
    """
    cost = full["cost"].rename(destination="country")
    home = xr.DataArray(full["site_place"].to_numpy(), dims="site")
    conversion = (
        cost.sel(component=list(CONVERSION)).sel(country=home).sum("component", skipna=False)
    )
    at_stake = full["at_stake"].rename(destination="country")
    # the design model pays the full duty on a lane and earns at_stake back on the units
    # it makes qualify: where the cheapest mix already qualifies, add it back
    met = full["origin_rule_met"].rename(destination="country")
    delivery = cost.sel(component=list(DELIVERY)).sum("component", skipna=False)
    out = xr.Dataset(
        {
            "conversion": conversion.drop_vars(
                ["country", "site_country", "site_place"], errors="ignore"
            ),
            "delivery": delivery + at_stake.where(met, 0.0),
            "supply": full["supply"].rename(destination="country"),
            "landed": cost.sum("component", skipna=False),
            "at_stake": at_stake,
            "lead_time_days": full["lead_time_days"].rename(destination="country"),
        },
        attrs={"shoring_version": full.attrs.get("shoring_version"), "units": "USD per unit"},
    )
    return out.transpose("product", "site", "country", "supplier", "year", "scenario")
