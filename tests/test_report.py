"""The HTML report: self-contained, every section, conclusions that match the numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer

from shoring.costs import COMPONENTS, landed_cost
from shoring.data.cards import DataCard
from shoring.errors import ShoringError, ShoringInputError
from shoring.examples import load_example
from shoring.report import (
    SECTIONS,
    build_report,
    design_findings,
    map_card,
    study_findings,
    to_geojson,
)
from shoring.report.design import REGRET_TOL
from shoring.report.findings import _runs
from shoring.scenario import load_scenario

SCENARIOS = ("baseline", "regional-blocs", "trade-war-2018")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):
    network = load_example("ev-battery")
    scenarios = [load_scenario(s) for s in SCENARIOS]
    ds = landed_cost(network, scenarios, years=[2026, 2030])
    out = tmp_path_factory.mktemp("report")
    path = build_report(network, ds, scenarios, out)
    return network, scenarios, ds, path


def test_one_self_contained_file(study) -> None:
    *_, path = study
    assert path.name == "report.html"
    text = path.read_text(encoding="utf-8")
    # no resource loaded from the network: no script src, no stylesheet link, no iframe
    assert not re.search(r"<script[^>]*\bsrc=", text, re.I)
    assert not re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", text, re.I)
    assert not re.search(r"<(iframe|img)[^>]*\bsrc=[\"']?(https?:)?//", text, re.I)
    # plotly's JS is inlined exactly once
    assert text.count("plotly.js v") >= 1
    assert text.count('<script type="text/javascript">/**') == 1
    # every figure div id is unique and differs from the section anchors
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_every_section_heading(study) -> None:
    *_, path = study
    text = path.read_text(encoding="utf-8")
    for anchor, heading in SECTIONS:
        assert f'<section id="{anchor}"><h2>{heading}</h2>' in text
    for heading in (
        "Network map",
        "Cost waterfalls",
        "Scenario comparison",
        "Break-even",
        "Wage trajectories",
        "Data sources and scenario definitions",
    ):
        assert heading in text


def test_conclusions_name_the_cheapest_site(study) -> None:
    network, _, ds, path = study
    text = path.read_text(encoding="utf-8")
    for market in ("us", "de", "fr"):
        for scenario in SCENARIOS:
            totals = ds["total"].sel(
                product="pack-75kwh", market=market, year=2030, scenario=scenario
            )
            site = str(totals.idxmin("site").item())
            country = str(ds["site_country"].sel(site=site).item())
            # the summary's matrix cell: "site (ISO3) total"
            assert f"{site} ({country}) {float(totals.min()):,.0f}" in text
        base = ds["total"].sel(product="pack-75kwh", market=market, year=2030, scenario="baseline")
        ordered = base.sortby(base).dropna("site")
        best, second = str(ordered["site"][0].item()), str(ordered["site"][1].item())
        margin = float(ordered[1] - ordered[0])
        found = next(f for f in study_findings(network, ds) if f.market == market)
        assert f"cheapest site is {best} (" in found.sentences[0]
        assert f"${margin:,.0f}" in found.sentences[0]
        assert f"runner-up {second} (" in found.sentences[0]
        assert found.sentences[0] in text


def test_ranking_change_is_reported(study) -> None:
    network, _, ds, _ = study
    us = next(f for f in study_findings(network, ds) if f.market == "us")
    cheapest = {
        s: str(
            ds["total"]
            .sel(product="pack-75kwh", market="us", year=2030, scenario=s)
            .idxmin("site")
            .item()
        )
        for s in SCENARIOS
    }
    changed = [s for s in SCENARIOS if cheapest[s] != cheapest["baseline"]]
    text = " ".join(us.sentences)
    if changed:
        assert "ranking changes under" in text
        for s in changed:
            assert f"{s}: {cheapest[s]} (" in text
    else:
        assert "stays cheapest" in text


def test_csv_tables_written(study) -> None:
    _, _, ds, path = study
    folder = path.parent
    for name in ("landed_cost", "cheapest", "comparison", "breakeven", "wages"):
        assert (folder / f"{name}.csv").is_file(), name
    long = pd.read_csv(folder / "landed_cost.csv")
    assert {
        "product",
        "site",
        "site_country",
        "market",
        "market_country",
        "year",
        "scenario",
        "component",
        "usd_per_unit",
    } <= set(long.columns)
    # the long table sums back to the dataset's total for one cell
    cell = long[
        (long["product"] == "pack-75kwh")
        & (long["site"] == "changzhou")
        & (long["market"] == "us")
        & (long["year"] == 2030)
        & (long["scenario"] == "baseline")
    ]
    expected = float(
        ds["total"].sel(
            product="pack-75kwh", site="changzhou", market="us", year=2030, scenario="baseline"
        )
    )
    assert len(cell) == len(COMPONENTS)  # one row per component
    assert cell["usd_per_unit"].sum() == pytest.approx(expected)
    best = pd.read_csv(folder / "cheapest.csv")
    assert len(best) == ds.sizes["product"] * ds.sizes["market"] * 2 * len(SCENARIOS)
    comparison = pd.read_csv(folder / "comparison.csv")
    assert set(comparison["scenario_b"]) == {"regional-blocs", "trade-war-2018"}
    deltas = comparison[[c for c in comparison.columns if c.startswith("delta_")]].sum(axis=1)
    assert np.allclose(deltas, comparison["total_b"] - comparison["total_a"])
    be = pd.read_csv(folder / "breakeven.csv")
    assert set(be["from_site"]) == {"changzhou"}  # the one existing site
    assert "baseline" in set(be["scenario"])


def test_report_lists_sources_and_scenarios(study) -> None:
    _, scenarios, ds, path = study
    text = path.read_text(encoding="utf-8")
    assert "Natural Earth" in text
    assert "Manufacturing labour cost" in text
    for s in scenarios:
        assert f"{s.name}: " in text
    assert ds.attrs["distances"].split(" (")[0] in text


def test_bad_focus_year_is_a_user_error(study, tmp_path: Path) -> None:
    network, scenarios, ds, _ = study
    with pytest.raises(ShoringError, match="year 1999"):
        build_report(network, ds, scenarios, tmp_path, year=1999)
    with pytest.raises(ShoringError, match="not in the results"):
        build_report(network, ds, scenarios, tmp_path, reference="covid-2020")


def test_map_card_is_valid() -> None:
    card = map_card()
    assert isinstance(card, DataCard)
    assert any("naturalearthdata.com" in s.url for s in card.sources)


def test_topojson_decoding_hand_worked() -> None:
    # a unit square split in two by a shared arc; quantized with scale 0.5, translate 10
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [
            [[0, 0], [0, 2]],  # (10,20) -> (10,21)
            [[0, 2], [2, 0], [0, -2]],  # (10,21) -> (11,21) -> (11,20)
            [[2, 0], [-2, 0]],  # (11,20) -> (10,20)
        ],
        "objects": {
            "shapes": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1, 2]],
                        "id": "001",
                        "properties": {"name": "a"},
                    },
                    {"type": "LineString", "arcs": [~0]},
                ],
            }
        },
    }
    geo = to_geojson(topology, "shapes")
    ring = geo["features"][0]["geometry"]["coordinates"][0]
    assert ring == [[10, 20], [10, 21], [11, 21], [11, 20], [10, 20]]
    assert geo["features"][0]["id"] == "001"
    assert geo["features"][1]["geometry"]["coordinates"] == [[10, 21], [10, 20]]


def test_runs_collapse_years() -> None:
    assert _runs([2025, 2026, 2027], ["a", "a", "b"]) == [("a", 2025, 2026), ("b", 2027, 2027)]


def _cli(args: list[str]) -> int:
    """Run ``shoring report`` on a fresh app with the root's error handling."""
    from shoring.cli import report_cmd

    app = typer.Typer()
    report_cmd.register(app)

    @app.callback()
    def _root() -> None:
        """Root."""

    try:
        app(args=args, prog_name="shoring", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    except (ShoringError, ShoringInputError):
        return 2
    return 0


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from shoring.examples import example_path

    out = tmp_path / "r"
    code = _cli(
        [
            "report",
            str(example_path("ev-battery")),
            "--scenario",
            "baseline",
            "--scenario",
            "trade-war-2018",
            "--year",
            "2030",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert (out / "report.html").is_file()
    assert str(out / "report.html") in capsys.readouterr().out


def test_report_command_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: {name: x}\nproducts: 3\n", encoding="utf-8")
    assert _cli(["report", str(bad), "--out", str(tmp_path / "o")]) == 2
    from shoring.examples import example_path

    assert (
        _cli(
            [
                "report",
                str(example_path("ev-battery")),
                "--scenario",
                "no-such-scenario",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_renders_in_headless_chromium(study, tmp_path: Path) -> None:
    *_, path = study
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--window-size=1200,2000",
            "--virtual-time-budget=8000",
            f"--screenshot={shot}",
            path.as_uri(),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 10_000


# ---------------------------------------------------------------------- network design

DESIGN_SCENARIOS = ("trade-war-2018", "deep-fragmentation")
DESIGN_YEARS = [2025, 2026, 2028]


@pytest.fixture(scope="module")
def design_study(tmp_path_factory: pytest.TempPathFactory):
    from shoring.study import Study

    network = load_example("ev-battery")
    scenarios = [load_scenario(s) for s in DESIGN_SCENARIOS]
    study = Study(network, scenarios, DESIGN_YEARS)
    design = study.design_study(points=3, alternatives=2, parallel=False)
    path = study.report(tmp_path_factory.mktemp("design-report"), design=design)
    return network, scenarios, design, path


def _actions(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    return {(r.site, r.action, int(r.period)) for r in frame.itertuples()}


def test_design_section_only_when_given(study, design_study) -> None:
    *_, plain = study
    assert 'id="design"' not in plain.read_text(encoding="utf-8")
    assert not (plain.parent / "design_footprints.csv").exists()
    *_, path = design_study
    text = path.read_text(encoding="utf-8")
    assert '<section id="design"><h2>Network design</h2>' in text
    # placed before the wage trajectories, and in the navigation bar
    assert text.index('id="design"') < text.index('id="wages"')
    assert '<a href="#design">Network design</a>' in text
    assert 'id="fig-design-frontier"' in text
    for name in ("design_footprints", "design_costs", "design_frontier"):
        assert (path.parent / f"{name}.csv").is_file(), name


def test_design_footprints_match_an_independent_solve(design_study) -> None:
    from shoring.costs import CostSettings
    from shoring.optimize.design import DesignSpec, design_data_from_network, optimize_design
    from shoring.simulate import site_risk

    network, scenarios, _, path = design_study
    # priced like the study: the same simulated risk (same draws and seed), recomputed
    settings = CostSettings(risk=site_risk(network))
    data = design_data_from_network(network, scenarios, DESIGN_YEARS, settings=settings)
    lean = {"shadow_prices": False, "site_deltas": False}
    robust = optimize_design(data, DesignSpec(objective="cvar", alpha=0.9), **lean)
    alone = {
        name: optimize_design(data.with_scenarios([w], [1.0]), DesignSpec(), **lean)
        for w, name in enumerate(data.scenarios)
    }
    table = pd.read_csv(path.parent / "design_footprints.csv")
    text = path.read_text(encoding="utf-8")
    section = text[text.index('id="design"') : text.index('id="wages"')]
    got = table[table["plan"] == "robust"]
    assert _actions(got) == _actions(robust.footprint_frame())
    for a in robust.footprint:
        assert f"<td>{a.site}</td><td>{a.country}</td><td>{a.action}</td><td>{a.period}</td>" in (
            section
        )
    for name, result in alone.items():
        got = table[table["plan"] == name]
        assert _actions(got) == _actions(result.footprint_frame()), name
        assert got["plan_cost"].iloc[0] == pytest.approx(result.expected_cost, rel=2e-4)
        for a in result.footprint:
            cell = a.action if a.action == "keep" else f"{a.action} {a.period}"
            assert f"<td>{cell}</td>" in section
    # the scenarios alone do not all agree, else this data could not tell plans apart
    assert len({frozenset(_actions(r.footprint_frame())) for r in alone.values()}) == 2


def test_design_costs_and_words(design_study) -> None:
    _, _, design, path = design_study
    costs = pd.read_csv(path.parent / "design_costs.csv").set_index("scenario")
    assert set(costs.index) == set(DESIGN_SCENARIOS)
    assert costs["probability"].tolist() == [0.5, 0.5]  # built-ins: not all declare one
    # regret = robust plan's cost - the scenario's own optimum, never below 0 (MIP gap);
    # a regret within the MIP tolerance (REGRET_TOL of the own optimum) is reported as 0
    tol = REGRET_TOL * costs["own_optimum"].abs().max()
    assert np.allclose(costs["regret"], costs["robust_cost"] - costs["own_optimum"], atol=tol)
    assert (costs["regret"] >= -2e-4 * costs["own_optimum"]).all()
    # two equally likely scenarios: the worst 10 % is the dearer scenario, so CVaR90 is
    # its cost and the expected cost is the mean
    assert design.robust.cvar == pytest.approx(costs["robust_cost"].max(), rel=1e-9)
    assert design.robust.expected_cost == pytest.approx(costs["robust_cost"].mean(), rel=1e-9)
    text = path.read_text(encoding="utf-8")
    assert f"CVaR90 <b>${costs['robust_cost'].max() / 1e6:,.1f} M</b>" in text
    words = " ".join(design_findings(design))
    for a in design.robust.footprint:
        assert f"{a.site} ({a.country})" in words
    cheapest = costs["own_optimum"].idxmin()
    extra = design.robust.expected_cost - costs["own_optimum"].min()
    assert f"${extra / 1e6:,.1f} M" in words and f"{cheapest}'s own optimum" in words
    assert words.split(". ")[0] in text  # the summary repeats the first sentences


def test_design_frontier_is_monotone(design_study) -> None:
    *_, path = design_study
    frontier = pd.read_csv(path.parent / "design_frontier.csv")
    lam = frontier[(frontier["sweep"] == "lambda") & frontier["feasible"]].sort_values("lambda")
    assert len(lam) == 3 and lam["lambda"].iloc[0] == 0.0
    tol = 2e-4 * lam["expected_cost"].abs().max()
    # a heavier weight on the tail: CVaR never rises, expected cost never falls
    assert (np.diff(lam["cvar"].to_numpy()) <= tol).all()
    assert (np.diff(lam["expected_cost"].to_numpy()) >= -tol).all()
    cap = frontier[(frontier["sweep"] == "cap") & frontier["feasible"]].sort_values(
        "cap", ascending=False
    )
    assert cap["cap"].iloc[0] == 1.0
    assert (cap["max_country_share"] <= cap["cap"] + 1e-6).all()
    assert (np.diff(cap["expected_cost"].to_numpy()) >= -tol).all()


def test_design_alternatives_are_listed(design_study) -> None:
    _, _, design, path = design_study
    table = pd.read_csv(path.parent / "design_footprints.csv")
    alts = table[table["kind"] == "alternative"]
    assert set(alts["rank"]) == {a.rank for a in design.robust.alternatives}
    robust_sites = set(table.loc[table["plan"] == "robust", "site"])
    for alt in design.robust.alternatives:
        assert 0.0 <= alt.gap <= 0.05 + 1e-9
        sites = set(alts.loc[alts["rank"] == alt.rank, "site"])
        assert sites != robust_sites  # structurally different
        assert f"{alt.gap:+.2%}" in path.read_text(encoding="utf-8")


def test_report_command_optimize(tmp_path: Path) -> None:
    from shoring.examples import example_path

    out = tmp_path / "r"
    args = ["report", str(example_path("ev-battery")), "--year", "2025", "--year", "2028"]
    args += ["-s", "deep-fragmentation", "--out", str(out)]
    assert _cli([*args, "--optimize", "--points", "1"]) == 0
    assert 'id="design"' in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "design_frontier.csv").is_file()
