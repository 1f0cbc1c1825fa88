"""Command-line interface: ``shoring ...``.

Every command is a thin layer over the Python API. Errors the user can fix
(:class:`shoring.errors.ShoringError`) are printed without a traceback and exit
with code 2. A valid model for which the optimizer returns no plan (infeasible, no
plan within the time limit, unbounded, numerical trouble;
:class:`shoring.errors.NoPlanError`) exits with code 3.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import warnings

import typer
from typer.core import TyperGroup

from shoring import __version__
from shoring.cli import (
    bench_cmd,
    console,
    cost_cmd,
    data_cmd,
    demo_cmd,
    gravity_cmd,
    macro_cmd,
    mrio_cmd,
    network_cmd,
    optimize_cmd,
    options,
    report_cmd,
    resilience_cmd,
    scenario_cmd,
    serve_cmd,
    simulate_cmd,
    stress_cmd,
    sweep_cmd,
)
from shoring.errors import InputWarning, NoPlanError, ShoringError, ShoringInputError


class _Root(TyperGroup):
    """The root group: its help and every subcommand's show click-style metavars."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        options.plain_metavars(self)


app = typer.Typer(
    name="shoring",
    cls=_Root,
    help=(
        "Relocate supply chains under deglobalization: data, networks, scenarios, costs.\n\n"
        "Exit codes: 0 done (for optimize: a plan, optimal or stopped at a limit with its "
        "gap); 2 bad input or usage; 3 no plan (infeasible, no plan within the time "
        "limit, unbounded, numerical trouble)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shoring {__version__}")
        raise typer.Exit()


def _show_warning(
    message: Warning | str, category: type[Warning], *args: object, **kw: object
) -> None:
    if isinstance(message, InputWarning):
        typer.echo(f"warning: {message.problem}", err=True)
    else:
        _default_showwarning(message, category, *args, **kw)  # type: ignore[arg-type]


_default_showwarning = warnings.showwarning


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Offshore, nearshore, reshore, friend-shore or dual-source: the cost made explicit."""
    # located input warnings are printed one per line, every time (not once per place)
    warnings.simplefilter("always", InputWarning)
    warnings.showwarning = _show_warning


for _module in (
    data_cmd,
    network_cmd,
    scenario_cmd,
    cost_cmd,
    report_cmd,
    optimize_cmd,
    bench_cmd,
    demo_cmd,
    gravity_cmd,
    mrio_cmd,
    macro_cmd,
    simulate_cmd,
    stress_cmd,
    resilience_cmd,
    serve_cmd,
    sweep_cmd,
):
    _module.register(app)


INTERRUPTED = (
    "interrupted: an output folder is only ever replaced by a complete run; a sweep keeps "
    "the variants written so far and resumes from them when the same command is run again"
)
"""Printed on Ctrl-C (outputs are written beside their folder and renamed in when done;
a sweep's parts are written one by one and a rerun skips them)."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print one line per problem and exit with code 2.

    A run that ends without a plan (:class:`~shoring.errors.NoPlanError`) exits with
    code 3 (:data:`~shoring.errors.NO_PLAN_EXIT_CODE`).

    Usage errors (unknown option, missing argument) are handled by click itself and
    also exit with code 2.
    """
    try:
        _run(argv)
    finally:
        if argv is None:  # the program's entry point: the process ends after this
            # the command is over (outputs committed or discarded): a Ctrl-C during
            # interpreter shutdown (thread joins, atexit) must not kill the process
            # silently (status -SIGINT) after a complete run
            _ignore_interrupts()


def _ignore_interrupts() -> None:
    with contextlib.suppress(ValueError):  # not the main thread: leave it
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(argv: list[str] | None) -> None:
    try:
        app(args=argv, prog_name="shoring")
    except SystemExit as exc:  # click's standalone mode exits even on success
        if exc.code == 130:  # Ctrl-C, as click reports it
            console.err.print(INTERRUPTED)
        if exc.code not in (0, None):
            raise
    except ShoringInputError as exc:
        for problem in exc.problems:
            console.err.print(str(problem))
        sys.exit(2)
    except NoPlanError as exc:
        console.err.print(f"no plan: {exc}")
        sys.exit(exc.exit_code)
    except ShoringError as exc:
        console.err.print(f"error: {exc}")
        sys.exit(2)
    except KeyboardInterrupt:
        console.err.print(INTERRUPTED)
        sys.exit(130)
