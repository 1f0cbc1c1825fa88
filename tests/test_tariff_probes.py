"""Dated probes of US duties, each from an official source (HTS chapter 99, Federal Register).

``tests/data/us_tariff_probes.csv``: importer, exporter, HS national line, date, whether the
goods meet the rule of origin, the official MFN rate, the additional duty and the total,
with a citation. The engine's resolved rate for the lane and date (the same per-day
computation as the yearly duties) must equal the official one. The total includes MFN: where
the engine's MFN for the line is not yet the official line rate, the additional part is
compared (``add`` probes) and the all-in probes whose answer depends on MFN are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from shoring.costs.duties import lane_rate, mfn_rate_on
from shoring.scenario import load_scenario

PROBES = Path(__file__).parent / "data" / "us_tariff_probes.csv"


def _probes() -> list[dict]:
    with PROBES.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def current_law():
    return load_scenario("current-law")


def test_probe_table_is_large_and_cited() -> None:
    rows = _probes()
    assert len(rows) >= 40
    assert all(len(r["citation"]) > 20 for r in rows)
    for r in rows:  # the table is consistent: total = MFN + additional (all-in: max)
        mfn, add, total = float(r["mfn"]), float(r["additional"]), float(r["total"])
        if r["origin_rule_met"] != "true":
            assert total == pytest.approx(mfn + add), r


@pytest.mark.parametrize("row", _probes(), ids=lambda r: f"{r['exporter']}-{r['hs']}-{r['date']}")
def test_engine_rate_equals_official_rate(current_law, row: dict) -> None:
    on = dt.date.fromisoformat(row["date"])
    met = row["origin_rule_met"] == "true"
    rate = lane_rate(current_law, row["importer"], row["exporter"], row["hs"], on, met)
    mfn = mfn_rate_on(row["importer"], row["hs"], on)
    official_mfn, total = float(row["mfn"]), float(row["total"])
    if met or mfn == pytest.approx(official_mfn, abs=1e-9):
        assert rate == pytest.approx(total, abs=1e-9), row["citation"]
    elif row["kind"] == "add":
        assert rate - mfn == pytest.approx(float(row["additional"]), abs=1e-9), row["citation"]
    elif max(mfn, official_mfn) < total:  # all-in rate above both MFN figures
        assert rate == pytest.approx(total, abs=1e-9), row["citation"]
    else:
        pytest.skip(f"needs the line's MFN ({official_mfn}); engine MFN basis gives {mfn}")
