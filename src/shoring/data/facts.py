"""Everything the tool knows about one country, each fact with its source.

Used by ``shoring data show country`` and by reports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from shoring.data.agreements import agreements, customs_union_of, members
from shoring.data.cards import data_card
from shoring.data.countries import countries, to_iso3
from shoring.data.distances import distance_km
from shoring.data.risk import hazard_table, lpi_table
from shoring.data.tariffs import mfn_table
from shoring.data.wages import labour_cost_series, labour_cost_table

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
    facts = []
    in_force = [a for a in agreements() if a.in_force(on) and iso3 in members(a.id, on)]
    for agreement in sorted(in_force, key=lambda a: (-a.depth, a.id)):
        facts.append(
            _fact(
                f"agreement in force {on:%Y-%m-%d}",
                f"{agreement.name} ({agreement.kind}, since {agreement.entry_into_force})",
                f"{agreement.source.name} {agreement.source.year}",
            )
        )
    union = customs_union_of(iso3, on)
    mfn = mfn_table()
    economy = union if union in mfn.index else iso3
    if economy in mfn.index:
        row = mfn.loc[economy]
        via = f" (common external tariff of {union})" if economy != iso3 else ""
        year = "year not stated" if pd.isna(row["year"]) else str(int(row["year"]))
        parts = [
            f"{label} {row[col]:.1%}"
            for col, label in (("total", "all products"), ("nonagri", "non-agricultural"))
            if not pd.isna(row[col])
        ]
        facts.append(
            _fact(
                "MFN applied tariff, simple average",
                f"{'; '.join(parts) or 'not stated'} ({year}){via}",
                f"{row['source']}",
            )
        )
    else:
        facts.append(_fact("MFN applied tariff, simple average", "not in the table", "-"))
    return facts


def _cost_facts(iso3: str, year: int | None) -> list[dict[str, Any]]:
    facts = []
    wages = labour_cost_table()
    series = wages[wages["iso3"] == iso3].set_index("year")
    if len(series):
        shown = [y for y in (2000, 2005, 2010, 2015, 2020) if y in series.index]
        last = year if year in series.index else int(series.index.max())
        shown.append(last)
        text = ", ".join(f"{y}: {series.at[y, 'usd_per_hour']:.2f}" for y in sorted(set(shown)))
        facts.append(
            _fact(
                "manufacturing labour cost, USD/hour",
                text,
                f"{series.at[last, 'source']} ({series.at[last, 'method']} {last})",
            )
        )
        facts.append(_fact("labour cost series", labour_cost_series(iso3), "labour_cost card"))
    else:
        facts.append(_fact("manufacturing labour cost, USD/hour", "not in the table", "-"))
    lpi = lpi_table().set_index("iso3")
    if iso3 in lpi.index:
        row = lpi.loc[iso3]
        facts.append(
            _fact(
                "Logistics Performance Index (1-5)", f"{row['lpi']} ({row['year']})", row["source"]
            )
        )
    hazard = hazard_table().set_index("iso3")
    if iso3 in hazard.index:
        row = hazard.loc[iso3]
        facts.append(
            _fact(
                "WorldRiskIndex (exposure x vulnerability)",
                f"{row['world_risk_index']} ({row['year']}; exposure {row['exposure']})",
                row["source"],
            )
        )
    return facts
