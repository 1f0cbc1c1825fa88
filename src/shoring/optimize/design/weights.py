"""Weights of a network-design model: periods over the horizon, scenario probabilities,
and the blocs that group countries for concentration caps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from shoring.errors import ShoringError

__all__ = ["bloc_groups", "period_weights", "resolve_probabilities"]


def period_weights(periods: Sequence[int], horizon_end: int | None = None) -> np.ndarray:
    """Years each period stands for: the gap to the next period; the last runs to
    ``horizon_end`` (inclusive; default: one year).

    Parameters
    ----------
    periods : sequence of int
        First year of each period, increasing.
    horizon_end : int, optional
        Last year of the horizon (a value before the last period is ignored).

    Returns
    -------
    ndarray (T,)
        Years per period (float).
    """
    years = np.asarray(periods, dtype=int)
    end = years[-1] if horizon_end is None else max(int(horizon_end), years[-1])
    nxt = np.append(years[1:], end + 1)
    return (nxt - years).astype(float)


def resolve_probabilities(
    n: int, given: Sequence[float] | None = None, declared: Sequence[float | None] | None = None
) -> np.ndarray:
    """Scenario probabilities: ``given`` (must sum to 1), else the scenarios' declared
    probabilities when all are declared (normalized), else equal.

    Parameters
    ----------
    n : int
        Number of scenarios.
    given : sequence of float, optional
        Probabilities asked for by the caller.
    declared : sequence of float or None, optional
        Probabilities the scenarios declare (``None`` where one does not).

    Returns
    -------
    ndarray (n,)
        Probabilities summing to 1.

    Raises
    ------
    ShoringError
        ``given`` has the wrong length, a negative entry or does not sum to 1.
    """
    if given is not None:
        prob = np.asarray(list(given), dtype=float)
        if prob.shape != (n,):
            raise ShoringError(f"{len(prob)} probabilities given for {n} scenarios")
        if (prob < 0).any() or not np.isclose(prob.sum(), 1.0, atol=1e-6):
            raise ShoringError(
                f"probabilities must be >= 0 and sum to 1, got {', '.join(f'{p:g}' for p in prob)}"
            )
        return prob / prob.sum()
    if declared is not None and all(p is not None for p in declared) and n:
        prob = np.asarray(declared, dtype=float)
        if prob.sum() > 0:
            return prob / prob.sum()
    return np.full(n, 1.0 / n)


def bloc_groups(countries: Sequence[str], on: dt.date) -> dict[str, str]:
    """Country -> bloc (customs union, e.g. the EU) on a date; the country itself when it
    belongs to none. Used for diversification and local content "by bloc".

    Parameters
    ----------
    countries : sequence of str
        ISO3 codes.
    on : datetime.date
        Date of membership.

    Returns
    -------
    dict of str to str
        ISO3 code -> customs-union id or the code itself.
    """
    from shoring.data.agreements import customs_union_of

    return {c: customs_union_of(c, on) or c for c in countries}
