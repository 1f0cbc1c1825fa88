"""Origin-aware sourcing in the landed-cost engine: an added supplier never raises a cost."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoring.costs import landed_cost
from shoring.network import Network
from shoring.scenario import load_scenario

BASELINE = load_scenario("baseline")


def cable_suppliers(
    cn_cable: float | None, mx_cable: float, mx_declared: Any
) -> list[dict[str, Any]]:
    """The Mexican cable offer, and the Chinese one unless ``cn_cable`` is None."""
    suppliers = [
        {"id": "cable-mx", "country": "MEX", "component": "cable", "capacity_units": 3e6,
         "unit_price_usd": mx_cable, "originating": mx_declared},
    ]  # fmt: skip
    if cn_cable is not None:
        suppliers.append(
            {"id": "cable-cn", "country": "CHN", "component": "cable", "capacity_units": 3e6,
             "unit_price_usd": cn_cable}
        )  # fmt: skip
    return suppliers


def harness(
    cn_cable: float | None = 30.0, mx_cable: float = 33.0, mx_declared: Any = None
) -> dict[str, Any]:
    """The more-options-never-worse case: a Mexican harness plant for the US market."""
    suppliers = cable_suppliers(cn_cable, mx_cable, mx_declared)
    suppliers.insert(
        1,
        {"id": "conn-cn", "country": "CHN", "component": "connector", "capacity_units": 4e7,
         "unit_price_usd": 1.2},
    )  # fmt: skip
    return {
        "meta": {"name": "harness", "base_year": 2025},
        "products": [
            {"id": "harness", "hs_code": "854430", "unit_value_usd": 120, "weight_kg": 3,
             "labour_hours": 2.5, "margin": 0.15, "overhead_rate": 0.15},
            {"id": "cable", "hs_code": "854449", "unit_value_usd": 30, "weight_kg": 2},
            {"id": "connector", "hs_code": "853690", "unit_value_usd": 1.5, "weight_kg": 0.01},
        ],
        "bom": [
            {"parent": "harness", "component": "cable", "quantity": 1},
            {"parent": "harness", "component": "connector", "quantity": 20},
        ],
        "sites": [
            {"id": "juarez", "country": "MEX", "status": "existing", "products": ["harness"],
             "capacity_units": 1.2e6, "fixed_cost_usd": 5e6},
        ],
        "suppliers": suppliers,
        "markets": [{"id": "us", "country": "USA"}],
        "demand": [{"market": "us", "product": "harness", "year": 2026, "units": 1e6}],
    }  # fmt: skip


def cost(data: dict[str, Any]) -> Any:
    return landed_cost(Network.from_dict(data), [BASELINE], [2026]).isel(
        scenario=0, year=0, market=0, site=0
    )


def test_cheaper_non_originating_cable_is_not_bought_when_it_costs_the_preference() -> None:
    # USMCA has no transcribed rule for 8544.30: the flagged 60% RVC fallback applies.
    # With the Mexican cable (33) RVC = (120 - 20 x 1.2 delivered connectors) / 120 > 60%;
    # with the Chinese one (30) VNM exceeds 40% of 120 and the harness would pay the US
    # duty: the engine buys the Mexican cable and the cost equals the one without the
    # Chinese supplier.
    with_cn, without = cost(harness()), cost(harness(cn_cable=None))
    harness_with, harness_without = with_cn.sel(product="harness"), without.sel(product="harness")
    assert float(harness_with["total"]) == pytest.approx(float(harness_without["total"]))
    assert bool(harness_with["origin_rule_met"]) and bool(harness_with["origin_qualifying_mix"])
    assert not bool(harness_without["origin_qualifying_mix"])  # cheapest already qualifies
    assert float(harness_with["cost"].sel(component="duties")) == 0.0


def test_declared_non_originating_supplier_loses_the_preference() -> None:
    # the Mexican supplier declares no USMCA origin ("none"): no mix qualifies, the harness
    # pays the US MFN duty and the Chinese cable is bought
    data = harness(mx_declared="none")
    result = cost(data).sel(product="harness")
    assert not bool(result["origin_rule_met"])
    assert float(result["origin_margin"]) < 0
    assert float(result["cost"].sel(component="duties")) > 0


@settings(max_examples=12, deadline=None)
@given(
    mx=st.floats(20, 60),
    cn_factor=st.floats(0.5, 1.0),
    conn=st.floats(0.5, 2.5),
    declared=st.sampled_from([None, "USMCA", "none"]),
)
def test_adding_a_cheaper_non_originating_supplier_never_raises_a_landed_cost(
    mx: float, cn_factor: float, conn: float, declared: Any
) -> None:
    base = harness(cn_cable=None, mx_cable=mx, mx_declared=declared)
    base["suppliers"][1]["unit_price_usd"] = conn
    more = harness(cn_cable=mx * cn_factor, mx_cable=mx, mx_declared=declared)
    more["suppliers"][1]["unit_price_usd"] = conn
    before = cost(base)["total"].to_numpy()
    after = cost(more)["total"].to_numpy()
    assert np.all(after <= before * (1 + 1e-12) + 1e-9)


def test_explain_shows_the_origin_rule_and_margin(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import yaml

    from shoring.cli import main

    path = tmp_path / "harness.yaml"
    path.write_text(yaml.safe_dump(harness()), encoding="utf-8")
    args = ["cost", str(path), "--explain", "-p", "harness", "--site", "juarez", "-m", "us"]
    try:
        main([*args, "-y", "2026", "--json"])
    except SystemExit as exc:
        assert not exc.code
    (item,) = json.loads(capsys.readouterr().out)
    origin = item["origin"]
    assert origin["agreement"] == "USMCA" and origin["fallback"]
    assert origin["rule"].endswith("build_down 60%")
    assert origin["met"] and origin["qualifying_mix"] and origin["margin"] >= 0
    assert origin["deductions"] == ["freight", "duties"] and origin["tolerance"] == 0.10


def two_tier(cn_cable: float | None) -> dict[str, Any]:
    """A harness made from a sub-harness made in-house from cable, both in Juarez."""
    suppliers = cable_suppliers(cn_cable, 33.0, None)
    return {
        "meta": {"name": "two-tier", "base_year": 2025},
        "products": [
            {"id": "harness", "hs_code": "854430", "unit_value_usd": 80, "weight_kg": 3,
             "labour_hours": 2.5, "margin": 0.15, "overhead_rate": 0.15},
            {"id": "sub", "hs_code": "854430", "unit_value_usd": 60, "weight_kg": 2.5,
             "labour_hours": 0.5, "margin": 0.1, "overhead_rate": 0.15},
            {"id": "cable", "hs_code": "854449", "unit_value_usd": 30, "weight_kg": 2},
        ],
        "bom": [
            {"parent": "harness", "component": "sub", "quantity": 1},
            {"parent": "sub", "component": "cable", "quantity": 1},
        ],
        "sites": [
            {"id": "juarez", "country": "MEX", "status": "existing",
             "products": ["harness", "sub"], "capacity_units": 1.2e6, "fixed_cost_usd": 5e6},
        ],
        "suppliers": suppliers,
        "markets": [{"id": "us", "country": "USA"}],
        "demand": [{"market": "us", "product": "harness", "year": 2026, "units": 1e6}],
    }  # fmt: skip


def test_own_made_component_is_made_with_its_qualifying_mix_when_the_parent_needs_it() -> None:
    # Both tiers fall under the flagged 60% RVC fallback of 8544.30 (build-down: VNM at
    # most 40% of the value). The sub-harness made with the Chinese cable (30 + freight
    # + Mexican duty, about 31 of its value 60) is not originating; the harness built
    # from it (VNM = the sub-harness's delivered cost, about 41 of its value 80) fails
    # too and would pay the US MFN and Section 232 parts duty (current law). Making the
    # sub-harness with the Mexican cable (33) costs about 2 more per unit and makes both
    # tiers originating (VNM 0): the engine must find that mix a tier down, so the
    # Chinese offer cannot raise the harness's landed cost: it costs exactly what it
    # costs without that offer.
    with_cn, without = cost(two_tier(30.0)), cost(two_tier(None))
    h_with, h_without = with_cn.sel(product="harness"), without.sel(product="harness")
    assert bool(h_without["origin_rule_met"])
    assert bool(h_with["origin_rule_met"]) and bool(h_with["origin_qualifying_mix"])
    assert float(h_with["cost"].sel(component="duties")) == 0.0
    assert float(h_with["total"]) == pytest.approx(float(h_without["total"]), rel=1e-9)
