"""Day-weighted time: the intervals of a year over which a scenario's trade rules are constant.

A year's duty is the day-weighted average of the rates in force (DESIGN.md, "Policy
measures"). The rates can only change on a *breakpoint*: the first day of a dated
measure, the day after its last day, a date in an embedded schedule, or a change in an
agreement's membership. :func:`year_periods` returns the year cut at those days, so the
caller evaluates the measures once per distinct interval and weights each by its days,
instead of sampling fixed dates (which gave a five-week episode a weight of 0 or 25 %).

Only measures that can touch the caller's lanes make breakpoints (a measure on Brazil
adds none to a network without Brazil), so quiet years stay one interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from shoring.data.agreements import change_dates
from shoring.scenario.measure_base import ALL, _iso3_codes
from shoring.scenario.measures import (
    ExportBan,
    Measure,
    NonTariffBarrier,
    Preference,
    Sanction,
    Suspension,
    Tariff,
    TariffSchedule,
)
from shoring.scenario.resolve import hs_mask
from shoring.scenario.schedules import list_coverage, load_tariff_schedule

TRADE_MEASURES = (
    Tariff,
    TariffSchedule,
    Preference,
    NonTariffBarrier,
    ExportBan,
    Sanction,
    Suspension,
)
"""Measure kinds that act on lanes (evaluated per interval)."""


def _may_touch(tokens: object, countries: frozenset[str], blocs: Mapping) -> bool:
    """Whether a party selection can contain one of ``countries`` (blocs: conservatively yes)."""
    if tokens is None:
        return False
    if tokens == ALL:
        return True
    iso = _iso3_codes()
    for token in tokens:  # type: ignore[attr-defined]
        if token in countries:
            return True
        if token in blocs:
            if countries.intersection(blocs[token]):
                return True
        elif token not in iso:
            return True  # an agreement bloc: members vary by date
    return False


def relevant(m: Measure, countries: frozenset[str], hs: np.ndarray | None, blocs: Mapping) -> bool:
    """Whether a trade measure can apply to some lane among ``countries`` and codes ``hs``.

    Parameters
    ----------
    m : Measure
        Any measure; non-trade measures are never relevant.
    countries : frozenset of str
        ISO3 codes of the lanes' origins and destinations.
    hs : ndarray of str or None
        The lanes' HS codes; None: any.
    blocs : mapping
        Scenario-defined blocs.

    Returns
    -------
    bool
        False only when the measure certainly touches none of the lanes.
    """
    if not isinstance(m, TRADE_MEASURES):
        return False
    if isinstance(m, Sanction):
        sides = m.parties
    elif isinstance(m, Preference):
        tokens = (m.agreement,) if m.agreement is not None else m.members
        sides = (tokens, tokens)
    elif isinstance(m, Suspension):
        sides = (m.parties, (m.agreement,))
    else:
        sides = (m.importers, m.exporters)
    if not all(_may_touch(side, countries, blocs) for side in sides):
        return False
    if hs is None:
        return True
    selection = getattr(m, "hs", ALL)
    if selection != ALL and not hs_mask(hs, selection).any():
        return False
    lists = getattr(m, "hs_lists", ())
    return not lists or bool(list_coverage(hs, lists).any())


@lru_cache(maxsize=64)
def _schedule_days(table: str, year: int) -> tuple[date, ...]:
    frame = load_tariff_schedule(table)
    first = np.datetime64(f"{year}-01-01", "D")
    last = np.datetime64(f"{year}-12-31", "D")
    starts = frame["start"].to_numpy()
    after_end = frame["end"].to_numpy()
    after_end = after_end[after_end < last] + 1
    days = np.concatenate([starts, after_end])
    days = np.unique(days[(days > first) & (days <= last)])
    return tuple(d.astype("datetime64[D]").item() for d in days)


def _period_days(m: Measure, year: int) -> list[date]:
    start, end = m.period()  # type: ignore[union-attr]
    days = []
    if start is not None:
        days.append(start)
    if end is not None:
        days.append(end + timedelta(days=1))
    if isinstance(m, TariffSchedule):
        days.extend(_schedule_days(m.table, year))
    return days


def year_periods(
    measures: Sequence[Measure],
    year: int,
    countries: Sequence[str] | None = None,
    hs: Sequence[str] | None = None,
    blocs: Mapping[str, tuple[str, ...]] | None = None,
) -> list[tuple[date, int]]:
    """Cut a year into the intervals over which the relevant trade rules are constant.

    Parameters
    ----------
    measures : sequence of Measure
        The scenario's measures (composed with its parents).
    year : int
        Calendar year.
    countries : sequence of str, optional
        ISO3 codes of the lanes' origins and destinations; None: every country.
    hs : sequence of str, optional
        HS codes of the goods; None: any.
    blocs : mapping, optional
        Scenario-defined blocs (id -> ISO3 codes).

    Returns
    -------
    list of (datetime.date, int)
        First day and number of days of each interval, in order; the days sum to the
        year's length (365 or 366). Evaluate the measures on the first day.
    """
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    wanted = frozenset(countries) if countries is not None else None
    codes = np.asarray(hs, dtype=str) if hs is not None else None
    cuts = {first}
    cuts.update(change_dates())
    for m in measures:
        if not isinstance(m, TRADE_MEASURES):
            continue
        if wanted is not None and not relevant(m, wanted, codes, blocs or {}):
            continue
        cuts.update(_period_days(m, year))
    days = sorted(d for d in cuts if first <= d < after)
    ends = [*days[1:], after]
    return [(d, (e - d).days) for d, e in zip(days, ends, strict=True)]
