"""Benchmark of the landed-cost engine against a per-record Python implementation.

Run::

    python benchmarks/landed_cost.py [--products 200] [--sites 300] [--markets 100]
                                     [--years 10] [--scenarios 8] [--sample 20000]

A seeded synthetic network (``np.random.default_rng(seed)``; every figure an assumption
for timing only): ``products`` finished goods, each made from one purchased component;
``sites`` plants in the economies with a labour cost and a productivity index (54), all
able to make every product; ``markets`` markets;
suppliers in 10 countries. Scenarios: the built-in library (cycled to ``scenarios``).

Measured in the same run:

- engine: :func:`shoring.costs.iter_landed_cost` over every (product, site, market,
  year, scenario) cell, one scenario-year at a time (chunked), cells/second;
- per-record: the same formulas written the straightforward way, one cell at a time in
  Python (dict lookups of rates, scalar arithmetic; the rule of origin tested for every
  supplier of the component, the cheapest qualifying one bought where the duty saved
  pays for it), on a random sample of cells, using the same inputs (lanes, duty rates,
  wages, product rules); its results are checked against the engine's for the sample,
  then its cells/second is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from itertools import islice

import numpy as np
import xarray as xr

from shoring.costs import CostSettings, iter_landed_cost
from shoring.costs import engine as eng
from shoring.costs.duties import duty_rates
from shoring.costs.year_inputs import site_rates
from shoring.data.agreements import members as members_of
from shoring.data.productivity import productivity_economies
from shoring.data.rules_of_origin import product_rule, provisions
from shoring.data.tco import tco_parameters
from shoring.data.wages import labour_cost_table
from shoring.network import Network
from shoring.scenario import builtin_scenarios

COUNTRIES = sorted(labour_cost_table()["iso3"].unique())  # sites need a labour cost
SITE_COUNTRIES = [c for c in COUNTRIES if c in productivity_economies()]  # and an index
HS = ["850760", "854442", "610910", "901819", "847130", "870899", "940360", "392690"]


def synthetic_network(n_products: int, n_sites: int, n_markets: int, seed: int) -> Network:
    """A network of the requested size; all values are assumptions for timing."""
    rng = np.random.default_rng(seed)
    products, bom, suppliers = [], [], []
    for i in range(n_products):
        value = float(rng.uniform(20, 2000))
        products.append(
            {"id": f"p{i}", "hs_code": HS[i % len(HS)], "unit_value_usd": value,
             "weight_kg": float(rng.uniform(0.5, 50)), "labour_hours": float(rng.uniform(0.1, 5))}
        )  # fmt: skip
        products.append(
            {"id": f"c{i}", "hs_code": HS[(i + 3) % len(HS)], "unit_value_usd": value * 0.4,
             "weight_kg": 0.5, "labour_hours": 0.0}
        )  # fmt: skip
        bom.append({"parent": f"p{i}", "component": f"c{i}", "quantity": 1})
        for j in range(2):
            suppliers.append(
                {"id": f"s{i}-{j}", "country": COUNTRIES[int(rng.integers(0, len(COUNTRIES)))],
                 "component": f"c{i}", "capacity_units": 1e9,
                 "unit_price_usd": value * float(rng.uniform(0.3, 0.5))}
            )  # fmt: skip
    made = [f"p{i}" for i in range(n_products)]
    sites = [
        {"id": f"site{k}", "country": SITE_COUNTRIES[k % len(SITE_COUNTRIES)],
         "status": "candidate",
         "products": made, "capacity_units": 1e7, "fixed_cost_usd": 1e6,
         "automation": float(rng.uniform(0, 0.5))}
        for k in range(n_sites)
    ]  # fmt: skip
    # markets spread over every country of the table (a stride coprime with its size: a
    # 56th country made 7 a divisor and put 100 markets in 8 countries)
    n = len(COUNTRIES)
    stride = next(s for s in range(7, 7 + n) if math.gcd(s, n) == 1)
    markets = [{"id": f"m{k}", "country": COUNTRIES[(k * stride) % n]} for k in range(n_markets)]
    demand = [{"market": "m0", "product": "p0", "year": 2025, "units": 1.0}]
    return Network.from_dict(
        {"meta": {"name": "synthetic", "base_year": 2025}, "products": products, "bom": bom,
         "sites": sites, "suppliers": suppliers, "markets": markets, "demand": demand}
    )  # fmt: skip


def per_record_inputs(study, scenario, year, settings):
    """Rates and rules the per-record code looks up (computed once, outside its timing)."""
    duty = duty_rates(scenario, list(study.hs), list(study.countries), year)
    rates = site_rates(study, scenario, year, settings)
    mid = dt.date(year, 7, 1)
    ids = sorted(set(duty.agreement.ravel()) - {""})
    members = {a: set(members_of(a, mid)) for a in ids}
    rules = {(a, h): product_rule(a, h, mid) for a in ids for h in study.hs}
    return duty, rates, members, rules


def origin_margin(rule, prov, product_hs, value, net_cost, inputs):
    """Margin of the best alternative of a rule for one mix, record by record.

    ``inputs``: (hs, cost, non-originating value) per unit of product.
    """
    best = -np.inf
    tol = prov.tolerance if not 50 <= int(product_hs[:2]) <= 63 else 0.0
    vnm = sum(n for _, _, n in inputs)
    vom = sum(c for _, c, n in inputs if n == 0)
    for alt in rule.alternatives:
        failing = sum(n for h, _, n in inputs if alt.fails_shift(product_hs, h))
        shift = (tol * value - failing) / value if failing > 0 else np.inf
        t = alt.threshold
        margin = {
            "": np.inf,
            "build_down": (value - vnm) / value - t,
            "build_up": vom / value - t,
            "net_cost": (net_cost - vnm) / net_cost - t,
            "max_nom": t - vnm / value,
            "max_all": t - (vnm + vom) / value,
            "wholly_obtained": -vnm / value,
        }[alt.value_test]
        if prov.tolerance_covers_value_test and vnm / value <= tol + 1e-12:
            margin = max(margin, 0.0)
        both = min(shift, margin)
        best = max(best, 1.0 if both == np.inf else both)
    return best


def meets(m, n, threshold, agreement, value, labour, ovh, rule, prov, product_hs, input_hs):
    """Whether a mix (materials ``m``, non-originating ``n``) meets the lane's rule."""
    if threshold != threshold:
        return False  # NaN: no preference
    if threshold == 0.0:
        return True  # free circulation
    if not agreement:
        return (value - m) / value >= threshold  # a scenario's own preference
    net = (m + labour) * (1 + ovh)
    return origin_margin(rule, prov, product_hs, value, net, [(input_hs, m, n)]) >= -1e-9


