"""Build the two-stage stochastic network-design MILP with linopy.

First stage (shared by all scenarios), per site and period:

- ``Site-open`` (binary): the site runs in the period; existing sites start open and may
  close once, candidates start closed and may open once (a monotone formulation);
- ``Site-opened`` / ``Site-closed`` (in [0, 1], integral through the transition
  equation): the site opens / closes at the start of the period;
- ``Site-expand`` (binary, only where an expansion is offered): expanded capacity in use.

Second stage, per scenario and period:

- ``Product-Site-make``: units made (finished goods and components);
- ``Lane-ship``: units of a finished good shipped from a site to a market;
- ``Link-transfer``: units of an own-made component moved from a site to a site;
- ``Offer-buy``: units bought from a supplier, delivered to a site;
- ``Product-Market-lost``: unmet demand, at the lost-sale penalty.

Constraints are added by :mod:`~shoring.optimize.design.constraints` (one function per
family) and the objective by :mod:`~shoring.optimize.design.objective`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from shoring.optimize.design.data import DesignData
from shoring.optimize.design.spec import DesignSpec
from shoring.optimize.design.weights import bloc_groups

__all__ = ["DesignModel", "FixedFootprint", "build_design", "flow_upper", "quiet_linopy"]


@contextlib.contextmanager
def quiet_linopy() -> Iterator[None]:
    """Silence linopy's notices about masked variables, inside a ``with`` block.

    Absent slots add nothing to a sum, which is what the formulation relies on.

    Yields
    ------
    None
        Linopy ``UserWarning``s and "absent slots" messages are ignored until exit.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="linopy")
        warnings.filterwarnings("ignore", message=".*absent slots.*")
        yield


@dataclass(frozen=True)
class FixedFootprint:
    """First-stage decisions to hold fixed (0/1 arrays of shape (S, T))."""

    open: np.ndarray
    expand: np.ndarray


@dataclass
class DesignModel:
    """A built model and what is needed to read its solution.

    Attributes
    ----------
    model : linopy.Model
    data : DesignData
    spec : DesignSpec
    coords : dict of str to pandas.Index
        Named coordinates (``product``, ``site``, ``market``, ``supplier``, ``period``,
        ``scenario``, ``lane``, ``link``, ``offer``, ``component``, ``opening``).
    site_group, market_group : ndarray of int
        Origin group (country or bloc) of each site and market, positions in ``groups``.
    groups : tuple of str
        Group names.
    first_stage : linopy.LinearExpression
        Capex + closing + fixed costs (scalar).
    scenario_cost : linopy.LinearExpression
        Total cost per scenario (dim ``scenario``), first stage included.
    ship_mask : ndarray (L,) of bool
        Lanes allowed by the lead-time cap.
    qualify_lane : ndarray of int, optional
        Lane of each ``Lane-Recipe-qualify`` entry (rules of origin, origin.py).
    make_mask : ndarray (P, S) of bool
        Where ``Product-Site-make`` exists: the site can make the product and has an
        outlet for it (an allowed lane or a link). Elsewhere the production balance
        would hold it at 0, so leaving it out does not change the optimum.
    """

    model: linopy.Model
    data: DesignData
    spec: DesignSpec
    coords: dict[str, pd.Index]
    site_group: np.ndarray
    market_group: np.ndarray
    groups: tuple[str, ...]
    ship_mask: np.ndarray
    make_mask: np.ndarray
    first_stage: linopy.LinearExpression | None = None
    scenario_cost: linopy.LinearExpression | None = None
    qualify_lane: np.ndarray | None = None  # lane of each Lane-Recipe-qualify pair

    def var(self, name: str) -> linopy.Variable:
        """A variable by name.

        Parameters
        ----------
        name : str
            Variable name, e.g. ``"Site-open"``.

        Returns
        -------
        linopy.Variable
            The model's variable.

        Raises
        ------
        KeyError
            When the model has no such variable (e.g. ``Offer-buy`` without suppliers).
        """
        return self.model.variables[name]

    def da(self, values: np.ndarray, *dims: str) -> xr.DataArray:
        """A DataArray with this model's coordinates for ``dims``.

        Parameters
        ----------
        values : ndarray
            Array whose axes are, in order, ``dims``.
        *dims : str
            Names of coordinates in :attr:`coords`.

        Returns
        -------
        xarray.DataArray
            ``values`` labelled with ``coords[d]`` for each ``d`` in ``dims``.
        """
        return xr.DataArray(values, dims=dims, coords={d: self.coords[d] for d in dims})

    def ramp_deficit(self) -> xr.DataArray:
        """Share of a year's capacity still missing while a newly opened site ramps up.

        A site opened at the start of ``opening`` has ``(period - opening + 1) x 12``
        months elapsed by the end of ``period``; the deficit is ``1 - clip((elapsed -
        ramp_up_months) / 12, 0, 1)``, and 0 for periods before the opening.

        Returns
        -------
        xarray.DataArray
            float in [0, 1], dims ``(site, opening, period)``.
        """
        d = self.data
        years = np.asarray(d.periods, dtype=float)
        elapsed = (years[None, :] - years[:, None] + 1.0) * 12.0  # (opening, period) months
        avail = np.clip(
            (elapsed[None] - d.ramp_up_months[:, None, None]) / 12.0, 0.0, 1.0
        )  # (site, opening, period)
        started = (years[None, :] >= years[:, None])[None]
        return self.da(np.where(started, 1.0 - avail, 0.0), "site", "opening", "period")


