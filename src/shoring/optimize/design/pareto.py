"""Cost-versus-risk frontiers of a network design.

Two sweeps, each re-solving the model once per point:

- ``lambda``: minimize expected cost + lambda x CVaR_alpha for lambda from 0 (pure
  expected cost) up to ``lambda_max`` (nearly pure CVaR): expected cost against CVaR;
- ``cap``: minimize the spec's objective under a max single-origin share from 1.0
  (no rule) down to 1 / (number of origins with sites): cost against concentration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from shoring.errors import NoPlanError
from shoring.optimize.design.data import DesignData
from shoring.optimize.design.lost import LostSummary
from shoring.optimize.design.model import _groups
from shoring.optimize.design.results import FootprintAction
from shoring.optimize.design.run import optimize_design
from shoring.optimize.design.spec import DesignSpec
from shoring.optimize.solve import SolveOptions

__all__ = [
    "ParetoPoint",
    "cap_values",
    "lambda_values",
    "pareto_frame",
    "pareto_points",
    "points_frame",
]

Sweep = Literal["lambda", "cap"]


@dataclass(frozen=True)
class ParetoPoint:
    """One solved point of a frontier.

    ``lambda_`` and ``cap`` are the risk weight and the max single-origin share used;
    ``max_country_share`` is the share reached by the solution; ``feasible`` is False
    when the solve left no plan at this point (costs are then NaN) and ``status`` says
    why (``infeasible``, ``no_solution`` within a limit...); ``lost_units`` is the
    expected demand left unmet over the horizon, detailed in ``lost_summary``.
    """

    sweep: Sweep
    lambda_: float
    cap: float
    expected_cost: float
    cvar: float
    max_country_share: float
    objective: float
    open_sites: tuple[str, ...]
    footprint: tuple[FootprintAction, ...]
    feasible: bool = True
    status: str = "optimal"
    gap: float = 0.0
    lost_units: float = 0.0
    lost_summary: tuple[LostSummary, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (``lambda`` rather than ``lambda_``; NaN as null).

        Returns
        -------
        dict
            Keys ``sweep, lambda, cap, expected_cost, cvar, max_country_share,
            objective, feasible, status, gap, lost_units, lost_sales_summary, open_sites,
            footprint`` (costs in USD over the horizon).
        """

        def fin(x: float) -> float | None:
            return x if np.isfinite(x) else None

        return {
            "sweep": self.sweep,
            "lambda": self.lambda_,
            "cap": self.cap,
            "expected_cost": fin(self.expected_cost),
            "cvar": fin(self.cvar),
            "max_country_share": fin(self.max_country_share),
            "objective": fin(self.objective),
            "feasible": self.feasible,
            "status": self.status,
            "gap": fin(self.gap),
            "lost_units": fin(self.lost_units),
            "lost_sales_summary": [x.to_dict() for x in self.lost_summary],
            "open_sites": list(self.open_sites),
            "footprint": [asdict(a) for a in self.footprint],
        }


def lambda_values(points: int, lambda_max: float = 20.0) -> np.ndarray:
    """0 then ``points - 1`` geometric steps from ``lambda_max / 400`` to ``lambda_max``.

    Parameters
    ----------
    points : int
        Number of values; 1 gives ``[0.0]``, 0 or less an empty array.
    lambda_max : float, default 20.0
        Largest risk weight.

    Returns
    -------
    ndarray
        Risk weights, increasing.
    """
    if points <= 1:
        return np.zeros(max(points, 0))
    return np.concatenate(([0.0], np.geomspace(lambda_max / 400.0, lambda_max, points - 1)))


def cap_values(data: DesignData, spec: DesignSpec, points: int) -> np.ndarray:
    """From 1.0 down to 1 / (number of origin groups having sites), evenly spaced.

    Parameters
    ----------
    data : DesignData
        The design data (site countries).
    spec : DesignSpec
        Defines the origin groups (countries, blocs or ``spec.groups``).
    points : int
        Number of values (at least 1).

    Returns
    -------
    ndarray
        Max single-origin shares, decreasing; just ``[1.0]`` when all sites are in one
        group.
    """
    site_group, _, _ = _groups(data, spec)
    n = max(len(np.unique(site_group)), 1)
    return np.linspace(1.0, 1.0 / n, max(points, 1)) if n > 1 else np.ones(1)


