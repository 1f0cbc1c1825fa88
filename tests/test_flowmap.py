"""Lanes and flows on the map (shoring.report.flowmap), worked by hand on the mini
network: the lanes the network allows, and flow widths in proportion to units."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shoring.network.io_yaml import raw_from_text
from shoring.network.validate import build_network
from shoring.optimize.design.results import Flow
from shoring.report.flowmap import MAX_WIDTH, flows_map, lanes_map, network_lanes
from web_helpers import mini_yaml

SUPPLIED = (
    mini_yaml()
    .replace(
        "markets:",
        "suppliers:\n  - {id: bolts-kr, component: bolt, country: KOR, unit_price_usd: 1,\n"
        "     capacity_units: 5000}\n"
        "bom:\n  - {parent: widget, component: bolt, quantity: 2}\n"
        "markets:",
    )
    .replace(
        "products:\n",
        "products:\n  - {id: bolt, hs_code: '731815', unit_value_usd: 1, weight_kg: 0.1}\n",
    )
)


def _net(text: str):
    return build_network(raw_from_text(text, "mini.yaml"))


def test_the_lanes_a_network_allows() -> None:
    lanes = network_lanes(_net(SUPPLIED))
    # the bolt supplier feeds both sites (both make widgets, which hold bolts); both sites
    # can deliver widgets to the one market with demand
    assert [(a, b) for a, b, _ in lanes["supply lanes"]] == [
        ("bolts-kr", "plant-a"),
        ("bolts-kr", "plant-b"),
    ]
    assert [(a, b) for a, b, _ in lanes["delivery lanes"]] == [("plant-a", "us"), ("plant-b", "us")]
    fig = lanes_map(_net(SUPPLIED))
    names = [t.name for t in fig.data]
    assert names.index("supply lanes (2)") < names.index("existing sites")  # under markers
    delivery = next(t for t in fig.data if t.name == "delivery lanes (2)")
    assert list(delivery.lon).count(None) == 2  # two segments
    assert fig.layout.geo.showland is False  # nothing from Plotly's CDN


def test_flow_widths_follow_units() -> None:
    net = _net(mini_yaml())

    def plan(*flows: tuple[str, float]) -> SimpleNamespace:
        other = Flow("widget", "plant-b", "us", "other", 2026, 999.0)  # another scenario
        ours = [Flow("widget", s, "us", "current-law", 2026, u) for s, u in flows]
        return SimpleNamespace(flows=(*ours, other))

    before = plan(("plant-a", 600.0))
    after = plan(("plant-a", 300.0), ("plant-b", 300.0))
    fig = flows_map(net, [("today", "#777", before), ("plan", "#b00", after)], "current-law", 2026)
    lines = {(t.legendgroup, t.text[0].split(": ")[1].split(",")[0]): t.line for t in fig.data
             if t.legendgroup}  # fmt: skip
    assert lines[("today", "plant-a → us")].width == pytest.approx(MAX_WIDTH)
    assert lines[("today", "plant-a → us")].dash == "dash"
    assert lines[("plan", "plant-a → us")].width == pytest.approx(MAX_WIDTH / 2)
    assert lines[("plan", "plant-b → us")].dash == "solid"
    assert len(lines) == 3
