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

from datetime import date
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

from shoring.fields import Amount, Fraction, GrowthRate, Rate
from shoring.scenario.measure_base import (
    ALL,
    Exemptions,
    HsList,
    HsSelection,
    ListName,
    MeasureRef,
    Parties,
    SourceRef,
    _Dated,
    _Measure,
    _party,
    _Yearly,
)


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


class Suspension(_Dated):
    """A trade agreement of the data layer (:mod:`shoring.data.agreements`) suspended.

    On the lanes between two members of ``agreement`` that start or end in one of
    ``parties`` (default: every member), the agreement gives no preference and its rule
    of origin waives no measure (``exemptions: {origin_rule_met: ...}``), and a scenario
    ``preference`` under that agreement id gives none either: the goods pay MFN and the
    measures in force, as between countries without an agreement. E.g. Mexico without
    its USMCA access: ``{type: suspension, agreement: USMCA, parties: MEX, start: ...}``.
    """

    type: Literal["suspension"] = "suspension"
    agreement: str
    parties: Parties = ALL

    @field_validator("agreement")
    @classmethod
    def _known(cls, value: str) -> str:
        from shoring.data.agreements import UnknownAgreementError, agreement

        try:
            agreement(value)
        except UnknownAgreementError as exc:
            raise ValueError(str(exc)) from None
        return value

    def party_fields(self) -> dict[str, Any]:
        """Parties of this measure, field name -> value (for bloc checks).

        Returns
        -------
        dict of str to Any
            ``parties``.
        """
        return {"parties": self.parties}


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
    | Suspension
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
    "suspension": Suspension,
    "incentive": Incentive,
    "wage_path": WagePath,
    "automation": Automation,
    "carbon_price": CarbonPrice,
}
"""Measure models by their ``type`` tag."""
