"""Resilience strategies side by side: the price of security.

:func:`compare_strategies` simulates one network under several strategies with the same
seed and one set of hazard processes (:mod:`shoring.simulate.crn`): in draw ``i`` every
node, chokepoint and country has the same events whatever the strategy (common random
numbers), and
reports, per strategy, the annual cost of the strategy, the expected annual disruption
loss and the CVaR of the loss over the horizon:

- ``jit``: the existing sites, qualified suppliers only, no buffers;
- ``buffer-<D>d``: the same with ``D`` days of output held at every node (just in case);
- ``dual-sourcing``: every supplier qualified (second sources take a planned share);
- ``footprint:<name>``: a footprint file (e.g. an optimizer plan, a nearshore option)
  and ``+<site>``: the existing sites plus one candidate.

Cost of a strategy (USD per year, relative to ``jit``): buffer carrying cost (embedded
carrying rate x value held), the purchase-price difference of the planned supplier
split (``unit_price_usd``), and the fixed cost of the sites opened beyond the existing
ones (``fixed_cost_usd``). Opening capex, wages and freight differences between
footprints are the landed cost's to price (``shoring cost``/``optimize``), not included
here. The price-of-security curve plots cost + expected loss against CVaR; a strategy is
efficient when no other has both a lower cost + expected loss and a lower CVaR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from shoring.network import Network
from shoring.simulate.crn import Universe
from shoring.simulate.engine import simulate
from shoring.simulate.hazards import WEEKS_PER_YEAR, HazardModel
from shoring.simulate.model import Footprint, SimNetwork, sim_network
from shoring.simulate.results import SimResult


def _purchase(sim: SimNetwork, network: Network) -> float:
    """Planned supplier purchases per year (USD)."""
    price = network.suppliers["unit_price_usd"].reindex(sim.nodes).to_numpy(float)
    price = np.nan_to_num(price)  # sites: no purchase price
    return float(np.bincount(sim.pair_node, weights=sim.pair_base, minlength=sim.n_nodes) @ price)


def strategies(
    network: Network,
    buffer_days: Sequence[float] = (14.0, 30.0),
    footprints: dict[str, Footprint] | None = None,
    candidates: bool = True,
) -> dict[str, tuple[Footprint, float]]:
    """The strategies compared: name -> (footprint, buffer days)."""
    out: dict[str, tuple[Footprint, float]] = {"jit": (Footprint(), 0.0)}
    for days in buffer_days:
        out[f"buffer-{days:g}d"] = (Footprint(), float(days))
    out["dual-sourcing"] = (Footprint(qualified=tuple(network.supplier_ids)), 0.0)
    sites = network.sites
    existing = tuple(sites.index[sites["status"] == "existing"])
    if candidates:
        for site in sites.index[sites["status"] == "candidate"]:
            out[f"+{site}"] = (Footprint(open=(*existing, str(site))), 0.0)
    for name, plan in (footprints or {}).items():
        out[f"footprint:{name}"] = (plan, 0.0)
    return out


def compare_strategies(
    network: Network,
    model: HazardModel,
    runs: int = 1000,
    seed: int = 0,
    buffer_days: Sequence[float] = (14.0, 30.0),
    footprints: dict[str, Footprint] | None = None,
    alpha: float = 0.95,
    progress: Callable[[str, int, int], None] | None = None,
    candidates: bool = True,
    results: dict[str, SimResult] | None = None,
) -> list[dict[str, Any]]:
    """Simulate every strategy (see the module docstring) with common random numbers.

    ``candidates``: also each existing footprint plus one candidate site. ``results``: a
    dict to receive each strategy's :class:`~shoring.simulate.SimResult` by name.

    Returns
    -------
    list of dict
        Per strategy: ``strategy``, ``cost_per_year`` (vs ``jit``; USD),
        ``expected_loss_per_year`` (USD), ``cost_plus_loss``, ``cvar`` (over the
        horizon, at ``alpha``), ``service_level``, ``p_any_loss``, ``efficient``; in the
        order of cost + expected loss.
    """
    years = model.horizon_weeks / WEEKS_PER_YEAR
    fixed = network.sites["fixed_cost_usd"].fillna(0.0)
    existing = set(network.sites.index[network.sites["status"] == "existing"])
    rows, base = [], None
    sims = {
        name: sim_network(network, model, plan, buffer_days=days)
        for name, (plan, days) in strategies(network, buffer_days, footprints, candidates).items()
    }
    universe = Universe.of(list(sims.values()), model)  # common random numbers
    for name, sim in sims.items():
        result = simulate(
            sim,
            model,
            runs,
            seed,
            progress=None if progress is None else (lambda d, t, n=name: progress(n, d, t)),
            universe=universe,
        )
        if results is not None:
            results[name] = result
        s = result.summary(alpha)
        opened = set(sim.nodes[sim.kind == "site"]) - existing
        cost = result.buffer_cost / years + _purchase(sim, network)
        cost += float(fixed.reindex(sorted(opened)).sum())
        base = cost if base is None else base
        loss = s["annual_expected_loss"]
        rows.append(
            {
                "strategy": name,
                "cost_per_year": cost - base,
                "expected_loss_per_year": loss,
                "cost_plus_loss": cost - base + loss,
                "cvar": s["cvar"],
                "service_level": s["service_level_mean"],
                "p_any_loss": s["p_any_loss"],
            }
        )
    for r in rows:
        r["efficient"] = not any(
            o["cost_plus_loss"] <= r["cost_plus_loss"]
            and o["cvar"] <= r["cvar"]
            and (o["cost_plus_loss"] < r["cost_plus_loss"] or o["cvar"] < r["cvar"])
            for o in rows
        )
    return sorted(rows, key=lambda r: r["cost_plus_loss"])
