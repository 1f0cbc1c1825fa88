"""Capacitated facility location problem (CFLP) with splittable demand.

The model of the OR-Library capacitated warehouse location instances (Beasley 1988,
"An algorithm for solving large capacitated warehouse location problems", EJOR 33:
314-325)::

    min   sum_i f_i y_i + sum_ij c_ij x_ij
    s.t.  sum_i x_ij = 1                    for every customer j   (Customer-demand-eq)
          sum_j d_j x_ij <= s_i y_i         for every facility i   (Facility-capacity-max)
          x_ij <= y_i                       for every i, j         (Facility-Customer-link-max)
          0 <= x_ij <= 1,  y_i in {0, 1}

``x_ij`` is the fraction of customer j's demand served by facility i and ``c_ij`` the
cost of serving j's *whole* demand from i. The link constraints are implied by the
capacity constraints in the MILP but tighten the LP relaxation considerably.

Facilities and customers are numbered from 1 in the order of the input file; these
numbers are the ``facility`` and ``customer`` coordinates of the model and of the
result, and :attr:`CFLPResult.open_facilities` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from shoring.errors import InfeasibleModelError
from shoring.optimize.solve import SolveOptions, SolveReport, SolveStatus, Stopwatch, solve

__all__ = [
    "BENCHMARK_OPTIONS",
    "CFLPInstance",
    "CFLPResult",
    "build_cflp",
    "solve_cflp",
    "synthetic_cflp",
]

#: Options that prove OR-Library optima to 1e-6 relative: a tight relative MIP gap.
BENCHMARK_OPTIONS = SolveOptions(mip_rel_gap=1e-9)


@dataclass(frozen=True, eq=False)
class CFLPInstance:
    """Data of one CFLP instance (money in the instance's own unit, e.g. USD).

    Parameters
    ----------
    name : str
        Instance name, e.g. ``"cap41"``.
    capacity : ndarray, shape (m,)
        Capacity ``s_i`` of each facility, in demand units.
    fixed_cost : ndarray, shape (m,)
        Cost ``f_i`` of opening each facility.
    demand : ndarray, shape (n,)
        Demand ``d_j`` of each customer.
    cost : ndarray, shape (m, n)
        ``c_ij``: cost of serving customer j's whole demand from facility i.

    Notes
    -----
    Arrays are copied and made read-only. Facility ``i`` (0-based position) is facility
    number ``i + 1`` in the model and results.
    """

    name: str
    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    cost: np.ndarray

    def __post_init__(self) -> None:
        for attr, ndim in (("capacity", 1), ("fixed_cost", 1), ("demand", 1), ("cost", 2)):
            arr = np.array(getattr(self, attr), dtype=float)
            if arr.ndim != ndim:
                raise ValueError(f"{attr} must be {ndim}-dimensional, got shape {arr.shape}")
            if not np.isfinite(arr).all():
                raise ValueError(f"{attr} must be finite")
            if (arr < 0).any():
                raise ValueError(f"{attr} must be >= 0")
            arr.flags.writeable = False
            object.__setattr__(self, attr, arr)
        m, n = len(self.capacity), len(self.demand)
        if m == 0 or n == 0:
            raise ValueError("an instance needs at least one facility and one customer")
        if self.fixed_cost.shape != (m,):
            raise ValueError(f"fixed_cost has shape {self.fixed_cost.shape}, expected ({m},)")
        if self.cost.shape != (m, n):
            raise ValueError(f"cost has shape {self.cost.shape}, expected ({m}, {n})")

    @property
    def n_facilities(self) -> int:
        """Number of candidate facilities ``m``.

        Returns
        -------
        int
            ``len(capacity)``.
        """
        return len(self.capacity)

    @property
    def n_customers(self) -> int:
        """Number of customers ``n``.

        Returns
        -------
        int
            ``len(demand)``.
        """
        return len(self.demand)

    def to_dataset(self) -> xr.Dataset:
        """Labelled view: coords ``facility`` (1..m) and ``customer`` (1..n).

        Returns
        -------
        xarray.Dataset
            float variables ``capacity`` and ``fixed_cost`` (facility), ``demand``
            (customer) and ``cost`` (facility, customer); ``attrs["name"]``.
        """
        facility = pd.RangeIndex(1, self.n_facilities + 1, name="facility")
        customer = pd.RangeIndex(1, self.n_customers + 1, name="customer")
        return xr.Dataset(
            {
                "capacity": ("facility", self.capacity),
                "fixed_cost": ("facility", self.fixed_cost),
                "demand": ("customer", self.demand),
                "cost": (("facility", "customer"), self.cost),
            },
            coords={"facility": facility, "customer": customer},
            attrs={"name": self.name},
        )


@dataclass(frozen=True, eq=False)
class CFLPResult:
    """Solution of a CFLP.

    Attributes
    ----------
    instance : str
        Instance name.
    n_facilities, n_customers : int
        Size.
    objective : float
        Total cost (fixed + allocation); ``nan`` without a solution.
    status : SolveStatus
        Outcome of the solve.
    open_facilities : tuple of int
        1-based numbers (file order) of the facilities open in the solution.
    build_seconds : float
        Wall time to build the linopy model plus to hand it to HiGHS.
    solve_seconds : float
        HiGHS' own run time.
    mip_gap : float
        Relative gap between the solution and the best bound (fraction).
    assignment : xr.DataArray
        ``share[facility, customer]``: fraction of each customer's demand served by each
        facility (rows sum to 1 over ``facility``); all ``nan`` without a solution.
    """

    instance: str
    n_facilities: int
    n_customers: int
    objective: float
    status: SolveStatus
    open_facilities: tuple[int, ...]
    build_seconds: float
    solve_seconds: float
    mip_gap: float
    assignment: xr.DataArray = field(repr=False)

    def summary(self) -> dict[str, object]:
        """JSON-ready summary (everything but the assignment).

        Returns
        -------
        dict of str to object
            Every attribute but ``assignment``; ``status`` as its string value and
            ``open_facilities`` as a list.
        """
        return {
            "instance": self.instance,
            "n_facilities": self.n_facilities,
            "n_customers": self.n_customers,
            "objective": self.objective,
            "status": self.status.value,
            "open_facilities": list(self.open_facilities),
            "build_seconds": self.build_seconds,
            "solve_seconds": self.solve_seconds,
            "mip_gap": self.mip_gap,
        }


def build_cflp(instance: CFLPInstance) -> linopy.Model:
    """Build the CFLP as a linopy model, vectorized over facilities and customers.

    Parameters
    ----------
    instance : CFLPInstance
        The data.

    Returns
    -------
    linopy.Model
        Variables ``"Facility-open"`` (binary, dim ``facility``) and
        ``"Facility-Customer-share"`` (in [0, 1], dims ``facility, customer``);
        constraints ``"Customer-demand-eq"``, ``"Facility-capacity-max"`` and
        ``"Facility-Customer-link-max"``; objective: fixed plus allocation cost.
    """
    ds = instance.to_dataset()
    m = linopy.Model(force_dim_names=True)
    is_open = m.add_variables(coords=[ds.indexes["facility"]], binary=True, name="Facility-open")
    share = m.add_variables(
        lower=0.0,
        upper=1.0,
        coords=[ds.indexes["facility"], ds.indexes["customer"]],
        name="Facility-Customer-share",
    )
    m.add_constraints(share.sum("facility") == 1, name="Customer-demand-eq")
    m.add_constraints(
        (ds["demand"] * share).sum("customer") - ds["capacity"] * is_open <= 0,
        name="Facility-capacity-max",
    )
    m.add_constraints(share - is_open <= 0, name="Facility-Customer-link-max")
    m.add_objective((ds["fixed_cost"] * is_open).sum() + (ds["cost"] * share).sum())
    return m


def solve_cflp(instance: CFLPInstance, options: SolveOptions | None = None) -> CFLPResult:
    """Build and solve a CFLP with HiGHS.

    Parameters
    ----------
    instance : CFLPInstance
        The data.
    options : SolveOptions, optional
        Solver settings; use :data:`BENCHMARK_OPTIONS` (relative gap 1e-9) to match
        proven optima to 1e-6 relative. Default: HiGHS defaults (gap 1e-4).

    Returns
    -------
    CFLPResult
        Objective, open facilities (1-based), assignment shares and timings.

    Raises
    ------
    InfeasibleModelError
        Total capacity is below total demand, or the solver proves infeasibility.
    """
    total_capacity = float(instance.capacity.sum())
    total_demand = float(instance.demand.sum())
    if total_capacity < total_demand:
        raise InfeasibleModelError(
            f"total capacity {total_capacity:g} of the {instance.n_facilities} facilities is "
            f"below total demand {total_demand:g} of the {instance.n_customers} customers"
        )
    with Stopwatch() as build:
        model = build_cflp(instance)
    report: SolveReport = solve(model, options)
    if report.status.has_solution:
        opened = model.variables["Facility-open"].solution
        open_facilities = tuple(int(f) for f in opened["facility"].values[opened.values > 0.5])
        assignment = model.variables["Facility-Customer-share"].solution.copy()
    else:
        open_facilities = ()
        assignment = xr.full_like(model.variables["Facility-Customer-share"].lower, np.nan)
    assignment.name = "share"
    return CFLPResult(
        instance=instance.name,
        n_facilities=instance.n_facilities,
        n_customers=instance.n_customers,
        objective=report.objective,
        status=report.status,
        open_facilities=open_facilities,
        build_seconds=build.seconds + report.transfer_seconds,
        solve_seconds=report.solve_seconds,
        mip_gap=report.mip_gap,
        assignment=assignment,
    )


def synthetic_cflp(
    n_facilities: int,
    n_customers: int,
    seed: int = 0,
    capacity_ratio: float = 3.0,
) -> CFLPInstance:
    """Random CFLP in the style of the OR-Library instances, for benchmarks and tests.

    Facilities and customers are placed uniformly in the unit square. Demands are
    integers in [5, 100]; allocation cost is ``demand * euclidean distance * 1000``;
    capacities are equal and sum to ``capacity_ratio`` times total demand; fixed costs
    are uniform in [5000, 15000]. An assumption-built instance, not real data.

    Parameters
    ----------
    n_facilities, n_customers : int
        Size.
    seed : int
        Seed of ``np.random.default_rng``.
    capacity_ratio : float
        Total capacity over total demand (> 1 keeps it feasible).

    Returns
    -------
    CFLPInstance
        Named ``"synthetic-{m}x{n}-seed{seed}"``.
    """
    rng = np.random.default_rng(seed)
    fac_xy = rng.random((n_facilities, 2))
    cus_xy = rng.random((n_customers, 2))
    demand = rng.integers(5, 101, size=n_customers).astype(float)
    dist = np.linalg.norm(fac_xy[:, None, :] - cus_xy[None, :, :], axis=-1)
    capacity = np.full(n_facilities, np.ceil(capacity_ratio * demand.sum() / n_facilities))
    return CFLPInstance(
        name=f"synthetic-{n_facilities}x{n_customers}-seed{seed}",
        capacity=capacity,
        fixed_cost=rng.uniform(5000.0, 15000.0, size=n_facilities),
        demand=demand,
        cost=np.round(1000.0 * dist * demand[None, :], 2),
    )
