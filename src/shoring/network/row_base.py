"""Building blocks of the network schema's row models: the enums, the parsers of list
and text cells, the documented field helpers and the base row (:mod:`shoring.network.schema`)."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from shoring.fields import (
    MAX_QUANTITY,
    finite_number,
)

# ---------------------------------------------------------------------------------------
# enums


class SiteStatus(StrEnum):
    """Whether a site exists today or is a candidate location."""

    EXISTING = "existing"
    CANDIDATE = "candidate"


class Mode(StrEnum):
    """Transport mode of a lane."""

    OCEAN = "ocean"
    AIR = "air"
    RAIL = "rail"
    TRUCK = "truck"


# ---------------------------------------------------------------------------------------
# scalar types


def _to_text(value: Any) -> Any:
    """Numbers typed into a text cell (Excel, YAML) become text: 123.0 -> "123"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _split_list(value: Any) -> Any:
    """``"a; b"`` -> ``["a", "b"]``; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, tuple):
        return list(value)
    return value


def _split_or_none(value: Any) -> Any:
    """As :func:`_split_list`, with ``"none"`` (how writers spell an empty list) -> ``[]``."""
    if isinstance(value, str) and value.strip().lower() == "none":
        return []
    return _split_list(value)


def _split_origin(value: Any) -> Any:
    """``"none"`` -> ``[]`` (declared non-originating); blank -> None; else as a list."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and value.strip().lower() in ("none", "[]"):
        return []
    if isinstance(value, str) and not value.strip():
        return None
    return _split_list(value)


def _known_agreements(value: list[str] | None) -> list[str] | None:
    """Agreement ids must be in the agreements table."""
    if value:
        from shoring.data.agreements import agreements

        known = {a.id for a in agreements()}
        unknown = [v for v in value if v not in known]
        if unknown:
            names = ", ".join(map(repr, unknown))
            raise ValueError(f"unknown agreement {names}; known: {', '.join(sorted(known))}")
    return value


Text = Annotated[str, BeforeValidator(_to_text), Field(min_length=1)]
Number = Annotated[
    float, BeforeValidator(finite_number), Field(allow_inf_nan=False, le=MAX_QUANTITY)
]
"""A finite number up to :data:`~shoring.fields.MAX_QUANTITY`; fields set their sign."""
Whole = Annotated[int, BeforeValidator(finite_number)]
"""A whole number; fields set its range."""


def _doc(description: str, unit: str | None = None, allowed: str | None = None) -> dict:
    return {"description": description, "unit": unit, "allowed": allowed}


def _city_field() -> Any:
    return Field(
        None,
        json_schema_extra=_doc(
            "City, resolved offline (GeoNames, 15,000+ inhabitants) in the row's country; "
            "blank with blank lat/lon: the country's capital."
        ),
    )


def _lat_field() -> Any:
    return Field(
        None,
        json_schema_extra=_doc(
            "Latitude of the location (with lon; wins over city).", "degrees", "-90..90"
        ),
    )


def _lon_field() -> Any:
    return Field(
        None,
        json_schema_extra=_doc("Longitude of the location (with lat).", "degrees", "-180..180"),
    )


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------
# tables


Check = Literal[
    "value_per_kg",
    "heavy_unit",
    "labour_hours",
    "small_capacity",
    "months_as_days",
    "site_wage",
    "site_productivity",
    "year_outside_data",
    "demand_gap",
]
"""Names of the plausibility warnings a network can accept (see
:func:`shoring.network.checks.plausibility`)."""


_HS_CODE = re.compile(r"^(\d{6}|\d{8,10})$")
_HS_PREFIX = re.compile(r"^\d{2,10}$")


def _hs_digits(value: str, pattern: re.Pattern, what: str) -> str:
    """An HS code with dots and spaces removed, checked against ``pattern``."""
    digits = re.sub(r"[.\s]", "", value)
    if not pattern.match(digits):
        hint = ""
        if digits.isdigit() and len(digits) % 2 == 1:
            hint = " (a lost leading zero? write it as text, e.g. '0" + value + "')"
        raise ValueError(f"HS code must be {what}, got {value!r}{hint}")
    return digits
