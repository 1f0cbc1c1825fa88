"""Countries table and name conversion."""

from __future__ import annotations

import country_converter as coco
import pytest

from shoring.data.countries import countries, country_name, to_iso3
from shoring.errors import UnknownCountryError


def test_every_un_member_present_with_coordinates() -> None:
    un = set(coco.CountryConverter().data.query("UNmember.notna()")["ISO3"])
    table = countries()
    assert len(un) == 193
    assert un <= set(table.index)
    sub = table.loc[sorted(un)]
    assert sub[["lat", "lon", "area_km2"]].notna().all().all()
    assert sub["lat"].between(-90, 90).all() and sub["lon"].between(-180, 180).all()


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Republic of Korea", "KOR"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Taiwan", "TWN"),
        ("mx", "MEX"),
        ("deu", "DEU"),
        ("NA", "NAM"),
        ("United States of America", "USA"),
    ],
)
def test_names_convert(name: str, iso3: str) -> None:
    assert to_iso3(name) == iso3


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(UnknownCountryError) as info:
        to_iso3("Germny")
    assert "DEU (Germany)" in str(info.value)
    with pytest.raises(UnknownCountryError):
        to_iso3("")


def test_known_facts() -> None:
    table = countries()
    # landlocked economies and capitals, checked against any atlas
    assert table.at["HUN", "landlocked"] and table.at["CZE", "landlocked"]
    assert not table.at["MEX", "landlocked"]
    assert table.at["MEX", "capital"].startswith("Mexico")
    assert table.at["CHN", "region"] == "Asia"
    assert country_name("KOR") == "South Korea"
