"""What the engine needs per scenario-year besides duties and lanes: each site's rates
(wage, automation, productivity, risk, incentives, carbon price) and the
suppliers' offers delivered to every place. Called by :mod:`shoring.costs.engine`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from shoring.costs import formulas as f
from shoring.costs.duties import DutyRates
from shoring.costs.lanes import LaneCosts
from shoring.costs.prepare import _index, _Study
from shoring.costs.sourcing import Offers
from shoring.data.wages import covered_years
from shoring.scenario import (
    Scenario,
    automation_share,
    capacity_lost,
    carbon_prices,
    product_incentives,
    wage_multiplier,
)

if TYPE_CHECKING:
    from shoring.costs.engine import CostSettings

__all__ = ["purchased", "scenario_series", "site_rates"]


_SERIES_KEPT = 4  # scenarios whose series a study keeps (two workers, a look-ahead each)


def scenario_series(study: _Study, scenario: Scenario) -> dict[str, np.ndarray]:
    """A scenario's country and product series over every year of the study (cached).

    Computed once per scenario rather than once per scenario-year: each series function
    loops over the scenario's measures, whatever the number of years. The study keeps
    the last few scenarios' series (a sweep costs thousands of scenarios on one study).

    Returns
    -------
    dict of str to ndarray
        ``years`` (y,); ``growth`` (country, y), the USD wage relative to the last year of
        the wage table (1 up to it, or everywhere when every site's wage is given);
        ``automation`` (country, y); ``closed`` (country, y), the year's mean share of
        capacity closed; ``carbon_price`` (country, y) USD/tCO2 and ``carbon_border``
        (country, y) bool; ``incentives``, :func:`shoring.scenario.product_incentives`
        with a trailing year axis.
    """
    with study.lock:
        found = study.series.get(id(scenario))
        if found is not None and found[0] is scenario:
            study.series.move_to_end(id(scenario))
            return found[1]
    years = np.array(sorted(study.mfn), dtype=int)
    countries = list(study.countries)
    cs = study.site_country
    given = study.network.sites["wage_usd_per_hour"].to_numpy(dtype=float)
    tabled = set(study.countries[cs[np.isnan(given)]])
    growth = np.ones((len(countries), years.size))
    if tabled:  # after the table's last year, a scenario's wage paths move the wage
        last = max(covered_years(c)[1] for c in tabled)
        later = years > last
        if later.any():
            growth[:, later] = wage_multiplier(
                scenario, countries, years[later], base_year=last
            ).to_numpy()
    months = np.arange(
        np.datetime64(f"{years[0]}-01", "M"), np.datetime64(f"{years[-1] + 1}-01", "M")
    )
    closed = capacity_lost(scenario, countries, months).to_numpy()  # (c, months)
    first = (years - years[0]) * 12  # the study's years may skip some
    closed = np.stack([closed[:, m : m + 12].mean(axis=1) for m in first], axis=1)
    products = study.network.products
    carbon = carbon_prices(scenario, countries, years)
    series = {
        "years": years,
        "growth": growth,
        "automation": automation_share(scenario, countries, years).to_numpy(),
        "closed": closed,
        "carbon_price": carbon["usd_per_tco2"].to_numpy(),
        "carbon_border": carbon["border_adjustment"].to_numpy().astype(bool),
        "incentives": product_incentives(
            scenario,
            countries,
            years,
            products["hs_code"].to_numpy(dtype=str),
            products["kwh_per_unit"].to_numpy(dtype=float),
        ),
    }
    with study.lock:
        study.series[id(scenario)] = (scenario, series)
        while len(study.series) > _SERIES_KEPT:
            study.series.popitem(last=False)
    return series


def site_rates(
    study: _Study, scenario: Scenario, year: int, settings: CostSettings
) -> dict[str, np.ndarray]:
    """Per-site wage, labour factor, incentive and risk per unit for one year.

    ``productivity`` (site,): ``sites.productivity`` x the site's productivity index
    (``sites.productivity_index`` where given, else the study's ``base_productivity``:
    1, or with ``meta.labour_productivity: national`` the country's index for the year,
    USA = 1); the index alone is ``productivity_index``.

    ``risk`` (product, site), USD per unit: the simulated disruption cost
    (``settings.risk``, :func:`shoring.simulate.site_risk`) plus the share of the
    site's capacity the scenario's closures take out in the year times the lost-sale
    penalty.
    """
    series = scenario_series(study, scenario)
    y = int(np.searchsorted(series["years"], year))
    if y == series["years"].size or series["years"][y] != year:
        raise ValueError(f"year {year} is not one of the study's years")
    sites = study.network.sites
    cs = study.site_country
    given = sites["wage_usd_per_hour"].to_numpy(dtype=float)  # site override, NaN: table
    wage = np.where(np.isnan(given), study.base_wage.sel(year=year).to_numpy()[cs], given)
    wage = wage * series["growth"][cs, y]
    given = sites["productivity_index"].to_numpy(dtype=float)  # site override, NaN: table
    index = np.where(np.isnan(given), study.base_productivity.sel(year=year).to_numpy()[cs], given)
    auto_scn = series["automation"][cs, y]
    automation = 1.0 - (1.0 - sites["automation"].to_numpy(dtype=float)) * (1.0 - auto_scn)
    risk = study.hazard_risk + series["closed"][cs, y][None, :] * study.penalty[:, None]
    inc = {k: v[..., y] for k, v in series["incentives"].items()}
    # (product, site): the owner class and country of each site
    owner = sites["prohibited_foreign_entity"].to_numpy(dtype=bool).astype(int)[None, :]
    pick = (owner, np.arange(study.products.size)[:, None], cs[None, :])
    # one-off grants of a site: the largest a product it can make qualifies for
    candidate = (sites["status"] == "candidate").to_numpy()
    one_off = {
        k: np.where(study.can_make, inc[k][pick], 0.0).max(axis=0, initial=0.0)
        for k in ("capex_share", "per_job_usd")
    }
    capex_share = sites["incentive_capex_share"].to_numpy(dtype=float) + np.where(
        candidate, one_off["capex_share"], 0.0
    )
    per_job = sites["incentive_per_job_usd"].to_numpy(dtype=float) + np.where(
        candidate, one_off["per_job_usd"], 0.0
    )
    incentive = f.incentive_per_unit(
        inc["per_unit_usd"][pick],
        np.minimum(capex_share, 1.0),
        sites["opening_capex_usd"].to_numpy(dtype=float),
        per_job,
        sites["jobs"].to_numpy(dtype=float),
        sites["capacity_units"].to_numpy(dtype=float),
        settings.amortization_years,
    )
    return {
        "wage": wage,
        "automation": automation,
        "productivity": sites["productivity"].to_numpy(dtype=float) * index,
        "productivity_index": index,
        "risk": risk,
        "incentive": incentive,
        "incentive_cost_share": inc["cost_share"][pick],
        "carbon_price": series["carbon_price"][:, y],
        "carbon_border": series["carbon_border"][:, y],
    }


def purchased(
    study: _Study, duty: DutyRates, lanes: LaneCosts
) -> tuple[Offers, np.ndarray, np.ndarray]:
    """Supplier offers: per (supplier, destination place) cost, freight (with cargo
    insurance) and duty, and the cheapest offer per (product, destination place)."""
    sup = study.network.suppliers
    n_p, n_c = study.products.size, study.places.size
    delivered = np.full((n_p, n_c), np.inf)
    if sup.empty:
        empty = np.zeros((0, n_c))
        return Offers(np.zeros(0, dtype=int), empty, empty, empty, (), ()), empty, delivered
    prod = _index(sup["component"].tolist(), study.products)
    cu = _index(sup["country"].tolist(), study.countries)
    price = sup["unit_price_usd"].to_numpy(dtype=float)[:, None]
    freight = lanes.freight.to_numpy()[prod, study.supplier_place, :]  # (u, place), insured
    cif = f.customs_value(price, freight, 0.0, study.cif)
    h = study.hs_index[prod]
    rate = duty.rate_met[h, cu, :] + duty.ntb[h, cu, :]  # bought goods originate at the supplier
    specific = (
        duty.specific_per_kg_met[h, cu, :] * study.weight[prod, None]
        + duty.specific_per_unit_met[h, cu, :]
    )
    user = study.user
    paid = user.zero("duties", f.duty(cif, rate, specific))
    lane = user.zero("lane", user.lanes.supply) if user.lanes is not None else 0.0
    cost = price + user.zero("freight", freight) + paid + lane
    cost = np.where(np.isnan(cost) | (duty.blocked[h, cu, :] > 0.5), np.inf, cost)
    order = np.argsort(prod, kind="stable")
    prods, starts = np.unique(prod[order], return_index=True)
    delivered[prods] = np.minimum.reduceat(cost[order], starts, axis=0)
    offers = Offers(
        product=prod,
        cost=cost,
        freight=np.nan_to_num(freight),
        duty=np.nan_to_num(paid),
        declared=tuple(sup["originating"]),
        country=tuple(sup["country"]),
    )
    return offers, cost, delivered
