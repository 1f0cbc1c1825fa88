"""Undefined stays undefined: a site that cannot serve a market has no cost, never 0.

A two-site network (plant-a in Mexico, plant-b in China, one US market) under export
bans: the banned site's landed cost, break-even, comparison and report entries stay
missing and say which measure closes the lane; a scenario that bans every lane gives
that message from every command instead of a crash or a number.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shoring.costs import landed_cost
from shoring.costs.compare import breakeven, breakeven_table, compare_scenarios, unserved
from shoring.network import read_network
from shoring.report import build_report
from shoring.scenario import load_scenario

BAN_CHINA_2026 = """\
name: ban-china-2026
title: China export ban from 2026
measures:
  - {id: cn-ban, type: export_ban, exporters: CHN, start: 2026-01-01}
"""
BAN_ALL = """\
name: ban-all
title: Every exporter banned
measures:
  - {id: mx-ban, type: export_ban, exporters: MEX, start: 2025-01-01}
  - {id: cn-ban, type: export_ban, exporters: CHN, start: 2025-01-01}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, mini_network: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("undefined")
    paths = {"net": mini_network}
    for name, text in (("cn", BAN_CHINA_2026), ("all", BAN_ALL)):
        paths[name] = root / f"{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def study(files: dict[str, Path]):
    network = read_network(files["net"])
    scenarios = [load_scenario("baseline"), load_scenario(str(files["cn"]))]
    scenarios.append(load_scenario(str(files["all"])))
    return network, scenarios, landed_cost(network, scenarios, [2025, 2026])


def test_breakeven_against_a_banned_site_has_no_number(study) -> None:
    network, scenarios, ds = study
    table = breakeven_table(network, ds, "widget", "us", "plant-a", "plant-b", scenarios=scenarios)
    rows = table.set_index(["scenario", "year"])
    # 2025: no ban yet, both sites have a cost and the break-even is a number
    open_row = rows.loc[("ban-china-2026", 2025)]
    assert open_row["cost_to"] > 1 and math.isfinite(open_row["tariff_breakeven"])
    assert open_row["unserved"] == ""
    # 2026: plant-b's lane is closed -> its cost is missing, never the 0.00 of an empty sum
    banned = rows.loc[("ban-china-2026", 2026)]
    assert np.isnan(banned["cost_to"])
    assert np.isnan(banned["tariff_breakeven"]) and np.isnan(banned["wage_breakeven"])
    assert "cn-ban" in banned["unserved"] and "plant-b" in banned["unserved"]
    both = rows.loc[("ban-all", 2025)]
    assert np.isnan(both["cost_from"]) and np.isnan(both["cost_to"])
    assert "mx-ban" in both["unserved"] and "cn-ban" in both["unserved"]


def test_breakeven_cli_refuses_when_no_year_has_one(files, cli) -> None:
    args = ("breakeven", str(files["net"]), "-p", "widget", "-m", "us", "--from", "plant-a",
            "--to", "plant-b", "--json")  # fmt: skip
    code, out, err = cli(*args, "-s", str(files["all"]))
    assert code == 2 and out == ""
    assert "mx-ban" in err and "cn-ban" in err and "Traceback" not in err
    # one year banned, one not: the JSON keeps the banned year as null with the reason
    code, out, _ = cli(*args, "-s", str(files["cn"]))
    assert code == 0
    rows = {r["year"]: r for r in json.loads(out)}
    assert rows[2026]["cost_to"] is None and rows[2026]["tariff_breakeven"] is None
    assert "cn-ban" in rows[2026]["unserved"]
    assert isinstance(rows[2025]["tariff_breakeven"], float)


def test_breakeven_by_country_skips_a_site_that_cannot_serve(study) -> None:
    network, scenarios, _ = study
    # plant-b is banned in 2026: asking for "China" in 2026 still names plant-b, and
    # the table says why there is no number (not a number from a zero cost)
    table = breakeven(network, "widget", "us", "MEX", "CHN", scenarios[1], [2026])
    assert table["to_site"].iloc[0] == "plant-b" and table["cost_to"].isna().all()


def test_compare_keeps_a_scenario_with_no_option(study) -> None:
    _, _, ds = study
    frame = compare_scenarios(ds, "baseline", "ban-all")
    assert len(frame) == 2  # both years listed, not dropped
    assert (frame["site_b"] == "").all() and frame["total_b"].isna().all()
    assert frame["rank_of_a_in_b"].isna().all()  # plant-a has no rank where it cannot serve
    assert frame.filter(like="delta_").isna().all().all()
    partial = compare_scenarios(ds, "baseline", "ban-china-2026").set_index("year")
    # in 2026 plant-b is banned: plant-a's rank counts only sites that can serve
    assert partial.loc[2026, "rank_of_a_in_b"] == 1


def test_unserved_lists_each_case_with_its_measures(study) -> None:
    network, scenarios, ds = study
    gaps = unserved(network, ds, scenarios)
    assert sorted(zip(gaps["scenario"], gaps["year"], strict=True)) == [
        ("ban-all", 2025),
        ("ban-all", 2026),
    ]
    assert (
        gaps["reason"].str.contains("mx-ban").all() and gaps["reason"].str.contains("cn-ban").all()
    )


@pytest.mark.parametrize(
    "command",
    [
        ("cost", "-s", "ALL"),
        ("cost", "-s", "ALL", "--json"),
        ("compare", "-s", "baseline", "-s", "ALL"),
        ("compare", "-s", "baseline", "-s", "ALL", "--json"),
    ],
)
def test_a_scenario_that_bans_every_lane_is_explained(files, cli, command) -> None:
    args = [str(files["all"]) if a == "ALL" else a for a in command]
    code, out, err = cli(args[0], str(files["net"]), *args[1:])
    assert code == 0 and "Traceback" not in err
    assert "no lane can serve market us" in err and "mx-ban" in err and "cn-ban" in err
    if "--json" in args and args[0] == "cost":
        assert json.loads(out) == []
    if "--json" in args and args[0] == "compare":
        assert all(r["total_b"] is None for r in json.loads(out))


def test_report_shows_no_number_for_a_banned_scenario(study, tmp_path: Path) -> None:
    network, scenarios, ds = study
    path = build_report(network, ds, scenarios, tmp_path)
    text = path.read_text(encoding="utf-8")
    shown = re.sub(r"<script.*?</script>", "", text, flags=re.S)
    assert not re.search(r"[>+-]nan[%<]", shown, flags=re.I)  # no "nan" as a figure
    assert "Not served" in text and "cn-ban" in text
    gaps = pd.read_csv(tmp_path / "unserved.csv")
    assert set(gaps["scenario"]) == {"ban-all"}
    be = pd.read_csv(tmp_path / "breakeven.csv")
    banned = be[be["scenario"] == "ban-all"]
    assert banned["tariff_breakeven"].isna().all() and banned["cost_to"].isna().all()
    assert not (be[["cost_from", "cost_to"]] == 0).any().any()
