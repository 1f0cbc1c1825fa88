"""Suspending a data-layer agreement (a ``suspension`` measure, e.g. Mexico's USMCA access as
a sweep parameter): the lane pays the MFN + measures stack, worked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shoring.costs.duties import duty_rates, lane_rate
from shoring.errors import ShoringInputError
from shoring.examples import EXAMPLES_DIR
from shoring.scenario import load_scenario
from shoring.sweep import read_grid
from shoring.sweep.grid import parse_grid
from shoring.sweep.run import base_of

GRID = """\
parameters:
  - name: mex_usmca_suspended
    kind: suspension
    measure: {agreement: USMCA, parties: MEX, start: 2026-01-01}
    values: [false, true]
"""

BATTERY = "850760"
"""Lithium-ion batteries: HTSUS 8507.60.00, general (MFN) rate 3.4 %."""
ON = dt.date(2026, 7, 1)


@pytest.fixture(scope="module")
def scenarios():
    """Current law with Mexico's USMCA access (value false) and without it (true)."""
    base = load_scenario("current-law")
    measures = base_of(base)
    grid = parse_grid(GRID, "grid.yaml", *measures)
    return [grid.scenario(*measures, (i,), f"v{i}") for i in range(2)]


def test_mexico_without_usmca_pays_mfn_plus_the_measures(scenarios):
    with_usmca, without = scenarios
    # Mexican batteries meeting the USMCA rule of origin, 1 July 2026: USMCA's 0 % and no
    # Section 232 auto-parts duty (heading 9903.94.05; USMCA-originating parts exempt,
    # 9903.94.06); the Section 122 surcharge does not apply to goods under Section 232
    assert lane_rate(with_usmca, "USA", "MEX", BATTERY, ON, origin_rule_met=True) == 0.0
    # USMCA suspended for Mexico: MFN 3.4 % + Section 232 auto parts 25 %, nothing waived
    hand = 0.034 + 0.25
    assert lane_rate(without, "USA", "MEX", BATTERY, ON, origin_rule_met=True) == pytest.approx(
        hand, abs=1e-12
    )
    assert lane_rate(with_usmca, "USA", "MEX", BATTERY, ON) == pytest.approx(hand, abs=1e-12)
    # Canada keeps its access
    assert lane_rate(without, "USA", "CAN", BATTERY, ON, origin_rule_met=True) == 0.0


def test_the_engine_sees_no_agreement_on_a_suspended_lane(scenarios):
    countries = ["CAN", "MEX", "USA"]
    on, off = (duty_rates(s, [BATTERY], countries, 2027) for s in scenarios)
    mex_usa, can_usa = (1, 2), (0, 2)
    assert on.agreement[mex_usa] == "USMCA" and off.agreement[mex_usa] == ""
    assert off.agreement[can_usa] == "USMCA"
    assert np.isnan(off.rvc_threshold[(0, *mex_usa)])
    # the year's rate met equals the rate without the rule (MFN + the measures, none waived)
    assert off.rate_met[(0, *mex_usa)] == pytest.approx(on.rate_not[(0, *mex_usa)], abs=1e-12)
    assert off.rate_met[(0, *mex_usa)] > on.rate_met[(0, *mex_usa)]


def test_an_unknown_agreement_is_located():
    text = GRID.replace("agreement: USMCA", "agreement: USMCAX")
    with pytest.raises(ShoringInputError) as info:
        parse_grid(text, "grid.yaml", *base_of(load_scenario("current-law")))
    assert "grid.yaml:4:parameters[0].measure.agreement: unknown agreement" in str(info.value)


@pytest.mark.parametrize(
    ("name", "size"), [("ev-battery-policy", 1000), ("ev-battery-design", 100)]
)
def test_example_grids_read(name: str, size: int):
    base = base_of(load_scenario("current-law"))
    grid = read_grid(EXAMPLES_DIR / "sweeps" / f"{name}.yaml", *base)
    assert grid.size == size and "mex_usmca_suspended" in grid.names
