"""Network design with every site's time to survive at least its time to recover.

One product, one market, one period, demand 100 a year, three candidate sites (TTR 30
days each), conversion 1 per unit, no delivery cost, lost sale 1,000 per unit:

    site  capacity  fixed cost
    A     100       10
    B     100       30
    C      60       20

Footprints (cost = fixed + 100 units x 1):
    A alone   110  cheapest; its loss leaves nothing -> TTS 0 < 30
    A + C     130  A down: C makes 60 of 100 -> survives only if buffers cover 40%
    A + B     140  either down: the other makes 100 -> survives with no buffer
So: no rule -> A; TTS >= TTR just in time -> A + B; with 15 buffer days (half of the
30-day TTR: the others must make 50%) -> A + C; with 30 buffer days -> A again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shoring.errors import ShoringError
from shoring.optimize import SolveOptions
from shoring.optimize.design import DesignSpec, design_data, optimize_design

EXACT = SolveOptions(mip_rel_gap=1e-9)
TTR = {"A": 30.0, "B": 30.0, "C": 30.0}


def three_sites(capacity=(100.0, 100.0, 60.0), periods=(2025,), a_exists=False, ramp=0):
    sites = pd.DataFrame(
        {
            "country": ["AAA", "BBB", "CCC"],
            "status": ["existing" if a_exists else "candidate", "candidate", "candidate"],
            "capacity_units": capacity,
            "fixed_cost_usd": [10.0, 30.0, 20.0],
            "ramp_up_months": [0, ramp, ramp],
        },
        index=["A", "B", "C"],
    )
    n_t = len(periods)
    return design_data(
        products=["p"],
        sites=sites,
        markets={"m": "AAA"},
        periods=list(periods),
        scenarios=["w"],
        demand=np.full((1, 1, n_t), 100.0),
        conversion=np.ones((1, 3, n_t, 1)),
        delivery=np.zeros((1, 3, 1, n_t, 1)),
        penalty=1000.0,
    )


def plan(data, **spec):
    res = optimize_design(data, DesignSpec(**spec), EXACT, shadow_prices=False, site_deltas=False)
    return res.open_sites, res.expected_cost


@pytest.mark.parametrize(
    ("rule", "sites", "cost"),
    [
        ({}, ("A",), 110.0),
        ({"ttr_days": TTR}, ("A", "B"), 140.0),
        ({"ttr_days": TTR, "buffer_days": 15.0}, ("A", "C"), 130.0),
        ({"ttr_days": TTR, "buffer_days": 30.0}, ("A",), 110.0),
    ],
)
def test_tts_over_ttr_changes_the_footprint_as_worked_by_hand(rule, sites, cost) -> None:
    open_sites, expected = plan(three_sites(), **rule)
    assert open_sites == sites
    assert expected == pytest.approx(cost)


def test_a_site_no_footprint_can_replace_is_named() -> None:
    # A and B of 40 each, C of 60: without C, A + B make 80 < 100 needed
    data = three_sites(capacity=(40.0, 40.0, 60.0))
    with pytest.raises(
        ShoringError, match=r"loss of site C .* at most 80 p that year, 100 are needed"
    ):
        plan(data, ttr_days=TTR)


def test_the_rule_starts_once_new_sites_have_ramped_up() -> None:
    # A exists; B and C take 12 months to ramp up: opened in 2025 they make nothing that
    # year, so A's loss cannot be survived in 2025 whatever opens; from 2026 A + B can
    data = three_sites(periods=(2025, 2026), a_exists=True, ramp=12)
    with pytest.raises(ShoringError, match=r"in 2025: .* it can hold from 2026"):
        plan(data, ttr_days=TTR)
    open_sites, _ = plan(data, ttr_days=TTR, survive_from=2026)
    assert open_sites == ("A", "B")


def test_bad_rule_values_are_refused() -> None:
    with pytest.raises(ValueError, match="ttr_days must be > 0"):
        DesignSpec(ttr_days={"A": 0.0})
    with pytest.raises(ValueError, match="buffer_days must be >= 0"):
        DesignSpec(ttr_days=TTR, buffer_days=-1.0)


def test_cli_survive_ttr_refuses_what_no_footprint_meets_and_records_risk(tmp_path, capsys) -> None:
    import json

    import yaml

    from shoring.cli import main
    from test_stress import network

    # two German plants of 60 packs a week for a demand of 100: losing either leaves 60
    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(network([60.0, 60.0], [250.0]).to_dict()))
    with pytest.raises(SystemExit) as code:
        main(["optimize", str(path), "-s", "current-law", "--survive-ttr", "--no-explain"])
    assert code.value.code == 2
    assert "no footprint survives the loss of site s0" in capsys.readouterr().err
    # --buffer-days alone is a usage error
    with pytest.raises(SystemExit) as code:
        main(["optimize", str(path), "-s", "current-law", "--buffer-days", "5"])
    assert code.value.code == 2
    # 30 buffer days cover the 30-day TTR: a plan; the manifest says how risk was priced
    out = tmp_path / "out"
    main(
        ["optimize", str(path), "-s", "current-law", "--survive-ttr", "--buffer-days", "30",
         "--no-explain", "--alternatives", "0", "--json", "--out", str(out)]
    )  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["risk_model"]["simulated"] and manifest["risk_model"]["seed"] == 0
