"""Why a network-design model has no solution, in words.

Lost sales keep the model feasible; only hard rules can make it infeasible: a cap on
lost sales (``max_lost_share`` < 1), local content, a lead-time cap that leaves a
market without a lane, a diversification cap with too few origins, a budget below the
capex of forced openings. :func:`precheck` tests the necessary conditions of each rule
on the data (each failure proves infeasibility and names the demand, capacity or rule);
:func:`diagnose` adds the solver's irreducible infeasible subsystem when no check fires.
"""

from __future__ import annotations

import numpy as np

from shoring.optimize.design.data import DesignData
from shoring.optimize.design.spec import DesignSpec

__all__ = ["diagnose", "precheck"]

_MAX = 4  # reasons of one kind listed before "and N more"


def _listed(items: list[str]) -> list[str]:
    if len(items) > _MAX:
        return [*items[:_MAX], f"and {len(items) - _MAX} more like these"]
    return items


def _max_capacity(data: DesignData, spec: DesignSpec) -> np.ndarray:
    """(P, S, T) most a site could make of a product per year (opened in the first
    period, ramped up as fast as possible, expanded), 0 for sites forced closed."""
    d = data
    years = np.asarray(d.periods, dtype=float)
    months = (years - years[0] + 1.0) * 12.0
    avail = np.clip((months[None, :] - d.ramp_up_months[:, None]) / 12.0, 0.0, 1.0)
    avail = np.where(d.initial_open[:, None], 1.0, avail)  # (S, T)
    closed = np.isin(np.asarray(d.sites), spec.force_closed)
    total = (d.capacity + d.expansion_capacity)[:, None] * avail * ~closed[:, None]
    per = np.minimum(d.product_capacity[:, :, None], total[None])  # (P, S, T)
    return np.where(d.can_make[:, :, None], per, 0.0)


def _lane_reasons(
    data: DesignData, spec: DesignSpec, need: np.ndarray, allowed: np.ndarray
) -> list[str]:
    d = data
    n_p, n_m = need.shape[:2]
    reasons = []
    any_lane = np.zeros((n_p, n_m), dtype=bool)
    any_lane[d.lane_product, d.lane_market] = True
    ok_lane = np.zeros((n_p, n_m), dtype=bool)
    ok_lane[d.lane_product[allowed], d.lane_market[allowed]] = True
    for p, m in zip(*np.nonzero(need.any(axis=2) & ~ok_lane), strict=True):
        what = f"demand for {d.products[p]} in market {d.markets[m]} ({d.market_country[m]})"
        if any_lane[p, m]:
            on = (d.lane_product == p) & (d.lane_market == m)
            fastest = int(np.argmin(np.where(on, d.lane_lead_time, np.inf)))
            reasons.append(
                f"{what} must be served but the lead-time cap of {spec.max_lead_time_days:g} days "
                f"forbids every lane (fastest: {d.lane_lead_time[fastest]:.1f} days from site "
                f"{d.sites[d.lane_site[fastest]]})"
            )
        else:
            reasons.append(f"{what} must be served but no site can make and deliver it")
    return _listed(reasons)


def precheck(data: DesignData, spec: DesignSpec) -> list[str]:
    """Reasons that prove the model infeasible, found on the data alone (empty: none).

    Parameters
    ----------
    data : DesignData
    spec : DesignSpec

    Returns
    -------
    list of str
        One sentence per cause, naming the demand, capacity or rule.
    """
    d = data
    reasons: list[str] = []
    allowed = np.ones(len(d.lane_product), dtype=bool)
    if spec.max_lead_time_days is not None:
        allowed = d.lane_lead_time <= spec.max_lead_time_days
    closed = np.isin(np.asarray(d.sites), spec.force_closed)
    allowed &= ~closed[d.lane_site]
    must = (1.0 - spec.max_lost_share) * d.demand  # (P, M, T) units that must be served
    if (must > 0).any():
        reasons += _lane_reasons(d, spec, must > 0, allowed)
        cap = _max_capacity(d, spec)  # (P, S, T)
        can_serve = np.zeros((len(d.products), len(d.sites)), dtype=bool)
        can_serve[d.lane_product[allowed], d.lane_site[allowed]] = True
        supply = (cap * can_serve[:, :, None]).sum(axis=1)  # (P, T)
        need = must.sum(axis=1)
        short = []
        for p, t in zip(*np.nonzero(need > supply + 1e-9), strict=True):
            short.append(
                f"in {d.periods[t]}, {need[p, t]:,.0f} units of {d.products[p]} must be served "
                f"(max lost share {spec.max_lost_share:.0%}) but every site able to make and "
                f"deliver it together has {supply[p, t]:,.0f} units of capacity (counting "
                "ramp-up and per-product caps)"
            )
        sites_total = ((d.capacity + d.expansion_capacity) * ~closed).sum()
        for t in np.nonzero(must.sum(axis=(0, 1)) > sites_total + 1e-9)[0]:
            short.append(
                f"in {d.periods[t]}, {must[:, :, t].sum():,.0f} units must be served but all "
                f"sites together have {sites_total:,.0f} units of capacity"
            )
        reasons += _listed(short)
        if spec.max_country_share < 1.0:
            reasons += _share_reasons(d, spec, must, allowed)
    if spec.local_content > 0:
        reasons += _local_reasons(d, spec, allowed)
    if spec.budget is not None:
        forced = np.isin(np.asarray(d.sites), spec.force_open) & ~d.initial_open
        capex = float(d.opening_capex[forced].sum())
        if capex > spec.budget + 1e-9:
            names = ", ".join(np.asarray(d.sites)[forced])
            reasons.append(
                f"the relocation budget {spec.budget:,.0f} USD is below the capex "
                f"{capex:,.0f} USD of the sites forced open ({names})"
            )
    return reasons


