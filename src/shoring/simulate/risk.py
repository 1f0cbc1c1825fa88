"""Expected disruption cost per unit of each site: the landed cost's ``risk`` component.

:func:`site_risk` simulates each site as the only open site of the network (with every
qualified supplier, the network's lanes and the hazard model), so existing and candidate
sites are priced alike and a site's figure does not depend on which others are open:

``risk[p, s] = (E[lost units of p] x lost-sale penalty of p + E[extra cost] x share of p
in the demand's penalty value) / units of p made``, over the horizon (units made: the
demand, or the site's capacity where smaller), minus the same
with every hazard rate zero (a site too small for the demand is not "at risk" for the
sales it can never make). USD per unit; NaN where the site cannot make the product. Draw
``i`` gives every supplier, chokepoint and country the same events whichever site is
simulated (common random numbers, :mod:`shoring.simulate.crn`), so differences between
sites are their own. The figure is a
Monte Carlo mean: its standard error (the standard deviation of the per-draw figure over
the square root of the draws) comes with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import xarray as xr

from shoring.network import Network
from shoring.simulate.crn import Universe
from shoring.simulate.engine import simulate
from shoring.simulate.hazards import HazardModel, default_hazards
from shoring.simulate.model import Footprint, sim_network

RISK_DRAWS = 1000
"""Default draws per site (the demo's pack: a standard error of about 4% of the figure)."""


def _per_unit(result, sim) -> np.ndarray:
    """Loss per unit made of each finished product, per draw (USD), shape (D, P); the
    units made are the plan's (the demand, or the site's capacity where smaller)."""
    n_p = sim.n_products
    lost = result.lost_units * sim.penalty[:n_p]
    value = sim.demand * sim.penalty[:n_p]
    lost += result.extra_cost[:, None] * (value / value.sum())[None, :]
    made = np.bincount(sim.pair_item, weights=sim.pair_base, minlength=sim.items.size)[:n_p]
    with np.errstate(divide="ignore", invalid="ignore"):
        return lost / (made * result.model.horizon_weeks)


def site_risk(
    network: Network,
    hazards: HazardModel | None = None,
    runs: int = RISK_DRAWS,
    seed: int = 0,
    buffer_days: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.DataArray:
    """Expected disruption cost per unit made at each site (see the module docstring).

    Parameters
    ----------
    network : Network
    hazards : HazardModel, optional
        The embedded defaults when None.
    runs, seed : int
        Draws per site and root seed.
    buffer_days : float, optional
        Days of output every node holds (JIT by default).
    progress : callable, optional
        ``progress(done, total)`` after each site.

    Returns
    -------
    xarray.DataArray
        USD per unit, dims ``(product, site)`` over the network's product and site ids;
        NaN where the site does not make the product or the product has no demand
        (a product made in-house below a finished one is priced in its parent's figure).
        Named ``risk``, with the coordinate ``standard_error`` (same dims, USD per unit)
        and attributes ``draws``, ``seed``, ``buffer_days``, ``year`` (of the demand and
        lanes simulated; -1 without demand), ``horizon_weeks`` and ``hazards`` (the model
        as JSON).
    """
    model = hazards or default_hazards()
    calm = model.without_hazards()
    products, sites = list(network.product_ids), list(network.site_ids)
    out = np.full((len(products), len(sites)), np.nan)
    error = np.full_like(out, np.nan)
    can_make = network.can_make.transpose("site", "product").to_numpy()
    demanded = network.demand_array().sum(dim=("market", "year")).to_numpy() > 0
    sims = {
        i: sim_network(
            network, model, Footprint(open=(site,)), buffer_days=buffer_days, partial=True
        )
        for i, site in enumerate(sites)
        if (can_make[i] & demanded).any()
    }
    universe = Universe.of(list(sims.values()), model) if sims else None
    for i, sim in sims.items():
        risky = _per_unit(simulate(sim, model, runs, seed, universe=universe), sim)
        still = _per_unit(simulate(sim, calm, 1, seed), sim)[0]
        rows = [products.index(str(p)) for p in sim.items[: sim.n_products]]
        made = np.unique(sim.pair_item[(sim.kind[sim.pair_node] == "site")])
        cols = np.array(rows)[made]
        out[cols, i] = (risky.mean(axis=0) - still)[made]
        if runs > 1:
            error[cols, i] = (risky.std(axis=0, ddof=1) / np.sqrt(runs))[made]
        if progress is not None:
            progress(i + 1, len(sites))
    dims = ("product", "site")
    return xr.DataArray(
        out,
        dims=dims,
        coords={"product": products, "site": sites, "standard_error": (dims, error)},
        name="risk",
        attrs={
            "draws": int(runs),
            "seed": int(seed),
            "buffer_days": 0.0 if buffer_days is None else float(buffer_days),
            "year": int(min(network.years)) if network.years else -1,
            "horizon_weeks": int(model.horizon_weeks),
            "hazards": json.dumps(model.model_dump(mode="json"), sort_keys=True),
            "units": "USD per unit",
        },
    )
