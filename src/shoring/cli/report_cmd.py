"""``shoring report NETWORK --scenario S ... --out DIR [--optimize]``: the study report as
one HTML file, optionally with the network-design section (optimized footprints)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from shoring.cli import options
from shoring.cli.console import Progress as RichProgress
from shoring.cli.console import err
from shoring.errors import ShoringError
from shoring.scenario.loader import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from shoring.study import Progress


@contextmanager
def study_progress() -> Iterator[Progress]:
    """A :data:`shoring.study.Progress` callback shown on stderr as it goes: a bar while a
    counted step runs (scenario-years priced), the stage's text otherwise (models solved)."""
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def progress(stage: str, done: int | None, total: int | None) -> None:
            bar.update(task, description=stage, completed=done or 0, total=total)

        yield progress


def report(
    network_file: Path = typer.Argument(..., help=options.NETWORK_HELP),
    scenario: list[str] = typer.Option(
        None,
        "--scenario",
        "-s",
        help="Built-in scenario name or YAML file; repeat for several (default: current-law).",
    ),
    year: list[int] = typer.Option(
        None,
        "--year",
        "-y",
        parser=options.year,
        help="Year to cost; repeat for several (default: demand years).",
    ),
    out: Path = typer.Option(
        Path("shoring-report"),
        "--out",
        "-o",
        help="Folder for report.html, the CSV tables and manifest.json (replaced as a whole "
        "when the new report is complete).",
    ),
    focus_year: int | None = typer.Option(
        None,
        "--focus-year",
        parser=options.year,
        help="Year of the conclusions and waterfalls (default: the last).",
    ),
    reference: str | None = typer.Option(
        None,
        "--reference",
        help="Scenario the others are compared with (default: current-law or the first).",
    ),
    optimize: bool = typer.Option(
        False,
        "--optimize/--no-optimize",
        help="Add the network-design section: each scenario's optimal footprint, the robust "
        "plan (CVaR 90%), the cost-risk frontier and near-optimal alternatives.",
    ),
    points: int = typer.Option(
        4, "--points", parser=options.whole(1, 100), help="Frontier points per sweep (--optimize)."
    ),
    macro: str | None = typer.Option(
        None,
        "--macro",
        help="Add the macro view: each scenario's duties (in force on 1 July of the focus "
        "year, on the HS6 codes of this gravity counterfactual spec or shipped example, e.g. "
        "us_china_tariff_war) in general equilibrium: who gains the diverted trade in the "
        "network's markets, price indices, real GDP.",
    ),
    macro_data: Path | None = typer.Option(
        None, "--macro-data", help="Trade CSV of the --macro spec (overrides its data:)."
    ),
    sweep: Path | None = typer.Option(
        None,
        "--sweep",
        help="Add the policy map of a finished sweep's results folder (shoring sweep -o): "
        "its first two parameters, the others at their first values.",
    ),
) -> None:
    """Validate a network, cost it under the scenarios and write the HTML report."""
    from shoring.outputs import OutputFolder
    from shoring.study import Study

    if optimize and points < 1:
        raise ShoringError("--points must be >= 1")
    names = list(dict.fromkeys(scenario or [DEFAULT_SCENARIO]))
    if macro_data is not None and macro is None:
        raise ShoringError("--macro-data needs --macro SPEC")
    spec = None
    if macro is not None:
        from shoring.cli.gravity_cmd import resolve_spec
        from shoring.macro.ge_spec import CounterfactualSpec
        from shoring.macro.gravity_spec import data_path, load_spec

        try:
            spec = resolve_spec(macro)
        except ShoringError as exc:
            raise ShoringError(f"--macro: {exc}") from None
        # found (or refused) before any work, as the spec's data or --macro-data
        macro_data = data_path(
            load_spec(CounterfactualSpec, spec).data, spec, macro_data, flag="--macro-data"
        )
    pmap = None
    if sweep is not None:
        from shoring.report.policy_map import policy_map

        try:
            pmap = policy_map(sweep)  # read first: a bad folder stops before any work
        except ShoringError as exc:
            raise ShoringError(f"--sweep: {exc}") from None
    study = Study.load(network_file, names, year or None)
    # taken before the work: a folder another run writes into is refused at once
    with (
        OutputFolder(out, "report", inputs=[network_file, *names]) as folder,
        study_progress() as progress,
    ):
        study.progress = progress
        design = study.design_study(points=points, echo=err.print) if optimize else None
        view = None if spec is None else study.macro_view(spec, macro_data, focus_year)
        path = study.report(
            folder, design=design, year=focus_year, reference=reference, macro=view,
            policy_map=pmap,
        )  # fmt: skip
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report)
