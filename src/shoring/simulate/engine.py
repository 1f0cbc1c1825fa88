"""Monte Carlo disruption simulation: weekly periods, many draws, vectorized over draws.

Each draw has its own generator from ``SeedSequence(seed).spawn(runs)`` and draws its own
events (:mod:`shoring.simulate.events`); the weekly flow model then runs on all draws of
a batch at once (arrays ``(draws, nodes)``), one Python step per week. Per week:

1. A node's capacity share available is ``(1 - natural loss) x (1 - lockdown loss) x
   (1 - share of its output cut)``; the cut adds the flows through a closed port, to a
   bloc in rupture, through a closed chokepoint with no other route, and -- when air
   expedite is off -- the pipeline gap while a closed chokepoint's longer route fills
   (``extra_days / 7`` weeks from the closure). With expedite on, the gap is flown at
   the node's air premium.
2. Capacity per item is the sum over its nodes: demand shifts automatically to the
   qualified sites and suppliers with spare capacity; units made above a node's planned
   share ship by air (their premium is the reallocation cost).
3. Components: suppliers deliver up to capacity; a component buffer (pooled, the
   suppliers' days of cover) bridges shortfalls; production of each finished product is
   the least of site capacity and what its scarcest component allows (components shared
   in proportion to requirements); a finished-goods buffer (the sites' days of cover)
   serves demand first; what is neither made nor in stock is a lost sale.
4. Buffers refill from spare capacity.

Losses: lost units x the product's lost-sale penalty (the network's; by default unit
value x (1 + margin)). Extra cost: expedited and reallocated units x air premium, plus the rerouted
freight while a chokepoint is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from shoring.simulate.crn import Universe, remap
from shoring.simulate.events import Events, Processes, active_weeks, draw_events, draw_waves
from shoring.simulate.hazards import HazardModel, country_duration, natural_rates
from shoring.simulate.model import SimNetwork
from shoring.simulate.results import SimResult

BATCH = 1000
"""Draws simulated together (bounds memory: about 0.4 KB per draw, week and node)."""


def _processes(sim: SimNetwork, model: HazardModel) -> tuple[Processes, np.ndarray]:
    """Independent processes: natural per node, ruptures, chokepoints, ports per country.

    Returns the processes and the rupture-to-node cut shares (R, N).
    """
    from shoring.simulate.hazards import Duration

    natural = model.natural
    rates = [
        natural_rates(list(sim.country), list(sim.firm_countries), sim.firm_counts, model)
        * sim.hazard_multiplier
    ]
    durations = [
        Duration(mean_days=d, cv=country_duration(natural, str(c)).cv)
        for d, c in zip(sim.recovery_days, sim.country, strict=True)
    ]
    geo = model.geopolitics
    bloc_of = {iso: b for b, members in geo.blocs.items() for iso in members}
    node_bloc = np.array([bloc_of.get(str(c)) for c in sim.country], dtype=object)
    country_bloc = np.array([bloc_of.get(str(c)) for c in sim.countries], dtype=object)
    cut = np.zeros((len(geo.ruptures), sim.n_nodes))
    for r, rupture in enumerate(geo.ruptures):
        a, b = rupture.blocs
        to_a = sim.dest_share[:, country_bloc == a].sum(axis=1)
        to_b = sim.dest_share[:, country_bloc == b].sum(axis=1)
        cut[r] = np.where(node_bloc == a, to_b, 0.0) + np.where(node_bloc == b, to_a, 0.0)
    rates.append(np.array([r.rate_per_year for r in geo.ruptures]))
    durations += [r.duration for r in geo.ruptures]
    closed = [model.chokepoints.get(str(k)) for k in sim.chokepoints]
    rates.append(np.array([0.0 if c is None else c.rate_per_year for c in closed]))
    durations += [natural.duration if c is None else c.duration for c in closed]
    ports = [model.ports.countries.get(str(g), model.ports) for g in sim.countries]
    rates.append(np.array([p.rate_per_year for p in ports]))
    durations += [p.duration for p in ports]
    return Processes.build(np.concatenate(rates), durations), cut


@dataclass(frozen=True)
class _Draws:
    """What each draw draws: processes and lockdown countries, and where a universe's
    map to this network's (None: the network's own, in its order)."""

    processes: Processes
    countries: int
    process_map: np.ndarray | None = None
    country_map: np.ndarray | None = None


@dataclass(frozen=True)
class Closures:
    """What the scenarios close in every draw, per week of the horizon.

    Attributes
    ----------
    chokepoints : ndarray of bool, shape (W, K)
        Chokepoints closed (``chokepoint_closure`` measures) on the week's first day.
    capacity : ndarray of float, shape (W, G)
        Share of plant capacity lost per country (``closure`` measures, by month).
    """

    chokepoints: np.ndarray
    capacity: np.ndarray


def scenario_closures(
    sim: SimNetwork, scenarios: Sequence[object], start: date, weeks: int
) -> Closures:
    """The scenarios' own closures over ``weeks`` weeks from ``start``.

    Where several scenarios close the same country, the largest loss applies.
    """
    from shoring.scenario import capacity_lost, closed_chokepoints

    days = [start + timedelta(weeks=w) for w in range(weeks)]
    choke = np.zeros((weeks, sim.chokepoints.size), dtype=bool)
    names = list(sim.chokepoints)
    months = sorted({d.strftime("%Y-%m") for d in days})
    at = np.searchsorted(months, [d.strftime("%Y-%m") for d in days])
    lost = np.zeros((weeks, sim.countries.size))
    for scenario in scenarios:
        for w, day in enumerate(days):
            for name in closed_chokepoints(scenario, day):  # type: ignore[arg-type]
                if name in names:
                    choke[w, names.index(name)] = True
        share = capacity_lost(scenario, list(sim.countries), months)
        share = share.transpose("month", ...).to_numpy()[at]
        lost = np.maximum(lost, np.nan_to_num(share))
    return Closures(choke, lost)


def simulate(
    sim: SimNetwork,
    model: HazardModel,
    runs: int = 1000,
    seed: int = 0,
    fixed_closures: Closures | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
    universe: Universe | None = None,
) -> SimResult:
    """Simulate ``runs`` draws of ``model.horizon_weeks`` weeks.

    Parameters
    ----------
    sim : SimNetwork
    model : HazardModel
    runs : int
        Number of draws (>= 1).
    seed : int
        Root seed; draw ``i`` uses ``SeedSequence(seed).spawn(runs)[i]``.
    fixed_closures : Closures, optional
        Chokepoints and plant capacity closed whatever the draw
        (:func:`scenario_closures`).
    progress : callable, optional
        ``progress(done, runs)`` after each batch.
    batch : int
        Draws simulated together.
    universe : Universe, optional
        The processes of every footprint compared (:mod:`shoring.simulate.crn`): each
        draw draws the universe's events and keeps this network's, so footprints
        simulated with one universe and seed share their common nodes' events (common
        random numbers). None: this network's processes only.

    Returns
    -------
    SimResult
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    weeks = model.horizon_weeks
    processes, rupture_cut = _processes(sim, model)
    draws = _Draws(processes, sim.countries.size)
    if universe is not None:  # draw the universe's processes, keep this network's
        draws = _Draws(
            universe.processes,
            len(universe.countries),
            universe.process_map(sim, model),
            universe.country_map(sim),
        )
    seeds = np.random.SeedSequence(seed).spawn(runs)
    parts = []
    for lo in range(0, runs, batch):
        hi = min(lo + batch, runs)
        rngs = [np.random.default_rng(s) for s in seeds[lo:hi]]
        parts.append(_batch(sim, model, processes, rupture_cut, rngs, weeks, fixed_closures, draws))
        if progress is not None:
            progress(hi, runs)
    return SimResult.concat(parts, sim, model, seed)


