"""``shoring demo [--out DIR]``: the first example study, end to end, in seconds.

Loads the ``ev-battery`` example, validates it, shows the country facts the study
depends on, costs it under every built-in scenario over the example's years, optimizes
the network design (each scenario alone, a robust plan over all of them, the cost-risk
frontier, near-optimal alternatives), writes the HTML report and prints what it
concludes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from shoring.cli import options
from shoring.cli.console import Table
from shoring.cli.console import out as console

_FACTS = {
    "labour cost (USD/h)": "manufacturing labour cost, USD/hour",
    "MFN average": "MFN applied tariff, simple average",
    "LPI (1-5)": "Logistics Performance Index (1-5)",
    "WorldRiskIndex": "WorldRiskIndex (exposure x vulnerability)",
}


def _fact_cells(facts: dict[str, Any]) -> list[str]:
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
        table.add_column(column)
    for iso3 in countries:
        facts = country_facts(iso3, year)
        table.add_row(f"{facts['name']} ({iso3})", *_fact_cells(facts))
    return table


def _echo(line: str) -> None:
    console.print(line)


def demo(
    out: Path = typer.Option(
        Path("shoring-demo"),
        "--out",
        "-o",
        help="Folder for report.html, the CSV tables and manifest.json (replaced as a whole).",
    ),
    points: int = typer.Option(
        4,
        "--points",
        parser=options.whole(1, 100),
        help="Points per sweep of the cost-risk frontier.",
    ),
    alternatives: int = typer.Option(
        3,
        "--alternatives",
        parser=options.whole(0, 50),
        help="Near-optimal footprints (within 5%) to look for.",
    ),
) -> None:
    """Run the example study (EV battery packs) across all built-in scenarios."""
    from shoring.cli.network_cmd import _summary_view
    from shoring.cli.report_cmd import study_progress
    from shoring.examples import FIRST_EXAMPLE, example_path
    from shoring.network import read_network, summarize
    from shoring.outputs import OutputFolder
    from shoring.report import design_findings, study_findings
    from shoring.report.reconcile import reconcile_sentences
    from shoring.scenario import builtin_scenarios
    from shoring.scenario.loader import ALIASES
    from shoring.study import Study

    path = example_path(FIRST_EXAMPLE)
    network = read_network(path)
    console.print(_summary_view(summarize(network), f"example {FIRST_EXAMPLE}"))
    console.print(facts_table(list(network.countries), int(network.meta.base_year)))
    scenarios = [s for s in builtin_scenarios().values() if s.name not in ALIASES]
    console.print(
        f"Costing {len(network.products)} products x {len(network.sites)} sites x "
        f"{len(network.markets)} markets over {len(network.years)} years under "
        f"{len(scenarios)} scenarios: {', '.join(s.name for s in scenarios)}"
    )
    # taken before the work: a folder another run writes into is refused at once
    with OutputFolder(out, "demo", inputs=[path]) as folder:
        with study_progress() as progress:
            study = Study(network, scenarios, network.years, progress=progress)
            ds = study.landed_costs
        console.print(
            "Optimizing the network design (HiGHS, MIP gap 0.01%): each scenario alone, the "
            f"robust plan over all of them (expected cost + CVaR90), up to {alternatives} "
            f"alternative(s) within 5%, the cost-risk frontier ({points} points per sweep)"
        )
        with study_progress() as progress:
            study.progress = progress
            design = study.design_study(points=points, alternatives=alternatives, echo=_echo)
            report = study.report(folder, design=design)
        with study_progress() as progress:
            progress("resilience of the robust plan", None, None)
            resilience = _resilience(network, design.robust.open_sites, folder.path)
        # the study's input beside its results: `shoring cost <out>` reruns from it
        shutil.copyfile(path, folder.path / "network.yaml")
    console.print("What the study concludes", style="bold")
    for finding in study_findings(network, ds):
        for sentence in finding.sentences:
            console.print(f"  {sentence}")
    console.print("Network design", style="bold")
    for sentence in design_findings(design):
        console.print(f"  {sentence}")
    console.print("Per-unit ranking and the plan", style="bold")
    for sentence in reconcile_sentences(network, ds, design):
        console.print(f"  {sentence}")
    console.print(
        f"Resilience of the robust plan ({RESILIENCE_DRAWS:,} draws, seed {RESILIENCE_SEED}; "
        "resilience.html)",
        style="bold",
    )
    for sentence in resilience:
        console.print(f"  {sentence}")
    console.print(f"Report: {report.resolve()}")
    console.print(
        f"Tables beside it: {', '.join(sorted(p.name for p in report.parent.glob('*.csv')))}"
    )
    console.print(
        f"The network it used: network.yaml beside them (e.g. `shoring cost {out} -y 2030`)"
    )


RESILIENCE_DRAWS = 1000
"""Draws of the demo's resilience analysis (per strategy)."""
RESILIENCE_SEED = 1


def _resilience(network: Any, open_sites: Sequence[str], out: Path) -> list[str]:
    """Simulate and stress-test the robust plan, compare it with the existing footprint,
    30-day buffers and dual sourcing (common random numbers), write ``resilience.html``
    into ``out`` and return the findings in words."""
    from shoring.report.resilience import findings, resilience_page
    from shoring.simulate import Footprint, default_hazards
    from shoring.simulate.compare import compare_strategies
    from shoring.stress import stress_test

    model = default_hazards()
    plan = Footprint(open=tuple(open_sites))
    results: dict[str, Any] = {}
    rows = compare_strategies(
        network,
        model,
        RESILIENCE_DRAWS,
        RESILIENCE_SEED,
        buffer_days=(30.0,),
        footprints={"robust plan": plan},
        candidates=False,
        results=results,
    )
    result = results["footprint:robust plan"]  # the plan's draws, as compared
    stress = stress_test(result.sim, model)
    page = resilience_page(network.name, result, stress, rows, network=network)
    (out / "resilience.html").write_text(page, encoding="utf-8")
    return findings(result, stress, rows)


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the root app."""
    app.command("demo")(demo)
