"""The landed cost's ``risk`` component from the disruption simulation, once per study."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shoring.scenario import load_scenario
from shoring.simulate import default_hazards
from shoring.simulate.hazards import CountryHazard, Duration
from shoring.study import Study
from test_stress import network

WEEKS = 52.0


def one_week_a_year_in_germany():
    """Only German nodes stop: one event a year, exactly 7 days (one week) each."""
    model = default_hazards().without_hazards()
    natural = model.natural.model_copy(
        update={
            "countries": {
                "DEU": CountryHazard(rate_per_year=1.0, duration=Duration(mean_days=7, cv=0))
            }
        }
    )
    return model.model_copy(update={"natural": natural})


def test_risk_per_unit_of_a_one_site_network_by_hand(tmp_path) -> None:
    # one German site (150 packs/week for a demand of 100), its Polish cell supplier
    # never stops; JIT. A week is lost when the site has an event that week:
    # p = 1 - exp(-1/52) = 0.019048; each lost pack costs its penalty, value 100 x
    # (1 + margin 0.2) = 120 USD -> risk = 0.019048 x 120 = 2.2857 USD per pack made.
    p = 1.0 - np.exp(-1.0 / WEEKS)
    expected = p * 120.0
    draws, weeks = 2000, 156
    # the standard error of the mean of a weekly Bernoulli(p) over 156 weeks x 2000 draws
    error = 120.0 * np.sqrt(p * (1.0 - p) / (weeks * draws))  # 0.0294 USD
    study = Study(
        network([150.0], [150.0], supplier_country="POL"),
        [load_scenario("baseline")],
        hazards=one_week_a_year_in_germany(),
        risk_draws=draws,
        risk_seed=7,
    )
    risk = study.landed_costs["cost"].sel(component="risk", product="pack", site="s0")
    assert float(risk.min()) == float(risk.max())  # every market, year and scenario
    assert float(risk.max()) == pytest.approx(expected, abs=4 * error)
    reported = float(study.site_risk["standard_error"].sel(product="pack", site="s0"))
    assert reported == pytest.approx(error, rel=0.15)
    # the manifest of the report records the hazard model, the draws and the seed
    study.report(tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    risk_model = manifest["risk_model"]
    assert (risk_model["draws"], risk_model["seed"], risk_model["simulated"]) == (2000, 7, True)
    assert risk_model["hazards"]["natural"]["countries"]["DEU"]["rate_per_year"] == 1.0


def test_no_hazards_no_risk_and_one_simulation_per_study(monkeypatch) -> None:
    import shoring.simulate as simulate

    calls = []
    original = simulate.site_risk

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(simulate, "site_risk", counted)
    study = Study(
        network([150.0, 150.0], [150.0], supplier_country="POL"),
        [load_scenario("baseline")],
        hazards=default_hazards().without_hazards(),
        risk_draws=5,
    )
    costs = study.landed_costs
    assert float(abs(costs["cost"].sel(component="risk")).max()) == 0.0
    assert study.lane_costs["conversion"].notnull().any()
    study.design_data()
    assert len(calls) == 1  # the landed costs, the design's flow costs: one simulation


def test_bad_risk_draws_is_a_clear_error() -> None:
    from shoring.errors import ShoringError

    with pytest.raises(ShoringError, match="risk_draws must be at least 1"):
        Study(network([150.0], [150.0]), [load_scenario("baseline")], risk_draws=0)
