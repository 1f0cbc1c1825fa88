"""Policy measures: pydantic models of the dated measures a scenario is made of.

Every measure is a frozen pydantic model with ``extra="forbid"``; the ``type`` field
selects the model (a discriminated union, :data:`Measure`). Ad valorem rates are
fractions (``0.25`` is 25 %), money is USD, dates are :class:`datetime.date` and an
``end`` date is inclusive.

Parties (importers, exporters, countries, jurisdictions) are ISO3 codes, bloc ids
(``"EU"``, ``"USMCA"``, or a bloc the scenario defines under ``blocs``) or ``"all"``.
Country names are accepted and converted to ISO3 (``"Viet Nam"`` -> ``"VNM"``);
a single code may be written without a list. HS selections are lists of 2-, 4- or
6-digit prefixes (8 or 10 digits for a national tariff line), or ``"all"``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from shoring.errors import UnknownCountryError
from shoring.fields import Amount, Fraction, GrowthRate, Rate

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


class Tariff(_Dated):
    """An ad valorem and/or specific duty on selected lanes and goods.

    ``stacking`` says how it combines with the MFN or preferential rate: ``add`` is
    charged on top, ``replace`` replaces it (the highest replacement wins), ``max``
    sets a floor on the total, MFN included (the rate charged is at least
    ``ad_valorem``: the "all-in" deal rates of 2025).

    The goods are the HS prefixes in ``hs`` and, when ``hs_lists`` names product lists
    of the embedded table ``tariff_product_lists`` (e.g. ``"us301-list3"``), only the
    goods on one of those lists. A 6-digit code of which only some national lines are
    listed is covered in the share of its lines (see
    :func:`shoring.scenario.schedules.list_coverage`). Goods on the ``exempt_lists``
    are exempt (e.g. Annex II of the 2025 reciprocal tariffs).

    ``excluded_by`` names measure ids or families: where one of them applies to the same
    goods and lane on the same day, this measure does not (e.g. the 2025 IEEPA duties
    do not apply to goods under Section 232). ``stacking_source`` cites the legal text
    of that rule; measures that stack by default (``add``) need no citation.

    ``charged_on`` is the part of the customs value the ad valorem rate is charged on:
    ``value`` (all of it) or ``copper_content`` (the product's ``copper_content_share``
    of it, the full value where the product declares none: the 2025 Section 232 copper
    duty, CBP CSMS 65794272). The rest of the value stays subject to the measures this
    one excludes (:func:`shoring.scenario.coverage.tariff_shares`).
    """

    type: Literal["tariff"] = "tariff"
    importers: Parties
    exporters: Parties = ALL
    hs: HsSelection = ALL
    hs_lists: tuple[ListName, ...] = ()
    exempt_lists: tuple[ListName, ...] = ()
    family: MeasureRef | None = Field(
        default=None, description="Family of measures (one legal action), for stacking rules."
    )
    excluded_by: tuple[MeasureRef, ...] = ()
    stacking_source: SourceRef | None = None
    ad_valorem: Rate = 0.0
    specific_usd_per_kg: Amount | None = None
    specific_usd_per_unit: Amount | None = None
    stacking: Literal["add", "replace", "max"] = "add"
    charged_on: Literal["value", "copper_content"] = "value"
    exemptions: Exemptions | None = None
    exempt_hs: HsList = ()
    exempt_exporters: Parties | None = None

    @field_validator("hs_lists", "exempt_lists")
    @classmethod
    def _known_lists(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from shoring.scenario.schedules import product_lists

        known = product_lists()
        unknown = [name for name in value if name not in known]
        if unknown:
            raise ValueError(f"unknown product list(s) {unknown}; known: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _stacking_cited(self) -> Tariff:
        if self.excluded_by and self.stacking_source is None:
            raise ValueError("excluded_by needs a stacking_source citing the legal text")
        if self.charged_on != "value" and self.stacking != "add":
            raise ValueError("a duty charged on a content share must stack (stacking: add)")
        return self

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``importers``, ``exporters`` and ``exempt_exporters`` (None when not set).
        """
        return {
            "importers": self.importers,
            "exporters": self.exporters,
            "exempt_exporters": self.exempt_exporters,
        }


