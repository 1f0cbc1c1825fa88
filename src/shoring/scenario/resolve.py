"""Resolving a scenario for a date, and the party / HS / date masks evaluation builds on.

:func:`resolve` is pure: the flat list of measures in force on a date after composition.
The mask helpers are vectorized over cells (arrays of importer, exporter, HS6, date):
HS prefixes are matched once per distinct code, bloc membership once per distinct
(code, date), never per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from shoring.data.agreements import members
from shoring.scenario.measure_base import ALL, _iso3_codes
from shoring.scenario.measures import Measure
from shoring.scenario.scenario import Scenario, compose


@dataclass(frozen=True)
class ResolvedScenario:
    """The measures of a scenario in force on one date.

    Attributes
    ----------
    name : str
        Scenario name.
    on : datetime.date
        The date resolved for.
    measures : tuple of Measure
        Measures in force on ``on``, parents' first, overrides applied.
    blocs : Mapping of str to tuple of str
        Blocs the scenario (or its parents) define.
    """

    name: str
    on: date
    measures: tuple[Measure, ...]
    blocs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def of_type(self, *types: str) -> tuple[Measure, ...]:
        """The measures whose ``type`` tag is one of ``types``.

        Parameters
        ----------
        *types : str
            Measure type tags, e.g. ``"tariff"``, ``"preference"``.

        Returns
        -------
        tuple of Measure
            Matching measures in resolution order.
        """
        return tuple(m for m in self.measures if m.type in types)


def resolve(
    scenario: Scenario, on: date, lookup: Callable[[str], Scenario] | None = None
) -> ResolvedScenario:
    """Return the measures of ``scenario`` (with its parents) in force on ``on``.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    on : datetime.date
        Date to resolve for. Year-based measures (incentives, wage paths, automation,
        carbon prices) are in force for every day of their years.
    lookup : callable, optional
        Name -> Scenario for parents (default: the library and YAML paths).

    Returns
    -------
    ResolvedScenario
    """
    measures, blocs = compose(scenario, lookup)
    active = tuple(m for m in measures if m.in_force(on))
    return ResolvedScenario(scenario.name, on, active, MappingProxyType(dict(blocs)))


def composed(
    scenario: Scenario | ResolvedScenario | Sequence[Measure],
) -> tuple[tuple[Measure, ...], Mapping[str, tuple[str, ...]]]:
    """Measures and blocs of a scenario, a resolved scenario or a plain list of measures.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        A scenario is composed with its parents (every date); a resolved scenario gives
        the measures in force on its date; a plain list is taken as is, with no blocs.

    Returns
    -------
    tuple
        ``(measures, blocs)``: a tuple of measures and a mapping bloc id -> ISO3 codes.

    Raises
    ------
    shoring.errors.ShoringError
        From :func:`~shoring.scenario.scenario.compose`, on a parent cycle or an unknown
        parent.
    """
    if isinstance(scenario, Scenario):
        measures, blocs = compose(scenario)
        return measures, blocs
    if isinstance(scenario, ResolvedScenario):
        return scenario.measures, scenario.blocs
    return tuple(scenario), {}


# --- cells -------------------------------------------------------------------------


def as_days(on: Any, size: int | None = None) -> np.ndarray:
    """Dates (``datetime.date``, strings, datetime64, arrays) as ``datetime64[D]``.

    Parameters
    ----------
    on : date, str, datetime64 or array_like of these
        One date or one per cell; anything :func:`pandas.to_datetime` parses.
    size : int, optional
        Number of cells: a single date is broadcast to this length.

    Returns
    -------
    ndarray of datetime64[D]
        1-D array of days (a read-only broadcast view when a single date was broadcast).

    Raises
    ------
    ValueError
        If a value cannot be parsed as a date (from pandas).
    """
    days = np.asarray(pd.to_datetime(np.atleast_1d(np.asarray(on, dtype=object))).values)
    days = days.astype("datetime64[D]")
    if size is not None and days.size == 1 and size != 1:
        days = np.broadcast_to(days, (size,))
    return days


def as_codes(values: Any) -> np.ndarray:
    """Country codes as a 1-D array of upper-case strings.

    Parameters
    ----------
    values : str or array_like of str
        One code or one per cell; not validated.

    Returns
    -------
    ndarray of str
        1-D array of upper-cased codes.
    """
    return np.char.upper(np.atleast_1d(np.asarray(values, dtype=str)))


def as_hs6(values: Any) -> np.ndarray:
    """HS codes as 1-D zero-padded 6-digit strings (ints and longer codes accepted).

    Parameters
    ----------
    values : str, int or array_like of these
        HS codes; dots are removed, short codes left-padded with zeros, longer codes cut
        to their first six digits.

    Returns
    -------
    ndarray of str (dtype ``U6``)
        1-D array of HS6 codes.
    """
    arr = np.atleast_1d(np.asarray(values))
    uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
    fixed = pd.Index(uniq).str.replace(".", "", regex=False).str.zfill(6).str[:6]
    return np.asarray(fixed, dtype="U6")[inverse.reshape(-1)]


def as_hs(values: Any) -> np.ndarray:
    """HS codes as 1-D digit strings of at least 6 digits, national lines kept whole.

    Parameters
    ----------
    values : str, int or array_like of these
        HS codes (6 digits) or national tariff lines (8 or 10 digits); dots are removed
        and codes shorter than 6 digits left-padded with zeros (a lost leading zero).

    Returns
    -------
    ndarray of str (dtype ``U10`` or wider)
        1-D array of codes.
    """
    arr = np.atleast_1d(np.asarray(values))
    uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
    fixed = pd.Index(uniq).str.replace(".", "", regex=False).str.zfill(6)
    width = max(10, int(fixed.str.len().max())) if len(fixed) else 10
    return np.asarray(fixed, dtype=f"U{width}")[inverse.reshape(-1)]


def date_mask(days: np.ndarray, start: date | None, end: date | None) -> np.ndarray:
    """Cells whose date lies in ``[start, end]`` (inclusive; ``None`` is open).

    Parameters
    ----------
    days : ndarray of datetime64[D]
        Date of each cell, same shape as the other cell arrays (see :func:`as_days`).
    start, end : datetime.date or None
        First and last day in force; ``None`` leaves that side open.

    Returns
    -------
    ndarray of bool
        Same shape as ``days``.
    """
    mask = np.ones(days.shape, dtype=bool)
    if start is not None:
        mask &= days >= np.datetime64(start, "D")
    if end is not None:
        mask &= days <= np.datetime64(end, "D")
    return mask


def hs_mask(hs6: np.ndarray, prefixes: Any) -> np.ndarray:
    """Cells whose HS code starts with one of ``prefixes`` (``"all"``: every cell).

    Parameters
    ----------
    hs6 : ndarray of str
        HS code of each cell: 6 digits or a national line (see :func:`as_hs`).
    prefixes : ``"all"`` or sequence of str
        HS prefixes (2 to 10 digits); an empty sequence matches no cell.

    Returns
    -------
    ndarray of bool
        Same shape as ``hs6``.
    """
    if prefixes == ALL:
        return np.ones(hs6.shape, dtype=bool)
    if not prefixes:
        return np.zeros(hs6.shape, dtype=bool)
    uniq, inverse = np.unique(hs6, return_inverse=True)
    hit = np.asarray(pd.Index(uniq).str.startswith(tuple(prefixes)), dtype=bool)
    return hit[inverse.reshape(-1)]


def bloc_key(blocs: Mapping[str, Sequence[str]]) -> tuple:
    """Scenario blocs as a hashable key (for caches of results that depend on them)."""
    return tuple(sorted((k, tuple(v)) for k, v in blocs.items()))


@lru_cache(maxsize=4096)
def bloc_members(bloc: str, on: date) -> frozenset[str]:
    """ISO3 members of an agreement bloc on a date (via ``shoring.data.agreements``).

    Cached (LRU, 4096 entries).

    Parameters
    ----------
    bloc : str
        Agreement or bloc id, e.g. ``"EU"`` or ``"USMCA"``.
    on : datetime.date
        Query date.

    Returns
    -------
    frozenset of str
        ISO3 codes; empty when the agreement is not in force on ``on``.

    Raises
    ------
    UnknownAgreementError
        If the id is not in the agreements table.
    """
    return frozenset(members(bloc, on))


def party_mask(
    codes: np.ndarray,
    tokens: Any,
    days: np.ndarray,
    blocs: Mapping[str, tuple[str, ...]] | None = None,
) -> np.ndarray:
    """Cells whose country is one of ``tokens`` (ISO3 codes or bloc ids) on the cell's date.

    Scenario-defined ``blocs`` have fixed members; agreement blocs are looked up per
    distinct date, so a country that joins or leaves is handled.

    Parameters
    ----------
    codes : ndarray of str
        ISO3 code of each cell (see :func:`as_codes`).
    tokens : ``"all"``, None or sequence of str
        ISO3 codes and bloc ids; ``None`` matches no cell, ``"all"`` every cell.
    days : ndarray of datetime64[D]
        Date of each cell, same shape as the other cell arrays (see :func:`as_days`).
    blocs : mapping of str to tuple of str, optional
        Scenario-defined blocs (bloc id -> ISO3 codes); they take precedence over
        agreement blocs of the same id.

    Returns
    -------
    ndarray of bool
        Same shape as ``codes``.

    Raises
    ------
    UnknownAgreementError
        If a token is neither an ISO3 code, a scenario bloc nor a known agreement id.
    """
    if tokens is None:
        return np.zeros(codes.shape, dtype=bool)
    if tokens == ALL:
        return np.ones(codes.shape, dtype=bool)
    blocs = blocs or {}
    iso = _iso3_codes()
    fixed = {t for t in tokens if t in iso}
    dated = []
    for token in tokens:
        if token in iso:
            continue
        if token in blocs:
            fixed.update(blocs[token])
        else:
            dated.append(token)
    mask = np.isin(codes, list(fixed)) if fixed else np.zeros(codes.shape, dtype=bool)
    if dated:
        uc, ci = np.unique(codes, return_inverse=True)
        ud, di = np.unique(days, return_inverse=True)
        table = np.zeros((ud.size, uc.size), dtype=bool)
        for k, day in enumerate(ud):
            on = pd.Timestamp(day).date()
            members: set[str] = set()
            for token in dated:
                members |= bloc_members(token, on)
            table[k] = np.isin(uc, list(members))
        mask |= table[di.reshape(-1), ci.reshape(-1)]
    return mask
