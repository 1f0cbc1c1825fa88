"""Explanations of an optimal footprint.

- :func:`shadow_prices`: the LP with the first-stage decisions fixed at their optimum
  is re-solved; the duals of its binding inequality constraints (capacities, supplier
  capacities, diversification, local content) are the value of one more unit of each.
- :func:`site_deltas`: for each site the solution uses, the model is re-solved with the
  site forced closed; the objective increase is the site's cost advantage over its best
  alternative, and the site that grows most is named as that alternative.
- :func:`alternatives`: up to K structurally different footprints (another set of sites
  used) within x% of the optimum, found by adding a no-good cut on the set of sites
  used and a cap on the objective, then re-solving (Balas and Jeroslow 1972 cuts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from shoring.optimize.design.data import DesignData
from shoring.optimize.design.model import DesignModel, FixedFootprint, build_design, quiet_linopy
from shoring.optimize.design.objective import set_regret_objective
from shoring.optimize.design.results import (
    Alternative,
    ShadowPrice,
    SiteDelta,
    Solution,
    footprint,
    read_solution,
)
from shoring.optimize.design.spec import DesignSpec
from shoring.optimize.solve import SolveOptions, SolveStatus, solve

__all__ = ["SHADOW_FAMILIES", "alternatives", "shadow_prices", "site_deltas"]

SHADOW_FAMILIES = (
    "Site-capacity-max",
    "Site-Product-capacity-max",
    "Supplier-capacity-max",
    "Market-Product-Origin-share-max",
    "Product-Origin-share-max",
    "Market-Product-local-min",
)
"""Inequality families whose binding rows are reported with their shadow prices."""


def _solve_built(
    data: DesignData,
    spec: DesignSpec,
    options: SolveOptions | None,
    optima: Sequence[float] | None,
    fixed: FixedFootprint | None = None,
) -> tuple[DesignModel, object]:
    dm = build_design(data, spec, fixed)
    if spec.objective == "regret" and optima is not None:
        with quiet_linopy():
            set_regret_objective(dm, optima)
    report = solve(dm.model, options, raise_infeasible=False)
    return dm, report


def shadow_prices(
    data: DesignData,
    spec: DesignSpec,
    sol: Solution,
    options: SolveOptions | None = None,
    optima: Sequence[float] | None = None,
    top: int = 20,
    tol: float = 1e-7,
) -> tuple[ShadowPrice, ...]:
    """Binding constraints of the LP with the footprint fixed, largest |dual| first.

    Parameters
    ----------
    data, spec
        The problem.
    sol : Solution
        The optimal solution whose first-stage decisions are fixed.
    options : SolveOptions, optional
    optima : sequence of float, optional
        Scenario optima (regret objective).
    top : int
        Report at most this many constraints.
    tol : float
        Smallest |dual| reported.

    Returns
    -------
    tuple of ShadowPrice
        Rows of the :data:`SHADOW_FAMILIES` with ``|dual| > tol``; empty when the fixed
        LP has no solution.
    """
    fixed = FixedFootprint(open=sol.open, expand=sol.expand)
    dm, report = _solve_built(data, spec, options, optima, fixed)
    if not report.status.has_solution:  # type: ignore[attr-defined]
        return ()
    rows: list[tuple[float, str, dict[str, object]]] = []
    for label in dm.model.constraints:
        name = str(label).split("#")[0]  # a family added in blocks: "<name>#<width>"
        if name not in SHADOW_FAMILIES:
            continue
        for value, coords in _binding(dm.model.constraints[label].dual, tol):
            rows.append((value, name, coords))
    rows.sort(key=lambda r: -abs(r[0]))
    return tuple(ShadowPrice(name, coords, dual) for dual, name, coords in rows[:top])


def _binding(dual, tol: float) -> list[tuple[float, dict[str, object]]]:
    """(dual, coords) of the rows with |dual| > tol; a block's ``row`` dimension is
    replaced by the coordinates it carries (product, site...)."""
    frame = dual.to_dataframe(name="_dual").reset_index()
    frame = frame.drop(columns=["row"], errors="ignore").dropna(subset=["_dual"])
    frame = frame[frame["_dual"].abs() > tol]
    dims = [c for c in frame.columns if c != "_dual"]
    dims = [c for c in dims if c not in dual.dims] + [c for c in dims if c in dual.dims]
    out = []
    for values, value in zip(frame[dims].itertuples(index=False), frame["_dual"], strict=True):
        coords = {
            k: (v.item() if isinstance(v, np.generic) else v)
            for k, v in zip(dims, values, strict=True)
        }
        out.append((float(value), coords))
    return out


def _production(data: DesignData, sol: Solution) -> np.ndarray:
    """(S,) expected units made per site over the horizon."""
    weighted = sol.make * data.probability[None, None, :, None] * data.period_weight
    return weighted.sum(axis=(0, 2, 3))


def site_deltas(
    data: DesignData,
    spec: DesignSpec,
    sol: Solution,
    objective: float,
    options: SolveOptions | None = None,
    optima: Sequence[float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[SiteDelta, ...]:
    """For each site used (and not forced open), the objective increase without it.

    Re-solves the full model once per site with the site forced closed.

    Parameters
    ----------
    data : DesignData
        The design data.
    spec : DesignSpec
        The rules of the optimal run; sites in ``spec.force_open`` are skipped.
    sol : Solution
        The optimal solution (which sites are used, production per site).
    objective : float
        Its objective value (USD).
    options : SolveOptions, optional
        Solver options for the re-solves.
    optima : sequence of float, optional
        Scenario optima (regret objective).
    progress : callable, optional
        Called with a message before each re-solve.

    Returns
    -------
    tuple of SiteDelta
        One per site, in data order; ``delta`` (USD) is ``inf`` and ``replacement``
        ``None`` when no feasible plan exists without the site.
    """
    base = _production(data, sol)
    out = []
    for s in np.flatnonzero(sol.used):
        site = data.sites[s]
        if site in spec.force_open:
            continue
        if progress is not None:
            progress(f"re-solving without site {site}")
        closed = replace(spec, force_closed=(*spec.force_closed, site))
        dm, report = _solve_built(data, closed, options, optima)
        status = report.status  # type: ignore[attr-defined]
        if not status.has_solution:
            # inf: no plan exists without the site; nan: none found within the limits
            value = np.inf if status is SolveStatus.INFEASIBLE else np.nan
            words = status.describe(report.solver_status)  # type: ignore[attr-defined]
            out.append(SiteDelta(site, str(data.site_country[s]), value, value, None, status=words))
            continue
        other = read_solution(dm)
        growth = _production(data, other) - base
        growth[s] = -np.inf
        best = int(np.argmax(growth))
        replacement = data.sites[best] if growth[best] > 1e-6 else None
        value = float(report.objective)  # type: ignore[attr-defined]
        out.append(
            SiteDelta(
                site,
                str(data.site_country[s]),
                value - objective,
                value,
                replacement,
                status=status.describe(report.solver_status),  # type: ignore[attr-defined]
            )
        )
    return tuple(out)


def _used_expression(dm: DesignModel):
    """Linear expression (site): 1 when the site is open in some period (monotone
    formulation: existing sites in the first period, candidates in the last)."""
    is_open = dm.var("Site-open")
    periods = dm.coords["period"]
    existing = dm.da(dm.data.initial_open.astype(float), "site")
    first = is_open.sel(period=periods[0], drop=True)
    last = is_open.sel(period=periods[-1], drop=True)
    return existing * first + (1.0 - existing) * last


def alternatives(
    dm: DesignModel,
    sol: Solution,
    objective: float,
    k: int,
    within: float,
    options: SolveOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Alternative, ...]:
    """Up to ``k`` footprints using other sets of sites, within ``within`` (fraction) of
    the optimum, best first. Adds constraints to ``dm.model`` (``Objective-cap-max`` and
    ``Footprint-nogood-min-<i>``) and re-solves it.

    Parameters
    ----------
    dm : DesignModel
        The solved model; modified in place.
    sol : Solution
        The optimal solution; its set of used sites is excluded first.
    objective : float
        The optimal objective (USD).
    k : int
        Most alternatives to find; 0 or less returns at once.
    within : float
        Allowed objective increase as a fraction of ``|objective|`` (0.05 = 5%).
    options : SolveOptions, optional
        Solver options.
    progress : callable, optional
        Called with a message before each re-solve.

    Returns
    -------
    tuple of Alternative
        Ranked from 1; fewer than ``k`` when the search runs out of feasible footprints.
    """
    if k <= 0:
        return ()
    m = dm.model
    cap = objective + within * abs(objective)
    with quiet_linopy():
        m.add_constraints(m.objective.expression <= cap, name="Objective-cap-max")
    used = _used_expression(dm)
    pattern = sol.used
    out: list[Alternative] = []
    for i in range(k):
        sign = np.where(pattern, -1.0, 1.0)
        with quiet_linopy():
            m.add_constraints(
                (dm.da(sign, "site") * used).sum() >= 1.0 - float(pattern.sum()),
                name=f"Footprint-nogood-min-{i}",
            )
        if progress is not None:
            progress(f"searching alternative footprint {i + 1} of {k}")
        report = solve(m, options, raise_infeasible=False)
        if not report.status.has_solution:
            break
        alt = read_solution(dm)
        value = float(report.objective)
        out.append(
            Alternative(
                rank=i + 1,
                objective=value,
                gap=(value - objective) / abs(objective) if objective else 0.0,
                open_sites=tuple(np.asarray(dm.data.sites)[alt.used]),
                footprint=footprint(dm.data, alt),
            )
        )
        pattern = alt.used
    return tuple(out)
