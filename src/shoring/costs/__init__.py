"""Landed cost (total cost of ownership) per unit, component by component.

:func:`landed_cost` prices every (product, site, market, year, scenario); the formulas
are in :mod:`shoring.costs.formulas`, lanes (mode choice, freight, lead time) in
:mod:`shoring.costs.lanes`, duty rates in :mod:`shoring.costs.duties`.
"""

from shoring.costs.engine import (
    COMPONENTS,
    CONVERSION,
    DELIVERY,
    CostSettings,
    iter_landed_cost,
    landed_cost,
    lane_costs,
)

__all__ = [
    "COMPONENTS",
    "CONVERSION",
    "DELIVERY",
    "CostSettings",
    "iter_landed_cost",
    "landed_cost",
    "lane_costs",
]
