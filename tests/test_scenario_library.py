"""The built-in scenario library, the Section 301 table and the CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from shoring.data.cards import data_card
from shoring.scenario import builtin_scenarios, load_scenario, load_tariff_schedule

EXPECTED = {
    "baseline",
    "current-law",
    "mfn-only",
    "trade-war-2018",
    "tariffs-2025",
    "covid-2020",
    "japan-2011",
    "soft-change",
    "regional-blocs",
    "deep-fragmentation",
    "wage-convergence",
    "automation-wave",
}


def test_library_contents() -> None:
    library = builtin_scenarios()
    assert set(library) == EXPECTED
    for scenario in library.values():
        assert scenario.sources or scenario.kind == "baseline"
        if scenario.kind == "forward":
            assert scenario.assumptions
        if scenario.kind == "historic":
            assert all(m.source is not None for m in scenario.measures), scenario.name


def test_load_unknown_name_suggests() -> None:
    from shoring.errors import ShoringError

    with pytest.raises(ShoringError, match="did you mean trade-war-2018"):
        load_scenario("trade-war-2019")


def test_section301_table_and_card() -> None:
    table = load_tariff_schedule("us_china_section301")
    assert table["hs6"].str.fullmatch(r"\d{6}").all()
    assert (table["additional"] > 0).all()
    assert set(zip(table["importer"], table["exporter"], strict=True)) == {
        ("USA", "CHN"),
        ("CHN", "USA"),
    }
    card = data_card("us_china_section301")
    assert set(card.columns) == set(table.columns)
    assert any("tradewar-tracker" in s.name for s in card.sources)


def _build_module():
    path = Path(__file__).resolve().parents[1] / "scripts" / "build_section301_table.py"
    spec = importlib.util.spec_from_file_location("build_section301_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared_data
def test_embedded_table_matches_shared_files(shared_data: Path) -> None:
    rebuilt = _build_module().build(shared_data)
    embedded = pd.read_csv(
        Path(__file__).resolve().parents[1] / "src/shoring/data/tables/us_china_section301.csv.gz",
        dtype={"hs6": str, "end": str},
    )
    rebuilt = rebuilt.reset_index(drop=True)
    pd.testing.assert_frame_equal(
        embedded.fillna(""), rebuilt.fillna("").astype(embedded.dtypes.to_dict()), check_dtype=False
    )


@pytest.mark.shared_data
def test_us_list1_lines_pay_25_points_over_2018_rate(shared_data: Path) -> None:
    raw = pd.read_csv(
        shared_data / "tariffs/us_tariffs_on_china_hs6_2018_2020.csv", dtype={"hs6": str}
    )
    wide = raw.pivot(index="hs6", columns="time_of_tariff", values="tariff")
    jumped = wide.index[(wide["2018-07-06"] - wide["2018-01-01"]).round(6) == 25.0]
    table = load_tariff_schedule("us_china_section301")
    rows = table[(table["importer"] == "USA") & (table["start"] == pd.Timestamp("2018-07-06"))]
    assert set(jumped) <= set(rows.loc[rows["additional"] == 0.25, "hs6"])


def _app() -> typer.Typer:
    from shoring.cli import scenario_cmd

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    scenario_cmd.register(app)
    return app


def test_cli_list_and_show_json() -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["scenarios", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert set(rows) == EXPECTED
    assert rows["covid-2020"]["period"] == {"start": "2020-01-01", "end": "2020-05-31"}
    assert rows["covid-2020"]["measures"] == 11
    result = runner.invoke(_app(), ["scenarios", "show", "japan-2011", "--json"])
    shown = json.loads(result.output)
    ids = [m["id"] for m in shown["composed_measures"]]
    assert "jpn-mar" in ids  # after the measures of its parent (current law)
    assert shown["sources"]


def test_cli_show_table() -> None:
    result = CliRunner().invoke(_app(), ["scenarios", "show", "tariffs-2025"])
    assert result.exit_code == 0
    n = len(load_scenario("tariffs-2025").measures) + len(load_scenario("trade-war-2018").measures)
    assert f"Measures ({n}, parents first)" in result.output
    assert "Sources" in result.output


def test_a_named_scenario_reads_only_its_own_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """``load_scenario(name)`` parses one library file, not the whole library (speed)."""
    from shoring.scenario import loader

    def whole_library() -> None:
        raise AssertionError("the whole library was parsed")

    monkeypatch.setattr(loader, "_builtin", whole_library)
    scenario = loader.load_scenario("trade-war-2018")
    assert scenario.name == "trade-war-2018" and scenario is loader.load_scenario("trade-war-2018")
