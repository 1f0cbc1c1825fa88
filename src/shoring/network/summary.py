"""A one-screen summary of a network (counts), as plain data for the CLI and the web app."""

from __future__ import annotations

from typing import Any

from shoring.network.model import Network


def summarize(network: Network) -> dict[str, Any]:
    """Counts describing a network.

    Returns
    -------
    dict
        ``name``, ``products``, ``tiers`` (levels of the BOM), ``bom_lines``,
        ``finished_products`` (products with demand), ``sites`` (total),
        ``sites_by_country`` ({iso3: {status: count}}), ``suppliers``,
        ``suppliers_by_country`` ({iso3: count}), ``markets``, ``countries``,
        ``years`` ([first, last] or []), ``total_units`` (all demand) and
        ``units_by_year`` ({year: units}).
    """
    sites = network.sites
    by_site = sites.groupby(["country", "status"]).size()
    sites_by_country: dict[str, dict[str, int]] = {}
    for (country, status), count in by_site.items():
        sites_by_country.setdefault(str(country), {})[str(status)] = int(count)
    demand = network.demand
    by_year = demand.groupby("year")["units"].sum()
    years = network.years
    levels = network.bom_levels()
    return {
        "name": network.name,
        "products": len(network.product_ids),
        "tiers": int(levels.max()) + 1 if len(levels) else 0,
        "bom_lines": len(network.bom),
        "finished_products": sorted(demand.loc[demand["units"] > 0, "product"].unique().tolist()),
        "sites": len(sites),
        "sites_by_country": sites_by_country,
        "suppliers": len(network.supplier_ids),
        "suppliers_by_country": {
            str(k): int(v) for k, v in network.suppliers.groupby("country").size().items()
        },
        "markets": len(network.market_ids),
        "countries": list(network.countries),
        "years": [years[0], years[-1]] if years else [],
        "total_units": float(demand["units"].sum()),
        "units_by_year": {int(k): float(v) for k, v in by_year.items()},
    }
