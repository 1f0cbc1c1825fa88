"""Structural gravity estimation: hand-built panels, spec errors, the book's Table 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shoring.errors import ShoringInputError
from shoring.macro.gravity import estimate
from shoring.macro.gravity_spec import GravitySpec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "shoring" / "examples" / "gravity"


def _panel(tmp_path: Path, noise: bool = False) -> Path:
    """4 countries x 3 years, trade = exp(exporter-year + importer-year - 0.9 ln dist + 0.4 rta).

    With no noise PPML recovers -0.9 and 0.4 exactly (the model is the data).
    """
    rng = np.random.default_rng(7)
    countries = ["AAA", "BBB", "CCC", "DDD"]
    dist = {c: {d: 100.0 + 37.0 * abs(i - j) ** 1.3 for j, d in enumerate(countries)}
            for i, c in enumerate(countries)}  # fmt: skip
    rows = []
    for year in (2000, 2001, 2002):
        ex = {c: rng.normal() for c in countries}
        im = {c: rng.normal() for c in countries}
        for c in countries:
            for d in countries:
                rta = float(year >= 2001 and {c, d} in ({"AAA", "BBB"}, {"CCC", "DDD"}))
                mean = np.exp(5 + ex[c] + im[d] - 0.9 * np.log(dist[c][d]) + 0.4 * rta)
                value = rng.poisson(mean) if noise else mean
                rows.append((c, d, year, value, dist[c][d], rta))
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "year", "trade", "dist", "rta"])
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    return path


SPEC = """\
data: panel.csv
fixed_effects: [exporter_year, importer_year]
regressors:
  - {name: ln_dist, log: dist}
  - rta
