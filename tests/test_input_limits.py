"""Input limits as whole kinds: one field type per kind of value (finite, sign, fraction
or percent) for network files, scenario files and CLI options alike; YAML with bounded
cost (alias bombs, recursive aliases, deep nesting, size)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError
from typer.testing import CliRunner

from shoring.cli import app, main
from shoring.errors import ShoringInputError
from shoring.fields import Amount, Fraction, GrowthRate, Rate
from shoring.network import read_network
from shoring.safeyaml import MAX_DEPTH
from shoring.scenario import load_scenario

NET = """\
meta: {name: mini, base_year: 2025}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1,
     margin: MARGIN}
sites:
  - {id: cn, country: CHN, status: existing, products: [widget], capacity_units: CAPACITY,
     fixed_cost_usd: 100000, jobs: JOBS}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: widget, units: {2026: 1000}}
"""


def network_text(margin: str = "0.2", capacity: str = "100000", jobs: str = "0") -> str:
    return NET.replace("MARGIN", margin).replace("CAPACITY", capacity).replace("JOBS", jobs)


def problems(path: Path) -> list[str]:
    with pytest.raises(ShoringInputError) as info:
        if path.suffix == ".yaml" and "measures" in path.read_text(encoding="utf-8"):
            load_scenario(path)
        else:
            read_network(path)
    return [str(p) for p in info.value.problems]


# ------------------------------------------------------------------ field types


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (Fraction, "30%", 0.3),
        (Fraction, " 30 % ", 0.3),
        (Fraction, 0.3, 0.3),
        (Fraction, "0.3", 0.3),
        (Fraction, 1, 1.0),
        (Rate, "125%", 1.25),
        (Rate, 0, 0.0),
        (GrowthRate, "-3%", -0.03),
        (GrowthRate, -0.5, -0.5),
        (Amount, "1e6", 1e6),
    ],
)
def test_field_accepts(kind: object, value: object, expected: float) -> None:
    assert TypeAdapter(kind).validate_python(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        (Fraction, 30, "would read as 3000%: write 0.3 or '30%'"),
        (Fraction, "130%", "less than or equal to 1"),
        (Rate, 5, "would read as 500%: write 0.05 or '5%'"),
        (Rate, -0.2, "a subsidy is its own measure"),
        (Rate, "-20%", "a subsidy is its own measure"),
        (Rate, "2000%", "less than or equal to 10"),
        (Rate, float("inf"), "finite"),
        (Rate, "nan", "finite"),
        (Fraction, "nan%", "finite"),
        (Amount, float("nan"), "finite"),
        (Amount, "-inf", "finite"),
        (Amount, -1, "greater than or equal to 0"),
        (Amount, 1e15, "less than or equal to"),
        (Amount, True, "must be a number"),
        (Amount, "1,000", "thousands separators"),
    ],
)
def test_field_refuses(kind: object, value: object, words: str) -> None:
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        TypeAdapter(kind).validate_python(value)


# ------------------------------------------------------------------ scenario files

SCENARIO = """\
name: typo
title: A typo test
kind: forward
assumptions: [A test.]
measures:
  - {type: tariff, importers: USA, exporters: CHN, ad_valorem: VALUE, start: 2026-01-01}