def _groups(data: DesignData, spec: DesignSpec) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    countries = sorted(set(data.site_country) | set(data.market_country))
    if spec.groups is not None:
        mapping = {c: str(spec.groups.get(c, c)) for c in countries}
    elif spec.share_by == "bloc":
        mapping = bloc_groups(countries, dt.date(data.periods[0], 7, 1))
    else:
        mapping = {c: c for c in countries}
    names = tuple(sorted(set(mapping.values())))
    pos = {g: i for i, g in enumerate(names)}
    site_group = np.array([pos[mapping[c]] for c in data.site_country], dtype=int)
    market_group = np.array([pos[mapping[c]] for c in data.market_country], dtype=int)
    return site_group, market_group, names


def _coords(data: DesignData) -> dict[str, pd.Index]:
    sizes = data.sizes
    return {
        "product": pd.Index(list(data.products), name="product"),
        "component": pd.Index(list(data.products), name="component"),
        "site": pd.Index(list(data.sites), name="site"),
        "market": pd.Index(list(data.markets), name="market"),
        "supplier": pd.Index(list(data.suppliers), name="supplier"),
        "period": pd.Index(list(data.periods), name="period"),
        "opening": pd.Index(list(data.periods), name="opening"),
        "scenario": pd.Index(list(data.scenarios), name="scenario"),
        "lane": pd.RangeIndex(sizes["lane"], name="lane"),
        "link": pd.RangeIndex(sizes["link"], name="link"),
        "offer": pd.RangeIndex(sizes["offer"], name="offer"),
    }


def _site_index(data: DesignData, names: tuple[str, ...], what: str) -> np.ndarray:
    lookup = {s: i for i, s in enumerate(data.sites)}
    unknown = [s for s in names if s not in lookup]
    if unknown:
        raise ValueError(f"unknown site(s) {what}: {', '.join(unknown)}")
    return np.array([lookup[s] for s in names], dtype=int)


def _first_stage_variables(dm: DesignModel, fixed: FixedFootprint | None) -> None:
    d, m = dm.data, dm.model
    st = [dm.coords["site"], dm.coords["period"]]
    n_s, n_t = len(d.sites), len(d.periods)
    lower, upper = np.zeros((n_s, n_t)), np.ones((n_s, n_t))
    forced_open = _site_index(d, dm.spec.force_open, "forced open")
    forced_closed = _site_index(d, dm.spec.force_closed, "forced closed")
    existing = d.initial_open
    lower[forced_open[existing[forced_open]], :] = 1.0
    lower[forced_open[~existing[forced_open]], -1] = 1.0
    upper[forced_closed, :] = 0.0
    if fixed is None:
        m.add_variables(
            lower=dm.da(lower, "site", "period"),
            upper=dm.da(upper, "site", "period"),
            coords=st,
            binary=True,
            name="Site-open",
        )
    else:
        value = dm.da(np.asarray(fixed.open, dtype=float), "site", "period")
        m.add_variables(lower=value, upper=value, coords=st, name="Site-open")
    new = dm.da(np.broadcast_to(~existing[:, None], (n_s, n_t)), "site", "period")
    m.add_variables(lower=0.0, upper=1.0, coords=st, mask=new, name="Site-opened")
    m.add_variables(lower=0.0, upper=1.0, coords=st, mask=~new, name="Site-closed")
    offered = dm.da(
        np.broadcast_to(d.expansion_capacity[:, None] > 0, (n_s, n_t)), "site", "period"
    )
    if bool(offered.any()):
        if fixed is None:
            m.add_variables(coords=st, binary=True, mask=offered, name="Site-expand")
        else:
            value = dm.da(np.asarray(fixed.expand, dtype=float), "site", "period")
            m.add_variables(lower=value, upper=value, coords=st, mask=offered, name="Site-expand")
        m.add_variables(lower=0.0, upper=1.0, coords=st, mask=offered, name="Site-expanded")


