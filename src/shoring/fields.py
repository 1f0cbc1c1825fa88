"""Value kinds of every user-facing field: type, unit convention and range, in one place.

Network files (:mod:`shoring.network.schema`), scenario files
(:mod:`shoring.scenario.measures`) and command-line options (:mod:`shoring.cli`) build
their fields from these annotated types, so a value is checked the same way whichever
reader or option it arrives through:

- every number must be finite (``inf``, ``nan`` are refused);
- shares and rates are **fractions** (``0.05`` = 5 %); a number above 1 in such a field
  is refused unless written with a percent sign (``"5%"`` -> 0.05, ``"125%"`` -> 1.25),
  in YAML, Excel, CSV and on the command line alike;
- duties and non-tariff barriers are non-negative (a subsidy is its own measure,
  ``incentive``);
- counts and years are whole numbers within a stated range (no 64-bit overflow);
- coordinates are decimal degrees (WGS84): latitude -90..90, longitude -180..180.

The pydantic types (:data:`Fraction`, :data:`Rate`, ...) are used in models;
:mod:`shoring.cli.options` parses command-line options with the same types.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

MAX_RATE = 10.0
"""Largest duty or barrier accepted (1000 %): anything above is a typing error."""

MAX_QUANTITY = 1e12
"""Largest quantity or amount accepted (units/year, USD): beyond it the optimizer's
arithmetic loses the precision of a unit (double precision, 1e15 ~ 2**50)."""

MAX_WHOLE = 10**12
"""Largest whole number accepted in a count field (no 64-bit overflow downstream)."""

YEAR_MIN, YEAR_MAX = 1900, 2200
"""Range of calendar years accepted anywhere."""

MAX_DAYS = 3650.0
"""Longest stock cover accepted (days): ten years; more is a typing error."""

CostComponent = Literal[
    "materials",
    "labour",
    "overhead",
    "production",
    "packaging",
    "freight",
    "lane",
    "duties",
    "customs_fees",
    "inventory",
    "safety_stock",
    "obsolescence",
    "prepayment",
    "quality",
    "oversight",
    "ip_risk",
    "risk",
    "carbon",
    "incentives",
]
"""Names of the landed-cost components, in waterfall order (the engine's ``component``
dimension; a network's ``meta.exclude_components`` names some of them)."""


def finite_number(value: Any) -> Any:
    """Reject yes/no values, thousands separators, and non-finite numbers.

    Parameters
    ----------
    value : Any
        A raw value from a file or an option; text is stripped.

    Returns
    -------
    Any
        The value, unchanged except for stripped text (pydantic converts it next).

    Raises
    ------
    ValueError
        For ``True``/``False``, ``"1,000"`` or a non-finite number (``inf``, ``nan``).
    """
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if "," in text:
            raise ValueError(f"must be a number without thousands separators, got {value!r}")
        try:
            number = float(text)
        except ValueError:
            return text  # pydantic reports "must be a number"
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, got {value!r}")
        return text
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value!r}")
    return value


def fraction_value(value: Any) -> Any:
    """Read a share or rate: a fraction, or a percentage written with ``%``.

    ``"5%"`` -> 0.05 and ``"125%"`` -> 1.25; a plain number is a fraction and must lie in
    [-1, 1] (``5`` is refused: it would read as 500 %).

    Parameters
    ----------
    value : Any
        Number, or text such as ``"0.05"``, ``"5%"``, ``"5 %"``.

    Returns
    -------
    Any
        The fraction as a float, or the value unchanged when it is not numeric (pydantic
        then reports "must be a number").

    Raises
    ------
    ValueError
        For a plain number above 1 in absolute value, or a non-finite one.
    """
    value = finite_number(value)
    written_percent = isinstance(value, str) and value.endswith("%")
    if written_percent:
        text = value[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"must be a number or a percentage, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, got {value!r}")
        return number / 100.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if abs(number) > 1.0:
        raise ValueError(
            f"must be at most 1 as a fraction (0.05 = 5%), got {number:g}, which would read "
            f"as {number:.0%}: write {number / 100:g} or '{number:g}%'"
        )
    return value


def _no_subsidy(value: float) -> float:
    if value < 0:
        raise ValueError(
            f"must be >= 0, got {value:g}: a duty or barrier cannot be negative "
            "(a subsidy is its own measure: type incentive)"
        )
    return value


Number = Annotated[float, BeforeValidator(finite_number), Field(allow_inf_nan=False)]
"""Any finite number."""

Amount = Annotated[Number, Field(ge=0, le=MAX_QUANTITY)]
"""A non-negative money amount or quantity (USD, units, kg, hours ...), finite."""

PositiveAmount = Annotated[Number, Field(gt=0, le=MAX_QUANTITY)]
"""A strictly positive money amount or quantity, finite."""

Fraction = Annotated[
    float, BeforeValidator(fraction_value), Field(ge=0.0, le=1.0, allow_inf_nan=False)
]
"""A share in [0, 1]: ``0.3`` or ``"30%"``."""

Rate = Annotated[
    float,
    BeforeValidator(fraction_value),
    Field(allow_inf_nan=False, le=MAX_RATE),
    AfterValidator(_no_subsidy),
]
"""A duty or barrier rate, >= 0: ``0.25`` or ``"25%"``; above 100 % only with ``%``."""

GrowthRate = Annotated[
    float, BeforeValidator(fraction_value), Field(ge=-1.0, le=MAX_RATE, allow_inf_nan=False)
]
"""A signed annual change (wages, currency): ``0.02``, ``"-3%"``; at least -100 %."""

Whole = Annotated[int, BeforeValidator(finite_number), Field(ge=0, le=MAX_WHOLE)]
"""A count (jobs, months ...): a non-negative whole number."""

Year = Annotated[int, BeforeValidator(finite_number), Field(ge=YEAR_MIN, le=YEAR_MAX)]
"""A calendar year."""

Days = Annotated[Number, Field(ge=0, le=MAX_DAYS)]
"""A duration in days, 0 to :data:`MAX_DAYS`."""

Latitude = Annotated[Number, Field(ge=-90.0, le=90.0)]
"""A latitude in decimal degrees (WGS84), north positive: -90..90."""

Longitude = Annotated[Number, Field(ge=-180.0, le=180.0)]
"""A longitude in decimal degrees (WGS84), east positive: -180..180."""


# ---------------------------------------------------------------------------------------
# messages


def error_message(error: Any) -> str:
    """Words for one pydantic error, e.g. ``"must be at least 0, got -1.0"``.

    Parameters
    ----------
    error : dict
        One item of :meth:`pydantic.ValidationError.errors`.

    Returns
    -------
    str
        A message a user can act on (no pydantic jargon).
    """
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "missing":
        return "missing required value"
    if kind == "extra_forbidden":
        return "unknown column"
    bounds = {
        "greater_than": ("greater than", "gt"),
        "greater_than_equal": ("at least", "ge"),
        "less_than": ("less than", "lt"),
        "less_than_equal": ("at most", "le"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {ctx.get(key)}, got {got!r}"
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return f"must be a number, got {got!r}"
    if kind in {"int_parsing", "int_type", "int_from_float", "int_parsing_size"}:
        return f"must be a whole number, got {got!r}"
    if kind in {"string_type", "list_type"}:
        return f"must be text, got {got!r}"
    if kind == "string_too_short":
        return "missing required value"
    if kind == "too_short":
        return "must list at least one value"
    if kind in {"literal_error", "enum"}:
        return f"must be one of {ctx.get('expected')}, got {got!r}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return f"{error['msg']}, got {got!r}"
