"""A network as the arrays the disruption simulation and the stress test run on.

:func:`sim_network` reads a :class:`~shoring.network.Network` (and an optional
footprint) into a :class:`SimNetwork`:

- *items*: the finished products (those with demand) and the purchased components
  (products some supplier offers). A product made in-house below a finished one (a
  module, a lead set) is folded into its parent: it is made at the same site, so it
  adds the site's risk but no node of its own (assumption).
- *pairs* (node, item): a site and a finished product it makes, or a supplier and its
  component, with a weekly capacity and a baseline weekly output (the plan). The plan
  splits each finished product's demand over the open sites in proportion to capacity,
  and each component's requirement over the qualified suppliers in proportion to
  capacity. A supplier with ``qualification_months`` > 0 is not qualified: it carries no
  flow and takes none when others fail (qualify it through the footprint's
  ``qualified`` list).
- *lanes*: each node's output flows to its customers (sites to markets in proportion to
  demand, suppliers to the sites that use their component); the lanes of the first
  year (:mod:`shoring.costs.lanes`) give each node's share of flow crossing each
  chokepoint, the extra transit days and freight when it closes, the share through each
  country's container port, the share to each country, and the air-freight premium
  per unit (expedited shipping).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError
from shoring.network import Network
from shoring.simulate.hazards import (
    DAYS_PER_WEEK,
    WEEKS_PER_YEAR,
    HazardModel,
    recovery_days,
)


@dataclass(frozen=True)
class Footprint:
    """Which sites are open and which suppliers are qualified.

    Attributes
    ----------
    open : tuple of str or None
        Open site ids; None: the sites with status ``existing``.
    qualified : tuple of str
        Suppliers qualified in addition to those with no qualification time.
    """

    open: tuple[str, ...] | None = None
    qualified: tuple[str, ...] = ()


def load_footprint(path: str | Path, network: Network) -> Footprint:
    """Read a footprint YAML file: ``open: [site ids]`` and ``qualified: [supplier ids]``.

    Raises
    ------
    shoring.errors.ShoringInputError
        Not a mapping, an unknown key, or an id the network does not have (located).
    """
    from shoring import safeyaml
    from shoring.scenario.loader import locate

    file = str(path)
    root, data = safeyaml.load(safeyaml.read_text(path, file), file)
    if not isinstance(data, dict):
        raise ShoringInputError(
            [Problem(file, "a footprint must be a mapping (open:, qualified:)", row=1)]
        )
    problems = []
    known = {"open": set(network.site_ids), "qualified": set(network.supplier_ids)}
    for key, value in data.items():
        if key not in known:
            line, _ = locate(root, (key,))
            problems.append(
                Problem(file, "unknown field (open or qualified)", row=line, field=str(key))
            )
            continue
        if not isinstance(value, list):
            line, _ = locate(root, (key,))
            problems.append(Problem(file, "must be a list of ids", row=line, field=key))
            continue
        for i, item in enumerate(value):
            if str(item) not in known[key]:
                line, field = locate(root, (key, i))
                kind = "site" if key == "open" else "supplier"
                problems.append(Problem(file, f"unknown {kind} {item!r}", row=line, field=field))
    if problems:
        raise ShoringInputError(problems)
    opened = data.get("open")
    return Footprint(
        open=None if opened is None else tuple(map(str, opened)),
        qualified=tuple(map(str, data.get("qualified") or ())),
    )


@dataclass(frozen=True)
class SimNetwork:
    """Arrays of a network for simulation (N nodes, I items, J pairs, K chokepoints, G countries).

    Attributes
    ----------
    nodes, kind, country : ndarray of str, shape (N,)
        Node ids (sites then suppliers), ``"site"``/``"supplier"``, ISO3.
    node_country : ndarray of int, shape (N,)
        Index into ``countries``.
    countries : ndarray of str, shape (G,)
    items : ndarray of str, shape (I,)
        Finished products (first ``n_products``) then purchased components.
    n_products : int
    demand : ndarray, shape (n_products,)
        Units per week.
    req : ndarray, shape (n_products, I - n_products)
        Purchased component units per finished unit (every tier).
    value, penalty : ndarray, shape (I,)
        USD per unit: item value; loss per lost finished unit (the product's
        ``lost_sale_penalty_usd``, by default value x (1 + margin)).
    pair_node, pair_item : ndarray of int, shape (J,)
    pair_cap, pair_base : ndarray, shape (J,)
        Weekly capacity and planned weekly output (units).
    buffer_weeks : ndarray, shape (N,)
        Output held in stock, in weeks of planned output.
    recovery_days : ndarray, shape (N,)
        Mean natural-event duration (days): the node's TTR.
    hazard_multiplier : ndarray, shape (N,)
    firm_countries, firm_counts : ndarray, shape (C,)
        The company's plan (:func:`plan_countries`): its countries and nodes in each.
    chokepoints : ndarray of str, shape (K,)
    choke_share, choke_days, choke_cost, choke_cut : ndarray, shape (N, K)
        Share of the node's output crossing the chokepoint; extra transit days and
        extra freight (USD/unit) on those lanes when it closes; share with no other route.
    port_share : ndarray, shape (N, G)
        Share of the node's output through each country's container port.
    dest_share : ndarray, shape (N, G)
        Share of the node's output going to each country.
    premium : ndarray, shape (N,)
        Air freight minus planned freight, USD per unit of output (>= 0).
    structural_gap : ndarray, shape (n_products,)
        Weekly demand the plan cannot meet even with nothing disrupted (units).
    penalty_basis : tuple of str, length n_products
        Where each finished product's lost-sale penalty comes from, in words: the
        network's ``lost_sale_penalty_usd``, or the default unit value x (1 + margin).
    """

    nodes: np.ndarray
    kind: np.ndarray
    country: np.ndarray
    node_country: np.ndarray
    countries: np.ndarray
    items: np.ndarray
    n_products: int
    demand: np.ndarray
    req: np.ndarray
    value: np.ndarray
    penalty: np.ndarray
    pair_node: np.ndarray
    pair_item: np.ndarray
    pair_cap: np.ndarray
    pair_base: np.ndarray
    buffer_weeks: np.ndarray
    recovery_days: np.ndarray
    hazard_multiplier: np.ndarray
    firm_countries: np.ndarray
    firm_counts: np.ndarray
    chokepoints: np.ndarray
    choke_share: np.ndarray
    choke_days: np.ndarray
    choke_cost: np.ndarray
    choke_cut: np.ndarray
    port_share: np.ndarray
    dest_share: np.ndarray
    premium: np.ndarray
    structural_gap: np.ndarray
    penalty_basis: tuple[str, ...] = ()

    @property
    def n_nodes(self) -> int:
        return int(self.nodes.size)

    def item_matrix(self) -> np.ndarray:
        """Pair-to-item indicator, shape (J, I)."""
        out = np.zeros((self.pair_node.size, self.items.size))
        out[np.arange(self.pair_node.size), self.pair_item] = 1.0
        return out

    def with_buffers(self, days: float | np.ndarray) -> SimNetwork:
        """The same network with every node (or each node) holding ``days`` of output."""
        weeks = np.broadcast_to(np.asarray(days, dtype=float) / DAYS_PER_WEEK, self.nodes.shape)
        return _replace(self, buffer_weeks=weeks.copy())


def _replace(sim: SimNetwork, **changes: object) -> SimNetwork:
    from dataclasses import replace

    return replace(sim, **changes)


def _split(amount: np.ndarray, cap: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Split each group's amount over its members in proportion to capacity (capped)."""
    total = np.bincount(group, weights=cap, minlength=n_groups)
    share = np.divide(cap, total[group], out=np.zeros_like(cap), where=total[group] > 0)
    return np.minimum(amount[group] * share, cap)


