"""Measure models, composition and resolution (hand-worked cases)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from pydantic import ValidationError

from shoring.errors import ShoringError
from shoring.scenario import (
    Preference,
    RuleOfOrigin,
    Scenario,
    Tariff,
    compose,
    resolve,
)


def test_parties_accept_names_and_single_codes() -> None:
    t = Tariff(importers="United States", exporters=["Viet Nam", "chn"], start=date(2025, 1, 1))
    assert t.importers == ("USA",)
    assert t.exporters == ("VNM", "CHN")


def test_unknown_country_name_is_rejected_with_suggestion() -> None:
    with pytest.raises(ValidationError, match="unknown country"):
        Tariff(importers="Chinna", start=date(2025, 1, 1))


def test_hs_prefixes_are_validated_and_zero_padded() -> None:
    t = Tariff(importers="USA", hs=["8703", 101, "85.42"], start=date(2025, 1, 1))
    assert t.hs == ("8703", "0101", "8542")
    with pytest.raises(ValidationError, match="2, 4, 6, 8 or 10 digits"):
        Tariff(importers="USA", hs=["870"], start=date(2025, 1, 1))


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="before start"):
        Tariff(importers="USA", start=date(2025, 5, 1), end=date(2025, 4, 1))


def test_extra_field_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Tariff(importers="USA", start=date(2025, 1, 1), rate=0.1)


def test_preference_needs_agreement_or_members() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Preference(rate=0.0)
    assert Preference(members=["USA", "MEX"]).members == ("USA", "MEX")


def test_build_down_rvc() -> None:
    # V = 100, VNM = 40 -> RVC = 60 %; V = 100, VNM = 41 -> 59 %.
    rule = RuleOfOrigin(rvc_threshold=0.60)
    np.testing.assert_allclose(rule.rvc([100.0, 100.0], [40.0, 41.0]), [0.60, 0.59])
    assert rule.met([100.0, 100.0, 0.0], [40.0, 41.0, 0.0]).tolist() == [True, False, False]


def _scn(name: str, measures: list[dict], parents: tuple[str, ...] = ()) -> Scenario:
    return Scenario.model_validate(
        {"name": name, "title": f"Scenario {name}", "measures": measures, "parents": list(parents)}
    )


def test_compose_parents_first_and_override_by_id() -> None:
    base = _scn(
        "base",
        [
            {
                "id": "a",
                "type": "tariff",
                "importers": "USA",
                "ad_valorem": 0.1,
                "start": "2025-01-01",
            },
            {"type": "tariff", "importers": "USA", "ad_valorem": 0.2, "start": "2025-01-01"},
        ],
    )
    child = _scn(
        "child",
        [
            {
                "id": "a",
                "type": "tariff",
                "importers": "USA",
                "ad_valorem": 0.3,
                "start": "2025-01-01",
            }
        ],
        parents=("base",),
    )
    measures, _ = compose(child, {"base": base}.__getitem__)
    assert [m.ad_valorem for m in measures] == [0.2, 0.3]


def test_compose_detects_cycles() -> None:
    a = _scn("a", [], parents=("b",))
    b = _scn("b", [], parents=("a",))
    with pytest.raises(ShoringError, match="cycle"):
        compose(a, {"a": a, "b": b}.__getitem__)


def test_resolve_keeps_measures_in_force_on_the_date() -> None:
    s = _scn(
        "s",
        [
            {
                "type": "tariff",
                "importers": "USA",
                "ad_valorem": 0.1,
                "start": "2025-01-01",
                "end": "2025-03-31",
            },
            {"type": "wage_path", "country": "CHN", "annual_growth": 0.05, "start_year": 2026},
        ],
    )
    assert [m.type for m in resolve(s, date(2025, 3, 31)).measures] == ["tariff"]
    assert resolve(s, date(2025, 4, 1)).measures == ()
    assert [m.type for m in resolve(s, date(2026, 1, 1)).measures] == ["wage_path"]


def test_forward_scenario_needs_assumptions() -> None:
    with pytest.raises(ValidationError, match="assumptions"):
        Scenario(name="x", title="Xyz", kind="forward")


def test_unknown_bloc_in_python_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shoring.scenario.scenario._known_bloc", lambda bloc: bloc == "EU")
    _scn("ok", [{"type": "tariff", "importers": "EU", "start": "2025-01-01"}])
    with pytest.raises(ValidationError, match="unknown country or bloc 'NOWHERE_BLOC'"):
        _scn("s", [{"type": "tariff", "importers": "NOWHERE_BLOC", "start": "2025-01-01"}])
