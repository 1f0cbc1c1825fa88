"""Policy sweeps: hand-worked switches of the cheapest origin and the optimal footprint at the
break-even tariff, resuming after an interruption, bad grids."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from shoring.costs.compare import INVENTORY_BASE
from shoring.errors import ShoringInputError
from shoring.network import Network
from shoring.report.policy_map import policy_map
from shoring.scenario import load_scenario
from shoring.study import Study
from shoring.sweep import read_grid, run_sweep, variant_id
from shoring.sweep.grid import parse_grid
from shoring.sweep.run import base_of
from shoring.sweep.store import done_ids, parts

TWO_PLANTS = {
    "meta": {"name": "two-plants", "base_year": 2026},
    "products": [
        {"id": "widget", "hs_code": "850760", "unit_value_usd": 100, "weight_kg": 2,
         "labour_hours": 2},
    ],
    "sites": [
        {"id": "ohio", "country": "USA", "status": "existing", "products": ["widget"],
         "capacity_units": 1000, "fixed_cost_usd": 0, "productivity_index": 1},
        {"id": "ningbo", "country": "CHN", "status": "existing", "products": ["widget"],
         "capacity_units": 1000, "fixed_cost_usd": 0, "productivity_index": 1},
    ],
    "markets": [{"id": "us", "country": "USA"}],
    "demand": [{"market": "us", "product": "widget", "units": {2026: 500}}],
}  # fmt: skip
"""A widget for the US market made in Ohio or Ningbo (2 labour hours at both plants, their
productivity_index 1: China is cheaper)."""

TARIFF_GRID = """\
title: US tariff on China
years: [2026]
parameters:
  - name: us_tariff_chn
    kind: tariff
    measure: {{importers: USA, exporters: CHN, hs: all, start: 2026-01-01}}
    values: {values}
