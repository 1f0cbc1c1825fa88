"""Logistics Performance Index and WorldRiskIndex: loaders, embedded tables, API."""

from __future__ import annotations

import pytest

from conftest import REQUIRED_ECONOMIES
from shoring.data.risk import (
    MissingIndexError,
    hazard_index,
    hazard_table,
    load_lpi_2023,
    load_lpi_history,
    load_worldriskindex,
    lpi,
    lpi_table,
)
from shoring.errors import ShoringError, ShoringInputError

REQUIRED = REQUIRED_ECONOMIES


@pytest.fixture(scope="module")
def lpi23(shared_data):
    return load_lpi_2023(shared_data / "risk" / "lpi_2023.csv")


@pytest.fixture(scope="module")
def lpi_hist(shared_data):
    return load_lpi_history(shared_data / "risk" / "lpi_2010_2016.csv")


@pytest.fixture(scope="module")
def wri(shared_data):
    return load_worldriskindex(shared_data / "risk" / "worldriskindex_2016_2020.csv")


def test_lpi_2023_published_scores(lpi23):
    # World Bank LPI 2023: Singapore 4.3 (1st), Finland 4.2 (2nd); Denmark, Germany,
    # Netherlands, Switzerland 4.1; Austria, Belgium, Canada, Hong Kong 4.0; Indonesia 3.0.
    s = lpi23.set_index("iso3")["lpi"]
    assert s["SGP"] == 4.3 and s["FIN"] == 4.2
    assert [s[c] for c in ("DNK", "DEU", "NLD", "CHE")] == [4.1] * 4
    assert [s[c] for c in ("AUT", "BEL", "CAN", "HKG")] == [4.0] * 4
    assert s["IDN"] == 3.0
    assert lpi23.iloc[0]["iso3"] == "SGP" and lpi23.iloc[0]["lpi_rank"] == 1
    assert len(lpi23) == 139 and not lpi23["iso3"].duplicated().any()
    assert "TUR" in set(lpi23["iso3"])  # mis-encoded "TC<rkiye" repaired
    assert "MAR" not in set(lpi23["iso3"])
    assert lpi23[["customs", "timeliness"]].notna().all().all()


def test_lpi_history(lpi_hist):
    assert set(lpi_hist["year"]) == {2010, 2012, 2014, 2016}
    top2010 = lpi_hist[(lpi_hist["year"] == 2010) & (lpi_hist["lpi_rank"] == 1)]
    assert top2010["iso3"].tolist() == ["DEU"] and top2010["lpi"].tolist() == [4.11]
    assert "ROU" in set(lpi_hist["iso3"]) and "ROM" not in set(lpi_hist["iso3"])
    assert not lpi_hist.duplicated(["iso3", "year"]).any()


def test_embedded_lpi_equals_loader_rows(lpi23, lpi_hist):
    emb = lpi_table().set_index("iso3")
    for row in lpi23.itertuples():
        assert emb.at[row.iso3, "year"] == 2023
        assert emb.at[row.iso3, "lpi"] == row.lpi
    older = emb[emb["year"] < 2023]
    hist = lpi_hist.set_index(["iso3", "year"])["lpi"]
    for iso3, r in older.iterrows():
        assert hist[(iso3, r["year"])] == r["lpi"]
        later = lpi_hist[(lpi_hist["iso3"] == iso3) & (lpi_hist["year"] > r["year"])]
        assert later.empty  # the latest edition was taken
    assert emb["url"].str.startswith("http").all()


def test_lpi_api():
    assert lpi("SGP") == 4.3
    assert lpi("MAR") == 2.67  # not in 2023: latest is the 2016 edition
    for code in REQUIRED:
        assert 1 <= lpi(code) <= 5
    with pytest.raises(MissingIndexError, match="default") as info:
        lpi("XKX")
    assert isinstance(info.value, ShoringError)
    assert lpi("XKX", default=2.5) == 2.5


def test_worldriskindex_published_ranking(wri):
    w20 = wri[wri["year"] == 2020].sort_values("world_risk_index", ascending=False)
    # WorldRiskReport 2020: Vanuatu 1st, Tonga 2nd, Qatar last (very low risk).
    assert w20["iso3"].tolist()[:2] == ["VUT", "TON"]
    assert w20["iso3"].tolist()[-1] == "QAT"
    assert w20.iloc[0]["world_risk_index"] == 49.74
    # WorldRiskReport 2016: Vanuatu, Tonga, Philippines, Guatemala, Bangladesh top five.
    w16 = wri[wri["year"] == 2016].sort_values("world_risk_index", ascending=False)
    assert w16["iso3"].tolist()[:5] == ["VUT", "TON", "PHL", "GTM", "BGD"]
    assert w16["iso3"].tolist()[-1] == "QAT"


def test_worldriskindex_long_layout(wri):
    assert set(wri["year"]) == {2016, 2017, 2018, 2019, 2020}
    assert not wri.duplicated(["iso3", "year"]).any()
    w20 = wri[wri["year"] == 2020]
    assert w20["exposure"].notna().all() and w20["vulnerability"].notna().all()
    assert wri.loc[wri["year"] < 2020, "exposure"].isna().all()
    # index = exposure x vulnerability (percent): Philippines 42.30% x 49.55% = 20.96%
    phl = w20.set_index("iso3").loc["PHL"]
    assert phl["world_risk_index"] == pytest.approx(
        phl["exposure"] * phl["vulnerability"] / 100, abs=0.01
    )


def test_embedded_hazard_equals_loader_rows(wri):
    emb = hazard_table().set_index("iso3")
    w20 = wri[wri["year"] == 2020].set_index("iso3")
    assert set(emb.index) == set(w20.index)
    for col in ("world_risk_index", "exposure", "vulnerability"):
        assert (emb[col] == w20.loc[emb.index, col]).all(), col


def test_hazard_api():
    assert hazard_index("VUT") == 49.74
    assert hazard_index("PHL") > hazard_index("DEU")
    for code in REQUIRED:
        if code != "TWN":
            assert 0 < hazard_index(code) < 100
    with pytest.raises(MissingIndexError, match="TWN"):
        hazard_index("TWN")
    assert hazard_index("TWN", default=5.0) == 5.0


def test_loader_reports_missing_columns(tmp_path):
    bad = tmp_path / "lpi.csv"
    bad.write_text("Economy,LPI Score\nSingapore,4.3\n", encoding="utf-8")
    with pytest.raises(ShoringInputError, match=r"lpi\.csv:Customs Score"):
        load_lpi_2023(bad)
    unk = tmp_path / "lpi2.csv"
    cols = (
        "Economy,LPI Score,LPI Grouped Rank,Customs Score,Infrastructure Score,"
        "International Shipments Score,Logistics Competence and Quality Score,"
        "Timeliness Score,Tracking and Tracing Score"
    )
    unk.write_text(cols + "\nAtlantis,3,1,3,3,3,3,3,3\n", encoding="utf-8")
    with pytest.raises(ShoringInputError, match=r"lpi2\.csv:2:Economy: unknown country"):
        load_lpi_2023(unk)
