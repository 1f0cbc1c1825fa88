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
from shoring.scenario import Scenario, compose
from shoring.scenario.periods import year_periods
from shoring.scenario.resolve import ResolvedScenario
from shoring.scenario.trade import trade_effects

INVENTORY_BASE = ("materials", "labour", "overhead", "freight", "duties")
"""Components whose sum the inventory carrying cost is charged on."""


def blocking_measures(
    scenario: Scenario, exporter: str, importer: str, hs_code: str, year: int
) -> list[str]:
    """The measures of ``scenario`` that close the lane ``exporter -> importer`` in ``year``.

    A measure counts when it blocks the good on one of the intervals the engine weighs
    the year by (:func:`~shoring.scenario.periods.year_periods`); export bans and
    sanctions are the measures that close lanes.

    Parameters
    ----------
    scenario : Scenario
        The scenario (composed with its parents).
    exporter, importer : str
        ISO3 codes of the lane.
    hs_code : str
        HS code of the good (6 digits).
    year : int
        Year of the costs.

    Returns
    -------
    list of str
        One label per blocking measure, e.g. ``"measure ban-chn (export_ban
        exporters=CHN)"``; empty when no measure closes the lane.
    """
    measures, blocs = compose(scenario)
    periods = year_periods(measures, year, [exporter, importer], [hs_code], blocs)
    dates = [first for first, _ in periods]
    n = len(dates)
    found = []
    for m in measures:
        if m.type not in ("export_ban", "sanction"):
            continue
        alone = ResolvedScenario(scenario.name, dates[0], (m,), blocs)
        effects = trade_effects(alone, [importer] * n, [exporter] * n, [hs_code] * n, dates)
        if effects.blocked.any():
            what = " ".join(filter(None, (m.type, m.details())))
            found.append(f"measure {m.id} ({what})" if m.id else f"{what} measure")
    return found


def why_unserved(
    network: Network,
    scenario: Scenario | None,
    product: str,
    site: str,
    market: str,
    year: int,
    memo: dict[tuple, list[str]] | None = None,
) -> str:
    """Why ``site`` has no landed cost for ``product`` in ``market`` in ``year``.

    Parameters
    ----------
    network : Network
        The network the costs were computed for.
    scenario : Scenario or None
        The scenario of the costs (``None``: measures are not looked at).
    product, site, market : str
        Ids in the network.
    year : int
        Year of the costs.
    memo : dict, optional
        Blocking measures already found, by (scenario, origin, destination, HS, year);
        filled in (sites in one country share them).

    Returns
    -------
    str
        E.g. ``"plant-b does not make widget"``, ``"plant-b -> us banned by measure
        ban-chn (export_ban exporters=CHN)"``, or the remaining causes the engine knows.
    """
    sites = network.sites
    if product not in sites.at[site, "products"]:
        return f"{site} does not make {product}"
    origin, dest = str(sites.at[site, "country"]), str(network.markets.at[market, "country"])
    if scenario is not None:
        hs = str(network.products.at[product, "hs_code"])
        key = (scenario.name, origin, dest, hs, year)
        memo = {} if memo is None else memo
        if key not in memo:
            memo[key] = blocking_measures(scenario, origin, dest, hs, year)
        bans = memo[key]
        if bans:
            return f"{site} ({origin}) -> {market} ({dest}) banned by " + "; ".join(bans)
    return (
        f"{site} ({origin}) has no landed cost for {market} ({dest}): a component cannot "
        "be sourced, the site is closed, or no transport mode reaches the market"
    )


