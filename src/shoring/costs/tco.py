"""Total-cost-of-ownership components of a lane, beyond price, freight, duty and carrying.

The checklist of the Reshoring Initiative's TCO Estimator, each a named component of the
landed cost (defaults: :func:`shoring.data.tco.tco_parameters`; per network or product:
the network's ``cost_settings`` table). For product p made at a site in country o and
delivered to country d, with formulas from :mod:`shoring.costs.formulas`::

    packaging     = value * packaging_rate                          if o != d
    customs_fees  = broker fee / units per entry                    if o != d
                  + US MPF: clip(0.3464% * customs value * units, min, max) / units
                                                  if d = USA, o != USA, not USMCA-originating
                  + US HMF: 0.125% * customs value  if d = USA, o != USA, ocean
    prepayment    = ex-works * share * capital rate * (prepayment days + transit) / 365
                                                                    if o != d
    quality       = value * quality_rate                            if o != d
    oversight     = value * oversight_rate                          if o != d
    ip_risk       = value * ip_risk_rate                  if o is on the Priority Watch List
    obsolescence  = (value of the goods in stock) * obsolescence_rate
                    * (transit + safety) / 365                      (the carrying formula)

Units per entry are the shipment size of the lane's mode over the unit weight (at least
one unit), unless the network or product sets ``units_per_entry``. Computed per BOM tier
by the engine; the study-level inputs (:class:`TcoInputs`) once per study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shoring.costs import formulas as f
from shoring.data.tco import OVERRIDABLE, TcoParameters, tco_parameters
from shoring.data.transport import MODES
from shoring.network import Network

__all__ = ["TCO_COMPONENTS", "TcoInputs", "tco_costs", "tco_inputs"]

TCO_COMPONENTS = (
    "packaging",
    "customs_fees",
    "prepayment",
    "quality",
    "oversight",
    "ip_risk",
    "obsolescence",
)
"""The TCO components this module computes (names of the engine's ``component``)."""


@dataclass(frozen=True)
class TcoInputs:
    """Study-level inputs of the TCO components.

    Attributes
    ----------
    params : TcoParameters
        The defaults.
    rates : dict of str to ndarray (P,)
        Each overridable parameter per product: the product's, else the network's, else
        the default (``units_per_entry``: NaN where the shipment size decides).
    units_per_entry : ndarray (P, C, C)
        Units per customs entry per (product, origin country, destination country).
    ocean : ndarray (P, C, C) of bool
        The lane's chosen mode is ocean.
    cross : ndarray (C, C) of bool
        Origin and destination countries differ.
    us_import : ndarray (C, C) of bool
        Destination the United States, origin another country.
    ip_country : ndarray (C,) of bool
        Country on the USTR Priority Watch List.
    """

    params: TcoParameters
    rates: dict[str, np.ndarray]
    units_per_entry: np.ndarray
    ocean: np.ndarray
    cross: np.ndarray
    us_import: np.ndarray
    ip_country: np.ndarray


def _settings(network: Network, params: TcoParameters) -> dict[str, np.ndarray]:
    """Each overridable parameter per product (product row > network row > default)."""
    products = network.product_ids
    rows = network.table("cost_settings")
    out = {}
    for name in OVERRIDABLE:
        default = getattr(params, name, np.nan)
        values = np.full(len(products), default, dtype=float)
        mine = rows[rows["parameter"] == name]
        whole = mine[mine["product"].isna()]
        if len(whole):
            values[:] = float(whole["value"].iloc[0])
        named = mine[mine["product"].notna()]
        values[products.get_indexer(named["product"])] = named["value"].to_numpy(dtype=float)
        out[name] = values
    return out


def tco_inputs(
    network: Network, countries: Sequence[str], weight_kg: np.ndarray, lane_mode: np.ndarray
) -> TcoInputs:
    """Resolve the TCO inputs of a network once per study.

    Parameters
    ----------
    network : Network
        The firm's network.
    countries : sequence of str
        ISO3 codes of the engine's countries (C).
    weight_kg : ndarray (P,)
        Unit weight of each product.
    lane_mode : ndarray (P, C, C) of str
        Chosen transport mode per (product, origin, destination); "" where unreachable.

    Returns
    -------
    TcoInputs
    """
    params = tco_parameters()
    rates = _settings(network, params)
    codes = np.asarray(countries, dtype=object)
    shipment = np.array([params.shipment_kg[m] for m in MODES] + [np.nan])
    mode_index = np.select([lane_mode == m for m in MODES], np.arange(len(MODES)), len(MODES))
    by_size = np.maximum(1.0, shipment[mode_index] / np.asarray(weight_kg)[:, None, None])
    given = rates["units_per_entry"][:, None, None]
    cross = codes[:, None] != codes[None, :]
    return TcoInputs(
        params=params,
        rates=rates,
        units_per_entry=np.where(np.isnan(given), by_size, given),
        ocean=lane_mode == "ocean",
        cross=cross,
        us_import=cross & (codes[None, :] == "USA"),
        ip_country=np.isin(codes, list(params.ip_risk_countries)),
    )


def tco_costs(
    tco: TcoInputs,
    pl: np.ndarray,
    cs: np.ndarray,
    value: np.ndarray,
    customs: np.ndarray,
    exworks: np.ndarray,
    stock: np.ndarray,
    transit: np.ndarray,
    safety: np.ndarray,
    usmca_origin: np.ndarray,
) -> dict[str, np.ndarray]:
    """The TCO components of products ``pl`` made at every site for every destination.

    Parameters
    ----------
    tco : TcoInputs
        From :func:`tco_inputs`.
    pl : ndarray of int
        Product positions (n).
    cs : ndarray of int
        Country position of each site (S).
    value : ndarray (n, 1, 1)
        Unit value (USD).
    customs : ndarray (n, S, C)
        Customs value per unit (USD; FOB or CIF by importer).
    exworks : ndarray (n, S)
        Ex-works cost per unit at each site (USD).
    stock : ndarray (n, S, C)
        Value of a unit held in the pipeline and safety stock (USD).
    transit, safety : ndarray (n, S, C)
        Transit days and safety-stock days of the lanes.
    usmca_origin : ndarray (n, S, C) of bool
        The good originates under USMCA on the lane (exempt from the US MPF).

    Returns
    -------
    dict of str to ndarray
        One (n, S, C) or broadcastable array per name of :data:`TCO_COMPONENTS`, USD per
        unit.
    """
    p, r = tco.params, {k: v[pl, None, None] for k, v in tco.rates.items()}
    cross = tco.cross[cs][None]
    units = tco.units_per_entry[pl][:, cs, :]
    us = tco.us_import[cs][None]
    mpf = f.merchandise_processing_fee(
        customs, units, p.us_mpf_rate, p.us_mpf_min_usd, p.us_mpf_max_usd
    )
    hmf = f.value_share_cost(customs, p.us_hmf_rate)
    fees = (
        f.per_entry_fee(r["broker_fee_usd_per_entry"], units)
        + np.where(us & ~usmca_origin, mpf, 0.0)
        + np.where(us & tco.ocean[pl][:, cs, :], hmf, 0.0)
    )
    days = r["prepayment_days"] + transit
    prepaid = f.prepayment_cost(exworks[:, :, None], r["prepayment_share"], r["capital_rate"], days)
    share = {n: np.where(cross, f.value_share_cost(value, r[f"{n}_rate"]), 0.0)
             for n in ("packaging", "quality", "oversight")}  # fmt: skip
    return {
        **share,
        "customs_fees": np.where(cross, fees, 0.0),
        "prepayment": np.where(cross, prepaid, 0.0),
        "ip_risk": np.where(
            tco.ip_country[cs][None, :, None], f.value_share_cost(value, r["ip_risk_rate"]), 0.0
        ),
        "obsolescence": f.inventory_cost(stock, r["obsolescence_rate"], transit, safety),
    }
