"""Landed-cost engine on a tiny network, against hand-worked duties and origin rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoring.costs import COMPONENTS, landed_cost
from shoring.costs.compare import breakeven, cheapest, compare_scenarios
from shoring.network import Network
from shoring.scenario import load_scenario, parse_scenario


def tiny(part_price: float = 20.0, value: float = 100.0, extra_market: str = "") -> Network:
    """A harness (HTS 8544.42.90 2.6%, CN 8544 42 90 3.3%) made in China or Mexico from a
    Chinese part."""
    data: dict[str, Any] = {
        "meta": {"name": "tiny", "base_year": 2020},
        "products": [
            {
                "id": "harness",
                "hs_code": "8544.42.90",
                "unit_value_usd": value,
                "weight_kg": 10,
                "labour_hours": 2,
                "margin": 0.2,
                "lost_sale_penalty_usd": 0,
                "overhead_rate": 0.1,
            },
            {
                "id": "part",
                "hs_code": "854449",
                "unit_value_usd": part_price,
                "weight_kg": 1,
                "labour_hours": 0,
                "lost_sale_penalty_usd": 0,
            },
        ],
        "bom": [{"parent": "harness", "component": "part", "quantity": 1}],
        "sites": [
            {
                "id": "shenzhen",
                "country": "CHN",
                "status": "existing",
                "products": ["harness"],
                "capacity_units": 1e6,
                "fixed_cost_usd": 0,
            },
            {
                "id": "juarez",
                "country": "MEX",
                "status": "candidate",
                "products": ["harness"],
                "capacity_units": 1e6,
                "fixed_cost_usd": 0,
            },
        ],
        "suppliers": [
            {
                "id": "part-cn",
                "country": "CHN",
                "component": "part",
                "capacity_units": 1e7,
                "unit_price_usd": part_price,
            },
        ],
        "markets": [{"id": "us", "country": "USA"}, {"id": "de", "country": "DEU"}]
        + ([{"id": "extra", "country": extra_market}] if extra_market else []),
        "demand": [
            {"market": "us", "product": "harness", "year": 2020, "units": 1000},
            {"market": "de", "product": "harness", "year": 2020, "units": 1000},
        ],
    }
    return Network.from_dict(data)


def cell(ds, site: str, market: str, year: int, scenario: str, component: str) -> float:
    return float(
        ds["cost"]
        .sel(product="harness", site=site, market=market, year=year, scenario=scenario)
        .sel(component=component)
    )


@pytest.fixture(scope="module")
def costs():
    scenarios = [load_scenario("mfn-only"), load_scenario("trade-war-2018")]
    return landed_cost(tiny(), scenarios, years=[2020, 2021])


def test_components_sum_to_total(costs) -> None:
    np.testing.assert_allclose(costs["cost"].sum("component"), costs["total"])
    assert list(costs["component"].to_numpy()) == list(COMPONENTS)


def test_us_list3_duty_on_fob_value(costs) -> None:
    # 8544.42.90 from China into the US in 2020: MFN 2.6% + Section 301 list 3 25% (since
    # 2019-06-01 in the data), on the FOB value 100 (the US excludes freight): 27.60
    assert cell(costs, "shenzhen", "us", 2020, "trade-war-2018", "duties") == pytest.approx(27.60)
    assert cell(costs, "shenzhen", "us", 2020, "mfn-only", "duties") == pytest.approx(2.60)


def test_eu_duty_on_cif_value(costs) -> None:
    # Germany values CIF: FOB 100 + freight, where the freight component already holds the
    # cargo insurance premium (INSURANCE x CIF), times the EU MFN of 3.3%
    freight = cell(costs, "shenzhen", "de", 2020, "mfn-only", "freight")
    cif = 100.0 + freight
    assert cell(costs, "shenzhen", "de", 2020, "mfn-only", "duties") == pytest.approx(0.033 * cif)


def test_zaf_duty_on_fob_value() -> None:
    # South Africa values FOB (Customs and Excise Act 91 of 1964 s.66(1), s.67(2)(a)): the
    # harness from China pays ZAF's tariff (no HS6 line embedded: the SACU simple average of
    # 5.8%) on FOB 100, not on FOB + freight + insurance: 0.058 x 100 = 5.80
    ds = landed_cost(tiny(extra_market="ZAF"), [load_scenario("mfn-only")], years=[2021])
    rate = float(ds["mfn_rate"].sel(product="harness", market="extra").max())
    assert rate == pytest.approx(0.058)
    assert cell(ds, "shenzhen", "extra", 2021, "mfn-only", "freight") > 1.0
    assert cell(ds, "shenzhen", "extra", 2021, "mfn-only", "duties") == pytest.approx(5.80)


def test_usmca_rvc_met_and_missed() -> None:
    # Mexico -> US in 2021 under USMCA (60% build-down RVC on transaction value 100).
    ok = landed_cost(tiny(part_price=20.0), [load_scenario("mfn-only")], years=[2021])
    vnm = cell(ok, "juarez", "us", 2021, "mfn-only", "materials")  # the Chinese part, delivered
    assert (100 - vnm) / 100 >= 0.60
    assert bool(ok["origin_rule_met"].sel(product="harness", site="juarez", market="us").item())
    assert cell(ok, "juarez", "us", 2021, "mfn-only", "duties") == pytest.approx(0.0)
    # a part worth 60 leaves RVC < 60%: the MFN of 2.6% on FOB 100 applies
    miss = landed_cost(tiny(part_price=60.0), [load_scenario("mfn-only")], years=[2021])
    assert not bool(
        miss["origin_rule_met"].sel(product="harness", site="juarez", market="us").item()
    )
    assert cell(miss, "juarez", "us", 2021, "mfn-only", "duties") == pytest.approx(2.60)


def test_materials_carry_component_duties(costs) -> None:
    # made in China the part pays only domestic freight; into Mexico it pays ocean
    # freight and Mexico's MFN of 5.67% on its CIF value
    cn = cell(costs, "shenzhen", "us", 2020, "mfn-only", "materials")
    mx = cell(costs, "juarez", "us", 2020, "mfn-only", "materials")
    assert 20.0 < cn < 20.5
    assert mx > 20.0 * 1.0567


def test_labour_and_overhead_hand_worked(costs) -> None:
    wage = float(costs["wage_usd_per_hour"].sel(site="shenzhen", year=2020, scenario="mfn-only"))
    labour = cell(costs, "shenzhen", "us", 2020, "mfn-only", "labour")
    assert labour == pytest.approx(2 * wage)  # 2 h, no automation, productivity 1
    overhead = cell(costs, "shenzhen", "us", 2020, "mfn-only", "overhead")
    materials = cell(costs, "shenzhen", "us", 2020, "mfn-only", "materials")
    assert overhead == pytest.approx(0.1 * (materials + labour))


def test_compare_explains_the_change(costs) -> None:
    frame = compare_scenarios(costs, "mfn-only", "trade-war-2018").set_index(["market", "year"])
    row = frame.loc[("us", 2020)]
    deltas = [row[f"delta_{c}"] for c in COMPONENTS]
    assert sum(deltas) == pytest.approx(row["total_b"] - row["total_a"])
    best = cheapest(costs)
    assert set(best["scenario"]) == {"mfn-only", "trade-war-2018"}


def test_breakeven_tariff_equalizes_costs() -> None:
    net = tiny()
    base = landed_cost(net, [load_scenario("mfn-only")], years=[2021])
    totals = base["total"].sel(product="harness", market="us").squeeze()
    cheap, dear = sorted(["shenzhen", "juarez"], key=lambda s: float(totals.sel(site=s)))
    frame = breakeven(net, "harness", "us", cheap, dear, load_scenario("mfn-only"), [2021])
    tau = float(frame["tariff_breakeven"].iloc[0])
    assert tau > 0
    exporter = {"shenzhen": "CHN", "juarez": "MEX"}[cheap]
    # impose exactly that extra tariff on the cheaper lane: the two options then tie
    text = f"""
