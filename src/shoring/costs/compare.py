"""Reading a landed-cost Dataset: cheapest options, scenario comparison, break-even points."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from shoring.costs.engine import COMPONENTS, CostSettings, landed_cost
from shoring.data.countries import to_iso3
from shoring.data.valuation import valuation_basis
from shoring.errors import ShoringError
from shoring.network import Network
from shoring.scenario import Scenario

INVENTORY_BASE = ("materials", "labour", "overhead", "freight", "duties")
"""Components whose sum the inventory carrying cost is charged on."""


def cheapest(ds: xr.Dataset) -> pd.DataFrame:
    """Cheapest site and runner-up for every product, market, year and scenario.

    Returns
    -------
    pandas.DataFrame
        Columns ``product, market, year, scenario, site, site_country, total,
        runner_up, runner_up_total`` (runner-up empty/NaN when only one site can serve).
    """
    total = ds["total"].transpose("product", "market", "year", "scenario", "site")
    values = total.to_numpy()
    filled = np.where(np.isnan(values), np.inf, values)
    order = np.argsort(filled, axis=-1)
    best, second = order[..., 0], order[..., 1] if values.shape[-1] > 1 else order[..., 0]
    best_total = np.take_along_axis(filled, best[..., None], -1)[..., 0]
    second_total = np.take_along_axis(filled, second[..., None], -1)[..., 0]
    sites = total["site"].to_numpy()
    countries = ds["site_country"].to_numpy()
    index = pd.MultiIndex.from_product(
        [total[d].to_numpy() for d in ("product", "market", "year", "scenario")],
        names=["product", "market", "year", "scenario"],
    )
    frame = pd.DataFrame(
        {
            "site": sites[best].ravel(),
            "site_country": countries[best].ravel(),
            "total": best_total.ravel(),
            "runner_up": sites[second].ravel(),
            "runner_up_total": second_total.ravel(),
        },
        index=index,
    ).reset_index()
    servable = np.isfinite(frame["total"])
    frame = frame[servable].copy()
    lone = ~np.isfinite(frame["runner_up_total"]) | (values.shape[-1] == 1)
    frame.loc[lone, "runner_up"] = ""
    frame.loc[lone, "runner_up_total"] = np.nan
    return frame.reset_index(drop=True)


def compare_scenarios(ds: xr.Dataset, a: str, b: str) -> pd.DataFrame:
    """How the cheapest option changes from scenario ``a`` to scenario ``b``, and why.

    Returns
    -------
    pandas.DataFrame
        One row per (product, market, year): ``site_a``, ``site_b`` (cheapest in each),
        ``total_a``, ``total_b``, ``changed``, ``rank_of_a_in_b`` (1 = still cheapest),
        and ``delta_<component>`` = cost of ``site_b`` under ``b`` minus cost of
        ``site_a`` under ``a`` — the component-by-component explanation, summing to
        ``total_b - total_a``.
    """
    for name in (a, b):
        if name not in ds["scenario"].to_numpy():
            raise ShoringError(f"scenario {name!r} is not in the results")
    best = cheapest(ds).set_index(["product", "market", "year", "scenario"])
    rows = []
    total_b = ds["total"].sel(scenario=b)
    for (product, market, year), group in best.groupby(level=[0, 1, 2]):
        keys = group.index.get_level_values("scenario")
        if a not in keys or b not in keys:
            continue
        ra, rb = group.xs(a, level="scenario").iloc[0], group.xs(b, level="scenario").iloc[0]
        cost_a = ds["cost"].sel(product=product, market=market, year=year, scenario=a, site=ra.site)
        cost_b = ds["cost"].sel(product=product, market=market, year=year, scenario=b, site=rb.site)
        in_b = total_b.sel(product=product, market=market, year=year).to_numpy()
        rank = (
            int(
                np.sum(
                    np.nan_to_num(in_b, nan=np.inf)
                    < in_b[list(ds["site"].to_numpy()).index(ra.site)]
                )
            )
            + 1
        )
        row = {
            "product": product,
            "market": market,
            "year": int(year),
            "site_a": ra.site,
            "site_b": rb.site,
            "total_a": float(ra.total),
            "total_b": float(rb.total),
            "changed": ra.site != rb.site,
            "rank_of_a_in_b": rank,
        }
        delta = (cost_b - cost_a).to_numpy()
        row.update({f"delta_{c}": float(d) for c, d in zip(COMPONENTS, delta, strict=True)})
        rows.append(row)
    return pd.DataFrame(rows)


def _site_for(network: Network, ds: xr.Dataset, key: str, product: str) -> str:
    """A site id, or the cheapest site in a country that makes the product."""
    sites = network.sites
    if key in sites.index:
        return key
    iso3 = to_iso3(key)
    candidates = [
        s for s in sites.index[sites["country"] == iso3] if product in sites.at[s, "products"]
    ]
    if not candidates:
        raise ShoringError(
            f"no site in {iso3} can make {product!r}; sites: {', '.join(sites.index)}"
        )
    totals = ds["total"].sel(product=product, site=candidates)
    totals = totals.mean([d for d in totals.dims if d != "site"])
    return str(totals.idxmin("site").item())


def breakeven_table(
    network: Network,
    ds: xr.Dataset,
    product: str,
    market: str,
    from_site: str,
    to_site: str,
    settings: CostSettings | None = None,
) -> pd.DataFrame:
    """Break-even tariff and wage of two options, read from landed-cost results.

    ``tariff_breakeven`` is the extra ad valorem duty on the ``from`` lane at which its
    landed cost equals the ``to`` option (negative: ``from`` is already dearer); it moves
    duties and the inventory carried on them, ``d cost / d rate = customs value * (1 +
    k)`` with ``k`` the lane's carrying factor ``r (transit + safety) / 365``.
    ``wage_breakeven`` is the hourly labour cost in the ``from`` country at which the two
    cost the same, moving the final step's labour, the overhead on it and the inventory:
    ``d cost / d wage = labour / wage * (1 + overhead rate) * (1 + k)``; NaN where even
    a zero wage would not close the gap. Nothing is recomputed: the figures come from
    ``ds`` (a :func:`~shoring.costs.landed_cost` result, any scenarios and years).

    Parameters
    ----------
    network : Network
        The network ``ds`` was computed for.
    ds : xarray.Dataset
        Landed-cost results.
    product, market : str
        Product and market ids.
    from_site, to_site : str
        Site ids, or countries (the cheapest site there that makes the product).
    settings : CostSettings, optional
        The settings ``ds`` was computed with (insurance for CIF valuation).

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, year): ``scenario, year, from_site, to_site, cost_from,
        cost_to, customs_value, tariff_breakeven, wage_from, wage_breakeven``.
    """
    settings = settings or CostSettings()
    if product not in network.products.index:
        raise ShoringError(
            f"unknown product {product!r}; known: {', '.join(network.products.index)}"
        )
    if market not in network.markets.index:
        raise ShoringError(f"unknown market {market!r}; known: {', '.join(network.markets.index)}")
    src = _site_for(network, ds, from_site, product)
    dst = _site_for(network, ds, to_site, product)
    if src == dst:
        raise ShoringError(f"--from and --to are the same site ({src}); compare two options")
    cost = ds["cost"].sel(product=product, market=market).transpose("scenario", "year", ...)
    c_from, c_to = cost.sel(site=src), cost.sel(site=dst)
    total_from, total_to = c_from.sum("component"), c_to.sum("component")
    carried = c_from.sel(component=list(INVENTORY_BASE)).sum("component")
    k = c_from.sel(component="inventory") / carried
    value = float(network.products.at[product, "unit_value_usd"])
    importer = str(ds["market_country"].sel(market=market).item())
    if valuation_basis(importer) == "CIF":
        params = settings.parameters
        insurance = params.cargo_insurance_rate * params.insurance_cover_markup
        customs = (value + c_from.sel(component="freight")) / (1.0 - insurance)
    else:
        customs = xr.full_like(total_from, value)
    gap = total_to - total_from
    tariff = gap / (customs * (1.0 + k))
    overhead_rate = float(network.products.at[product, "overhead_rate"])
    wage = ds["wage_usd_per_hour"].sel(site=src).transpose("scenario", "year")
    per_wage = c_from.sel(component="labour") / wage * (1.0 + overhead_rate) * (1.0 + k)
    wage_be = wage + gap / per_wage.where(per_wage > 0)
    wage_be = wage_be.where(wage_be >= 0)  # no wage level closes the gap
    scenarios, years = np.meshgrid(ds["scenario"].to_numpy(), ds["year"].to_numpy(), indexing="ij")
    return pd.DataFrame(
        {
            "scenario": scenarios.ravel(),
            "year": years.ravel(),
            "from_site": src,
            "to_site": dst,
            "cost_from": total_from.to_numpy().ravel(),
            "cost_to": total_to.to_numpy().ravel(),
            "customs_value": customs.to_numpy().ravel(),
            "tariff_breakeven": tariff.to_numpy().ravel(),
            "wage_from": wage.to_numpy().ravel(),
            "wage_breakeven": wage_be.to_numpy().ravel(),
        }
    )


def breakeven(
    network: Network,
    product: str,
    market: str,
    from_site: str,
    to_site: str,
    scenario: Scenario,
    years: Sequence[int] | None = None,
    settings: CostSettings | None = None,
) -> pd.DataFrame:
    """Tariff and wage at which two ways of serving a market cost the same, per year.

    Computes the landed costs under one scenario and reads the break-even points with
    :func:`breakeven_table` (see there for the formulas).

    Parameters
    ----------
    network : Network
        The firm's network.
    product, market : str
        Product and market ids.
    from_site, to_site : str
        Site ids, or countries (the cheapest site there that makes the product).
    scenario : Scenario
        The policy future.
    years : sequence of int, optional
        Years; the network's demand years by default.
    settings : CostSettings, optional
        Engine settings.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, from_site, to_site, cost_from, cost_to, customs_value,
        tariff_breakeven, wage_from, wage_breakeven``.
    """
    settings = settings or CostSettings()
    if product not in network.products.index:
        raise ShoringError(
            f"unknown product {product!r}; known: {', '.join(network.products.index)}"
        )
    ds = landed_cost(network, [scenario], years, settings)
    table = breakeven_table(network, ds, product, market, from_site, to_site, settings)
    return table.drop(columns="scenario")
