"""``shoring sweep NETWORK --base S --grid G``: policy-space sweeps on Dask; ``sweep show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup

from shoring.cli import options
from shoring.cli.console import Progress, Table
from shoring.cli.console import err as progress_console
from shoring.cli.console import out as console
from shoring.textsafe import json_text


class _RunByDefault(TyperGroup):
    """``shoring sweep ARGS`` runs ``sweep run ARGS`` unless ARGS start with a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


group = typer.Typer(
    cls=_RunByDefault,
    help=(
        "Policy-space sweeps: every combination of a grid of scenario parameters, run on "
        "Dask, results in a resumable Parquet dataset. `shoring sweep NETWORK --base S "
        "--grid G` runs one (same as `sweep run`); `shoring sweep show OUT` prints its "
        "policy map."
    ),
    no_args_is_help=True,
)


@group.command("run")
def run_cmd(
    network: Path = typer.Argument(..., help=options.NETWORK_HELP),
    base: str = typer.Option(
        "current-law", "--base", "-b", help="Base scenario: a built-in name or a YAML file."
    ),
    grid: Path = typer.Option(..., "--grid", "-g", help="Grid YAML: parameters and values."),
    analysis: str = typer.Option(
        "cost",
        "--analysis",
        "-a",
        help="cost (cheapest site per lane), optimize (footprint) or simulate (disruptions).",
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        "-w",
        parser=options.whole(0, 1024),
        help="Processes of the local Dask cluster (default: cores, at most 2); 0: no Dask.",
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler, tcp://HOST:PORT."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Results folder (default: `sweep-<grid>-<analysis>`)."
    ),
    footprint: str | None = typer.Option(
        None,
        "--footprint",
        help="Comma-separated site ids: their regret is measured (simulate: the open sites).",
    ),
    batch_size: int | None = typer.Option(
        None, "--batch-size", parser=options.whole(1, 100_000), help="Variants per task."
    ),
    mip_gap: float | None = typer.Option(
        None, "--mip-gap", parser=options.fraction, help="HiGHS relative MIP gap (optimize)."
    ),
    time_limit: float | None = typer.Option(
        None, "--time-limit", parser=options.positive, help="Seconds per MILP (optimize)."
    ),
    runs: int = typer.Option(
        1000, "--runs", parser=options.whole(1, 1_000_000), help="Draws per variant (simulate)."
    ),
    seed: int = typer.Option(
        0, "--seed", parser=options.whole(0, 2**63 - 1), help="Root seed of every variant."
    ),
) -> None:
    """Run a sweep (or resume it: finished variants in --out are skipped)."""
    from shoring.network import read_network
    from shoring.scenario import load_scenario
    from shoring.sweep import read_grid, run_sweep
    from shoring.sweep.evaluate import ANALYSES
    from shoring.sweep.run import base_of

    if analysis not in ANALYSES:
        raise typer.BadParameter(
            f"{analysis!r}: one of {', '.join(ANALYSES)}", param_hint="--analysis"
        )
    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers or --scheduler, not both", param_hint="--workers")
    # every input is read and checked before a worker starts
    scenario = load_scenario(base)
    spec = read_grid(grid, *base_of(scenario))
    net = read_network(network)
    sites = tuple(s.strip() for s in (footprint or "").split(",") if s.strip())
    target = out or Path(f"sweep-{grid.stem}-{analysis}")
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=progress_console, transient=True) as bar:
        task = bar.add_task(f"{analysis} sweep", total=spec.size)

        def tell(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = run_sweep(
            net,
            scenario,
            spec,
            target,
            analysis,  # type: ignore[arg-type]
            workers=workers,
            scheduler=scheduler,
            footprint=sites,
            batch_size=batch_size,
            mip_gap=mip_gap,
            time_limit=time_limit,
            runs=runs,
            seed=seed,
            progress=tell,
        )
    rate = summary.computed / summary.wall_seconds if summary.wall_seconds > 0 else 0.0
    where = f"{summary.workers} Dask worker(s)" if summary.workers else "this process"
    console.print(
        f"{summary.total:,} variants in {target}: {summary.computed:,} computed "
        f"({summary.batches} batches, {summary.wall_seconds:.1f} s, {rate:.2f} variants/s on "
        f"{where}, {summary.task_cpu_seconds:.1f} CPU s in tasks, busy "
        f"{summary.busy_share:.0%} of worker time), {summary.skipped:,} already there"
        + (f"; {summary.errors} failed (see the error column)" if summary.errors else "")
    )
    console.print(f"policy map: shoring sweep show {target}")


@group.command("show")
def show_cmd(
    out: Path = typer.Argument(..., help="A sweep's results folder."),
    x: str | None = typer.Option(None, "--x", help="Parameter across (default: the first)."),
    y: str | None = typer.Option(None, "--y", help="Parameter down (default: the second)."),
    at: list[str] = typer.Option(
        [], "--at", help="NAME=VALUE: hold another parameter there (default: its first value)."
    ),
    html: Path | None = typer.Option(None, "--html", help="Write the map as an HTML page."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows shown as JSON."),
) -> None:
    """The policy map: cheapest site or optimal footprint per grid point; regret."""
    from shoring.sweep.policy_map import (
        map_axes,
        matrix,
        parse_at,
        read_results,
        regret_summary,
    )
    from shoring.sweep.store import read_manifest

    info = read_manifest(out)
    every = read_results(out)
    x, y, held = map_axes(every, x, y, parse_at(at, info))
    shown = read_results(out, where=held)
    if html is not None:
        from shoring.report.policy_map import policy_map, write_policy_map

        write_policy_map(policy_map(out, x, y, held), html)
    if as_json:
        rows = shown.rows.astype(object).where(shown.rows.notna(), None)
        payload = {
            "manifest": info,
            "held": held,
            "rows": rows.to_dict("records"),
            "regret": regret_summary(every).to_dict("records"),
        }
        console.print(json_text(payload), markup=False, highlight=False, soft_wrap=True)
        return
    held_text = ", ".join(f"{k} = {v}" for k, v in held.items())
    console.print(
        f"{info['analysis']} sweep of {info['network']} from {info['base_scenario']}: "
        f"{len(every.rows):,} of {info['variants']:,} variants done"
        + (f"; held at {held_text}" if held_text else "")
    )
    for column in shown.outcomes:
        grid = matrix(shown.rows, x, y, column)
        table = Table(title=f"{column.replace('__', ' ')} (columns: {x})")
        table.add_column(y or "")
        for value in grid.columns:
            table.add_column(_text(value))
        for value, row in grid.iterrows():
            table.add_row(_text(value) if y else "", *(_text(v) for v in row))
        console.print(table)
    summary = regret_summary(every)
    if not summary.empty:
        table = Table(title=f"regret of footprint {', '.join(info['footprint'])} (USD)")
        for col in ("of", "variants", "max", "mean", "optimal in"):
            table.add_column(col)
        for r in summary.to_dict("records"):
            table.add_row(
                r["column"].replace("__", " "),
                str(r["variants"]),
                f"{r['max']:,.2f}",
                f"{r['mean']:,.2f}",
                f"{r['zero_share']:.0%}",
            )
        console.print(table)
    if html is not None:
        console.print(f"map: {html}")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:g}"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` group to the root app."""
    app.add_typer(group, name="sweep")