def pareto_points(
    data: DesignData,
    spec: DesignSpec | None = None,
    points: int = 5,
    options: SolveOptions | None = None,
    sweeps: Sequence[Sweep] = ("lambda", "cap"),
    lambda_max: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> tuple[ParetoPoint, ...]:
    """Solve the frontier points.

    Parameters
    ----------
    data : DesignData
    spec : DesignSpec, optional
        Base rules (alpha, local content...); its objective is used by the ``cap``
        sweep, the ``lambda`` sweep always uses ``cvar``.
    points : int
        Points per sweep.
    options : SolveOptions, optional
    sweeps : sequence of {"lambda", "cap"}
    lambda_max : float
        Largest risk weight of the ``lambda`` sweep.
    progress : callable, optional
        Called with a message before each point.

    Returns
    -------
    tuple of ParetoPoint
        The ``lambda`` points then the ``cap`` points; a point whose rules leave no plan
        has ``feasible=False`` and NaN costs rather than raising.
    """
    spec = spec or DesignSpec()
    runs: list[tuple[Sweep, DesignSpec]] = []
    if "lambda" in sweeps:
        for lam in lambda_values(points, lambda_max):
            runs.append(("lambda", replace(spec, objective="cvar", risk_weight=float(lam))))
    if "cap" in sweeps:
        for cap in cap_values(data, spec, points):
            runs.append(("cap", replace(spec, max_country_share=float(cap))))
    out = []
    for i, (sweep, run_spec) in enumerate(runs, 1):
        lam = run_spec.risk_weight if run_spec.objective == "cvar" else 0.0
        if progress is not None:
            value = (
                f"lambda={lam:g}" if sweep == "lambda" else f"cap={run_spec.max_country_share:.2f}"
            )
            progress(f"frontier point {i} of {len(runs)} ({value})")
        try:
            res = optimize_design(data, run_spec, options, shadow_prices=False, site_deltas=False)
        except NoPlanError as exc:
            nan = float("nan")
            cap = run_spec.max_country_share
            out.append(
                ParetoPoint(
                    sweep, lam, cap, nan, nan, nan, nan, (), (), False, exc.status, nan, nan
                )
            )
            continue
        out.append(
            ParetoPoint(
                sweep=sweep,
                lambda_=lam,
                cap=run_spec.max_country_share,
                expected_cost=res.expected_cost,
                cvar=res.cvar,
                max_country_share=res.max_origin_share,
                objective=res.objective,
                open_sites=res.open_sites,
                footprint=res.footprint,
                status=res.status.value,
                gap=res.mip_gap,
                lost_units=sum(x.units for x in res.lost_summary),
                lost_summary=res.lost_summary,
            )
        )
    return tuple(out)


def pareto_frame(
    data: DesignData,
    spec: DesignSpec | None = None,
    points: int = 5,
    options: SolveOptions | None = None,
    sweeps: Sequence[Sweep] = ("lambda", "cap"),
    lambda_max: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The frontier as a DataFrame, one row per point: ``sweep, lambda, cap,
    expected_cost, cvar, max_country_share, objective, feasible, open_sites`` (sites
    joined by ``+``). Same parameters as :func:`pareto_points`.

    Returns
    -------
    pandas.DataFrame
        One row per point; costs in USD over the horizon, NaN (None) where infeasible.
    """
    return points_frame(pareto_points(data, spec, points, options, sweeps, lambda_max, progress))


def points_frame(points: Sequence[ParetoPoint]) -> pd.DataFrame:
    """Solved frontier points as a DataFrame (see :func:`pareto_frame` for the columns).

    Parameters
    ----------
    points : sequence of ParetoPoint
        What :func:`pareto_points` returned.

    Returns
    -------
    pandas.DataFrame
        One row per point; empty when ``points`` is.
    """
    frame = pd.DataFrame([p.to_dict() for p in points])
    if frame.empty:
        return frame
    frame["open_sites"] = frame["open_sites"].map("+".join)
    return frame.drop(columns=["footprint", "lost_sales_summary"])
