"""``shoring data ...`` commands end to end."""

from __future__ import annotations

import json

import pytest

from shoring.cli import main
from shoring.data.cards import data_cards


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_card_is_valid_and_cites_a_url() -> None:
    cards = data_cards()
    assert {"countries", "labour_cost", "lpi", "hazard", "mfn_tariffs"} <= set(cards)
    for card in cards.values():
        assert all(s.url.startswith("http") for s in card.sources)


def test_sources_json_lists_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "data", "sources", "--json")
    assert code == 0
    assert set(json.loads(out)) == set(data_cards())


def test_show_country_facts_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "data", "show", "country", "Viet Nam", "--year", "2021", "--json")
    assert code == 0
    facts = json.loads(out)
    assert facts["iso3"] == "VNM"
    values = " | ".join(str(f["value"]) for f in facts["facts"])
    # EVFTA in force from 2020-08-01, CPTPP for Viet Nam from 2019-01-14
    assert "EU-Vietnam Free Trade Agreement" in values
    assert "Trans-Pacific" in values
    assert all(f["source"] for f in facts["facts"])


def test_show_country_before_an_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "data", "show", "country", "VNM", "--year", "2019", "--json")
    names = [f["value"] for f in json.loads(out)["facts"] if f["fact"].startswith("agreement")]
    assert not any("EU-Vietnam" in n for n in names)
    assert any("Trans-Pacific" in n for n in names)


def test_unknown_country_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "data", "show", "country", "Germny")
    assert code == 2
    assert "DEU (Germany)" in err
    assert "Traceback" not in err


def test_distance_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "data", "distance", "MEX", "USA")
    assert code == 0 and "km" in out
