"""Row models of the network's cost tables: transport modes, the user's MFN rates,
per-site production costs, per-lane costs, cost settings and freight quotes (part of
:mod:`shoring.network.schema`, which registers them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shoring.data.tco import FRACTIONS, OVERRIDABLE, Overridable
from shoring.fields import (
    MAX_DAYS,
    Days,
    Fraction,
    finite_number,
    fraction_value,
)
from shoring.network.row_base import (
    _HS_PREFIX,
    Mode,
    Number,
    Text,
    _doc,
    _hs_digits,
    _Row,
)


class ModeRow(_Row):
    """Override of a transport mode's defaults; a blank cell keeps the default."""

    mode: Mode = Field(json_schema_extra=_doc("Transport mode.", None, "ocean, air, rail, truck"))
    cost_usd_per_tonne_km: Number | None = Field(
        None, ge=0, json_schema_extra=_doc("Freight rate.", "USD/(t km)")
    )
    speed_km_per_day: Number | None = Field(
        None, gt=0, json_schema_extra=_doc("Average speed door to door.", "km/day")
    )
    handling_usd_per_tonne: Number | None = Field(
        None, ge=0, json_schema_extra=_doc("Handling at both ends.", "USD/t")
    )
    dwell_days: Number | None = Field(
        None, ge=0, json_schema_extra=_doc("Days waiting at ports/terminals.", "days")
    )
    co2_kg_per_tonne_km: Number | None = Field(
        None, ge=0, json_schema_extra=_doc("Emission factor.", "kg CO2/(t km)")
    )
    lead_time_sd_days: Number | None = Field(
        None,
        ge=0,
        json_schema_extra=_doc(
            "Standard deviation of a lane's lead time by this mode, the basis of the "
            "safety stock (default: transport_modes table).",
            "days",
        ),
    )


class MfnRateRow(_Row):
    """The user's own MFN rate for an importer and HS code; wins over the defaults."""

    importer: Text = Field(
        json_schema_extra=_doc(
            "Importing country (ISO3 code or name), or EU for the EU's common external "
            "tariff (every member).",
            None,
            "ISO3 or EU",
        )
    )
    hs_code: Text = Field(
        json_schema_extra=_doc(
            "HS chapter, heading, subheading or national line the rate applies to (the "
            "longest one matching a product's code wins), as text, dots allowed.",
            allowed="2 to 10 digits",
        )
    )
    rate: Number = Field(
        ge=0,
        le=1,
        json_schema_extra=_doc(
            "MFN ad valorem rate (or ad valorem equivalent) as a fraction.",
            "fraction",
            "0..1",
        ),
    )
    source: str = Field("", json_schema_extra=_doc("Where the rate comes from (ruling, tariff)."))

    @field_validator("hs_code")
    @classmethod
    def _hs_prefix(cls, value: str) -> str:
        return _hs_digits(value, _HS_PREFIX, "2 to 10 digits (dots allowed)")

    @field_validator("importer")
    @classmethod
    def _upper_eu(cls, value: str) -> str:
        return "EU" if value.strip().upper() == "EU" else value


class ProductionCostRow(_Row):
    """A site's variable production cost per unit, for one product or every product."""

    site: Text = Field(json_schema_extra=_doc("Site id."))
    product: Text | None = Field(
        None,
        json_schema_extra=_doc(
            "Product id the cost applies to; blank: every product the site makes (a row "
            "naming the product wins)."
        ),
    )
    usd_per_unit: Number = Field(
        ge=0,
        json_schema_extra=_doc(
            "Variable production cost per unit made at the site, on top of labour and "
            "overhead (energy, consumables, tolling; or a textbook's unit production cost).",
            "USD/unit",
        ),
    )


