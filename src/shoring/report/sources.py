"""The report's last section: the run, the data cards used, the scenario definitions."""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Sequence

import pandas as pd
import plotly
import xarray as xr
import yaml

from shoring import __version__
from shoring.costs import COMPONENTS
from shoring.data.cards import DataCard, data_cards
from shoring.report.layout import esc, link, table
from shoring.report.topojson import ASSETS_DIR
from shoring.scenario import Scenario, compose


def map_card() -> DataCard:
    """The data card of the world shapes the map draws.

    Returns
    -------
    DataCard
        Parsed from ``countries-110m.card.yaml`` in the report assets.
    """
    text = (ASSETS_DIR / "countries-110m.card.yaml").read_text(encoding="utf-8")
    return DataCard.model_validate(yaml.safe_load(text))


def _card_html(key: str, card: DataCard) -> str:
    sources = "<br>".join(
        f"{esc(s.name)} ({esc(s.year)}), {esc(s.licence)}: {link(s.url)}" for s in card.sources
    )
    extra = "".join(
        f"<br><i>{label}:</i> {esc(text)}"
        for label, text in (("coverage", card.coverage), ("gaps", card.gaps))
        if text
    )
    return (
        f"<tr><td><b>{esc(card.title)}</b><br><code>{esc(card.table)}</code> "
        f"({esc(key)})</td><td>{sources}</td><td>{esc(card.method)}{extra}</td></tr>"
    )


def _scenario_html(scenario: Scenario) -> str:
    measures, _ = compose(scenario)
    rows = []
    for m in measures:
        first, last = m.period()
        rows.append(
            [
                m.id or "",
                m.type,
                first.isoformat() if first else "",
                last.isoformat() if last else "open",
                m.details(),
                esc(m.source.name) + (f" {link(m.source.url, '[link]')}" if m.source else "")
                if m.source
                else esc(m.note or ""),
            ]
        )
    out = [f"<h3>{esc(scenario.name)}: {esc(scenario.title)} ({esc(scenario.kind)})</h3>"]
    if scenario.description:
        out.append(f"<p>{esc(scenario.description.strip())}</p>")
    if scenario.parents:
        out.append(f"<p>Parents: {esc(', '.join(scenario.parents))}</p>")
    if rows:
        out.append(table(["id", "type", "from", "to", "details", "source"], rows, raw=[5]))
    else:
        out.append("<p>No measures.</p>")
    if scenario.assumptions:
        out.append(
            "<p><b>Assumptions</b></p><ul>"
            + "".join(f"<li>{esc(a)}</li>" for a in scenario.assumptions)
            + "</ul>"
        )
    if scenario.sources:
        out.append(
            "<p><b>Sources</b></p><ul>"
            + "".join(
                f"<li>{esc(s.name)} ({esc(s.year)}) {link(s.url)}</li>" for s in scenario.sources
            )
            + "</ul>"
        )
    return "".join(out)


def sources_section(
    ds: xr.Dataset, scenarios: Sequence[Scenario], year: int, reference: str, run_date: dt.date
) -> str:
    """HTML of the run's metadata, every data card and every scenario's definition.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed-cost results; its attrs (version, network, distances, sampling,
        amortization) fill the run table and its ``scenario`` coordinate is checked
        against ``scenarios``.
    scenarios : sequence of Scenario
        Definitions to list, each with its composed measures.
    year : int
        Focus year of the report.
    reference : str
        Reference scenario name.
    run_date : datetime.date
        Date shown as the date of the run.

    Returns
    -------
    str
        HTML fragment; scenarios in ``ds`` without a definition are named at the end.
    """
    attrs = ds.attrs
    run = table(
        ["run", ""],
        [
            ["shoring version", attrs.get("shoring_version", __version__)],
            ["date of the run", run_date.isoformat()],
            ["network", attrs.get("network", "")],
            ["distances", attrs.get("distances", "")],
            ["policy dates", attrs.get("policy_time_weighting", "")],
            ["incentive amortization", f"{attrs.get('amortization_years', '')} years"],
            ["focus year / reference scenario", f"{year} / {reference}"],
            ["components", ", ".join(COMPONENTS)],
            [
                "software",
                f"Python {platform.python_version()}, plotly {plotly.__version__}, "
                f"xarray {xr.__version__}, pandas {pd.__version__}",
            ],
        ],
    )
    cards = data_cards()
    rows = "".join(_card_html(k, c) for k, c in cards.items())
    rows += _card_html("report map", map_card())
    out = [
        run,
        "<h3>Data sources</h3>",
        '<p class="note">The embedded tables the landed-cost engine draws on, each with its '
        "data card, and the world shapes of the map.</p>",
        f"<table><thead><tr><th>table</th><th>sources</th><th>method</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
        "<h3>Scenario definitions</h3>",
        '<p class="note">Measures listed with their parents\' first (as composed).</p>',
    ]
    known = {s.name for s in scenarios}
    out += [_scenario_html(s) for s in scenarios]
    missing = [str(s) for s in ds["scenario"].to_numpy() if str(s) not in known]
    if missing:
        out.append(f"<p>No definition supplied for: {esc(', '.join(missing))}.</p>")
    return "".join(out)
