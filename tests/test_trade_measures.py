"""Product lists, stacking rules, day-weighted years and lane explanations."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shoring.cli import main
from shoring.costs.duties import duty_rates, lane_rate
from shoring.costs.explain import explain_lane, explain_year
from shoring.examples import example_path
from shoring.scenario import load_scenario, parse_scenario
from shoring.scenario.periods import year_periods
from shoring.scenario.resolve import composed
from shoring.scenario.schedules import list_coverage

ROOT = Path(__file__).resolve().parents[1]

# U.S. note 33(b) to subchapter III of HTS chapter 99 (2026 Rev. 6): passenger vehicles and
# light trucks under heading 9903.94.01, copied from the note.
NOTE_33B = """8703.22.01 8703.23.01 8703.24.01 8703.31.01 8703.32.01 8703.33.01 8703.40.00
8703.50.00 8703.60.00 8703.70.00 8703.80.00 8703.90.01 8704.21.01 8704.31.01 8704.41.00
8704.51.00 8704.60.00"""


def _build_module():
    path = ROOT / "scripts" / "build_tariff_product_lists.py"
    spec = importlib.util.spec_from_file_location("build_tariff_product_lists", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared_data
def test_embedded_lists_match_shared_files(shared_data: Path) -> None:
    rebuilt = _build_module().build(shared_data).reset_index(drop=True)
    embedded = pd.read_csv(
        ROOT / "src/shoring/data/tables/tariff_product_lists.csv.gz",
        dtype={"list": str, "hs": str},
    )
    pd.testing.assert_frame_equal(embedded, rebuilt, check_dtype=False)


def test_vehicle_list_is_note_33b() -> None:
    table = pd.read_csv(
        ROOT / "src/shoring/data/tables/tariff_product_lists.csv.gz", dtype={"hs": str}
    )
    rows = table[(table["list"] == "us232-autos") & (table["share"] == 1.0)]
    listed = {c.replace(".", "") for c in NOTE_33B.split()}
    assert listed <= set(rows["hs"])
    assert set(rows.loc[rows["hs"].str.len() == 8, "hs"]) == listed


def test_list_coverage_prefix_and_share() -> None:
    # 8544.30 wiring sets and 8507.60 batteries are auto parts (note 33(g)); their 10-digit
    # lines are covered by the 6- and 8-digit entries; t-shirts are not
    codes = np.array(["854430", "8544300000", "8507600020", "610910"])
    np.testing.assert_allclose(list_coverage(codes, ["us232-auto-parts"]), [1, 1, 1, 0])
    # 6307.90.98 has 10-digit lines of which note 31(h) lists some: a share strictly in (0, 1)
    share = list_coverage(np.array(["63079098"]), ["us301-9903-91-07"])[0]
    assert 0 < share < 1


def _scn(text: str):
    return parse_scenario(text)


EPISODE = """
name: episode
title: five-week episode
parents: [mfn-only]
measures:
  - {id: high, type: tariff, importers: USA, exporters: CHN, ad_valorem: '125%',
     start: 2025-04-10, end: 2025-05-13}
"""


def test_year_is_day_weighted() -> None:
    # 125% for 34 days (10 April to 13 May 2025) weighs 34/365 of the year, whatever the
    # dates sampled; four mid-quarter samples gave it 1/4 (mid-May) or 0.
    scenario = _scn(EPISODE)
    base = duty_rates(load_scenario("mfn-only"), ["610910"], ["CHN", "USA"], 2025)
    rates = duty_rates(scenario, ["610910"], ["CHN", "USA"], 2025)
    extra = rates.rate_not[0, 0, 1] - base.rate_not[0, 0, 1]
    assert extra == pytest.approx(1.25 * 34 / 365)
    measures, blocs = composed(scenario)
    periods = year_periods(measures, 2025, ["CHN", "USA"], ["610910"], blocs)
    assert sum(days for _, days in periods) == 365
    assert (dt.date(2025, 4, 10), 34) in periods


def test_unrelated_measures_add_no_breakpoints() -> None:
    text = EPISODE.replace("exporters: CHN", "exporters: BRA")
    measures, blocs = composed(_scn(text))
    assert year_periods(measures, 2025, ["CHN", "USA"], ["610910"], blocs) == [
        (dt.date(2025, 1, 1), 365)
    ]


def test_excluded_by_and_stacking_source() -> None:
    text = """
name: stack
title: stacking
parents: [mfn-only]
measures:
  - {id: s232, type: tariff, family: us232-x, importers: USA, hs: ["7208"], ad_valorem: 0.5,
     start: 2025-01-01}
  - {id: recip, type: tariff, importers: USA, ad_valorem: 0.1, start: 2025-01-01,
     excluded_by: [us232-x], stacking_source: {name: EO 14257 sec. 3(b), year: 2025,
     url: "https://www.federalregister.gov/d/2025-06063"}}
