"""Product-specific rules of origin: the rule table, and hand-worked origin verdicts.

Every expected figure below is worked by hand from the rule text quoted in the test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from shoring.costs.origin import LEVELS, agreement_rules, cheapest_mixes
from shoring.costs.sourcing import Offers, bought_levels
from shoring.data.psr_sources import read_uk_rule_sets, read_usmca_psr
from shoring.data.rules_of_origin import product_rule, provisions, rule_table

ON = dt.date(2026, 7, 1)


def verdict(
    agreement: str,
    product_hs: str,
    inputs: list[tuple[str, float, float]],
    value: float,
    labour: float = 0.0,
    overhead: float = 0.0,
) -> tuple[bool, float]:
    """(met, margin) of one mix through the engine's vectorized code.

    ``inputs``: (HS code, cost per unit of product, non-originating value) per input.
    """
    hs = [product_hs] + [h for h, _, _ in inputs]
    n = len(hs)
    slots = np.full((n, len(inputs)), -1)
    slots[0] = np.arange(1, n)
    qty = np.zeros((n, len(inputs)))
    qty[0] = 1.0
    rules = agreement_rules(agreement, hs, slots, ON)
    cost = np.array([0.0] + [c for _, c, _ in inputs])
    vnm = np.array([0.0] + [v for _, _, v in inputs])
    level_cost = np.broadcast_to(cost[None, :, None], (LEVELS, n, 1))
    level_vnm = np.broadcast_to(vnm[None, :, None], (LEVELS, n, 1))
    mix = cheapest_mixes(
        rules,
        np.array([0]),
        slots[[0]],
        qty[[0]],
        level_cost,
        level_vnm,
        np.array([value]),
        np.array([[labour]]),
        np.array([overhead]),
    )
    return bool(mix.met_cheapest[0, 0]), float(mix.margin_cheapest[0, 0])


def test_usmca_product_qualifies_only_after_the_duty_deduction() -> None:
    # USMCA 8703.10 (golf carts; SOR/2020-155 s.13 table = Annex 4-B): CTH AND an RVC of
    # 60% (transaction value) or 50% (net cost). Cart V = 10,000 USD, made in Mexico; the
    # engine (HS 8407) bought from China: price 3,000 + freight to the plant 400 + Mexican
    # duty 700 = 4,100 delivered. Without deductions VNM = 4,100: RVC(TV) = 59% < 60%, and
    # net cost = (4,100 + 1,000 originating body + 1,000 labour) x 1.1 = 6,710:
    # RVC(NC) = (6,710 - 4,100) / 6,710 = 38.9% < 50%. USMCA lets freight and
    # non-recoverable duties be deducted from the value of a non-originating material
    # (19 U.S.C. 4531(d)(10); Uniform Regs s.8(2)): VNM = 3,000, RVC(TV) = 70% >= 60%.
    rule = product_rule("USMCA", "870310", ON)
    assert not rule.fallback
    assert [a.describe() for a in rule.alternatives] == [
        "CTH + build_down 60%",
        "CTH + net_cost 50%",
    ]
    offers = Offers(
        product=np.array([1]),
        cost=np.array([[4100.0]]),
        freight=np.array([[400.0]]),
        duty=np.array([[700.0]]),
        declared=(None,),
        country=("CHN",),
    )
    rules = agreement_rules("USMCA", ["870310", "840734"], np.array([[1], [-1]]), ON)
    _, vnm = bought_levels(offers, rules, 2, ON)
    assert vnm[0, 1, 0] == pytest.approx(3000.0)  # 4,100 - 400 - 700
    body = ("870790", 1000.0, 0.0)  # originating body (Mexican supplier)
    met, margin = verdict(
        "USMCA", "870310", [("840734", 4100.0, 4100.0), body], 10_000, 1000.0, 0.1
    )
    assert not met and margin == pytest.approx(-0.01)  # best alternative: TV 59% vs 60%
    met, margin = verdict(
        "USMCA", "870310", [("840734", 4100.0, 3000.0), body], 10_000, 1000.0, 0.1
    )
    assert met and margin == pytest.approx(0.10)  # 70% achieved vs 60% required


def test_usmca_tariff_shift_fails_despite_a_high_rvc() -> None:
    # USMCA 8418.10-8418.21 (HTSUS GN 11(o) ch. 84 rule 57): "A change to subheadings
    # 8418.10 through 8418.21 from any subheading outside that group, except from
    # subheading 8418.91 ...", no RVC alternative. A refrigerator-freezer worth 800 USD
    # with a non-originating cabinet (8418.91) of 120 USD: RVC would be 85%, but the
    # cabinet is excepted and above the 10% de minimis (80 USD): fails by 40/800 = 5%.
    rule = product_rule("USMCA", "841810", ON)
    assert [a.shift for a in rule.alternatives] == ["CTSH"]
    assert rule.alternatives[0].excepted("841891")
    met, margin = verdict("USMCA", "841810", [("841891", 120.0, 120.0)], 800.0)
    assert not met and margin == pytest.approx(-0.05)
    # the same cabinet worth 60 USD is within the de minimis (7.5% <= 10%): met
    met, margin = verdict("USMCA", "841810", [("841891", 60.0, 60.0)], 800.0)
    assert met and margin == pytest.approx(0.025)
    # an originating cabinet and a non-originating compressor (8414.30) shift: met
    met, _ = verdict("USMCA", "841810", [("841891", 120.0, 0.0), ("841430", 90.0, 90.0)], 800.0)
    assert met


def test_yarn_forward_garment_with_asian_fabric_fails() -> None:
    # USMCA chapter 62 (Annex 4-B, yarn forward): a change from any other chapter except
    # from the yarn and fabric headings (5204-5212 cotton fabric among them). Jeans
    # (6203.42) sewn in Mexico from Chinese denim (5209.42) fail whatever the value
    # shares (no value de minimis for HS 50-63); with Mexican denim and Chinese buttons
    # (9606.21, a change of chapter) they qualify.
    rule = product_rule("USMCA", "620342", ON)
    assert rule.alternatives[0].excepted("520942")
    met, margin = verdict("USMCA", "620342", [("520942", 6.0, 6.0), ("960621", 0.3, 0.3)], 40.0)
    assert not met and margin == pytest.approx(-6.0 / 40.0)
    met, _ = verdict("USMCA", "620342", [("520942", 6.0, 0.0), ("960621", 0.3, 0.3)], 40.0)
    assert met


def test_eu_viet_nam_product_under_its_psr() -> None:
    # EVFTA / UK-Viet Nam rule set for heading 8544 (UK Online Trade Tariff, rule set
    # 342 of vietnam.json): "Manufacture from materials of any heading, except that of
    # the product; or Manufacture in which the value of all the materials used does not
    # exceed 50% of the ex-works price of the product." A harness (8544.30) made in Viet
    # Nam from a non-originating Chinese cable (8544.49, same heading: no CTH) of 40 USD
    # and Vietnamese connectors (8536.90) of 10 USD, ex-works price 120 USD: all materials
    # 50 / 120 = 41.7% <= 50%: met, margin 8.3%. With a 60 USD cable, 70 / 120 = 58.3%:
    # fails, and the cable (33-50% of the price) exceeds the 10% general tolerance.
    rule = product_rule("EVFTA", "854430", ON)
    assert [a.describe() for a in rule.alternatives] == ["CTH", "max_all 50%"]
    assert rule.source == "uk-psr-vietnam" and not rule.fallback
    inputs = [("854449", 40.0, 40.0), ("853690", 10.0, 0.0)]
    met, margin = verdict("EVFTA", "854430", inputs, 120.0)
    assert met and margin == pytest.approx(0.5 - 50.0 / 120.0)
    met, margin = verdict("EVFTA", "854430", [("854449", 60.0, 60.0), ("853690", 10.0, 0.0)], 120.0)
    assert not met and margin == pytest.approx(0.5 - 70.0 / 120.0)
    # copper wire (7408) makes the change of heading: met by CTH whatever its value
    met, _ = verdict("EVFTA", "854430", [("740811", 90.0, 90.0)], 120.0)
    assert met


def test_fallback_is_flagged_and_cited() -> None:
    # no USMCA product rule transcribed for 8544 (GN 11 rule 115 is the agreement's
    # representative RVC): the general 60% RVC applies, flagged as a fallback
    rule = product_rule("USMCA", "854430", ON)
    assert rule.fallback and rule.alternatives[0].value_test == "build_down"
    assert rule.alternatives[0].threshold == pytest.approx(0.60)
    assert product_rule("EU-CHL", "854430", ON).source == "fallback: uncited 50% screen"


def test_usmca_automotive_phase_in() -> None:
    # SOR/2020-155 s.13: heavy trucks (8704.22-23) 60% NC to 2024-06-30, 64% to
    # 2027-06-30, 70% from 2027-07-01; passenger vehicles 75% NC from 2023-07-01
    def nc(hs: str, day: dt.date) -> float:
        return product_rule("USMCA", hs, day).alternatives[0].threshold

    assert nc("870422", dt.date(2024, 6, 30)) == pytest.approx(0.60)
    assert nc("870422", dt.date(2026, 1, 1)) == pytest.approx(0.64)
    assert nc("870422", dt.date(2028, 1, 1)) == pytest.approx(0.70)
    assert nc("870323", dt.date(2022, 1, 1)) == pytest.approx(0.69)
    assert nc("870323", dt.date(2025, 1, 1)) == pytest.approx(0.75)


def test_provisions() -> None:
    usmca = provisions("USMCA")
    assert usmca.tolerance == 0.10 and usmca.deduct_freight and usmca.deduct_duties
    assert provisions("EU-CHL").tolerance == 0.0  # none cited: no tolerance


def test_embedded_table_matches_the_shared_files(shared_data: Path) -> None:
    folder = shared_data / "rules_of_origin"
    uk, dropped = read_uk_rule_sets(folder / "uk_psr_rule_sets_selected_agreements.csv")
    usmca = read_usmca_psr(folder / "usmca_psr_selected_chapters.csv")
    table = rule_table()
    assert dropped > 0
    embedded = table[table["source"].str.startswith(("uk-psr", "usmca-gn11"))]
    assert len(embedded) == len(uk) + len(usmca)
    # a raw row of the UK-Viet Nam set, as published, and its parsed form
    raw = (folder / "uk_psr_rule_sets_selected_agreements.csv").read_text(encoding="utf-8")
    assert "vietnam,342,8544,85," in raw
    rows = uk[(uk["rule_set"] == "uk-vietnam-342") & (uk["agreement"] == "EVFTA")]
    assert rows[["shift", "value_test"]].values.tolist() == [["CTH", ""], ["", "max_all"]]


def test_bought_levels_hand_worked() -> None:
    # product 0 offered by two suppliers delivered to two places: a Chinese one at 100
    # (freight 10, duty 20) and a Mexican one at 130 (freight 5, duty 0); under USMCA the
    # Mexican offer is originating (presumed, supplier in a party) and the Chinese one's
    # non-originating value is its cost less freight and duty, 100 - 10 - 20 = 70
    offers = Offers(
        product=np.array([0, 0, 1]),
        cost=np.array([[100.0, 100.0], [130.0, np.inf], [50.0, 55.0]]),
        freight=np.array([[10.0, 10.0], [5.0, 5.0], [2.0, 2.0]]),
        duty=np.array([[20.0, 20.0], [0.0, 0.0], [0.0, 0.0]]),
        declared=(None, None, None),
        country=("CHN", "MEX", "DEU"),
    )
    usmca = agreement_rules("USMCA", ["850760", "854442"], np.array([[-1], [-1]]), ON)
    cost, vnm = bought_levels(offers, usmca, 2, ON)
    # levels at place 0: cheapest (CHN 100, VNM 70), less non-originating (MEX 130, 0),
    # cheapest originating (MEX 130, 0); at place 1 Mexico cannot deliver: CHN at every level
    np.testing.assert_array_equal(cost[:, 0, 0], [100.0, 130.0, 130.0])
    np.testing.assert_array_equal(vnm[:, 0, 0], [70.0, 0.0, 0.0])
    np.testing.assert_array_equal(cost[:, 0, 1], [100.0, 100.0, 100.0])
    np.testing.assert_array_equal(vnm[:, 0, 1], [70.0, 70.0, 70.0])
    # EVFTA values a material at its customs value, with the freight, without the duty:
    # 100 - 20 = 80; neither China nor Mexico is a party, so no level is originating
    evfta = agreement_rules("EVFTA", ["850760", "854442"], np.array([[-1], [-1]]), ON)
    _, vnm_eu = bought_levels(offers, evfta, 2, ON)
    np.testing.assert_array_equal(vnm_eu[:, 0, 0], [80.0, 80.0, 80.0])
    # only the places asked for (the party sites' places): none elsewhere
    only, _ = bought_levels(offers, usmca, 2, ON, np.array([1]))
    np.testing.assert_array_equal(only[:, 0, 1], cost[:, 0, 1])
    assert np.isinf(only[:, :, 0]).all()
