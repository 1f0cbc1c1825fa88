"""Section 232 copper (2025-08-01 to 2026-04-05): 50% of the value of the copper content.

Proclamation 10962 (2025-07-30) and CBP CSMS # 65794272 (2025-07-31): heading 9903.78.01
charges 50% on the value of the copper content of semi-finished copper and intensive copper
derivative products; the non-copper content enters under 9903.78.02 (0%) and stays subject
to the other duties (the IEEPA reciprocal duty); without a substantiated content value CBP
assesses the entire value. From 2026-04-06 U.S. note 16(c) charges the metals annexes on the
full customs value. Probe: seamless refined-copper tube, HTS 7411.10.10 (MFN 1.5%, HTS 2025
basic edition), from Viet Nam (reciprocal 20% under heading 9903.02.69 from 2025-08-07;
10% baseline from 2025-04-05 to 2025-08-06).
"""

from __future__ import annotations

import datetime as dt

import pytest

from shoring.costs import landed_cost
from shoring.costs.duties import lane_rate
from shoring.network import read_yaml
from shoring.scenario import load_scenario

TUBE = "7411101000"
MFN = 0.015


@pytest.fixture(scope="module")
def current_law():
    return load_scenario("current-law")


def test_duty_on_the_declared_copper_content(current_law) -> None:
    on = dt.date(2025, 10, 1)
    # 40% of the value is copper: 50% x 0.4 + reciprocal 20% x 0.6, plus MFN
    rate = lane_rate(current_law, "USA", "VNM", TUBE, on, copper_share=0.4)
    assert rate == pytest.approx(MFN + 0.50 * 0.4 + 0.20 * 0.6, abs=1e-9)
    # nothing declared: the entire value (CBP), the reciprocal duty then has no base
    assert lane_rate(current_law, "USA", "VNM", TUBE, on) == pytest.approx(MFN + 0.50)
    # an article of copper only: the same
    assert lane_rate(current_law, "USA", "VNM", TUBE, on, copper_share=1.0) == pytest.approx(
        MFN + 0.50
    )


def test_before_the_proclamation_and_under_the_annexes(current_law) -> None:
    # 2025-07-15: no copper duty; the 10% baseline reciprocal duty on the whole value
    july = dt.date(2025, 7, 15)
    assert lane_rate(current_law, "USA", "VNM", TUBE, july, copper_share=0.4) == pytest.approx(
        MFN + 0.10
    )
    # 2026-05-01: Annex I-A, 50% of the full customs value whatever the content (note 16(c))
    may = dt.date(2026, 5, 1)
    for share in (None, 0.4):
        assert lane_rate(current_law, "USA", "VNM", TUBE, may, copper_share=share) == (
            pytest.approx(MFN + 0.50)
        )


NET = """\
meta: {{name: copper, base_year: 2025}}
products:
  - {{id: tube, hs_code: '7411.10.10', unit_value_usd: 100, weight_kg: 1, labour_hours: 0{share}}}
sites:
  - {{id: vn, country: Viet Nam, status: existing, products: [tube], capacity_units: 1000,
      fixed_cost_usd: 0}}
markets:
  - {{id: us, country: United States}}
demand:
  - {{market: us, product: tube, units: {{2025: 100}}}}
"""


def _duty(tmp_path, share: str) -> float:
    path = tmp_path / f"net{len(share)}.yaml"
    path.write_text(NET.format(share=share), encoding="utf-8")
    costs = landed_cost(read_yaml(path), [load_scenario("current-law")], years=[2025])
    cell = costs["cost"].sel(product="tube", site="vn", market="us", component="duties")
    return float(cell.squeeze())


def test_engine_charges_the_content_share_over_the_year(tmp_path) -> None:
    full = _duty(tmp_path, "")
    declared = _duty(tmp_path, ", copper_content_share: 0.4")
    # FOB USD 100. The copper duty runs 2025-08-01..12-31: per day the declared content
    # saves 50% x 0.6 and pays the reciprocal duty on the non-copper 0.6 instead: 10% on
    # Aug 1-6 (6 days), 20% from Aug 7 (147 days).
    saved = 100 * (6 * (0.50 - 0.10) * 0.6 + 147 * (0.50 - 0.20) * 0.6) / 365
    assert full - declared == pytest.approx(saved, rel=1e-6)


def test_explanation_names_the_content_share(current_law) -> None:
    from shoring.costs.explain import explain_lane

    lane = explain_lane(current_law, "USA", "VNM", TUBE, dt.date(2025, 10, 1), copper_share=0.4)
    step = next(s for s in lane.steps if s.id == "us232-copper-50")
    assert step.status == "applied" and "40% of the value" in step.reason
    assert lane.rate == pytest.approx(MFN + 0.50 * 0.4 + 0.20 * 0.6, abs=1e-9)