def unserved(
    network: Network,
    ds: xr.Dataset,
    scenarios: Sequence[Scenario] = (),
) -> pd.DataFrame:
    """Every product, market, year and scenario with demand that no site can serve, and why.

    A cost that is missing for every site stays missing: this lists those cases
    instead of a zero or a cheapest site.

    Parameters
    ----------
    network : Network
        The network ``ds`` was computed for (its demand says which pairs matter).
    ds : xarray.Dataset
        Landed-cost results.
    scenarios : sequence of Scenario
        The scenarios of ``ds`` (to name the measures that close lanes).

    Returns
    -------
    pandas.DataFrame
        Columns ``product, market, year, scenario, reason`` (the reasons of the sites
        that make the product, distinct, joined by ``"; "``).
    """
    demand = network.demand
    wanted = demand.loc[demand["units"] > 0, ["product", "market"]].drop_duplicates()
    by_name = {s.name: s for s in scenarios}
    products, markets = set(ds["product"].to_numpy()), set(ds["market"].to_numpy())
    served = ds["total"].notnull().any("site")
    rows, memo = [], {}
    for product, market in wanted.itertuples(index=False):
        if product not in products or market not in markets:
            continue
        ok = served.sel(product=product, market=market).transpose("scenario", "year")
        makers = [s for s in ds["site"].to_numpy() if product in network.sites.at[s, "products"]]
        for i, j in zip(*np.nonzero(~ok.to_numpy()), strict=True):
            scenario, year = str(ok["scenario"][i].item()), int(ok["year"][j].item())
            reasons = [
                why_unserved(network, by_name.get(scenario), product, s, market, year, memo)
                for s in makers
            ] or [f"no site makes {product}"]
            rows.append((product, market, year, scenario, "; ".join(dict.fromkeys(reasons))))
    return pd.DataFrame(rows, columns=["product", "market", "year", "scenario", "reason"])


