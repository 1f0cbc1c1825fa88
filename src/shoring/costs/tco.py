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
by the engine; the study-level inputs (:class:`TcoInputs`) once per study. The terms that
depend only on the lane (fees, shares, cost per USD held or prepaid) are computed once
per lane row by :func:`lane_tco`, which also gives what they change where buying a
qualifying mix is a choice (the MPF saved, the prepayment and obsolescence of the extra
cost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from shoring.costs import formulas as f
from shoring.costs.blocks import gather
from shoring.data.tco import OVERRIDABLE, TcoParameters, tco_parameters
from shoring.data.transport import MODES
from shoring.network import Network

__all__ = ["TCO_COMPONENTS", "LaneTco", "TcoInputs", "lane_tco", "tco_costs", "tco_inputs"]

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
    units = gather(tco.units_per_entry[:, :, tco.us], pl, cs)
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


@dataclass(frozen=True)
class LaneTco:
    """The TCO terms of a BOM tier's lanes, per USD or per unit (from :func:`lane_tco`).

    Every array is broadcastable to (n, L, C): products of the tier, lane rows (sites, or
    the places sites share) and destination places. A component the network excludes is
    0 here, and so is its part in the choice of a qualifying mix.

    Attributes
    ----------
    keep : ndarray
        1 + carrying and obsolescence cost per USD held over transit and safety days.
    prepay : ndarray
        Prepayment cost per USD of ex-works cost (0 on domestic lanes).
    obsolete : ndarray
        Obsolescence cost per USD held.
    mpf_saved : ndarray
        US merchandise processing fee a USMCA-originating good does not pay (USD/unit;
        0 off USMCA lanes).
    fees : ndarray
        Customs fees of a good that does not qualify (USD/unit): broker, MPF, HMF.
    shares : dict of str to ndarray
        ``packaging``, ``quality``, ``oversight`` (USD/unit), full (n, L, C).
    """

    keep: np.ndarray
    prepay: np.ndarray
    obsolete: np.ndarray
    mpf_saved: np.ndarray
    fees: np.ndarray
    shares: dict[str, np.ndarray]


def lane_tco(
    tco: TcoInputs,
    excluded: frozenset[str],
    pl: np.ndarray,
    lp: np.ndarray,
    value: np.ndarray,
    carrying_rate: np.ndarray,
    customs: np.ndarray,
    transit: np.ndarray,
    safety: np.ndarray,
    usmca_lane: np.ndarray,
    free: np.ndarray,
) -> LaneTco:
    """The TCO terms of products ``pl`` on every lane row, once per lane row.

    Qualifying for a preference saves ``(duty_not - duty_met) * keep + mpf_saved`` and
    costs ``extra * (1 + overhead rate) * (keep + prepay)``; the components themselves
    follow from these terms and the site's costs in :func:`tco_costs`.

    Parameters
    ----------
    tco : TcoInputs
        From :func:`tco_inputs`.
    excluded : frozenset of str
        Components the network leaves out.
    pl, lp : ndarray of int
        Product positions (n) and the place of each lane row (L).
    value : ndarray (n, 1, 1)
        Unit value (USD).
    carrying_rate, customs, transit, safety : ndarray
        Broadcastable to (n, L, C): carrying rate (0 where inventory is excluded),
        customs value per unit, transit and safety days.
    usmca_lane, free : ndarray of bool
        Broadcastable to (n, L, C): the lane's preference is USMCA (originating goods
        are exempt from the US MPF); the lane is inside a customs union (no entry).

    Returns
    -------
    LaneTco
    """
    p, r = tco.params, _rates(tco, pl)
    cross = tco.cross[lp][None]
    zero = np.zeros(())
    obsolete = (
        f.inventory_cost(1.0, r["obsolescence_rate"], transit, safety)
        if "obsolescence" not in excluded and r["obsolescence_rate"].any()
        else zero
    )
    keep = 1.0 + f.inventory_cost(1.0, carrying_rate, transit, safety) + obsolete
    prepay = zero if "prepayment" in excluded else _prepaid_factor(tco, r, lp, transit)
    if "customs_fees" in excluded:
        fees = mpf_saved = zero
    else:
        mpf = _mpf(tco, pl, lp, customs)
        mpf_saved = np.where(usmca_lane, mpf, 0.0)
        units = gather(tco.units_per_entry, pl, lp)
        ocean_us = tco.us_import[lp][None] & gather(tco.ocean, pl, lp)
        fees = np.where(
            cross & ~free,
            f.per_entry_fee(r["broker_fee_usd_per_entry"], units)
            + mpf
            + np.where(ocean_us, f.value_share_cost(customs, p.us_hmf_rate), 0.0),
            0.0,
        )
    full = np.broadcast_shapes(np.shape(customs), cross.shape)
    shares = {
        n: np.broadcast_to(np.where(cross, f.value_share_cost(value, r[f"{n}_rate"]), 0.0), full)
        for n in ("packaging", "quality", "oversight")
    }
    return LaneTco(keep, np.asarray(prepay), np.asarray(obsolete), mpf_saved, fees, shares)


def tco_costs(
    lane: LaneTco,
    take: Callable[[np.ndarray], np.ndarray],
    put: Callable[..., np.ndarray],
    tco: TcoInputs,
    pl: np.ndarray,
    site_place: np.ndarray,
    value: np.ndarray,
    made: tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray],
    stock: np.ndarray,
    met: np.ndarray,
) -> None:
    """Write the TCO components of products ``pl`` made at every site for every destination.

    Parameters
    ----------
    lane : LaneTco
        The lanes' terms (:func:`lane_tco`).
    take : callable
        Lane rows -> sites: (n, L, C) to (n, S, C) (each site takes its lane row).
    put : ComponentWriter
        ``put(name, values, per_lane=False, final=False)`` writes one component, (n, S, C)
        or broadcastable (``per_lane``: given per lane row, (n, L, C)), and returns the
        written (n, S, C) array, which may then be scaled in place (``final``: it will not
        be; see :class:`shoring.costs.blocks.ComponentWriter`).
    tco : TcoInputs
        From :func:`tco_inputs`.
    pl, site_place : ndarray of int
        Product positions (n) and the place of each site (S).
    value : ndarray (n, 1, 1)
        Unit value (USD).
    made : tuple (ndarray (n, S, 1), index, ndarray (k,))
        Ex-works cost per unit (USD), what is prepaid: of the cheapest mix per (product,
        site), and at the lanes ``index`` (as from ``np.nonzero``; where the qualifying
        mix is bought) the ex-works cost of that mix.
    stock : ndarray (n, S, C)
        Value of a unit held in the pipeline and safety stock (USD).
    met : ndarray (n, S, C) of bool
        The good meets the rule of origin of the lane's preference.

    Notes
    -----
    Writes one array per name of :data:`TCO_COMPONENTS`, USD per unit.
    """
    for name, values in lane.shares.items():
        put(name, values, per_lane=True, final=True)
    fees = put("customs_fees", lane.fees, per_lane=True)
    if lane.mpf_saved.ndim and lane.mpf_saved.any():  # USMCA-originating: no US MPF
        # only the destinations where some lane saves it (the US places): a few columns
        cols = np.flatnonzero(lane.mpf_saved.any(axis=(0, 1)))
        saved = take(np.ascontiguousarray(lane.mpf_saved[:, :, cols]))  # (n, S, k)
        fees[:, :, cols] = np.where(met[:, :, cols], fees[:, :, cols] - saved, fees[:, :, cols])
    prepaid = put("prepayment", lane.prepay, per_lane=True)
    made_base, made_at, made_values = made
    prepaid_at = prepaid[made_at] * made_values
    prepaid *= made_base
    prepaid[made_at] = prepaid_at
    ip = tco.ip_country[site_place][None, :, None]
    rate = _rates(tco, pl)["ip_risk_rate"]
    put("ip_risk", np.where(ip, f.value_share_cost(value, rate), 0.0), final=True)
    obsolete = put("obsolescence", lane.obsolete, per_lane=True)
    obsolete *= stock