name: probe
title: probe
measures:
  - {{type: tariff, importers: [USA], exporters: [{exporter}], hs: all,
     ad_valorem: {tau!r}, start: 2021-01-01, end: 2021-12-31}}
"""
    ds = landed_cost(net, [parse_scenario(text)], years=[2021])
    after = ds["total"].sel(product="harness", market="us").squeeze()
    assert float(after.sel(site=cheap)) == pytest.approx(float(after.sel(site=dear)), rel=1e-6)


@settings(max_examples=8, deadline=None)
@given(rate=st.floats(0.0, 1.0), importer=st.sampled_from(["USA", "DEU", "MEX"]))
def test_raising_a_tariff_never_lowers_a_landed_cost(rate: float, importer: str) -> None:
    net = tiny()
    text = f"""
name: probe
title: probe
measures:
  - {{type: tariff, importers: [{importer}], exporters: all, hs: all, ad_valorem: {rate!r},
     start: 2021-01-01}}
"""
    base = landed_cost(net, [load_scenario("mfn-only")], years=[2021])["total"]
    more = landed_cost(net, [parse_scenario(text)], years=[2021])["total"]
    b, m = base.to_numpy(), more.to_numpy()
    finite = np.isfinite(b)
    assert np.all(m[finite] >= b[finite] - 1e-9)


@settings(max_examples=5, deadline=None)
@given(rate=st.floats(0.0, 0.2))
def test_a_preference_never_raises_duties(rate: float) -> None:
    net = tiny()
    text = f"""