"""


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-0.20", "ad_valorem: must be >= 0, got -0.2"),
        ("5", "ad_valorem: must be at most 1 as a fraction (0.05 = 5%), got 5"),
        (".inf", "ad_valorem: must be a finite number"),
        (".nan", "ad_valorem: must be a finite number"),
    ],
)
def test_scenario_rate_is_refused_with_line_and_field(
    tmp_path: Path, value: str, words: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("VALUE", value), encoding="utf-8")
    assert any(p.startswith(f"{path}:6:measures[0].") and words in p for p in problems(path))


def test_scenario_percent_written_with_sign(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("VALUE", "125%"), encoding="utf-8")
    assert load_scenario(path).measures[0].ad_valorem == pytest.approx(1.25)


@pytest.mark.parametrize(
    ("measure", "field"),
    [
        ("{type: ntb, importers: USA, ave: -0.5, start: 2026-01-01}", "ave"),
        ("{type: preference, members: [USA, MEX], rate: -0.1}", "rate"),
        ("{type: incentive, country: USA, start_year: 2026, per_unit_usd: .inf}", "per_unit_usd"),
        ("{type: carbon_price, jurisdictions: EU, usd_per_tco2: -5, start_year: 2026}", "usd"),
        ("{type: wage_path, country: CHN, annual_growth: 6, start_year: 2026}", "annual_growth"),
        ("{type: closure, country: CHN, capacity_lost: 50, start: 2026-01-01}", "capacity_lost"),
    ],
)
def test_every_measure_field_has_its_range(tmp_path: Path, measure: str, field: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.split("measures:")[0] + f"measures:\n  - {measure}\n", "utf-8")
    assert any(f":6:measures[0].{field}" in p for p in problems(path)), problems(path)


def test_calendar_invalid_date_is_located(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = SCENARIO.replace("VALUE", "0.1").replace("2026-01-01", "2026-02-30")
    path.write_text(text, encoding="utf-8")
    assert any(":6:measures[0].start:" in p for p in problems(path))


# ------------------------------------------------------------------ network files


def test_network_fraction_accepts_percent(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    path.write_text(network_text(margin="25%"), encoding="utf-8")
    assert read_network(path).products.loc["widget", "margin"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"margin": "25"}, "margin", "write 0.25 or '25%'"),
        ({"capacity": "1e15"}, "capacity_units", "at most"),
        ({"capacity": ".inf"}, "capacity_units", "finite"),
        ({"jobs": str(10**30)}, "jobs", "at most"),
    ],
)
def test_network_value_out_of_range(
    tmp_path: Path, kwargs: dict[str, str], field: str, words: str
) -> None:
    path = tmp_path / "n.yaml"
    path.write_text(network_text(**kwargs), encoding="utf-8")
    found = problems(path)
    assert any(f":{field}:" in p and words in p for p in found), found


# ------------------------------------------------------------------ YAML bounds


def billion_laughs(levels: int = 9) -> str:
    lines = ["x-l0: &l0 [widget, widget, widget, widget, widget, widget, widget, widget, w]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"x-l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n" + network_text()


@pytest.mark.parametrize("kind", ["network", "scenario"])
def test_alias_bomb_is_refused_quickly(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bomb.yaml"
    text = billion_laughs()
    if kind == "scenario":
        text = text.split("meta:")[0] + SCENARIO.replace("VALUE", "0.1")
    path.write_text(text, encoding="utf-8")
    assert len(text) < 2_000
    start = time.perf_counter()
    found = problems(path)
    assert time.perf_counter() - start < 2.0
    assert any("aliases expand" in p for p in found), found


def test_shared_anchors_stay_accepted() -> None:
    assert load_scenario("tariffs-2025").measures  # uses `exempt_hs: *s232` many times


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("meta: &a {name: x, base_year: 2025, more: [*a]}\n", "recursive alias"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", f"nested more than {MAX_DEPTH} levels"),
        (
            "".join(f"x{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 80)).replace("*a0", "1"),
            "levels deep",
        ),
        ("a: 1\n---\nb: 2\n", "single document"),
        ("a: \x07\n", "is not allowed in YAML text"),
    ],
)
def test_hostile_yaml_is_refused(tmp_path: Path, text: str, words: str) -> None:
    for name in ("n.yaml", "s.yaml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ShoringInputError, match=words):
            (read_network if name == "n.yaml" else load_scenario)(path)


def test_yaml_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shoring.safeyaml.MAX_BYTES", 1000)
    path = tmp_path / "n.yaml"
    path.write_text(network_text() + "#" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(ShoringInputError, match="at most 1,000 are read"):
        read_network(path)


# ------------------------------------------------------------------ CLI options


@pytest.fixture(scope="module")
def net_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("net") / "n.yaml"
    path.write_text(network_text(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["optimize", "-s", "baseline", "--alpha", "nan"], "finite"),
        (["optimize", "-s", "baseline", "--within", "5"], "write 0.05 or '5%'"),
        (["optimize", "-s", "baseline", "--budget", "inf"], "finite"),
        (["optimize", "-s", "baseline", "--max-lost-share", "-0.1"], "at least 0"),
        (["optimize", "-s", "baseline", "--time-limit", "0"], "greater than 0"),
        (["optimize", "-s", "baseline", "--alternatives", str(2**70)], "at most 50"),
        (["optimize", "-s", "baseline", "--probabilities", "0.5,nan"], "finite"),
        (["optimize", "-s", "baseline", "--years", "2026,1e400"], "finite"),
        (["pareto", "-s", "baseline", "--lambda-max", "-inf"], "finite"),
        (["cost", "--year", "99999999999999999999"], "at most 2200"),
        (["report", "--focus-year", "1e3"], "whole number"),
    ],
)
def test_bad_option_exits_2_naming_it(net_file: Path, args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, [args[0], str(net_file), *args[1:]])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    option = next((a for a in args if a.startswith("-") and a != "-s"), "--year")
    text = " ".join(result.output.replace("│", " ").split())
    assert words in text
    assert f"Invalid value for '{option}'" in text


def test_negative_rate_case_kind_through_cost(
    net_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Case negative-rate: cost refuses a negative tariff with file:line:field (exit 2)."""
    scenario = tmp_path / "neg.yaml"
    scenario.write_text(SCENARIO.replace("VALUE", "-0.2"), encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["cost", str(net_file), "-s", str(scenario), "-y", "2026"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"{scenario}:6:measures[0].ad_valorem: must be >= 0" in " ".join(err.split())
