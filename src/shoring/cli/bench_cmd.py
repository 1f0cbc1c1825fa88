"""``shoring bench ...``: solve published benchmark instances and report against optima."""

from __future__ import annotations

from pathlib import Path

import typer

from shoring.cli import options
from shoring.cli.console import Table, out
from shoring.errors import ShoringError
from shoring.textsafe import json_text

bench_app = typer.Typer(
    name="bench",
    help="Solve published benchmark instances (OR-Library) with the optimizer.",
    no_args_is_help=True,
)


@bench_app.command("cflp")
def cflp(
    file: Path = typer.Argument(..., help="OR-Library capacitated warehouse file (cap*.txt)."),
    capacity: float | None = typer.Option(
        None,
        "--capacity",
        parser=options.positive,
        help="Capacity of every facility, for capa/capb/capc files that say 'capacity'.",
    ),
    time_limit: float | None = typer.Option(
        None, "--time-limit", parser=options.positive, help="Solver time limit in seconds."
    ),
    mip_gap: float = typer.Option(
        1e-9,
        "--mip-gap",
        parser=options.fraction,
        help="Relative MIP gap at which to stop (fraction).",
    ),
    threads: int | None = typer.Option(
        None, "--threads", parser=options.whole(1, 1024), help="Solver threads."
    ),
    log_file: Path | None = typer.Option(None, "--log-file", help="Write the HiGHS log here."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Solve an OR-Library capacitated facility location instance (split demand).

    Facilities are numbered from 1 in file order.
    """
    # linopy is slow to import: only load it when the command runs.
    from shoring.optimize import SolveOptions, read_orlib_cap, solve_cflp

    try:
        options = SolveOptions(
            time_limit=time_limit, mip_rel_gap=mip_gap, threads=threads, log_file=log_file
        )
    except ValueError as exc:
        raise ShoringError(f"invalid solver option: {exc}") from None
    instance = read_orlib_cap(file, capacity=capacity)
    result = solve_cflp(instance, options)
    summary = result.summary()
    if as_json:
        typer.echo(json_text(summary))
        return
    table = Table(title=f"CFLP {result.instance}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("facilities x customers", f"{result.n_facilities} x {result.n_customers}")
    table.add_row("status", result.status.value)
    table.add_row("objective", f"{result.objective:,.4f}")
    table.add_row("MIP gap", f"{result.mip_gap:.2e}")
    table.add_row(
        f"open facilities ({len(result.open_facilities)})",
        " ".join(str(f) for f in result.open_facilities),
    )
    table.add_row("build s", f"{result.build_seconds:.3f}")
    table.add_row("solve s", f"{result.solve_seconds:.3f}")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``bench`` command group to the root app."""
    app.add_typer(bench_app, name="bench")
