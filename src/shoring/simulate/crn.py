"""Common random numbers across footprints: one set of hazard processes for all of them.

A draw's events come from its own generator, one Poisson count per process in one call
(:func:`shoring.simulate.events.draw_events`): two footprints with different nodes have
different process lists, so draw ``i`` of one would not face the events of draw ``i`` of
the other. A :class:`Universe` holds every process the compared footprints have (natural
events per node, ruptures, chokepoint and port closures, pandemic lockdowns per country),
named and sorted by name. Each draw draws the events of the whole universe; each
footprint keeps those of its own processes. A node, chokepoint or country in two
footprints then has the same events in the same draw, so the difference between the
footprints' losses is not blurred by independent luck (common random numbers: Law,
"Simulation Modeling and Analysis", 5th ed., 2015, section 11.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shoring.simulate.events import Events, Processes
from shoring.simulate.hazards import HazardModel
from shoring.simulate.model import SimNetwork

__all__ = ["Universe", "process_keys", "remap"]


def process_keys(sim: SimNetwork, model: HazardModel) -> list[str]:
    """Names of a network's processes, in the order of :func:`shoring.simulate.engine.
    _processes`: natural per node, ruptures, chokepoints, ports per country."""
    return (
        [f"node:{n}" for n in sim.nodes]
        + [f"rupture:{'-'.join(r.blocs)}" for r in model.geopolitics.ruptures]
        + [f"chokepoint:{k}" for k in sim.chokepoints]
        + [f"port:{g}" for g in sim.countries]
    )


def remap(events: Events, mapping: np.ndarray) -> Events:
    """The events of the processes ``mapping`` keeps (>= 0), renumbered by it."""
    source = mapping[events.source]
    keep = source >= 0
    return Events(events.draw[keep], source[keep], events.start[keep], events.days[keep])


@dataclass(frozen=True)
class Universe:
    """Every process (and country) of the footprints compared, sorted by name.

    Attributes
    ----------
    keys : tuple of str
        Process names (:func:`process_keys`).
    processes : Processes
        Their rates and durations, in ``keys`` order.
    countries : tuple of str
        ISO3 codes of the pandemic lockdowns drawn, sorted.
    """

    keys: tuple[str, ...]
    processes: Processes
    countries: tuple[str, ...]

    @classmethod
    def of(cls, sims: Sequence[SimNetwork], model: HazardModel) -> Universe:
        """The union of the processes of ``sims`` (a name's parameters are the same in
        every network that has it: they depend on the node and the hazard model only).

        Raises
        ------
        ValueError
            Two networks give one process different parameters.
        """
        from shoring.simulate.engine import _processes

        found: dict[str, tuple[float, float, float]] = {}
        for sim in sims:
            processes, _ = _processes(sim, model)
            params = zip(processes.rate, processes.sigma, processes.mu, strict=True)
            for key, p in zip(process_keys(sim, model), params, strict=True):
                if not np.allclose(found.setdefault(key, p), p):
                    raise ValueError(f"process {key} differs between the footprints")
        keys = tuple(sorted(found))
        rate, sigma, mu = (np.array([found[k][i] for k in keys]) for i in range(3))
        countries = tuple(sorted({str(c) for sim in sims for c in sim.countries}))
        return cls(keys, Processes(rate, sigma, mu), countries)

    def process_map(self, sim: SimNetwork, model: HazardModel) -> np.ndarray:
        """Position of each universe process among ``sim``'s processes (-1: not there).

        Raises
        ------
        ValueError
            ``sim`` has a process the universe lacks.
        """
        own = {k: i for i, k in enumerate(process_keys(sim, model))}
        missing = set(own) - set(self.keys)
        if missing:
            raise ValueError(f"processes not in the universe: {', '.join(sorted(missing))}")
        return np.array([own.get(k, -1) for k in self.keys], dtype=np.int64)

    def country_map(self, sim: SimNetwork) -> np.ndarray:
        """Position of each universe country among ``sim.countries`` (-1: not there)."""
        own = {str(c): i for i, c in enumerate(sim.countries)}
        return np.array([own.get(c, -1) for c in self.countries], dtype=np.int64)
