"""Chunks of the landed-cost engine assembled into the Datasets users see.

:func:`combine_chunks` joins the per-(scenario, year) chunks of
:func:`shoring.costs.iter_landed_cost` over destination places; :func:`to_markets`
maps destination places to the network's markets (:func:`shoring.costs.landed_cost`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shoring import __version__
from shoring.costs.places import location_basis, place_labels

if TYPE_CHECKING:
    from shoring.costs.engine import CostSettings
    from shoring.network import Network
    from shoring.scenario import Scenario

__all__ = ["combine_chunks", "risk_model", "to_markets"]


def combine_chunks(
    network: Network,
    scenarios: Sequence[Scenario],
    chunks: Iterable[xr.Dataset],
    settings: CostSettings,
) -> xr.Dataset:
    """The chunks of :func:`iter_landed_cost` as one Dataset over destination places.

    Parameters
    ----------
    network, scenarios, settings
        As given to :func:`iter_landed_cost` (recorded in the attributes).
    chunks : iterable of xarray.Dataset
        Its output, every (scenario, year).

    Returns
    -------
    xarray.Dataset
        The variables of the chunks with ``scenario`` and ``year`` dimensions; attributes
        record the sources, scenario definitions, package version,
        ``importers_without_mfn``, ``mfn_notes`` and ``risk_model`` (:func:`risk_model`);
        ``lead_time_days`` and ``mode`` are per (product, site, destination),
        ``mfn_rate`` and ``duty_basis`` per (product, destination, year).
    """
    parts = list(chunks)
    missing = sorted({c for p in parts for c in p.attrs["importers_without_mfn"].split(", ") if c})
    data = xr.combine_by_coords(parts, combine_attrs="drop")
    assert isinstance(data, xr.Dataset)
    for name in ("lead_time_days", "mode"):
        data[name] = parts[0][name].isel(scenario=0, year=0, drop=True)
    for name in ("mfn_rate", "duty_basis"):
        data[name] = data[name].isel(scenario=0, drop=True)
    data.attrs.update(
        {
            "shoring_version": __version__,
            "network": network.name,
            "distances": settings.distances.name,
            "scenarios": "; ".join(f"{s.name}: {s.title}" for s in scenarios),
            "policy_time_weighting": "day-weighted over the intervals between measure dates",
            "amortization_years": settings.amortization_years,
            "units": "USD per unit",
            "importers_without_mfn": ", ".join(missing),
            "mfn_notes": parts[0].attrs["mfn_notes"] if parts else "",
            "risk_model": json.dumps(risk_model(settings), sort_keys=True),
        }
    )
    return data


def risk_model(settings: CostSettings) -> dict[str, Any]:
    """How the ``risk`` component was priced: what a manifest records.

    Parameters
    ----------
    settings : CostSettings
        The engine's settings (their ``risk``).

    Returns
    -------
    dict
        ``simulated`` (bool); when simulated also ``draws``, ``seed``, ``buffer_days``,
        ``year``, ``horizon_weeks``, ``hazards`` (the hazard model) and
        ``largest_standard_error`` (USD per unit, over every product and site).
    """
    risk = settings.risk
    if risk is None:
        return {"simulated": False, "note": "risk holds the scenarios' closures only"}
    attrs = dict(risk.attrs)
    hazards = json.loads(attrs.pop("hazards", "null"))
    error = risk["standard_error"].to_numpy() if "standard_error" in risk.coords else None
    largest = None if error is None or np.isnan(error).all() else float(np.nanmax(error))
    return {
        "simulated": True,
        **attrs,
        "largest_standard_error": largest,
        "hazards": hazards,
    }


def to_markets(data: xr.Dataset, network: Network) -> xr.Dataset:
    """Destination places mapped to the network's markets (the :func:`landed_cost` shape).

    Parameters
    ----------
    data : xarray.Dataset
        Output of :func:`combine_chunks` (its destinations include every market's place).
    network : Network
        The network whose markets to map to.

    Returns
    -------
    xarray.Dataset
        As :func:`landed_cost` returns it; the design-only ``supply``, ``at_stake`` and
        ``site_place`` are dropped.
    """
    markets = network.markets
    by_market = xr.DataArray(list(place_labels(markets)), dims="market")
    design_only = ["supply", "supplier", "at_stake", "site_place"]
    data = data.drop_vars(design_only, errors="ignore")
    data = data.sel(destination=by_market).drop_vars("destination")
    data = data.assign_coords(
        market=list(markets.index),
        market_country=("market", markets["country"].tolist()),
        market_location=("market", list(location_basis(markets))),
        site_location=("site", list(location_basis(network.sites))),
    )
    return data.transpose("product", "site", "market", "year", "scenario", "component")
