"""The resilience report: loss distribution, node risk, stress table, price of security.

One self-contained HTML page (:func:`resilience_page`) from a simulation
(:class:`~shoring.simulate.SimResult`), the stress test rows
(:func:`shoring.stress.stress_test`) and the strategies compared
(:func:`shoring.simulate.compare.compare_strategies`), with the findings in words and the
sources of the hazard model (its data card).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from shoring.data.cards import data_card
from shoring.network import Network
from shoring.report.layout import esc, figure, link, money, page, table
from shoring.report.riskmap import node_risk_map
from shoring.simulate import SimResult
from shoring.simulate.results import BY_NODE_QUESTION
from shoring.stress import COLUMNS, QUESTION


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def loss_histogram(result: SimResult, alpha: float = 0.95) -> go.Figure:
    """Histogram of the total loss per draw (USD million) with VaR and CVaR marked."""
    s = result.summary(alpha)
    fig = go.Figure(go.Histogram(x=result.total_loss / 1e6, nbinsx=60, name="draws"))
    for value, name in ((s["var"], f"VaR {alpha:.0%}"), (s["cvar"], f"CVaR {alpha:.0%}")):
        fig.add_vline(x=value / 1e6, line_dash="dash", annotation_text=name)
    fig.update_layout(
        xaxis_title=f"loss over {s['weeks']} weeks (USD million)",
        yaxis_title="draws",
        height=380,
        margin={"t": 30},
    )
    return fig


def price_of_security(rows: list[dict[str, Any]]) -> go.Figure:
    """Cost + expected loss per year against CVaR, efficient strategies joined."""
    fig = go.Figure()
    efficient = sorted((r for r in rows if r["efficient"]), key=lambda r: r["cvar"])
    fig.add_trace(
        go.Scatter(
            x=[r["cvar"] / 1e6 for r in rows],
            y=[r["cost_plus_loss"] / 1e6 for r in rows],
            text=[r["strategy"] for r in rows],
            mode="markers+text",
            textposition="top center",
            name="strategies",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r["cvar"] / 1e6 for r in efficient],
            y=[r["cost_plus_loss"] / 1e6 for r in efficient],
            mode="lines",
            name="efficient",
        )
    )
    fig.update_layout(
        xaxis_title="CVaR 95% of the loss over the horizon (USD million)",
        yaxis_title="strategy cost + expected loss (USD million a year)",
        height=420,
        margin={"t": 30},
    )
    return fig


def findings(
    result: SimResult, stress: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> list[str]:
    """The page's conclusions in plain sentences."""
    s = result.summary()
    out = [
        f"As planned ({result.sim.nodes[result.sim.kind == 'site'].size} site(s)), the network "
        f"serves {s['service_level_mean']:.1%} of demand on average ({s['service_level_p05']:.1%} "
        f"in the worst 5% of draws) and loses {money(s['annual_expected_loss'])} a year "
        f"in expectation; CVaR 95% over {s['weeks']} weeks is {money(s['cvar'])}."
    ]
    nodes = result.by_node()
    total = nodes["expected_loss"].sum()
    if total > 0:
        top = nodes.head(2)
        names = " and ".join(f"{n} ({c})" for n, c in zip(top.index, top["country"], strict=True))
        share = top["expected_loss"].sum() / total
        out.append(f"{share:.0%} of the expected loss is attributed to {names}.")
    flagged = [r for r in stress if r["needs_mitigation"]]
    if flagged:
        names = ", ".join(
            f"{r['node']} (TTS {r['tts_days']:.0f} d < TTR {r['ttr_days']:.0f} d)"
            for r in flagged[:5]
        )
        out.append(f"{len(flagged)} node(s) cannot be bridged for their time to recover: {names}.")
    if rows:
        best = rows[0]
        tail = min(rows, key=lambda r: r["cvar"])
        out.append(
            f"Lowest cost + expected loss: {best['strategy']} "
            f"({money(best['cost_plus_loss'])} a year); thinnest tail: "
            f"{tail['strategy']} (CVaR {money(tail['cvar'])})."
        )
    return out


