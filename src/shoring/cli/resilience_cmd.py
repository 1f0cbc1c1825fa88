"""``shoring resilience compare``: strategies side by side, the price of security."""

from __future__ import annotations

from pathlib import Path

import typer

from shoring.cli import options
from shoring.cli.console import Progress, Table
from shoring.cli.console import err as progress_console
from shoring.cli.console import out as console
from shoring.cli.simulate_cmd import (
    BufferOpt,
    FootprintOpt,
    HazardsOpt,
    JsonOpt,
    NetworkArg,
    RunsOpt,
    SeedOpt,
)
from shoring.textsafe import json_text

group = typer.Typer(help="Resilience: strategies compared under simulated disruptions.")


@group.command("compare")
def compare_cmd(
    network: Path = NetworkArg,
    footprint: list[Path] = typer.Option(
        [], "--footprint", help="Footprint YAML (e.g. an optimizer plan); repeatable."
    ),
    buffer_days: list[float] = typer.Option(
        [14.0, 30.0], "--buffer-days", parser=options.amount, help="Buffer levels; repeatable."
    ),
    runs: int = RunsOpt,
    seed: int = SeedOpt,
    hazards: Path | None = HazardsOpt,
    as_json: bool = JsonOpt,
) -> None:
    """JIT vs buffers, single vs dual sourcing, footprints: cost + expected loss vs CVaR."""
    from shoring.network import read_network
    from shoring.simulate import load_footprint, load_hazards
    from shoring.simulate.compare import compare_strategies

    net = read_network(network)
    model = load_hazards(hazards)
    plans = {path.stem: load_footprint(path, net) for path in footprint}
    with Progress(console=progress_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("simulating", total=runs)

        def tick(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        rows = compare_strategies(net, model, runs, seed, buffer_days, plans, progress=tick)
    if as_json:
        console.print(json_text(rows), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=f"{net.name}: price of security ({runs} draws, seed {seed}; USD)")
    for col in (
        "strategy",
        "cost/yr vs JIT",
        "expected loss/yr",
        "cost + loss",
        "CVaR 95%",
        "service",
        "efficient",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["strategy"],
            f"{r['cost_per_year']:,.0f}",
            f"{r['expected_loss_per_year']:,.0f}",
            f"{r['cost_plus_loss']:,.0f}",
            f"{r['cvar']:,.0f}",
            f"{r['service_level']:.1%}",
            "yes" if r["efficient"] else "",
        )
    console.print(table)


@group.command("report")
def report_cmd(
    network: Path = NetworkArg,
    out: Path = typer.Option(..., "--out", help="Output folder (resilience.html)."),
    footprint: Path | None = FootprintOpt,
    buffer_days: float | None = BufferOpt,
    runs: int = RunsOpt,
    seed: int = SeedOpt,
    hazards: Path | None = HazardsOpt,
) -> None:
    """One HTML page: loss distribution, risk by node, stress test, price of security."""
    from shoring.network import read_network
    from shoring.outputs import OutputFolder
    from shoring.report.resilience import resilience_page
    from shoring.simulate import load_footprint, load_hazards, sim_network, simulate
    from shoring.simulate.compare import compare_strategies
    from shoring.stress import stress_test

    net = read_network(network)
    model = load_hazards(hazards)
    plan = load_footprint(footprint, net) if footprint is not None else None
    inputs = [network, *(p for p in (footprint, hazards) if p is not None)]
    with Progress(console=progress_console, transient=True) as bar:
        task = bar.add_task("simulating the plan", total=runs)
        sim = sim_network(net, model, plan, buffer_days=buffer_days)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = simulate(sim, model, runs, seed, progress=tick)
        bar.update(task, description="stress test", completed=0, total=None)
        stress = stress_test(sim, model)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=f"strategy {name}", completed=done, total=total)

        rows = compare_strategies(net, model, runs, seed, progress=step)
    with OutputFolder(out, "resilience report", inputs=inputs) as folder:
        folder.details["simulation"] = {
            "runs": runs,
            "seed": seed,
            "buffer_days": buffer_days,
            "hazards": model.model_dump(mode="json"),
        }
        (folder.path / "resilience.html").write_text(
            resilience_page(net.name, result, stress, rows, network=net), encoding="utf-8"
        )
    console.print(f"wrote {out / 'resilience.html'}")


def register(app: typer.Typer) -> None:
    """Add the ``resilience`` group to the root app."""
    app.add_typer(group, name="resilience")
