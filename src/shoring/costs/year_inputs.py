"""What the engine needs per scenario-year besides duties and lanes: each site's rates
(wage, automation, productivity, risk, incentives, carbon price) and the
suppliers' offers delivered to every place. Called by :mod:`shoring.costs.engine`."""

from __future__ import annotations

import datetime as dt
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

__all__ = ["purchased", "site_rates"]


def site_rates(
    study: _Study, scenario: Scenario, year: int, settings: CostSettings
) -> dict[str, np.ndarray]:
    """Per-site wage, labour factor, incentive and risk per unit for one year.

    ``risk`` (product, site), USD per unit: the simulated disruption cost
    (``settings.risk``, :func:`shoring.simulate.site_risk`) plus the share of the
    site's capacity the scenario's closures take out in the year times the lost-sale
    penalty.
    """
    sites = study.network.sites
    countries = list(study.countries)
    cs = study.site_country
    given = sites["wage_usd_per_hour"].to_numpy(dtype=float)  # site override, NaN: table
    tabled = set(study.countries[cs[np.isnan(given)]])
    last_wage_year = max((covered_years(c)[1] for c in tabled), default=year)
    growth = wage_multiplier(
        scenario, countries, [year], base_year=min(year, last_wage_year)
    ).to_numpy()[:, 0]
    wage = np.where(np.isnan(given), study.base_wage.sel(year=year).to_numpy()[cs], given)
    wage = wage * growth[cs]
    auto_scn = automation_share(scenario, countries, [year]).to_numpy()[:, 0]
    automation = 1.0 - (1.0 - sites["automation"].to_numpy(dtype=float)) * (1.0 - auto_scn[cs])
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    closed = capacity_lost(scenario, countries, months).mean("month").to_numpy()
    risk = study.hazard_risk + closed[cs][None, :] * study.penalty[:, None]
    products = study.network.products
    inc = product_incentives(
        scenario,
        countries,
        year,
        products["hs_code"].to_numpy(dtype=str),
        products["kwh_per_unit"].to_numpy(dtype=float),
    )
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
    carbon = carbon_prices(scenario, countries, [year])
    return {
        "wage": wage,
        "automation": automation,
        "productivity": sites["productivity"].to_numpy(dtype=float)
        * sites["productivity_index"].fillna(1.0).to_numpy(dtype=float),
        "risk": risk,
        "incentive": incentive,
        "incentive_cost_share": inc["cost_share"][pick],
        "carbon_price": carbon["usd_per_tco2"].to_numpy()[:, 0],
        "carbon_border": carbon["border_adjustment"].to_numpy()[:, 0].astype(bool),
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
