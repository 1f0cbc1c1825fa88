"""Network design end to end on the ev-battery example: Python API, JSON shape, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from shoring.cli import optimize_cmd
from shoring.examples import example_path
from shoring.network import read_network
from shoring.optimize.design import DesignSpec, design_data_from_network, optimize_design
from shoring.scenario import load_scenario

KEYS = {
    "status",
    "objective",
    "footprint",
    "flows",
    "cost_by_scenario",
    "cost_by_component",
    "alternatives",
}


@pytest.fixture(scope="module")
def ev_data():
    network = read_network(example_path("ev-battery"))
    scenarios = [load_scenario("baseline"), load_scenario("tariffs-2025")]
    return network, design_data_from_network(network, scenarios)


def _balance(data, result) -> None:
    """Shipped + lost = demand for every (product, market, scenario, period)."""
    shipped = np.zeros(
        (len(data.products), len(data.markets), len(data.scenarios), len(data.periods))
    )
    np.add.at(shipped, (data.lane_product, data.lane_market), result.solution.ship)
    total = shipped + result.solution.lost
    np.testing.assert_allclose(
        total, np.broadcast_to(data.demand[:, :, None, :], total.shape), rtol=1e-6, atol=1e-4
    )


def test_ev_battery_default(ev_data):
    network, data = ev_data
    assert data.periods == network.years
    res = optimize_design(data, DesignSpec(), site_deltas=False)
    assert res.status.value == "optimal"
    _balance(data, res)
    out = res.to_dict()
    assert set(out) >= KEYS
    assert set(out["cost_by_scenario"]) == {"baseline", "tariffs-2025"}
    json.dumps(out)  # JSON-able
    # the components add up to each scenario's total
    for name, parts in out["cost_by_scenario_component"].items():
        assert sum(parts.values()) == pytest.approx(out["cost_by_scenario"][name])


def test_ev_battery_serving_all_demand(ev_data):
    _, data = ev_data
    res = optimize_design(data, DesignSpec(max_lost_share=0.0), site_deltas=False)
    _balance(data, res)
    assert not res.lost_sales
    # 2025 demand (43,000 packs) exceeds nothing but Changzhou's 50,000 pack cap, and
    # every candidate needs >= 18 months to ramp up: Changzhou must be kept.
    assert ("changzhou", "keep") in {(a.site, a.action) for a in res.footprint}
    for flow in res.flows:
        if flow.period == 2025:
            assert flow.site == "changzhou"


def test_cli_optimize_json():
    app = typer.Typer()
    optimize_cmd.register(app)
    args = [
        "optimize",
        str(example_path("ev-battery")),
        "-s",
        "baseline",
        "-s",
        "tariffs-2025",
        "--probabilities",
        "0.7,0.3",
        "--max-lost-share",
        "0",
        "--no-explain",
        "--alternatives",
        "1",
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= KEYS
    assert out["status"] == "optimal"
    assert {a["action"] for a in out["footprint"]} <= {"open", "keep", "close", "expand"}
    assert set(out["flows"][0]) == {"product", "site", "market", "scenario", "period", "units"}
    expected = (
        0.7 * out["cost_by_scenario"]["baseline"] + 0.3 * out["cost_by_scenario"]["tariffs-2025"]
    )
    assert out["objective"] == pytest.approx(expected, rel=1e-9)


def test_cli_bad_probabilities():
    app = typer.Typer()
    optimize_cmd.register(app)
    result = CliRunner().invoke(
        app,
        [
            "optimize",
            str(example_path("ev-battery")),
            "-s",
            "baseline",
            "--probabilities",
            "0.5,0.5",
        ],
    )
    assert result.exit_code != 0
    assert "2 probabilities given for 1 scenarios" in str(result.exception)
