"""Node risk on the offline world map: where the expected disruption loss sits.

Each site and supplier of a simulated plan sits at its location (city, coordinates or
its country's capital, as on the network map of :mod:`shoring.report.worldmap`), with a
marker whose area grows with the expected loss attributed to it
(:meth:`shoring.simulate.SimResult.by_node`) and whose colour says whether the stress
test flags it (time to survive below time to recover, :mod:`shoring.stress`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shoring.network import Network
from shoring.report.charts import chart_text
from shoring.report.layout import money
from shoring.report.worldmap import _located, base_map, frame_map

__all__ = ["node_risk_map"]

GROUPS = {
    True: ("TTS < TTR: needs mitigation", "#b2182b"),
    False: ("TTS >= TTR (or not stress-tested)", "#2166ac"),
}
SIZE = (7.0, 40.0)
"""Marker diameter (px) of a node with no loss and of the node with the largest loss."""


def node_risk_map(
    network: Network,
    nodes: pd.DataFrame,
    stress: Sequence[dict[str, Any]] = (),
    title: str = "Expected disruption loss by node",
) -> go.Figure:
    """World map of the expected loss by node, flagged nodes in red.

    Parameters
    ----------
    network : Network
        Gives each node's location.
    nodes : pandas.DataFrame
        Indexed by node id (sites and suppliers of ``network``): ``kind``, ``country``,
        ``expected_loss`` (USD over the horizon), ``expected_down_weeks`` and
        ``ttr_days`` (:meth:`shoring.simulate.SimResult.by_node`).
    stress : sequence of dict
        :func:`shoring.stress.stress_test` rows (``node``, ``tts_days``,
        ``needs_mitigation``); chokepoints among them are not drawn.
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
        Offline: country shapes drawn from the shipped outlines, no CDN layer.
    """
    places = pd.concat([_located(network.sites), _located(network.suppliers)])
    at = places.reindex(nodes.index)
    flags = {r["node"]: r for r in stress}
    loss = nodes["expected_loss"].to_numpy(dtype=float)
    largest = float(np.nanmax(loss, initial=0.0))
    scale = np.sqrt(np.clip(loss, 0.0, None) / largest) if largest > 0 else np.zeros_like(loss)
    size = SIZE[0] + (SIZE[1] - SIZE[0]) * scale
    flagged = np.array([bool(flags.get(n, {}).get("needs_mitigation", False)) for n in nodes.index])
    fig = base_map(set(nodes["country"]))
    for flag, (name, colour) in GROUPS.items():
        pick = flagged == flag
        if not pick.any():
            continue
        text = []
        for node, row in nodes[pick].iterrows():
            tts = flags.get(node, {}).get("tts_days")
            tts_text = (
                "" if tts is None else f"; TTS {'unbounded' if np.isinf(tts) else f'{tts:.0f}'} d"
            )
            text.append(
                chart_text(
                    f"{node} ({row['kind']}, {row['country']}): expected loss "
                    f"{money(row['expected_loss'])}, {row['expected_down_weeks']:.1f} "
                    f"weeks impaired; TTR {row['ttr_days']:.0f} d{tts_text}"
                )
            )
        fig.add_trace(
            go.Scattergeo(
                lon=at["lon"][pick].tolist(),
                lat=at["lat"][pick].tolist(),
                mode="markers",
                marker={
                    "size": size[pick].tolist(),
                    "color": colour,
                    "opacity": 0.75,
                    "line": {"width": 0.8, "color": "white"},
                },
                name=name,
                text=text,
                hoverinfo="text",
            )
        )
    full = f"{title} (marker area: loss; markers at node locations or capitals)"
    frame_map(fig, at[["lon", "lat"]].dropna(), full, 480)
    return fig
