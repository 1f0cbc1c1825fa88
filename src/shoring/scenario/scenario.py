"""Scenarios: named, sourced lists of policy measures that compose through parents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from shoring.data.agreements import UnknownAgreementError
from shoring.data.agreements import members as agreement_members
from shoring.errors import ShoringError
from shoring.fields import Fraction
from shoring.scenario.measure_base import ALL, SourceRef, _iso3_codes, _party
from shoring.scenario.measures import Measure

SLUG = r"^[a-z0-9][a-z0-9\-]*$"


class Scenario(BaseModel):
    """A named set of policy measures on a timeline.

    Parameters
    ----------
    name : str
        Slug (``"trade-war-2018"``).
    title, description : str
        What the scenario is, in words.
    kind : {"baseline", "historic", "forward", "custom"}
        Historic scenarios use real figures; forward ones must list their assumptions.
    assumptions : list of str
        Plain-language assumptions (the numbers of a forward scenario are assumptions).
    sources : list of SourceRef
        Publications the scenario draws on.
    measures : list of Measure
        The scenario's own measures (see :mod:`shoring.scenario.measures`).
    parents : list of str
        Scenarios whose measures come first; a later measure with the same ``id``
        overrides an earlier one.
    blocs : dict of str to list of str
        Blocs this scenario defines (id -> ISO3 members), e.g. two geopolitical camps;
        they take precedence over agreement blocs of the same id.
    probability : float, optional
        A hint for weighting scenarios (0..1).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=SLUG, max_length=60)
    title: str = Field(min_length=3)
    description: str = ""
    kind: Literal["baseline", "historic", "forward", "custom"] = "custom"
    assumptions: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    measures: tuple[Measure, ...] = ()
    parents: tuple[str, ...] = ()
    blocs: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    probability: Fraction | None = None

    @field_validator("blocs", mode="before")
    @classmethod
    def _bloc_members(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, members in value.items():
            if isinstance(members, str):
                members = [members]
            if not isinstance(members, list | tuple):
                return value  # let pydantic report the type
            out[key] = tuple(_party(m) for m in members)
        return out

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scenario:
        if self.kind == "forward" and not self.assumptions:
            raise ValueError("a forward scenario must state its assumptions")
        ids = [m.id for m in self.measures if m.id is not None]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"measure ids repeated within the scenario: {', '.join(dupes)}")
        if self.name in self.parents:
            raise ValueError("a scenario cannot be its own parent")
        if not (info.context or {}).get("skip_party_check"):
            problems = party_problems(self)
            if problems:
                raise ValueError("; ".join(f"{dotted(loc)}: {msg}" for loc, msg in problems))
        return self

    def period(self) -> tuple[date | None, date | None]:
        """First start and last end over the scenario's own measures (``None``: open/none).

        Returns
        -------
        tuple of (datetime.date or None, datetime.date or None)
            ``(start, end)``; start ``None`` when no measure has a start, end ``None`` when
            a measure is open-ended or none has an end. Parents are not included.
        """
        starts, ends, open_end = [], [], False
        for m in self.measures:
            first, last = m.period()
            if first is not None:
                starts.append(first)
            if last is None:
                open_end = True
            else:
                ends.append(last)
        return (min(starts) if starts else None, None if open_end or not ends else max(ends))


def _known_bloc(bloc: str) -> bool:
    """Whether the data layer (:mod:`shoring.data.agreements`) knows ``bloc``."""
    try:
        agreement_members(bloc, date.today())
    except UnknownAgreementError:
        return False
    return True


def dotted(loc: tuple[str | int, ...]) -> str:
    """Format a location tuple as a dotted path: ``("measures", 2, "hs")`` -> ``measures[2].hs``.

    Parameters
    ----------
    loc : tuple of str or int
        Location, as in pydantic errors; ints become ``[i]``.

    Returns
    -------
    str
        The dotted path.
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def party_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Unknown country codes or bloc ids in a scenario, as ``(location, message)`` pairs.

    A token is known if it is an ISO3 code, a bloc the scenario defines, or an agreement
    or bloc id of :mod:`shoring.data.agreements`; bloc members must be ISO3 codes.

    Parameters
    ----------
    scenario : Scenario
        The scenario to check (its own blocs and measures only).

    Returns
    -------
    list of (tuple, str)
        ``(location, message)``; location as for :func:`dotted`. Empty when all are known.
    """
    codes = _iso3_codes()
    local = set(scenario.blocs)
    problems = []

    def unknown(tokens: Any) -> Iterator[str]:
        if tokens is None or tokens == ALL:
            return
        for token in tokens:
            if token not in codes and token not in local and not _known_bloc(token):
                yield token

    for name, members in scenario.blocs.items():
        for token in members:
            if token not in codes:
                problems.append((("blocs", name), f"{token!r} is not an ISO3 country code"))
    for i, measure in enumerate(scenario.measures):
        for field, tokens in measure.party_fields().items():
            for token in unknown(tokens):
                problems.append(
                    (
                        ("measures", i, *_field_loc(field)),
                        f"unknown country or bloc {token!r} (define it under 'blocs' or use an"
                        " ISO3 code or agreement id)",
                    )
                )
    return problems


def _field_loc(field: str) -> tuple[str | int, ...]:
    if field.endswith("]"):
        name, index = field[:-1].split("[")
        return (name, int(index))
    return (field,)


def compose(
    scenario: Scenario,
    lookup: Callable[[str], Scenario] | None = None,
    _seen: tuple[str, ...] = (),
) -> tuple[tuple[Measure, ...], dict[str, tuple[str, ...]]]:
    """Flatten a scenario with its parents into one ordered list of measures.

    Parents' measures come first (in the order the parents are listed), then the
    scenario's own. A later measure with the same ``id`` replaces the earlier one
    (it takes the later position). Blocs are merged the same way (later wins).

    Parameters
    ----------
    scenario : Scenario
        The scenario to flatten.
    lookup : callable, optional
        Name -> Scenario for the parents; default :func:`shoring.scenario.load_scenario`.

    Returns
    -------
    tuple
        ``(measures, blocs)``.

    Raises
    ------
    shoring.errors.ShoringError
        On a cycle among parents or an unknown parent.
    """
    if lookup is None:
        from shoring.scenario.loader import load_scenario as lookup
    if scenario.name in _seen:
        chain = " -> ".join((*_seen, scenario.name))
        raise ShoringError(f"scenario parents form a cycle: {chain}")
    ordered: list[Measure] = []
    blocs: dict[str, tuple[str, ...]] = {}
    for parent_name in scenario.parents:
        parent_measures, parent_blocs = compose(
            lookup(parent_name), lookup, (*_seen, scenario.name)
        )
        ordered.extend(parent_measures)
        blocs.update(parent_blocs)
    ordered.extend(scenario.measures)
    blocs.update(scenario.blocs)
    last_index = {m.id: i for i, m in enumerate(ordered) if m.id is not None}
    flat = tuple(m for i, m in enumerate(ordered) if m.id is None or last_index[m.id] == i)
    return flat, blocs
