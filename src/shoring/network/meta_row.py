"""The ``meta`` table of a network file: network-wide settings, one record.

Split from :mod:`shoring.network.schema` (which re-exports :class:`MetaRow`) to keep
that module to one table model per concern; its fields document themselves the same way
(``json_schema_extra``, read by the Excel "Instructions" sheet).
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator, Field

from shoring.fields import CostComponent, Days, Fraction
from shoring.network.row_base import Check, Text, Whole, _doc, _Row, _split_or_none


class MetaRow(_Row):
    """Network-wide settings (one record)."""

    name: Text = Field(json_schema_extra=_doc("Name of the network or study."))
    description: str = Field("", json_schema_extra=_doc("Free text describing the network."))
    currency: Literal["USD"] = Field(
        "USD", json_schema_extra=_doc("Currency of every money column.", allowed="USD")
    )
    base_year: Whole = Field(
        ge=1990,
        le=2100,
        json_schema_extra=_doc("Year the money values are expressed in.", "year"),
    )
    accept: Annotated[list[Check], BeforeValidator(_split_or_none)] = Field(
        default_factory=list,
        json_schema_extra=_doc(
            "Plausibility warnings checked and right for this network (silences them); "
            "';'-separated in Excel/CSV.",
            None,
            "; ".join(get_args(Check)),
        ),
    )
    inventory_carrying_rate: Fraction | None = Field(
        None,
        json_schema_extra=_doc(
            "Annual cost of holding inventory, as a fraction of its value, for the whole "
            "network (default: the cost_parameters table, 25%/year); 0 switches the "
            "in-transit and safety-stock carrying cost off. Products and lanes may override.",
            "fraction/year",
            "0..1 or 0%..100%",
        ),
    )
    safety_stock_days: Days | None = Field(
        None,
        json_schema_extra=_doc(
            "Safety stock held at destination, in days of demand, for every lane of the "
            "network (default: by transport mode, cost_parameters table). Products and "
            "lanes may override.",
            "days",
        ),
    )
    labour_productivity: Literal["equal", "national"] = Field(
        "equal",
        json_schema_extra=_doc(
            "Hours per unit at a site without its own productivity_index: 'equal' (the "
            "product's labour_hours everywhere, as a US plant) or 'national' (divided by "
            "the country's manufacturing value added per person at market exchange rates "
            "relative to the US, GGDC PLD 2023; a national average that mixes industries, "
            "see the labour-productivity data card).",
            None,
            "equal; national",
        ),
    )
    exclude_components: Annotated[list[CostComponent], BeforeValidator(_split_or_none)] = Field(
        default_factory=list,
        json_schema_extra=_doc(
            "Landed-cost components left out of this network's costs (set to 0), e.g. "
            "when the user's own per-lane costs already include freight and duties; "
            "';'-separated in Excel/CSV.",
            None,
            "; ".join(get_args(CostComponent)),
        ),
    )
