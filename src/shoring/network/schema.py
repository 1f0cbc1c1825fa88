"""Schema of a network file: one pydantic row model per table.

These models are the boundary between user files (YAML, Excel, CSV) and the
:class:`~shoring.network.model.Network` tables. Each field carries its description and
unit (``json_schema_extra``), from which the Excel "Instructions" sheet is generated,
so the documentation cannot drift from the checks.

Tables and columns (units are in the column names):

========================  =====================================================
table                     columns
========================  =====================================================
``meta``                  name, description, currency, base_year, accept,
                          inventory_carrying_rate, safety_stock_days,
                          labour_productivity, exclude_components
``products``              id, name, hs_code, unit_value_usd, weight_kg,
                          volume_m3, labour_hours, margin, lost_sale_penalty_usd,
                          kwh_per_unit, overhead_rate,
                          inventory_carrying_rate, safety_stock_days,
                          copper_content_share
``bom``                   parent, component, quantity
``sites``                 id, name, country, city, lat, lon, status, products, capacity_units,
                          fixed_cost_usd, opening_capex_usd, closing_cost_usd,
                          ramp_up_months, automation, productivity,
                          incentive_capex_share, incentive_per_job_usd, jobs,
                          wage_usd_per_hour, prohibited_foreign_entity,
                          productivity_index
``site_capacities``       site, product, capacity_units
``suppliers``             id, name, country, city, lat, lon, component, capacity_units,
                          unit_price_usd, qualification_months
``markets``               id, name, country, city, lat, lon
``demand``                market, product, year, units
``modes``                 mode, cost_usd_per_tonne_km, speed_km_per_day,
                          handling_usd_per_tonne, dwell_days,
                          co2_kg_per_tonne_km, lead_time_sd_days
``mfn_rates``             importer, hs_code, rate, source
``production_costs``      site, product, usd_per_unit
``lane_costs``            origin, destination, product, mode, usd_per_unit,
                          inventory_carrying_rate, safety_stock_days
``cost_settings``         product, parameter, value
``freight_quotes``        origin, destination, mode, product, usd_per_unit,
                          usd_per_container, valid_from, valid_to
========================  =====================================================
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
)

from shoring.fields import (
    MAX_WHOLE,
    Days,
    Fraction,
    Latitude,
    Longitude,
)
from shoring.network.cost_rows import (
    CostSettingRow,
    FreightQuoteRow,
    LaneCostRow,
    MfnRateRow,
    ModeRow,
    ProductionCostRow,
)
from shoring.network.meta_row import MetaRow
from shoring.network.row_base import (
    _HS_CODE,
    Number,
    SiteStatus,
    Text,
    Whole,
    _city_field,
    _doc,
    _hs_digits,
    _known_agreements,
    _lat_field,
    _lon_field,
    _Row,
    _split_list,
    _split_origin,
)


class ProductRow(_Row):
    """A finished good or a component (components are products too)."""

    id: Text = Field(json_schema_extra=_doc("Unique product id, referenced by other sheets."))
    name: Text | None = Field(None, json_schema_extra=_doc("Display name (default: the id)."))
    hs_code: Text = Field(
        json_schema_extra=_doc(
            "Harmonized System subheading (6 digits) or the importer's national tariff "
            "line (HTS8/HTS10, CN8, Japan's 9-digit code) as text, dots allowed (keep "
            "leading zeros). The national line gives the exact MFN rate; with only 6 "
            "digits, several lines of different rates are averaged (and reported).",
            allowed="6 or 8 to 10 digits, e.g. 850760 or 8507.60.00",
        )
    )
    unit_value_usd: Number = Field(
        gt=0,
        json_schema_extra=_doc(
            "Ex-works/FOB value of one unit, used for duties and inventory.", "USD/unit"
        ),
    )
    weight_kg: Number = Field(gt=0, json_schema_extra=_doc("Shipping weight of one unit.", "kg"))
    volume_m3: Number | None = Field(
        None,
        gt=0,
        json_schema_extra=_doc(
            "Shipping volume of one unit, packed; freight is charged on weight or volume, "
            "whichever binds (blank: weight only).",
            "m3/unit",
        ),
    )
    labour_hours: Number = Field(
        0.0,
        ge=0,
        json_schema_extra=_doc(
            "Direct labour to make one unit at US productivity (a site's hours are these "
            "divided by its productivity index).",
            "hours/unit",
        ),
    )
    margin: Fraction = Field(
        0.2,
        json_schema_extra=_doc(
            "Gross margin as a fraction of unit value.", "fraction", "0..1 or 0%..100%"
        ),
    )
    lost_sale_penalty_usd: Number | None = Field(
        None,
        ge=0,
        json_schema_extra=_doc(
            "Cost of one unit of unmet demand (default: unit value x (1 + margin)).",
            "USD/unit",
        ),
    )
    kwh_per_unit: Number | None = Field(
        None,
        ge=0,
        json_schema_extra=_doc(
            "Energy capacity of one unit (battery cells, modules, packs): the basis of "
            "per-kWh incentives such as IRA section 45X.",
            "kWh/unit",
        ),
    )
    overhead_rate: Fraction = Field(
        0.15,
        json_schema_extra=_doc(
            "Overhead as a fraction of materials + labour (default 0.15 is an assumption, "
            "not a published figure).",
            "fraction",
            "0..1 or 0%..100%",
        ),
    )
    inventory_carrying_rate: Fraction | None = Field(
        None,
        json_schema_extra=_doc(
            "Annual inventory carrying cost of this product as a fraction of its value "
            "(default: the network's, else 25%/year); 0 switches it off.",
            "fraction/year",
            "0..1 or 0%..100%",
        ),
    )
    safety_stock_days: Days | None = Field(
        None,
        json_schema_extra=_doc(
            "Safety stock of this product in days of demand (default: the network's, "
            "else by transport mode).",
            "days",
        ),
    )
    copper_content_share: Fraction | None = Field(
        None,
        json_schema_extra=_doc(
            "Value of the copper content as a share of the customs value, as declared to "
            "US customs for the 2025 Section 232 copper duty (charged on the copper "
            "content only, CBP CSMS 65794272); blank: the full value, as CBP assesses "
            "when the content value is not declared.",
            "fraction",
            "0..1 or 0%..100%",
        ),
    )

    @field_validator("hs_code")
    @classmethod
    def _hs_code(cls, value: str) -> str:
        return _hs_digits(value, _HS_CODE, "6 digits or a national line of 8 to 10 digits")


class BomRow(_Row):
    """One line of a bill of materials: units of component per unit of parent."""

    parent: Text = Field(json_schema_extra=_doc("Product id of the assembly."))
    component: Text = Field(json_schema_extra=_doc("Product id of the input."))
    quantity: Number = Field(
        gt=0, json_schema_extra=_doc("Units of component per unit of parent.", "units/unit")
    )


class SiteRow(_Row):
    """A plant, existing or candidate."""

    id: Text = Field(json_schema_extra=_doc("Unique site id."))
    name: Text | None = Field(None, json_schema_extra=_doc("Display name (default: the id)."))
    country: Text = Field(
        json_schema_extra=_doc("Country: ISO3 code or name (converted to ISO3).", None, "ISO3")
    )
    city: Text | None = _city_field()
    lat: Latitude | None = _lat_field()
    lon: Longitude | None = _lon_field()
    status: SiteStatus = Field(
        json_schema_extra=_doc("Existing plant or candidate location.", None, "existing, candidate")
    )
    products: Annotated[list[Text], BeforeValidator(_split_list)] = Field(
        min_length=1,
        json_schema_extra=_doc(
            "Product ids the site can make; ';'-separated in Excel/CSV cells.", None, "a; b"
        ),
    )
    capacity_units: Number = Field(
        gt=0, json_schema_extra=_doc("Total output capacity, all products.", "units/year")
    )
    fixed_cost_usd: Number = Field(
        ge=0, json_schema_extra=_doc("Fixed operating cost while open.", "USD/year")
    )
    opening_capex_usd: Number = Field(
        0.0, ge=0, json_schema_extra=_doc("One-off investment to open the site.", "USD")
    )
    closing_cost_usd: Number = Field(
        0.0, ge=0, json_schema_extra=_doc("One-off cost to close the site.", "USD")
    )
    ramp_up_months: Whole = Field(
        0, ge=0, le=1200, json_schema_extra=_doc("Months from decision to full output.", "months")
    )
    automation: Fraction = Field(
        0.0,
        json_schema_extra=_doc(
            "Share of direct labour removed by automation.", "fraction", "0..1 or 0%..100%"
        ),
    )
    productivity: Number = Field(
        1.0,
        gt=0,
        json_schema_extra=_doc(
            "Labour productivity factor vs the site's productivity index (1: as the index).",
            "factor",
        ),
    )
    incentive_capex_share: Fraction = Field(
        0.0,
        json_schema_extra=_doc(
            "Share of opening capex paid by public incentives.", "fraction", "0..1 or 0%..100%"
        ),
    )
    incentive_per_job_usd: Number = Field(
        0.0, ge=0, json_schema_extra=_doc("Public incentive per job created.", "USD/job")
    )
    jobs: Whole = Field(
        0, ge=0, le=MAX_WHOLE, json_schema_extra=_doc("Jobs at full output.", "jobs")
    )
    wage_usd_per_hour: Number | None = Field(
        None,
        gt=0,
        json_schema_extra=_doc(
            "Labour cost per hour at this site, wages plus employer charges, every year "
            "(default: the country's manufacturing figure from the labour-cost table); "
            "scenario wage paths still apply.",
            "USD/hour",
        ),
    )
    prohibited_foreign_entity: bool = Field(
        False,
        json_schema_extra=_doc(
            "The site's owner is a prohibited foreign entity (specified or foreign-"
            "influenced entity, 26 U.S.C. 7701(a)(51) as added in 2025): incentives that "
            "exclude such entities (45X, 48D from 2026) do not apply.",
            None,
            "true, false",
        ),
    )
    productivity_index: Number | None = Field(
        None,
        gt=0,
        json_schema_extra=_doc(
            "Output per hour at this site relative to a US plant making the same product "
            "= 1; labour is divided by it (default: 1, or with meta.labour_productivity "
            "'national' the country's manufacturing value added per person at market "
            "exchange rates relative to the US for the year, GGDC PLD 2023, see the "
            "labour-productivity data card; then required where the table has no figure).",
            "index, USA = 1",
        ),
    )


class SiteCapacityRow(_Row):
    """Optional per-product capacity of a site."""

    site: Text = Field(json_schema_extra=_doc("Site id."))
    product: Text = Field(json_schema_extra=_doc("Product id the site can make."))
    capacity_units: Number = Field(
        gt=0, json_schema_extra=_doc("Capacity for this product.", "units/year")
    )


class SupplierRow(_Row):
    """An outside supplier of one component."""

    id: Text = Field(json_schema_extra=_doc("Unique supplier id."))
    name: Text | None = Field(None, json_schema_extra=_doc("Display name (default: the id)."))
    country: Text = Field(
        json_schema_extra=_doc("Country: ISO3 code or name (converted to ISO3).", None, "ISO3")
    )
    city: Text | None = _city_field()
    lat: Latitude | None = _lat_field()
    lon: Longitude | None = _lon_field()
    component: Text = Field(json_schema_extra=_doc("Product id supplied."))
    capacity_units: Number = Field(
        gt=0, json_schema_extra=_doc("Units the supplier can deliver per year.", "units/year")
    )
    unit_price_usd: Number = Field(
        gt=0, json_schema_extra=_doc("Ex-works price per unit.", "USD/unit")
    )
    qualification_months: Number = Field(
        0.0,
        ge=0,
        json_schema_extra=_doc("Months to qualify before first delivery (0: qualified).", "months"),
    )
    originating: Annotated[
        list[Text] | None, BeforeValidator(_split_origin), AfterValidator(_known_agreements)
    ] = Field(
        None,
        json_schema_extra=_doc(
            "Agreements under which the supplier certifies its goods as originating, "
            "';'-separated, or 'none'. Blank: presumed originating under the agreements of "
            "its country (the supplier's declaration assumed; results flag it).",
            None,
            "USMCA; CPTPP | none",
        ),
    )


class MarketRow(_Row):
    """A place where demand arises."""

    id: Text = Field(json_schema_extra=_doc("Unique market id."))
    name: Text | None = Field(None, json_schema_extra=_doc("Display name (default: the id)."))
    country: Text = Field(
        json_schema_extra=_doc("Country: ISO3 code or name (converted to ISO3).", None, "ISO3")
    )
    city: Text | None = _city_field()
    lat: Latitude | None = _lat_field()
    lon: Longitude | None = _lon_field()


class DemandRow(_Row):
    """Demand of one product in one market and year (long format)."""

    market: Text = Field(json_schema_extra=_doc("Market id."))
    product: Text = Field(json_schema_extra=_doc("Product id."))
    year: Whole = Field(ge=1900, le=2200, json_schema_extra=_doc("Calendar year.", "year"))
    units: Number = Field(ge=0, json_schema_extra=_doc("Units demanded in the year.", "units/year"))


ROW_MODELS: dict[str, type[_Row]] = {
    "meta": MetaRow,
    "products": ProductRow,
    "bom": BomRow,
    "sites": SiteRow,
    "site_capacities": SiteCapacityRow,
    "suppliers": SupplierRow,
    "markets": MarketRow,
    "demand": DemandRow,
    "modes": ModeRow,
    "mfn_rates": MfnRateRow,
    "production_costs": ProductionCostRow,
    "lane_costs": LaneCostRow,
    "cost_settings": CostSettingRow,
    "freight_quotes": FreightQuoteRow,
}
"""Row model of every table, in file order."""

TABLES: tuple[str, ...] = tuple(ROW_MODELS)
"""Table names in the order files list them."""

REQUIRED_TABLES: frozenset[str] = frozenset({"meta", "products", "sites", "markets", "demand"})
"""Tables a network file must have; the others may be absent or empty."""

TABLE_DESCRIPTIONS: dict[str, str] = {
    "meta": "Network-wide settings, one key/value pair per row.",
    "products": "Finished goods and components (components are products too).",
    "bom": "Bill of materials: units of component per unit of parent; multi-tier, acyclic.",
    "sites": "Plants, existing or candidate, with the products each can make.",
    "site_capacities": "Optional per-product capacity caps of a site.",
    "suppliers": "Outside suppliers, one component each.",
    "markets": "Places where demand arises.",
    "demand": "Units demanded per market, product and year (one row each).",
    "modes": "Optional overrides of transport-mode defaults; blank cells keep the default.",
    "mfn_rates": "Optional own MFN rates per importer and HS code; they win over the defaults.",
    "production_costs": "Optional variable production cost per unit of a site (per product).",
    "lane_costs": "Optional per-unit cost and inventory settings of lanes (site or supplier "
    "to market or site).",
    "cost_settings": "Optional TCO parameters for the network or a product (packaging, broker "
    "fee, units per entry, prepayment, quality, oversight, IP risk, obsolescence).",
    "freight_quotes": "Optional carrier quotes per lane (per unit or per 40ft container, "
    "dated); they replace the default freight of their lane and mode.",
}

ID_FIELD: dict[str, str] = {
    "products": "id",
    "sites": "id",
    "suppliers": "id",
    "markets": "id",
    "modes": "mode",
}
"""Tables whose rows have a unique id, and the id column."""

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "bom": ("parent", "component"),
    "site_capacities": ("site", "product"),
    "demand": ("market", "product", "year"),
    "mfn_rates": ("importer", "hs_code"),
    "production_costs": ("site", "product"),
    "lane_costs": ("origin", "destination", "product", "mode"),
    "cost_settings": ("product", "parameter"),
}
"""Link tables and the columns that must be unique together."""

INDEX_NAMES: dict[str, str] = {
    "products": "product",
    "sites": "site",
    "suppliers": "supplier",
    "markets": "market",
    "modes": "mode",
}
"""Index name of each entity table in a :class:`Network` (singular of the table)."""


def columns(table: str) -> tuple[str, ...]:
    """Column names of a table as written in files.

    Parameters
    ----------
    table : str
        ``meta`` or a table name (a key of :data:`ROW_MODELS`).

    Returns
    -------
    tuple of str
        In the row model's field order.

    Raises
    ------
    KeyError
        For an unknown table.
    """
    return tuple(ROW_MODELS[table].model_fields)


def required_columns(table: str) -> tuple[str, ...]:
    """Columns that must be present (no default).

    Parameters
    ----------
    table : str
        ``meta`` or a table name (a key of :data:`ROW_MODELS`).

    Returns
    -------
    tuple of str
        Required columns, in field order.

    Raises
    ------
    KeyError
        For an unknown table.
    """
    return tuple(n for n, f in ROW_MODELS[table].model_fields.items() if f.is_required())


def column_doc(table: str, column: str) -> dict[str, Any]:
    """Description, unit, allowed values, default and requiredness of one column.

    Parameters
    ----------
    table : str
        ``meta`` or a table name (a key of :data:`ROW_MODELS`).
    column : str
        Column name.

    Returns
    -------
    dict of str to Any
        ``description``, ``unit`` and ``allowed`` (None when not set), ``required``
        (bool) and ``default`` (None for a required column).

    Raises
    ------
    KeyError
        For an unknown table or column.
    """
    info = ROW_MODELS[table].model_fields[column]
    extra = dict(info.json_schema_extra or {})  # type: ignore[arg-type]
    extra["required"] = info.is_required()
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    extra["default"] = "; ".join(default) or None if isinstance(default, list) else default
    return extra


def _is_numeric(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_numeric(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_numeric(a) for a in get_args(annotation) if a is not type(None))
    return annotation in (int, float)


def numeric_columns(table: str) -> frozenset[str]:
    """Columns holding numbers (read as numbers from YAML; text elsewhere).

    Parameters
    ----------
    table : str
        ``meta`` or a table name (a key of :data:`ROW_MODELS`).

    Returns
    -------
    frozenset of str
        Columns typed int or float (optionally None).

    Raises
    ------
    KeyError
        For an unknown table.
    """
    fields = ROW_MODELS[table].model_fields
    return frozenset(n for n, f in fields.items() if _is_numeric(f.annotation))
