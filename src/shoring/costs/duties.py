"""Duty rates per (HS code, origin, destination) for one scenario and year.

The rate a lane pays is built the way customs builds it (DESIGN.md, "Landed cost")::

    base      = MFN of the importer (EU members: the common external tariff)
    base      = min(base, preferential) where an agreement covers the lane and the
                goods meet its rule of origin (free circulation in a customs union or
                single market needs no rule)
    rate      = scenario measures stacked on the base: replace, then max, then add

A ``suspension`` measure takes an agreement off its lanes: no preference, no rule of
origin, so no measure is waived under it either (the goods pay MFN + the measures).

Both cases — origin rule met and not met — are computed here, because whether a
product meets the rule depends on where its components come from, which the engine
knows. A year's rates are the day-weighted average over the intervals on which the
relevant measures and agreements are constant (:mod:`shoring.scenario.periods`), so a
measure in force for part of a year counts in exact proportion to its days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from shoring.data.agreements import agreement, agreement_matrix, members
from shoring.data.tariffs import mfn_rates
from shoring.scenario import Scenario, trade_effects
from shoring.scenario.measures import Measure
from shoring.scenario.periods import relevant, year_periods
from shoring.scenario.resolve import ResolvedScenario, bloc_key, composed
from shoring.scenario.trade import Prepared, prepare_grid


@dataclass(frozen=True)
class DutyRates:
    """Year-average duty parameters of every lane.

    Arrays are (hs, origin, destination) unless stated; ad valorem rates are fractions.

    Attributes
    ----------
    rate_met, rate_not : ndarray
        Ad valorem rate when the lane's rule of origin is met / not met.
    specific_per_kg_met, specific_per_kg_not, specific_per_unit_met, specific_per_unit_not
        Specific duties, USD per kg and per unit.
    ntb : ndarray
        Ad valorem equivalent of non-tariff barriers.
    blocked : ndarray
        Share of the year the lane is closed by an export ban or sanction (0..1).
    rvc_threshold : ndarray
        Regional value content the rule of origin requires (the strictest over the
        year's intervals); 0 where goods circulate freely (customs union, single market);
        NaN where no preference covers the lane in any interval. ``rate_met`` already
        charges MFN for the intervals without a preference.
    agreement : ndarray of str, (origin, destination)
        Agreement giving the preference (mid-year), ``""`` where none.
    missing_mfn : tuple of str
        Importers without a cited MFN figure (taken as 0 and reported).
    """

    rate_met: np.ndarray
    rate_not: np.ndarray
    specific_per_kg_met: np.ndarray
    specific_per_kg_not: np.ndarray
    specific_per_unit_met: np.ndarray
    specific_per_unit_not: np.ndarray
    ntb: np.ndarray
    blocked: np.ndarray
    rvc_threshold: np.ndarray
    agreement: np.ndarray
    missing_mfn: tuple[str, ...]


@lru_cache(maxsize=256)
def _lane_rules(countries: tuple[str, ...], on: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Agreement id and RVC threshold (0 free circulation, NaN none) per (origin, dest).

    Depends on the countries and the date only, so it is cached across scenarios; the
    arrays are read-only.
    """
    ids = agreement_matrix(list(countries), on).to_numpy()
    threshold = np.full(ids.shape, np.nan)
    for agreement_id in np.unique(ids[ids != ""]):
        agr = agreement(str(agreement_id))
        if agr.free_circulation:
            value = 0.0
        elif agr.origin_rule is not None:
            value = agr.origin_rule.rvc_threshold
        else:
            value = 0.5  # no cited general rule: a 50% RVC screening rule (documented)
        threshold[ids == agreement_id] = value
    ids.setflags(write=False)
    threshold.setflags(write=False)
    return ids, threshold


@lru_cache(maxsize=64)
def _mfn(hs6: tuple[str, ...], importers: tuple[str, ...], on: dt.date) -> np.ndarray:
    """MFN rates (hs, importer) on a date; NaN where no cited figure. Cached: read-only."""
    codes = np.asarray(importers, dtype=object)
    rates = mfn_rates(codes[None, :], np.asarray(hs6, dtype=object)[:, None], on=on, missing="nan")
    rates.setflags(write=False)
    return rates


def member_mask(agreement_ids: Sequence[str], countries: Sequence[str], on: dt.date) -> np.ndarray:
    """(agreement, country) bool: the country is a member on the date ("" -> nobody).

    Parameters
    ----------
    agreement_ids : sequence of str
        Agreement or bloc ids; ``""`` stands for no agreement.
    countries : sequence of str
        ISO3 codes.
    on : datetime.date
        Query date.

    Returns
    -------
    ndarray of bool
        Shape ``(len(agreement_ids), len(countries))``.

    Raises
    ------
    UnknownAgreementError
        If an id is not in the agreements table.
    """
    codes = np.asarray(countries, dtype=object)
    out = np.zeros((len(agreement_ids), codes.size), dtype=bool)
    for i, agreement_id in enumerate(agreement_ids):
        if agreement_id:
            out[i] = np.isin(codes, list(members(agreement_id, on)))
    return out


def _rates_on(
    measures: ResolvedScenario,
    hs: np.ndarray,
    codes: np.ndarray,
    mfn: np.ndarray,
    on: dt.date,
    prepared: Prepared | None = None,
    copper_share: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Duty parameters of every (hs, origin, destination) on one day, and the lane rule.

    ``mfn`` is (hs, 1, destination); ``prepared`` the cells prepared for the year
    (:func:`shoring.scenario.trade.prepare_grid`), else ``copper_share`` (hs,) the declared
    copper content share of each row (NaN: none). Returns the arrays of
    :class:`DutyRates` (keys ``met``, ``not``, ``kg_met``, ...), the RVC threshold per
    cell (NaN: none) and the (origin, destination) lanes whose agreement a ``suspension``
    measure suspends (they pay MFN and the measures, none waived).
    """
    n_h, n_c = hs.size, codes.size
    cell = (n_h, n_c, n_c)
    grid_h, grid_o, grid_d = (
        np.broadcast_to(hs[:, None, None], cell),
        np.broadcast_to(codes[None, :, None], cell),
        np.broadcast_to(codes[None, None, :], cell),
    )
    copper = None if copper_share is None else np.broadcast_to(copper_share[:, None, None], cell)
    effects = trade_effects(
        measures,
        grid_d.ravel(),
        grid_o.ravel(),
        grid_h.ravel(),
        on,
        prepared=prepared,
        copper_share=None if copper is None else copper.ravel(),
    )
    ids, rule = _lane_rules(tuple(codes), on)
    suspended = _suspended(effects.suspended_agreement.reshape(cell), ids)  # (o, d)
    rule = np.where(suspended, np.nan, rule)  # a suspended agreement: none on the lane
    covered = (ids != "") & ~suspended
    base_met = np.where(covered[None], 0.0, mfn)  # preferential rate 0 (see module doc)
    base_not = np.where((rule == 0.0)[None], 0.0, mfn)
    pref = effects.preference_rate.reshape(cell)
    has_pref = ~np.isnan(pref)
    base_met = np.where(has_pref, np.fmin(base_met, pref), base_met)
    scn_rule = effects.preference_rvc_threshold.reshape(cell)
    lane_rule = np.where(has_pref & np.isnan(rule[None]), scn_rule, rule[None])
    met = effects.applicable(True)
    out = {
        "met": met.ad_valorem_rate(base_met.ravel()),
        "not": effects.ad_valorem_rate(base_not.ravel()),
        "kg_met": met.specific_usd_per_kg,
        "kg_not": effects.specific_usd_per_kg,
        "unit_met": met.specific_usd_per_unit,
        "unit_not": effects.specific_usd_per_unit,
        "ntb": effects.ntb_ave,
        "blocked": effects.blocked.astype(float),
    }
    return {k: v.reshape(cell) for k, v in out.items()}, lane_rule, suspended


def _suspended(label: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """(origin, destination) lanes whose data-layer agreement ``ids`` a ``suspension``
    measure suspends (``label``: (hs, origin, destination), the same for every code)."""
    if not (label != "").any():
        return np.zeros(ids.shape, dtype=bool)
    return (label[0] == ids.astype(label.dtype)) & (ids != "")


def _relevant(m: Measure, wanted: frozenset[str], hs: tuple[str, ...], blocs_key: tuple) -> bool:
    """:func:`relevant` of a measure to a grid, once per (measure, grid, blocs).

    Measures are frozen models, equal when their fields are: the scenarios of a study
    share most of theirs (the data layer), and its years share the grid. A measure with
    unhashable fields (an incentive's table) is tested each time.
    """
    try:
        return _relevant_cached(m, wanted, hs, blocs_key)
    except TypeError:
        return relevant(m, wanted, np.asarray(hs, dtype=str), dict(blocs_key))


@lru_cache(maxsize=8192)
def _relevant_cached(
    m: Measure, wanted: frozenset[str], hs: tuple[str, ...], blocs_key: tuple
) -> bool:
    return relevant(m, wanted, np.asarray(hs, dtype=str), dict(blocs_key))


def _year_measures(
    measures: Sequence[Measure],
    blocs: Mapping[str, tuple[str, ...]],
    hs: np.ndarray,
    codes: np.ndarray,
    mid: dt.date,
    copper_share: np.ndarray | None = None,
) -> tuple[list[Measure], Prepared]:
    """The trade measures that touch some (hs, origin, destination) cell in the year.

    Returns them and the cells prepared once for the year (:func:`prepare_grid`). A tariff whose
    coverage of the cells is zero on every day is dropped, so it adds no breakpoint.
    """
    first, last = dt.date(mid.year, 1, 1), dt.date(mid.year, 12, 31)
    wanted, hs_key = frozenset(codes), tuple(hs)
    blocs_key = bloc_key(blocs)
    candidates = []
    for m in measures:
        if not _relevant(m, wanted, hs_key, blocs_key):
            continue
        start, end = m.period()  # type: ignore[union-attr]
        if (start is not None and start > last) or (end is not None and end < first):
            continue
        candidates.append(m)
    prepared = prepare_grid(candidates, list(hs), list(codes), mid, blocs, copper_share)
    active = [
        m
        for m in candidates
        if not (id(m) in prepared.coverage and not prepared.coverage[id(m)].any())
    ]
    return active, prepared


def duty_rates(
    scenario: Scenario,
    hs6: Sequence[str],
    countries: Sequence[str],
    year: int,
    mfn: np.ndarray | None = None,
    copper_share: np.ndarray | None = None,
) -> DutyRates:
    """Year-average duties on every (HS code, origin, destination) under a scenario.

    The year is cut into the intervals over which the relevant measures and agreements
    are constant (:func:`shoring.scenario.periods.year_periods`); the measures are
    evaluated once per interval and each interval weighs its days / the year's days.

    Parameters
    ----------
    scenario : Scenario
        Its measures stack on MFN and the agreements in force (data layer).
    hs6 : sequence of str
        HS code of each duty row (6 to 10 digits; a code repeats when products sharing
        it have different MFN rates, see ``mfn``).
    countries : sequence of str
        ISO3 codes, used as both origins and destinations.
    year : int
        Calendar year.
    mfn : ndarray, optional
        MFN rates (hs, country) as fractions, NaN where no figure is cited: the
        product-level rates of :func:`shoring.costs.mfn.product_mfn` (national lines,
        specific duties as ad valorem equivalents, user rates). Default: the HS-level
        lookup :func:`shoring.data.tariffs.mfn_rates` at mid-year.
    copper_share : ndarray, optional
        Declared copper content as a share of the value per HS row (NaN: none), the base
        of tariffs charged on the copper content; default: none declared (full value).

    Returns
    -------
    DutyRates
        Arrays (hs, origin, destination); day-weighted averages over the year.
    """
    codes = np.asarray(countries, dtype=object)
    hs = np.asarray(hs6, dtype=object)
    n_h, n_c = hs.size, codes.size
    mid = dt.date(year, 7, 1)
    measures, blocs = composed(scenario)
    copper = None if copper_share is None else np.asarray(copper_share, dtype=float)
    active, prepared = _year_measures(measures, blocs, hs, codes, mid, copper)
    periods = year_periods(active, year, None, None, blocs)
    total_days = float(sum(days for _, days in periods))

    if mfn is None:
        mfn = _mfn(tuple(hs), tuple(codes), mid)  # (h, d), shared by every scenario
    missing = tuple(sorted(set(codes[np.isnan(mfn).any(axis=0)])))
    mfn = np.nan_to_num(mfn, nan=0.0)[:, None, :]  # (h, 1, d)
    domestic = (codes[:, None] == codes[None, :])[None]  # (1, o, d)

    cell = (n_h, n_c, n_c)
    sums = {
        k: np.zeros(cell)
        for k in ("met", "not", "kg_met", "kg_not", "unit_met", "unit_not", "ntb", "blocked")
    }
    threshold = np.full(cell, np.nan)
    always = np.ones((n_c, n_c), dtype=bool)  # the lane's agreement suspended all year
    for on, days in periods:
        in_force = [m for m in active if m.in_force(on)]
        resolved = ResolvedScenario(scenario.name, on, tuple(in_force), blocs)
        rates, lane_rule, suspended = _rates_on(resolved, hs, codes, mfn, on, prepared)
        always &= suspended
        weight = days / total_days
        for key, value in rates.items():
            sums[key] += weight * value
        threshold = np.fmax(threshold, lane_rule)  # strictest rule met in any interval
    avg = {k: np.where(domestic, 0.0, v) for k, v in sums.items()}
    mid_ids, _ = _lane_rules(tuple(codes), mid)
    return DutyRates(
        rate_met=avg["met"],
        rate_not=avg["not"],
        specific_per_kg_met=avg["kg_met"],
        specific_per_kg_not=avg["kg_not"],
        specific_per_unit_met=avg["unit_met"],
        specific_per_unit_not=avg["unit_not"],
        ntb=avg["ntb"],
        blocked=avg["blocked"],
        rvc_threshold=np.where(domestic, np.nan, threshold),
        agreement=np.where(always, "", mid_ids),
        missing_mfn=missing,
    )


def mfn_rate_on(importer: str, hs: str, on: dt.date) -> float:
    """MFN ad valorem rate of one importer and HS code on a date (NaN: no cited figure).

    Parameters
    ----------
    importer : str
        ISO3 code.
    hs : str
        HS code (6 digits or a national line).
    on : datetime.date
        Date.

    Returns
    -------
    float
        Fraction, as the engine uses it.
    """
    return float(_mfn((str(hs),), (importer,), on)[0, 0])


def day_rates(
    scenario: Scenario,
    hs6: Sequence[str],
    countries: Sequence[str],
    on: dt.date,
    copper_share: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Duties of every (HS code, origin, destination) on one day, origin rule met and not.

    The rule of :func:`duty_rates` on a single day (no year average): MFN of the importer
    on the day (missing -> 0), the preference of an agreement in force where the rule of
    origin is met, the scenario's measures stacked on either base, and the measures the
    agreement exempts waived where the rule is met.

    Parameters
    ----------
    scenario : Scenario
        Composed with its parents.
    hs6 : sequence of str
        HS codes (H; 6 digits or national lines).
    countries : sequence of str
        ISO3 codes (C), used as both origins and destinations.
    on : datetime.date
        Date of entry.
    copper_share : ndarray, optional
        Declared copper content as a share of the value per HS row (NaN: none).

    Returns
    -------
    dict of str to numpy.ndarray
        Arrays (H, C, C) (hs, origin, destination): ``met`` and ``not`` (ad valorem rate,
        fraction, rule of origin met / not met), ``kg_met``, ``kg_not``, ``unit_met``,
        ``unit_not`` (specific duties, USD), ``ntb`` and ``blocked`` (1.0 where an export
        ban or sanction stops the lane). Domestic cells are 0.
    """
    codes = np.asarray(countries, dtype=object)
    hs = np.asarray(hs6, dtype=object)
    mfn = np.nan_to_num(_mfn(tuple(str(h) for h in hs), tuple(codes), on), nan=0.0)[:, None, :]
    measures, blocs = composed(scenario)
    active = tuple(m for m in measures if m.in_force(on))
    resolved = ResolvedScenario(scenario.name, on, active, blocs)
    rates, _, _ = _rates_on(resolved, hs, codes, mfn, on, copper_share=copper_share)
    domestic = (codes[:, None] == codes[None, :])[None]
    return {k: np.where(domestic, 0.0, v) for k, v in rates.items()}


def lane_rate(
    scenario: Scenario,
    importer: str,
    exporter: str,
    hs: str,
    on: dt.date,
    origin_rule_met: bool = False,
    copper_share: float | None = None,
) -> float:
    """Ad valorem duty of one lane on one day, exactly as :func:`duty_rates` computes it.

    Parameters
    ----------
    scenario : Scenario
        Composed with its parents.
    importer, exporter : str
        ISO3 codes.
    hs : str
        HS code: 6 digits or a national tariff line.
    on : datetime.date
        Date of entry.
    origin_rule_met : bool
        Whether the goods meet the lane's rule of origin (preference, USMCA exemptions).
    copper_share : float, optional
        Declared copper content as a share of the value (None: not declared).

    Returns
    -------
    float
        Total ad valorem rate (fraction); 0 for a domestic lane. MFN missing -> taken as
        0, as in :func:`duty_rates`.
    """
    if importer == exporter:
        return 0.0
    copper = None if copper_share is None else np.array([copper_share], dtype=float)
    rates = day_rates(scenario, [hs], [exporter, importer], on, copper)
    key = "met" if origin_rule_met else "not"
    return float(rates[key][0, 0, 1])
