"""Costs and objectives of the network-design model.

Scenario total cost ``C_w`` = first stage + second stage of scenario ``w``::

    first  = sum_{s,t} capex_s opened_st + closing_s closed_st + fixed_s weight_t open_st
             (+ expansion capex x expanded)
    second = sum_t weight_t ( sum conversion x make + sum delivery x ship
                              + sum transfer cost x transfer + sum supply x buy
                              + sum penalty x lost )

Objectives (minimized):

- expected: ``sum_w p_w C_w``;
- cvar: ``sum_w p_w C_w + lambda * (eta + 1/(1-alpha) sum_w p_w z_w)`` with
  ``z_w >= C_w - eta``, ``z_w >= 0`` (Rockafellar and Uryasev 2000, "Optimization of
  conditional value-at-risk", J. of Risk 2(3): 21-41);
- regret: ``r + epsilon * sum_w p_w C_w`` with ``r >= C_w - C*_w`` where ``C*_w`` is
  scenario ``w``'s own optimum (Kouvelis and Yu 1997, "Robust Discrete Optimization").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import linopy
import numpy as np

from shoring.optimize.design.data import DesignData
from shoring.optimize.design.model import DesignModel

__all__ = [
    "FLOW_COSTS",
    "add_costs",
    "expected_cost",
    "flow_costs",
    "set_objective",
    "set_regret_objective",
]

FLOW_COSTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Product-Site-make", "conversion", ("product", "site")),
    ("Lane-ship", "lane_cost", ("lane",)),
    ("Link-transfer", "link_cost", ("link",)),
    ("Offer-buy", "offer_cost", ("offer",)),
)
"""The flows whose unit cost depends on the scenario: variable, :class:`DesignData` field
(an array of dims ``(*dims, period, scenario)``) and its leading dims."""


def _nan0(values: np.ndarray) -> np.ndarray:
    """Costs with undefined cells (a flow the scenario forbids) as 0: the flow's upper
    bound is 0 there (:func:`~shoring.optimize.design.model.build_design`)."""
    return np.where(np.isfinite(values), values, 0.0)


def flow_costs(data: DesignData) -> Iterator[tuple[str, np.ndarray, tuple[str, ...]]]:
    """Period-weighted unit cost of every scenario-dependent flow (one rule for the model
    builder and for :mod:`~shoring.optimize.design.reuse`).

    Parameters
    ----------
    data : DesignData

    Yields
    ------
    tuple of (str, ndarray, tuple of str)
        Variable name, ``cost x period_weight`` (USD per unit x years; undefined cells,
        a flow the scenario forbids, as 0) of dims ``(*dims, period, scenario)``, and
        ``dims``, for each entry of :data:`FLOW_COSTS`.
    """
    for name, attr, dims in FLOW_COSTS:
        yield name, _nan0(getattr(data, attr)) * data.period_weight[:, None], dims


def add_costs(dm: DesignModel) -> None:
    """Set ``dm.first_stage`` and ``dm.scenario_cost`` (dim ``scenario``).

    First stage: opening and closing cost, weighted fixed cost, expansion capex.
    Scenario cost adds period-weighted conversion, lane, transfer, purchase and
    lost-sale penalty costs to the first stage.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; its two cost attributes are overwritten.
    """
    d, m = dm.data, dm.model
    weight = dm.da(d.period_weight, "period")
    first = (dm.da(d.opening_capex, "site") * dm.var("Site-opened")).sum()
    first = first + (dm.da(d.closing_cost, "site") * dm.var("Site-closed")).sum()
    first = first + (dm.da(d.fixed_cost, "site") * weight * dm.var("Site-open")).sum()
    if "Site-expanded" in m.variables:
        first = first + (dm.da(d.expansion_capex, "site") * dm.var("Site-expanded")).sum()

    penalty = dm.da(d.penalty, "product")
    second = (penalty * weight * dm.var("Product-Market-lost")).sum(["product", "market", "period"])
    for name, values, dims in flow_costs(d):
        if name in m.variables:
            cost = dm.da(values, *dims, "period", "scenario")
            second = second + (cost * dm.var(name)).sum([*dims, "period"])
    dm.first_stage = first
    dm.scenario_cost = second + first


def expected_cost(dm: DesignModel) -> linopy.LinearExpression:
    """``sum_w p_w C_w`` as a linear expression.

    Parameters
    ----------
    dm : DesignModel
        Model on which :func:`add_costs` has run.

    Returns
    -------
    linopy.LinearExpression
        Probability-weighted scenario cost (scalar expression).
    """
    assert dm.scenario_cost is not None
    return (dm.da(dm.data.probability, "scenario") * dm.scenario_cost).sum()


def set_objective(dm: DesignModel) -> None:
    """Set the objective of ``dm.spec.objective`` on ``dm.model`` (overwriting any).

    ``cvar`` with ``risk_weight > 0`` adds ``Risk-var``, ``Scenario-excess`` and
    ``Scenario-excess-min`` and minimises expected cost + risk_weight x CVaR_alpha; any
    other objective (regret included, until the scenario optima are known, see
    :func:`set_regret_objective`) minimises the expected cost.

    Parameters
    ----------
    dm : DesignModel
        Model on which :func:`add_costs` has run.
    """
    spec, m = dm.spec, dm.model
    expected = expected_cost(dm)
    if spec.objective == "cvar" and spec.risk_weight > 0:
        eta = m.add_variables(name="Risk-var")
        excess = m.add_variables(lower=0.0, coords=[dm.coords["scenario"]], name="Scenario-excess")
        m.add_constraints(excess + eta - dm.scenario_cost >= 0, name="Scenario-excess-min")
        prob = dm.da(dm.data.probability, "scenario")
        cvar = 1.0 * eta + (prob * excess).sum() / (1.0 - spec.alpha)
        m.add_objective(expected + spec.risk_weight * cvar, overwrite=True)
        return
    m.add_objective(expected, overwrite=True)


def set_regret_objective(dm: DesignModel, optima: Sequence[float]) -> None:
    """Minimax regret against the scenario optima ``C*_w`` (``Scenario-regret-max``).

    Adds ``Regret-max`` and minimises it plus ``spec.regret_tiebreak`` x expected cost.

    Parameters
    ----------
    dm : DesignModel
        Model on which :func:`add_costs` has run.
    optima : sequence of float
        Optimal cost of each scenario alone, USD, in scenario order.
    """
    m = dm.model
    regret = m.add_variables(name="Regret-max")
    best = dm.da(np.asarray(optima, dtype=float), "scenario")
    m.add_constraints(dm.scenario_cost - regret <= best, name="Scenario-regret-max")
    m.add_objective(1.0 * regret + dm.spec.regret_tiebreak * expected_cost(dm), overwrite=True)