class TariffSchedule(_Measure):
    """Additional duties by HS6 and date read from an embedded table.

    The table (``tables/<table>.csv.gz``) lists ``importer, exporter, hs6, start, end,
    additional``; every row is stacked on top of the MFN rate (``add``). ``start`` /
    ``end`` here clip the table's own dates when given.
    """

    type: Literal["tariff_schedule"] = "tariff_schedule"
    table: str = Field(pattern=r"^[a-z0-9_]+$")
    importers: Parties = ALL
    exporters: Parties = ALL
    start: date | None = None
    end: date | None = None
    exempt_hs: HsList = ()

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``importers`` and ``exporters``.
        """
        return {"importers": self.importers, "exporters": self.exporters}

    def in_force(self, on: date) -> bool:
        """Whether the clip window contains ``on`` (rows carry their own dates).

        Parameters
        ----------
        on : datetime.date
            Day to test.

        Returns
        -------
        bool
            True when ``start <= on <= end``, an unset bound being open.
        """
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)

    def period(self) -> tuple[date | None, date | None]:
        """The clip window, or the table's first/last date when not clipped.

        Returns
        -------
        tuple of (datetime.date, datetime.date or None)
            ``(start, end)``; ``end`` is None when neither clip nor table closes it.
        """
        from shoring.scenario.schedules import schedule_period

        first, last = schedule_period(self.table)
        return self.start or first, self.end or last


class RuleOfOrigin(BaseModel):
    """Regional value content rule, build-down method: RVC = (V - VNM) / V >= threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rvc_threshold: Fraction
    method: Literal["build_down"] = "build_down"

    def rvc(self, value: np.ndarray | float, vnm: np.ndarray | float) -> np.ndarray:
        """Regional value content ``(V - VNM) / V`` (vectorized; NaN where V <= 0).

        Parameters
        ----------
        value : ndarray or float
            Value of the good V, USD.
        vnm : ndarray or float
            Value of non-originating materials VNM, USD (broadcast against ``value``).

        Returns
        -------
        ndarray of float
            RVC as a fraction.
        """
        v = np.asarray(value, dtype=float)
        n = np.asarray(vnm, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(v > 0, (v - n) / v, np.nan)

    def met(self, value: np.ndarray | float, vnm: np.ndarray | float) -> np.ndarray:
        """Whether the rule is met (vectorized; a tiny tolerance absorbs rounding).

        Parameters
        ----------
        value : ndarray or float
            Value of the good V, USD.
        vnm : ndarray or float
            Value of non-originating materials VNM, USD.

        Returns
        -------
        ndarray of bool
            ``rvc(value, vnm) >= rvc_threshold - 1e-12``; False where V <= 0.
        """
        return self.rvc(value, vnm) >= self.rvc_threshold - 1e-12


class Preference(_Dated):
    """A preferential rate between agreement members, subject to a rule of origin."""

    type: Literal["preference"] = "preference"
    start: date | None = None  # type: ignore[assignment]
    agreement: str | None = None
    members: Parties | None = None
    rate: Rate = 0.0
    hs: HsSelection = ALL
    rule_of_origin: RuleOfOrigin | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Preference:
        if (self.agreement is None) == (self.members is None):
            raise ValueError("give exactly one of 'agreement' or 'members'")
        return self

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``members``, or ``agreement`` as a 1-tuple when given by agreement id.
        """
        if self.members is not None:
            return {"members": self.members}
        return {"agreement": (self.agreement,)}


class NonTariffBarrier(_Dated):
    """A non-tariff barrier expressed as an ad valorem equivalent (AVE)."""

    type: Literal["ntb"] = "ntb"
    importers: Parties
    exporters: Parties = ALL
    hs: HsSelection = ALL
    ave: Rate

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``importers`` and ``exporters``.
        """
        return {"importers": self.importers, "exporters": self.exporters}


class ExportBan(_Dated):
    """No flows of the selected goods out of ``exporters`` (to ``importers``)."""

    type: Literal["export_ban"] = "export_ban"
    exporters: Parties
    importers: Parties = ALL
    hs: HsSelection = ALL

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``exporters`` and ``importers``.
        """
        return {"exporters": self.exporters, "importers": self.importers}


class Closure(_Dated):
    """Lockdown, disaster or port closure: a share of capacity lost in a country.

    ``region`` narrows it to one sub-national region (e.g. ``"Hubei"``); it then
    applies only to sites the caller places in that region.
    """

    type: Literal["closure"] = "closure"
    country: Annotated[str, BeforeValidator(_party)]
    region: str | None = None
    capacity_lost: Fraction
    scope: Literal["ports", "plants", "all"] = "all"
    hs: HsSelection = ALL

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``country`` as a 1-tuple.
        """
        return {"country": (self.country,)}


def _chokepoints(value: Any) -> Any:
    from shoring.data.sea_routes import CHOKEPOINTS

    names = (value,) if isinstance(value, str) else tuple(value)
    keys = tuple(str(n).strip().lower().replace("-", "_").replace(" ", "_") for n in names)
    unknown = [n for n, k in zip(names, keys, strict=True) if k not in CHOKEPOINTS]
    if unknown or not keys:
        raise ValueError(f"unknown chokepoint(s) {unknown}; known: {', '.join(CHOKEPOINTS)}")
    return keys


class ChokepointClosure(_Dated):
    """Sea passages closed to shipping (e.g. Bab-el-Mandeb in the 2024 Red Sea crisis):
    ocean lanes reroute around them, with the longer route's days and cost."""

    type: Literal["chokepoint_closure"] = "chokepoint_closure"
    chokepoints: Annotated[tuple[str, ...], BeforeValidator(_chokepoints)]


class Sanction(_Dated):
    """Embargo: no flows in either direction between the two sides."""

    type: Literal["sanction"] = "sanction"
    parties: tuple[Parties, Parties]
    hs: HsSelection = ALL

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            the two sides, as ``parties[0]`` and ``parties[1]``.
        """
        return {"parties[0]": self.parties[0], "parties[1]": self.parties[1]}


class Incentive(_Yearly):
    """State aid for producing in ``country``: capex share, per job, per unit, per kWh.

    ``hs`` restricts it to products of those HS codes; its capex and per-job parts then
    count for sites that make such a product. ``per_kwh_usd`` is paid per kWh of the
    product's ``kwh_per_unit`` (IRA section 45X: battery cells and modules), for products
    whose ``kwh_per_unit`` lies in ``kwh_per_unit_range`` when given (45X defines a module
    as at least 7 kWh); ``cost_share`` is a share of the unit's production cost (45X:
    10% for electrode active materials and critical minerals).
    ``phase_down`` maps a year to the share of the amounts paid from that year on (45X:
    ``{2030: 0.75, 2031: 0.5, 2032: 0.25, 2033: 0}``). From the year
    ``excludes_prohibited_foreign_entities_from``, sites flagged
    ``prohibited_foreign_entity`` get nothing (the 2025 foreign-entity restrictions of 45X).
    """

    type: Literal["incentive"] = "incentive"
    country: Annotated[str, BeforeValidator(_party)]
    hs: HsSelection = ALL
    capex_share: Fraction = 0.0
    per_job_usd: Amount = 0.0
    per_unit_usd: Amount = 0.0
    per_kwh_usd: Amount = 0.0
    kwh_per_unit_range: tuple[float, float] | None = Field(
        default=None, description="Products whose kwh_per_unit lies in [min, max) only."
    )
    cost_share: Fraction = Field(
        default=0.0,
        description="Share of the unit's production cost (materials, labour, overhead).",
    )
    phase_down: dict[int, Fraction] = Field(default_factory=dict)
    excludes_prohibited_foreign_entities_from: int | None = Field(
        default=None, ge=1900, le=2200, description="First year sites of such owners get nothing."
    )

    def factor(self, year: int) -> float:
        """Share of the amounts paid in ``year`` (the last ``phase_down`` step on or before it).

        Parameters
        ----------
        year : int
            Calendar year (within the measure's years).

        Returns
        -------
        float
            1 before the first step.
        """
        steps = [y for y in self.phase_down if y <= year]
        return self.phase_down[max(steps)] if steps else 1.0

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``country`` as a 1-tuple.
        """
        return {"country": (self.country,)}


class WagePath(_Yearly):
    """Annual real wage growth (and currency change against the USD) from ``start_year``.

    ``fx_change`` is the annual change of the local currency against the USD
    (``+0.02``: it buys 2 % more USD each year), so USD wages grow by
    ``(1 + annual_growth) * (1 + fx_change)`` a year.
    """

    type: Literal["wage_path"] = "wage_path"
    country: Parties
    annual_growth: GrowthRate
    fx_change: GrowthRate = 0.0

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``country``.
        """
        return {"country": self.country}


class Automation(_Yearly):
    """Adoption of automation: share of labour hours removed, ramped linearly.

    The share grows linearly from 0 in ``start_year`` to ``share_of_labour_removed``
    in ``full_year`` (default: ``start_year``) and stays there.
    """

    type: Literal["automation"] = "automation"
    country: Parties = ALL
    hs: HsSelection = ALL
    share_of_labour_removed: Fraction
    full_year: int | None = Field(default=None, ge=1900, le=2200)

    @model_validator(mode="after")
    def _ramp(self) -> Automation:
        if self.full_year is not None and self.full_year < self.start_year:
            raise ValueError(f"full_year {self.full_year} is before start_year {self.start_year}")
        return self

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``country``.
        """
        return {"country": self.country}


class CarbonPrice(_Yearly):
    """A carbon price (USD per tCO2) in a jurisdiction, optionally with a border adjustment."""

    type: Literal["carbon_price"] = "carbon_price"
    jurisdictions: Parties
    usd_per_tco2: Amount
    border_adjustment: bool = False

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``jurisdictions``.
        """
        return {"jurisdictions": self.jurisdictions}


Measure = Annotated[
    Tariff
    | TariffSchedule
    | Preference
    | NonTariffBarrier
    | ExportBan
    | Closure
    | ChokepointClosure
    | Sanction
    | Incentive
    | WagePath
    | Automation
    | CarbonPrice,
    Field(discriminator="type"),
]
"""Any policy measure; ``type`` selects the model."""

MEASURE_TYPES: dict[str, type[_Measure]] = {
    "tariff": Tariff,
    "tariff_schedule": TariffSchedule,
    "preference": Preference,
    "ntb": NonTariffBarrier,
    "export_ban": ExportBan,
    "closure": Closure,
    "chokepoint_closure": ChokepointClosure,
    "sanction": Sanction,
    "incentive": Incentive,
    "wage_path": WagePath,
    "automation": Automation,
    "carbon_price": CarbonPrice,
}
"""Measure models by their ``type`` tag."""
