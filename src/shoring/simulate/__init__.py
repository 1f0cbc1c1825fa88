"""Disruption simulation: hazard model, Monte Carlo over weeks, losses and risk measures.

>>> from shoring.network import read_network
>>> from shoring.simulate import load_hazards, run
>>> result = run(read_network("network.yaml"), runs=2000, seed=1)   # doctest: +SKIP
>>> result.summary()["cvar"]                                         # doctest: +SKIP

:mod:`~shoring.simulate.hazards` holds the hazard model (defaults with sources in
``data/tables/hazards.card.yaml``), :mod:`~shoring.simulate.model` the network as arrays,
:mod:`~shoring.simulate.engine` the weekly simulation, :mod:`~shoring.simulate.results`
the outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from shoring.network import Network
from shoring.simulate.engine import Closures, scenario_closures, simulate
from shoring.simulate.hazards import HazardModel, default_hazards, load_hazards, parse_hazards
from shoring.simulate.model import Footprint, SimNetwork, load_footprint, sim_network
from shoring.simulate.results import SimResult, var_cvar
from shoring.simulate.risk import site_risk

__all__ = [
    "Closures",
    "Footprint",
    "HazardModel",
    "SimNetwork",
    "SimResult",
    "default_hazards",
    "load_footprint",
    "load_hazards",
    "parse_hazards",
    "run",
    "scenario_closures",
    "sim_network",
    "simulate",
    "site_risk",
    "var_cvar",
]


def run(
    network: Network,
    hazards: HazardModel | None = None,
    footprint: Footprint | None = None,
    runs: int = 1000,
    seed: int = 0,
    buffer_days: float | None = None,
    scenarios: Sequence[object] = (),
    progress: Callable[[int, int], None] | None = None,
    start: date | None = None,
) -> SimResult:
    """Simulate a network under a hazard model (defaults: the embedded model, JIT).

    Parameters
    ----------
    network : Network
    hazards : HazardModel, optional
        The embedded defaults when None.
    footprint : Footprint, optional
        Open sites and qualified suppliers (existing sites by default).
    runs, seed : int
        Draws and root seed.
    buffer_days : float, optional
        Days of output every node holds (a node's own setting wins); 0 by default.
    scenarios : sequence of Scenario
        Their ``chokepoint_closure`` measures close chokepoints and their ``closure``
        measures plant capacity in every draw, on their dates within the horizon.
    progress : callable, optional
        ``progress(done, runs)``.
    start : date, optional
        First day of the horizon (1 January of the network's first demand year by
        default); e.g. 2020-01-01 replays the ``covid-2020`` closures.

    Returns
    -------
    SimResult
    """
    model = hazards or default_hazards()
    sim = sim_network(network, model, footprint, buffer_days=buffer_days)
    fixed = None
    if scenarios:
        first = start or date(min(network.years), 1, 1)
        fixed = scenario_closures(sim, scenarios, first, model.horizon_weeks)
    return simulate(sim, model, runs, seed, fixed, progress)
