"""``shoring demo``: the example study end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from shoring.cli import main
from shoring.cli.demo_cmd import _fact_cells
from shoring.examples import load_example
from shoring.network import read_network
from shoring.scenario import builtin_scenarios
from shoring.scenario.loader import ALIASES


def test_demo_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    try:
        # fewer frontier points and alternatives than the default (4, 3): a faster test
        main(["demo", "--out", str(out), "--points", "2", "--alternatives", "1"])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    printed = capsys.readouterr().out
    assert code == 0
    report = out / "report.html"
    assert report.is_file() and report.stat().st_size > 1_000_000  # plotly.js inlined
    for name in ("landed_cost", "cheapest", "comparison", "breakeven", "wages"):
        assert (out / f"{name}.csv").is_file()
    assert str(report.resolve()) in printed.replace("\n", "")
    # the folder holds the network it used: every command reads it from the folder
    assert read_network(out).sites.equals(load_example("ev-battery").sites)
    assert "What the study concludes" in printed
    # the network-design section: every built-in scenario alone, the robust plan, the
    # frontier of both sweeps, printed and in the report
    text = report.read_text(encoding="utf-8")
    assert '<section id="design"><h2>Network design</h2>' in text
    footprints = pd.read_csv(out / "design_footprints.csv")
    alone = set(footprints.loc[footprints["kind"] == "scenario_alone", "plan"])
    library = set(builtin_scenarios()) - ALIASES  # baseline is current-law: not twice
    assert alone == library
    robust = footprints[footprints["plan"] == "robust"]
    assert "changzhou" in set(robust["site"])  # the existing plant is a decision too
    frontier = pd.read_csv(out / "design_frontier.csv")
    assert frontier.groupby("sweep").size().to_dict() == {"cap": 2, "lambda": 2}
    costs = pd.read_csv(out / "design_costs.csv")
    assert len(costs) == len(library)
    flat = " ".join(printed.split())
    assert "Network design" in printed and f"Robust plan ({len(library)} scenarios" in flat
    assert set(footprints.loc[footprints["kind"] == "alternative", "rank"]) <= {1}
    for r in robust.itertuples():
        assert f"{r.site} ({r.country})" in flat.split("Robust plan (", 1)[1].split(".")[0]
    # the resilience of the robust plan: its page (with the node-risk map) and findings
    page = (out / "resilience.html").read_text(encoding="utf-8")
    assert "Stress test (TTS vs TTR)" in page and "fig-riskmap" in page
    assert "Resilience of the robust plan" in printed
    assert "footprint:robust plan" in page  # compared with JIT, buffers, dual sourcing
    # the study report says how the risk component was priced; the manifest records it
    assert '<section id="risk"><h2>Disruption risk</h2>' in text
    assert "each site simulated alone" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["risk_model"]["seed"] == 0 and manifest["risk_model"]["draws"] > 0
    assert "Country facts used" in printed
    for iso3 in ("CHN", "MEX", "USA", "POL", "HUN"):
        assert f"({iso3})" in printed


def test_fact_cells_are_compact() -> None:
    facts = {
        "facts": [
            {"fact": "manufacturing labour cost, USD/hour", "value": "2000: 0.57, 2024: 7.34"},
            {
                "fact": "MFN applied tariff, simple average",
                "value": "5.1% (2024) (common external tariff of EU)",
            },
            {
                "fact": "WorldRiskIndex (exposure x vulnerability)",
                "value": "5.07 (2020; exposure 15.24)",
            },
        ]
    }
    assert _fact_cells(facts) == ["7.34 (2024)", "5.1% (2024) EU CET", "-", "5.07 (2020)"]
