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

Valid inequalities, each a named family with its own switch (``cuts`` of
:func:`build_cflp`; :data:`CUTS` lists them, :data:`DEFAULT_CUTS` the default):

- ``"link"``: the strong linking constraints above (``Facility-Customer-link-max``);
- ``"cover"``: ``Facility-capacity-cover-min``, sum_i s_i y_i >= sum_j d_j, the
  aggregate capacity constraint (Cornuejols, Sridharan and Thizy 1991, EJOR
  50:280-297; Aardal 1998, Math. Programming 81:149-175). Implied by the LP, but as a
  row over the binaries alone it gives the MIP solver knapsack cover and MIR cuts;
- ``"symmetry"``: ``Facility-symmetry-order``, y_a >= y_b for facilities a < b that
  are identical (capacity, fixed cost and every allocation cost): of interchangeable
  facilities the first ones open (Margot 2010, "Symmetry in integer linear
  programming", in 50 Years of Integer Programming 1958-2008, 647-686), which also
  makes the choice among equals the same on every run.

Facilities and customers are numbered from 1 in the order of the input file; these
numbers are the ``facility`` and ``customer`` coordinates of the model and of the
result, and :attr:`CFLPResult.open_facilities` lists them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from shoring.errors import InfeasibleModelError
from shoring.optimize.solve import SolveOptions, SolveReport, SolveStatus, Stopwatch, solve

__all__ = [
    "BENCHMARK_OPTIONS",
    "CAPX_CAPACITIES",
    "CUTS",
    "DEFAULT_CUTS",
    "CFLPInstance",
    "CFLPResult",
    "beasley_capx",
    "build_cflp",
    "identical_facilities",
    "solve_cflp",
    "synthetic_cflp",
]

#: Options that prove OR-Library optima to 1e-6 relative: a tight relative MIP gap.
BENCHMARK_OPTIONS = SolveOptions(mip_rel_gap=1e-9)

CUTS = ("link", "cover", "symmetry")
"""Valid-inequality families :func:`build_cflp` can add (see the module docstring)."""
DEFAULT_CUTS = frozenset(CUTS)
"""All of them: each pays on the OR-Library instances (benchmarks/optimize.py)."""


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


def identical_facilities(instance: CFLPInstance) -> list[np.ndarray]:
    """Groups (2 or more) of facilities with equal capacity, fixed and allocation costs.

    Parameters
    ----------
    instance : CFLPInstance
        The data.

    Returns
    -------
    list of ndarray of int
        0-based facility positions of each group, increasing.
    """
    rows = np.column_stack([instance.capacity, instance.fixed_cost, instance.cost])
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    return [np.flatnonzero(inverse == g) for g in np.flatnonzero(counts > 1)]


def build_cflp(instance: CFLPInstance, cuts: Collection[str] = DEFAULT_CUTS) -> linopy.Model:
    """Build the CFLP as a linopy model, vectorized over facilities and customers.

    Parameters
    ----------
    instance : CFLPInstance
        The data.
    cuts : collection of str
        Valid-inequality families to add, a subset of :data:`CUTS` (default: all).

    Returns
    -------
    linopy.Model
        Variables ``"Facility-open"`` (binary, dim ``facility``) and
        ``"Facility-Customer-share"`` (in [0, 1], dims ``facility, customer``);
        constraints ``"Customer-demand-eq"`` and ``"Facility-capacity-max"``, plus
        ``"Facility-Customer-link-max"``, ``"Facility-capacity-cover-min"`` and
        ``"Facility-symmetry-order"`` as ``cuts`` asks; objective: fixed plus allocation
        cost.

    Raises
    ------
    ValueError
        For an unknown cut name.
    """
    unknown = set(cuts) - set(CUTS)
    if unknown:
        raise ValueError(f"unknown cut(s) {sorted(unknown)}; known: {', '.join(CUTS)}")
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
    if "link" in cuts:
        m.add_constraints(share - is_open <= 0, name="Facility-Customer-link-max")
    if "cover" in cuts:
        m.add_constraints(
            (ds["capacity"] * is_open).sum() >= float(instance.demand.sum()),
            name="Facility-capacity-cover-min",
        )
    if "symmetry" in cuts:
        pairs = [(g[:-1], g[1:]) for g in identical_facilities(instance)]
        if pairs:
            labels = is_open.labels.to_numpy()
            lead = labels[np.concatenate([a for a, _ in pairs])]
            follow = labels[np.concatenate([b for _, b in pairs])]
            k = len(lead)
            rows = xr.Dataset(
                {
                    "coeffs": (("pair", "_term"), np.tile([1.0, -1.0], (k, 1))),
                    "vars": (("pair", "_term"), np.column_stack([lead, follow])),
                    "const": ("pair", np.zeros(k)),
                },
                coords={"pair": pd.RangeIndex(k, name="pair")},
            )
            m.add_constraints(linopy.LinearExpression(rows, m) >= 0, name="Facility-symmetry-order")
    m.add_objective((ds["fixed_cost"] * is_open).sum() + (ds["cost"] * share).sum())
    return m


def solve_cflp(
    instance: CFLPInstance,
    options: SolveOptions | None = None,
    cuts: Collection[str] = DEFAULT_CUTS,
) -> CFLPResult:
    """Build and solve a CFLP with HiGHS.

    Parameters
    ----------
    instance : CFLPInstance
        The data.
    options : SolveOptions, optional
        Solver settings; use :data:`BENCHMARK_OPTIONS` (relative gap 1e-9) to match
        proven optima to 1e-6 relative. Default: HiGHS defaults (gap 1e-4).
    cuts : collection of str
        Valid-inequality families (see :func:`build_cflp`).

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
        model = build_cflp(instance, cuts)
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


#: Capacities of the four instances in each of the files capa, capb and capc (Beasley
#: 1988, Table 1; OR-Library "capinfo").
CAPX_CAPACITIES = {
    "capa": (8000.0, 10000.0, 12000.0, 14000.0),
    "capb": (5000.0, 6000.0, 7000.0, 8000.0),
    "capc": (5000.0, 5750.0, 6500.0, 7250.0),
}

#: Fixed-cost ranges (USD) seen in the files capa, capb and capc (min, max).
_CAPX_FIXED = {
    "capa": (1_365_939.0, 2_253_906.0),
    "capb": (558_666.0, 916_003.0),
    "capc": (397_560.0, 4_100_093.0),
}


def beasley_capx(
    kind: str = "capa",
    capacity: float | None = None,
    seed: int = 0,
    n_facilities: int = 100,
    n_customers: int = 1000,
) -> CFLPInstance:
    """A seeded random instance of the OR-Library capa/capb/capc class, for offline runs.

    100 facilities and 1,000 customers as in the files: demands are integers 1..100,
    every facility has the same ``capacity`` (default the tightest of the class, see
    :data:`CAPX_CAPACITIES`), fixed costs are uniform over the range seen in the
    file of that ``kind``, and allocation costs are demand x per-unit cost, the
    per-unit cost being the Euclidean distance between uniform points in a square of
    side 1,100 (median about 570 for a random pair, as in the files). An
    assumption-built instance of the same size and structure, not the published data:
    Beasley (1988, EJOR 33:314-325) gives the files, not their generator.

    Parameters
    ----------
    kind : {"capa", "capb", "capc"}
        Which file's fixed-cost range and capacities.
    capacity : float, optional
        Capacity of every facility (default the first of ``CAPX_CAPACITIES[kind]``).
    seed : int
        Seed of ``np.random.default_rng``.
    n_facilities, n_customers : int
        Size (default the files' 100 x 1,000; smaller for quick runs, with the capacity
        scaled by ``n_customers / 1000`` so the instance stays as tight).

    Returns
    -------
    CFLPInstance
        Named ``"{kind}-like-{capacity:g}-seed{seed}"`` (plus ``-{m}x{n}`` when smaller).

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    """
    if kind not in CAPX_CAPACITIES:
        raise ValueError(f"kind must be one of {', '.join(CAPX_CAPACITIES)}, got {kind!r}")
    cap = CAPX_CAPACITIES[kind][0] if capacity is None else float(capacity)
    rng = np.random.default_rng(seed)
    m, n = n_facilities, n_customers
    size = "" if (m, n) == (100, 1000) else f"-{m}x{n}"
    fac, cus = rng.random((m, 2)) * 1100.0, rng.random((n, 2)) * 1100.0
    demand = rng.integers(1, 101, size=n).astype(float)
    unit = np.linalg.norm(fac[:, None, :] - cus[None, :, :], axis=-1)
    low, high = _CAPX_FIXED[kind]
    return CFLPInstance(
        name=f"{kind}-like-{cap:g}-seed{seed}{size}",
        capacity=np.full(m, cap * n / 1000.0),
        fixed_cost=np.round(rng.uniform(low, high, size=m)),
        demand=demand,
        cost=np.round(unit * demand[None, :], 5),
    )