def per_record(study, settings, cells, duty, rates, members, rules, year):
    """The landed-cost formulas one cell at a time, plain Python (the baseline)."""
    params = settings.parameters
    lanes = study.lanes.at(year)
    # inputs as Python structures, the way a record-by-record script would hold them
    freight = lanes.freight.to_numpy().tolist()  # cargo insurance included
    transit = lanes.transit_days.to_numpy().tolist()
    safety = lanes.safety_days.to_numpy().tolist()
    rate_not = duty.rate_not.tolist()
    ntb = duty.ntb.tolist()
    sup = study.network.suppliers
    offers: dict[int, list[tuple[int, float]]] = {}
    product_index = {p: i for i, p in enumerate(study.products)}
    country_index = {c: i for i, c in enumerate(study.countries)}
    for _, row in sup.iterrows():
        offers.setdefault(product_index[row["component"]], []).append(
            (country_index[row["country"]], float(row["unit_price_usd"]))
        )
    bom = study.bom.tolist()
    cif = study.cif.tolist()
    tco = tco_parameters()  # the TCO checklist: defaults (the network sets no overrides)
    modes = lanes.mode.to_numpy().tolist()
    shares = tco.packaging_rate + tco.quality_rate + tco.oversight_rate
    out = []
    for p, s, c in cells:
        cs = int(study.site_country[s])
        agreement = duty.agreement[cs][c]
        prov = provisions(agreement) if agreement else None
        labour = (
            study.hours[p]
            * rates["wage"][s]
            * (1 - rates["automation"][s])
            / rates["productivity"][s]
        )
        ((k, qty),) = [(k, q) for k, q in enumerate(bom[p]) if q]  # one component each
        h_k = study.hs[study.hs_index[k]]
        mixes = []  # (materials, non-originating value) per supplier of the component
        for cu, price in offers.get(k, []):
            fr = freight[k][cu][cs]
            value = price + fr if cif[cs] else price
            h = study.hs_index[k]
            paid = value * (duty.rate_met[h][cu][cs] + duty.ntb[h][cu][cs])
            cost = price + fr + paid
            vnm = cost - (fr if prov and prov.deduct_freight else 0.0)
            vnm -= paid if prov and prov.deduct_duties else 0.0
            if study.countries[cu] in members.get(agreement, ()):
                vnm = 0.0  # suppliers declare nothing: presumed originating in a party
            mixes.append((qty * cost, qty * vnm))
        fr = freight[p][cs][c]
        value = study.value[p]
        customs = value + fr if cif[c] else value
        h = study.hs_index[p]
        threshold = duty.rvc_threshold[h][cs][c]
        ovh = study.overhead_rate[p]

        rule = rules.get((agreement, study.hs[h]))
        lane = (threshold, agreement, value, labour, ovh, rule, prov, study.hs[h], h_k)
        materials, n0 = min(mixes)
        met = meets(materials, n0, *lane)
        duty_met = customs * (duty.rate_met[h][cs][c] + ntb[h][cs][c])
        duty_not = customs * (rate_not[h][cs][c] + ntb[h][cs][c])
        qualifying = [m for m, n in mixes if meets(m, n, *lane)]
        # the TCO checklist on a border crossing: entry fees, prepayment
        days = transit[p][cs][c] + safety[p][cs][c]
        mode, units, mpf, prepay = modes[p][cs][c], 1.0, 0.0, 0.0
        if cs != c:
            units = max(1.0, tco.shipment_kg[mode] / study.weight[p])
            if study.countries[c] == "USA":
                mpf = min(max(tco.us_mpf_rate * customs * units, tco.us_mpf_min_usd),
                          tco.us_mpf_max_usd) / units  # fmt: skip
            prepay = tco.prepayment_share * tco.capital_rate
            prepay *= (tco.prepayment_days + transit[p][cs][c]) / 365.0
        keep = 1 + (params.inventory_carrying_rate + tco.obsolescence_rate) * days / 365.0
        saved_mpf = mpf if agreement == "USMCA" else 0.0
        if (
            not met
            and qualifying
            and (duty_not - duty_met) * keep + saved_mpf
            > (min(qualifying) - materials) * (1 + ovh) * (keep + prepay)
        ):
            materials, met = min(qualifying), True  # what it saves pays for the dearer mix
        overhead = ovh * (materials + labour)
        duties = duty_met if met else duty_not
        stock = materials + labour + overhead + fr + duties
        inventory = stock * params.inventory_carrying_rate * days / 365.0
        risk = rates["risk"][p][s]  # simulated per unit (none given here) + closures
        exworks = materials + labour + overhead
        incentives = -(rates["incentive"][p][s] + rates["incentive_cost_share"][p][s] * exworks)
        checklist = stock * tco.obsolescence_rate * days / 365.0
        if study.countries[cs] in tco.ip_risk_countries:
            checklist += value * tco.ip_risk_rate
        if cs != c:  # a border: entry fees, packaging, prepayment, quality, oversight
            fees = tco.broker_fee_usd_per_entry / units if threshold != 0.0 else 0.0  # entry
            fees += 0.0 if met and agreement == "USMCA" else mpf
            fees += (
                tco.us_hmf_rate * customs
                if study.countries[c] == "USA" and mode == "ocean"
                else 0.0
            )
            checklist += fees + value * shares + exworks * prepay
        total = materials + labour + overhead + fr + duties + inventory + risk + incentives
        out.append(total + checklist)
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--markets", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scenarios", type=int, default=8)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    net = synthetic_network(args.products, args.sites, args.markets, args.seed)
    library = list(builtin_scenarios().values())
    scenarios = list(islice((library * 10), args.scenarios))
    years = list(range(2025, 2025 + args.years))
    settings = CostSettings()
    cells_per_chunk = args.products * args.sites * args.markets
    # xarray imports its optional dask backend when it first builds an array (about 1 s,
    # once per process): a start-up cost of the interpreter, not of the engine
    xr.DataArray(np.zeros(1))

    start = time.perf_counter()
    chunks = 0
    checksum = 0.0
    for chunk in iter_landed_cost(net, scenarios, years, settings):
        checksum += float(np.nansum(chunk["total"].to_numpy()))
        chunks += 1
    engine_s = time.perf_counter() - start
    engine_cells = chunks * cells_per_chunk

    # per-record baseline on a sample of cells of the first scenario-year, checked
    study = eng._study(net, years, settings)
    rng = np.random.default_rng(args.seed)
    p = rng.integers(0, args.products, args.sample) * 2  # finished goods sit at even indices
    s = rng.integers(0, args.sites, args.sample)
    c = rng.integers(0, len(study.countries), args.sample)
    cells = list(zip(p.tolist(), s.tolist(), c.tolist(), strict=True))
    baseline_scenario = scenarios[0]
    inputs = per_record_inputs(study, baseline_scenario, years[0], settings)
    t0 = time.perf_counter()
    slow = per_record(study, settings, cells, *inputs, years[0])
    record_s = time.perf_counter() - t0
    fast = eng._year_costs(study, baseline_scenario, years[0], settings).components
    row_of = np.empty(study.products.size, dtype=int)
    row_of[study.made_order] = np.arange(study.made_order.size)  # engine rows: made products
    engine_values = fast[:, row_of[p], s, c].sum(0)  # carbon is 0 without a carbon price
    agree = np.allclose(
        np.nan_to_num(slow, posinf=-1), np.nan_to_num(engine_values, nan=-1), rtol=1e-6
    )

    engine_rate = engine_cells / engine_s
    record_rate = args.sample / record_s
    size = f"{args.products} products x {args.sites} sites x {args.markets} markets"
    print(f"landed-cost benchmark: {size} x {args.years} years x {args.scenarios} scenarios")
    print(f"= {engine_cells:,} cells (markets in the same country computed once)")
    print(f"{'implementation':<28}{'cells':>16}{'seconds':>10}{'cells/s':>16}")
    row = "{:<28}{:>16,}{:>10.1f}{:>16,.0f}"
    print(row.format("engine (vectorized)", engine_cells, engine_s, engine_rate))
    print(row.format("per-record Python", args.sample, record_s, record_rate))
    print(f"speed-up: {engine_rate / record_rate:,.0f}x (target >= 100x); engine target >= "
          f"20,000,000 cells/s; per-record results equal the engine's: {agree}")  # fmt: skip
    print(f"checksum {checksum:.6e}")


if __name__ == "__main__":
    main()
