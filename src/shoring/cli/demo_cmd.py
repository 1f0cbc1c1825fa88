"""``shoring demo [--out DIR]``: the first example study, end to end, in seconds.

Loads the ``ev-battery`` example, validates it, shows the country facts the study
depends on, costs it under every built-in scenario over the example's years, writes
the HTML report and prints what it concludes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True, emoji=False)

_FACTS = {
    "labour cost (USD/h)": "manufacturing labour cost, USD/hour",
    "MFN average": "MFN applied tariff, simple average",
    "LPI (1-5)": "Logistics Performance Index (1-5)",
    "WorldRiskIndex": "WorldRiskIndex (exposure x vulnerability)",
}


def _fact_cells(facts: dict[str, Any], year: int) -> list[str]:
    """Compact cells of one country's facts (see :func:`shoring.data.facts.country_facts`)."""
    by_name = {f["fact"]: str(f["value"]) for f in facts["facts"]}
    cells = []
    for column, fact in _FACTS.items():
        value = by_name.get(fact, "-")
        if column.startswith("labour") and ":" in value:
            # "2000: 0.57, ..., 2024: 7.34" -> "7.34 (2024)": the latest year shown
            last_year, last_value = value.rsplit(", ", 1)[-1].split(": ")
            value = f"{last_value} ({last_year})"
        value = re.sub(r" \(common external tariff of (\w+)\)", r" \1 CET", value)
        value = re.sub(r"; exposure [\d.]+\)", ")", value)
        cells.append(value)
    return cells


def facts_table(countries: list[str], year: int) -> Table:
    """The facts the study depends on, one row per country."""
    from shoring.data.facts import country_facts

    table = Table(
        title=f"Country facts used ({year} or latest; sources: shoring data show country)"
    )
    table.add_column("country")
    for column in _FACTS:
        table.add_column(column, overflow="fold")
    for iso3 in countries:
        facts = country_facts(iso3, year)
        table.add_row(f"{facts['name']} ({iso3})", *_fact_cells(facts, year))
    return table


def demo(
    out: Path = typer.Option(
        Path("shoring-demo"), "--out", "-o", help="Folder for report.html and the CSV tables."
    ),
) -> None:
    """Run the example study (EV battery packs) across all built-in scenarios."""
    from shoring.cli.network_cmd import _summary_view
    from shoring.cli.report_cmd import cost_with_progress
    from shoring.examples import FIRST_EXAMPLE, example_path
    from shoring.network import read_network, summarize
    from shoring.report import build_report, study_findings
    from shoring.scenario import builtin_scenarios

    path = example_path(FIRST_EXAMPLE)
    network = read_network(path)
    console.print(_summary_view(summarize(network), f"example {FIRST_EXAMPLE}"))
    console.print(facts_table(list(network.countries), int(network.meta.base_year)))
    scenarios = list(builtin_scenarios().values())
    console.print(
        f"Costing {len(network.products)} products x {len(network.sites)} sites x "
        f"{len(network.markets)} markets over {len(network.years)} years under "
        f"{len(scenarios)} scenarios: {', '.join(s.name for s in scenarios)}",
        markup=False,
    )
    ds = cost_with_progress(network, scenarios, network.years)
    report = build_report(network, ds, scenarios, out)
    console.print("[bold]What the study concludes[/bold]")
    for finding in study_findings(network, ds):
        for sentence in finding.sentences:
            console.print(f"  {sentence}", markup=False)
    console.print(f"Report: {report.resolve()}", markup=False)
    console.print(
        f"Tables beside it: {', '.join(sorted(p.name for p in report.parent.glob('*.csv')))}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the root app."""
    app.command("demo")(demo)
