"""``shoring scenarios list`` and ``shoring scenarios show NAME``."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from shoring.cli.console import Table, styled
from shoring.cli.console import out as console
from shoring.scenario import builtin_scenarios, compose, load_scenario
from shoring.scenario.scenario import Scenario
from shoring.textsafe import json_text


def _period(scenario: Scenario) -> dict[str, str | None]:
    first, last = scenario.period()
    return {"start": _iso(first), "end": _iso(last)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _summary(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "title": scenario.title,
        "kind": scenario.kind,
        "measures": len(scenario.measures),
        "parents": list(scenario.parents),
        "period": _period(scenario),
    }


def register(app: typer.Typer) -> None:
    """Add the ``scenarios`` command group to the root app."""
    group = typer.Typer(help="Policy and disruption scenarios: the built-in library.")
    app.add_typer(group, name="scenarios")

    @group.command("list")
    def list_scenarios(
        as_json: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
    ) -> None:
        """List the built-in scenarios: name, title, number of measures, period."""
        rows = [_summary(s) for s in builtin_scenarios().values()]
        if as_json:
            typer.echo(json_text(rows))
            return
        table = Table(title="Built-in scenarios")
        for col in ("name", "kind", "title", "measures", "period"):
            table.add_column(col)
        for row in rows:
            p = row["period"]
            period = f"{p['start'] or '-'} .. {p['end'] or 'open'}" if p["start"] else "-"
            table.add_row(row["name"], row["kind"], row["title"], str(row["measures"]), period)
        console.print(table)

    @group.command("show")
    def show_scenario(
        name: str = typer.Argument(..., help="Built-in scenario name or a YAML file."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
    ) -> None:
        """Show a scenario's measures (parents included) and its sources."""
        scenario = load_scenario(name)
        measures, _ = compose(scenario)
        if as_json:
            out = _summary(scenario) | {
                "description": scenario.description,
                "assumptions": list(scenario.assumptions),
                "sources": [s.model_dump(mode="json") for s in scenario.sources],
                "blocs": {k: list(v) for k, v in scenario.blocs.items()},
                "probability": scenario.probability,
                "composed_measures": [m.model_dump(mode="json") for m in measures],
            }
            typer.echo(json_text(out))
            return
        console.print(styled((scenario.name, "bold"), f": {scenario.title} ({scenario.kind})"))
        if scenario.description:
            console.print(scenario.description.strip())
        if scenario.parents:
            console.print(f"parents: {', '.join(scenario.parents)}")
        table = Table(title=f"Measures ({len(measures)}, parents first)")
        for col in ("id", "type", "from", "to", "details", "source"):
            table.add_column(col)
        for m in measures:
            first, last = m.period()
            table.add_row(
                m.id or "",
                m.type,
                _iso(first) or "",
                _iso(last) or "open",
                m.details(),
                m.source.name if m.source else "",
            )
        console.print(table)
        if scenario.assumptions:
            console.print("Assumptions", style="bold")
            for text in scenario.assumptions:
                console.print(f"  - {text}")
        if scenario.sources:
            console.print("Sources", style="bold")
            for s in scenario.sources:
                console.print(f"  - {s.name} ({s.year}) {s.url}")