def _origin_groups(
    data: DesignData, spec: DesignSpec
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    from shoring.optimize.design.model import _groups

    return _groups(data, spec)


def _share_reasons(
    data: DesignData, spec: DesignSpec, must: np.ndarray, allowed: np.ndarray
) -> list[str]:
    d = data
    site_group, _, names = _origin_groups(d, spec)
    n_p, n_m, n_g, n_t = len(d.products), len(d.markets), len(names), len(d.periods)
    cap = _max_capacity(d, spec) > 0  # (P, S, T)
    lp, ls, lm = d.lane_product[allowed], d.lane_site[allowed], d.lane_market[allowed]
    has = np.zeros((n_p, n_m, n_g, n_t), dtype=bool)
    for t in range(n_t):  # periods only: a handful
        ok = cap[lp, ls, t]
        has[lp[ok], lm[ok], site_group[ls[ok]], t] = True
    if spec.share_scope == "product":
        has = np.broadcast_to(has.any(axis=1, keepdims=True), has.shape)
    origins = has.sum(axis=2)  # (P, M, T)
    needed = 1.0 - spec.max_lost_share
    short = (must > 0) & (origins * spec.max_country_share < needed - 1e-9)
    reasons = []
    for p, m, t in zip(*np.nonzero(short), strict=True):
        listed = ", ".join(np.asarray(names)[has[p, m, :, t]]) or "none"
        reasons.append(
            f"max-country-share {spec.max_country_share:.0%} for {d.products[p]} in market "
            f"{d.markets[m]} in {d.periods[t]}: only {origins[p, m, t]} origin(s) can serve it "
            f"then ({listed}; counting ramp-up), so at most "
            f"{origins[p, m, t] * spec.max_country_share:.0%} of demand can be supplied but "
            f"{needed:.0%} must be"
        )
    return _listed(reasons)


def _local_reasons(data: DesignData, spec: DesignSpec, allowed: np.ndarray) -> list[str]:
    d = data
    site_group, market_group, names = _origin_groups(d, spec)
    n_p, n_m = len(d.products), len(d.markets)
    local = allowed & (site_group[d.lane_site] == market_group[d.lane_market])
    has = np.zeros((n_p, n_m), dtype=bool)
    has[d.lane_product[local], d.lane_market[local]] = True
    reasons = []
    where = "country" if spec.groups is None and spec.share_by == "country" else "bloc"
    for p, m in zip(*np.nonzero((d.demand.sum(axis=2) > 0) & ~has), strict=True):
        reasons.append(
            f"local content {spec.local_content:.0%} for {d.products[p]} in market "
            f"{d.markets[m]}: no site in its {where} ({names[market_group[m]]}) can make "
            "and deliver it"
            + (" within the lead-time cap" if spec.max_lead_time_days is not None else "")
        )
    cap = _max_capacity(d, spec)  # (P, S, T)
    short = []
    for m in range(n_m):
        sites_here = site_group == market_group[m]
        need = spec.local_content * d.demand[:, m, :]  # (P, T)
        avail = cap[:, sites_here, :].sum(axis=1)
        for p, t in zip(*np.nonzero(has[:, m, None] & (need > avail + 1e-9)), strict=True):
            short.append(
                f"local content {spec.local_content:.0%} for {d.products[p]} in market "
                f"{d.markets[m]} needs {need[p, t]:,.0f} units in {d.periods[t]} but the sites "
                f"in {names[market_group[m]]} can make at most {avail[p, t]:,.0f}"
            )
    return _listed(reasons) + _listed(short)


def diagnose(data: DesignData, spec: DesignSpec, model: object | None = None) -> str:
    """A diagnosis in words of an infeasible model.

    Parameters
    ----------
    data, spec
        The problem.
    model : linopy.Model, optional
        A model HiGHS has just found infeasible: its irreducible infeasible subsystem is
        named when the data checks find nothing.
    """
    reasons = precheck(data, spec)
    if reasons:
        return "; ".join(reasons)
    if model is not None:
        from shoring.optimize.solve import diagnose_infeasibility

        return "no single rule explains it on its own; " + diagnose_infeasibility(model)  # type: ignore[arg-type]
    return "the rules together leave no feasible plan (no single rule explains it on its own)"
