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

__all__ = ["combine_chunks", "risk_model", "risk_notes", "to_markets"]


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
            "risk_model": json.dumps(risk_model(settings, network), sort_keys=True),
        }
    )
    return data


def risk_model(settings: CostSettings, network: Network | None = None) -> dict[str, Any]:
    """How the ``risk`` component was priced: what a manifest records.

    Parameters
    ----------
    settings : CostSettings
        The engine's settings (their ``risk``).
    network : Network, optional
        The network costed: with it, ``in_house`` names the products priced in a parent's
        figure.

    Returns
    -------
    dict
        ``simulated`` (bool); when simulated also ``draws``, ``seed``, ``buffer_days``,
        ``year``, ``horizon_weeks``, ``hazards`` (the hazard model),
        ``largest_standard_error`` (USD per unit, over every product and site) and
        ``in_house`` (``{product: [parents]}``: products some site makes with no
        simulated figure of their own, the BOM parents whose figure carries their
        disruptions, see :func:`shoring.simulate.site_risk`; empty without ``network``).
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
        "in_house": {} if network is None else _in_house(risk, network),
        "hazards": hazards,
    }


def _in_house(risk: xr.DataArray, network: Network) -> dict[str, list[str]]:
    """Products a site makes with no simulated figure (NaN wherever made), that are a
    component of another product: ``{product: [parents]}``."""
    made = network.can_make.transpose("product", "site")
    made = made.sel(product=risk["product"], site=risk["site"]).to_numpy()
    unpriced = (np.isnan(risk.transpose("product", "site").to_numpy()) | ~made).all(axis=1)
    bom = network.bom
    out = {}
    for product in risk["product"].to_numpy()[made.any(axis=1) & unpriced]:
        parents = bom.loc[bom["component"] == product, "parent"].astype(str).tolist()
        if parents:
            out[str(product)] = sorted(set(parents))
    return out


def risk_notes(how: dict[str, Any], products: Iterable[str] | None = None) -> list[str]:
    """What the ``risk`` component is, in words: the one text the CLI and reports show.

    Parameters
    ----------
    how : dict
        :func:`risk_model`'s result (the landed costs' ``risk_model`` attribute, parsed).
    products : iterable of str, optional
        Products shown; an in-house product among them gets a sentence saying why its
        figure is 0 (all of ``how["in_house"]`` when None).

    Returns
    -------
    list of str
        The method, then one sentence per in-house product shown.
    """
    if not how.get("simulated"):
        return [
            "risk: no disruption simulation priced these landed costs; the risk component "
            "holds only the share of capacity the scenarios' closures take out x the "
            "lost-sale penalty (USD per unit; shoring.study.Study simulates it)."
        ]
    error = how.get("largest_standard_error")
    lines = [
        "risk: expected disruption loss per unit made at the site (USD per unit), from the "
        "study's Monte Carlo hazard simulation: each site simulated alone with every "
        f"qualified supplier, {how['draws']:,} draws of {how['horizon_weeks']} weeks "
        f"(seed {how['seed']}, {how['buffer_days']:g} buffer days, {how['year']} demand "
        "and lanes); lost sales x the lost-sale penalty plus expedite and reroute costs, "
        "less the same with no hazard; plus the share of capacity the scenario's closures "
        "take out x the penalty."
        + ("" if error is None else f" Largest standard error: {error:,.2f} USD per unit.")
    ]
    shown = None if products is None else set(products)
    for product, parents in how.get("in_house", {}).items():
        if shown is None or product in shown:
            them = ", ".join(parents)
            lines.append(
                f"{product} has no simulated risk of its own (0 unless a scenario closes its "
                f"site): it is made in-house for {them}; a disruption of the site or of its "
                f"suppliers stops {them}, and that loss is priced in the risk figure of "
                f"{them}, not counted twice."
            )
    return lines


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
