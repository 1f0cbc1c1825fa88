"""Every JSON a command prints or writes is strict JSON (RFC 8259): an undefined number
(a lane a scenario bans, a cost with no demand) is ``null``, never the ``NaN`` or
``Infinity`` tokens that Python's json module writes and strict parsers refuse."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shoring.textsafe import json_safe, json_text

BAN_CHINA = """\
name: ban-china
title: China export ban
measures:
  - {id: cn-ban, type: export_ban, exporters: CHN, start: 2025-01-01}
"""
"""Bans plant-b (China) of the mini network: its costs are undefined."""

ORLIB = "2 2\n10 100\n10 100\n4\n10 40\n4\n10 40\n"
"""Two facilities, two customers (OR-Library cap format)."""


def strict(text: str) -> Any:
    """Parse like a strict JSON parser: NaN / Infinity tokens fail the test."""

    def refuse(token: str) -> None:
        pytest.fail(f"non-finite JSON token {token!r} in the output")

    return json.loads(text, parse_constant=refuse)


def test_json_text_writes_undefined_as_null() -> None:
    value = {
        "nan": float("nan"),
        "inf": math.inf,
        "neg": -np.inf,
        "np": np.float32("nan"),
        "arr": np.array([1.5, np.nan, np.inf]),
        "ints": (np.int64(3), True, np.bool_(False)),
        "frame": pd.DataFrame({"a": [np.nan, 2.0]}).to_dict("records"),
        "na": pd.NA,
        "nat": pd.NaT,
        "day": pd.Timestamp("2026-02-01"),
        7: "key",
    }
    assert strict(json_text(value)) == {
        "nan": None,
        "inf": None,
        "neg": None,
        "np": None,
        "arr": [1.5, None, None],
        "ints": [3, True, False],
        "frame": [{"a": None}, {"a": 2.0}],
        "na": None,
        "nat": None,
        "day": "2026-02-01T00:00:00",
        "7": "key",
    }
    assert json_safe(0.1) == 0.1 and json_safe("NaN") == "NaN"  # text stays text


@pytest.fixture(scope="module")
def ban(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("json") / "ban.yaml"
    path.write_text(BAN_CHINA, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "{net}", "--json"),
        ("validate", "{bad}", "--json"),
        ("cost", "{net}", "-s", "{ban}", "-y", "2025", "--json"),
        ("cost", "{net}", "-s", "{ban}", "-y", "2025", "--json", "--explain", "-p", "widget",
         "--site", "plant-b", "-m", "us"),
        ("compare", "{net}", "-s", "baseline", "-s", "{ban}", "-y", "2025", "--json"),
        ("breakeven", "{net}", "-p", "widget", "-m", "us", "--from", "plant-a", "--to",
         "plant-b", "-y", "2025", "-y", "2026", "--json"),
        ("optimize", "{net}", "-s", "baseline", "-s", "{ban}", "--alternatives", "0",
         "--no-explain", "--json", "--out", "{out}"),
        ("pareto", "{net}", "-s", "baseline", "-s", "{ban}", "--points", "1", "--json"),
        ("scenarios", "show", "{ban}", "--json"),
        ("scenarios", "list", "--json"),
        ("data", "sources", "--json"),
        ("data", "show", "country", "CHN", "--json"),
        ("bench", "cflp", "{orlib}", "--json"),
    ],
    ids=lambda a: "-".join(a[:2]) if a[0] in ("scenarios", "data") else a[0],
)  # fmt: skip
def test_every_json_output_is_strict(
    args: tuple[str, ...], mini_network: Path, ban: Path, tmp_path: Path, cli
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(mini_network.read_text().replace("capacity_units: 1000", "capacity_units: -1"))
    orlib = tmp_path / "cap.txt"
    orlib.write_text(ORLIB)
    folder = tmp_path / "out"
    paths = {"net": mini_network, "ban": ban, "bad": bad, "orlib": orlib, "out": folder}
    code, out, err = cli(*(a.format(**paths) for a in args))
    assert code in (0, 2), err
    assert "Traceback" not in err
    strict(out)
    if "--out" in args:  # the files written: the result and the manifest
        files = sorted(folder.glob("*.json"))
        assert {f.name for f in files} >= {"manifest.json"} and len(files) >= 2
        for file in files:
            strict(file.read_text(encoding="utf-8"))
