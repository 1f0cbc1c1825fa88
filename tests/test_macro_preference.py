"""Macro duties charge agreement preferences and exemptions as the landed-cost engine does.

A lane an agreement covers carries two duties: the share of its trade that claims the
preference (rule of origin met) pays the preferential rate without the measures the
agreement exempts, the rest pays MFN plus every measure. The macro duty of a pair is that
mix minus the same mix without the scenario's measures (the baseline trade costs hold it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shoring.costs.duties import lane_rate
from shoring.macro.firm_view import preference_note
from shoring.macro.ge_run import claim_shares, tariff_factor
from shoring.macro.ge_spec import TariffShock
from shoring.scenario import load_scenario

SIGMA = 7.0
COUNTRIES = ("CHN", "MEX", "USA")
HS6 = ("850760", "610910")
WHEN = "2026-07-01"
# US MFN (HTSUS 2025/2026 general rates): 8507.60.00 lithium-ion batteries 3.4 %,
# 6109.10.00 cotton T-shirts 16.5 %; USMCA preferential rate: free.
MFN = {"850760": 0.034, "610910": 0.165}
SCENARIO = """\
name: surcharge
title: A Section 122-like surcharge and a floor on Mexican goods
measures:
  - {type: tariff, importers: [USA], exporters: all, hs: all, ad_valorem: 0.15,
     start: 2026-01-01, exemptions: {origin_rule_met: USMCA}}
  - {type: tariff, importers: [USA], exporters: [MEX], hs: all, ad_valorem: 0.10,
     stacking: max, start: 2026-01-01}
"""


def _duty(tmp_path: Path, share: float | None) -> np.ndarray:
    (tmp_path / "surcharge.yaml").write_text(SCENARIO, encoding="utf-8")
    shock = TariffShock(scenario="surcharge.yaml", when=WHEN, hs6=HS6, preference_share=share)
    factor = tariff_factor(shock, COUNTRIES, SIGMA, tmp_path)
    return factor ** (-1 / SIGMA) - 1  # back to the duty t of (1 + t) ** -sigma


def _by_hand(share: dict[str, float]) -> float:
    """MEX -> USA: mean over the two products of the mixed duty minus the mixed baseline."""
    extra = []
    for hs, mfn in MFN.items():
        preferential = max(0.0, 0.10) + 0.0  # free, floor 10 %, surcharge exempt
        mfn_stack = max(mfn, 0.10) + 0.15  # MFN, floor 10 %, surcharge
        mixed = share[hs] * preferential + (1 - share[hs]) * mfn_stack
        baseline = share[hs] * 0.0 + (1 - share[hs]) * mfn
        extra.append(mixed - baseline)
    return float(np.mean(extra))


def test_mexico_pays_the_share_weighted_preferential_and_mfn_stacks(tmp_path: Path) -> None:
    # 850760: 0.6 * 10 % + 0.4 * 25 % - 0.4 * 3.4 % = 14.64 %;
    # 610910: 0.6 * 10 % + 0.4 * 31.5 % - 0.4 * 16.5 % = 12.00 %; mean 13.32 %
    duty = _duty(tmp_path, 0.6)
    assert _by_hand(dict.fromkeys(HS6, 0.6)) == pytest.approx(0.1332, abs=1e-12)
    assert duty[1, 2] == pytest.approx(0.1332, abs=1e-12)
    assert duty[0, 2] == pytest.approx(0.15, abs=1e-12)  # China: no agreement, surcharge only
    assert np.count_nonzero(np.round(duty, 12)) == 2  # nothing into Mexico or China
    # every MEX trade claiming USMCA: the floor only; none: floor lift + surcharge
    assert _duty(tmp_path, 1.0)[1, 2] == pytest.approx(0.10, abs=1e-12)
    none = ((0.10 - 0.034 + 0.15) + 0.15) / 2
    assert _duty(tmp_path, 0.0)[1, 2] == pytest.approx(none, abs=1e-12)
    # the two stacks are the engine's own lane duties (cost --explain uses them)
    scenario = load_scenario(str(tmp_path / "surcharge.yaml"))
    on = dt.date(2026, 7, 1)
    for hs, mfn in MFN.items():
        assert lane_rate(scenario, "USA", "MEX", hs, on, True) == pytest.approx(0.10)
        assert lane_rate(scenario, "USA", "MEX", hs, on, False) == pytest.approx(
            max(mfn, 0.10) + 0.15
        )


def test_cited_usmca_utilization_is_the_default_share(tmp_path: Path, shared_data) -> None:
    # the embedded table's HS6 share is the plain mean of the source's HTS10 lines
    # (USITC DataWeb via the Budget Lab at Yale), here of the 2025 file for a 2026 date
    source = pd.read_csv(
        shared_data / "rules_of_origin/usmca_utilization_shares_hts10_2025.csv",
        dtype={"hts10": str},
    )
    mexico = source[source["cty_code"] == 2010]
    share = {hs: mexico.loc[mexico["hts10"].str.startswith(hs), "usmca_share"].mean() for hs in HS6}
    shares = claim_shares(COUNTRIES, HS6, dt.date(2026, 7, 1))
    assert shares[1, 2] == pytest.approx([share[hs] for hs in HS6], abs=5e-5)
    assert np.all(np.delete(shares.reshape(9, 2), 5, axis=0) == 1.0)  # other pairs: all
    assert _duty(tmp_path, None)[1, 2] == pytest.approx(_by_hand(share), abs=1e-4)
    note = preference_note(shares, COUNTRIES, dt.date(2026, 7, 1), None)
    assert f"MEX -> USA {np.mean(list(share.values())):.1%}" in note and "2025" in note
