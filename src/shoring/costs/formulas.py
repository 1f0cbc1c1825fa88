"""Landed-cost formulas, one per component, on numpy arrays (broadcasting).

Each function is the textbook formula in DESIGN.md and nothing else, so each can be
checked against a hand-worked example. Units: USD per unit of product unless stated;
rates are fractions; distances km; weights kg; times days.

    LC = materials + labour + overhead + freight + duties + inventory + risk + carbon
         - incentives
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

DAYS_PER_YEAR = 365.0


def _a(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=float)


def labour_cost(
    hours: ArrayLike, wage: ArrayLike, automation: ArrayLike, productivity: ArrayLike
) -> Array:
    """Labour per unit: ``hours * wage * (1 - automation) / productivity``.

    Parameters
    ----------
    hours : array_like
        Labour hours per unit at the country's average productivity.
    wage : array_like
        Hourly labour cost (USD/hour) in the producing country and year.
    automation : array_like
        Share of labour removed by automation, 0..1.
    productivity : array_like
        Labour productivity factor of the site relative to the country average (> 0).

    Returns
    -------
    ndarray
        Labour cost in USD per unit, broadcast over the inputs.
    """
    return _a(hours) * _a(wage) * (1.0 - _a(automation)) / _a(productivity)


def chargeable_tonnes(
    weight_kg: ArrayLike, volume_m3: ArrayLike, volumetric_kg_per_m3: ArrayLike
) -> Array:
    """Chargeable weight: ``max(weight, volume * volumetric factor) / 1000``.

    Carriers charge the actual weight or the volumetric weight, whichever is greater
    (a 40ft container fills by volume or by payload, whichever binds).

    Parameters
    ----------
    weight_kg : array_like
        Shipping weight of one unit (kg).
    volume_m3 : array_like
        Shipping volume of one unit (m3); 0 where unknown (weight then binds).
    volumetric_kg_per_m3 : array_like
        Kilograms charged per m3 (air 166.7, road 333, 40ft container 26,500 / 67).

    Returns
    -------
    ndarray
        Chargeable tonnes per unit, broadcast over the inputs.
    """
    return np.maximum(_a(weight_kg), _a(volume_m3) * _a(volumetric_kg_per_m3)) / 1000.0


def freight_cost(
    chargeable_t: ArrayLike,
    network_km: ArrayLike,
    usd_per_tonne_km: ArrayLike,
    handling_usd_per_tonne: ArrayLike,
) -> Array:
    """Freight per unit: ``chargeable_t * (network_km * rate + handling)``.

    Parameters
    ----------
    chargeable_t : array_like
        Chargeable tonnes of one unit (:func:`chargeable_tonnes`).
    network_km : array_like
        Distance along the mode's network: great-circle km times the routing factor,
        or the sea route (km).
    usd_per_tonne_km : array_like
        Line-haul freight rate (USD per chargeable tonne-km).
    handling_usd_per_tonne : array_like
        Handling and terminal charges independent of distance (USD per tonne).

    Returns
    -------
    ndarray
        Freight cost in USD per unit, broadcast over the inputs.
    """
    return _a(chargeable_t) * (_a(network_km) * _a(usd_per_tonne_km) + _a(handling_usd_per_tonne))


def transit_days(
    network_km: ArrayLike, speed_km_per_day: ArrayLike, dwell_days: ArrayLike
) -> Array:
    """Lead time of one leg: ``network_km / speed + dwell``.

    Parameters
    ----------
    network_km : array_like
        Distance along the mode's network (km).
    speed_km_per_day : array_like
        Average moving speed of the mode (km/day).
    dwell_days : array_like
        Time in ports, terminals and customs (days).

    Returns
    -------
    ndarray
        Transit time in days, broadcast over the inputs.
    """
    return _a(network_km) / _a(speed_km_per_day) + _a(dwell_days)


def cif_value(fob_value: ArrayLike, freight: ArrayLike, insurance_rate: ArrayLike) -> Array:
    """Cost, insurance and freight value: ``(FOB + freight) / (1 - insurance_rate)``.

    CIF = FOB + freight + insurance with the premium charged on the CIF value itself
    (WTO Customs Valuation Agreement Art. 8.2 for what CIF covers; ``insurance_rate``
    includes the customary 110% cover of Incoterms 2020).

    Parameters
    ----------
    fob_value : array_like
        Free-on-board value of one unit (USD).
    freight : array_like
        Freight to the importer's border (USD per unit).
    insurance_rate : array_like
        Cargo insurance premium as a fraction of the CIF value (cover markup included).

    Returns
    -------
    ndarray
        CIF value in USD per unit, broadcast over the inputs.
    """
    return (_a(fob_value) + _a(freight)) / (1.0 - _a(insurance_rate))


def cargo_insurance(fob_value: ArrayLike, freight: ArrayLike, insurance_rate: ArrayLike) -> Array:
    """Cargo insurance premium per unit: ``insurance_rate * CIF value``.

    Parameters
    ----------
    fob_value, freight, insurance_rate : array_like
        As for :func:`cif_value`.

    Returns
    -------
    ndarray
        Premium in USD per unit, broadcast over the inputs.
    """
    return _a(insurance_rate) * cif_value(fob_value, freight, insurance_rate)


def customs_value(
    fob_value: ArrayLike, freight: ArrayLike, insurance_rate: ArrayLike, cif: ArrayLike
) -> Array:
    """Value duties are levied on: FOB, or CIF where ``cif``.

    CIF as :func:`cif_value` computes it.

    Parameters
    ----------
    fob_value : array_like
        Free-on-board value of one unit (USD).
    freight : array_like
        Freight to the importer's border (USD per unit).
    insurance_rate : array_like
        Cargo insurance premium as a fraction of the CIF value (cover markup included).
    cif : array_like of bool
        True where the importer values goods CIF, False where FOB.

    Returns
    -------
    ndarray
        Customs value in USD per unit, broadcast over the inputs.
    """
    fob = _a(fob_value)
    return np.where(np.asarray(cif, dtype=bool), cif_value(fob, freight, insurance_rate), fob)


def regional_value_content(value: ArrayLike, non_originating: ArrayLike) -> Array:
    """Build-down regional value content ``(V - VNM) / V``.

    Parameters
    ----------
    value : array_like
        Value of the good, ``V`` (USD per unit; a zero value gives NaN or inf).
    non_originating : array_like
        Value of non-originating materials, ``VNM`` (USD per unit).

    Returns
    -------
    ndarray
        Regional value content as a fraction (0..1 when ``0 <= VNM <= V``).
    """
    v = _a(value)
    return (v - _a(non_originating)) / v


def applicable_rate(
    mfn: ArrayLike,
    preferential: ArrayLike,
    origin_met: ArrayLike,
    added: ArrayLike = 0.0,
    replacement: ArrayLike = np.nan,
    floor: ArrayLike = np.nan,
) -> Array:
    """Ad valorem rate after preferences and stacked measures.

    ``base = min(MFN, preferential)`` where the origin rule is met (a missing preferential
    rate, NaN, means no agreement), else MFN; a ``replace`` measure (non-NaN
    ``replacement``) substitutes the base; a ``max`` measure raises it to ``floor``; ``add``
    measures are added last.

    Parameters
    ----------
    mfn : array_like
        Most-favoured-nation ad valorem rate (fraction).
    preferential : array_like
        Preferential rate under an agreement (fraction); NaN where there is none.
    origin_met : array_like of bool
        Whether the rule of origin for the preference is met.
    added : array_like, default 0.0
        Sum of additional ad valorem duties stacked on top (fraction).
    replacement : array_like, default NaN
        Rate that replaces the base rate (fraction); NaN where no measure replaces it.
    floor : array_like, default NaN
        Minimum rate the base is raised to (fraction); NaN where there is none.

    Returns
    -------
    ndarray
        Applicable ad valorem rate as a fraction, broadcast over the inputs.
    """
    mfn_a = _a(mfn)
    pref = _a(preferential)
    use_pref = np.asarray(origin_met, dtype=bool) & ~np.isnan(pref)
    base = np.where(use_pref, np.fmin(mfn_a, pref), mfn_a)
    rep = _a(replacement)
    base = np.where(np.isnan(rep), base, rep)
    base = np.fmax(base, _a(floor))  # fmax ignores NaN floors
    return base + _a(added)


def duty(value: ArrayLike, rate: ArrayLike, specific: ArrayLike = 0.0) -> Array:
    """Duty per unit: ``customs value * ad valorem rate + specific duty``.

    Parameters
    ----------
    value : array_like
        Customs value (USD per unit), e.g. from `customs_value`.
    rate : array_like
        Ad valorem rate (fraction).
    specific : array_like, default 0.0
        Specific duty already converted to USD per unit.

    Returns
    -------
    ndarray
        Duty in USD per unit, broadcast over the inputs.
    """
    return _a(value) * _a(rate) + _a(specific)


def inventory_cost(
    value: ArrayLike, carrying_rate: ArrayLike, transit: ArrayLike, safety_days: ArrayLike
) -> Array:
    """Carrying cost of pipeline and safety stock: ``value * r * (transit + safety) / 365``.

    Parameters
    ----------
    value : array_like
        Value of one unit held in stock (USD).
    carrying_rate : array_like
        Annual inventory carrying cost as a fraction of value (per year).
    transit : array_like
        Transit time, i.e. pipeline stock (days).
    safety_days : array_like
        Safety stock cover (days).

    Returns
    -------
    ndarray
        Inventory carrying cost in USD per unit, broadcast over the inputs.
    """
    return _a(value) * _a(carrying_rate) * (_a(transit) + _a(safety_days)) / DAYS_PER_YEAR


def service_z(service_level: float) -> float:
    """Standard normal quantile of a cycle service level (0.95 -> 1.645).

    Parameters
    ----------
    service_level : float
        Probability of no stock-out in a replenishment cycle, in (0, 1).

    Returns
    -------
    float
        ``z`` with ``P(Z <= z) = service_level`` for a standard normal ``Z``.
    """
    return NormalDist().inv_cdf(service_level)


def safety_stock_days(
    z: ArrayLike, lead_days: ArrayLike, demand_cv: ArrayLike, lead_sd_days: ArrayLike
) -> Array:
    """Safety stock in days of demand, from demand and lead-time variability.

    The normal approximation of the safety stock with uncertain demand and lead time,
    ``ss = z * sqrt(L * sigma_d^2 + d^2 * sigma_L^2)`` (Chopra and Meindl, Supply Chain
    Management, ch. 12; Chopra, Reinhardt and Dada 2004, Decision Sciences 35(1)), divided
    by the mean daily demand ``d``: ``z * sqrt(L * cv^2 + sigma_L^2)`` with
    ``cv = sigma_d / d``.

    Parameters
    ----------
    z : array_like
        Service factor (:func:`service_z` of the cycle service level).
    lead_days : array_like
        Mean lead time L (days).
    demand_cv : array_like
        Coefficient of variation of a day's demand (sigma_d / d).
    lead_sd_days : array_like
        Standard deviation of the lead time (days).

    Returns
    -------
    ndarray
        Days of demand held as safety stock, broadcast over the inputs.
    """
    lead, cv, sd = _a(lead_days), _a(demand_cv), _a(lead_sd_days)
    return _a(z) * np.sqrt(lead * cv**2 + sd**2)


def carbon_cost(co2_kg: ArrayLike, usd_per_tonne_co2: ArrayLike) -> Array:
    """Carbon cost per unit: ``CO2 kg / 1000 * price per tonne``.

    Parameters
    ----------
    co2_kg : array_like
        Emissions attributed to one unit (kg CO2).
    usd_per_tonne_co2 : array_like
        Carbon price (USD per tonne CO2).

    Returns
    -------
    ndarray
        Carbon cost in USD per unit, broadcast over the inputs.
    """
    return _a(co2_kg) / 1000.0 * _a(usd_per_tonne_co2)


def incentive_per_unit(
    per_unit: ArrayLike,
    capex_share: ArrayLike,
    capex: ArrayLike,
    per_job: ArrayLike,
    jobs: ArrayLike,
    capacity_units: ArrayLike,
    amortization_years: ArrayLike,
) -> Array:
    """Incentives per unit: per-unit grants plus one-off grants spread over output.

    ``per_unit + (capex_share * capex + per_job * jobs) / (capacity * amortization_years)``.

    Parameters
    ----------
    per_unit : array_like
        Production subsidy or tax credit (USD per unit).
    capex_share : array_like
        Share of the opening capital expenditure covered by grants (fraction).
    capex : array_like
        Opening capital expenditure of the site (USD).
    per_job : array_like
        Grant per job created (USD per job).
    jobs : array_like
        Jobs at the site.
    capacity_units : array_like
        Annual capacity of the site (units per year); one-off grants are spread over it.
    amortization_years : array_like
        Years over which one-off grants are spread.

    Returns
    -------
    ndarray
        Incentive in USD per unit (a reduction of landed cost), broadcast over the inputs.
    """
    one_off = _a(capex_share) * _a(capex) + _a(per_job) * _a(jobs)
    return _a(per_unit) + one_off / (_a(capacity_units) * _a(amortization_years))


def value_share_cost(value: ArrayLike, rate: ArrayLike) -> Array:
    """A cost stated as a share of value: ``value * rate``.

    The formula of every TCO component given as a fraction of the unit value: export
    packaging, quality and warranty, travel and oversight, intellectual-property risk.

    Parameters
    ----------
    value : array_like
        Unit value (USD per unit).
    rate : array_like
        The component's share of value (fraction).

    Returns
    -------
    ndarray
        USD per unit, broadcast over the inputs.
    """
    return _a(value) * _a(rate)


def per_entry_fee(fee_per_entry: ArrayLike, units_per_entry: ArrayLike) -> Array:
    """A fee charged per customs entry, per unit: ``fee / units per entry``.

    Parameters
    ----------
    fee_per_entry : array_like
        USD per entry (e.g. a customs broker's fee).
    units_per_entry : array_like
        Units in one entry (shipment size), > 0.

    Returns
    -------
    ndarray
        USD per unit, broadcast over the inputs.
    """
    return _a(fee_per_entry) / _a(units_per_entry)


def merchandise_processing_fee(
    value: ArrayLike,
    units_per_entry: ArrayLike,
    rate: ArrayLike,
    minimum: ArrayLike,
    maximum: ArrayLike,
) -> Array:
    """US merchandise processing fee per unit: ad valorem per entry, within its limits.

    ``clip(rate * value * units, minimum, maximum) / units`` (19 CFR 24.23(b)(1)(i): the
    fee is 0.3464% of the value of a formal entry, no less than the minimum and no more
    than the maximum per entry, both adjusted each fiscal year).

    Parameters
    ----------
    value : array_like
        Customs (entered) value of one unit (USD).
    units_per_entry : array_like
        Units in one entry, > 0.
    rate : array_like
        Ad valorem rate (fraction; 0.003464).
    minimum, maximum : array_like
        Fee limits per entry (USD).

    Returns
    -------
    ndarray
        USD per unit, broadcast over the inputs.
    """
    units = _a(units_per_entry)
    per_entry = np.clip(_a(rate) * _a(value) * units, _a(minimum), _a(maximum))
    return per_entry / units


def prepayment_cost(
    value: ArrayLike, share: ArrayLike, capital_rate: ArrayLike, days: ArrayLike
) -> Array:
    """Capital cost of paying part of the price before the goods arrive.

    ``value * share * capital_rate * days / 365``: the prepaid share of the value is
    tied up for ``days`` (from payment to receipt) at the annual cost of capital.

    Parameters
    ----------
    value : array_like
        Value of one unit (USD).
    share : array_like
        Share of the value prepaid (fraction).
    capital_rate : array_like
        Annual cost of capital (fraction per year).
    days : array_like
        Days from payment to receipt.

    Returns
    -------
    ndarray
        USD per unit, broadcast over the inputs.
    """
    return _a(value) * _a(share) * _a(capital_rate) * _a(days) / DAYS_PER_YEAR