def _batch(
    sim: SimNetwork,
    model: HazardModel,
    processes: Processes,
    rupture_cut: np.ndarray,
    rngs: list[np.random.Generator],
    weeks: int,
    fixed: Closures | None,
    draws: _Draws,
) -> dict[str, np.ndarray]:
    """One batch of draws: ``draws`` says which processes and countries are drawn."""
    n_d, n, g, k = len(rngs), sim.n_nodes, sim.countries.size, sim.chokepoints.size
    r = rupture_cut.shape[0]
    pandemic = model.pandemic
    events, waves = [], []
    for d, rng in enumerate(rngs):  # random numbers only: each draw from its own generator
        own = draw_events(rng, draws.processes, weeks, d)
        lockdowns = draw_waves(
            rng, pandemic.rate_per_year, pandemic.waves, draws.countries, weeks, d
        )
        if draws.process_map is not None and draws.country_map is not None:
            own = remap(own, draws.process_map)
            lockdowns = [remap(w, draws.country_map) for w in lockdowns]
        events.append(own)
        waves.append(lockdowns)
    active = active_weeks(Events.concat(events), n_d, processes.size, weeks)
    lock = np.zeros((weeks, n_d, g), dtype=np.float32)
    for i, wave in enumerate(pandemic.waves):
        on = active_weeks(Events.concat([w[i] for w in waves]), n_d, g, weeks)
        np.maximum(lock, on * np.float32(wave.capacity_loss), out=lock)
    if fixed is not None:
        np.maximum(lock, fixed.capacity[:, None, :].astype(np.float32), out=lock)
    closed = None if fixed is None else fixed.chokepoints
    return flow_weeks(sim, model, active, lock, rupture_cut, closed, n, r, k)


