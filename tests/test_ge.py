"""General-equilibrium counterfactuals: closed forms, consistency, the book's applications."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shoring.macro import ge

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "shoring" / "examples" / "gravity"
SIGMA = 7.0


def test_two_symmetric_countries_match_the_closed_form() -> None:
    # T = [[1, tau], [tau, 1]], Y = E = 1: IMR = 1, OMR = 1 + tau, export share tau / (1 + tau);
    # lowering tau to tau2: p = ((1 + tau2) / (1 + tau)) ** (1 / (sigma - 1)) = real GDP change
    tau, tau2 = 0.2, 0.5
    cost = np.array([[1.0, tau], [tau, 1.0]])
    ones = np.ones(2)
    base = ge.solve(cost, ones, ones, ref=0)
    np.testing.assert_allclose(base.imr, [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(base.omr, [1 + tau, 1 + tau], rtol=1e-12)
    np.testing.assert_allclose(base.trade[0, 1], tau / (1 + tau), rtol=1e-12)
    full = ge.solve_full(np.array([[1.0, tau2], [tau2, 1.0]]), base, SIGMA, ref=0)
    expected = ((1 + tau2) / (1 + tau)) ** (1 / (SIGMA - 1))
    np.testing.assert_allclose(full.price, [expected, expected], rtol=1e-10)
    np.testing.assert_allclose(full.real_gdp(SIGMA) / base.real_gdp(SIGMA), expected, rtol=1e-10)


def _world(n: int = 6, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric costs and balanced trade (Y = E) of n countries."""
    rng = np.random.default_rng(seed)
    d = rng.uniform(0.05, 0.6, (n, n))
    cost = (d + d.T) / 2
    np.fill_diagonal(cost, 1.0)
    return cost, rng.uniform(1.0, 20.0, n)


def test_real_gdp_follows_the_domestic_share_formula_with_balanced_trade() -> None:
    # Arkolakis, Costinot & Rodriguez-Clare (2012): real income changes by
    # (lambda_ii' / lambda_ii) ** (1 / (1 - sigma)), lambda_ii the domestic expenditure share
    cost, y = _world()
    base = ge.solve(cost, y, y, ref=2)
    new = cost.copy()
    new[0, 1] *= 1.25**-SIGMA  # a 25 % tariff of country 1 on country 0's goods
    new[3, 4] *= 1.6
    full = ge.solve_full(new, base, SIGMA, ref=2)
    lam = np.diag(base.trade) / base.spending
    lam_new = np.diag(full.trade) / full.spending
    np.testing.assert_allclose(
        full.real_gdp(SIGMA) / base.real_gdp(SIGMA), (lam_new / lam) ** (1 / (1 - SIGMA)), rtol=1e-9
    )


def test_zero_shock_changes_nothing_and_markets_clear() -> None:
    cost, y = _world(8, seed=11)
    e = y * np.linspace(0.8, 1.2, 8)
    e *= y.sum() / e.sum()  # unbalanced trade, equal world totals
    base = ge.solve(cost, y, e, ref=0)
    same = ge.solve_full(cost, base, SIGMA, ref=0)
    np.testing.assert_allclose(same.price, 1.0, atol=1e-12)
    np.testing.assert_allclose(same.trade, base.trade, rtol=1e-10)
    shocked = cost * np.where(np.eye(8, dtype=bool), 1.0, 1.3)
    full = ge.solve_full(shocked, base, SIGMA, ref=0)
    for state in (base, full):
        np.testing.assert_allclose(state.trade.sum(axis=1), state.output, rtol=1e-8)
        np.testing.assert_allclose(state.trade.sum(axis=0), state.spending, rtol=1e-8)
    assert full.output.sum() == pytest.approx(full.spending.sum(), rel=1e-12)
    # the supply side: output at new prices equals the CES demand for each country's good
    np.testing.assert_allclose(full.price**SIGMA, full.omr / base.omr, rtol=1e-10)
    assert full.imr[0] == pytest.approx(1.0)  # numeraire


def test_baseline_with_costs_calibrated_to_the_flows_reproduces_them() -> None:
    rng = np.random.default_rng(5)
    observed = rng.uniform(1, 100, (7, 7)) + np.diag(rng.uniform(500, 900, 7))
    base = ge.solve(observed, observed.sum(axis=1), observed.sum(axis=0), ref=3)
    np.testing.assert_allclose(base.trade, observed, rtol=1e-10)


