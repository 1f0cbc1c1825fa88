"""Resilient footprints: every site's time to survive at least its time to recover.

With ``DesignSpec.ttr_days`` set, the plan must survive the loss of any one site for
its TTR (the stress test's ``TTS >= TTR``, :mod:`shoring.stress`): in every period, with
site ``n`` down, the other open sites can make every finished product's demand, less
what the finished-goods buffers cover. Each node holds ``buffer_days`` of its output, so
over an outage of ``TTR_n`` days the buffers cover the share ``min(1, B / TTR_n)`` of
demand and the rest of the network must make ``cover_n = 1 - min(1, B / TTR_n)`` of it
(rates per year: the outage's length cancels). For each down site ``n`` an outage flow
``Outage-make[n, p, s, t] >= 0`` (``s != n``) must satisfy::

    Outage-make[n, p, s, t] <= min(pcap_ps, cap_s) x available_st   Outage-product-capacity-max
    sum_p Outage-make[n, p, s, t] <= cap_s x available_st            Outage-site-capacity-max
    sum_s Outage-make[n, p, s, t] >= cover_n x D_pt                  Outage-demand-min

(plus a chosen expansion's capacity), with ``available`` the open, ramped-up share
(:func:`~shoring.optimize.design.constraints.available`) and ``D_pt`` the product's
demand over all markets. As in the simulation's network
(:func:`shoring.simulate.sim_network`), a product made in-house below a finished one
is made at the same site (its capacity is the finished product's); suppliers are not
footprint decisions, so their TTS is the stress test's to report (``shoring stress``).
With no buffers the rule is N-1 redundancy: each site's output can be replaced by the
others' spare capacity. The rule applies from ``DesignSpec.survive_from`` (default: the
first period): a network whose new sites still ramp up may not be able to meet it at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from shoring.errors import ShoringError
from shoring.optimize.design.constraints import available
from shoring.optimize.design.model import DesignModel

__all__ = ["add_survive", "survive_cover"]


def survive_cover(ttr_days: np.ndarray, buffer_days: float) -> np.ndarray:
    """Share of demand the other sites must make while a site is down for its TTR.

    Parameters
    ----------
    ttr_days : ndarray, shape (S,)
        Time to recover of each site (days, > 0).
    buffer_days : float
        Days of output every node holds (>= 0).

    Returns
    -------
    ndarray, shape (S,)
        ``1 - min(1, buffer_days / ttr_days)``.
    """
    return 1.0 - np.minimum(1.0, buffer_days / np.asarray(ttr_days, dtype=float))


def _ttr(dm: DesignModel) -> np.ndarray:
    given = dm.spec.ttr_days or {}
    missing = [s for s in dm.data.sites if s not in given]
    if missing:
        raise ShoringError(f"no time to recover (ttr_days) for site(s) {', '.join(missing)}")
    return np.array([float(given[s]) for s in dm.data.sites])


def _first_period(dm: DesignModel) -> int:
    """Position of ``spec.survive_from`` among the periods (0 when None)."""
    year = dm.spec.survive_from
    periods = list(dm.data.periods)
    if year is None:
        return 0
    later = [i for i, p in enumerate(periods) if p >= year]
    if not later:
        raise ShoringError(
            f"survive_from {year} is after the last period ({periods[-1]}): nothing to require"
        )
    return later[0]


def _check_possible(
    dm: DesignModel,
    cover: np.ndarray,
    demand: np.ndarray,
    per: np.ndarray,
    extra: np.ndarray,
    start: int,
) -> None:
    """Refuse a rule no footprint meets: every site open from the first period (still
    ramping up where new) and expanded, some site's loss is still short in a period."""
    d = dm.data
    ramped = 1.0 - dm.ramp_deficit().isel(opening=0).to_numpy()  # (S, T), from the start
    ramped = np.where(d.initial_open[:, None], 1.0, ramped)
    forced = np.isin(np.asarray(d.sites), list(dm.spec.force_closed))
    ceiling = (per + extra)[:, :, None] * np.where(forced[:, None], 0.0, ramped)[None]  # (P,S,T)
    others = ceiling.sum(axis=1)[None] - ceiling.transpose(1, 0, 2)  # (node, P, T)
    need = cover[:, None, None] * demand[None]
    short = (need > others * (1 + 1e-9) + 1e-9) & (demand[None] > 0)
    if not short[:, :, start:].any():
        return
    n, p, t = (int(i[0]) for i in np.nonzero(short[:, :, start:]))
    t += start
    ok = [i for i in range(start, len(d.periods)) if not short[:, :, i:].any()]
    hint = (
        f"; it can hold from {d.periods[ok[0]]} (--survive-from {d.periods[ok[0]]})"
        if ok
        else "; add capacity or hold buffers"
    )
    ramping = " (new sites still ramping up count in part)" if (ramped[:, t] < 1).any() else ""
    raise ShoringError(
        f"no footprint survives the loss of site {d.sites[n]} for its time to recover in "
        f"{d.periods[t]}: the other sites can make at most {others[n, p, t]:,.0f} "
        f"{d.products[p]} that year{ramping}, {need[n, p, t]:,.0f} are needed "
        f"({cover[n]:.0%} of demand after {dm.spec.buffer_days:g} buffer days){hint}"
    )


