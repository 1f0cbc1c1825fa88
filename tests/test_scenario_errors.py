"""Bad scenario files give file:line:field: message errors (exit 2 on the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shoring.errors import ShoringInputError
from shoring.scenario import load_scenario_file

GOOD_HEAD = """\
name: my-scenario
title: My scenario
measures:
"""


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ShoringInputError) as info:
        load_scenario_file(path)
    return [str(p).replace(str(path), "s.yaml") for p in info.value.problems]


def test_bad_value_is_located_by_line_and_path(tmp_path: Path) -> None:
    text = (
        GOOD_HEAD
        + """\
  - type: tariff
    importers: USA
    start: 2025-01-01
  - type: tariff
    importers: USA
    ad_valorem: 25
    start: 2025-01-01
"""
    )
    assert _problems(tmp_path, text) == [
        "s.yaml:9:measures[1].ad_valorem: must be at most 1 as a fraction (0.05 = 5%), "
        "got 25, which would read as 2500%: write 0.25 or '25%'"
    ]


def test_unknown_field_missing_field_and_bad_type(tmp_path: Path) -> None:
    text = (
        GOOD_HEAD
        + """\
  - type: tariff
    importers: USA
    start: 2025-01-01
    rate: 0.1
  - type: closure
    capacity_lost: 0.5
    start: 2020-01-01
  - type: embargo
"""
    )
    problems = _problems(tmp_path, text)
    assert "s.yaml:7:measures[0].rate: unknown field (not allowed here)" in problems
    assert "s.yaml:8:measures[1].country: required field is missing" in problems
    assert any(
        p.startswith("s.yaml:11:measures[2].type:") or p.startswith("s.yaml:11:measures[2]:")
        for p in problems
    )


def test_unknown_country_and_bloc(tmp_path: Path) -> None:
    text = (
        GOOD_HEAD
        + """\
  - type: tariff
    importers: [USA]
    exporters: [Chinna]
    start: 2025-01-01
  - type: tariff
    importers: NOWHERE_BLOC
    start: 2025-01-01
"""
    )
    problems = _problems(tmp_path, text)
    assert problems[0].startswith("s.yaml:6:measures[0].exporters: unknown country 'Chinna'")
    text2 = (
        GOOD_HEAD
        + """\
  - type: tariff
    importers: NOWHERE_BLOC
    start: 2025-01-01
"""
    )
    assert _problems(tmp_path, text2)[0].startswith(
        "s.yaml:5:measures[0].importers: unknown country or bloc"
    )


def test_end_before_start_points_at_the_measure(tmp_path: Path) -> None:
    text = (
        GOOD_HEAD
        + """\
  - type: tariff
    importers: USA
    start: 2025-05-01
    end: 2025-04-01
"""
    )
    assert _problems(tmp_path, text) == [
        "s.yaml:4:measures[0]: end 2025-04-01 is before start 2025-05-01"
    ]


def test_yaml_syntax_error_and_non_mapping(tmp_path: Path) -> None:
    assert _problems(tmp_path, "name: x\ntitle: [unclosed\n")[0].startswith("s.yaml:")
    assert _problems(tmp_path, "- a\n- b\n") == [
        "s.yaml:1: a scenario file must be a mapping (name:, title:, measures: ...)"
    ]
    assert _problems(tmp_path, "name: Bad Name\ntitle: Fine title\n")[0].startswith(
        "s.yaml:1:name:"
    )


def test_cli_exits_2_on_bad_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "bad.yaml"
    path.write_text(GOOD_HEAD + "  - type: tariff\n    importers: USA\n", encoding="utf-8")
    code = (
        "import typer, sys\n"
        "from shoring.cli import main, app, scenario_cmd\n"
        "if 'scenarios' not in [g.name for g in app.registered_groups]:\n"
        "    scenario_cmd.register(app)\n"
        f"main(['scenarios', 'show', {str(path)!r}])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"{path}:4:measures[0].start: required field is missing" in proc.stderr
