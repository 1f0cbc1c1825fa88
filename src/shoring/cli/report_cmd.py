"""``shoring report NETWORK --scenario S ... --out DIR``: the study report as one HTML file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    import xarray as xr

    from shoring.network import Network
    from shoring.scenario import Scenario

console = Console(highlight=False, soft_wrap=True, emoji=False)


def cost_with_progress(
    network: Network, scenarios: Sequence[Scenario], years: Sequence[int] | None = None
) -> xr.Dataset:
    """Run :func:`shoring.costs.landed_cost` with a rich progress bar on stderr."""
    from shoring.costs import landed_cost

    with Progress(
        TextColumn("landed cost"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("scenario-years"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("cost", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return landed_cost(network, scenarios, years, progress=progress)


def report(
    network_file: Path = typer.Argument(
        ..., help="Network file: .yaml/.yml, .xlsx or a CSV folder."
    ),
    scenario: list[str] = typer.Option(
        None,
        "--scenario",
        "-s",
        help="Built-in scenario name or YAML file; repeat for several (default: baseline).",
    ),
    year: list[int] = typer.Option(
        None, "--year", "-y", help="Year to cost; repeat for several (default: demand years)."
    ),
    out: Path = typer.Option(
        Path("shoring-report"), "--out", "-o", help="Folder for report.html and the CSV tables."
    ),
    focus_year: int | None = typer.Option(
        None, "--focus-year", help="Year of the conclusions and waterfalls (default: the last)."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="Scenario the others are compared with (default: baseline)."
    ),
) -> None:
    """Validate a network, cost it under the scenarios and write the HTML report."""
    from shoring.network import read_network
    from shoring.report import build_report
    from shoring.scenario import load_scenario

    network = read_network(network_file)
    names = list(dict.fromkeys(scenario or ["baseline"]))
    scenarios = [load_scenario(name) for name in names]
    ds = cost_with_progress(network, scenarios, year or None)
    path = build_report(network, ds, scenarios, out, year=focus_year, reference=reference)
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report)
