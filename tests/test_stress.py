"""Stress test: TTS and performance impact worked by hand, sole source, second sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoring.cli import main
from shoring.network import Network
from shoring.simulate import default_hazards, sim_network
from shoring.stress import StressTest, stress_test


def network(sites, suppliers, demand=100.0, supplier_country="POL") -> Network:
    """Packs (demand per week) from cells (1 per pack): sites in Germany; caps per week."""
    data = {
        "meta": {"name": "chain", "currency": "USD", "base_year": 2025},
        "products": [
            {
                "id": "pack",
                "hs_code": "8507.60",
                "unit_value_usd": 100,
                "weight_kg": 1,
                "labour_hours": 1,
                "margin": 0.2,
            },
            {"id": "cell", "hs_code": "8507.60", "unit_value_usd": 10, "weight_kg": 1},
        ],
        "bom": [{"parent": "pack", "component": "cell", "quantity": 1}],
        "sites": [
            {
                "id": f"s{i}",
                "country": "DEU",
                "status": "existing",
                "products": ["pack"],
                "capacity_units": cap * 52,
                "fixed_cost_usd": 0,
            }
            for i, cap in enumerate(sites)
        ],
        "suppliers": [
            {
                "id": f"u{i}",
                "country": supplier_country,
                "component": "cell",
                "capacity_units": cap * 52,
                "unit_price_usd": 5,
            }
            for i, cap in enumerate(suppliers)
        ],
        "markets": [{"id": "m", "country": "DEU"}],
        "demand": [{"market": "m", "product": "pack", "year": 2025, "units": demand * 52}],
    }
    return Network.from_dict(data)


def three_tier():
    # supplier u0 (150/week) -> sites s0, s1 (60/week each) -> market (100/week);
    # 14 days of packs at the sites (2 x 50 x 2 = 200), 7 days of cells (100)
    model = default_hazards()
    sim = sim_network(network([60.0, 60.0], [150.0]), model, lanes=False)
    return model, sim.with_buffers(np.array([14.0, 14.0, 7.0]))


def test_three_tier_chain_tts_and_impact_by_hand() -> None:
    model, sim = three_tier()
    rows = {r["node"]: r for r in stress_test(sim, model)}
    # s0 out: s1 makes 60 of 100 a week, 200 packs in stock -> 200 / 40 = 5 weeks
    assert rows["s0"]["tts_days"] == pytest.approx(35.0)
    assert rows["s1"]["tts_days"] == pytest.approx(35.0)
    # u0 out: 100 cells + 200 packs in stock cover 300 / 100 = 3 weeks
    assert rows["u0"]["tts_days"] == pytest.approx(21.0)
    # TTR 30 days = 30/7 weeks of demand (428.6 packs): s0 out loses nothing (200 in
    # stock + 60 x 30/7 = 457 at s1); u0 out loses 428.6 - 300 = 128.6 packs x 120 USD
    # (the network's default lost-sale penalty: value x (1 + margin))
    assert rows["s0"]["performance_impact"] == pytest.approx(0.0, abs=1e-6)
    assert rows["u0"]["performance_impact"] == pytest.approx((100 * 30 / 7 - 300) * 120.0)
    assert rows["u0"]["rei"] == 1.0
    assert rows["u0"]["needs_mitigation"] and not rows["s0"]["needs_mitigation"]


def test_sole_source_has_the_largest_impact() -> None:
    model = default_hazards()
    sim = sim_network(network([80.0, 80.0, 80.0], [120.0]), model, lanes=False)
    rows = stress_test(sim, model)
    assert rows[0]["node"] == "u0"  # sorted by REI
    assert rows[0]["performance_impact"] > max(r["performance_impact"] for r in rows[1:])


def test_warm_start_equals_rebuilding_per_node() -> None:
    model, sim = three_tier()
    warm, cold = StressTest(sim, model).run(), StressTest(sim, model).run(rebuild=True)
    assert [r["node"] for r in warm] == [r["node"] for r in cold]
    for a, b in zip(warm, cold, strict=True):
        assert a["tts_days"] == pytest.approx(b["tts_days"], rel=1e-9)
        assert a["performance_impact"] == pytest.approx(b["performance_impact"], rel=1e-9, abs=1e-6)


caps = st.floats(min_value=10.0, max_value=200.0)


@settings(max_examples=12, deadline=None)
@given(
    sites=st.lists(caps, min_size=1, max_size=3),
    suppliers=st.lists(caps, min_size=1, max_size=3),
    extra=caps,
    days=st.floats(min_value=0.0, max_value=30.0),
)
def test_a_qualified_second_source_never_lowers_tts(sites, suppliers, extra, days) -> None:
    model = default_hazards()
    before = sim_network(network(sites, suppliers), model, lanes=False, buffer_days=days)
    after = sim_network(network(sites, [*suppliers, extra]), model, lanes=False, buffer_days=days)
    old = {r["node"]: r["tts_days"] for r in stress_test(before, model)}
    new = {r["node"]: r["tts_days"] for r in stress_test(after, model)}
    for node, tts in old.items():
        assert new[node] >= tts - 1e-6 * max(1.0, tts if np.isfinite(tts) else 1.0)


def test_cli_stress_json(tmp_path, capsys) -> None:
    path = tmp_path / "n.yaml"
    import yaml

    path.write_text(yaml.safe_dump(network([60.0], [150.0]).to_dict()))
    main(["stress", str(path), "--json", "--buffer-days", "7"])
    import json

    rows = json.loads(capsys.readouterr().out)
    assert {r["node"] for r in rows} == {"s0", "u0"}
    assert set(rows[0]) == {
        "node",
        "kind",
        "country",
        "tts_days",
        "ttr_days",
        "performance_impact",
        "rei",
        "needs_mitigation",
        "note",
    }


def test_stress_explains_a_closure_that_delays_without_losing(capsys) -> None:
    # ev-battery: Changzhou ships 20,000 of its 43,000 packs a year to Detroit through
    # Panama (47%); closing it adds days in transit that no stock covers (TTS 0), and
    # the spare capacity makes the delayed packs up within the 120-day closure (PI 0)
    network_file = Path(__file__).parents[1] / "src/shoring/examples/ev-battery/network.yaml"
    main(["stress", str(network_file), "--json"])
    import json

    rows = {r["node"]: r for r in json.loads(capsys.readouterr().out)}
    panama = rows["panama"]
    assert panama["tts_days"] == 0.0 and panama["performance_impact"] == 0.0
    assert panama["note"].startswith("47% of changzhou's output crosses it")
    assert "no sale lost" in panama["note"]
    assert rows["changzhou"]["note"] == ""  # a loss with an impact needs no note


def test_resilience_compare_buffers_cut_loss_at_their_carrying_cost(tmp_path, capsys) -> None:
    import json

    import yaml

    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(network([60.0, 60.0], [150.0, 80.0]).to_dict()))
    main(["resilience", "compare", str(path), "--json", "--runs", "200", "--buffer-days", "28"])
    rows = {r["strategy"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"jit", "buffer-28d", "dual-sourcing"}
    assert rows["jit"]["cost_per_year"] == 0.0
    # 28 days = 4 weeks of every node's planned output held: packs 4 x 100 x 100 USD,
    # cells 4 x 100 x 10 USD, carried at the embedded 25%/year
    assert rows["buffer-28d"]["cost_per_year"] == pytest.approx((40000 + 4000) * 0.25)
    assert rows["buffer-28d"]["expected_loss_per_year"] < rows["jit"]["expected_loss_per_year"]
    assert rows["buffer-28d"]["cvar"] <= rows["jit"]["cvar"]


def test_resilience_report_page(tmp_path) -> None:
    import yaml

    data = network([60.0, 60.0], [150.0]).to_dict()
    data["sites"][0]["id"] = "<b>s0</b>"  # a hostile id is escaped, never markup
    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(data))
    main(["resilience", "report", str(path), "--out", str(tmp_path / "out"), "--runs", "50"])
    page = (tmp_path / "out" / "resilience.html").read_text(encoding="utf-8")
    for heading in ("Loss distribution", "Stress test (TTS vs TTR)", "Price of security"):
        assert heading in page
    assert "<b>s0</b>" not in page and "&lt;b&gt;s0&lt;/b&gt;" in page
    assert "Marani" in page  # the hazard model's sources are listed
