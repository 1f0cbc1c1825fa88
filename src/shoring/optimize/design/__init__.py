"""Network design: a two-stage stochastic MILP choosing which sites open, close or
expand, when, and how every scenario's demand is then served.

- :mod:`~shoring.optimize.design.data`: the model's arrays (:class:`DesignData`) from
  plain arrays or from a Network priced by the landed-cost engine;
- :mod:`~shoring.optimize.design.spec`: objective and business rules (:class:`DesignSpec`);
- :mod:`~shoring.optimize.design.model`, :mod:`~shoring.optimize.design.constraints`,
  :mod:`~shoring.optimize.design.objective`: the linopy formulation;
- :mod:`~shoring.optimize.design.run`: :func:`optimize_design`;
- :mod:`~shoring.optimize.design.results`: frozen results;
- :mod:`~shoring.optimize.design.explain`: shadow prices, site deltas, alternatives;
- :mod:`~shoring.optimize.design.pareto`: cost-vs-risk frontiers;
- :mod:`~shoring.optimize.design.diagnose`: infeasibility in words;
- :mod:`~shoring.optimize.design.lagrange`: a proven bound and a plan for models too
  large for branch and bound (:func:`lagrangian_design`), with its multiplier updates
  (:mod:`~shoring.optimize.design.lagrange_steps`) and plan side: exact pricing,
  screening by LP duals, local search (:mod:`~shoring.optimize.design.lagrange_plan`).
"""

from __future__ import annotations

from shoring.optimize.design.data import DesignData, design_data
from shoring.optimize.design.diagnose import diagnose, precheck
from shoring.optimize.design.from_network import design_data_from_network
from shoring.optimize.design.lagrange import LagrangianResult, lagrangian_design
from shoring.optimize.design.model import DesignModel, FixedFootprint, build_design
from shoring.optimize.design.pareto import ParetoPoint, pareto_frame, pareto_points
from shoring.optimize.design.results import (
    COST_COMPONENTS,
    Alternative,
    DesignResult,
    Flow,
    FootprintAction,
    LostSale,
    ShadowPrice,
    SiteDelta,
    Solution,
    cvar,
)
from shoring.optimize.design.run import DEFAULT_OPTIONS, optimize_design, scenario_optima
from shoring.optimize.design.spec import DesignSpec
from shoring.optimize.design.weights import bloc_groups, period_weights, resolve_probabilities

__all__ = [
    "COST_COMPONENTS",
    "DEFAULT_OPTIONS",
    "Alternative",
    "DesignData",
    "DesignModel",
    "DesignResult",
    "DesignSpec",
    "FixedFootprint",
    "Flow",
    "FootprintAction",
    "LagrangianResult",
    "LostSale",
    "ParetoPoint",
    "ShadowPrice",
    "SiteDelta",
    "Solution",
    "bloc_groups",
    "build_design",
    "cvar",
    "design_data",
    "design_data_from_network",
    "diagnose",
    "lagrangian_design",
    "optimize_design",
    "pareto_frame",
    "pareto_points",
    "period_weights",
    "precheck",
    "resolve_probabilities",
    "scenario_optima",
]
