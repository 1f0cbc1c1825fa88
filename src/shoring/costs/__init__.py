"""Landed cost (total cost of ownership) per unit, component by component.

:func:`landed_cost` prices every (product, site, market, year, scenario); the formulas
are in :mod:`shoring.costs.formulas`, lanes (mode choice, freight, lead time) in
:mod:`shoring.costs.lanes`, duty rates in :mod:`shoring.costs.duties`; :func:`lane_costs`
(:mod:`shoring.costs.flow_costs`) splits it for network design.
"""

from shoring.costs.engine import COMPONENTS, CostSettings, iter_landed_cost, landed_cost
from shoring.costs.flow_costs import CONVERSION, DELIVERY, lane_costs

__all__ = [
    "COMPONENTS",
    "CONVERSION",
    "DELIVERY",
    "CostSettings",
    "iter_landed_cost",
    "landed_cost",
    "lane_costs",
]
