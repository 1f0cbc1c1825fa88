"""``shoring demo``: the example study end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from shoring.cli import main
from shoring.cli.demo_cmd import _fact_cells


def test_demo_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    try:
        main(["demo", "--out", str(out)])
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
    assert "What the study concludes" in printed
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
    assert _fact_cells(facts, 2025) == ["7.34 (2024)", "5.1% (2024) EU CET", "-", "5.07 (2020)"]
