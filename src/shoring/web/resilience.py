"""A web run's resilience results: Monte Carlo disruptions of the network's current plan
(:func:`shoring.simulate.simulate`) and the stress test's risk ranking
(:func:`shoring.stress.stress_test`, Simchi-Levi et al. 2015), with the hazard model's
defaults. Read from those APIs; nothing is computed here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from shoring.network import Network
from shoring.outputs import write_csv
from shoring.report.charts import chart_text
from shoring.textsafe import json_text

Progress = Callable[[str, int | None, int | None], None]
MAX_RANKED = 25
"""Nodes shown in the risk-ranking chart (all are in the table)."""


def _csv(frame: pd.DataFrame, work: Path, name: str) -> str:
    """The table as the CSV text :func:`shoring.outputs.write_csv` writes."""
    return write_csv(frame, work / f"{name}.csv").read_text(encoding="utf-8")


def risk_chart(rows: pd.DataFrame) -> go.Figure:
    """Risk exposure index per node (largest first), red where TTS < TTR (mitigate).

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`shoring.stress.stress_test` rows (``node, kind, country, rei,
        needs_mitigation, tts_days, ttr_days`` and, when given, the ``note`` shown on
        hover), sorted by REI.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    top = rows.head(MAX_RANKED).iloc[::-1]
    colours = ["#b2182b" if m else "#4393c3" for m in top["needs_mitigation"]]
    labels = [chart_text(f"{n} ({k}, {c})") for n, k, c in zip(
        top["node"], top["kind"], top["country"], strict=True)]  # fmt: skip
    notes = top["note"].fillna("") if "note" in top else pd.Series("", index=top.index)
    fig = go.Figure(
        go.Bar(
            x=top["rei"],
            y=labels,
            orientation="h",
            marker_color=colours,
            customdata=[chart_text(n) for n in notes],
            hovertemplate="%{y}: REI %{x:.2f}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Risk exposure index by node (1 = the worst; red: time to survive < time to recover)",
        xaxis_title="risk exposure index",
        height=max(300, 28 * len(top) + 120),
        margin={"l": 10, "r": 10, "t": 50},
    )
    return fig


def resilience_results(
    network: Network,
    analyses: list[str],
    runs: int,
    seed: int,
    progress: Progress,
    work: Path,
    step: Callable[[str], None] = lambda name: None,
) -> dict[str, tuple[str, str]]:
    """Simulation and/or stress-test results of a network's current plan.

    Parameters
    ----------
    network : Network
        The network (existing sites open).
    analyses : list of str
        ``"simulate"`` and/or ``"stress"``.
    runs, seed : int
        Monte Carlo draws and seed.
    progress : callable
        ``progress(stage, done, total)``; raises to stop.
    work : Path
        A folder for the tables' files (inside the data directory).
    step : callable, optional
        ``step(name)`` as each analysis starts (``"simulation"``, ``"stress test"``).

    Returns
    -------
    dict
        ``simulation_summary`` (json), ``simulation_nodes`` (table), ``losses`` (figure);
        ``risk_ranking`` (table) and ``risk-ranking`` (figure).
    """
    from shoring.report.resilience import loss_histogram
    from shoring.simulate import load_hazards, sim_network, simulate
    from shoring.stress import stress_test

    step("simulation" if "simulate" in analyses else "stress test")
    model = load_hazards()
    progress("preparing the disruption model", None, None)
    sim = sim_network(network, model)
    out: dict[str, tuple[str, str]] = {}
    if "simulate" in analyses:
        result = simulate(
            sim, model, runs, seed, progress=lambda d, t: progress("simulating disruptions", d, t)
        )
        out["simulation_summary"] = ("json", json_text(result.summary(), indent=None))
        out["simulation_nodes"] = ("table", _csv(result.by_node().reset_index(), work, "nodes"))
        out["losses"] = ("figure", loss_histogram(result).to_json())
    if "stress" in analyses:
        step("stress test")
        rows = stress_test(sim, model, progress=lambda d, t: progress("stress test", d, t))
        frame = pd.DataFrame(rows)
        out["risk_ranking"] = ("table", _csv(frame, work, "ranking"))
        if not frame.empty:
            out["risk-ranking"] = ("figure", risk_chart(frame).to_json())
    return out
