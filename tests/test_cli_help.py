"""Help text as users read it: docstring markup rendered, bracketed text kept."""

from __future__ import annotations

import re
from functools import cache

import typer
from typer.testing import CliRunner

from shoring.cli import app


def _commands(cmd, path):
    yield path
    if hasattr(cmd, "list_commands"):
        ctx = type(cmd).context_class(cmd)
        for name in cmd.list_commands(ctx):
            yield from _commands(cmd.get_command(ctx, name), [*path, name])


@cache
def _helps() -> dict[str, str]:
    runner = CliRunner()
    out = {}
    for path in _commands(typer.main.get_command(app), []):
        result = runner.invoke(app, [*path, "--help"], terminal_width=110)
        assert result.exit_code == 0, (path, result.output)
        out[" ".join(path)] = result.output
    return out


def test_help_renders_markup_and_keeps_brackets() -> None:
    helps = _helps()
    assert len(helps) > 30  # every command and group
    raw = {name: text for name, text in helps.items() if "``" in text}
    assert not raw, f"raw ``code`` markup in the help of {sorted(raw)}"
    # text in square brackets or angle brackets is not swallowed as markup
    assert "shoring[mrio]" in re.sub(r"\s+", "", helps["mrio"])
    assert "[year,]" in helps["macro index china-plus-one"]
    assert "sweep-<grid>-<analysis>" in helps["sweep run"]


def test_help_shows_click_style_metavars() -> None:
    """No Python type in any help: a flag has no type, a repeatable option ``TEXT...``."""
    helps = _helps()
    for name, text in helps.items():
        typed = re.findall(r"<(?:bool|str|int|float|path|Path|Any|list\[[^\]]*\])[^>]*>", text)
        assert not typed, f"{name!r} shows {typed}"
    lines = {line.split()[1]: line for line in helps["cost"].splitlines() if line[2:4] == "--"}
    assert lines["--json"].split()[:3] == ["│", "--json", "Print"]  # a flag: no type
    assert lines["--scenario"].split()[:4] == ["│", "--scenario", "-s", "TEXT..."]
    assert lines["--year"].split()[:4] == ["│", "--year", "-y", "INTEGER..."]
    assert lines["--product"].split()[:4] == ["│", "--product", "-p", "TEXT"]
    assert re.search(r"│ \*\s+network\s+PATH\s", helps["cost"])
    assert re.search(r"--years\s+YEAR,YEAR,\.\.\.", helps["optimize"])
    assert re.search(r"--port\s+INTEGER \[1<=x<=65535\]", helps["serve"])
