"""Solve many network designs that differ only in their scenario costs on one built model.

Building the linopy model of a network design and handing it to HiGHS takes far longer
than HiGHS needs to solve the small ones (a policy sweep solves hundreds: one per
variant). Variants of a policy usually change only the unit costs of the flows —
conversion, delivery (duties, carbon), transfer and purchase costs, and the duty saved by
qualifying units — and, where a measure bans a flow, its upper bound (0 instead of
unbounded). :class:`DesignReuse` builds the model once, keeps HiGHS' copy, and for each
further :class:`~shoring.optimize.design.data.DesignData` of the same *structure* changes
only those objective coefficients and column bounds (``changeColsCost`` /
``changeColsBounds``) and solves again from scratch (:func:`~shoring.optimize.solve.rerun`).
The coefficients and bounds come from the builder's own rules
(:func:`~shoring.optimize.design.objective.flow_costs`,
:func:`~shoring.optimize.design.origin.qualify_saving`,
:func:`~shoring.optimize.design.model.flow_upper`), so the HiGHS model is the one a fresh
build would load, column for column.

Data of another structure (other sites, lanes, demand, capacity, sites able to make
other products, other rules-of-origin recipes or groups of identical candidate sites) are
built afresh, as are variants without a plan (an infeasible variant gets the fresh
build's diagnosis and error).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import xarray as xr

from shoring.optimize.design.data import DesignData
from shoring.optimize.design.model import DesignModel, flow_upper
from shoring.optimize.design.objective import FLOW_COSTS, flow_costs
from shoring.optimize.design.origin import qualify_saving
from shoring.optimize.design.results import DesignResult, read_solution
from shoring.optimize.design.run import DEFAULT_OPTIONS, design_result, solve_design
from shoring.optimize.design.spec import DesignSpec
from shoring.optimize.design.strength import identical_sites
from shoring.optimize.solve import SolveOptions, rerun

__all__ = ["DesignReuse"]

_COSTS = tuple(attr for _, attr, _ in FLOW_COSTS)
"""The :class:`DesignData` fields a reused model may change (and ``origin.lane_saving``)."""


class DesignReuse:
    """Optimize many :class:`DesignData` with one spec, reusing the built model.

    Parameters
    ----------
    spec : DesignSpec, optional
        Objective and rules of every solve; only the ``expected`` objective reuses the
        model (the others are built afresh every time).
    options : SolveOptions, optional
        Solver settings; default :data:`~shoring.optimize.design.run.DEFAULT_OPTIONS`.

    Attributes
    ----------
    builds, reuses : int
        Solves on a freshly built model and on an updated one.

    Notes
    -----
    Results are :func:`~shoring.optimize.design.run.optimize_design`'s without shadow
    prices, site deltas or alternatives. ``build_seconds`` of a reused solve is the time
    of the update.
    """

    def __init__(self, spec: DesignSpec | None = None, options: SolveOptions | None = None):
        self.spec = spec or DesignSpec()
        self.options = options or DEFAULT_OPTIONS
        self.builds = 0
        self.reuses = 0
        self._dm: DesignModel | None = None
        self._key: tuple | None = None
        self._columns: dict[str, np.ndarray] = {}

    def optimize(self, data: DesignData) -> DesignResult:
        """The optimal design of ``data``; equal to ``optimize_design(data, spec, options)``.

        Parameters
        ----------
        data : DesignData

        Returns
        -------
        DesignResult

        Raises
        ------
        InfeasibleModelError, NoPlanError
            As :func:`~shoring.optimize.design.run.optimize_design`.
        """
        start = time.perf_counter()
        reusable = self._dm is not None and self._structure(data) == self._key
        if not reusable:
            return self._build(data)
        dm = dataclasses.replace(self._dm, data=data)
        h = dm.model.solver_model
        for name, cost, upper in _column_values(dm):
            cols = self._columns[name]
            h.changeColsCost(len(cols), cols, cost)
            if upper is not None:
                h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), upper)
        update = time.perf_counter() - start
        report = rerun(h, is_mip=_is_mip(dm), options=self.options)
        if not report.status.has_solution:
            return self._build(data)  # the fresh build's diagnosis or error
        _assign_solution(dm, np.asarray(h.getSolution().col_value))
        self.reuses += 1
        self._dm = dm
        return design_result(dm, report, read_solution(dm), update)

    def _build(self, data: DesignData) -> DesignResult:
        self._dm, self._key = None, None
        dm, report, seconds = solve_design(data, self.spec, self.options)
        self.builds += 1
        if self.spec.objective == "expected" and dm.model.solver_model is not None:
            self._dm, self._columns = dm, _columns(dm)
            self._key = self._structure(data)
        return design_result(dm, report, read_solution(dm), seconds)

    def _structure(self, data: DesignData) -> tuple:
        """Everything of ``data`` a fresh build depends on, except the cost values."""
        # scenario names are labels only; of the costs, only where a site can make a
        # product shapes the model (elsewhere an undefined cost is a bound of 0)
        parts: list[Any] = [len(data.scenarios), _frozen(data.can_make)]
        for f in dataclasses.fields(data):
            value = getattr(data, f.name)
            if f.name == "scenarios" or f.name in _COSTS:
                continue
            if f.name == "origin" and value is not None:  # the recipes, not the savings
                fields = dataclasses.fields(value)  # type: ignore[arg-type]
                value = tuple(
                    _frozen(getattr(value, g.name)) for g in fields if g.name != "lane_saving"
                )
            parts.append(_frozen(value))
        if "symmetry" in self.spec.cuts and self._dm is not None:
            groups = identical_sites(dataclasses.replace(self._dm, data=data))
            parts.append(tuple(tuple(int(s) for s in g) for g in groups))
        return tuple(parts)


def _is_mip(dm: DesignModel) -> bool:
    return bool(len(dm.model.binaries) + len(dm.model.integers))


def _frozen(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return (value.shape, str(value.dtype), value.tobytes())
    return value


def _columns(dm: DesignModel) -> dict[str, np.ndarray]:
    """HiGHS column of every entry of the cost-dependent variables (-1 = no column), in
    the layout of :func:`_column_values` (absent entries dropped)."""
    model = dm.model
    column = np.full(model._xCounter, -1, dtype=np.int32)
    labels = model.variables.label_index.vlabels
    column[labels] = np.arange(len(labels), dtype=np.int32)
    out = {}
    for name, _, dims in _layout(dm):
        flat = model.variables[name].labels.transpose(*dims, "period", "scenario").to_numpy()
        out[name] = column[flat[flat >= 0]]
    return out


def _layout(dm: DesignModel) -> list[tuple[str, np.ndarray, tuple[str, ...]]]:
    """Per cost-dependent variable of the model: its weighted unit cost (dims ``(*dims,
    period, scenario)``), before the scenario probability."""
    out = [
        (name, values, dims)
        for name, values, dims in flow_costs(dm.data)
        if name in dm.model.variables
    ]
    lanes = dm.qualify_lane
    if lanes is not None and "Lane-Recipe-qualify" in dm.model.variables:
        saving = qualify_saving(dm.data.origin, lanes, dm.data.period_weight)  # type: ignore[arg-type]
        out.append(("Lane-Recipe-qualify", -saving, ("pair",)))
    return out


def _column_values(dm: DesignModel) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """Objective coefficient and, for a flow, upper bound of each column of
    :func:`_columns` (``Lane-Recipe-qualify`` keeps its bounds, 0 and unbounded)."""
    prob = dm.data.probability
    costs = {name: getattr(dm.data, attr) for name, attr, _ in FLOW_COSTS}
    out = []
    for name, values, dims in _layout(dm):
        labels = dm.model.variables[name].labels.transpose(*dims, "period", "scenario")
        present = labels.to_numpy() >= 0
        upper = flow_upper(costs[name])[present] if name in costs else None
        out.append((name, (values * prob)[present], upper))
    return out


def _assign_solution(dm: DesignModel, col_value: np.ndarray) -> None:
    """Put HiGHS' column values on the linopy variables (as a linopy solve does)."""
    model = dm.model
    by_label = np.full(model._xCounter, np.nan)
    by_label[model.variables.label_index.vlabels] = col_value
    for _, var in model.variables.items():
        labels = var.labels.to_numpy()
        values = np.where(labels >= 0, by_label[np.maximum(labels, 0)], np.nan)
        var.solution = xr.DataArray(values, var.coords, dims=var.dims)