def plan_countries(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """The countries of the company's plan and its nodes in each, for
    :func:`~shoring.simulate.hazards.natural_rates`.

    The plan is the network as it stands: its existing sites and the suppliers that need
    no qualification; a network without an existing site counts one site, spread evenly
    over its candidates. It does not depend on a footprint, so a node has the same rate
    in every footprint simulated (common random numbers, :mod:`shoring.simulate.crn`).

    Returns
    -------
    countries : ndarray of str, shape (C,)
        ISO3 codes, sorted.
    counts : ndarray of float, shape (C,)
        Nodes of the plan in each.
    """
    sites, suppliers = network.sites, network.suppliers
    qualified = suppliers["country"][suppliers["qualification_months"].fillna(0.0) <= 0]
    existing = sites["country"][sites["status"] == "existing"]
    plan = pd.concat([qualified, existing]).value_counts().astype(float)
    if existing.empty:
        share = sites["country"].value_counts() / len(sites)
        plan = plan.add(share, fill_value=0.0)
    plan = plan.sort_index()
    return plan.index.to_numpy(object), plan.to_numpy(float)


def sim_network(
    network: Network,
    hazards: HazardModel,
    footprint: Footprint | None = None,
    year: int | None = None,
    buffer_days: float | None = None,
    lanes: bool = True,
    partial: bool = False,
) -> SimNetwork:
    """The simulation arrays of ``network`` under ``footprint`` (see the module docstring).

    Parameters
    ----------
    network : Network
    hazards : HazardModel
        Node settings (``nodes``: multipliers, recovery and buffer days) and natural
        event duration (default TTR).
    footprint : Footprint, optional
        Open sites and qualified suppliers; the existing sites by default.
    year : int, optional
        Demand year and lane year; the network's first demand year by default.
    buffer_days : float, optional
        Days of output every node holds (a node's own ``buffer_days`` wins); 0 (JIT) by
        default.
    lanes : bool
        Price lanes (chokepoints, ports, air premium); False leaves them empty (a
        network without geography, as in the stress test's synthetic cases).
    partial : bool
        Simulate only the finished products an open site makes (instead of refusing a
        footprint that leaves one unmade).

    Returns
    -------
    SimNetwork

    Raises
    ------
    shoring.errors.ShoringError
        No demand, a finished product no open site can make or without a lost-sale
        penalty, or a hazard file naming an unknown node.
    """
    from shoring.errors import ShoringError

    footprint = footprint or Footprint()
    products, sites, suppliers = network.products, network.sites, network.suppliers
    years = network.years
    if not years:
        raise ShoringError("the network has no demand to simulate")
    year = int(year if year is not None else min(years))
    dem = network.demand_array().sel(year=year).to_numpy()  # (market, product) per year
    opened = (
        list(sites.index[sites["status"] == "existing"])
        if footprint.open is None
        else list(footprint.open)
    )
    site_ids = [s for s in sites.index if s in opened]
    all_caps = network.site_product_capacity().sel(site=site_ids).to_numpy()
    wanted = dem.sum(axis=0) > 0
    missing = [
        pid_
        for pid_, w, c in zip(network.product_ids, wanted, all_caps.T > 0, strict=True)
        if w and not c.any()
    ]
    if missing and not partial:
        raise ShoringError(f"no open site makes {', '.join(missing)}; open one in the footprint")
    finished = np.flatnonzero(wanted & (all_caps > 0).any(axis=0))
    purchased_ids = sorted(set(suppliers["component"]))
    pid = list(network.product_ids)
    comp = np.array([pid.index(c) for c in purchased_ids], dtype=int)
    items = np.concatenate(
        [np.asarray(pid, dtype=object)[finished], np.asarray(purchased_ids, dtype=object)]
    )
    n_p = finished.size
    # requirements through in-house tiers: stop the BOM at purchased components
    direct = network.bom_matrix().to_numpy()
    inhouse = direct.copy()
    inhouse[:, comp] = 0.0
    through = np.linalg.solve(np.eye(len(pid)) - inhouse, np.eye(len(pid)))  # in-house tiers
    req = (through @ direct)[np.ix_(finished, comp)]
    weekly = dem.sum(axis=0)[finished] / WEEKS_PER_YEAR

    qual = suppliers["qualification_months"].fillna(0.0).to_numpy() <= 0
    qual |= suppliers.index.isin(footprint.qualified)
    sup_ids = list(suppliers.index[qual])
    cap_sp = all_caps[:, finished]
    s_idx, p_idx = np.nonzero(cap_sp > 0)
    sup = suppliers.loc[sup_ids]
    u_item = n_p + np.searchsorted(
        np.asarray(purchased_ids, dtype=object), sup["component"].to_numpy()
    )
    pair_node = np.concatenate([s_idx, len(site_ids) + np.arange(len(sup_ids))])
    pair_item = np.concatenate([p_idx, u_item])
    pair_cap = (
        np.concatenate([cap_sp[s_idx, p_idx], sup["capacity_units"].to_numpy(float)])
        / WEEKS_PER_YEAR
    )
    need = np.concatenate([weekly, weekly @ req])
    pair_base = _split(need, pair_cap, pair_item, items.size)
    made = np.bincount(pair_item, weights=pair_base, minlength=items.size)
    gap = np.maximum(weekly - made[:n_p], 0.0)

    nodes = np.asarray(site_ids + sup_ids, dtype=object)
    kind = np.asarray(["site"] * len(site_ids) + ["supplier"] * len(sup_ids), dtype=object)
    country = np.concatenate(
        [sites.loc[site_ids, "country"].to_numpy(object), sup["country"].to_numpy(object)]
    )
    countries = np.asarray(sorted(set(country) | set(network.markets["country"])), dtype=object)
    prod = products.loc[list(items)]
    value = prod["unit_value_usd"].to_numpy(float)
    penalty = prod["lost_sale_penalty_usd"].to_numpy(float)
    undefined = [str(p) for p in items[:n_p][np.isnan(penalty[:n_p])]]
    if undefined:
        raise ShoringError(
            f"no lost-sale penalty for {', '.join(undefined)}: set lost_sale_penalty_usd "
            "or margin in products"
        )
    margin = prod["margin"].to_numpy(float)[:n_p]
    basis = tuple(
        f"default: unit value {v:,.2f} x (1 + margin {m:g})"
        if np.isclose(p, v * (1.0 + m))
        else "set in the network (products.lost_sale_penalty_usd)"
        for p, v, m in zip(penalty[:n_p], value[:n_p], margin, strict=True)
    )

    own = hazards.nodes
    base_days = buffer_days if buffer_days is not None else 0.0
    buf = np.array([_own(own, n, "buffer_days", base_days) for n in nodes], dtype=float)
    rec = recovery_days(hazards, list(nodes), list(country))
    mult = np.array([_own(own, n, "hazard_multiplier", 1.0) for n in nodes], dtype=float)
    unknown = sorted(set(own) - set(network.site_ids) - set(network.supplier_ids))
    if unknown:
        raise ShoringError(f"the hazard file names unknown node(s): {', '.join(unknown)}")
    firm_countries, firm_counts = plan_countries(network)
    from shoring.simulate.lanes import node_lanes

    geo = node_lanes(
        network,
        year,
        items,
        n_p,
        site_ids,
        sup_ids,
        pair_node,
        pair_item,
        pair_base,
        req,
        dem[:, finished],
        countries,
        hazards if lanes else None,
    )
    return SimNetwork(
        nodes=nodes,
        kind=kind,
        country=country,
        node_country=np.searchsorted(countries, country),
        countries=countries,
        items=items,
        n_products=int(n_p),
        demand=weekly,
        req=req,
        value=value,
        penalty=penalty,
        pair_node=pair_node,
        pair_item=pair_item,
        pair_cap=pair_cap,
        pair_base=pair_base,
        buffer_weeks=buf / DAYS_PER_WEEK,
        recovery_days=rec,
        hazard_multiplier=mult,
        firm_countries=firm_countries,
        firm_counts=firm_counts,
        structural_gap=gap,
        penalty_basis=basis,
        **geo,
    )


def _own(own: dict, node: str, name: str, default: float) -> float:
    value = getattr(own[node], name) if node in own else None
    return float(default if value is None else value)


def node_table(sim: SimNetwork) -> pd.DataFrame:
    """One row per node: kind, country, planned weekly output, capacity, TTR (days)."""
    base = np.bincount(sim.pair_node, weights=sim.pair_base, minlength=sim.n_nodes)
    cap = np.bincount(sim.pair_node, weights=sim.pair_cap, minlength=sim.n_nodes)
    return pd.DataFrame(
        {
            "kind": sim.kind,
            "country": sim.country,
            "planned_per_week": base,
            "capacity_per_week": cap,
            "ttr_days": sim.recovery_days,
        },
        index=pd.Index(sim.nodes, name="node"),
    )


__all__: Sequence[str] = (
    "Footprint",
    "SimNetwork",
    "load_footprint",
    "node_table",
    "plan_countries",
    "sim_network",
)