class LaneCostRow(_Row):
    """A per-unit cost, and optional inventory settings, on a lane from a node to a node."""

    origin: Text = Field(json_schema_extra=_doc("Site or supplier id the goods leave from."))
    destination: Text = Field(
        json_schema_extra=_doc(
            "Market or site id the goods go to (a supplier's goods go to sites). Lanes are "
            "priced per destination place: markets at one location share a lane's cost."
        )
    )
    product: Text | None = Field(
        None,
        json_schema_extra=_doc(
            "Product id; blank: every product on the lane (a row naming it wins)."
        ),
    )
    mode: Mode | None = Field(
        None,
        json_schema_extra=_doc(
            "Applies only while the lane's chosen transport mode is this one; blank: any.",
            None,
            "ocean, air, rail, truck",
        ),
    )
    usd_per_unit: Number | None = Field(
        None,
        ge=0,
        json_schema_extra=_doc(
            "Cost per unit shipped on the lane on top of the engine's freight (handling, "
            "brokerage, a contract's surcharge; or a textbook's unit transport cost).",
            "USD/unit",
        ),
    )
    inventory_carrying_rate: Fraction | None = Field(
        None,
        json_schema_extra=_doc(
            "Carrying rate of the goods on this lane (wins over product and network).",
            "fraction/year",
            "0..1 or 0%..100%",
        ),
    )
    safety_stock_days: Days | None = Field(
        None,
        json_schema_extra=_doc(
            "Safety stock for this lane in days of demand (wins over product and network).",
            "days",
        ),
    )


class CostSettingRow(_Row):
    """A TCO parameter set for the whole network (blank product) or for one product."""

    product: Text | None = Field(
        None, json_schema_extra=_doc("Product id; blank: every product (a product row wins).")
    )
    parameter: Overridable = Field(
        json_schema_extra=_doc(
            "TCO parameter (defaults and sources: data card tco_parameters).",
            None,
            "; ".join(OVERRIDABLE),
        )
    )
    value: Number = Field(
        ge=0,
        json_schema_extra=_doc(
            "The value: rates are fractions (0.01 or '1%'), broker_fee_usd_per_entry USD "
            "per entry, units_per_entry units (> 0), prepayment_days days.",
            "as the parameter",
        ),
    )

    @field_validator("value", mode="before")
    @classmethod
    def _kind(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.data.get("parameter")
        value = fraction_value(value) if name in FRACTIONS else finite_number(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value  # pydantic reports "must be a number"
        if name == "units_per_entry" and number <= 0:
            raise ValueError(f"units_per_entry must be greater than 0, got {number:g}")
        if name == "prepayment_days" and number > MAX_DAYS:
            raise ValueError(f"prepayment_days must be at most {MAX_DAYS:g}, got {number:g}")
        return value


class FreightQuoteRow(_Row):
    """A carrier's quote for a lane: it replaces the default freight of that lane and mode."""

    origin: Text = Field(
        json_schema_extra=_doc("Site or supplier id, or a country (every node in it).")
    )
    destination: Text = Field(
        json_schema_extra=_doc("Site or market id, or a country (every node in it).")
    )
    mode: Mode = Field(json_schema_extra=_doc("Transport mode.", None, "ocean, air, rail, truck"))
    product: Text | None = Field(
        None, json_schema_extra=_doc("Product id the quote is for (blank: every product).")
    )
    usd_per_unit: Number | None = Field(
        None, ge=0, json_schema_extra=_doc("Freight per unit shipped.", "USD/unit")
    )
    usd_per_container: Number | None = Field(
        None,
        gt=0,
        json_schema_extra=_doc(
            "Freight per 40ft container; a unit pays its share by weight or volume, "
            "whichever binds.",
            "USD/FEU",
        ),
    )
    valid_from: date | None = Field(
        None, json_schema_extra=_doc("First day the quote applies (blank: always).", "date")
    )
    valid_to: date | None = Field(
        None, json_schema_extra=_doc("Last day the quote applies (blank: open).", "date")
    )

    @model_validator(mode="after")
    def _one_price(self) -> FreightQuoteRow:
        if (self.usd_per_unit is None) == (self.usd_per_container is None):
            raise ValueError("give exactly one of usd_per_unit and usd_per_container")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self
