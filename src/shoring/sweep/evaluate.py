"""What one sweep task does: cost or optimize a batch of variants through the Study.

A task receives the sweep's :class:`Context` (pickled once per sweep, unpickled once per
worker process and kept) and a batch of variants; it builds one scenario per variant
(:meth:`shoring.sweep.grid.Grid.scenario`), runs the landed-cost engine once over all of
them (one :class:`~shoring.study.Study`), and returns one record per variant:

- ``cost``: per (product, market, year) the cheapest site, its country and its landed
  cost per unit (:meth:`Study.cheapest <shoring.study.Study.cheapest>`), the runner-up
  site and its margin (how much dearer per unit: how far the cheapest is from losing); with a
  ``footprint``, the regret of buying from the footprint's best site instead (USD/unit);
- ``optimize``: each variant's network design alone (expected cost, one MILP per variant
  on the batch's one costing): chosen footprint, objective, status, MIP gap; with a
  ``footprint``, the cost of that footprint forced (second MILP) and the regret. Each
  process builds the model once and, for every further variant of the same structure,
  changes only its costs and flow bounds (:mod:`shoring.optimize.design.reuse`);
- ``simulate``: the Monte Carlo disruption simulation (:mod:`shoring.simulate`, default
  hazard model) with the variant's closures (``closure`` and ``chokepoint_closure``
  measures), the ``footprint``'s sites open (else the existing ones): expected loss,
  VaR/CVaR 95 %, service level, lost units. Every variant draws with the same seed
  (common random numbers), so differences between variants come from the policy alone.

Output column names are ``<what>__<product>__<market>__<year>`` (:func:`lane_columns`).
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from shoring.errors import NoPlanError, ShoringError
from shoring.network import Network
from shoring.scenario.measures import Measure
from shoring.sweep.grid import Grid

Analysis = Literal["cost", "optimize", "simulate"]
"""What a sweep computes per variant."""

ANALYSES: tuple[str, ...] = ("cost", "optimize", "simulate")

SIMULATE_OUTPUTS = (
    "expected_total_loss",
    "annual_expected_loss",
    "var",
    "cvar",
    "service_level_mean",
    "service_level_p05",
    "expected_lost_units",
    "p_any_loss",
    "recovery_weeks_mean",
)
"""Outputs of a simulate sweep (:meth:`shoring.simulate.SimResult.summary`, alpha 0.95)."""

COST_OUTPUTS = ("site", "country", "cost", "runner_up", "margin")
"""Per-lane outputs of a cost sweep: the cheapest site, its country and landed cost, the
next cheapest site and how much dearer it is (USD/unit; null where no other site can
serve); ``regret`` too with a footprint."""

Batch = Sequence[tuple[str, tuple[int, ...]]]
"""Variants of one task: ``(variant id, value index per axis)``."""


@dataclass(frozen=True)
class Context:
    """Everything a task needs, the same for every task of a sweep.

    Attributes
    ----------
    network : Network
    base : tuple of Measure
        The base scenario's measures, parents included.
    blocs : dict
        The base scenario's blocs.
    grid : Grid
    years : tuple of int
        Years costed (for ``optimize``: the design periods).
    analysis : {"cost", "optimize", "simulate"}
    footprint : tuple of str
        Sites whose regret is measured (``simulate``: the open sites; empty: none).
    mip_gap, time_limit : float or None
        Solver settings of ``optimize`` (HiGHS relative gap; seconds per MILP).
    runs, seed : int
        Draws and root seed of ``simulate``.
    lanes : tuple of (str, str, int)
        ``(product, market, year)`` of the cost outputs, in column order.
    """

    network: Network
    base: tuple[Measure, ...]
    blocs: dict[str, tuple[str, ...]]
    grid: Grid
    years: tuple[int, ...]
    analysis: Analysis
    footprint: tuple[str, ...] = ()
    mip_gap: float | None = None
    time_limit: float | None = None
    runs: int = 1000
    seed: int = 0
    lanes: tuple[tuple[str, str, int], ...] = field(default=())


def lanes_of(network: Network, years: Sequence[int]) -> tuple[tuple[str, str, int], ...]:
    """``(product, market, year)`` of a cost sweep's outputs: made products x markets x years.

    Parameters
    ----------
    network : Network
    years : sequence of int

    Returns
    -------
    tuple of (str, str, int)
        Products some site makes (sorted), every market, every year.
    """
    made = sorted({p for products in network.sites["products"] for p in products})
    return tuple((p, m, int(y)) for p in made for m in network.market_ids for y in years)


def lane_column(what: str, product: str, market: str, year: int) -> str:
    """Column name of one output of one lane, ``what__product__market__year``."""
    return f"{what}__{product}__{market}__{year}"


_CACHE: dict[str, Context] = {}


def context_from(key: str, blob: bytes) -> Context:
    """The context of ``blob`` (unpickled once per process, by its hash ``key``)."""
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = pickle.loads(blob)  # the sweep's own pickle
    return _CACHE[key]


def run_batch(key: str, blob: bytes, batch: Batch) -> dict[str, Any]:
    """Evaluate one batch of variants (the function every Dask task runs).

    Parameters
    ----------
    key : str
        Hash of ``blob`` (the context is unpickled once per worker process).
    blob : bytes
        The pickled :class:`Context`.
    batch : sequence of (str, tuple of int)
        The variants.

    Returns
    -------
    dict
        ``records`` (one dict per variant: ``variant_id``, the parameters, the outputs,
        ``error``), ``seconds`` and ``cpu_seconds`` spent in this function.

    Raises
    ------
    ShoringError
        Every variant of the batch failed with the same error (an error of the sweep's
        inputs, not of a variant).
    """
    start, cpu = time.perf_counter(), time.process_time()
    ctx = context_from(key, blob)
    try:
        records = _evaluate(ctx, batch)
    except ShoringError as exc:
        # find the variant(s) at fault: each alone; an error of every variant alike is
        # the sweep's, not a variant's: it stops the sweep
        records = [r for item in batch for r in _evaluate_or_error(ctx, item)]
        if all(r["error"] == str(exc) for r in records):
            raise
    return {
        "records": records,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
    }


def _evaluate_or_error(ctx: Context, item: tuple[str, tuple[int, ...]]) -> list[dict[str, Any]]:
    try:
        return _evaluate(ctx, [item])
    except ShoringError as exc:
        return [_record(ctx, item, {"error": str(exc)})]


def _record(ctx: Context, item: tuple[str, tuple[int, ...]], out: dict[str, Any]) -> dict:
    vid, index = item
    return {"variant_id": vid, **ctx.grid.point(index), "error": None, **out}


def _evaluate(ctx: Context, batch: Batch) -> list[dict[str, Any]]:
    from shoring.costs import CostSettings
    from shoring.study import Study

    scenarios = [ctx.grid.scenario(ctx.base, ctx.blocs, index, f"v-{vid}") for vid, index in batch]
    if ctx.analysis == "simulate":
        return _simulate_records(ctx, scenarios, batch)
    # one process per core: the engine's own threads would only compete with the others
    study = Study(ctx.network, scenarios, ctx.years, settings=CostSettings(threads=1))
    if ctx.analysis == "cost":
        return _cost_records(ctx, study, batch)
    return _optimize_records(ctx, study, batch)


def _cost_records(ctx: Context, study: Any, batch: Batch) -> list[dict[str, Any]]:
    import pandas as pd

    names = [f"v-{vid}" for vid, _ in batch]
    best = study.cheapest()  # with the runner-up ("" and NaN where no other site serves)
    best = best.assign(
        runner_up=best["runner_up"].where(best["runner_up"] != "", None),
        margin=best["runner_up_total"] - best["total"],
    )
    columns = {"site": "site", "country": "site_country", "cost": "total"}
    parts = [_wide(best, what, columns.get(what, what)) for what in COST_OUTPUTS]
    wanted = [lane_column(w, *lane) for lane in ctx.lanes for w in COST_OUTPUTS]
    if ctx.footprint:
        # the footprint's best site per lane: its landed cost minus the cheapest
        total = study.landed_costs["total"]
        mine = total.sel(site=list(ctx.footprint)).min("site", skipna=True)
        regret = (mine - total.min("site", skipna=True)).rename("regret").to_dataframe()
        parts.append(_wide(regret.reset_index(), "regret", "regret"))
        wanted += [lane_column("regret", *lane) for lane in ctx.lanes]
    frame = pd.concat(parts, axis=1).reindex(index=names, columns=wanted)
    frame = frame.astype(object).where(frame.notna(), None)
    return [
        _record(ctx, item, out) for item, out in zip(batch, frame.to_dict("records"), strict=True)
    ]


def _wide(frame: Any, what: str, column: str) -> Any:
    """One column per lane (``what__product__market__year``), one row per scenario."""
    lane = (
        what
        + "__"
        + frame["product"].astype(str)
        + "__"
        + frame["market"].astype(str)
        + "__"
        + frame["year"].astype(str)
    )
    return frame.assign(lane=lane).pivot(index="scenario", columns="lane", values=column)


def _optimize_records(ctx: Context, study: Any, batch: Batch) -> list[dict[str, Any]]:
    data = study.design_data()  # one costing for the batch
    records = []
    for w, item in enumerate(batch):
        alone = data.with_scenarios([w], [1.0])
        out: dict[str, Any] = {}
        try:
            result = _reuse(ctx, "optimum").optimize(alone)
            out.update(
                footprint="+".join(sorted(str(s) for s in result.open_sites)),
                objective=float(result.objective),
                status=str(result.status.value),
                gap=float(result.mip_gap),
            )
        except NoPlanError as exc:
            out.update(footprint=None, objective=None, status=exc.status, gap=None, error=str(exc))
        if ctx.footprint:
            out.update(_forced(ctx, alone, out.get("objective")))
        records.append(_record(ctx, item, out))
    return records


_REUSE = threading.local()
"""This thread's models of the current context (:data:`_CACHE`), built once and reused
by every variant of every batch (:class:`~shoring.optimize.design.reuse.DesignReuse`):
``optimum`` (free design) and ``footprint`` (the footprint forced). Per thread, as a
model is changed in place by each solve (a ``dask worker`` may run several tasks at once)."""


def _reuse(ctx: Context, which: str) -> Any:
    """The reused model ``which`` of this thread for ``ctx``."""
    from shoring.optimize import SolveOptions
    from shoring.optimize.design import DesignSpec
    from shoring.optimize.design.reuse import DesignReuse

    models = getattr(_REUSE, "models", None)
    if models is None or models[0] is not ctx:
        models = _REUSE.models = (ctx, {})
    built = models[1]
    if which not in built:
        spec = DesignSpec()
        if which == "footprint":
            others = tuple(s for s in ctx.network.site_ids if s not in ctx.footprint)
            spec = DesignSpec(force_open=ctx.footprint, force_closed=others)
        options = SolveOptions(mip_rel_gap=ctx.mip_gap, time_limit=ctx.time_limit, threads=1)
        built[which] = DesignReuse(spec, options)
    return built[which]


def _forced(ctx: Context, data: Any, optimum: float | None) -> dict[str, Any]:
    """Cost of the sweep's footprint in one variant and its regret against the optimum."""
    try:
        cost = float(_reuse(ctx, "footprint").optimize(data).objective)
    except NoPlanError:
        return {"footprint_cost": None, "regret": None}
    return {
        "footprint_cost": cost,
        "regret": None if optimum is None else cost - optimum,
    }


def _simulate_records(ctx: Context, scenarios: Sequence[Any], batch: Batch) -> list[dict[str, Any]]:
    from datetime import date

    from shoring.simulate import Footprint, default_hazards, scenario_closures, simulate
    from shoring.simulate import sim_network as build

    model = default_hazards()
    first = min(ctx.years)
    plan = Footprint(open=ctx.footprint) if ctx.footprint else None
    sim = build(ctx.network, model, plan, year=first)  # once per batch
    records = []
    for scenario, item in zip(scenarios, batch, strict=True):
        fixed = scenario_closures(sim, [scenario], date(first, 1, 1), model.horizon_weeks)
        summary = simulate(sim, model, ctx.runs, ctx.seed, fixed).summary(alpha=0.95)
        records.append(_record(ctx, item, {k: float(summary[k]) for k in SIMULATE_OUTPUTS}))
    return records