SCENARIO = """\
name: probe-war
title: 25 % on Chinese goods in the US
measures:
  - {type: tariff, importers: [USA], exporters: [CHN], hs: all, ad_valorem: 0.25,
     start: 2019-01-01}
"""

SPEC = """\
data: trade.csv
year: 2019
reference_country: DEU
sigma: 7
estimation:
  fixed_effects: [exporter, importer]
  regressors:
    - {name: ln_dist, log: dist}
    - {name: border, international_border: true}
  cluster: null
shock:
  tariffs: {scenario: war.yaml, when: 2019-06-01, hs6: ['850760']}
"""


def _small_world(tmp_path: Path) -> Path:
    codes = ["CHN", "DEU", "MEX", "USA", "VNM"]
    xy = {"CHN": (0, 0), "DEU": (8, 6), "MEX": (12, -1), "USA": (11, 2), "VNM": (1, -1)}
    size = {"CHN": 14.0, "DEU": 4.0, "MEX": 1.2, "USA": 20.0, "VNM": 0.4}
    rows = []
    for a in codes:
        for b in codes:
            dist = 1.0 + np.hypot(*np.subtract(xy[a], xy[b])) if a != b else 0.5
            trade = size[a] * size[b] * dist**-0.9 * (0.1 if a != b else 1.0) * 1000
            rows.append((a, b, 2019, trade, dist))
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "year", "trade", "dist"])
    frame.to_csv(tmp_path / "trade.csv", index=False)
    (tmp_path / "war.yaml").write_text(SCENARIO, encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


def test_a_scenario_tariff_diverts_us_imports_to_third_countries(tmp_path: Path, cli) -> None:
    from shoring.macro.ge_run import tariff_factor
    from shoring.macro.ge_spec import TariffShock

    spec = _small_world(tmp_path)
    countries = ("CHN", "DEU", "MEX", "USA", "VNM")
    shock = TariffShock(scenario=str(tmp_path / "war.yaml"), when="2019-06-01", hs6=("850760",))
    factor = tariff_factor(shock, countries, SIGMA)
    expected = np.ones((5, 5))
    expected[0, 3] = 1.25**-SIGMA  # exporter CHN (row), importer USA (column)
    np.testing.assert_allclose(factor, expected, rtol=1e-12)

    code, out, err = cli("gravity", "counterfactual", str(spec), "--json")
    assert code == 0, err
    result = json.loads(out)
    rows = {r["country"]: r for r in result["countries"]}
    assert rows["CHN"]["exports_change_pct_full"] < 0
    assert all(rows[c]["exports_change_pct_conditional"] > 0 for c in ("DEU", "MEX", "VNM"))
    us = next(m for m in result["diversion"] if m["market"] == "USA")["suppliers"]
    change = {r["exporter"]: r["change_pp"] for r in us}
    assert change["CHN"] < 0 and all(change[c] > 0 for c in ("DEU", "MEX", "VNM"))
    assert sum(change.values()) == pytest.approx(0.0, abs=1e-9)
    # the duties applied are shown with their source: 25 % on CHN into USA, no other pair
    shock = result["tariff_shock"]
    assert shock["duties"] == [{"importer": "USA", "exporter": "CHN", "duty_pct": 25.0}]
    assert (shock["when"], shock["hs6"], shock["weighting"]) == (
        "2019-06-01",
        ["850760"],
        "equal weights",
    )
    code, out, err = cli("gravity", "counterfactual", str(spec))
    assert code == 0 and "USA on CHN 25.00%" in " ".join(out.split()), err
    code, _, err = cli("gravity", "report", str(spec), "--out", tmp_path / "g.html")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert code == 0 and '<td>USA</td><td>CHN</td><td class="num">25.00</td>' in page, err
    pair = next(r for r in result["bilateral"] if (r["exporter"], r["importer"]) == ("CHN", "USA"))
    # 1.25 ** -7 - 1 = -78.9 % before resistances adjust; they soften it (China's outward
    # resistance falls, the US inward one rises)
    assert (1.25**-SIGMA - 1) * 100 < pair["change_pct_conditional"] < -50


def test_counterfactual_spec_errors_are_located(tmp_path: Path, cli) -> None:
    spec = _small_world(tmp_path)
    text = spec.read_text(encoding="utf-8").replace(
        "shock:\n  tariffs:", "shock:\n  set: [{regressor: rta}]\n  tariffs:"
    )
    spec.write_text(text.replace("sigma: 7", "sigma: 0.5"), encoding="utf-8")
    code, _, err = cli("gravity", "counterfactual", str(spec))
    assert code == 2
    assert f"{spec}:4:sigma: Input should be greater than 1" in err


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("data: trade.csv", "data: nosuch.csv", ":1:data: data file nosuch.csv not found"),
        ("year: 2019", "year: 1999", ":2:year: 1999 is not a year of"),
        ("reference_country: DEU", "reference_country: XXX", ":3:reference_country: XXX is"),
        ("sigma: 7", 'sigma: "7"', ":4:sigma: Input should be a valid number"),
        ("log: dist}", "log: distx}", ":8:estimation.regressors[0]: column 'distx' is not in"),
        ("shock:\n", "shock:\n  set: [{regressor: bordr}]\n", ":12:shock.set[0].regressor: bordr"),
    ],
)
def test_spec_errors_name_the_spec_line_and_field(
    tmp_path: Path, cli, old: str, new: str, expected: str
) -> None:
    spec = _small_world(tmp_path)
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), encoding="utf-8")
    code, out, err = cli("gravity", "counterfactual", str(spec))
    assert code == 2 and not out
    assert err.startswith(f"{spec}{expected}"), err
    assert "Traceback" not in err
    if "year" in old:
        assert err.rstrip().endswith("years: 2019")


