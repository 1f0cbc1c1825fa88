"""The node-risk map: marker area by expected loss, flagged nodes apart, offline."""

from __future__ import annotations

import pandas as pd
import pytest

from shoring.report.riskmap import node_risk_map
from test_stress import network


def test_marker_area_follows_the_loss_and_flagged_nodes_stand_apart() -> None:
    net = network([60.0, 60.0], [150.0])  # sites s0, s1 (DEU), supplier u0 (POL)
    nodes = pd.DataFrame(
        {
            "kind": ["site", "site", "supplier"],
            "country": ["DEU", "DEU", "POL"],
            "expected_loss": [4e6, 1e6, 0.0],
            "expected_down_weeks": [3.0, 1.0, 0.0],
            "ttr_days": [30.0, 30.0, 30.0],
        },
        index=pd.Index(["s0", "s1", "u0"], name="node"),
    )
    stress = [
        {"node": "s0", "tts_days": 0.0, "needs_mitigation": True},
        {"node": "u0", "tts_days": float("inf"), "needs_mitigation": False},
        {"node": "panama", "tts_days": 0.0, "needs_mitigation": True},  # not drawn
    ]
    fig = node_risk_map(net, nodes, stress)
    traces = {t.name: t for t in fig.data if t.mode == "markers"}
    flagged, bridged = (
        traces["TTS < TTR: needs mitigation"],
        traces["TTS >= TTR (or not stress-tested)"],
    )
    # diameter 7 + 33 x sqrt(loss / largest): s0 40, s1 7 + 33 x 0.5 = 23.5, u0 7
    assert list(flagged.marker.size) == pytest.approx([40.0])
    assert list(bridged.marker.size) == pytest.approx([23.5, 7.0])
    assert "s0 (site, DEU): expected loss $4.0 M" in flagged.text[0]  # report.layout.money
    assert "TTS unbounded" in bridged.text[1]
    # offline: Plotly's CDN base layers are off, the shapes are drawn as traces
    assert fig.layout.geo.showland is False and fig.layout.geo.showcoastlines is False
