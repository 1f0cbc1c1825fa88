"""Help text as users read it: docstring markup rendered, bracketed text kept."""

from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from shoring.cli import app


def _commands(cmd, path):
    yield path
    if hasattr(cmd, "list_commands"):
        ctx = type(cmd).context_class(cmd)
        for name in cmd.list_commands(ctx):
            yield from _commands(cmd.get_command(ctx, name), [*path, name])


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
