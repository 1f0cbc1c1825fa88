"""The report copes with large networks: many countries, long names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from shoring.costs import landed_cost
from shoring.network import read_network
from shoring.report import build_report
from shoring.report.charts import WAGE_PANEL_PX, wage_trajectories
from shoring.scenario import load_scenario

COUNTRIES = (
    "BGD", "BRA", "CAN", "CHN", "CZE", "DEU", "ESP", "FRA", "GBR", "HUN", "IDN", "IND", "ITA",
    "JPN", "KOR", "MAR", "MEX", "MYS", "PHL", "POL", "ROU", "THA", "TUR", "TWN", "USA", "VNM",
)  # fmt: skip


def _network(path: Path) -> Path:
    sites = [
        {
            "id": f"site-{c.lower()}-" + "with-a-very-long-descriptive-name" * 2,
            "country": c,
            "status": "existing" if c == "CHN" else "candidate",
            "products": ["widget"],
            "capacity_units": 100000,
            "fixed_cost_usd": 100000,
        }
        for c in COUNTRIES
    ]
    data = {
        "meta": {"name": "sites in 26 countries", "base_year": 2025},
        "products": [
            {
                "id": "widget",
                "hs_code": "850760",
                "unit_value_usd": 100,
                "weight_kg": 10,
                "labour_hours": 1,
            }
        ],
        "sites": sites,
        "markets": [{"id": "us", "country": "USA"}],
        "demand": [{"market": "us", "product": "widget", "units": {2026: 1000}}],
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_wage_grid_grows_with_the_countries() -> None:
    wages = pd.DataFrame(
        {"country": list(COUNTRIES), "year": 2026, "scenario": "baseline", "usd_per_hour": 5.0}
    )
    fig = wage_trajectories(wages)
    # 26 countries in rows of 4: 7 rows at a fixed panel height, one axis per country
    assert fig.layout.height == 120 + WAGE_PANEL_PX * 7
    assert len([k for k in fig.layout if k.startswith("xaxis")]) == 28
    tops = sorted({round(fig.layout[f"yaxis{i or ''}"].domain[1], 6) for i in range(28)})
    assert len(tops) == 7


def test_report_for_26_countries(tmp_path: Path) -> None:
    network = read_network(_network(tmp_path / "net.yaml"))
    scenarios = [load_scenario("baseline"), load_scenario("tariffs-2025")]
    ds = landed_cost(network, scenarios, [2026])
    path = build_report(network, ds, scenarios, tmp_path / "out")
    text = path.read_text(encoding="utf-8")
    assert text.count("<section") >= 7
    wages = pd.read_csv(tmp_path / "out" / "wages.csv")
    assert set(wages["country"]) == set(COUNTRIES)
