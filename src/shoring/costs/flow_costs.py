"""Landed cost split into the pieces a network-design model prices its flows with."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from shoring import __version__
from shoring.costs.engine import COMPONENTS, CostSettings, _resolve_years, _study, _year_costs
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

    Returns
    -------
    xarray.Dataset
        Products are those some site makes. ``conversion`` (product, site, year,
        scenario): labour + overhead + production + IP risk + risk -
        incentives per unit made; ``delivery`` (product, site, country, year,
        scenario): the components of :data:`DELIVERY` per unit shipped from the site
        to a place (the ``country`` coordinate holds place labels: the ISO3 code for a
        node at its capital, see :func:`shoring.costs.places.place_labels`);
        ``supply`` (supplier, country, year, scenario): price + freight + duty per unit
        bought from a supplier and delivered to a place; ``landed`` (product, site,
        country, year, scenario): the full landed cost with the cheapest sourcing. NaN
        (or inf for supply) where impossible. Duties assume the origin status of the
        cheapest sourcing. ``at_stake`` (product, site, country, year, scenario): duty
        saved by qualifying under the lane's rule of origin (with its carrying cost) where
        qualifying is a sourcing decision, else 0. ``lead_time_days`` (product, site,
        country): transit days of the chosen mode (first year, open sea routes, as
        :func:`~shoring.costs.landed_cost`'s).
    """
    settings = settings or CostSettings()
    chosen = _resolve_years(network, years)
    study = _study(network, chosen, settings)
    index = {c: i for i, c in enumerate(COMPONENTS)}
    conv = [index[c] for c in CONVERSION]
    deliv = [index[c] for c in DELIVERY]
    conversion, delivery, supply, landed, stake = [], [], [], [], []
    home = study.site_place[None, :]  # conversion cost read on the lane to the site's own place
    n_made = study.made_order.size
    p_idx, s_idx = np.arange(n_made)[:, None], np.arange(home.size)[None, :]
    for scenario in scenarios:
        rows = [_year_costs(study, scenario, year, settings, stakes=True) for year in chosen]
        conversion.append(
            np.stack([r.components[conv][:, p_idx, s_idx, home].sum(0) for r in rows], -1)
        )
        gaps = [np.where(r.origin_rule_met, r.at_stake, 0.0) for r in rows]
        delivery.append(
            np.stack([r.components[deliv].sum(0) + g for r, g in zip(rows, gaps, strict=True)], -1)
        )
        stake.append(np.stack([r.at_stake for r in rows], -1))
        supply.append(np.stack([r.supply for r in rows], -1))
        landed.append(np.stack([r.components.sum(0) for r in rows], -1))
    made = study.made_order
    lead = study.lanes.at(chosen[0]).transit_days.to_numpy()[made][:, study.site_place]
    coords = {
        "product": list(study.products[made]),
        "site": list(network.sites.index),
        "country": list(study.places),
        "supplier": list(network.suppliers.index),
        "year": chosen,
        "scenario": [s.name for s in scenarios],
    }
    return xr.Dataset(
        {
            "conversion": (("product", "site", "year", "scenario"), np.stack(conversion, -1)),
            "delivery": (
                ("product", "site", "country", "year", "scenario"),
                np.stack(delivery, -1),
            ),
            "supply": (("supplier", "country", "year", "scenario"), np.stack(supply, -1)),
            "landed": (("product", "site", "country", "year", "scenario"), np.stack(landed, -1)),
            "at_stake": (("product", "site", "country", "year", "scenario"), np.stack(stake, -1)),
            "lead_time_days": (("product", "site", "country"), lead),
        },
        coords=coords,
        attrs={"shoring_version": __version__, "units": "USD per unit"},
    )
