"""Trade agreements: hand-checked dates from the agreements' official pages."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from shoring.data.agreements import (
    UnknownAgreementError,
    agreement,
    agreements,
    customs_union_of,
    members,
    preference,
    preference_matrix,
    preferences,
)
from shoring.data.cards import data_card
from shoring.data.countries import countries
from shoring.errors import ShoringError


def _id(a, b, on):
    found = preference(a, b, on)
    return None if found is None else found.id


def test_table_loads_with_card_and_known_codes():
    table = agreements()
    assert len(table) >= 30
    assert data_card("agreements").table == "agreements.yaml"
    known = set(countries().index)
    for agr in table:
        assert agr.source.url.startswith("http")
        for p in agr.parties:
            assert (p.iso3 is None) != (p.bloc is None)
            if p.iso3 is not None:
                assert p.iso3 in known, (agr.id, p.iso3)


def test_nafta_then_usmca():
    assert _id("MEX", "USA", date(2019, 6, 1)) == "NAFTA"
    assert _id("USA", "MEX", date(2020, 6, 30)) == "NAFTA"
    assert _id("MEX", "USA", date(2020, 7, 1)) == "USMCA"
    assert _id("MEX", "USA", date(2021, 1, 1)) == "USMCA"
    assert _id("CAN", "MEX", date(1993, 12, 31)) is None


def test_evfta_starts_2020_08_01():
    assert _id("VNM", "DEU", date(2020, 7, 31)) is None
    assert _id("VNM", "DEU", date(2020, 8, 1)) == "EVFTA"
    # a later EU member joins the EU's agreements: Croatia and Viet Nam from 2020
    assert _id("HRV", "VNM", date(2021, 1, 1)) == "EVFTA"


def test_brexit_sequence():
    assert _id("GBR", "FRA", date(2019, 12, 31)) == "EU"
    # transition: out of the EU, still in its customs union
    assert _id("GBR", "FRA", date(2020, 6, 1)) == "EU_CU"
    assert _id("GBR", "FRA", date(2021, 6, 1)) == "EU-GBR-TCA"
    assert "GBR" in members("EU", date(2020, 1, 31))
    assert "GBR" not in members("EU", date(2020, 2, 1))
    # the UK stayed covered by the EU's agreements until the end of the transition
    assert _id("GBR", "JPN", date(2020, 6, 1)) == "EU-JPN"
    assert _id("GBR", "JPN", date(2021, 1, 1)) == "GBR-JPN"


def test_no_preference_between_china_and_us():
    for day in (date(2005, 1, 1), date(2019, 1, 1), date(2025, 1, 1)):
        assert preferences("CHN", "USA", day) == []


def test_japan_vietnam_cptpp_then_rcep():
    assert "CPTPP" not in [a.id for a in preferences("JPN", "VNM", date(2019, 1, 13))]
    on_cptpp = [a.id for a in preferences("JPN", "VNM", date(2019, 1, 14))]
    assert "CPTPP" in on_cptpp and "RCEP" not in on_cptpp
    assert {"CPTPP", "RCEP"} <= {a.id for a in preferences("VNM", "JPN", date(2022, 1, 1))}


def test_croatia_joins_eu_2013_07_01():
    assert "HRV" not in members("EU", date(2013, 6, 30))
    assert "HRV" in members("EU", date(2013, 7, 1))
    assert _id("HRV", "DEU", date(2013, 6, 30)) is None
    assert _id("HRV", "DEU", date(2013, 7, 1)) == "EU"
    assert len(members("EU", date(2013, 7, 1))) == 28
    assert len(members("EU", date(2024, 1, 1))) == 27


def test_korea_rcep_from_february_2022():
    assert "KOR" not in members("RCEP", date(2022, 1, 1))
    assert "KOR" in members("RCEP", date(2022, 2, 1))
    assert "RCEP" not in [a.id for a in preferences("KOR", "JPN", date(2022, 1, 31))]
    assert "RCEP" in [a.id for a in preferences("KOR", "JPN", date(2022, 2, 1))]


def test_uk_joins_cptpp_2024_12_15():
    assert "GBR" not in members("CPTPP", date(2024, 12, 14))
    assert "GBR" in members("CPTPP", date(2024, 12, 15))


def test_bilateral_bloc_agreement_does_not_cover_intra_bloc_pairs():
    # DEU-FRA is preferential under the EU, not under EU-Japan
    ids = [a.id for a in preferences("DEU", "FRA", date(2020, 1, 1))]
    assert "EU-JPN" not in ids and ids[0] == "EU"
    assert "JPN" not in members("EU", date(2020, 1, 1))
    assert {"DEU", "JPN"} <= members("EU-JPN", date(2020, 1, 1))
    assert members("EU-JPN", date(2019, 1, 31)) == frozenset()


def test_deepest_first_and_symmetric():
    ids = [a.id for a in preferences("TUR", "DEU", date(2020, 1, 1))]
    assert ids == ["EU-TUR"]
    assert agreement("EU-TUR").kind == "customs_union"
    day = date(2023, 6, 1)
    for a, b in [("MEX", "JPN"), ("USA", "KOR"), ("MAR", "USA"), ("CRI", "USA")]:
        assert [x.id for x in preferences(a, b, day)] == [x.id for x in preferences(b, a, day)]
    depths = [x.depth for x in preferences("FRA", "GBR", date(2019, 6, 1))]
    assert depths == sorted(depths)


def test_cafta_dr_per_party_dates():
    assert _id("CRI", "USA", date(2008, 12, 31)) is None
    assert _id("CRI", "USA", date(2009, 1, 1)) == "CAFTA-DR"
    assert _id("SLV", "USA", date(2006, 3, 1)) == "CAFTA-DR"


def test_customs_union_of():
    assert customs_union_of("DEU", date(2024, 1, 1)) == "EU"
    assert customs_union_of("GBR", date(2020, 12, 31)) == "EU"
    assert customs_union_of("GBR", date(2021, 1, 1)) is None
    assert customs_union_of("POL", date(2004, 4, 30)) is None
    assert customs_union_of("POL", date(2004, 5, 1)) == "EU"
    assert customs_union_of("TUR", date(2024, 1, 1)) is None
    assert customs_union_of("USA", date(2024, 1, 1)) is None


def test_unknown_agreement_is_a_clear_error():
    with pytest.raises(UnknownAgreementError, match="NOPE"):
        members("NOPE", date(2020, 1, 1))
    assert issubclass(UnknownAgreementError, ShoringError)


def test_preference_matrix_matches_scalar_path():
    codes = ["USA", "MEX", "CAN", "CHN", "VNM", "JPN", "DEU", "FRA", "GBR", "HRV", "KOR", "TUR"]
    for day in (date(2013, 6, 30), date(2020, 6, 1), date(2022, 1, 15), date(2025, 1, 1)):
        mat = preference_matrix(codes, day)
        assert mat.dims == ("exporter", "importer")
        expected = np.array([[preference(a, b, day) is not None for b in codes] for a in codes])
        np.testing.assert_array_equal(mat.values, expected)
    mat = preference_matrix(codes, date(2021, 1, 1))
    assert bool(mat.sel(exporter="MEX", importer="USA"))
    assert not bool(mat.sel(exporter="CHN", importer="USA"))
    assert not bool(mat.sel(exporter="USA", importer="USA"))


def test_preference_matrix_scales_to_all_countries():
    codes = list(countries().index)
    mat = preference_matrix(codes, date(2024, 1, 1))
    assert mat.shape == (len(codes), len(codes))
    assert (mat.values == mat.values.T).all()
    eu = sorted(members("EU", date(2024, 1, 1)))
    assert mat.sel(exporter=eu, importer=eu).values.sum() == 27 * 26


def test_origin_rules_cited_values():
    usmca = agreement("USMCA").origin_rule
    assert usmca is not None
    # HTSUS General Note 11: RVC not less than 60% (transaction value) / 50% (net cost)
    assert usmca.rvc_threshold == pytest.approx(0.60)
    assert usmca.method == "build_down"
    assert usmca.value_basis == "transaction_value"
    assert "75%" in usmca.note and "50%" in usmca.note
    assert usmca.source.url.startswith("http")
    # RCEP Annex 3A: RVC40
    rcep = agreement("RCEP").origin_rule
    assert rcep is not None and rcep.rvc_threshold == pytest.approx(0.40)
    assert rcep.threshold == rcep.rvc_threshold


def test_free_circulation_needs_no_origin_rule():
    for agreement_id in ("EU", "EU_CU", "EU-TUR", "MERCOSUR"):
        agr = agreement(agreement_id)
        assert agr.free_circulation and agr.origin_rule is None
    assert not agreement("USMCA").free_circulation
    # every cited rule is a fraction with a source
    for agr in agreements():
        if agr.origin_rule is not None:
            assert 0 < agr.origin_rule.rvc_threshold < 1
            assert agr.origin_rule.method in ("build_down", "build_up", "max_nom")
            assert not agr.free_circulation


def test_origin_rule_threshold_must_be_a_fraction():
    from shoring.data.agreements import AgreementSource, OriginRule

    src = AgreementSource(name="x", year=2020, url="https://example.org")
    with pytest.raises(ValueError):
        OriginRule("build_down", 60.0, "fob", "", src)


def test_agreement_matrix_matches_scalar_preference() -> None:
    from shoring.data.agreements import agreement_matrix, preference

    codes = ["USA", "MEX", "CAN", "DEU", "FRA", "VNM", "JPN", "CHN", "GBR", "KOR", "POL", "TUR"]
    for on in (date(2019, 6, 1), date(2020, 9, 1), date(2022, 3, 1)):
        ids = agreement_matrix(codes, on)
        for a in codes:
            for b in codes:
                best = preference(a, b, on) if a != b else None
                expected = best.id if best else ""
                assert ids.sel(exporter=a, importer=b).item() == expected, (a, b, on)
