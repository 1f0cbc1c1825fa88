"""``shoring report NETWORK --scenario S ... --out DIR [--optimize]``: the study report as
one HTML file, optionally with the network-design section (optimized footprints)."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shoring.cli import options
from shoring.cli.console import err, spinner
from shoring.errors import ShoringError
from shoring.scenario.loader import DEFAULT_SCENARIO

if TYPE_CHECKING:
    import xarray as xr

    from shoring.network import Network
    from shoring.report import DesignStudy
    from shoring.scenario import Scenario


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
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("cost", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return landed_cost(network, scenarios, years, progress=progress)


class _Background:
    """Run one call in a spawned worker process while this one works, or, when no
    worker can start (or it dies), in this process when the result is asked for."""

    def __init__(self, parallel: bool) -> None:
        self.parallel = parallel
        self.pool: ProcessPoolExecutor | None = None
        self.future: Any = None
        self.call: Callable[[Callable[[str], None]], Any] | None = None
        self.in_process = False

    def __enter__(self) -> _Background:
        if self.parallel:
            try:
                self.pool = ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
            except (OSError, ValueError):
                self.pool = None
        return self

    def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start ``fn(*args)``; ``fn`` also takes a ``progress`` keyword (used in-process)."""
        self.call = lambda progress: fn(*args, progress=progress)
        if self.pool is not None:
            try:
                self.future = self.pool.submit(fn, *args)
            except (OSError, RuntimeError, BrokenProcessPool):
                self.future = None

    def result(self, progress: Callable[[str], None]) -> Any:
        """The call's result (waits for the worker)."""
        if self.future is not None:
            try:
                return self.future.result()
            except BrokenProcessPool:
                pass  # the worker died (e.g. out of memory): run it here instead
        assert self.call is not None
        self.in_process = True
        return self.call(progress)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.pool is None:
            return
        if exc_type is None:
            self.pool.shutdown(wait=True)
            return
        # an error here: stop the worker we started rather than wait for it
        workers = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()


def design_with_progress(
    network: Network,
    scenarios: Sequence[Scenario],
    years: Sequence[int] | None = None,
    *,
    points: int = 4,
    alternatives: int = 3,
    within: float = 0.05,
    alpha: float = 0.9,
    risk_weight: float = 1.0,
    mip_gap: float = 1e-4,
    echo: Callable[[str], None] | None = None,
    parallel: bool = True,
) -> DesignStudy:
    """Run the network-design study the report shows, with a spinner on stderr.

    Solves each scenario alone (expected cost), the robust plan (all scenarios, expected
    + ``risk_weight`` x CVaR_``alpha``, probabilities from the scenarios when all give
    one, else equal) with up to ``alternatives`` near-optimal footprints within
    ``within``, and the frontier (:func:`~shoring.optimize.design.pareto_frame`,
    ``points`` per sweep). ``echo`` receives one line per finished stage. With
    ``parallel``, the frontier is solved in a second (spawned) process meanwhile; if that
    process cannot start, it is solved here afterwards.
    """
    from shoring.optimize import SolveOptions
    from shoring.optimize.design import (
        DesignSpec,
        design_data_from_network,
        optimize_design,
        pareto_frame,
    )
    from shoring.report import DesignStudy

    say = echo or (lambda _msg: None)
    options = SolveOptions(mip_rel_gap=mip_gap)
    lean = {"shadow_prices": False, "site_deltas": False}
    with spinner("network design: pricing lanes") as update:

        def progress(msg: str) -> None:
            update(f"network design: {msg}")

        start = time.perf_counter()
        data = design_data_from_network(network, scenarios, years)
        names = data.scenarios
        say(
            f"  lanes priced: {len(names)} scenario(s) x {len(data.periods)} period(s), "
            f"{time.perf_counter() - start:.1f} s"
        )
        mark = time.perf_counter()
        with _Background(parallel) as background:
            # the frontier is the longest independent part: a second process solves it
            # while this one solves the scenarios alone and the robust plan
            background.start(pareto_frame, data, DesignSpec(alpha=alpha), points, options)
            alone = {}
            for w, name in enumerate(names):
                progress(f"optimizing {name} alone ({w + 1} of {len(names)})")
                alone[name] = optimize_design(
                    data.with_scenarios([w], [1.0]), DesignSpec(alpha=alpha), options, **lean
                )
            say(
                f"  each scenario alone (expected cost): {len(names)} MILPs, "
                f"{time.perf_counter() - mark:.1f} s"
            )
            mark = time.perf_counter()
            robust = optimize_design(
                data,
                DesignSpec(objective="cvar", alpha=alpha, risk_weight=risk_weight),
                options,
                alternatives=alternatives,
                within=within,
                progress=progress,
                **lean,
            )
            say(
                f"  robust plan (expected + {risk_weight:g} x CVaR{alpha * 100:g}, all "
                f"scenarios) and {len(robust.alternatives)} alternative(s) within "
                f"{within:.0%}: {time.perf_counter() - mark:.1f} s"
            )
            second = " (second process)" if background.future is not None else ""
            progress(f"cost-risk frontier{second}")
            frontier = background.result(progress)
        say(
            f"  cost-risk frontier: {len(frontier)} points"
            + ("" if background.in_process else ", solved alongside in a second process")
            + f"; network design done in {time.perf_counter() - start:.1f} s"
        )
    return DesignStudy(
        alone=alone,
        robust=robust,
        frontier=frontier,
        probabilities={w: float(p) for w, p in zip(names, data.probability, strict=True)},
        risk_weight=risk_weight,
        within=within,
    )


def report(
    network_file: Path = typer.Argument(
        ..., help="Network file: .yaml/.yml, .xlsx or a CSV folder."
    ),
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
) -> None:
    """Validate a network, cost it under the scenarios and write the HTML report."""
    from shoring.network import read_network
    from shoring.outputs import OutputFolder
    from shoring.report import build_report
    from shoring.scenario import load_scenario

    if optimize and points < 1:
        raise ShoringError("--points must be >= 1")
    network = read_network(network_file)
    names = list(dict.fromkeys(scenario or [DEFAULT_SCENARIO]))
    scenarios = [load_scenario(name) for name in names]
    # taken before the work: a folder another run writes into is refused at once
    with OutputFolder(out, "report", inputs=[network_file, *names]) as folder:
        ds = cost_with_progress(network, scenarios, year or None)
        design = None
        if optimize:
            design = design_with_progress(
                network, scenarios, year or None, points=points, echo=err.print
            )
        path = build_report(
            network, ds, scenarios, folder, year=focus_year, reference=reference, design=design
        )
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report)
