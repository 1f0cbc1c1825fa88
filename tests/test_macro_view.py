"""The firm study's macro view: its scenarios' tariffs in general equilibrium, by hand."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from shoring.scenario import load_scenario
from shoring.study import Study

SIGMA = 7.0

WAR = """\
name: war
title: 25 % both ways between the US and China
measures:
  - {type: tariff, importers: [USA], exporters: [CHN], hs: all, ad_valorem: 0.25,
     start: 2019-01-01}
  - {type: tariff, importers: [CHN], exporters: [USA], hs: all, ad_valorem: 0.25,
     start: 2019-01-01}
"""

US_ONLY = """\
name: us-only
title: 25 % on Chinese goods in the US
measures:
  - {type: tariff, importers: [USA], exporters: [CHN], hs: all, ad_valorem: 0.25,
     start: 2019-01-01}
"""

SPEC = """\
data: trade.csv
year: 2019
reference_country: {ref}
sigma: 7
estimation:
  fixed_effects: [exporter, importer]
  regressors:
    - {{name: border, international_border: true}}
  cluster: null
shock:
  tariffs: {{scenario: mfn-only, when: 2019-06-01, hs6: ['850760']}}
"""


def _world(folder: Path, countries: list[str], ref: str) -> Path:
    """Symmetric countries: domestic sales 5, every international flow 1 (tau = 0.2)."""
    rows = [(a, b, 2019, 5.0 if a == b else 1.0) for a in countries for b in countries]
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "year", "trade"])
    frame.to_csv(folder / "trade.csv", index=False)
    spec = folder / "spec.yaml"
    spec.write_text(SPEC.format(ref=ref), encoding="utf-8")
    return spec


def _scenario(folder: Path, text: str, name: str):
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(str(path))


@pytest.fixture(autouse=True)
def _saturated_fit_is_expected():
    with warnings.catch_warnings():  # 4 flows, 4 parameters: no degrees of freedom left
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def test_two_symmetric_countries_at_war_match_the_closed_form(tmp_path, mini_network) -> None:
    # T = [[1, tau], [tau, 1]] with tau = 1 / 5 (the flows), both tariffs 25 %:
    # tau' = tau * 1.25 ** -7; by symmetry p = ((1 + tau') / (1 + tau)) ** (1 / (sigma - 1))
    # for both, real GDP too (P_USA = 1 numeraire, P_CHN = P_USA); flows
    # X_ij' = p * Y * tau' / (1 + tau') with Y = 6
    spec = _world(tmp_path, ["CHN", "USA"], ref="USA")
    study = Study.load(mini_network, [_scenario(tmp_path, WAR, "war"), "mfn-only"], [2026])
    view = study.macro_view(spec)
    assert study.macro_view(spec) is view  # computed once
    tau, tau2 = 0.2, 0.2 * 1.25**-SIGMA
    p = ((1 + tau2) / (1 + tau)) ** (1 / (SIGMA - 1))
    assert p == pytest.approx(0.976736, abs=1e-6)
    assert view.when.isoformat() == "2026-07-01"
    assert view.roles == {"USA": "market", "CHN": "site"} and view.missing == ("MEX",)
    duties = view.duties_table()
    assert duties[["exporter", "importer", "duty_pct"]].values.tolist() == [
        ["CHN", "USA", 25.0],
        ["USA", "CHN", 25.0],
    ]
    war, mfn = view.views
    assert mfn.result is None and "no change" in mfn.note  # no duty beyond the baseline
    rows = view.countries_table().set_index("country")
    for code in ("CHN", "USA"):
        assert rows.loc[code, "producer_price_change_pct"] == pytest.approx((p - 1) * 100, 1e-9)
        assert rows.loc[code, "real_gdp_change_pct"] == pytest.approx((p - 1) * 100, 1e-9)
        assert rows.loc[code, "imr_change_pct"] == pytest.approx(0.0, abs=1e-9)
        expected = (p * 6 * tau2 / (1 + tau2) - 1) * 100  # -76.41 %
        assert rows.loc[code, "exports_change_pct_full"] == pytest.approx(expected, rel=1e-9)
    conditional = war.result.bilateral_table().set_index(["exporter", "importer"])
    assert conditional.loc[("CHN", "USA"), "conditional"] == pytest.approx(6 * tau2 / (1 + tau2))

    out = study.report(tmp_path / "report", macro=view)
    text = out.read_text(encoding="utf-8")
    assert "Macro view (general equilibrium)" in text
    assert (
        f"Factory-gate prices of the network&#x27;s producing countries: CHN {(p - 1) * 100:+.2f}%"
        in text
    )
    csv = pd.read_csv(out.parent / "macro_countries.csv")
    assert set(csv["scenario"]) == {"war"} and len(csv) == 2


def test_a_third_country_gains_the_trade_a_us_tariff_diverts(tmp_path, mini_network, cli) -> None:
    # three symmetric countries, the US taxes Chinese goods only: in the US market China and
    # Mexico start at 50 % each; whatever share China loses, Mexico (the only other
    # supplier) gains; China's factory-gate price falls and the US price index rises
    # relative to Mexico's (the numeraire)
    spec = _world(tmp_path, ["CHN", "MEX", "USA"], ref="MEX")
    _scenario(tmp_path, US_ONLY, "us-only")
    out = tmp_path / "report"
    code, _, err = cli(
        "report", mini_network, "-s", tmp_path / "us-only.yaml", "--year", "2026",
        "--macro", spec, "--out", out,
    )  # fmt: skip
    assert code == 0, err
    shares = pd.read_csv(out / "macro_diversion.csv").set_index("exporter")
    assert shares["share_baseline_pct"].to_dict() == pytest.approx({"CHN": 50.0, "MEX": 50.0})
    assert shares.loc["CHN", "change_pp"] < 0
    assert shares.loc["MEX", "change_pp"] == pytest.approx(-shares.loc["CHN", "change_pp"])
    effects = pd.read_csv(out / "macro_countries.csv").set_index("country")
    assert effects.loc["CHN", "producer_price_change_pct"] < 0
    assert effects.loc["USA", "imr_change_pct"] > 0
    assert (
        effects.loc["MEX", "role"] == "site" and effects.loc["MEX", "exports_change_pct_full"] > 0
    )
    text = (out / "report.html").read_text(encoding="utf-8")
    gain = shares.loc["MEX", "change_pp"]
    assert f"the diverted trade goes to MEX {gain:+.2f} pp" in text


def test_macro_view_errors_name_the_option_and_the_spec(tmp_path, mini_network, cli) -> None:
    code, _, err = cli("report", mini_network, "--macro", "no_such_spec", "--out", tmp_path / "o")
    assert code == 2 and "--macro: spec 'no_such_spec' not found" in err
    spec = _world(tmp_path, ["CHN", "USA"], ref="USA")
    rule = "shock:\n  set: [{regressor: border, value: 0}]\n  tariffs:"
    spec.write_text(spec.read_text("utf-8").replace("shock:\n  tariffs:", rule), "utf-8")
    code, _, err = cli("report", mini_network, "--macro", spec, "--out", tmp_path / "o")
    assert code == 2 and f"{spec}:shock: the macro view of a study applies" in err
    code, _, err = cli("report", mini_network, "--macro-data", spec, "--out", tmp_path / "o")
    assert code == 2 and "--macro-data needs --macro" in err
    assert not (tmp_path / "o").exists()


def test_shipped_spec_data_is_found_in_the_shared_data_or_named_by_its_flag(
    tmp_path, mini_network, cli, monkeypatch
) -> None:
    from shoring.cli.gravity_cmd import resolve_spec
    from shoring.macro.gravity_spec import data_path

    spec = resolve_spec("us_china_tariff_war")
    name = "yotov2016_trade_without_borders_2006.csv"
    monkeypatch.setenv("SHORING_SHARED_DATA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("report", mini_network, "--macro", spec.stem, "--out", tmp_path / "o")
    assert code == 2 and not (tmp_path / "o").exists()
    assert f"{spec}:21:data: data file {name} not found in" in err
    assert str(tmp_path / "trade" / name) in err and err.rstrip().endswith("with --macro-data")
    assert "--data" not in err.replace("--macro-data", "")
    (tmp_path / "trade").mkdir()
    (tmp_path / "trade" / name).write_text("exporter,importer,year,trade\n", encoding="utf-8")
    assert data_path(name, spec, None) == tmp_path / "trade" / name  # $SHORING_SHARED_DATA
