"""The landed-cost engine: every (product, site, market, year, scenario), component by component.

For each scenario and year the engine walks the bill of materials from the deepest tier
up. Goods move between *places* (a node's city or coordinates, else its country's
capital: places.py; prepared once per study in prepare.py). A component delivered to a
place costs the cheapest of its suppliers (price + freight + duty) and of the firm's own
sites that make it (their full landed cost). A product made at a site then costs::

    materials  = sum_k bom_pk * delivered_k(site's place)
    labour     = hours * wage(country, year) * (1 - automation) / productivity (year_inputs.py)
    overhead   = overhead_rate * (materials + labour)
    production = the user's variable cost per unit made at the site (user_costs.py)
    freight    = chosen mode's freight and cargo insurance to the destination (lanes.py;
                 the year's ocean rates, sea routes around the scenario's closed chokepoints)
    lane       = the user's cost per unit on the lane          (user_costs.py)
    duties     = customs value * rate + specific               (duties.py; FOB or CIF by
                 importer; preference only when the product meets its rule of origin,
                 traced through the BOM; the cheapest qualifying mix of suppliers is
                 bought instead of the cheapest one where the duty saved pays for it:
                 origin.py, sourcing.py)
    inventory  = (materials + labour + overhead + production + freight + lane + duties)
                 * carrying rate * transit / 365 (goods in transit; the rate: the
                 lane's, product's or network's where set)
    safety_stock = the same value * carrying rate * safety days / 365, safety days
                 = z * sqrt(transit * cv^2 + lead_time_sd^2) (lanes.py), or the lane's,
                 product's or network's days where set
    risk       = expected disruption cost per unit made at the site, simulated once per
                 study (``settings.risk``: shoring.simulate.site_risk) + share of
                 capacity the scenario's closures take out * lost-sale penalty
    carbon     = transport CO2 * carbon price (importer's if it adjusts at the border)
    TCO        = packaging, customs fees, prepayment, quality, oversight, IP risk, obsolescence
    incentives = per-unit grants (per unit, per kWh) + cost share * (materials + labour
                 + overhead + production) + (capex share * capex + per job * jobs)
                 / (capacity * amortization years)        (subtracted)

Each site's rates and the suppliers' offers of a scenario-year come from year_inputs.py,
the chunks' memory from blocks.py. Sites sharing a place share every lane quantity,
computed once per place (like markets per destination).
Excluded components (``meta.exclude_components``) are 0. Everything is vectorized over
products, sites and destinations; the only Python loops run over scenarios, years, tiers.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from shoring.costs import formulas as f
from shoring.costs.assemble import combine_chunks, to_markets
from shoring.costs.blocks import (
    COMPONENTS,
    ComponentWriter,
    Recycler,
    Scratch,
    engine_memory,
    gather,
    sum_components,
)
from shoring.costs.duties import duty_rates, member_mask
from shoring.costs.lanes import scenario_lanes
from shoring.costs.places import duties_at_places
from shoring.costs.prepare import _Study, _study
from shoring.costs.sourcing import (
    bought_levels,
    lane_pick,
    lane_take,
    originating_supply,
    tier_origin,
)
from shoring.costs.tco import lane_tco, tco_costs
from shoring.costs.year_inputs import purchased, site_rates
from shoring.data.agreements import agreement
from shoring.data.distances import Distances
from shoring.data.transport import CostParameters, cost_parameters
from shoring.errors import ShoringError
from shoring.network import Network
from shoring.scenario import (
    Scenario,
)


@dataclass(frozen=True)
class CostSettings:
    """Choices of the landed-cost engine (all with documented defaults).

    Attributes
    ----------
    distances : Distances
        Country-to-country distances; great-circle between capitals by default.
    parameters : CostParameters
        Carrying rate, safety stock, insurance, overhead defaults (data card
        ``cost_parameters``).
    amortization_years : float
        Years over which one-off incentives (capex share, per job) are spread per unit.
        An assumption (10 years, a common straight-line life of plant equipment).
    threads : int
        Scenario-years computed at once (numpy releases the GIL in the heavy loops);
        the machine's cores, at most 2, by default.
    risk : xarray.DataArray, optional
        Expected disruption cost per unit (product, site) from the hazard simulation
        (:func:`shoring.simulate.site_risk`), which :class:`shoring.study.Study`
        computes once per study and passes here. None: no simulation, and the ``risk``
        component holds only the scenarios' closures (recorded in the attributes).
    """

    distances: Distances = field(default_factory=Distances.great_circle)
    parameters: CostParameters = field(default_factory=cost_parameters)
    amortization_years: float = 10.0
    threads: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    risk: xr.DataArray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _YearCosts:
    components: np.ndarray  # (component, made product, site, destination place)
    total: np.ndarray  # (made product, site, destination place): sum, NaN where invalid
    origin_rule_met: np.ndarray  # (made product, site, destination place)
    origin_margin: np.ndarray  # (made product, site, destination place), float32
    qualifying_mix: np.ndarray  # (made product, site, destination place): bought to qualify
    supply: np.ndarray  # (supplier, destination place): price + freight + duty
    wage: np.ndarray  # (site,): labour cost per hour in the site's country
    productivity_index: np.ndarray  # (site,): output per hour, USA = 1 (site's or country's)
    missing_mfn: tuple[str, ...]  # importers without a cited MFN figure (taken as 0)
    # (made, site, place): duty saved by qualifying, with its carrying cost, where
    # qualifying depends on the sourcing (else 0); only when asked for (lane_costs)
    at_stake: np.ndarray | None = None


def _year_costs(
    study: _Study,
    scenario: Scenario,
    year: int,
    settings: CostSettings,
    stakes: bool = False,
    empty: Callable[[tuple[int, ...]], np.ndarray] = np.empty,
    scratch: Scratch | None = None,
) -> _YearCosts:
    """Components of every (made product, site, destination place), and supplier offers.

    ``stakes``: also return the duty at stake where qualifying is a sourcing decision
    (for network design). ``empty`` allocates the components and totals; ``scratch``
    holds the working arrays (kept by the caller across scenario-years).
    """
    scratch = scratch if scratch is not None else Scratch()
    duty_args = (list(study.hs), list(study.countries), year, study.mfn[year], study.copper_share)
    duty = duties_at_places(duty_rates(scenario, *duty_args), study.place_country)
    rates = site_rates(study, scenario, year, settings)
    lanes = scenario_lanes(study.lanes, scenario, year)
    cs, sp = study.site_country, study.site_place
    n_s, n_c = cs.size, study.places.size
    made = study.made_order  # output rows: made products, deepest tier first
    shape = (len(COMPONENTS), made.size, n_s, n_c)  # component first: contiguous writes
    out = empty(shape)
    met_out = np.zeros((made.size, n_s, n_c), dtype=bool)
    margin_out = np.full((made.size, n_s, n_c), np.nan, dtype=np.float32)
    mix_out = np.zeros((made.size, n_s, n_c), dtype=bool)
    total_out = empty((made.size, n_s, n_c))
    stake_out = np.zeros((made.size, n_s, n_c)) if stakes else None
    offers, supply, delivered = purchased(study, duty, lanes)

    # lane rows: what depends only on a lane (freight, duty, fees, days) is computed once
    # per place that sites share (lp: place, lc: country of each row; ls: each site's row)
    # and taken per site where it meets the site's own costs; the user's lane rows name
    # sites, so with them every site is its own row
    user = study.user
    if user.lanes is None and np.unique(sp).size < n_s:
        lp, first, ls = np.unique(sp, return_index=True, return_inverse=True)
        lc = cs[first]

        def take(values: np.ndarray) -> np.ndarray:
            buf = scratch.get((values.shape[0], n_s, *values.shape[2:]), values.dtype)
            return np.take(values, ls, axis=1, out=buf, mode="clip")

    else:
        lp, lc, ls = sp, cs, None

        def take(values: np.ndarray) -> np.ndarray:
            return values

    # agreements whose rule of origin decides some lane (free circulation needs none)
    mid = dt.date(year, 7, 1)
    lane_ids_l = duty.agreement[lc, :]  # (lane row, c)
    ids = sorted(
        str(a) for a in np.unique(lane_ids_l) if a and not agreement(str(a)).free_circulation
    )
    lane_agreement_l = np.full(lane_ids_l.shape, -1)
    for i, agreement_id in enumerate(ids):
        lane_agreement_l[lane_ids_l == agreement_id] = i
    lane_agreement = lane_agreement_l if ls is None else lane_agreement_l[ls]  # (s, c)
    usmca_l = lane_ids_l == "USMCA"  # originating goods pay no US MPF
    rules = [study.agreement_rules(a, mid) for a in ids]
    party = member_mask(ids, list(study.countries), mid)  # (a, c)
    # sites where a good can originate under each agreement: in a party (or with a lane
    # under it); the origin tests run there only
    on_lanes = (lane_agreement[None] == np.arange(len(ids))[:, None, None]).any(axis=2)
    party_site = party[:, cs] | on_lanes  # (a, s)
    bought = [
        bought_levels(offers, r, study.products.size, mid, np.unique(sp[party_site[a]]))
        for a, r in enumerate(rules)
    ]
    own_cost = np.full(delivered.shape, np.inf)  # own-made, delivered from the best site
    own_vnm = [np.zeros(delivered.shape) for _ in ids]  # its non-originating value
    # own-made and originating under each agreement (made in a party with a qualifying
    # mix), delivered from the best such site: a parent may need it (inf where none)
    own_q = [np.full(delivered.shape, np.inf) for _ in ids]
    is_component = study.bom.any(axis=0)
    price, pc = rates["carbon_price"], study.place_country
    carbon_price = np.where(
        rates["carbon_border"][pc][None, :], price[pc][None, :], price[lc][:, None]
    )

    for tier in range(int(study.tiers.max(initial=0)), -1, -1):
        rows = np.flatnonzero(study.tiers[made] == tier)
        if rows.size == 0:
            continue
        scratch.reset()  # the previous tier's working arrays are free again
        pl = made[rows]
        cells = (pl.size, n_s, n_c)
        block = out[:, rows[0] : rows[-1] + 1]  # a view: this tier's rows are contiguous
        at_site = delivered[:, sp]  # (k, s)
        # a component of the BOM not available at the site (counted over the sparse BOM)
        unavailable = (study.bom_sparse[pl] > 0) @ ~np.isfinite(at_site) > 0  # (pl, s)
        finite = np.where(np.isfinite(at_site), at_site, 0.0)
        materials = study.bom_sparse[pl] @ finite
        labour = f.labour_cost(
            study.hours[pl, None],
            rates["wage"][None],
            rates["automation"][None],
            rates["productivity"][None],
        )
        ovh = study.overhead_rate[pl, None]
        overhead = ovh * (materials + labour)
        production = user.production[pl]
        exworks = materials + labour + overhead + production
        incentive = rates["incentive"][pl] + rates["incentive_cost_share"][pl] * exworks

        # origin of the cheapest mix, and the extra cost of the cheapest qualifying mix,
        # under each lane's agreement (origin traced through the BOM: sourcing.py)
        org = tier_origin(
            rules, bought, own_cost, own_vnm, own_q, pl, study.slots, study.qty, sp,
            study.value, labour, study.overhead_rate, party_site,
        )  # fmt: skip
        met = lane_take(org.met, lane_agreement, scratch.get(cells, bool))
        extra = lane_take(org.extra, lane_agreement, scratch.get(cells))
        # the margin reported (float32), of the mix bought; NaN where no rule applies
        margin_rows = margin_out[rows[0] : rows[-1] + 1]  # a view: rows are contiguous
        lane_take(org.margin, lane_agreement, margin_rows)
        value = study.value[pl, None, None]
        h = study.hs_index[pl]
        threshold_l = gather(duty.rvc_threshold, h, lc)
        free_l = threshold_l == 0.0  # free circulation: always met
        # a scenario's own preference (no agreement): nothing counts as originating
        scenario = (lane_agreement_l < 0)[None] & (threshold_l > 0.0)
        if scenario.any():
            threshold = take(threshold_l)
            rvc = f.regional_value_content(value, materials[:, :, None])
            met = np.where(take(scenario), rvc >= threshold, met)
            np.copyto(margin_rows, rvc - threshold, where=take(scenario), casting="same_kind")
        free = take(free_l)
        none = take(np.isnan(threshold_l))  # no preference on the lane
        met = (met | free) & ~none

        # what depends on the lane only, once per lane row (sites at one place share it)
        freight_l = gather(lanes.freight.to_numpy(), pl, lp)
        customs = f.customs_value(value, freight_l, 0.0, study.cif[None, None, :])  # insured
        weight = study.weight[pl, None, None]
        duty_met = f.duty(
            customs,
            gather(duty.rate_met + duty.ntb, h, lc),
            gather(duty.specific_per_kg_met, h, lc) * weight
            + gather(duty.specific_per_unit_met, h, lc),
        )
        duty_not = f.duty(
            customs,
            gather(duty.rate_not + duty.ntb, h, lc),
            gather(duty.specific_per_kg_not, h, lc) * weight
            + gather(duty.specific_per_unit_not, h, lc),
        )
        transit = gather(lanes.transit_days.to_numpy(), pl, lp)
        rate, safety = user.inventory(pl, gather(lanes.safety_days.to_numpy(), pl, lp))
        lane_tco_ = lane_tco(
            study.tco, user.excluded, pl, lp, value, rate, customs, transit, safety,
            usmca_l[None], free_l,
        )  # fmt: skip
        # buy the qualifying mix where what it saves (duty with its carrying cost, the MPF)
        # pays for its extra cost (with its carrying cost and prepayment)
        gain = take((duty_not - duty_met) * lane_tco_.keep + lane_tco_.mpf_saved)
        factor = take(np.broadcast_to(lane_tco_.keep + lane_tco_.prepay, duty_met.shape))
        dearer = np.multiply(extra, 1.0 + ovh[:, :, None], out=scratch.get(cells))
        dearer *= factor
        chosen = np.greater(gain, dearer, out=scratch.get(cells, bool))
        chosen &= ~met
        chosen &= ~none
        met |= chosen
        invalid = (
            ~study.can_make[pl][:, :, None]
            | unavailable[:, :, None]
            | take(np.isnan(freight_l) | (gather(duty.blocked, h, lc) > 0.5))
        )
        # where the qualifying mix is bought (few cells): its extra materials cost
        # np.nonzero of a 3-D mask: 10 ms even when empty at the benchmark size; 1.6 flat
        bought_at = np.unravel_index(np.flatnonzero(chosen), chosen.shape)
        add = extra[bought_at]
        margin_rows[bought_at] = lane_pick(org.margin_q, lane_agreement, bought_at)
        np.copyto(margin_rows, np.nan, where=free | none | invalid)
        put = ComponentWriter(block, ls, duty_met.shape)
        # the components, written in place; ex-works and the stock value before exclusions
        freight = put("freight", freight_l, per_lane=True)
        duties = put("duties", duty_not, per_lane=True)
        np.copyto(duties, take(duty_met), where=met)
        lane = put("lane", user.lane_cost(pl), final=True)
        materials_ = put("materials", materials[:, :, None])
        overhead_ = put("overhead", overhead[:, :, None])
        exw = (materials + labour + overhead + production)[:, :, None]  # ex-works
        # with the qualifying mix bought: materials, overhead and ex-works at those cells
        materials_[bought_at] += add
        overhead_[bought_at] += add * ovh[bought_at[0], 0]
        exw_at = materials_[bought_at] + overhead_[bought_at]
        exw_at += (labour + production)[bought_at[:2]]
        moved = [m for n, m in (("freight", freight), ("duties", duties)) if n not in user.excluded]
        if "lane" not in user.excluded and user.lanes is not None:
            moved.append(lane)
        stock = scratch.get(cells)
        if moved:
            np.add(exw, moved[0], out=stock)
        else:
            np.copyto(stock, exw)
        for more in moved[1:]:
            stock += more
        stock_at = exw_at.copy()
        for more in moved:
            stock_at += more[bought_at]
        stock[bought_at] = stock_at
        held = f.inventory_cost(1.0, rate, transit, 0.0)  # carrying per USD in transit
        inventory = put("inventory", held, per_lane=True)
        inventory *= stock
        buffer = f.inventory_cost(1.0, rate, 0.0, safety)  # per USD of safety stock
        safety_stock = put("safety_stock", buffer, per_lane=True)
        safety_stock *= stock
        tco_costs(
            lane_tco_, take, put, study.tco, pl, sp, value, (exw, bought_at, exw_at), stock, met
        )
        if stake_out is not None and rules:  # no agreement decides a lane: nothing at stake
            always = np.ones((pl.size, len(rules) + 1, n_s), dtype=bool)  # slot A: no agreement
            for a, r in enumerate(rules):
                always[:, a, :] = r.always[pl, None]
            decide = ~lane_take(always, lane_agreement) & (lane_agreement >= 0)[None] & ~none
            stake_out[rows] = np.where(decide & (gain > 0), gain, 0.0)
        put("labour", labour[:, :, None], final=True)
        put("production", production[:, :, None], final=True)
        put("risk", rates["risk"][pl][:, :, None], final=True)
        carbon = f.carbon_cost(gather(lanes.co2_kg.to_numpy(), pl, lp), carbon_price[None])
        put("carbon", carbon, per_lane=True, final=True)
        put("incentives", -incentive[:, :, None], final=True)
        for name in user.excluded:
            put(name, 0.0, final=True)
        bad = np.flatnonzero(invalid.any(axis=(1, 2)))  # products with an invalid lane
        if bad.size:
            rows_bad = block[:, bad]  # a copy (fancy index): written back
            np.copyto(rows_bad, np.nan, where=invalid[None, bad])
            block[:, bad] = rows_bad
        met_out[rows] = met & ~invalid
        mix_out[rows] = chosen & ~invalid

        summed = total_out[rows[0] : rows[-1] + 1]  # a view, like ``block``
        sum_components(block, summed, zeros=put.zeros)  # (pl, s, c), NaN where invalid
        # components of other products: delivered from their best site to every place
        components = np.flatnonzero(is_component[pl])
        if components.size == 0:
            continue
        cp = pl[components]
        total = np.where(invalid[components], np.inf, summed[components])
        best_site = np.argmin(total, axis=1)  # (cp, c)
        own = np.take_along_axis(total, best_site[:, None, :], axis=1)[:, 0, :]
        delivered[cp] = np.minimum(own, delivered[cp])
        own_cost[cp] = own
        # an own-made component is originating under an agreement when made in a party
        # and meeting its rule there (with the mix bought for it)
        at_best = np.take_along_axis(chosen[components], best_site[:, None, :], axis=1)[:, 0, :]
        lane_at_best = lane_agreement[best_site, np.arange(n_c)[None, :]]
        for a in range(len(ids)):
            qualifies = np.take_along_axis(org.met[components, a], best_site, axis=1) | (
                at_best & (lane_at_best == a)
            )
            originating = party[a][cs[best_site]] & qualifies
            own_vnm[a][cp] = np.where(originating, 0.0, np.where(np.isfinite(own), own, 0.0))
        if ids:
            own_q_tier = originating_supply(
                total, org, components, chosen[components], met[components],
                none[components], gain[components], factor[components], ovh[components],
                lane_agreement, party[:, cs],
            )  # fmt: skip
            for a in range(len(ids)):
                own_q[a][cp] = own_q_tier[a]
    return _YearCosts(
        out,
        total_out,
        met_out,
        margin_out,
        mix_out,
        supply,
        rates["wage"],
        rates["productivity_index"],
        duty.missing_mfn,
        stake_out,
    )


def _resolve_years(network: Network, years: Sequence[int] | None) -> list[int]:
    chosen = list(years) if years is not None else list(network.years)
    if not chosen:
        raise ShoringError("no years to cost: the network has no demand and no --year was given")
    return sorted(set(int(y) for y in chosen))


def iter_landed_cost(
    network: Network,
    scenarios: Sequence[Scenario],
    years: Sequence[int] | None = None,
    settings: CostSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
    all_destinations: bool = False,
) -> Iterator[xr.Dataset]:
    """Landed costs one (scenario, year) at a time, for studies too large to hold at once.

    Markets at the same place share every cost, so each chunk is computed once per
    destination place: the Datasets have a ``destination`` dimension (the distinct market
    places, labelled by :func:`shoring.costs.places.place_labels`: the ISO3 code for a
    market at its capital) instead of ``market``, and ``scenario`` and ``year`` of
    length 1. :func:`landed_cost` maps destinations back to markets.

    Parameters
    ----------
    network, scenarios, years, settings, progress
        As for :func:`landed_cost`.
    all_destinations : bool
        Every place of the network (sites', suppliers' and markets') is a destination,
        and the chunks also carry ``supply`` (supplier, destination): price + freight +
        duty of each supplier's offer delivered there, ``at_stake`` (product, site,
        destination): the duty qualifying saves where it is a sourcing decision, and the
        ``site_place`` coordinate (each site's own place label). What network design
        needs (see :func:`shoring.costs.lane_costs`); default: market places only.

    Yields
    ------
    xarray.Dataset
        One per (scenario, year), scenarios in the order given then years ascending:
        ``cost`` (scenario, year, component, product, site, destination) in USD per unit,
        ``total``, ``origin_rule_met``, ``origin_margin``, ``origin_qualifying_mix``,
        ``lead_time_days``, ``mode`` and
        ``wage_usd_per_hour`` and ``productivity_index`` as in :func:`landed_cost`.

    Raises
    ------
    shoring.errors.ShoringError
        On the first iteration, if there are no years to cost (no ``years`` and no demand
        in the network).
    """
    settings = settings or CostSettings()
    chosen = _resolve_years(network, years)
    study = _study(network, chosen, settings)
    made = study.made_order
    products = study.products[made]
    dest = np.arange(study.places.size) if all_destinations else np.unique(study.market_place)
    sites = network.sites
    first = study.lanes.at(chosen[0])
    lead = first.transit_days.to_numpy()[made][:, study.site_place][:, :, dest]
    mode = first.mode.to_numpy()[made][:, study.site_place][:, :, dest]  # fixed-width text
    coords = {
        "product": list(products),
        "site": list(sites.index),
        "destination": list(study.places[dest]),
        "component": list(COMPONENTS),
        "site_country": ("site", sites["country"].tolist()),
    }
    design_coords = {
        **coords,
        "supplier": list(network.suppliers.index),
        "site_place": ("site", list(study.places[study.site_place])),
    }
    dims = ("product", "site", "destination")

    def chunk(job: tuple[Scenario, int]) -> xr.Dataset:
        scenario, year = job
        every = dest.size == study.places.size  # every place a destination, in order
        scratch = scratches.setdefault(threading.get_ident(), Scratch())  # one per worker
        year_costs = _year_costs(
            study, scenario, year, settings, all_destinations,
            outputs.empty if every else np.empty, scratch,
        )  # fmt: skip

        def at(values: np.ndarray) -> np.ndarray:
            return values if every else np.take(values, dest, axis=-1)

        cost, total = at(year_costs.components), at(year_costs.total)
        importer = study.place_country[dest]
        mfn = study.mfn[year][study.hs_index[made]][:, importer]
        basis = study.mfn_basis[year][made][:, importer]
        variables = {
            "cost": (("component", *dims), cost),
            "total": (dims, total),
            "origin_rule_met": (dims, at(year_costs.origin_rule_met)),
            "origin_margin": (dims, at(year_costs.origin_margin)),
            "origin_qualifying_mix": (dims, at(year_costs.qualifying_mix)),
            "wage_usd_per_hour": ("site", year_costs.wage),
            "productivity_index": ("site", year_costs.productivity_index),
            "lead_time_days": (dims, lead),
            "mode": (dims, mode),
            "mfn_rate": (("product", "destination"), mfn),
            "duty_basis": (("product", "destination"), basis.astype(str)),
        }
        if all_destinations:
            variables["supply"] = (("supplier", "destination"), at(year_costs.supply))
            variables["at_stake"] = (dims, at(year_costs.at_stake))
        return xr.Dataset(
            variables,
            coords=design_coords if all_destinations else coords,
            attrs={
                "importers_without_mfn": ", ".join(year_costs.missing_mfn),
                "mfn_notes": "\n".join(study.mfn_notes),
            },
        ).expand_dims(scenario=[scenario.name], year=[year])

    outputs = Recycler()
    scratches: dict[int, Scratch] = {}
    jobs = [(scenario, year) for scenario in scenarios for year in chosen]
    workers = max(1, min(settings.threads, len(jobs)))
    with engine_memory(), ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for done, job in enumerate(jobs, start=1):
            pending.append(pool.submit(chunk, job))
            if len(pending) > workers:  # bounded look-ahead keeps memory flat
                yield pending.popleft().result()
                if progress is not None:
                    progress(done - workers, len(jobs))
        while pending:
            yield pending.popleft().result()
            if progress is not None:
                progress(len(jobs) - len(pending), len(jobs))


def landed_cost(
    network: Network,
    scenarios: Sequence[Scenario],
    years: Sequence[int] | None = None,
    settings: CostSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Landed cost per unit of every product at every site for every market, year, scenario.

    Parameters
    ----------
    network : Network
        The firm's network.
    scenarios : sequence of Scenario
        Policy futures (see :mod:`shoring.scenario`).
    years : sequence of int, optional
        Years to cost; the network's demand years by default.
    settings : CostSettings, optional
        Distances, cost parameters, sampling of measures, amortization.
    progress : callable, optional
        Called with ``(done, total)`` after each scenario-year.

    Returns
    -------
    xarray.Dataset
        ``cost`` (product, site, market, year, scenario, component) in USD per unit, with
        ``incentives`` negative; ``total`` = ``cost.sum("component")``; NaN where the site
        cannot make the product, a component cannot be sourced, or the lane is closed.
        ``origin_rule_met`` (bool: the good meets the rule of origin of the lane's
        preference; False where there is none), ``origin_margin`` (float32, share of the
        good's value: RVC achieved minus required, cap minus share, or tolerance minus the
        value of inputs failing the tariff shift, for the best alternative of the rule;
        >= 0 met; NaN where no rule applies: no preference, free circulation, invalid)
        and ``origin_qualifying_mix`` (bool: the cheapest qualifying mix of suppliers was
        bought instead of the cheapest one, because the duty saved exceeds its extra
        cost) per (product, site, market, year, scenario); ``lead_time_days`` and ``mode``
        (the chosen transport mode, first year, open sea routes) per (product, site,
        market); coordinates ``site_location`` and ``market_location`` say how each node
        was located (``city``, ``coordinates`` or the ``capital`` fallback);
        ``wage_usd_per_hour`` and ``productivity_index`` (output per hour, USA = 1: the
        site's own, else 1 or, with ``meta.labour_productivity: national``, its
        country's, :mod:`shoring.data.productivity`) (site, year, scenario). The rule
        applied to a lane is
        :func:`shoring.costs.explain_origin`'s to read.
        Attributes record the sources, scenario definitions and package version, and
        ``importers_without_mfn``: importers with no cited MFN figure, whose MFN is
        taken as 0 (their duties then come from scenario measures only).
    """
    settings = settings or CostSettings()
    chunks = iter_landed_cost(network, scenarios, years, settings, progress)
    return to_markets(combine_chunks(network, scenarios, chunks, settings), network)
