"""Country-by-time series of a scenario: closures, incentives, wages, automation, carbon.

Each function takes a scenario (composed with its parents), a resolved scenario or a
list of measures, and returns labelled arrays (xarray) over ``country`` and ``month``
or ``year``. Loops run over measures (a handful), never over cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from shoring.scenario.measure_base import ALL
from shoring.scenario.measures import Automation, CarbonPrice, Closure, Incentive, Measure, WagePath
from shoring.scenario.resolve import (
    ResolvedScenario,
    as_codes,
    composed,
    hs_mask,
    party_mask,
)
from shoring.scenario.scenario import Scenario

ScenarioLike = Scenario | ResolvedScenario | Sequence[Measure]


def _years(years: Any) -> np.ndarray:
    return np.atleast_1d(np.asarray(years, dtype=int))


def _covers(selection: Any, hs6: str | None) -> bool:
    """Whether an HS selection applies to the product asked about (none: only "all")."""
    if selection == ALL:
        return True
    return hs6 is not None and bool(hs_mask(np.array([str(hs6).zfill(6)]), selection)[0])


def _country_year_mask(
    codes: np.ndarray, years: np.ndarray, tokens: Any, blocs: Mapping, start: int, end: int | None
) -> np.ndarray:
    """(country, year) mask: country in ``tokens`` in that year, year within [start, end]."""
    cy_codes = np.repeat(codes, years.size)
    cy_years = np.tile(years, codes.size)
    days = np.array([f"{y}-07-01" for y in years], dtype="datetime64[D]")
    cy_days = np.tile(days, codes.size)
    mask = party_mask(cy_codes, tokens, cy_days, blocs)
    mask &= cy_years >= start
    if end is not None:
        mask &= cy_years <= end
    return mask.reshape(codes.size, years.size)


def capacity_lost(
    scenario: ScenarioLike,
    countries: Any,
    months: Any,
    *,
    scope: str = "plants",
    hs6: str | None = None,
    regions: Mapping[str, str] | None = None,
) -> xr.DataArray:
    """Share of capacity lost by country and month from ``closure`` measures.

    A closure covering part of a month counts in proportion to the days it covers.
    Where several closures hit the same country and month, the largest loss applies
    (national and regional figures describe the same shortfall).

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    countries : array-like of str
        ISO3 codes. Bloc membership is taken on the first day of each month.
    months : array-like
        Months (``"2020-03"``, dates or ``datetime64[M]``).
    scope : {"plants", "ports", "all"}
        What the caller asks about: closures with scope ``"all"`` always count,
        others only when they match.
    hs6 : str, optional
        Product code; sector-specific closures count only when it matches.
    regions : mapping of str to str, optional
        Country -> region of the sites in question (e.g. ``{"CHN": "Hubei"}``). Regional
        closures apply only where it matches (case-insensitive).

    Returns
    -------
    xarray.DataArray
        Dims ``(country, month)``, fraction 0..1.
    """
    measures, blocs = composed(scenario)
    codes = as_codes(countries)
    month = np.atleast_1d(np.asarray(pd.to_datetime(np.atleast_1d(months)).values)).astype(
        "datetime64[M]"
    )
    first = month.astype("datetime64[D]")
    last = (month + 1).astype("datetime64[D]") - 1
    days_in = (last - first).astype(int) + 1
    lost = np.zeros((codes.size, month.size))
    regions = {k.upper(): v.lower() for k, v in (regions or {}).items()}
    for m in measures:
        if not isinstance(m, Closure):
            continue
        if m.scope not in ("all", scope) and scope != "all":
            continue
        if not _covers(m.hs, hs6):
            continue
        start = np.datetime64(m.start, "D")
        end = np.datetime64(m.end, "D") if m.end is not None else last.max()
        overlap = (np.minimum(last, end) - np.maximum(first, start)).astype(int) + 1
        share = np.clip(overlap, 0, None) / days_in
        # membership of the closure's country or bloc on the first day of each month
        who = party_mask(
            np.repeat(codes, month.size), (m.country,), np.tile(first, codes.size), blocs
        ).reshape(codes.size, month.size)
        if m.region is not None:
            who &= np.array([regions.get(c) == m.region.lower() for c in codes], dtype=bool)[
                :, None
            ]
        lost = np.maximum(lost, who * (share * m.capacity_lost)[None, :])
    return xr.DataArray(
        lost,
        coords={"country": codes, "month": month},
        dims=("country", "month"),
        name="capacity_lost",
    )


def incentives(scenario: ScenarioLike, countries: Any, years: Any) -> xr.Dataset:
    """Incentives by country and year: capex share (capped at 1), USD per job, USD per unit.

    Incentives in force in the same country and year add up, with their phase-down. Only
    measures for every product count here (``hs: all``); those for some HS codes, per kWh
    or as a share of cost are product-level: see :func:`product_incentives`.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    countries : array-like of str
        ISO3 codes (upper-cased). Bloc membership is taken on 1 July of each year.
    years : int or array-like of int
        Calendar years.

    Returns
    -------
    xarray.Dataset
        Variables ``capex_share`` (fraction of opening capex, capped at 1),
        ``per_job_usd`` (USD per job) and ``per_unit_usd`` (USD per unit), each with dims
        ``(country, year)``; 0 where no incentive applies.
    """
    measures, blocs = composed(scenario)
    codes, yrs = as_codes(countries), _years(years)
    out = {
        k: np.zeros((codes.size, yrs.size)) for k in ("capex_share", "per_job_usd", "per_unit_usd")
    }
    for m in measures:
        if isinstance(m, Incentive) and m.hs == ALL:
            mask = _country_year_mask(codes, yrs, (m.country,), blocs, m.start_year, m.end_year)
            scale = np.array([m.factor(int(y)) for y in yrs])[None, :]
            for key in out:
                out[key] += mask * getattr(m, key) * scale
    out["capex_share"] = np.minimum(out["capex_share"], 1.0)
    coords = {"country": codes, "year": yrs}
    return xr.Dataset({k: (("country", "year"), v) for k, v in out.items()}, coords=coords)


def product_incentives(
    scenario: ScenarioLike,
    countries: Any,
    year: Any,
    hs: Any,
    kwh_per_unit: Any,
) -> dict[str, np.ndarray]:
    """Incentives by product and country in one year (or several), for ordinary and
    excluded owners.

    Every ``incentive`` measure in force in ``year`` counts for the products its ``hs``
    selection (and kWh range) covers, scaled by its phase-down factor: ``per_unit_usd +
    per_kwh_usd * kwh_per_unit`` per unit, ``cost_share`` of the production cost,
    ``capex_share`` and ``per_job_usd`` for the site. Index 1 of
    the first axis leaves out the measures that exclude prohibited foreign entities.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    countries : array-like of str
        ISO3 codes.
    year : int or sequence of int
        Calendar year; a sequence of years adds a trailing ``year`` axis to every array.
    hs : array-like of str
        HS code of each product.
    kwh_per_unit : array-like of float
        kWh per unit of each product; NaN where not given (per-kWh amounts are then 0).

    Returns
    -------
    dict of str to ndarray
        ``per_unit_usd`` (USD/unit), ``cost_share`` (fraction of the unit's production
        cost), ``capex_share`` (fraction, capped at 1) and ``per_job_usd`` (USD/job), each
        of shape ``(2, product, country)`` (``(2, product, country, year)`` for a sequence
        of years): ``[0]`` for sites of ordinary owners, ``[1]`` for sites flagged
        ``prohibited_foreign_entity``.
    """
    measures, blocs = composed(scenario)
    codes = as_codes(countries)
    years = _years(year)
    codes6 = np.asarray([str(c).zfill(6) for c in np.atleast_1d(hs)])
    kwh = np.nan_to_num(np.asarray(kwh_per_unit, dtype=float), nan=0.0)
    shape = (2, codes6.size, codes.size, years.size)
    keys = ("per_unit_usd", "cost_share", "capex_share", "per_job_usd")
    out = {k: np.zeros(shape) for k in keys}
    for m in measures:
        if not isinstance(m, Incentive):
            continue
        where = _country_year_mask(codes, years, (m.country,), blocs, m.start_year, m.end_year)
        covered = hs_mask(codes6, m.hs)
        if m.kwh_per_unit_range is not None:
            low, high = m.kwh_per_unit_range
            covered = covered & (kwh >= low) & (kwh < high)
        scale = np.array([m.factor(int(y)) for y in years])
        goods = covered.astype(float)[:, None, None] * (where * scale)[None]  # (p, c, y)
        cutoff = m.excludes_prohibited_foreign_entities_from
        # sites of prohibited foreign entities: only before the measure's cut-off year
        excluded_owner = (years < cutoff) if cutoff is not None else np.ones(years.size, bool)
        amounts = {
            "per_unit_usd": (m.per_unit_usd + m.per_kwh_usd * kwh)[:, None, None] * goods,
            "cost_share": m.cost_share * goods,
            "capex_share": m.capex_share * goods,
            "per_job_usd": m.per_job_usd * goods,
        }
        for k, amount in amounts.items():
            out[k][0] += amount
            out[k][1] += amount * excluded_owner
    out["capex_share"] = np.minimum(out["capex_share"], 1.0)
    if np.ndim(year) == 0:
        return {k: v[..., 0] for k, v in out.items()}
    return out


def wage_multiplier(
    scenario: ScenarioLike, countries: Any, years: Any, base_year: int
) -> xr.DataArray:
    """USD wage relative to ``base_year`` by country and year, from ``wage_path`` measures.

    The wage of year ``t`` is the wage of ``t - 1`` times ``(1 + annual_growth) * (1 +
    fx_change)`` of the wage path in force in year ``t`` (the last one listed wins when
    several cover a country and year; none: no change). Years before ``base_year``
    divide back by the same factors.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    countries : array-like of str
        ISO3 codes (upper-cased). Bloc membership is taken on 1 July of each year.
    years : int or array-like of int
        Calendar years.
    base_year : int
        Year whose wage level is 1.0.

    Returns
    -------
    xarray.DataArray
        Dims ``(country, year)``; 1.0 in ``base_year``.
    """
    measures, blocs = composed(scenario)
    codes, yrs = as_codes(countries), _years(years)
    span = np.arange(min(yrs.min(), base_year), max(yrs.max(), base_year) + 1)
    factor = np.ones((codes.size, span.size))
    for m in measures:
        if isinstance(m, WagePath):
            mask = _country_year_mask(codes, span, m.country, blocs, m.start_year, m.end_year)
            factor = np.where(mask, (1.0 + m.annual_growth) * (1.0 + m.fx_change), factor)
    log_level = np.cumsum(np.log(factor), axis=1)
    base_idx = int(np.flatnonzero(span == base_year)[0])
    rel = np.exp(log_level - log_level[:, [base_idx]])
    cols = np.searchsorted(span, yrs)
    return xr.DataArray(
        rel[:, cols],
        coords={"country": codes, "year": yrs},
        dims=("country", "year"),
        name="wage_multiplier",
    )


def automation_share(
    scenario: ScenarioLike, countries: Any, years: Any, hs6: str | None = None
) -> xr.DataArray:
    """Share of labour hours removed by automation, by country and year (max over measures).

    Each ``automation`` measure ramps linearly from 0 in ``start_year`` to its share
    in ``full_year`` and holds it (until ``end_year`` if given).

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    countries : array-like of str
        ISO3 codes (upper-cased). Bloc membership is taken on 1 July of each year.
    years : int or array-like of int
        Calendar years.
    hs6 : str, optional
        Product code; sector-specific measures count only when it matches (none: only
        measures covering all goods).

    Returns
    -------
    xarray.DataArray
        Dims ``(country, year)``, fraction 0..1 of labour hours removed.
    """
    measures, blocs = composed(scenario)
    codes, yrs = as_codes(countries), _years(years)
    share = np.zeros((codes.size, yrs.size))
    for m in measures:
        if not isinstance(m, Automation):
            continue
        if not _covers(m.hs, hs6):
            continue
        full = m.full_year if m.full_year is not None else m.start_year
        if full > m.start_year:
            ramp = np.clip((yrs - m.start_year) / (full - m.start_year), 0.0, 1.0)
        else:
            ramp = (yrs >= m.start_year).astype(float)
        mask = _country_year_mask(codes, yrs, m.country, blocs, m.start_year, m.end_year)
        share = np.maximum(share, mask * ramp * m.share_of_labour_removed)
    return xr.DataArray(
        share,
        coords={"country": codes, "year": yrs},
        dims=("country", "year"),
        name="automation_share",
    )


def carbon_prices(scenario: ScenarioLike, jurisdictions: Any, years: Any) -> xr.Dataset:
    """Carbon price (USD/tCO2) and border adjustment flag by jurisdiction and year.

    The last ``carbon_price`` measure listed wins where several cover a jurisdiction
    and year; none: price 0, no border adjustment.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    jurisdictions : array-like of str
        ISO3 codes (upper-cased). Bloc membership is taken on 1 July of each year.
    years : int or array-like of int
        Calendar years.

    Returns
    -------
    xarray.Dataset
        Variables ``usd_per_tco2`` (float, USD per tonne CO2) and ``border_adjustment``
        (bool), dims ``(country, year)``.
    """
    measures, blocs = composed(scenario)
    codes, yrs = as_codes(jurisdictions), _years(years)
    price = np.zeros((codes.size, yrs.size))
    border = np.zeros((codes.size, yrs.size), dtype=bool)
    for m in measures:
        if isinstance(m, CarbonPrice):
            mask = _country_year_mask(codes, yrs, m.jurisdictions, blocs, m.start_year, m.end_year)
            price = np.where(mask, m.usd_per_tco2, price)
            border = np.where(mask, m.border_adjustment, border)
    coords = {"country": codes, "year": yrs}
    return xr.Dataset(
        {
            "usd_per_tco2": (("country", "year"), price),
            "border_adjustment": (("country", "year"), border),
        },
        coords=coords,
    )


__all__ = [
    "automation_share",
    "capacity_lost",
    "carbon_prices",
    "incentives",
    "wage_multiplier",
]


def closed_chokepoints(scenario: ScenarioLike, on: Any) -> frozenset[str]:
    """Chokepoints closed on a date by ``chokepoint_closure`` measures.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    on : datetime.date
        The day.

    Returns
    -------
    frozenset of str
        Chokepoint names (keys of :data:`shoring.data.sea_routes.CHOKEPOINTS`).
    """
    measures, _blocs = composed(scenario)
    return frozenset(
        name
        for m in measures
        if m.type == "chokepoint_closure" and m.in_force(on)
        for name in m.chokepoints  # type: ignore[union-attr]
    )


def chokepoint_days(scenario: ScenarioLike, year: int) -> dict[frozenset[str], int]:
    """Days of a year under each set of closed chokepoints.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        Measures to apply (a scenario is composed with its parents).
    year : int
        Calendar year.

    Returns
    -------
    dict of frozenset of str to int
        Closed chokepoint names -> number of days (summing to the days of the year);
        ``{frozenset(): 365}`` when nothing closes.
    """
    measures, _blocs = composed(scenario)
    first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    cuts = {first, after}
    for m in measures:
        if m.type == "chokepoint_closure":
            start, end = m.period()  # type: ignore[union-attr]
            for day in (start, end + dt.timedelta(days=1) if end else None):
                if day is not None and first < day < after:
                    cuts.add(day)
    edges = sorted(cuts)
    days: dict[frozenset[str], int] = {}
    for begin, stop in pairwise(edges):
        closed = closed_chokepoints(scenario, begin)
        days[closed] = days.get(closed, 0) + (stop - begin).days
    return days
