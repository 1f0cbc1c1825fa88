"""Why a lane pays the duty it pays: the measures applied and skipped, with reasons.

:func:`explain_lane` resolves one (importer, exporter, HS code, date) the way the engine
does (:func:`shoring.costs.duties.lane_rate` uses the same per-day computation as
:func:`~shoring.costs.duties.duty_rates`) and lists, as structured records, the MFN base,
every trade measure of the scenario (applied, excluded by another measure, exempt, or not
applicable, and why) and the total. :func:`explain_year` does it for each interval of a
year on which the rules are constant, with the day-weighted rate the engine charges.

The records are plain dataclasses (:class:`Step`) so other layers can add their own, e.g.
the rule of origin and its margin (``kind="origin"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from shoring.costs.duties import lane_rate, mfn_rate_on
from shoring.scenario import Scenario, trade_effects
from shoring.scenario.coverage import (
    Cells,
    excluders,
    origin_exempt,
    tariff_shares,
    tariff_steps,
)
from shoring.scenario.measures import Measure, Tariff
from shoring.scenario.periods import TRADE_MEASURES, year_periods
from shoring.scenario.resolve import as_hs, composed


@dataclass(frozen=True)
class Step:
    """One line of an explanation.

    Attributes
    ----------
    kind : str
        ``"mfn"``, ``"measure"`` or ``"total"`` (other layers add e.g. ``"origin"``).
    id : str
        Measure id (or the rule's name).
    status : str
        ``"applied"``, ``"excluded"`` (another measure takes precedence), ``"exempt"``
        (origin rule met), ``"not applicable"`` or ``"info"``.
    rate : float or None
        Ad valorem rate of the step (fraction); for ``total`` the lane's rate.
    share : float or None
        Share of the goods' national tariff lines the measure covers (1 for a line).
    stacking : str or None
        ``add``, ``replace`` or ``max`` for tariffs.
    reason : str
        Why, in words (the legal basis for exclusions).
    source : str
        Citation of the measure (name, year, URL).
    """

    kind: str
    id: str
    status: str
    rate: float | None = None
    share: float | None = None
    stacking: str | None = None
    reason: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class LaneExplanation:
    """The resolved duty of one lane on one date and the steps that make it.

    Attributes
    ----------
    importer, exporter : str
        ISO3 codes.
    hs : str
        HS code (6 digits or a national line).
    on : datetime.date
        Date.
    origin_rule_met : bool
        Whether the goods were taken as meeting the lane's rule of origin.
    rate : float
        Total ad valorem rate (MFN or preference, and the measures), fraction.
    steps : list of Step
        MFN, every trade measure of the scenario, the total; extendable.
    """

    importer: str
    exporter: str
    hs: str
    on: dt.date
    origin_rule_met: bool
    rate: float
    steps: list[Step] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The explanation as a JSON-ready dict."""
        out = asdict(self)
        out["on"] = self.on.isoformat()
        out["steps"] = [s.as_dict() for s in self.steps]
        return out


def _cite(m: Measure) -> str:
    src = m.source
    return f"{src.name} ({src.year}) {src.url}" if src is not None else ""


def _tariff_step(
    measures: Sequence[Measure],
    i: int,
    cells: Cells,
    share: float,
    origin_rule_met: bool,
    suspended: str = "",
) -> Step:
    m = measures[i]
    assert isinstance(m, Tariff)
    base = {"rate": m.ad_valorem, "stacking": m.stacking, "source": _cite(m)}
    mid = m.id or f"tariff #{i}"
    for reason, step in tariff_steps(cells, m):
        if step[0] <= 0:
            return Step("measure", mid, "not applicable", reason=reason, **base)
    raw = float(np.prod([s[0] for _, s in tariff_steps(cells, m)]))
    by = [
        j
        for j in excluders(measures, i)
        if float(
            np.prod(
                [s[0] for _, s in tariff_steps(cells, measures[j])]  # type: ignore[arg-type]
            )
        )
        > 0
    ]
    if by and share <= 0:
        names = ", ".join(measures[j].id or f"#{j}" for j in by)
        legal = m.stacking_source.name if m.stacking_source else ""
        return Step(
            "measure", mid, "excluded", share=raw, reason=f"excluded by {names}: {legal}", **base
        )
    if origin_exempt(cells, m)[0]:
        agreement = m.exemptions.origin_rule_met  # type: ignore[union-attr]
        if agreement == suspended:
            reason = f"no waiver: {agreement} is suspended on the lane"
            return Step("measure", mid, "applied", share=share, reason=reason, **base)
        if origin_rule_met:
            reason = f"goods meet the {agreement} rule of origin"
            return Step("measure", mid, "exempt", share=share, reason=reason, **base)
        reason = f"waived only for goods meeting the {agreement} rule of origin (not met)"
        return Step("measure", mid, "applied", share=share, reason=reason, **base)
    note = f"{share:.0%} of the national lines" if share < 1 else ""
    if m.charged_on == "copper_content":
        note = f"on the copper content, {cells.copper[0]:.0%} of the value"
        note += "" if cells.copper[0] < 1 else " (full value unless copper_content_share is given)"
    return Step("measure", mid, "applied", share=share, reason=note, **base)


def _other_step(m: Measure, i: int, cells: Cells, on: dt.date) -> Step:
    mid = m.id or f"{m.type} #{i}"
    if not m.in_force(on):
        return Step(
            "measure", mid, "not applicable", reason="not in force on the date", source=_cite(m)
        )
    eff = trade_effects([m], cells.importer, cells.exporter, cells.hs6, on)
    if eff.suspended_agreement[0]:
        words = f"{eff.suspended_agreement[0]} suspended: no preference, no waiver under it"
        return Step("measure", mid, "applied", reason=words, source=_cite(m))
    values = {
        "additional duty": float(eff.additional_ad_valorem[0]),
        "ntb": float(eff.ntb_ave[0]),
        "blocked": float(eff.blocked[0]),
        "preference": float(np.nan_to_num(eff.preference_rate[0], nan=-1.0)),
    }
    hit = {k: v for k, v in values.items() if (v > 0 if k != "preference" else v >= 0)}
    if not hit:
        return Step(
            "measure", mid, "not applicable", reason="lane or goods not covered", source=_cite(m)
        )
    words = ", ".join(f"{k} {v:g}" for k, v in hit.items())
    rate = values["additional duty"] or values["ntb"] or None
    return Step("measure", mid, "applied", rate=rate, reason=words, source=_cite(m))


def explain_lane(
    scenario: Scenario,
    importer: str,
    exporter: str,
    hs: str,
    on: dt.date,
    origin_rule_met: bool = False,
    copper_share: float | None = None,
) -> LaneExplanation:
    """Resolve one lane's duty on one date and say which measures apply and why.

    Parameters
    ----------
    scenario : Scenario
        Composed with its parents.
    importer, exporter : str
        ISO3 codes.
    hs : str
        HS code: 6 digits or a national tariff line (8 or 10 digits).
    on : datetime.date
        Date of entry.
    origin_rule_met : bool
        Whether the goods meet the rule of origin of the lane's agreement (preference and
        origin-based exemptions such as USMCA goods from the 2025 duties).
    copper_share : float, optional
        The product's declared copper content share of the value (None: not declared).

    Returns
    -------
    LaneExplanation
        ``rate`` equals what the engine charges on that day.
    """
    measures, blocs = composed(scenario)
    code = str(as_hs([hs])[0])
    cells = Cells([importer], [exporter], [code], on, blocs, copper_share)
    shares = tariff_shares(measures, cells)
    mfn = mfn_rate_on(importer, code, on)
    steps = [
        Step("mfn", importer, "info", rate=mfn, reason="MFN rate of the importer (data layer)")
    ]
    lane = trade_effects(scenario, [importer], [exporter], [code], on)
    suspended = str(lane.suspended_agreement[0])
    for i, m in enumerate(measures):
        if isinstance(m, Tariff):
            share = float(shares[i][0])
            steps.append(_tariff_step(measures, i, cells, share, origin_rule_met, suspended))
        elif isinstance(m, TRADE_MEASURES):
            steps.append(_other_step(m, i, cells, on))
    rate = lane_rate(scenario, importer, exporter, code, on, origin_rule_met, copper_share)
    steps.append(
        Step(
            "total",
            "total",
            "info",
            rate=rate,
            reason="MFN or preference, then replace, floor ('max'), add",
        )
    )
    return LaneExplanation(importer, exporter, code, on, origin_rule_met, rate, steps)


def explain_year(
    scenario: Scenario,
    importer: str,
    exporter: str,
    hs: str,
    year: int,
    origin_rule_met: bool = False,
    copper_share: float | None = None,
) -> dict[str, Any]:
    """The explanation of every interval of a year with constant rules, and the year's rate.

    Parameters
    ----------
    scenario, importer, exporter, hs, origin_rule_met, copper_share
        As for :func:`explain_lane`.
    year : int
        Calendar year.

    Returns
    -------
    dict
        ``{"year", "rate" (day-weighted, as the engine charges), "periods": [{"start",
        "days", "explanation" (LaneExplanation.as_dict())}]}``.
    """
    measures, blocs = composed(scenario)
    code = str(as_hs([hs])[0])
    periods = year_periods(measures, year, [importer, exporter], [code], blocs)
    total = sum(days for _, days in periods)
    out, weighted = [], 0.0
    for start, days in periods:
        lane = explain_lane(
            scenario, importer, exporter, code, start, origin_rule_met, copper_share
        )
        weighted += lane.rate * days / total
        out.append({"start": start.isoformat(), "days": days, "explanation": lane.as_dict()})
    return {"year": year, "rate": weighted, "periods": out}
