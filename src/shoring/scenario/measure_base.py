"""Building blocks of the policy measures: party and HS-code parsing, the source
reference, and the base classes of dated and yearly measures (:mod:`shoring.scenario.measures`
defines the measures themselves)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from shoring.errors import UnknownCountryError

ALL = "all"
_BLOC_ID = re.compile(r"^[A-Z][A-Z0-9_\-]{1,19}$")
_HS_PREFIX = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{8}|\d{10})$")


@cache
def _iso3_codes() -> frozenset[str]:
    from shoring.data.countries import countries

    return frozenset(countries().index)


def _party(token: Any) -> str:
    """Normalise one party token: ISO3 code, bloc id, or a country name -> ISO3."""
    if not isinstance(token, str) or not token.strip():
        raise ValueError(f"expected a country code, bloc id or name, got {token!r}")
    text = token.strip()
    if text.lower() == ALL:
        return ALL
    upper = text.upper()
    if upper in _iso3_codes():
        return upper
    if _BLOC_ID.match(text):  # written in capitals: a bloc id, checked by the scenario
        return text
    from shoring.data.countries import to_iso3

    try:
        return to_iso3(text)
    except UnknownCountryError as exc:
        raise ValueError(str(exc)) from None


def _parties(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        tokens = tuple(_party(v) for v in value)
        if ALL in tokens:
            if len(tokens) > 1:
                raise ValueError('"all" cannot be combined with other parties')
            return ALL
        if not tokens:
            raise ValueError("needs at least one country or bloc (or 'all')")
        return tokens
    return value


def _hs(value: Any) -> Any:
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        if value.strip().lower() == ALL:
            return ALL
        value = [value]
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            text = str(item).strip().replace(".", "")
            if isinstance(item, int) and len(text) in (1, 3, 5, 7, 9):
                text = "0" + text  # YAML read 0101 as an int
            if not _HS_PREFIX.match(text):
                raise ValueError(f"HS prefix {item!r} must have 2, 4, 6, 8 or 10 digits")
            out.append(text)
        return tuple(out)
    return value


Parties = Annotated[Literal["all"] | tuple[str, ...], BeforeValidator(_parties)]
"""ISO3 codes / bloc ids, or ``"all"``."""
HsSelection = Annotated[Literal["all"] | tuple[str, ...], BeforeValidator(_hs)]
"""HS prefixes (2, 4 or 6 digits, or national lines of 8 or 10 digits), or ``"all"``."""
HsList = Annotated[tuple[str, ...], BeforeValidator(_hs)]


class SourceRef(BaseModel):
    """A publication a measure or scenario draws on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=3)
    year: int | str
    url: str = Field(min_length=8)


class _Measure(BaseModel, ABC):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(default=None, description="Measures with the same id override.")
    note: str | None = None
    source: SourceRef | None = None

    def party_fields(self) -> dict[str, Any]:
        """Fields that hold parties (for bloc checks), name -> value.

        Returns
        -------
        dict of str to Any
            Field name -> party code(s); empty for measures without parties.
        """
        return {}

    @abstractmethod
    def in_force(self, on: date) -> bool:
        """Whether the measure applies on ``on`` (each measure kind defines its period)."""

    def details(self) -> str:
        """The measure's own parameters as ``key=value`` words, for listings.

        Type, id, note, source and dates are left out (listings show them in their own
        columns); defaults are omitted; a list of more than 8 items is shown as a count.

        Returns
        -------
        str
            E.g. ``"importers=USA exporters=CHN hs=8507 ad_valorem=0.25"``.
        """
        data = self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        parts = []
        for key, value in data.items():
            if key in _DETAIL_SKIP:
                continue
            if isinstance(value, list):
                value = (
                    ",".join(str(v) for v in value) if len(value) <= 8 else f"{len(value)} items"
                )
            parts.append(f"{key}={value}")
        return " ".join(parts)


_DETAIL_SKIP = frozenset(
    {"type", "id", "note", "source", "stacking_source", "start", "end", "start_year", "end_year"}
)
"""Fields :meth:`_Measure.details` leaves out."""


class _Dated(_Measure):
    start: date
    end: date | None = Field(default=None, description="Last day in force (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> _Dated:
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def in_force(self, on: date) -> bool:
        """Whether the measure applies on ``on``."""
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)

    def period(self) -> tuple[date | None, date | None]:
        """First and last day in force (``None`` when open)."""
        return self.start, self.end


class _Yearly(_Measure):
    start_year: int = Field(ge=1900, le=2200)
    end_year: int | None = Field(default=None, ge=1900, le=2200)

    @model_validator(mode="after")
    def _ordered(self) -> _Yearly:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self

    def in_force(self, on: date) -> bool:
        """Whether the measure applies in the year of ``on``."""
        return self.start_year <= on.year and (self.end_year is None or on.year <= self.end_year)

    def period(self) -> tuple[date | None, date | None]:
        """First and last day in force (``None`` when open)."""
        end = date(self.end_year, 12, 31) if self.end_year is not None else None
        return date(self.start_year, 1, 1), end


class Exemptions(BaseModel):
    """Goods a tariff does not apply to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    origin_rule_met: str | None = Field(
        default=None,
        description="Agreement id: goods meeting its rule of origin are exempt (e.g. USMCA).",
    )


ListName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
"""Name of a product list of the embedded table ``tariff_product_lists``."""
MeasureRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-.]*$")]
"""A measure id or a measure family (lower-case slug)."""