"""


@pytest.fixture(scope="module")
def network() -> Network:
    return Network.from_dict(TWO_PLANTS)


@pytest.fixture(scope="module")
def at_zero(network: Network):
    """Landed-cost components (site, component) of the widget in the US, 2026, MFN only."""
    return components_at_zero(network)


def components_at_zero(network: Network):
    """:func:`at_zero` of any network (its own simulated risk: the firm's nodes differ)."""
    study = Study(network, [load_scenario("mfn-only")], years=[2026])
    cost = study.landed_costs["cost"].sel(product="widget", market="us", year=2026)
    return cost.squeeze("scenario", drop=True).transpose("site", "component").to_pandas()


def breakeven_by_hand(at_zero) -> tuple[float, float]:
    """The extra US tariff on China at which Ningbo costs what Ohio costs, and ``1 + k``.

    An extra ad valorem rate t on the US customs value (FOB: the unit value, 100 USD)
    adds ``100 t`` of duty and the carrying cost of that duty in transit and in safety
    stock, ``100 t k`` with ``k = (inventory + safety stock) / (the value they are
    charged on)`` read from Ningbo's components at t = 0. So Ningbo's cost is
    ``LC_ningbo(0) + 100 t (1 + k)`` and the break-even is
    ``t* = (LC_ohio - LC_ningbo(0)) / (100 (1 + k))``.
    """
    ningbo, ohio = at_zero.loc["ningbo"], at_zero.loc["ohio"]
    carried = sum(ningbo[c] for c in INVENTORY_BASE)
    growth = 1.0 + (ningbo["inventory"] + ningbo["safety_stock"]) / carried
    return (ohio.sum() - ningbo.sum()) / (100.0 * growth), growth


def test_cheapest_origin_switches_at_the_hand_worked_breakeven(
    network: Network, at_zero, tmp_path: Path, cli
) -> None:
    tstar, growth = breakeven_by_hand(at_zero)
    assert 0.2 < tstar < 1.0  # Ningbo is cheaper without a tariff, Ohio beyond t*
    values = [0.0, *(round(float(tstar) + d, 6) for d in (-0.001, 0.001, 0.2))]
    grid = tmp_path / "grid.yaml"
    grid.write_text(TARIFF_GRID.format(values=values), encoding="utf-8")
    net = tmp_path / "net.yaml"
    net.write_text(json.dumps(TWO_PLANTS), encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        "sweep", net, "--base", "mfn-only", "--grid", grid, "-o", out, "-w", "0",
        "--footprint", "ningbo",
    )  # fmt: skip
    assert code == 0, stderr
    assert "4 variants" in stdout
    code, stdout, stderr = cli("sweep", "show", out, "--json", "--html", tmp_path / "map.html")
    assert code == 0, stderr
    rows = {r["us_tariff_chn"]: r for r in json.loads(stdout)["rows"]}
    lane = "widget__us__2026"
    assert [rows[v][f"site__{lane}"] for v in values] == ["ningbo", "ningbo", "ohio", "ohio"]
    lc_ohio, lc_ningbo = at_zero.loc["ohio"].sum(), at_zero.loc["ningbo"].sum()
    for t in values:
        expected = min(lc_ningbo + 100.0 * t * growth, lc_ohio)
        assert rows[t][f"cost__{lane}"] == pytest.approx(expected, rel=1e-9)
        # regret of keeping Ningbo: what it costs beyond the cheapest
        regret = max(lc_ningbo + 100.0 * t * growth - lc_ohio, 0.0)
        assert rows[t][f"regret__{lane}"] == pytest.approx(regret, abs=1e-9)
        # the runner-up and how far the cheapest is from losing: |LC_ningbo(t) - LC_ohio|
        margin = abs(lc_ningbo + 100.0 * t * growth - lc_ohio)
        assert rows[t][f"margin__{lane}"] == pytest.approx(margin, abs=1e-9)
        other = {"ningbo": "ohio", "ohio": "ningbo"}[rows[t][f"site__{lane}"]]
        assert rows[t][f"runner_up__{lane}"] == other
    assert rows[0.0]["variant_id"] == variant_id({"us_tariff_chn": 0.0})
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "ningbo" in page and "<script src" not in page  # Plotly's JS inlined
    # the same map for the web app (figures) and in the study report (a section)
    pmap = policy_map(out)
    title, heatmap = pmap.figures[0][1:]
    assert title == "cheapest site: widget / us / 2026"
    assert list(heatmap.data[0].text[0]) == ["ningbo", "ningbo", "ohio", "ohio"]
    code, _, stderr = cli("report", net, "-s", "mfn-only", "-o", tmp_path / "rep", "--sweep", out)
    assert code == 0, stderr
    report = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert '<section id="policy-map">' in report and "cheapest site: widget / us / 2026" in report


def test_interrupted_sweep_resumes_with_every_variant_once(network: Network, tmp_path) -> None:
    grid_file = tmp_path / "grid.yaml"
    grid_file.write_text(
        TARIFF_GRID.format(values=[0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]), encoding="utf-8"
    )
    base = load_scenario("mfn-only")
    grid = read_grid(grid_file, *base_of(base))
    out = tmp_path / "out"
    batches = []

    def crash_after_two(done: int, total: int) -> None:
        batches.append(done)
        if len(batches) == 3:  # the start, then two batches written: Ctrl-C
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(network, base, grid, out, workers=0, batch_size=2, progress=crash_after_two)
    assert len(parts(out)) == 2 and len(done_ids(out)) == 4
    # a part cut off by a crash while being written (hidden temporary file) is ignored
    (out / ".part-cut.parquet.x1y2.part").write_bytes(b"PAR1 half")
    summary = run_sweep(network, base, grid, out, workers=0, batch_size=2)
    assert (summary.skipped, summary.computed) == (4, 3)
    ids = [i for p in parts(out) for i in pq.read_table(p).column("variant_id").to_pylist()]
    assert sorted(ids) == sorted(vid for vid, _ in grid.variants())
    assert len(ids) == len(set(ids)) == 7
    assert not list(out.glob(".part-*"))
    again = run_sweep(network, base, grid, out, workers=0)
    assert (again.skipped, again.computed) == (7, 0)


def test_another_sweep_in_the_folder_is_refused(network: Network, tmp_path, cli) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(TARIFF_GRID.format(values=[0]), encoding="utf-8")
    net = tmp_path / "net.yaml"
    net.write_text(json.dumps(TWO_PLANTS), encoding="utf-8")
    out = tmp_path / "out"
    assert cli("sweep", net, "--base", "mfn-only", "-g", grid, "-o", out, "-w", "0")[0] == 0
    code, _, stderr = cli("sweep", net, "--base", "current-law", "-g", grid, "-o", out, "-w", "0")
    assert code == 2
    assert "holds another sweep (its base_scenario_hash differs)" in stderr


BAD_GRIDS = [
    (
        "parameters:\n  - name: t\n    kind: tarif\n    values: [0]\n",
        "grid.yaml:3:parameters[0].kind: unknown measure kind 'tarif'",
    ),
    (
        "parameters:\n  - name: t\n    kind: tariff\n    measure: {importers: USA,"
        " start: 2026-01-01}\n    values: [0, -0.1]\n",
        "grid.yaml:5:parameters[0].values[1]: must be >= 0, got -0.1",
    ),
    (
        "parameters:\n  - name: t\n    kind: tariff\n    measure: {importers: USA,"
        " start: 2026-01-01, rat: 1}\n    values: [0]\n",
        "grid.yaml:4:parameters[0].measure.rat: unknown field",
    ),
    (
        "parameters:\n  - name: t\n    kind: tariff\n    measure: {importers: XXQ,"
        " start: 2026-01-01}\n    values: [0]\n",
        "grid.yaml:4:parameters[0].measure.importers: unknown country or bloc 'XXQ'",
    ),
    (
        "parameters:\n  - name: t\n    kind: preference\n    measure: {members: [MEX, USA]}\n"
        "    field: applies\n    values: [yes, 2]\n",
        "grid.yaml:6:parameters[0].values[1]: 2: an 'applies' value is true or false",
    ),
    (
        "parameters:\n  - name: w\n    kind: wage_path\n    measure: {country: CHN,"
        " start_year: 2026}\n    values: [0.03, '3%']\n",
        "grid.yaml:5:parameters[0].values[1]: value '3%' is given twice",
    ),
    (
        "parameters:\n  - name: variant_id\n    kind: ntb\n    values: [0]\n",
        "grid.yaml:2:parameters[0].name: 'variant_id' is taken by the results",
    ),
    (
        "parameters:\n  - name: x\n    kind: incentive\n    measure: {id: ira-45x-battery-cells,"
        " country: USA, start_year: 2026}\n    values: [1]\n",
        "grid.yaml:2:parameters[0].field: a parameter of kind incentive needs 'field'",
    ),
    ("parameters: []\n", "grid.yaml:1:parameters: a grid needs at least one parameter"),
    (
        "parameters:\n  - name: t\n    kind: tariff\n    values: []\n",
        "grid.yaml:4:parameters[0].values: parameter 't' has no values: give at least one",
    ),
    (
        "parameters:\n  - name: t\n    kind: tariff\n    values: 0.1\n",
        "grid.yaml:4:parameters[0].values: parameter 't': values must be a list",
    ),
    (
        "parameters:\n  - name: t\n    kind: tariff\n    measure: 3\n    values: [0]\n",
        "grid.yaml:4:parameters[0].measure: parameter 't': measure must be a mapping",
    ),
    (  # a misnamed base measure, not its missing fields
        "parameters:\n  - name: c\n    kind: incentive\n    measure: {id: ira-45x-cell}\n"
        "    values: [true, false]\n",
        "grid.yaml:4:parameters[0].measure.id: no measure 'ira-45x-cell' in the base "
        "scenario; its incentive measures: chips-48d, chips-48d-35, france-c3iv, "
        "ira-45x-battery-cells,",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_GRIDS)
def test_bad_grids_are_located(text: str, expected: str) -> None:
    with pytest.raises(ShoringInputError) as info:
        parse_grid(text, "grid.yaml", *base_of(load_scenario("current-law")))
    assert any(str(p).startswith(expected) for p in info.value.problems), info.value
    # a parameter in error is reported once, not again as an empty list of parameters
    assert len(info.value.problems) == 1, info.value


def test_a_bad_grid_stops_the_cli_before_any_work(tmp_path: Path, cli) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(BAD_GRIDS[1][0], encoding="utf-8")
    net = tmp_path / "net.yaml"
    net.write_text(json.dumps(TWO_PLANTS), encoding="utf-8")
    code, _, stderr = cli("sweep", net, "-g", grid, "-o", tmp_path / "out")
    assert code == 2 and "Traceback" not in stderr
    assert f"{grid}:5:parameters[0].values[1]: must be >= 0, got -0.1" in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("notanaddress", "missing port number"),
        ("tcp://127.0.0.1:notaport", "invalid literal"),
        ("tcp://", "missing port number"),
        ("http://127.0.0.1:8786", "scheme 'http'"),
    ],
)
def test_a_bad_scheduler_address_stops_the_cli_before_any_work(
    tmp_path: Path, cli, address: str, why: str
) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(TARIFF_GRID.format(values=[0]), encoding="utf-8")
    net = tmp_path / "net.yaml"
    net.write_text(json.dumps(TWO_PLANTS), encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = cli("sweep", net, "-g", grid, "-o", out, "--scheduler", address)
    assert code == 2 and "Traceback" not in stderr
    assert f"--scheduler {address!r}: not a scheduler address" in stderr and why in stderr
    assert "tcp://HOST:PORT" in stderr
    assert not out.exists()


def test_a_base_measure_is_edited_by_its_id() -> None:
    base, blocs = base_of(load_scenario("current-law"))
    text = (
        "parameters:\n  - name: ira_modules\n    kind: incentive\n"
        "    measure: {id: ira-45x-battery-modules}\n    values: [true, false]\n"
        "  - name: cells_usd\n    kind: incentive\n    field: per_kwh_usd\n"
        "    measure: {id: ira-45x-battery-cells}\n    values: [35, 20]\n"
    )
    grid = parse_grid(text, "grid.yaml", base, blocs)
    assert grid.size == 4
    by_id = {m.id: m for m in base}
    for _, index in grid.variants():
        scenario = grid.scenario(base, blocs, index, "v")
        mine = {m.id: m for m in scenario.measures}
        point = grid.point(index)
        assert ("ira-45x-battery-modules" in mine) is point["ira_modules"]
        cells = mine["ira-45x-battery-cells"]
        assert cells.per_kwh_usd == point["cells_usd"]
        # everything else of the base measure is kept
        assert cells.phase_down == by_id["ira-45x-battery-cells"].phase_down
        assert len(scenario.measures) == len(base) - (not point["ira_modules"])


def test_optimal_footprint_switches_at_the_breakeven(tmp_path: Path) -> None:
    # both plants candidates with a fixed cost of 1,000 USD a year: the design opens one,
    # so its objective is 1,000 + 500 units x the landed cost of the site it opens
    plants = copy.deepcopy(TWO_PLANTS)
    for site in plants["sites"]:
        site.update(status="candidate", fixed_cost_usd=1000)
    # the landed costs of this network: with no existing site, the firm's disruption
    # rate is split over its candidates, so their risk differs from the two-plant network's
    at_zero = components_at_zero(Network.from_dict(plants))
    tstar, growth = breakeven_by_hand(at_zero)
    values = [round(float(tstar) + d, 6) for d in (-0.001, 0.001)]
    base = load_scenario("mfn-only")
    grid_file = tmp_path / "grid.yaml"
    grid_file.write_text(TARIFF_GRID.format(values=values), encoding="utf-8")
    grid = read_grid(grid_file, *base_of(base))
    out = tmp_path / "out"
    net = Network.from_dict(plants)
    run_sweep(net, base, grid, out, "optimize", workers=0, footprint=["ningbo"])
    rows = {r["us_tariff_chn"]: r for r in pd.read_parquet(out).to_dict("records")}
    lc_ohio, lc_ningbo = at_zero.loc["ohio"].sum(), at_zero.loc["ningbo"].sum()
    assert [rows[v]["footprint"] for v in values] == ["ningbo", "ohio"]
    for t in values:
        ningbo = lc_ningbo + 100.0 * t * growth
        assert rows[t]["status"] == "optimal" and rows[t]["gap"] == pytest.approx(0, abs=1e-4)
        assert rows[t]["objective"] == pytest.approx(1000 + 500 * min(ningbo, lc_ohio), rel=1e-6)
        assert rows[t]["footprint_cost"] == pytest.approx(1000 + 500 * ningbo, rel=1e-6)
        assert rows[t]["regret"] == pytest.approx(500 * max(ningbo - lc_ohio, 0.0), abs=1e-3)


def test_a_simulate_sweep_loses_every_sale_when_the_only_plant_is_closed(tmp_path) -> None:
    # only Ningbo open; China's plants closed (100 %) over the whole horizon in one
    # variant: nothing can be made, so every draw serves none of the demand
    grid_text = (
        "years: [2026]\nparameters:\n  - name: chn_closed\n    kind: closure\n"
        "    measure: {country: CHN, start: 2025-01-01}\n    values: [0, 1]\n"
    )
    base = load_scenario("mfn-only")
    grid = parse_grid(grid_text, "grid.yaml", *base_of(base))
    out = tmp_path / "out"
    net = Network.from_dict(TWO_PLANTS)
    run_sweep(net, base, grid, out, "simulate", workers=0, footprint=["ningbo"], runs=20, seed=3)
    rows = {r["chn_closed"]: r for r in pd.read_parquet(out).to_dict("records")}
    assert rows[1.0]["service_level_mean"] == pytest.approx(0.0, abs=1e-9)
    assert rows[1.0]["p_any_loss"] == 1.0
    assert rows[1.0]["expected_lost_units"] > rows[0.0]["expected_lost_units"]
    assert 0.0 < rows[0.0]["service_level_mean"] <= 1.0
