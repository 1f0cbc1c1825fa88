"""Solve a network-design problem end to end: :func:`optimize_design`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shoring.errors import InfeasibleModelError, NoPlanError
from shoring.optimize.design import explain
from shoring.optimize.design.data import DesignData
from shoring.optimize.design.diagnose import diagnose, precheck
from shoring.optimize.design.lost import lost_summary
from shoring.optimize.design.model import DesignModel, build_design, quiet_linopy
from shoring.optimize.design.objective import set_regret_objective
from shoring.optimize.design.results import (
    COST_COMPONENTS,
    DesignResult,
    Solution,
    component_costs,
    cvar,
    flows,
    footprint,
    lost_sales,
    max_origin_share,
    read_solution,
)
from shoring.optimize.design.spec import DesignSpec
from shoring.optimize.solve import (
    SolveOptions,
    SolveReport,
    SolveStatus,
    Stopwatch,
    no_plan_error,
    solve,
)

__all__ = [
    "DEFAULT_OPTIONS",
    "design_result",
    "optimize_design",
    "scenario_optima",
    "solve_design",
]

DEFAULT_OPTIONS = SolveOptions(mip_rel_gap=1e-4)
"""HiGHS defaults: relative MIP gap 0.01 %."""

Progress = Callable[[str], None]


def scenario_optima(
    data: DesignData,
    spec: DesignSpec,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Each scenario's own optimum ``C*_w``: the expected-cost model of that scenario
    alone (same rules), as needed by the minimax-regret objective.

    Raises
    ------
    InfeasibleModelError
        A scenario alone has no feasible plan.
    """
    from dataclasses import replace

    alone = replace(spec, objective="expected")
    out = np.empty(len(data.scenarios))
    for w, name in enumerate(data.scenarios):
        if progress is not None:
            progress(f"solving scenario {name} alone (for regret)")
        dm = build_design(data.with_scenarios([w], [1.0]), alone)
        report = solve(dm.model, options, raise_infeasible=False)
        if report.status is SolveStatus.INFEASIBLE:
            raise InfeasibleModelError(
                f"scenario {name} alone: " + diagnose(dm.data, alone, dm.model)
            )
        if not report.status.has_solution:
            error = no_plan_error(report, options)
            raise NoPlanError(
                f"scenario {name} alone (needed for regret): {error}",
                error.status,
                error.solver_status,
            )
        out[w] = report.objective
    return out


def optimize_design(
    data: DesignData,
    spec: DesignSpec | None = None,
    options: SolveOptions | None = None,
    *,
    shadow_prices: bool = True,
    site_deltas: bool = True,
    alternatives: int = 0,
    within: float = 0.05,
    progress: Progress | None = None,
) -> DesignResult:
    """Optimize the footprint and flows of a network over scenarios.

    Parameters
    ----------
    data : DesignData
        The model data (:func:`~shoring.optimize.design.data.design_data` or
        :func:`~shoring.optimize.design.from_network.design_data_from_network`).
    spec : DesignSpec, optional
        Objective and rules; default: expected cost, no rules.
    options : SolveOptions, optional
        Solver settings; default :data:`DEFAULT_OPTIONS`.
    shadow_prices : bool
        Re-solve the LP with the footprint fixed and report binding constraints.
    site_deltas : bool
        Re-solve once per site used, with the site forced closed (one MILP each).
    alternatives : int
        Number of structurally different near-optimal footprints to look for.
    within : float
        Largest relative cost increase of an alternative (0.05 = 5 %).
    progress : callable, optional
        Called with a short message before each solve.

    Returns
    -------
    DesignResult

    Raises
    ------
    InfeasibleModelError
        With a diagnosis in words (which demand, capacity or rule).
    NoPlanError
        The solver stopped without a plan (a limit reached first, unbounded, numerical
        trouble); the message says which. A plan found before a limit is returned with
        ``status`` FEASIBLE, its ``mip_gap`` and ``bound``.
    """
    spec = spec or DesignSpec()
    options = options or DEFAULT_OPTIONS
    optima = None
    if spec.objective == "regret":
        optima = scenario_optima(data, spec, options, progress)
    dm, report, build_seconds = solve_design(data, spec, options, optima, progress)
    sol = read_solution(dm)
    prices: tuple = ()
    if shadow_prices:
        if progress is not None:
            progress("re-solving the LP with the footprint fixed (shadow prices)")
        prices = explain.shadow_prices(data, spec, sol, options, optima)
    deltas: tuple = ()
    if site_deltas:
        deltas = explain.site_deltas(
            data, spec, sol, float(report.objective), options, optima, progress
        )
    alts: tuple = ()
    if alternatives > 0:
        alts = explain.alternatives(
            dm, sol, float(report.objective), alternatives, within, options, progress
        )
    return design_result(
        dm,
        report,
        sol,
        build_seconds,
        optima,
        alternatives=alts,
        shadow_prices=prices,
        site_deltas=deltas,
    )


