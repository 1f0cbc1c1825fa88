"""A published capacitated plant location instance, solved by ``shoring optimize``.

SunOil (Chopra & Meindl, Supply Chain Management, 7th ed., 2019, ch. 5): five regions,
a low- and a high-capacity candidate plant in each, production and transport cost per
lane. Published optimum: high-capacity plants in South America, Asia and Africa at an
annual cost of 23,751 thousand USD. See tests/data/sunoil/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shoring.costs import landed_cost
from shoring.network import read_network
from shoring.scenario import load_scenario

NETWORK = Path(__file__).parent / "data" / "sunoil" / "network.yaml"

REGIONS = ("na", "sa", "eu", "as", "af")
BOOK_COST = np.array(  # USD per 1,000 units, plant region (rows) x demand region
    [
        [81, 92, 101, 130, 115],
        [117, 77, 108, 98, 100],
        [102, 105, 95, 119, 111],
        [115, 125, 90, 59, 74],
        [142, 100, 103, 105, 71],
    ]
)
PUBLISHED_OBJECTIVE = 23_751_000.0  # 23,751 thousand USD per year
PUBLISHED_OPEN = {"sa-high", "as-high", "af-high"}


def test_lane_plus_site_cost_is_the_books_matrix() -> None:
    net = read_network(NETWORK)
    ds = landed_cost(net, [load_scenario("baseline")])
    total = ds["total"].sel(product="petrochemical", year=2016, scenario="baseline")
    for size in ("low", "high"):
        sites = [f"{r}-{size}" for r in REGIONS]
        got = total.sel(site=sites, market=list(REGIONS)).to_numpy() * 1000.0
        np.testing.assert_allclose(got, BOOK_COST, rtol=1e-12)
    parts = ds["cost"].sel(product="petrochemical", year=2016, scenario="baseline")
    left = [c for c in parts["component"].to_numpy() if c not in ("production", "lane")]
    assert float(np.abs(parts.sel(component=left)).sum()) == 0.0


def test_optimize_reproduces_the_published_optimum(cli) -> None:
    code, out, err = cli(
        "optimize", NETWORK, "-s", "baseline", "--max-lost-share", "0", "--mip-gap", "1e-9",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "optimal"
    assert result["objective"] == pytest.approx(PUBLISHED_OBJECTIVE, rel=1e-9)
    opened = {a["site"] for a in result["footprint"] if a["action"] == "open"}
    assert opened == PUBLISHED_OPEN
    # the book's split: fixed 18,900 thousand, production and transport 4,851 thousand
    assert result["cost_by_component"]["fixed"] == pytest.approx(18_900_000.0)
    variable = result["cost_by_component"]["conversion"] + result["cost_by_component"]["delivery"]
    assert variable == pytest.approx(4_851_000.0)