def unserved_message(row: pd.Series | dict) -> str:
    """One line for a row of :func:`unserved`.

    Parameters
    ----------
    row : pandas.Series or dict
        With ``product, market, year, scenario, reason``.

    Returns
    -------
    str
        ``"no lane can serve market M with P in Y under scenario S: <reason>"``.
    """
    return (
        f"no lane can serve market {row['market']} with {row['product']} in {row['year']} "
        f"under scenario {row['scenario']}: {row['reason']}"
    )


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
        One row per (product, market, year) that some site serves in ``a`` or ``b``:
        ``site_a``, ``site_b`` (cheapest in each; empty where no site can serve),
        ``total_a``, ``total_b`` (NaN where no site can serve), ``changed``,
        ``rank_of_a_in_b`` (1 = still cheapest; missing when ``site_a`` cannot serve
        under ``b``), and ``delta_<component>`` = cost of ``site_b`` under ``b`` minus
        cost of ``site_a`` under ``a`` — the component-by-component explanation, summing
        to ``total_b - total_a`` (NaN when either side has no option). Rows are ordered
        by the size of the change, largest first: rows where one side has no option,
        then ``|total_b - total_a|`` descending; unchanged rows come last.
    """
    for name in (a, b):
        if name not in ds["scenario"].to_numpy():
            raise ShoringError(f"scenario {name!r} is not in the results")
    best = cheapest(ds).set_index(["product", "market", "year", "scenario"])
    rows = []
    sites = list(ds["site"].to_numpy())
    total_b = ds["total"].sel(scenario=b)
    for (product, market, year), group in best.groupby(level=[0, 1, 2]):
        keys = set(group.index.get_level_values("scenario"))
        if a not in keys and b not in keys:
            continue
        ra = group.xs(a, level="scenario").iloc[0] if a in keys else None
        rb = group.xs(b, level="scenario").iloc[0] if b in keys else None
        cell = {"product": product, "market": market, "year": year}
        delta = np.full(len(COMPONENTS), np.nan)
        rank = pd.NA
        if ra is not None and rb is not None:
            cost_a = ds["cost"].sel(**cell, scenario=a, site=ra.site).to_numpy()
            cost_b = ds["cost"].sel(**cell, scenario=b, site=rb.site).to_numpy()
            delta = cost_b - cost_a
        if ra is not None:
            in_b = total_b.sel(**cell).to_numpy()
            own = in_b[sites.index(ra.site)]
            if np.isfinite(own):  # a site that cannot serve under b has no rank there
                rank = int(np.sum(np.isfinite(in_b) & (in_b < own))) + 1
        row = {
            **cell,
            "year": int(year),
            "site_a": "" if ra is None else ra.site,
            "site_b": "" if rb is None else rb.site,
            "total_a": np.nan if ra is None else float(ra.total),
            "total_b": np.nan if rb is None else float(rb.total),
            "changed": (ra is None) != (rb is None) or (ra is not None and ra.site != rb.site),
            "rank_of_a_in_b": rank,
        }
        row.update({f"delta_{c}": float(d) for c, d in zip(COMPONENTS, delta, strict=True)})
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["rank_of_a_in_b"] = frame["rank_of_a_in_b"].astype("Int64")
        # largest change first: where one side cannot serve (undefined change), then by
        # |total_b - total_a| descending; unchanged rows last (stable: product, market, year)
        size = (frame["total_b"] - frame["total_a"]).abs().fillna(np.inf)
        frame = frame.iloc[np.argsort(-size.to_numpy(), kind="stable")].reset_index(drop=True)
    return frame


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
    # rank by the mean over every cell; a site missing anywhere only after those that
    # are defined everywhere, and one never defined last
    others = [d for d in totals.dims if d != "site"]
    everywhere = totals.mean(others, skipna=False).to_numpy()
    somewhere = totals.mean(others).to_numpy()
    order = np.lexsort((somewhere, np.isnan(somewhere), np.isnan(everywhere)))
    return str(candidates[int(order[0])])


def breakeven_table(
    network: Network,
    ds: xr.Dataset,
    product: str,
    market: str,
    from_site: str,
    to_site: str,
    settings: CostSettings | None = None,
    scenarios: Sequence[Scenario] = (),
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
    Where either site cannot serve the market (e.g. an export ban closes its lane) its
    cost stays missing and so do the break-even points: ``unserved`` says why.

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
    scenarios : sequence of Scenario
        The scenarios of ``ds``, to name the measures that close a lane in ``unserved``.

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, year): ``scenario, year, from_site, to_site, cost_from,
        cost_to, customs_value, tariff_breakeven, duty_rate_from, wage_from,
        wage_breakeven, unserved`` (``duty_rate_from``: the duties the ``from`` lane pays
        now over its customs value, the most a tariff cut can remove; ``unserved``: empty,
        or why a site has no cost there; the figures are then NaN).
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
    # a site that cannot serve has every component missing: its total stays missing
    total_from = c_from.sum("component", skipna=False)
    total_to = c_to.sum("component", skipna=False)
    carried = c_from.sel(component=list(INVENTORY_BASE)).sum("component", skipna=False)
    k = c_from.sel(component=["inventory", "safety_stock"]).sum("component") / carried
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
    names, years = np.meshgrid(ds["scenario"].to_numpy(), ds["year"].to_numpy(), indexing="ij")
    by_name = {s.name: s for s in scenarios}
    reasons = [
        "; ".join(
            why_unserved(network, by_name.get(str(w)), product, site, market, int(y))
            for site, total in ((src, a), (dst, b))
            if not np.isfinite(total)
        )
        for w, y, a, b in zip(
            names.ravel(),
            years.ravel(),
            total_from.to_numpy().ravel(),
            total_to.to_numpy().ravel(),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "scenario": names.ravel(),
            "year": years.ravel(),
            "from_site": src,
            "to_site": dst,
            "cost_from": total_from.to_numpy().ravel(),
            "cost_to": total_to.to_numpy().ravel(),
            "customs_value": customs.to_numpy().ravel(),
            "tariff_breakeven": tariff.to_numpy().ravel(),
            "duty_rate_from": (c_from.sel(component="duties") / customs).to_numpy().ravel(),
            "wage_from": wage.to_numpy().ravel(),
            "wage_breakeven": wage_be.to_numpy().ravel(),
            "unserved": reasons,
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
        tariff_breakeven, wage_from, wage_breakeven, unserved`` (see
        :func:`breakeven_table`).
    """
    settings = settings or CostSettings()
    if product not in network.products.index:
        raise ShoringError(
            f"unknown product {product!r}; known: {', '.join(network.products.index)}"
        )
    ds = landed_cost(network, [scenario], years, settings)
    table = breakeven_table(
        network, ds, product, market, from_site, to_site, settings, scenarios=[scenario]
    )
    return table.drop(columns="scenario")