# Yotov et al. (2016) ch. 2 results files (Stata), percent changes of international exports
BORDERS_CONDITIONAL = {"USA": 359.980757, "CAN": 80.824632, "CHN": 175.496419, "HKG": 1457.095665}
BORDERS_FULL = {"USA": 438.312573, "CAN": 137.187578, "DEU": 191.982261, "JPN": 293.844806}
NAFTA_CONDITIONAL = {"CAN": 34.991831, "MEX": 41.640778, "USA": 14.480849, "DEU": -0.138222}
NAFTA_FULL = {"CAN": 37.455143, "MEX": 43.508387, "USA": 14.875810, "JPN": -0.422677}


def _run(cli, spec: str, data: Path) -> dict[str, dict[str, float]]:
    code, out, err = cli("gravity", "counterfactual", spec, "--data", str(data), "--json")
    assert code == 0, err
    return {r["country"]: r for r in json.loads(out)["countries"]}


@pytest.mark.shared_data
def test_trade_without_borders_reproduces_the_book(shared_data: Path, cli) -> None:
    rows = _run(
        cli,
        "trade_without_borders",
        shared_data / "trade" / "yotov2016_trade_without_borders_2006.csv",
    )
    assert len(rows) == 69
    for c, v in BORDERS_CONDITIONAL.items():
        assert rows[c]["exports_change_pct_conditional"] == pytest.approx(v, abs=1e-4)
    for c, v in BORDERS_FULL.items():  # imbalances and the book's loop tolerance: see the spec
        assert rows[c]["exports_change_pct_full"] == pytest.approx(v, abs=1.5)


@pytest.mark.shared_data
def test_nafta_effects_reproduce_the_book(shared_data: Path, cli) -> None:
    from shoring.macro.ge_run import run_counterfactual
    from shoring.macro.ge_spec import CounterfactualSpec
    from shoring.macro.gravity_spec import load_spec

    path = EXAMPLES / "nafta_effects.yaml"
    data = shared_data / "trade" / "yotov2016_agtpa_applications.csv"
    result = run_counterfactual(load_spec(CounterfactualSpec, path), path, data)
    rows = result.country_table().set_index("country")
    for c, v in NAFTA_CONDITIONAL.items():
        assert rows.loc[c, "exports_change_pct_conditional"] == pytest.approx(v, abs=1e-3)
    for c, v in NAFTA_FULL.items():
        assert rows.loc[c, "exports_change_pct_full"] == pytest.approx(v, abs=1.0)
    # the spec quotes what it gives and explains the gap to the book's full endowment
    text = " ".join(path.read_text(encoding="utf-8").split())
    for c in ("CAN", "MEX", "USA"):
        assert f"{c} +{rows.loc[c, 'exports_change_pct_full']:.2f} %" in text
    assert "phi = E/Y" in text and "below 0.01" in text
    assert result.coefficients["rta"] == pytest.approx(0.557, abs=5e-4)
    assert len(result.countries) == 69 and result.seconds < 10.0


