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

from collections.abc import Sequence

import linopy
import numpy as np

from shoring.optimize.design.model import DesignModel

__all__ = ["add_costs", "expected_cost", "set_objective", "set_regret_objective"]


def _nan0(values: np.ndarray) -> np.ndarray:
    """Costs with undefined cells (a flow the scenario forbids) as 0: the flow's upper
    bound is 0 there (:func:`~shoring.optimize.design.model.build_design`)."""
    return np.where(np.isfinite(values), values, 0.0)


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

    conv = dm.da(_nan0(d.conversion), "product", "site", "period", "scenario")
    second = (conv * weight * dm.var("Product-Site-make")).sum(["product", "site", "period"])
    lane = dm.da(_nan0(d.lane_cost), "lane", "period", "scenario")
    second = second + (lane * weight * dm.var("Lane-ship")).sum(["lane", "period"])
    if "Link-transfer" in m.variables:
        link = dm.da(_nan0(d.link_cost), "link", "period", "scenario")
        second = second + (link * weight * dm.var("Link-transfer")).sum(["link", "period"])
    if "Offer-buy" in m.variables:
        offer = dm.da(_nan0(d.offer_cost), "offer", "period", "scenario")
        second = second + (offer * weight * dm.var("Offer-buy")).sum(["offer", "period"])
    penalty = dm.da(d.penalty, "product")
    lost = (penalty * weight * dm.var("Product-Market-lost")).sum(["product", "market", "period"])
    dm.first_stage = first
    dm.scenario_cost = second + lost + first


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