cluster: null
"""


def test_ppml_recovers_the_coefficients_of_an_exact_model(tmp_path: Path) -> None:
    data = _panel(tmp_path)
    spec = parse_spec(GravitySpec, SPEC, "spec.yaml")
    result = estimate(spec, tmp_path / "spec.yaml")
    assert result.coefficients["ln_dist"][0] == pytest.approx(-0.9, abs=1e-7)
    assert result.coefficients["rta"][0] == pytest.approx(0.4, abs=1e-7)
    assert result.n_obs == 48
    assert result.pseudo_r2 == pytest.approx(1.0, abs=1e-12)
    assert data.exists()


def test_lags_leads_and_border_dummies_are_built_by_hand(tmp_path: Path) -> None:
    from shoring.macro.gravity_data import build_design, read_trade, source_columns

    path = _panel(tmp_path)
    text = SPEC.replace(
        "  - rta\n",
        "  - rta\n  - {name: rta_lag1, lag: rta, years: 1}\n"
        "  - {name: rta_lead1, lag: rta, years: -1}\n"
        "  - {border_by_year: [2000, 2001]}\n",
    )
    spec = parse_spec(GravitySpec, text, "spec.yaml")
    design = build_design(read_trade(path, spec.columns, source_columns(spec)), spec, "panel.csv")
    frame = design.frame.set_index(["exporter", "importer", "year"])
    # 2000 has no lag, 2002 no lead: only 2001 remains (16 rows), 32 rows dropped
    assert design.years == (2001,) and design.dropped_no_lag == 32
    assert frame.loc[("AAA", "BBB", 2001), "rta_lag1"] == 0.0  # rta in 2000
    assert frame.loc[("AAA", "BBB", 2001), "rta_lead1"] == 1.0  # rta in 2002
    assert frame.loc[("AAA", "BBB", 2001), "intl_brdr_2001"] == 1.0
    assert frame.loc[("AAA", "AAA", 2001), "intl_brdr_2001"] == 0.0
    assert frame.loc[("AAA", "BBB", 2001), "intl_brdr_2000"] == 0.0


def test_spec_errors_are_located(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "data: x.csv\nfixed_effects: [exporter_year, exporter_year]\n"
        "regressors:\n  - {name: ln_dist, log: dist, column: dist}\n"
        "sample: {years: {first: 2006, last: 1986}}\n",
        encoding="utf-8",
    )
    code, _, err = cli("gravity", "estimate", str(bad))
    assert code == 2
    assert f"{bad}:2:fixed_effects: a fixed effect is listed twice" in err
    assert f"{bad}:4:regressors[0]: give one of column, log" in err
    assert f"{bad}:5:sample.years: last (1986) is before first (2006)" in err


def test_data_errors_name_line_and_column(tmp_path: Path, cli) -> None:
    path = _panel(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[3, "trade"] = -1.0
    frame.loc[[10, 11, 12, 13, 14, 15, 16], "trade"] = np.nan
    frame.to_csv(path, index=False)
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    code, _, err = cli("gravity", "estimate", str(tmp_path / "spec.yaml"))
    assert code == 2
    what = "not a finite number >= 0"
    expected = [f"{path}:{line}:trade: {what}" for line in (5, 12, 13, 14, 15)]
    expected.append(f"{path}:trade: {what}: 3 more line(s), 8 in all")
    assert err.strip().splitlines() == expected
    (tmp_path / "spec.yaml").write_text(SPEC.replace("  - rta", "  - rtax"), encoding="utf-8")
    code, _, err = cli("gravity", "estimate", str(tmp_path / "spec.yaml"))
    assert code == 2
    assert err.startswith(f"{tmp_path / 'spec.yaml'}:5:regressors[1]: column 'rtax' is not in")
    frame.loc[:, "trade"] = 1.0
    frame.to_csv(path, index=False)
    (tmp_path / "spec.yaml").write_text(SPEC + "sample: {years: [2000, 1999]}\n", encoding="utf-8")
    code, _, err = cli("gravity", "estimate", str(tmp_path / "spec.yaml"))
    assert code == 2
    assert err.strip() == (
        f"{tmp_path / 'spec.yaml'}:7:sample.years: years not in the data: 1999; "
        "the data has 2000, 2001, 2002"
    )
    code, _, err = cli("gravity", "estimate", str(tmp_path / "spec.yaml"), "--data", "nope.csv")
    assert code == 2 and "nope.csv: file not found" in err


def test_a_regressor_absorbed_by_the_effects_is_refused(tmp_path: Path) -> None:
    _panel(tmp_path)
    text = SPEC.replace("fixed_effects: [exporter_year, importer_year]", "fixed_effects: [pair]")
    text = text.replace("  - rta\n", "")
    with pytest.raises(ShoringInputError, match=r"not identified.*ln_dist"):
        estimate(parse_spec(GravitySpec, text, "s.yaml"), tmp_path / "s.yaml")


def test_examples_are_listed(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli("gravity", "examples", "--json")
    names = {row["name"] for row in json.loads(out)}
    assert code == 0 and {"traditional_gravity", "rta_effects"} <= names
    # the data folder shown is the one the commands read ($SHORING_SHARED_DATA first)
    monkeypatch.setenv("SHORING_SHARED_DATA", str(tmp_path))
    code, out, _ = cli("gravity", "examples")
    assert code == 0 and "".join(f"data: {tmp_path / 'trade'}".split()) in "".join(out.split())


# Yotov, Piermartini, Monteiro & Larch (2016), Table 1, column (4) PPML, as in
# ../shared/data/trade/yotov2016_table1_traditional_gravity_replication.md
TABLE1_PPML = {
    "log_dist": (-0.841, 0.032),
    "cntg": (0.437, 0.083),
    "lang": (0.247, 0.077),
    "clny": (-0.222, 0.116),
}


@pytest.mark.shared_data
def test_traditional_gravity_reproduces_table_1(shared_data: Path, cli) -> None:
    data = shared_data / "trade" / "yotov2016_agtpa_applications.csv"
    spec = EXAMPLES / "traditional_gravity.yaml"
    code, out, err = cli("gravity", "estimate", str(spec), "--data", str(data), "--json")
    assert code == 0, err
    result = json.loads(out)
    for name, (b, se) in TABLE1_PPML.items():
        assert round(result["coefficients"][name]["estimate"], 3) == b
        assert round(result["coefficients"][name]["std_error"], 3) == se
    assert result["n_obs"] == 28152
    assert round(result["pseudo_r2"], 3) == 0.946
    assert result["sample"]["years"] == [1986, 1990, 1994, 1998, 2002, 2006]
