"""Everything the tool knows about one country, each fact with its source.

Used by ``shoring data show country`` and by reports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shoring.data.cards import data_card
from shoring.data.countries import countries, to_iso3
from shoring.data.distances import distance_km

REFERENCE_MARKETS = ("USA", "DEU", "CHN", "JPN")


def _cite(table: str) -> str:
    source = data_card(table).sources[0]
    return f"{source.name.split(' (')[0]} {source.year}"


def _fact(fact: str, value: Any, source: str) -> dict[str, Any]:
    return {"fact": fact, "value": value, "source": source}


def country_facts(country: str, year: int | None = None) -> dict[str, Any]:
    """Collect the facts about a country from every embedded table.

    Parameters
    ----------
    country : str
        Name or code.
    year : int, optional
        Year for time-varying facts (labour cost, agreements); the latest by default.

    Returns
    -------
    dict
        ``{"iso3", "name", "facts": [{"fact", "value", "source"}, ...]}``.
    """
    iso3 = to_iso3(country)
    row = countries().loc[iso3]
    geo = _cite("countries")
    facts = [
        _fact("ISO3 / ISO2", f"{iso3} / {row['iso2']}", "ISO 3166-1 via country_converter"),
        _fact("region", f"{row['region']} — {row['subregion']}", "country_converter (UN M49)"),
        _fact("UN member", bool(row["un_member"]), "country_converter"),
        _fact("capital", f"{row['capital']} ({row['lat']:.2f}, {row['lon']:.2f})", geo),
        _fact("landlocked", bool(row["landlocked"]), geo),
    ]
    for market in REFERENCE_MARKETS:
        if market != iso3:
            km = distance_km(iso3, market)
            facts.append(_fact(f"distance to {market}", f"{km:,.0f} km", f"great-circle, {geo}"))
    on = dt.date(year, 12, 31) if year else dt.date.today()
    facts += _trade_policy_facts(iso3, on)
    facts += _cost_facts(iso3, year)
    return {"iso3": iso3, "name": str(row["name"]), "facts": facts}


def _trade_policy_facts(iso3: str, on: dt.date) -> list[dict[str, Any]]:
    return []


def _cost_facts(iso3: str, year: int | None) -> list[dict[str, Any]]:
    return []
