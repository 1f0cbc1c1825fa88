"""``shoring simulate NETWORK``: Monte Carlo disruption simulation of a footprint."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from shoring.cli import options
from shoring.cli.console import Progress, Table
from shoring.cli.console import err as progress_console
from shoring.cli.console import out as console
from shoring.textsafe import json_text

NetworkArg = typer.Argument(..., help="Network: .yaml, .xlsx or a folder of CSVs.")
FootprintOpt = typer.Option(
    None, "--footprint", help="YAML with open (site ids) and qualified (supplier ids) lists."
)
RunsOpt = typer.Option(1000, "--runs", "-n", parser=options.whole(1, 1_000_000), help="Draws.")
SeedOpt = typer.Option(0, "--seed", parser=options.whole(0, 2**63 - 1), help="Root seed.")
BufferOpt = typer.Option(
    None,
    "--buffer-days",
    parser=options.amount,
    help="Days of output every node holds (default 0, JIT).",
)
HazardsOpt = typer.Option(
    None,
    "--hazards",
    help="YAML laid over the default hazard model (data/tables/hazards.yaml); per site or "
    "supplier: nodes: {ID: {recovery_days: D, hazard_multiplier: M, buffer_days: B}} "
    "(time to recover, natural-event rate multiplier, days of output held).",
)
JsonOpt = typer.Option(False, "--json", help="Print the result as JSON on stdout.")


def simulate_cmd(
    network: Path = NetworkArg,
    footprint: Path | None = FootprintOpt,
    runs: int = RunsOpt,
    seed: int = SeedOpt,
    buffer_days: float | None = BufferOpt,
    hazards: Path | None = HazardsOpt,
    scenario: list[str] = typer.Option(
        [],
        "--scenario",
        "-s",
        help="Scenario whose chokepoint and plant closures apply; repeatable.",
    ),
    start: str | None = typer.Option(
        None,
        "--start",
        help="First day of the horizon, YYYY-MM-DD (default: 1 Jan of the first demand year).",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Simulate disruptions week by week: lost sales, extra cost, VaR/CVaR, time to recover."""
    from shoring.network import read_network
    from shoring.scenario import load_scenario
    from shoring.simulate import load_footprint, load_hazards, run
    from shoring.simulate.results import BY_NODE_QUESTION

    net = read_network(network)
    model = load_hazards(hazards)
    plan = load_footprint(footprint, net) if footprint is not None else None
    scenarios = [load_scenario(s) for s in scenario]
    first = None
    if start is not None:
        try:
            first = date.fromisoformat(start)
        except ValueError:
            raise typer.BadParameter(
                f"{start!r} is not a date (YYYY-MM-DD)", param_hint="--start"
            ) from None
    with Progress(console=progress_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("simulating", total=runs)
        result = run(
            net,
            model,
            plan,
            runs,
            seed,
            buffer_days,
            scenarios,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            start=first,
        )
    if as_json:
        console.print(json_text(result.to_dict()), markup=False, highlight=False, soft_wrap=True)
        return
    s = result.summary()
    table = Table(title=f"{net.name}: {s['runs']} draws x {s['weeks']} weeks (seed {s['seed']})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    span = f"over the {s['weeks']} weeks"  # totals of a draw's whole horizon
    rows = [
        (f"expected lost sales (units {span})", f"{s['expected_lost_units']:,.0f}"),
        (f"expected lost value (USD {span})", f"{s['expected_lost_value']:,.0f}"),
        (f"expected extra cost (USD {span})", f"{s['expected_extra_cost']:,.0f}"),
        ("expected total loss per year (USD a year)", f"{s['annual_expected_loss']:,.0f}"),
        (
            f"expected total loss per unit demanded (USD/unit; {s['demanded_units']:,.0f} "
            f"units {span})",
            f"{s['expected_loss_per_unit']:,.2f}",
        ),
        (f"VaR {s['alpha']:.0%} of the total loss (USD {span})", f"{s['var']:,.0f}"),
        (f"CVaR {s['alpha']:.0%} of the total loss (USD {span})", f"{s['cvar']:,.0f}"),
        (
            "service level: mean / 5th pct",
            f"{s['service_level_mean']:.2%} / {s['service_level_p05']:.2%}",
        ),
        ("P(any lost sale)", f"{s['p_any_loss']:.1%}"),
        (
            "time to recover (weeks): mean / 95th",
            f"{s['recovery_weeks_mean']:.1f} / {s['recovery_weeks_p95']:.1f}",
        ),
        (f"buffer carrying cost (USD {span})", f"{s['buffer_cost']:,.0f}"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for p in result.penalties():
        console.print(
            f"lost-sale penalty: {p['product']} {p['usd_per_unit']:,.2f} USD per unit of "
            f"demand not served; {p['basis']}",
            style="dim",
        )
    nodes = Table(title="expected loss by node")
    for col in ("node", "kind", "country"):
        nodes.add_column(col)
    for col in ("expected loss (USD)", "weeks impaired", "TTR days"):
        nodes.add_column(col, justify="right")
    for node, r in result.by_node().head(15).iterrows():
        nodes.add_row(
            str(node),
            r["kind"],
            r["country"],
            f"{r['expected_loss']:,.0f}",
            f"{r['expected_down_weeks']:.1f}",
            f"{r['ttr_days']:.0f}",
        )
    console.print(nodes)
    console.print(BY_NODE_QUESTION, style="dim")


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the root app."""
    app.command("simulate")(simulate_cmd)
