"""``shoring stress NETWORK``: time to survive and risk exposure of every node."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from shoring.cli.console import Progress, Table
from shoring.cli.console import err as progress_console
from shoring.cli.console import out as console
from shoring.cli.simulate_cmd import BufferOpt, FootprintOpt, HazardsOpt, JsonOpt, NetworkArg
from shoring.textsafe import json_text


def stress_cmd(
    network: Path = NetworkArg,
    footprint: Path | None = FootprintOpt,
    buffer_days: float | None = BufferOpt,
    hazards: Path | None = HazardsOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Stress test (Simchi-Levi et al. 2015): TTS vs TTR, performance impact, REI per node."""
    from shoring.network import read_network
    from shoring.simulate import load_footprint, load_hazards, sim_network
    from shoring.stress import COLUMNS, QUESTION, stress_test

    net = read_network(network)
    model = load_hazards(hazards)
    plan = load_footprint(footprint, net) if footprint is not None else None
    sim = sim_network(net, model, plan, buffer_days=buffer_days)
    with Progress(console=progress_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("stress test", total=None)
        rows = stress_test(
            sim, model, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    if as_json:
        console.print(json_text(rows), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=f"{net.name}: stress test (TTS = time to survive, TTR = time to recover)")
    for col in ("node", "kind", "country"):
        table.add_column(col)
    for col in ("TTS days", "TTR days", "impact (USD)", "REI"):
        table.add_column(col, justify="right")
    table.add_column("mitigate")
    for r in rows:
        tts = "survives" if math.isinf(r["tts_days"]) else f"{r['tts_days']:.1f}"
        table.add_row(
            r["node"],
            r["kind"],
            r["country"] or "",
            tts,
            f"{r['ttr_days']:.0f}",
            f"{r['performance_impact']:,.0f}",
            f"{r['rei']:.2f}",
            "yes" if r["needs_mitigation"] else "",
        )
    console.print(table)
    console.print(QUESTION, style="dim")
    console.print(COLUMNS, style="dim")
    for r in rows:
        if r["note"]:
            console.print(f"{r['node']}: {r['note']}.", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``stress`` to the root app."""
    app.command("stress")(stress_cmd)
