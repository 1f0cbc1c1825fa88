"""Random hazard events of one draw, and the weeks they are active, over many draws.

Each hazard process is a Poisson process in continuous time, read in whole weeks: the
number of events in the horizon is Poisson(rate x weeks / 52), their start weeks are
uniform, their durations lognormal in days (:class:`~shoring.simulate.hazards.Duration`)
rounded up to whole weeks (at least one). Overlapping events of one process merge: the
process is active in a week when any of its events is. One draw's events come from that
draw's own generator (:func:`draw_events`), so a draw's outcome never depends on how
draws are batched; turning events into active weeks is vectorized over draws
(:func:`active_weeks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shoring.simulate.hazards import DAYS_PER_WEEK, WEEKS_PER_YEAR, Duration, Wave


@dataclass(frozen=True)
class Processes:
    """Independent hazard processes (one per source).

    Attributes
    ----------
    rate : ndarray, shape (S,)
        Events per year.
    sigma, mu : ndarray, shape (S,)
        Lognormal duration parameters (log-days).
    """

    rate: np.ndarray
    sigma: np.ndarray
    mu: np.ndarray

    @classmethod
    def build(cls, rates: np.ndarray, durations: list[Duration]) -> Processes:
        """Processes from rates (events/year) and one duration per process."""
        sm = np.array([d.sigma_mu() for d in durations], dtype=float).reshape(-1, 2)
        return cls(np.asarray(rates, dtype=float), sm[:, 0], sm[:, 1])

    @property
    def size(self) -> int:
        return int(self.rate.size)


@dataclass(frozen=True)
class Events:
    """Events of one or more draws (flat arrays of equal length E).

    Attributes
    ----------
    draw : ndarray of int, shape (E,)
        Draw index (within the batch).
    source : ndarray of int, shape (E,)
        Process index.
    start : ndarray of int, shape (E,)
        First week (0-based).
    days : ndarray of float, shape (E,)
        Drawn duration in days.
    """

    draw: np.ndarray
    source: np.ndarray
    start: np.ndarray
    days: np.ndarray

    @property
    def weeks(self) -> np.ndarray:
        """Duration in whole weeks (days / 7 rounded up, at least 1)."""
        return np.maximum(1, np.ceil(self.days / DAYS_PER_WEEK - 1e-9)).astype(np.int64)

    @staticmethod
    def concat(parts: list[Events]) -> Events:
        """One batch from per-draw events (each part's ``draw`` already set)."""
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Events(empty, empty, empty, np.zeros(0))
        return Events(*(np.concatenate([getattr(p, n) for p in parts]) for n in _FIELDS))


_FIELDS = ("draw", "source", "start", "days")


def lognormal_days(rng: np.random.Generator, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Lognormal durations (days); exactly ``exp(mu)`` where ``sigma`` is 0."""
    return np.exp(mu + sigma * rng.standard_normal(np.shape(mu)))


def draw_events(
    rng: np.random.Generator, processes: Processes, weeks: int, draw: int = 0
) -> Events:
    """Events of every process over ``weeks`` weeks, for one draw.

    Parameters
    ----------
    rng : numpy.random.Generator
        The draw's own generator.
    processes : Processes
        S processes.
    weeks : int
        Horizon (weeks).
    draw : int
        Index stored in the result.

    Returns
    -------
    Events
    """
    counts = rng.poisson(processes.rate * weeks / WEEKS_PER_YEAR)
    source = np.repeat(np.arange(processes.size), counts)
    start = rng.integers(0, weeks, source.size)
    days = lognormal_days(rng, processes.sigma[source], processes.mu[source])
    return Events(np.full(source.size, draw), source, start, days)


def draw_waves(
    rng: np.random.Generator,
    rate_per_year: float,
    waves: tuple[Wave, ...],
    n_countries: int,
    weeks: int,
    draw: int = 0,
) -> list[Events]:
    """Country lockdowns of the pandemics of one draw, one :class:`Events` per wave.

    A pandemic starts at a uniform week (Poisson number in the horizon); in each wave,
    each country locks down with probability ``country_share``, from a uniform week in
    ``start_weeks`` after the onset, for a lognormal duration. ``source`` is the country.
    """
    onsets = rng.integers(0, weeks, rng.poisson(rate_per_year * weeks / WEEKS_PER_YEAR))
    out = []
    for wave in waves:
        shape = (onsets.size, n_countries)
        hit = rng.random(shape) < wave.country_share
        low, high = wave.start_weeks
        offset = rng.integers(low, high + 1, shape)
        sigma, mu = wave.duration.sigma_mu()
        days = lognormal_days(rng, np.full(shape, sigma), np.full(shape, mu))
        start = onsets[:, None] + offset
        keep = hit & (start < weeks)
        country = np.broadcast_to(np.arange(n_countries), shape)[keep]
        out.append(Events(np.full(country.size, draw), country, start[keep], days[keep]))
    return out


def active_weeks(events: Events, n_draws: int, n_sources: int, weeks: int) -> np.ndarray:
    """Which process is active in which week of which draw.

    Parameters
    ----------
    events : Events
        Events of a batch of draws.
    n_draws, n_sources, weeks : int
        Shape of the result.

    Returns
    -------
    ndarray of bool, shape (weeks, n_draws, n_sources)
        True where at least one event of the process covers the week.
    """
    length = np.minimum(events.start + events.weeks, weeks) - events.start
    event = np.repeat(np.arange(length.size), length)  # one entry per active week
    first = np.cumsum(length) - length
    week = events.start[event] + np.arange(event.size) - first[event]
    out = np.zeros((weeks, n_draws, n_sources), dtype=bool)
    out[week, events.draw[event], events.source[event]] = True
    return out