def test_price_effects_are_written_as_a_scenario_the_engine_reads(tmp_path: Path, cli) -> None:
    from shoring.scenario.loader import load_scenario_file
    from shoring.scenario.timeseries import wage_multiplier

    spec = _small_world(tmp_path)
    out = tmp_path / "ge-prices.yaml"
    args = ["--json", "--scenario-out", str(out), "--start-year", "2027", "--parent", "mfn-only"]
    code, stdout, err = cli("gravity", "counterfactual", str(spec), *args)
    assert code == 0, err
    price = {r["country"]: r["producer_price_change_pct"] for r in json.loads(stdout)["countries"]}
    scenario = load_scenario_file(out)
    assert scenario.parents == ("mfn-only",)
    level = wage_multiplier(scenario, ["CHN", "VNM"], [2026, 2027, 2030], 2026)
    for code_ in ("CHN", "VNM"):
        expected = 1 + price[code_] / 100
        assert float(level.sel(country=code_, year=2026)) == 1.0
        assert float(level.sel(country=code_, year=2027)) == pytest.approx(expected, rel=1e-5)
        assert float(level.sel(country=code_, year=2030)) == pytest.approx(expected, rel=1e-5)


def test_report_is_one_offline_html_file(tmp_path: Path, cli) -> None:
    import re

    spec = _small_world(tmp_path)
    out = tmp_path / "report.html"
    code, _, err = cli("gravity", "report", str(spec), "--out", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "Import shares in USA" in text and "Real GDP" in text and "VNM" in text
    assert not re.search(r"<script[^>]*\bsrc=", text, re.I)


@pytest.mark.shared_data
def test_us_china_tariff_war_example_sign_pattern_and_zero_shock(shared_data: Path) -> None:
    from datetime import date

    from shoring.macro.ge_run import estimate_costs, tariff_factor
    from shoring.macro.ge_spec import CounterfactualSpec
    from shoring.macro.gravity_spec import load_spec

    path = EXAMPLES / "us_china_tariff_war.yaml"
    data = shared_data / "trade" / "yotov2016_trade_without_borders_2006.csv"
    spec = load_spec(CounterfactualSpec, path)
    model = estimate_costs(spec, path, data)
    codes = model.countries
    usa, chn = codes.index("USA"), codes.index("CHN")
    factor = tariff_factor(spec.shock.tariffs, codes, SIGMA, path.parent)
    taxed = np.argwhere(factor != 1.0).tolist()
    assert sorted(taxed) == sorted([[chn, usa], [usa, chn]])  # only the two pay
    flows = model.solve(model.cost * factor).bilateral_table().set_index(["exporter", "importer"])
    # with every other cost unchanged, the two taxed flows fall ...
    for pair in (("CHN", "USA"), ("USA", "CHN")):
        assert flows.loc[pair, "change_pct_conditional"] < 0
        assert flows.loc[pair, "change_pct_full"] < 0
    # ... and the US buys more from everyone else: its inward resistance rises while a
    # third country's costs to the US do not change
    third = flows.xs("USA", level="importer").drop(["CHN", "USA"])
    assert (third["change_pct_conditional"] > 0).all() and (third["change_pct_full"] > 0).all()
    # the same spec before the war (no duty beyond MFN on 2017-12-31) changes nothing
    before = spec.shock.tariffs.model_copy(update={"when": date(2017, 12, 31)})
    assert np.all(tariff_factor(before, codes, SIGMA, path.parent) == 1.0)
    same = model.solve(model.cost)
    np.testing.assert_allclose(same.full.trade, model.base.trade, rtol=1e-10)
    np.testing.assert_allclose(same.full.price, 1.0, atol=1e-12)
