"""USMCA product-specific rules transcribed from HTSUS General Note 11 and the automotive
tables of the Uniform Regulations, against hand-worked lanes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shoring.costs import landed_cost
from shoring.data.rules_of_origin import product_rule
from shoring.data.usmca_automotive import automotive_part
from shoring.network import Network
from shoring.scenario import load_scenario

DAY = dt.date(2026, 6, 1)


CASES = {
    # Japanese objective lens (heading 9002), 45 USD: the change of heading (A) holds,
    # although the RVC (100 - 45) / 100 = 55% would fail the old 60% fallback screen
    "with-lens": ("900211", 45.0),
    # Japanese microscope parts (9011.90, same heading), 45 USD: (A) fails (45% of value
    # fails the shift, above the 10% tolerance); (B) RVC 55% < 60% (transaction value) and
    # net cost (NC = 45 + freight + duty, VNM = 45) far below 50%: not met, margin -5 points
    "parts-45": ("901190", 45.0),
    # the same parts at 30 USD: (B) RVC (100 - 30) / 100 = 70% >= 60%: met, margin +10
    "parts-30": ("901190", 30.0),
}


def microscopes() -> Network:
    """Microscopes (HTS 9011.80.00, declared value 100) assembled in Mexico, each from one
    Japanese part, sold in the US; no labour or overhead, so the part is the only cost."""
    products: list[dict[str, Any]] = []
    for name, (part_hs, price) in CASES.items():
        products += [
            {
                "id": name,
                "hs_code": "9011.80.00",
                "unit_value_usd": 100.0,
                "weight_kg": 5,
                "labour_hours": 0,
                "margin": 0.2,
                "lost_sale_penalty_usd": 0,
                "overhead_rate": 0.0,
            },
            {
                "id": f"{name}-part",
                "hs_code": part_hs,
                "unit_value_usd": price,
                "weight_kg": 1,
                "labour_hours": 0,
                "lost_sale_penalty_usd": 0,
            },
        ]
    data: dict[str, Any] = {
        "meta": {"name": "microscopes", "base_year": 2026},
        "products": products,
        "bom": [{"parent": n, "component": f"{n}-part", "quantity": 1} for n in CASES],
        "sites": [
            {
                "id": "tijuana",
                "country": "MEX",
                "status": "existing",
                "products": list(CASES),
                "capacity_units": 1e6,
                "fixed_cost_usd": 0,
            }
        ],
        "suppliers": [
            {
                "id": f"{n}-jp",
                "country": "JPN",
                "component": f"{n}-part",
                "capacity_units": 1e7,
                "unit_price_usd": price,
            }
            for n, (_, price) in CASES.items()
        ],
        "markets": [{"id": "us", "country": "USA"}],
        "demand": [{"market": "us", "product": n, "year": 2026, "units": 100} for n in CASES],
    }
    return Network.from_dict(data)


def test_national_lines_find_their_subheading_rule() -> None:
    # an eight-digit line at the top of a rule's range (hs_to 870421, 901180) gets the
    # rule of its subheading, not the fallback
    for line, rule_set in (("87042100", "usmca-15"), ("90118000", "usmca-gn11-ch90-21")):
        rule = product_rule("USMCA", line, DAY)
        assert (rule.fallback, rule.rule_set, rule.hs6) == (False, rule_set, line[:6])


@pytest.fixture(scope="module")
def lanes():
    return landed_cost(microscopes(), [load_scenario("mfn-only")], years=[2026])


def test_gn11_rule_21_microscopes_transcribed() -> None:
    # GN 11 chapter 90 rule 21: (A) CTH, or (B) from 9011.90 (or any other heading) with
    # RVC 60% transaction value / 50% net cost
    rule = product_rule("USMCA", "901180", DAY)
    assert not rule.fallback
    assert rule.rule_set == "usmca-gn11-ch90-21"
    alt_a, alt_tv, alt_nc = rule.alternatives
    assert (alt_a.shift, alt_a.value_test) == ("CTH", "")
    assert (alt_tv.shift, alt_tv.value_test, alt_tv.threshold) == ("CTSH", "build_down", 0.60)
    assert (alt_nc.value_test, alt_nc.threshold) == ("net_cost", 0.50)
    # a microscope input (9011.20) may not come in non-originating under (B); parts may
    assert alt_tv.fails_shift("901180", "901120")
    assert not alt_tv.fails_shift("901180", "901190")
    assert alt_a.fails_shift("901180", "901190")


@pytest.mark.parametrize(
    ("case", "met", "margin"),
    [("with-lens", True, None), ("parts-45", False, -0.05), ("parts-30", True, 0.10)],
)
def test_microscope_lanes_hand_worked(lanes, case: str, met: bool, margin: float | None) -> None:
    at = {"product": case, "site": "tijuana", "market": "us"}
    assert bool(lanes["origin_rule_met"].sel(**at).item()) is met
    if margin is not None:
        assert float(lanes["origin_margin"].sel(**at).item()) == pytest.approx(margin, abs=1e-6)


@pytest.mark.parametrize(
    ("hs6", "day", "table", "nc", "tv"),
    [
        # SOR/2020-155 s.14(17), Table C: wiring sets of a kind used in motor vehicles
        ("854430", DAY, "C", 0.65, 0.75),
        ("854430", dt.date(2021, 1, 1), "C", 0.62, 0.72),  # first phase, to 2021-06-30
        # s.14(15), Table B: electric controls (the EV pack's control boards)
        ("853710", DAY, "B", 0.70, 0.80),
        # s.14(13), Table A.1: gear boxes, 75% net cost / 85% transaction value
        ("870840", DAY, "A.1", 0.75, 0.85),
    ],
)
def test_automotive_part_thresholds(hs6: str, day: dt.date, table: str, nc: float, tv: float):
    part = automotive_part(hs6, day)
    assert part is not None
    assert (part.table, part.net_cost, part.transaction_value) == (table, nc, tv)


def test_ev_battery_is_carved_out_and_keeps_the_fallback() -> None:
    # an EV propulsion battery (8507.60) is in Table A.1 but outside the core-part RVC
    # (s.14(2), (3), (6)): only its Annex 4-B rule applies, and that rule is not
    # transcribed here, so the engine keeps the flagged USMCA fallback
    part = automotive_part("850760", DAY)
    assert part is not None and part.table == "A.1"
    assert part.net_cost != part.net_cost  # NaN: no automotive threshold
    assert "carved out" in part.describe()
    assert product_rule("USMCA", "85076000", DAY).fallback
    assert automotive_part("854442", DAY) is None  # lead sets: in no table


@pytest.mark.parametrize(
    "line",
    [
        "85011099",
        "85044095",
        "85076000",
        "85443000",
        "85444290",
        "85444920",
        "90181910",
        "90189050",
        "90221400",
    ],
)
def test_untranscribed_ranges_keep_the_flagged_fallback(line: str) -> None:
    # the card's gaps: GN 11's text for 8501-8504, 8507.60, 8544 and 9018-9022 is not in the
    # stored copies, so no rule stands in for it and the rule says it is the fallback (the
    # examples' lines, plus 8504.40.95 and 9022.14.00)
    rule = product_rule("USMCA", line, DAY)
    assert (rule.fallback, rule.rule_set) == (True, "")
    assert rule.source.startswith("fallback:")
    assert f"USMCA {line[:6]} (fallback)" in rule.describe()
