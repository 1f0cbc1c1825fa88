"""Total-cost-of-ownership components of a lane, beyond price, freight, duty and carrying.

The checklist of the Reshoring Initiative's TCO Estimator, each a named component of the
landed cost (defaults: :func:`shoring.data.tco.tco_parameters`; per network or product:
the network's ``cost_settings`` table). For product p made at a site in country o and
delivered to country d, with formulas from :mod:`shoring.costs.formulas`::

    packaging     = value * packaging_rate                          if o != d
    customs_fees  = broker fee / units per entry      if o != d, outside a customs union
                  + US MPF: clip(0.3464% * customs value * units, min, max) / units
                                                  if d = USA, o != USA, not USMCA-originating
                  + US HMF: 0.125% * customs value  if d = USA, o != USA, ocean
    prepayment    = ex-works (of the mix bought) * share * capital rate
                    * (prepayment days + transit) / 365                 if o != d
    quality       = value * quality_rate                            if o != d
    oversight     = value * oversight_rate                          if o != d
    ip_risk       = value * ip_risk_rate                  if o is on the Priority Watch List
    obsolescence  = (value of the goods in stock) * obsolescence_rate
                    * (transit + safety) / 365                      (the carrying formula)

Units per entry are the shipment size of the lane's mode over the unit weight (at least
one unit), unless the network or product sets ``units_per_entry``. Computed per BOM tier
by the engine; the study-level inputs (:class:`TcoInputs`) once per study. Where buying a
qualifying mix is a choice, :func:`qualifying_terms` adds what these components change
(the MPF saved, the prepayment and obsolescence of the extra cost) to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shoring.costs import formulas as f
from shoring.data.tco import OVERRIDABLE, TcoParameters, tco_parameters
from shoring.data.transport import MODES
from shoring.network import Network

__all__ = ["TCO_COMPONENTS", "TcoInputs", "qualifying_terms", "tco_costs", "tco_inputs"]

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
        Units per customs entry per (product, origin place, destination place).
    ocean : ndarray (P, C, C) of bool
        The lane's chosen mode is ocean.
    cross : ndarray (C, C) of bool
        Origin and destination countries differ.
    us_import : ndarray (C, C) of bool
        Destination the United States, origin another country.
    us : ndarray of int
        Positions of the places in the United States (empty: none).
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
    us: np.ndarray


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
        ISO3 code of each of the engine's places (C; a country repeats when several
        places lie in it).
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
        us=np.flatnonzero(codes == "USA"),
    )


def _rates(tco: TcoInputs, pl: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[pl, None, None] for k, v in tco.rates.items()}


def _mpf(tco: TcoInputs, pl: np.ndarray, cs: np.ndarray, customs: np.ndarray) -> np.ndarray:
    """US merchandise processing fee per unit where the lane imports into the US, else 0."""
    p = tco.params
    out = np.zeros(np.broadcast_shapes(customs.shape, (pl.size, cs.size, tco.cross.shape[1])))
    if tco.us.size == 0:
        return out
    units = tco.units_per_entry[pl][:, cs][:, :, tco.us]
    value = np.broadcast_to(customs, out.shape)[:, :, tco.us]
    fee = f.merchandise_processing_fee(
        value, units, p.us_mpf_rate, p.us_mpf_min_usd, p.us_mpf_max_usd
    )
    out[:, :, tco.us] = np.where(tco.us_import[np.ix_(cs, tco.us)][None], fee, 0.0)
    return out


def _prepaid_factor(
    tco: TcoInputs, r: dict[str, np.ndarray], cs: np.ndarray, transit: np.ndarray
) -> np.ndarray:
    """Prepayment cost per USD of ex-works cost on cross-border lanes (else 0)."""
    per_day = f.prepayment_cost(1.0, r["prepayment_share"], r["capital_rate"], 1.0)  # (n, 1, 1)
    return (per_day * tco.cross[cs][None]) * (r["prepayment_days"] + transit)


def qualifying_terms(
    tco: TcoInputs,
    excluded: frozenset[str],
    pl: np.ndarray,
    cs: np.ndarray,
    carrying_rate: np.ndarray,
    customs: np.ndarray,
    transit: np.ndarray,
    safety: np.ndarray,
    usmca_lane: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the TCO components add to the choice of buying a qualifying mix.

    Qualifying for a preference saves ``(duty_not - duty_met) * keep + mpf`` and costs
    ``extra * (1 + overhead rate) * (keep + prepay)``, where ``keep`` is 1 plus the
    carrying and obsolescence cost per USD held over transit and safety days, ``prepay``
    the prepayment cost per USD of ex-works cost, and ``mpf`` the US merchandise
    processing fee USMCA-originating goods do not pay.

    Parameters
    ----------
    tco : TcoInputs
        From :func:`tco_inputs`.
    excluded : frozenset of str
        Components the network leaves out.
    pl, cs : ndarray of int (cs: place of each site)
        Product positions (n) and the place position of each site (S).
    carrying_rate, customs, transit, safety : ndarray
        Broadcastable to (n, S, C): carrying rate (0 where inventory is excluded),
        customs value per unit, transit and safety days.
    usmca_lane : ndarray of bool
        Broadcastable to (n, S, C): the lane's preference is USMCA.

    Returns
    -------
    tuple of ndarray
        ``keep``, ``prepay`` and ``mpf``, broadcastable to (n, S, C).
    """
    r = _rates(tco, pl)
    held = (transit + safety) / f.DAYS_PER_YEAR
    obsolete = 0.0 if "obsolescence" in excluded else r["obsolescence_rate"] * held
    keep = 1.0 + carrying_rate * held + obsolete
    prepay = 0.0 if "prepayment" in excluded else _prepaid_factor(tco, r, cs, transit)
    mpf = (
        0.0 if "customs_fees" in excluded else np.where(usmca_lane, _mpf(tco, pl, cs, customs), 0.0)
    )
    return keep, np.asarray(prepay), np.asarray(mpf)


