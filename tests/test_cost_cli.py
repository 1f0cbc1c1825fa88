"""``shoring cost``, ``compare`` and ``breakeven`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shoring.cli import main
from shoring.costs import COMPONENTS
from shoring.costs.mfn import BASES
from shoring.examples import example_path

EV = str(example_path("ev-battery"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cost_json_records(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "cost", EV, "-s", "mfn-only", "-s", "tariffs-2025", "-y", "2026", "--json"
    )
    assert code == 0
    records = json.loads(out)
    keys = {"product", "site", "site_country", "market", "market_country", "year", "scenario",
            "total", "components", "lead_time_days", "origin", "mfn_rate",
            "duty_basis", "risk_note", "labour"}  # fmt: skip
    assert records and all(set(r) == keys for r in records)
    # what risk is; the module, made in-house for the pack, is priced in the pack's figure
    notes = {r["product"]: r["risk_note"] for r in records}
    assert notes["pack-75kwh"].startswith("risk: expected disruption loss per unit made")
    assert "made in-house for pack-75kwh" in notes["module-9kwh"]
    for r in records:
        assert set(r["components"]) == set(COMPONENTS)
        assert set(r["origin"]) == {"met", "margin", "qualifying_mix"}
        assert r["total"] == pytest.approx(sum(r["components"].values()), abs=1e-5)
    assert {r["scenario"] for r in records} == {"mfn-only", "tariffs-2025"}
    # every lane says which MFN basis it used; US packs pay HTS 8507.60.00 (3.4%)
    assert {r["duty_basis"] for r in records} <= set(BASES)
    us_pack = [r for r in records if (r["product"], r["market"]) == ("pack-75kwh", "us")]
    assert {(r["duty_basis"], r["mfn_rate"]) for r in us_pack} == {("national-line", 0.034)}
    # tariffs only add cost: China -> US packs cost more under tariffs-2025 in 2026
    pick = {
        r["scenario"]: r["total"]
        for r in records
        if (r["product"], r["site"], r["market"]) == ("pack-75kwh", "changzhou", "us")
    }
    assert pick["tariffs-2025"] > pick["mfn-only"]


def test_compare_json_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "compare", EV, "-s", "baseline", "-s", "tariffs-2025", "-y", "2025", "--json"
    )
    assert code == 0
    rows = json.loads(out)
    for r in rows:
        deltas = sum(r[f"delta_{c}"] for c in COMPONENTS)
        assert deltas == pytest.approx(r["total_b"] - r["total_a"], abs=1e-6)


def test_breakeven_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("breakeven", EV, "--product", "pack-75kwh", "--market", "us", "--from", "CHN",
            "--to", "MEX", "-y", "2026", "--json")  # fmt: skip
    code, out, _ = run(capsys, *args)
    assert code == 0
    (row,) = json.loads(out)
    assert row["from_site"] == "changzhou" and row["to_site"] == "monterrey"


@pytest.mark.parametrize(
    "args",
    [
        ("cost", "missing.yaml"),
        ("cost", EV, "-s", "no-such-scenario"),
        ("breakeven", EV, "--product", "nope", "--market", "us", "--from", "CHN", "--to", "MEX"),
        (
            "breakeven",
            EV,
            "--product",
            "pack-75kwh",
            "--market",
            "us",
            "--from",
            "BRA",
            "--to",
            "MEX",
        ),
        ("compare", EV, "-s", "baseline"),
        (
            "breakeven",
            EV,
            "--product",
            "pack-75kwh",
            "--market",
            "us",
            "--from",
            "changzhou",
            "--to",
            "CHN",
        ),  # the same site twice
    ],
)
def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "Traceback" not in err


def test_bad_scenario_file_names_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\ntitle: bad\nmeasures:\n  - type: tariff\n    importers: [USA]\n"
        "    exporters: all\n    hs: all\n    ad_valorem: lots\n    start: 2026-01-01\n"
    )
    code, _, err = run(capsys, "cost", EV, "-s", str(bad))
    assert code == 2
    assert "bad.yaml:8" in err and "ad_valorem" in err