def resilience_page(
    name: str,
    result: SimResult,
    stress: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    network: Network | None = None,
) -> str:
    """The whole report page (HTML, self-contained).

    Parameters
    ----------
    name : str
        Network name (title).
    result : SimResult
        The plan's simulation.
    stress : list of dict
        :func:`shoring.stress.stress_test` rows.
    rows : list of dict
        :func:`shoring.simulate.compare.compare_strategies` rows.
    network : Network, optional
        The simulated network: adds the map of node risk
        (:func:`shoring.report.riskmap.node_risk_map`).

    Returns
    -------
    str
    """
    s = result.summary()
    words = "".join(f'<p class="finding">{esc(w)}</p>' for w in findings(result, stress, rows))
    losses = figure(loss_histogram(result), "losses")
    nodes = result.by_node()
    risk_map = "" if network is None else figure(node_risk_map(network, nodes, stress), "riskmap")
    node_rows = [
        [
            n,
            r["kind"],
            r["country"],
            money(r["expected_loss"]),
            f"{r['expected_down_weeks']:.1f}",
            f"{r['ttr_days']:.0f}",
        ]
        for n, r in nodes.iterrows()
    ]
    node_table = table(
        ["node", "kind", "country", "expected loss (USD)", "weeks impaired", "TTR days"],
        node_rows,
        numeric=(3, 4, 5),
    )
    stress_rows = [
        [
            r["node"],
            r["kind"],
            r["country"] or "",
            "survives" if math.isinf(r["tts_days"]) else f"{r['tts_days']:.1f}",
            f"{r['ttr_days']:.0f}",
            money(r["performance_impact"]),
            f"{r['rei']:.2f}",
            "yes" if r["needs_mitigation"] else "",
        ]
        for r in stress
    ]
    stress_table = table(
        ["node", "kind", "country", "TTS days", "TTR days", "impact (USD)", "REI", "mitigate"],
        stress_rows,
        numeric=(3, 4, 5, 6),
    )
    strategy_table = table(
        [
            "strategy",
            "cost/yr vs JIT",
            "expected loss/yr",
            "cost + loss",
            "CVaR 95%",
            "service",
            "efficient",
        ],
        [
            [
                r["strategy"],
                money(r["cost_per_year"]),
                money(r["expected_loss_per_year"]),
                money(r["cost_plus_loss"]),
                money(r["cvar"]),
                f"{r['service_level']:.1%}",
                "yes" if r["efficient"] else "",
            ]
            for r in rows
        ],
        numeric=(1, 2, 3, 4, 5),
    )
    card = data_card("hazards")
    sources = (
        "<ul>"
        + "".join(f"<li>{link(src.url, f'{src.name} ({src.year})')}</li>" for src in card.sources)
        + f"</ul><p class='note'>{esc(card.method)}</p>"
    )
    summary = table(
        ["measure", "value"],
        [
            ["draws x weeks", f"{s['runs']} x {s['weeks']} (seed {s['seed']})"],
            ["expected loss per year (USD)", money(s["annual_expected_loss"])],
            ["VaR / CVaR 95% over the horizon (USD)", f"{money(s['var'])} / {money(s['cvar'])}"],
            [
                "service level mean / 5th percentile",
                f"{s['service_level_mean']:.1%} / {s['service_level_p05']:.1%}",
            ],
            [
                "time to recover, weeks (mean / 95th)",
                f"{s['recovery_weeks_mean']:.1f} / {s['recovery_weeks_p95']:.1f}",
            ],
        ],
    )
    sections = [
        ("findings", "Findings", words + summary),
        ("losses", "Loss distribution", losses),
        ("nodes", "Risk by node", risk_map + node_table + _note(BY_NODE_QUESTION)),
        ("stress", "Stress test (TTS vs TTR)", stress_table + _note(QUESTION) + _note(COLUMNS)),
        (
            "security",
            "Price of security",
            figure(price_of_security(rows), "security") + strategy_table,
        ),
        ("sources", "Hazard model and sources", sources),
    ]
    return page(f"{name}: resilience", "Monte Carlo disruptions, stress test, strategies", sections)


def risk_section(dataset: xr.Dataset, year: int, reference: str) -> str:
    """The study report's "Disruption risk" section: how the ``risk`` component was
    priced and its value per unit made at each site (``reference`` scenario, ``year``).

    Parameters
    ----------
    dataset : xarray.Dataset
        Landed costs (:attr:`shoring.study.Study.landed_costs`), with the
        ``risk_model`` attribute (:func:`shoring.costs.assemble.risk_model`).
    year : int
    reference : str
        Scenario shown.

    Returns
    -------
    str
        HTML: the method in words and a table (product, site, USD per unit).
    """
    import json

    from shoring.costs.assemble import risk_notes

    how = json.loads(dataset.attrs.get("risk_model", '{"simulated": false}'))
    method = " ".join(risk_notes(how))
    risk = dataset["cost"].sel(component="risk", year=year, scenario=reference)
    per_site = risk.max("market").transpose("product", "site").to_pandas()
    rows = [
        [str(p), str(site), f"{value:,.2f}"]
        for p, row in per_site.iterrows()
        for site, value in row.items()
        if np.isfinite(value) and value > 0
    ]
    body = f"<p>{esc(method)}</p>"
    if rows:
        body += table(["product", "site", "risk (USD per unit)"], rows, numeric=(2,))
    return body


__all__ = ["findings", "loss_histogram", "price_of_security", "resilience_page", "risk_section"]