def _allowed(dm: DesignModel, cost: np.ndarray, *dims: str) -> xr.DataArray:
    """Upper bound of a flow: unbounded where its cost (dims ``(*dims, period,
    scenario)``) is defined, 0 where the scenario forbids it (NaN or inf cost: a banned
    lane, a site that cannot work in that period)."""
    upper = dm.da(flow_upper(cost), *dims, "period", "scenario")
    return upper.transpose(*dims, "scenario", "period")


def flow_upper(cost: np.ndarray) -> np.ndarray:
    """Upper bound of a flow from its unit cost: inf where defined, 0 where NaN or inf."""
    return np.where(np.isfinite(cost), np.inf, 0.0)


def _second_stage_variables(dm: DesignModel) -> None:
    d, m, c = dm.data, dm.model, dm.coords
    wt = [c["scenario"], c["period"]]
    make_ok = dm.da(dm.make_mask, "product", "site")
    m.add_variables(
        lower=0.0,
        upper=_allowed(dm, d.conversion, "product", "site"),
        coords=[c["product"], c["site"], *wt],
        mask=make_ok,
        name="Product-Site-make",
    )
    m.add_variables(
        lower=0.0,
        upper=_allowed(dm, d.lane_cost, "lane"),
        coords=[c["lane"], *wt],
        mask=dm.da(dm.ship_mask, "lane"),
        name="Lane-ship",
    )
    if len(c["link"]):
        upper = _allowed(dm, d.link_cost, "link")
        m.add_variables(lower=0.0, upper=upper, coords=[c["link"], *wt], name="Link-transfer")
    if len(c["offer"]):
        upper = _allowed(dm, d.offer_cost, "offer")
        m.add_variables(lower=0.0, upper=upper, coords=[c["offer"], *wt], name="Offer-buy")
    demand = dm.da(d.demand, "product", "market", "period")
    m.add_variables(
        lower=0.0,
        upper=dm.spec.max_lost_share * demand,
        coords=[c["product"], c["market"], *wt],
        mask=demand > 0,
        name="Product-Market-lost",
    )


def build_design(
    data: DesignData, spec: DesignSpec | None = None, fixed: FixedFootprint | None = None
) -> DesignModel:
    """Build the linopy model of a network-design problem.

    Parameters
    ----------
    data : DesignData
        The arrays.
    spec : DesignSpec, optional
        Objective and rules (default: expected cost, no rules).
    fixed : FixedFootprint, optional
        Hold the first-stage decisions fixed: the model becomes a linear program whose
        duals are shadow prices.

    Returns
    -------
    DesignModel
        With variables, every constraint family and the objective. For
        ``objective="regret"`` the scenario optima must be given with
        :func:`~shoring.optimize.design.objective.set_regret_objective` (done by
        :func:`~shoring.optimize.design.run.optimize_design`); until then the
        objective is the expected cost.
    """
    from shoring.optimize.design import constraints as cons
    from shoring.optimize.design import objective as obj
    from shoring.optimize.design import strength
    from shoring.optimize.design.origin import add_origin
    from shoring.optimize.design.survive import add_survive

    spec = spec or DesignSpec()
    site_group, market_group, groups = _groups(data, spec)
    ship_mask = np.ones(len(data.lane_product), dtype=bool)
    if spec.max_lead_time_days is not None:
        ship_mask = data.lane_lead_time <= spec.max_lead_time_days
    outlet = np.zeros(data.can_make.shape, dtype=bool)
    outlet[data.lane_product[ship_mask], data.lane_site[ship_mask]] = True
    outlet[data.link_product, data.link_source] = True
    with quiet_linopy():
        dm = DesignModel(
            model=linopy.Model(force_dim_names=True),
            data=data,
            spec=spec,
            coords=_coords(data),
            site_group=site_group,
            market_group=market_group,
            groups=groups,
            ship_mask=ship_mask,
            make_mask=data.can_make & outlet,
        )
        _first_stage_variables(dm, fixed)
        _second_stage_variables(dm)
        for add in cons.FAMILIES:
            add(dm)
        add_survive(dm)  # TTS >= TTR for every site, when asked for
        for add in strength.STRENGTH_FAMILIES:  # valid inequalities, each with a switch
            add(dm)
        obj.add_costs(dm)
        add_origin(dm, data.origin)  # type: ignore[arg-type]
        obj.set_objective(dm)
    return dm
