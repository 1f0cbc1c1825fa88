"""Tariff shocks weighted by trade values across HS6 codes: hand-worked averages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shoring.errors import ShoringInputError
from shoring.macro.ge_run import tariff_factor
from shoring.macro.ge_spec import TariffShock

SIGMA = 7.0
COUNTRIES = ("CHN", "MEX", "USA")
SCENARIO = """\
name: batteries
title: 25 % on Chinese batteries in the US
measures:
  - {type: tariff, importers: [USA], exporters: [CHN], hs: ['8507'], ad_valorem: 0.25,
     start: 2019-01-01}
"""


def _shock(tmp_path: Path, weights: str | None) -> TariffShock:
    (tmp_path / "batteries.yaml").write_text(SCENARIO, encoding="utf-8")
    spec = {"scenario": "batteries.yaml", "when": "2019-06-01", "hs6": ("850760", "610910")}
    if weights is not None:
        (tmp_path / "w.csv").write_text(weights, encoding="utf-8")
        spec["weights"] = {"file": "w.csv", "source": "hand-made values of this test"}
    return TariffShock(**spec)


def _duty(tmp_path: Path, weights: str | None) -> np.ndarray:
    factor = tariff_factor(_shock(tmp_path, weights), COUNTRIES, SIGMA, tmp_path)
    return factor ** (-1 / SIGMA) - 1  # back to the duty t of (1 + t) ** -sigma


def test_duties_are_averaged_with_trade_weights(tmp_path: Path) -> None:
    # batteries pay 25 %, T-shirts nothing: equal weights 12.5 %; batteries 3 of every 4
    # dollars of trade: 18.75 %; the CHN -> USA pair's own values (1 and 3): 6.25 %
    equal = _duty(tmp_path, None)
    assert equal[0, 2] == pytest.approx(0.125, abs=1e-12)
    assert np.count_nonzero(np.round(equal, 12)) == 1  # only CHN -> USA pays
    every = _duty(tmp_path, "hs6,value\n850760,3\n610910,1\n")
    assert every[0, 2] == pytest.approx(0.1875, abs=1e-12)
    own = (
        "hs6,value,importer,exporter\n850760,3,,\n610910,1,,\n850760,1,USA,CHN\n610910,3,USA,CHN\n"
    )
    assert _duty(tmp_path, own)[0, 2] == pytest.approx(0.0625, abs=1e-12)
    # a pair with rows of its own only for batteries: all its weight on batteries
    assert _duty(tmp_path, "hs6,value,importer,exporter\n850760,5,USA,CHN\n")[0, 2] == (
        pytest.approx(0.25, abs=1e-12)
    )


def test_bad_weights_are_located(tmp_path: Path) -> None:
    text = "hs6,value,importer,exporter\n850760,-1,,\n999999,1,,\n610910,1,USA,\n"
    with pytest.raises(ShoringInputError) as err:
        _duty(tmp_path, text)
    found = {str(p) for p in err.value.problems}
    file = tmp_path / "w.csv"
    assert f"{file}:2:value: not a finite number >= 0: '-1'" in found
    assert f"{file}:3:hs6: HS6 code '999999' is not among the shock's hs6 codes" in found
    assert any(p.startswith(f"{file}:4:importer: give both") for p in found)
    with pytest.raises(ShoringInputError, match="sum to 0 over the shock"):
        _duty(tmp_path, "hs6,value\n850760,0\n610910,0\n")
    with pytest.raises(ValueError, match="source"):
        TariffShock(scenario="x", when="2019-06-01", hs6=("850760",), weights={"file": "w.csv"})