def solve_design(
    data: DesignData,
    spec: DesignSpec,
    options: SolveOptions,
    optima: np.ndarray | None = None,
    progress: Progress | None = None,
) -> tuple[DesignModel, SolveReport, float]:
    """Check, build and solve the model of ``data`` (the solve of :func:`optimize_design`).

    Parameters
    ----------
    data : DesignData
    spec : DesignSpec
    options : SolveOptions
    optima : ndarray (W,), optional
        Each scenario's own optimum, for ``objective="regret"``.
    progress : callable, optional

    Returns
    -------
    tuple of (DesignModel, SolveReport, float)
        The solved model (its values on the linopy variables, HiGHS' copy in
        ``dm.model.solver_model``), the report (with a plan) and the build seconds.

    Raises
    ------
    InfeasibleModelError, NoPlanError
        As :func:`optimize_design`.
    """
    reasons = precheck(data, spec)
    if reasons:
        raise InfeasibleModelError("; ".join(reasons))
    with Stopwatch() as build:
        dm = build_design(data, spec)
        if optima is not None:
            with quiet_linopy():
                set_regret_objective(dm, optima)
    if progress is not None:
        progress(f"solving the {spec.objective} model")
    report = solve(dm.model, options, raise_infeasible=False)
    if report.status is SolveStatus.INFEASIBLE:
        raise InfeasibleModelError(diagnose(data, spec, dm.model))
    if not report.status.has_solution:
        raise no_plan_error(report, options)
    return dm, report, build.seconds


def design_result(
    dm: DesignModel,
    report: SolveReport,
    sol: Solution,
    build_seconds: float,
    optima: np.ndarray | None = None,
    **explained: tuple,
) -> DesignResult:
    """The :class:`DesignResult` of a solved model (one rule for every way of solving it).

    Parameters
    ----------
    dm : DesignModel
        The model (its data and spec: those of the solve).
    report : SolveReport
        A report with a solution.
    sol : Solution
        Its values (:func:`~shoring.optimize.design.results.read_solution`).
    build_seconds : float
        Wall time of building the model (or of updating it).
    optima : ndarray (W,), optional
        Each scenario's own optimum (minimax regret).
    **explained : tuple
        ``alternatives``, ``shadow_prices``, ``site_deltas`` (default: none).

    Returns
    -------
    DesignResult
    """
    data, spec = dm.data, dm.spec
    costs = component_costs(data, sol)  # (W, C)
    total = costs.sum(axis=1)
    prob = data.probability
    expected = float(prob @ total)
    result_cvar = cvar(total, prob, spec.alpha)
    max_regret = float((total - optima).max()) if optima is not None else None
    objective = float(report.objective)
    if spec.objective == "regret" and max_regret is not None:
        objective = max_regret
    return DesignResult(
        status=report.status,
        solver_status=report.solver_status,
        objective=objective,
        objective_kind=spec.objective,
        mip_gap=report.mip_gap,
        bound=report.dual_bound,
        footprint=footprint(data, sol),
        flows=flows(data, sol),
        lost_sales=lost_sales(data, sol),
        lost_summary=lost_summary(data, sol, proven=report.status is SolveStatus.OPTIMAL),
        cost_by_scenario={w: float(c) for w, c in zip(data.scenarios, total, strict=True)},
        cost_by_component={c: float(v) for c, v in zip(COST_COMPONENTS, prob @ costs, strict=True)},
        cost_by_scenario_component={
            w: {c: float(v) for c, v in zip(COST_COMPONENTS, row, strict=True)}
            for w, row in zip(data.scenarios, costs, strict=True)
        },
        expected_cost=expected,
        cvar=result_cvar,
        alpha=spec.alpha,
        max_regret=max_regret,
        max_origin_share=max_origin_share(data, sol, dm.site_group),
        open_sites=tuple(np.asarray(data.sites)[sol.used]),
        build_seconds=build_seconds + report.transfer_seconds,
        solve_seconds=report.solve_seconds,
        alternatives=explained.get("alternatives", ()),
        shadow_prices=explained.get("shadow_prices", ()),
        site_deltas=explained.get("site_deltas", ()),
        solution=sol,
    )