"""
    scenario = _scn(text)
    on = dt.date(2025, 6, 1)
    steel = lane_rate(scenario, "USA", "VNM", "720851", on) - lane_rate(
        load_scenario("mfn-only"), "USA", "VNM", "720851", on
    )
    shirt = lane_rate(scenario, "USA", "VNM", "610910", on) - lane_rate(
        load_scenario("mfn-only"), "USA", "VNM", "610910", on
    )
    assert steel == pytest.approx(0.5)  # not 0.6: the 10% does not apply to 232 goods
    assert shirt == pytest.approx(0.1)
    uncited = text.split("     excluded_by")[0] + "     excluded_by: [us232-x]}\n"
    with pytest.raises(Exception, match="stacking_source"):
        _scn(uncited)


def test_explain_lane_lists_applied_and_excluded() -> None:
    law = load_scenario("current-law")
    on = dt.date(2026, 3, 1)
    lane = explain_lane(law, "USA", "CHN", "8507600020", on)
    status = {s.id: s.status for s in lane.steps}
    assert status["us301-2026-25"] == "applied"
    assert status["us232-auto-parts"] == "applied"
    assert status["us301-list4a"] == "excluded"  # the review rate replaces list 4A
    assert status["s122-surcharge"] == "excluded"  # not on Section 232 goods
    assert status["ieepa-fentanyl-chn-3"] == "not applicable"  # ended 2026-02-19
    s122 = next(s for s in lane.steps if s.id == "s122-surcharge")
    assert "2(aa)" in s122.reason
    assert lane.rate == pytest.approx(lane_rate(law, "USA", "CHN", "8507600020", on))
    assert json.dumps(lane.as_dict())  # JSON-ready


def test_explain_year_rate_is_the_engine_rate() -> None:
    law = load_scenario("current-law")
    year = explain_year(law, "USA", "CHN", "850760", 2025)
    engine = duty_rates(law, ["850760"], ["CHN", "USA"], 2025).rate_not[0, 0, 1]
    assert year["rate"] == pytest.approx(engine)
    assert sum(p["days"] for p in year["periods"]) == 365


def test_cli_explain_json(capsys: pytest.CaptureFixture[str]) -> None:
    ev = str(example_path("ev-battery"))
    args = ["cost", ev, "-y", "2026", "--explain", "-p", "pack-75kwh", "--site", "changzhou"]
    try:
        main([*args, "-m", "us", "--json"])
    except SystemExit as exc:
        assert not exc.code
    records = json.loads(capsys.readouterr().out)
    assert records[0]["scenario"] == "current-law"
    assert records[0]["exporter"] == "CHN" and records[0]["importer"] == "USA"
    steps = records[0]["periods"][-1]["explanation"]["steps"]
    assert {s["kind"] for s in steps} >= {"mfn", "measure", "total"}
    with pytest.raises(SystemExit) as exc:
        main([*args, "-m", "nowhere"])
    assert exc.value.code == 2


def test_unknown_product_list_is_a_located_error() -> None:
    from shoring.errors import ShoringInputError

    text = (
        "name: x\ntitle: xxx\nmeasures:\n"
        "  - {type: tariff, importers: USA, hs_lists: [us301-nope], start: 2025-01-01}\n"
    )
    with pytest.raises(ShoringInputError, match=r"4:measures\[0\]\.hs_lists: unknown product list"):
        parse_scenario(text)


def test_shared_measure_follows_each_scenarios_blocs() -> None:
    # The date-free coverage of a measure is kept per grid, (measure, blocs): two
    # scenarios with the same tariff on a bloc of their own must each see their members.
    text = """
name: {name}
title: bloc tariff
parents: [mfn-only]
blocs: {{RIVALS: [{members}]}}
measures:
  - {{id: rivals-tariff, type: tariff, importers: USA, exporters: RIVALS, ad_valorem: '40%',
     start: 2025-01-01}}
"""
    countries = ["CHN", "USA", "VNM"]
    base = duty_rates(load_scenario("mfn-only"), ["610910"], countries, 2025)
    on_china = duty_rates(_scn(text.format(name="a", members="CHN")), ["610910"], countries, 2025)
    on_vietnam = duty_rates(_scn(text.format(name="b", members="VNM")), ["610910"], countries, 2025)
    extra_a = on_china.rate_not[0, :, 1] - base.rate_not[0, :, 1]  # into the US, by origin
    extra_b = on_vietnam.rate_not[0, :, 1] - base.rate_not[0, :, 1]
    assert extra_a == pytest.approx([0.40, 0.0, 0.0])
    assert extra_b == pytest.approx([0.0, 0.0, 0.40])
