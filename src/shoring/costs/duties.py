"""Duty rates per (HS code, origin, destination) for one scenario and year.

The rate a lane pays is built the way customs builds it (DESIGN.md, "Landed cost")::

    base      = MFN of the importer (EU members: the common external tariff)
    base      = min(base, preferential) where an agreement covers the lane and the
                goods meet its rule of origin (free circulation in a customs union or
                single market needs no rule)
    rate      = scenario measures stacked on the base: replace, then max, then add

Both cases — origin rule met and not met — are computed here, because whether a
product meets the rule depends on where its components come from, which the engine
knows. Rates are averaged over ``samples_per_year`` dates spread evenly through the
year (mid-quarter by default), so a measure in force for part of a year counts in
proportion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from shoring.data.agreements import agreement, agreement_matrix, members
from shoring.data.tariffs import mfn_rates
from shoring.scenario import Scenario, trade_effects


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
        year's samples); 0 where goods circulate freely (customs union, single market);
        NaN where no preference covers the lane in any sample. ``rate_met`` already
        charges MFN for the samples without a preference.
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


def sample_dates(year: int, samples_per_year: int) -> list[dt.date]:
    """Dates spread evenly through a year (the middle of each of ``n`` equal periods).

    Parameters
    ----------
    year : int
        Calendar year.
    samples_per_year : int
        Number of dates ``n`` (>= 1); 4 gives mid-February, mid-May, mid-August and
        mid-November.

    Returns
    -------
    list of datetime.date
        ``n`` dates in increasing order, all within ``year``.
    """
    start = dt.date(year, 1, 1).toordinal()
    length = dt.date(year + 1, 1, 1).toordinal() - start
    return [
        dt.date.fromordinal(start + int((i + 0.5) * length / samples_per_year))
        for i in range(samples_per_year)
    ]


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


def duty_rates(
    scenario: Scenario,
    hs6: Sequence[str],
    countries: Sequence[str],
    year: int,
    samples_per_year: int = 4,
) -> DutyRates:
    """Year-average duties on every (HS code, origin, destination) under a scenario.

    Parameters
    ----------
    scenario : Scenario
        Its measures stack on MFN and the agreements in force (data layer).
    hs6 : sequence of str
        Distinct HS6 codes.
    countries : sequence of str
        ISO3 codes, used as both origins and destinations.
    year : int
        Calendar year.
    samples_per_year : int
        Dates per year the measures are evaluated on (4 = mid-quarter).
    """
    codes = np.asarray(countries, dtype=object)
    hs = np.asarray(hs6, dtype=object)
    n_h, n_c = hs.size, codes.size
    dates = sample_dates(year, samples_per_year)
    mid = dt.date(year, 7, 1)

    mfn = _mfn(tuple(hs), tuple(codes), mid)  # (h, d), shared by every scenario
    missing = tuple(sorted(set(codes[np.isnan(mfn).any(axis=0)])))
    mfn = np.nan_to_num(mfn, nan=0.0)[:, None, :]  # (h, 1, d)
    domestic = (codes[:, None] == codes[None, :])[None]  # (1, o, d)

    # cells (h, o, d, sample) flattened for the scenario's trade measures
    grid_h, grid_o, grid_d = np.meshgrid(hs, codes, codes, indexing="ij")
    cell = (n_h, n_c, n_c)
    sums = {
        k: np.zeros(cell)
        for k in ("met", "not", "kg_met", "kg_not", "unit_met", "unit_not", "ntb", "blocked")
    }
    threshold = np.full(cell, np.nan)
    for on in dates:
        ids, rule = _lane_rules(tuple(codes), on)
        covered = ids != ""
        free = rule == 0.0
        base_met = np.where(covered[None], 0.0, mfn)  # preferential rate 0 (see module doc)
        base_not = np.where(free[None], 0.0, mfn)
        effects = trade_effects(scenario, grid_d.ravel(), grid_o.ravel(), grid_h.ravel(), on)
        pref = effects.preference_rate.reshape(cell)
        has_pref = ~np.isnan(pref)
        base_met = np.where(has_pref, np.fmin(base_met, pref), base_met)
        scn_rule = effects.preference_rvc_threshold.reshape(cell)
        lane_rule = np.where(has_pref & np.isnan(rule[None]), scn_rule, rule[None])
        met = effects.applicable(True)
        sums["met"] += met.ad_valorem_rate(base_met.ravel()).reshape(cell)
        sums["not"] += effects.ad_valorem_rate(base_not.ravel()).reshape(cell)
        sums["kg_met"] += met.specific_usd_per_kg.reshape(cell)
        sums["kg_not"] += effects.specific_usd_per_kg.reshape(cell)
        sums["unit_met"] += met.specific_usd_per_unit.reshape(cell)
        sums["unit_not"] += effects.specific_usd_per_unit.reshape(cell)
        sums["ntb"] += effects.ntb_ave.reshape(cell)
        sums["blocked"] += effects.blocked.reshape(cell)
        threshold = np.fmax(threshold, lane_rule)  # strictest rule met in any sample
    n = float(len(dates))
    avg = {k: np.where(domestic, 0.0, v / n) for k, v in sums.items()}
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
        agreement=mid_ids,
        missing_mfn=missing,
    )