def tco_costs(
    tco: TcoInputs,
    pl: np.ndarray,
    cs: np.ndarray,
    value: np.ndarray,
    made: np.ndarray,
    stock: np.ndarray,
    met: np.ndarray,
    free: np.ndarray,
    customs: np.ndarray,
    transit: np.ndarray,
    safety: np.ndarray,
    usmca_lane: np.ndarray,
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
    made : ndarray (n, S, C)
        Ex-works cost per unit of the mix bought (USD): what is prepaid.
    stock : ndarray (n, S, C)
        Value of a unit held in the pipeline and safety stock (USD).
    met : ndarray (n, S, C) of bool
        The good meets the rule of origin of the lane's preference.
    free : ndarray (n, S, C) of bool
        The lane is inside a customs union (free circulation): no customs entry, so no
        customs fees.
    customs : ndarray (n, S, C)
        Customs value per unit (USD; FOB or CIF by importer).
    transit, safety : ndarray (n, S, C)
        Transit days and safety-stock days of the lanes.
    usmca_lane : ndarray of bool
        Broadcastable to (n, S, C): the lane's preference is USMCA (originating goods
        are exempt from the US MPF).

    Returns
    -------
    dict of str to ndarray
        One (n, S, C) or broadcastable array per name of :data:`TCO_COMPONENTS`, USD per
        unit.
    """
    p, r = tco.params, _rates(tco, pl)
    cross = tco.cross[cs][None]
    units = tco.units_per_entry[pl][:, cs, :]
    ocean_us = tco.us_import[cs][None] & tco.ocean[pl][:, cs, :]
    fees = (
        f.per_entry_fee(r["broker_fee_usd_per_entry"], units)
        + np.where(met & usmca_lane, 0.0, _mpf(tco, pl, cs, customs))
        + np.where(ocean_us, f.value_share_cost(customs, p.us_hmf_rate), 0.0)
    )
    share = {n: np.where(cross, f.value_share_cost(value, r[f"{n}_rate"]), 0.0)
             for n in ("packaging", "quality", "oversight")}  # fmt: skip
    return {
        **share,
        "customs_fees": np.where(cross & ~free, fees, 0.0),
        "prepayment": made * _prepaid_factor(tco, r, cs, transit),
        "ip_risk": np.where(
            tco.ip_country[cs][None, :, None], f.value_share_cost(value, r["ip_risk_rate"]), 0.0
        ),
        "obsolescence": f.inventory_cost(stock, r["obsolescence_rate"], transit, safety)
        if r["obsolescence_rate"].any()
        else 0.0,
    }