def _segments(
    group: np.ndarray, n_groups: int, pad: int, values: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Gather index and starts for ``reduceat`` over groups (``group`` sorted).

    A group without members reads column ``pad`` (see :func:`_padded`), so every
    segment is non-empty. ``values`` are the columns of the members (default: their
    positions).
    """
    cols = np.arange(group.size) if values is None else values
    empty = np.setdiff1d(np.arange(n_groups), group)
    if not empty.size:
        return cols, np.searchsorted(group, np.arange(n_groups))
    keys = np.concatenate([group, empty])
    index = np.concatenate([cols, np.full(empty.size, pad)])[np.argsort(keys, kind="stable")]
    return index, np.searchsorted(np.sort(keys), np.arange(n_groups))


def _padded(values: np.ndarray, fill: float) -> np.ndarray:
    """``values`` (D, M) with one more column of ``fill``."""
    return np.concatenate([values, np.full((values.shape[0], 1), fill)], axis=1)


def flow_weeks(
    sim: SimNetwork,
    model: HazardModel,
    active: np.ndarray,
    lock: np.ndarray,
    rupture_cut: np.ndarray,
    fixed: np.ndarray | None,
    n: int,
    r: int,
    k: int,
) -> dict[str, np.ndarray]:
    """The weekly flow model on given hazard states (see the module docstring).

    Parameters
    ----------
    sim : SimNetwork
    model : HazardModel
        ``natural.capacity_loss`` and ``expedite`` are read.
    active : ndarray of bool, shape (W, D, N + R + K + G)
        Active processes: natural per node, ruptures, chokepoints, ports per country.
    lock : ndarray, shape (W, D, G)
        Lockdown capacity loss per country (0..1).
    rupture_cut : ndarray, shape (R, N)
        Share of each node's output cut by each rupture.
    fixed : ndarray of bool, shape (W, K), optional
        Chokepoints closed in every draw.
    n, r, k : int
        Nodes, ruptures, chokepoints.

    Returns
    -------
    dict of str to ndarray
        The per-draw fields of :class:`~shoring.simulate.results.SimResult` before
        pricing: ``lost_units`` (D, P), ``expedite``, ``reallocation``, ``reroute``,
        ``recovery_weeks`` (D,), ``node_loss``, ``down_weeks`` (D, N).
    """
    weeks, n_d, _ = active.shape
    n_p = sim.n_products
    items = sim.items.size
    # pairs in item order, so item sums are one reduceat
    order = np.argsort(sim.pair_item, kind="stable")
    pair_node, pair_item = sim.pair_node[order], sim.pair_item[order]
    pair_cap, pair_base = sim.pair_cap[order], sim.pair_base[order]
    pc_index, starts = _segments(pair_item, items, pair_item.size)
    dense = pc_index.size == pair_item.size  # every item has a pair: no padding
    base_item = np.bincount(pair_item, weights=pair_base, minlength=items)
    planned = np.divide(
        pair_base,
        base_item[pair_item],
        out=np.zeros_like(pair_base),
        where=base_item[pair_item] > 0,
    )
    node_share = np.bincount(pair_node, weights=planned, minlength=n)
    bmax = np.bincount(pair_item, weights=pair_base * sim.buffer_weeks[pair_node], minlength=items)
    stock = np.broadcast_to(bmax, (n_d, items)).copy()
    req, demand = sim.req, sim.demand
    p_of, c_of = np.nonzero(req > 0)  # (product, component) pairs, by product
    c_index, p_starts = _segments(p_of, n_p, req.shape[1], c_of)
    loss_nat = model.natural.capacity_loss
    delay_days = sim.choke_days / 7.0  # (N, K) weeks of pipeline gap
    reroute_rate = sim.choke_share * sim.choke_cost  # (N, K) USD per unit of output
    premium = sim.premium[pair_node]
    priced = bool(premium.any())
    age = np.zeros((n_d, k))
    streak = np.zeros(n_d)
    out = {
        "lost_units": np.zeros((n_d, n_p)),
        "expedite": np.zeros(n_d),
        "reallocation": np.zeros(n_d),
        "reroute": np.zeros(n_d),
        "recovery_weeks": np.zeros(n_d),
        "node_loss": np.zeros((n_d, n)),
        "down_weeks": np.zeros((n_d, n)),
    }
    penalty = sim.penalty[:n_p]
    tolerance = 1e-9 * demand.sum()
    ports = bool(sim.port_share.any())
    down_weeks = np.zeros((n_d, n), dtype=np.int32)
    for w in range(weeks):
        act = active[w]
        avail = 1.0 - loss_nat * act[:, :n]
        if lock[w].any():
            avail *= 1.0 - lock[w][:, sim.node_country]
        cut = act[:, n + r + k :] @ sim.port_share.T if ports else None
        if r:
            part = act[:, n : n + r] @ rupture_cut
            cut = part if cut is None else cut + part
        delay = None
        if k:
            chk = act[:, n + r : n + r + k]
            if fixed is not None:
                chk = chk | fixed[w]
            age = np.where(chk, age + 1.0, 0.0)
            part = chk @ sim.choke_cut.T
            gap = np.clip(delay_days[None] - (age[:, None, :] - 1.0), 0.0, 1.0) * chk[:, None, :]
            delay = np.einsum("dnk,nk->dn", gap, sim.choke_share)
            if not model.expedite:
                part += delay
            cut = part if cut is None else cut + part
        if cut is not None:
            avail *= 1.0 - np.minimum(cut, 1.0)
        pc = avail[:, pair_node] * pair_cap  # (D, J)
        cap = np.add.reduceat(  # (D, I)
            pc if dense else _padded(pc, 0.0)[:, pc_index], starts, axis=1
        )
        target = demand + (bmax[:n_p] - stock[:, :n_p])
        need = target @ req  # (D, C)
        ratio = np.divide(
            cap[:, n_p:] + stock[:, n_p:], need, out=np.ones_like(need), where=need > 0
        )
        padded = ratio if c_index.size == c_of.size else _padded(ratio, 1.0)
        scarce = np.minimum.reduceat(padded[:, c_index], p_starts, axis=1)
        limit = np.minimum(scarce, 1.0)
        made = np.minimum(cap[:, :n_p], target * limit)
        used = made @ req
        inflow = np.minimum(cap[:, n_p:], used + bmax[n_p:] - stock[:, n_p:])
        stock[:, n_p:] += inflow - used
        sold = np.minimum(demand, stock[:, :n_p] + made)
        stock[:, :n_p] += made - sold
        lost = demand - sold
        out["lost_units"] += lost
        if priced or k:  # who made what: output over the nodes by capacity left
            output = np.concatenate([made, inflow], axis=1)[:, pair_item]  # (D, J)
            held = cap[:, pair_item]
            made_j = output * np.divide(pc, held, out=np.zeros_like(pc), where=held > 0)
            extra_j = np.maximum(made_j - output * planned, 0.0)
            out["reallocation"] += extra_j @ premium
            if k:
                if model.expedite:
                    out["expedite"] += (made_j * delay[:, pair_node]) @ premium
                out["reroute"] += (made_j * (chk @ reroute_rate.T)[:, pair_node]).sum(axis=1)
        short = lost.sum(axis=1) > tolerance
        streak = np.where(short, streak + 1.0, 0.0)
        np.maximum(out["recovery_weeks"], streak, out=out["recovery_weeks"])
        np.add(down_weeks, avail < 1.0, out=down_weeks)
        hit = np.flatnonzero(short)
        if hit.size:  # lost value shared by the nodes impaired that week
            impaired = (1.0 - avail[hit]) * node_share
            weight = impaired.sum(axis=1, keepdims=True)
            share = np.divide(impaired, weight, out=np.zeros_like(impaired), where=weight > 0)
            out["node_loss"][hit] += (lost[hit] @ penalty)[:, None] * share
    out["down_weeks"] = down_weeks.astype(float)
    return out