name: probe
title: probe
measures:
  - {{type: preference, members: [CHN, USA, DEU], rate: {rate!r},
     rule_of_origin: {{rvc_threshold: 0.0}}, start: 2021-01-01}}
"""
    base = landed_cost(net, [load_scenario("mfn-only")], years=[2021])["cost"].sel(
        component="duties"
    )
    pref = landed_cost(net, [parse_scenario(text)], years=[2021])["cost"].sel(component="duties")
    b, p = base.to_numpy(), pref.to_numpy()
    finite = np.isfinite(b)
    assert np.all(p[finite] <= b[finite] + 1e-9)


def test_importers_without_mfn_are_reported() -> None:
    # Norway has no cited MFN average in the embedded table: its MFN is taken as 0 and
    # the result says so, rather than silently
    ds = landed_cost(tiny(extra_market="NOR"), [load_scenario("mfn-only")], years=[2021])
    assert "NOR" in ds.attrs["importers_without_mfn"].split(", ")
    assert "USA" not in ds.attrs["importers_without_mfn"]
    duties = ds["cost"].sel(product="harness", site="shenzhen", market="extra", component="duties")
    assert float(duties.squeeze()) == 0.0


def test_breakeven_reports_the_duty_a_cut_can_remove() -> None:
    from shoring.report.findings import breakeven_sentence

    net = tiny()
    ds = landed_cost(net, [load_scenario("trade-war-2018")], years=[2021])
    frame = breakeven(
        net, "harness", "us", "shenzhen", "juarez", load_scenario("trade-war-2018"), [2021]
    )
    row = frame.iloc[0]
    duties = cell(ds, "shenzhen", "us", 2021, "trade-war-2018", "duties")
    assert row["duty_rate_from"] == pytest.approx(duties / row["customs_value"])
    # hand-made rows: a cut beyond the duty paid cannot equalize; within it, it can
    base = {
        "year": 2021, "from_site": "a", "to_site": "b", "cost_from": 200.0, "cost_to": 150.0,
        "wage_from": 5.0, "wage_breakeven": float("nan"), "unserved": "",
    }  # fmt: skip
    beyond = pd.DataFrame([{**base, "tariff_breakeven": -0.40, "duty_rate_from": 0.25}])
    assert "even duty-free (its duties are 25.0% of the customs value" in breakeven_sentence(
        beyond, 2021, "US"
    )
    within = pd.DataFrame([{**base, "tariff_breakeven": -0.20, "duty_rate_from": 0.25}])
    assert "take a tariff cut of 20.0%" in breakeven_sentence(within, 2021, "US")