def add_survive(dm: DesignModel) -> None:
    """Add the outage flows and rows of the module docstring (``spec.ttr_days`` set).

    Parameters
    ----------
    dm : DesignModel
        Model whose variables exist; the variables and constraints are added to
        ``dm.model``.

    Raises
    ------
    ShoringError
        A site without a TTR, or a site whose loss no footprint survives in a period
        from ``spec.survive_from``: the other sites able to make a product cannot make
        ``cover`` of its demand even all open (named with the figures and the first
        year from which the rule can hold).
    """
    if dm.spec.ttr_days is None:
        return
    d, m = dm.data, dm.model
    cover = survive_cover(_ttr(dm), dm.spec.buffer_days)  # (S,)
    demand = d.demand.sum(axis=1)  # (P, T)
    per = np.where(dm.make_mask, np.minimum(d.product_capacity, d.capacity[None, :]), 0.0)
    grown = d.capacity + d.expansion_capacity
    extra = np.where(dm.make_mask, np.minimum(d.product_capacity, grown[None, :]), 0.0) - per
    start = _first_period(dm)
    _check_possible(dm, cover, demand, per, extra, start)
    applies = np.asarray(d.periods) >= d.periods[start]
    nodes = pd.Index(list(d.sites), name="node")
    node_site = np.arange(len(d.sites))[:, None] != np.arange(len(d.sites))[None, :]
    finished = demand.sum(axis=1) > 0
    mask = (
        (cover > 0)[:, None, None]
        & (dm.make_mask & finished[:, None])[None, :, :]
        & node_site[:, None, :]
    )  # (node, P, S)
    if not mask.any():
        return
    coords = [nodes, dm.coords["product"], dm.coords["site"], dm.coords["period"]]
    on = xr.DataArray(mask, dims=("node", "product", "site"), coords=coords[:3])
    on = on & dm.da(applies, "period")
    make = m.add_variables(lower=0.0, coords=coords, mask=on, name="Outage-make")
    per_cap = available(dm, per, ("product", "site"))
    if "Site-expand" in m.variables:
        per_cap = per_cap + dm.da(extra, "product", "site") * dm.var("Site-expand")
    m.add_constraints(make - per_cap <= 0, name="Outage-product-capacity-max", mask=on)
    site_cap = available(dm, d.capacity, ("site",))
    if "Site-expand" in m.variables:
        site_cap = site_cap + dm.da(d.expansion_capacity, "site") * dm.var("Site-expand")
    m.add_constraints(
        make.sum("product") - site_cap <= 0,
        name="Outage-site-capacity-max",
        mask=on.any("product"),
    )
    need = cover[:, None, None] * demand[None]  # (node, P, T)
    rhs = xr.DataArray(need, dims=("node", "product", "period"), coords=[*coords[:2], coords[3]])
    rows = xr.DataArray(
        (cover[:, None] > 0) & finished[None, :], dims=("node", "product"), coords=coords[:2]
    ) & dm.da(applies, "period")
    m.add_constraints(make.sum("site") >= rhs, name="Outage-demand-min", mask=rows)
