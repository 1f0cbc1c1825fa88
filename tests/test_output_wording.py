"""What the CLI and report outputs say: the risk component, the simulation's per-unit loss
and penalty, stress vs simulate, unbroken tables, the origin and value wording, money."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from shoring.cli import console
from shoring.costs.assemble import risk_model, risk_notes
from shoring.costs.origin_explain import origin_lines
from shoring.examples import load_example
from shoring.report.layout import money
from shoring.simulate import default_hazards, sim_network, simulate
from test_stress import network

# --- 1. the risk component ------------------------------------------------------------


def test_risk_notes_name_the_method_and_the_in_house_component() -> None:
    net = load_example("ev-battery")
    products, sites = list(net.product_ids), list(net.site_ids)
    figure = np.full((len(products), len(sites)), np.nan)
    figure[products.index("pack-75kwh")] = 683.0  # the pack carries the simulated loss
    risk = xr.DataArray(
        figure,
        dims=("product", "site"),
        coords={"product": products, "site": sites},
        attrs={"draws": 1000, "seed": 0, "buffer_days": 0.0, "year": 2025, "horizon_weeks": 156},
    )

    class Settings:  # what risk_model reads of the engine's settings
        pass

    settings = Settings()
    settings.risk = risk
    how = risk_model(settings, net)  # type: ignore[arg-type]
    # hand-read from the BOM: modules are made at the plants and go into packs
    assert how["in_house"] == {"module-9kwh": ["pack-75kwh"]}
    method, module = risk_notes(how)
    assert method.startswith("risk: expected disruption loss per unit made at the site (USD ")
    assert "Monte Carlo hazard simulation" in method
    assert "1,000 draws of 156 weeks (seed 0, 0 buffer days, 2025 demand and lanes)" in method
    assert "lost sales x the lost-sale penalty plus expedite and reroute costs" in method
    assert module.startswith("module-9kwh has no simulated risk of its own")
    assert "made in-house for pack-75kwh" in module and "not counted twice" in module
    assert risk_notes(how, ["pack-75kwh"]) == [method]  # no module shown, no module note
    bare = risk_notes({"simulated": False})
    assert len(bare) == 1 and "no disruption simulation" in bare[0]


def test_cost_prints_and_records_what_risk_is(cli, mini_network: Path) -> None:
    code, out, _ = cli("cost", mini_network, "-y", "2026")
    assert code == 0
    assert "risk: expected disruption loss per unit made at the site" in out
    code, raw, _ = cli("cost", mini_network, "-y", "2026", "--json")
    records = json.loads(raw)
    assert records and all(r["risk_note"].startswith("risk: expected") for r in records)


# --- 2. the simulation: per unit of demand, the penalty ---------------------------------


def test_simulation_loss_per_unit_demanded_and_penalty_by_hand() -> None:
    # one site of 60 packs/week for 100 demanded, no hazard: 40 lost a week for 156
    # weeks = 6,240 units at the default penalty 100 x (1 + 0.2) = 120 USD: 748,800 USD
    # over 100 x 156 = 15,600 units demanded = 48.00 USD per unit of demand
    calm = default_hazards().without_hazards()
    result = simulate(sim_network(network([60.0], [150.0]), calm, lanes=False), calm, 2, 0)
    s = result.summary()
    assert s["demanded_units"] == pytest.approx(15_600.0)
    assert s["expected_loss_per_unit"] == pytest.approx(48.0)
    assert result.penalties() == [
        {
            "product": "pack",
            "usd_per_unit": 120.0,
            "basis": "default: unit value 100.00 x (1 + margin 0.2)",
        }
    ]
    given = network([60.0], [150.0]).to_dict()
    given["products"][0]["lost_sale_penalty_usd"] = 500
    from shoring.network import Network

    sim = sim_network(Network.from_dict(given), calm, lanes=False)
    (penalty,) = simulate(sim, calm, 1, 0).penalties()
    assert penalty["usd_per_unit"] == 500.0
    assert penalty["basis"] == "set in the network (products.lost_sale_penalty_usd)"


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(network([60.0, 60.0], [150.0]).to_dict()))
    return path


def test_simulate_and_stress_say_what_they_answer(cli, chain: Path) -> None:
    code, out, _ = cli("simulate", chain, "--runs", "20")
    assert code == 0
    text = " ".join(out.split())
    label = [line for line in out.splitlines() if "per unit demanded" in line]
    assert label and "(USD/unit; 15,600" in label[0]  # 100 a week x 156 weeks demanded
    assert (
        "lost-sale penalty: pack 120.00 USD per unit of demand not served; default: unit "
        "value 100.00 x (1 + margin 0.2)" in text
    )
    assert "shoring stress instead takes each node out once for its time to recover" in text
    code, out, _ = cli("stress", chain)
    assert code == 0
    text = " ".join(out.split())
    assert "stress test: each node taken out once, for its time to recover (TTR)" in text
    assert "shoring simulate instead draws every node's disruptions at their frequencies" in text
    assert "mitigate: yes where TTS < TTR" in text and "(a flag, no unit)" in text
    assert "impact: the least lost value while it is down for its TTR" in text


# --- 4. tables: no word or number broken ---------------------------------------------


def _stress_like() -> console.Table:
    table = console.Table(title="stress")
    for col in ("node", "kind", "country"):
        table.add_column(col)
    for col in ("TTS days", "impact (USD)", "REI"):
        table.add_column(col, justify="right")
    table.add_column("mitigate")
    table.add_row("housing-ningbo", "supplier", "CHN", "survives", "106,318,681", "1.00", "yes")
    table.add_row("panama", "chokepoint", "", "0.0", "0", "0.00", "yes")
    return table


def _render(table: console.Table, width: int) -> str:
    narrow = console.plain_console()
    narrow.width = width
    with narrow.capture() as captured:
        narrow.print(table)
    return captured.get()


@pytest.mark.parametrize("width", [88, 72])
def test_narrow_table_breaks_no_word_or_number(width: int) -> None:
    # widest words 14 + 10 + 7 + 8 + 11 + 4 + 8 = 62, padded 76, and 8 rules: 84 at
    # most with padding (88 keeps it), 70 without (72 drops it)
    text = _render(_stress_like(), width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for word in ("housing-ningbo", "supplier", "chokepoint", "survives", "106,318,681", "yes"):
        assert any(word in line for line in lines), (word, text)
    # the headers wrap at spaces only: "impact" and "(USD)" stay whole
    assert any("impact" in line for line in lines) and any("(USD)" in line for line in lines)
    padded = "│ housing-ningbo │ supplier " if width == 88 else "│housing-ningbo│supplier  │"
    assert any(line.startswith(padded) for line in lines), text


def test_too_narrow_a_table_is_folded_into_records() -> None:
    # widest words 14 + 10 + 7 + 8 + 11 + 4 + 8 = 62 and 8 rules: 70 > 40, even unpadded
    text = _render(_stress_like(), 40)
    assert text.splitlines()[:8] == [
        "stress",
        "node: housing-ningbo",
        "kind: supplier",
        "country: CHN",
        "TTS days: survives",
        "impact (USD): 106,318,681",
        "REI: 1.00",
        "mitigate: yes",
    ]
    assert "kind: chokepoint" in text and "country: \n" not in text


# --- 5. the origin explanation ----------------------------------------------------------


def test_origin_says_which_rule_applied_once_and_what_the_value_is() -> None:
    from shoring.costs.origin_explain import explain_origin

    net = load_example("ev-battery")
    origin = explain_origin(net, "pack-75kwh", "monterrey", "us", 2026)
    origin["cost_build_up"] = {
        "materials": 9278.42,
        "labour": 25.75,
        "overhead": 1395.63,
        "production": 0.0,
    }
    text = "\n".join(origin_lines(origin, True, 0.371, 0.0, 0.034, False))
    assert text.count("rule applied:") == 1
    assert "fallback" not in text  # said once, in words: the general rule, and why
    assert "only its Annex 4-B" not in text
    assert "the agreement's general rule (USITC, Harmonized Tariff Schedule" in text
    assert "No product-specific rule is transcribed for this line" in text
    assert "the general rule above stands in for it" in text
    # hand-summed: 9,278.42 + 25.75 + 1,395.63 = 10,699.80 > 9,600 declared
    assert (
        "on this lane materials 9,278.42 + labour 25.75 + overhead 1,395.63 = 10,699.80 "
        "USD/unit, above the price" in text
    )
    assert "taken as the transaction value" in text and "Art. 1.2(a)" in text


# --- 7. one money formatter -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.4, "$12"),
        (48_000.0, "$48,000"),  # was "$0.0 M" in the design findings
        (999_999.0, "$999,999"),
        (1_234_567.0, "$1.2 M"),
        (4_722_300_000.0, "$4,722.3 M"),
        (-1_500_000.0, "-$1.5 M"),
        (-250.0, "-$250"),
        (1e-9, "$0"),
        (-1e-9, "$0"),
        (float("nan"), "–"),
        (None, "–"),
    ],
)
def test_money_scale_by_magnitude(value, expected) -> None:
    assert money(value) == expected


def test_the_report_package_has_one_money_formatter() -> None:
    report = Path(money.__code__.co_filename).parent
    pattern = re.compile(r"def (_?musd|_?usd|_?money)\(")
    found = [p.name for p in report.glob("*.py") if pattern.search(p.read_text("utf-8"))]
    assert found == ["layout.py"]
