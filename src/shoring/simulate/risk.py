"""Expected disruption cost per unit of each site: the landed cost's ``risk`` component.

:func:`site_risk` simulates each site as the only open site of the network (with every
qualified supplier, the network's lanes and the hazard model), so existing and candidate
sites are priced alike and a site's figure does not depend on which others are open:

``risk[p, s] = (E[lost units of p] x lost-sale penalty of p + E[extra cost] x share of p
in the demand's penalty value) / units of p demanded``, over the horizon, minus the same
with every hazard rate zero (a site too small for the demand is not "at risk" for the
sales it can never make). USD per unit; NaN where the site cannot make the product. Draw
``i`` uses the same generator for every site (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from shoring.network import Network
from shoring.simulate.engine import simulate
from shoring.simulate.hazards import HazardModel, default_hazards
from shoring.simulate.model import Footprint, sim_network


def _per_unit(result, sim) -> np.ndarray:
    """Expected loss per unit demanded of each finished product (USD)."""
    n_p = sim.n_products
    lost = result.lost_units.mean(axis=0) * sim.penalty[:n_p]
    value = sim.demand * sim.penalty[:n_p]
    lost += result.extra_cost.mean() * value / value.sum()
    return lost / (sim.demand * result.model.horizon_weeks)


def site_risk(
    network: Network,
    hazards: HazardModel | None = None,
    runs: int = 500,
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
        NaN where the site does not make the product or the product has no demand.
        Named ``risk``.
    """
    model = hazards or default_hazards()
    calm = model.without_hazards()
    products, sites = list(network.product_ids), list(network.site_ids)
    out = np.full((len(products), len(sites)), np.nan)
    can_make = network.can_make.transpose("site", "product").to_numpy()
    demanded = network.demand_array().sum(dim=("market", "year")).to_numpy() > 0
    for i, site in enumerate(sites):
        if not (can_make[i] & demanded).any():
            continue
        plan = Footprint(open=(site,))
        sim = sim_network(network, model, plan, buffer_days=buffer_days, partial=True)
        risky = _per_unit(simulate(sim, model, runs, seed), sim)
        still = _per_unit(simulate(sim, calm, 1, seed), sim)
        rows = [products.index(str(p)) for p in sim.items[: sim.n_products]]
        made = sim.pair_item[(sim.kind[sim.pair_node] == "site")]
        cols = np.array(rows)[np.unique(made)]
        out[cols, i] = (risky - still)[np.unique(made)]
        if progress is not None:
            progress(i + 1, len(sites))
    return xr.DataArray(
        out, dims=("product", "site"), coords={"product": products, "site": sites}, name="risk"
    )
