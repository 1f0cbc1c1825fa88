"""Rules of origin as decisions of the network-design MILP: hand-solved and monotone."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoring.network import Network
from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec, design_data, optimize_design
from shoring.optimize.design.from_network import design_data_from_network
from shoring.optimize.design.origin import OriginData
from shoring.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).parent))
from test_origin_sourcing import harness

EXACT = SolveOptions(mip_rel_gap=1e-9)


def hand(saving: float, cn_cable: bool = True):
    """One harness plant (MEX) for one market (USA), 100 units, one period.

    Products: harness (0), cable (1), connector (2; 20 per harness). Offers delivered to
    the plant: Mexican cable 33 (originating), Chinese cable 30 (not), Chinese connector
    1.2. Conversion 10, delivery 8 per harness (non-qualifying duty included); a harness
    qualifies with an originating cable (the one recipe) and then saves ``saving``.
    """
    sites = pd.DataFrame(
        {"country": ["MEX"], "capacity_units": [1000.0], "status": ["existing"]}, index=["juarez"]
    )
    names = ["cable-mx", "conn-cn"] + (["cable-cn"] if cn_cable else [])
    suppliers = pd.DataFrame(
        {
            "country": ["MEX", "CHN", "CHN"][: len(names)],
            "component": ["cable", "connector", "cable"][: len(names)],
            "capacity_units": 1e6,
        },
        index=names,
    )
    bom = np.zeros((3, 3))
    bom[0, 1], bom[0, 2] = 1.0, 20.0
    conversion = np.full((3, 1, 1, 1), np.nan)
    conversion[0] = 10.0
    data = design_data(
        products=["harness", "cable", "connector"],
        sites=sites,
        markets={"us": "USA"},
        periods=[2026],
        scenarios=["baseline"],
        demand=np.array([[[100.0]], [[0.0]], [[0.0]]]),
        conversion=conversion,
        delivery=np.full((3, 1, 1, 1, 1), 8.0),
        penalty=[1000.0, 0.0, 0.0],
        bom=bom,
        suppliers=suppliers,
        supply_cost=np.array([33.0, 1.2, 30.0])[: len(names), None, None, None],
    )
    origin = OriginData(
        lane_saving=np.full((1, 1, 1), saving),
        lane_agreement=np.array([0]),
        agreements=("USMCA",),
        recipe_product=np.array([0]),
        recipe_agreement=np.array([0]),
        recipe_components=np.array([[False, True, False]]),
        supplier_originating=np.array([[True], [False], [False]])[: len(names)],
        site_party=np.array([[True]]),
    )
    from dataclasses import replace

    return replace(data, origin=origin)


def test_hand_solved_qualification() -> None:
    # saving 5: qualifying costs 33 + 24 + 10 + 8 - 5 = 70 a unit, buying the Chinese
    # cable 30 + 24 + 10 + 8 = 72: all 100 qualify, 7,000, the Chinese cable unused
    res = optimize_design(hand(5.0), DesignSpec(), EXACT, site_deltas=False, shadow_prices=False)
    assert res.objective == pytest.approx(7000.0)
    assert optimize_design(hand(5.0, cn_cable=False), DesignSpec(), EXACT).objective == (
        pytest.approx(7000.0)
    )
    # saving 2: 33 + 24 + 10 + 8 - 2 = 73 > 72: the Chinese cable, no preference: 7,200
    res = optimize_design(hand(2.0), DesignSpec(), EXACT, site_deltas=False, shadow_prices=False)
    assert res.objective == pytest.approx(7200.0)
    # without the Chinese cable the plan must qualify (73 each): 7,300 — more options
    # never raise the optimum
    assert optimize_design(hand(2.0, cn_cable=False), DesignSpec(), EXACT).objective == (
        pytest.approx(7300.0)
    )


@settings(max_examples=3, deadline=None)
@given(
    mx=st.floats(20, 60),
    cn_factor=st.floats(0.5, 1.0),
    declared=st.sampled_from([None, "none"]),
)
def test_adding_a_cheaper_non_originating_supplier_never_raises_the_optimum(
    mx: float, cn_factor: float, declared: object
) -> None:
    scenario = [load_scenario("baseline")]

    def optimum(cn: float | None) -> float:
        net = Network.from_dict(harness(cn_cable=cn, mx_cable=mx, mx_declared=declared))
        data = design_data_from_network(net, scenario)
        return optimize_design(
            data, DesignSpec(), EXACT, site_deltas=False, shadow_prices=False
        ).objective

    assert optimum(mx * cn_factor) <= optimum(None) * (1 + 1e-9) + 1e-6
