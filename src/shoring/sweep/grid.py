"""Sweep grids: scenario parameters, their values, and the variants they span.

A grid file (YAML) names parameters of a base scenario and the values each takes::

    title: US tariff on China x China wage growth
    years: [2026]
    parameters:
      - name: us_tariff_chn
        kind: tariff                     # a measure type of shoring.scenario.measures
        measure: {importers: USA, exporters: CHN, hs: ["85"], start: 2026-01-01}
        values: [0, 0.10, 0.25, 0.50, "100%"]
      - name: chn_wage_growth
        kind: wage_path
        measure: {country: CHN, start_year: 2026}
        values: [0.03, 0.06, 0.09]
      - name: mex_usa_preference
        kind: preference
        measure: {members: [MEX, USA], rule_of_origin: {rvc_threshold: 0.6}}
        values: [false, true]            # whether the measure applies

Each (parameter, value) is one measure of the scenario library's own models
(:data:`shoring.scenario.MEASURE_TYPES`): ``measure`` holds its fixed fields and the value
sets ``field`` (by default the kind's rate: :data:`VALUE_FIELDS`), or, for
``field: applies``, says whether the measure is in the scenario at all. A measure whose
``id`` is the id of a measure of the base scenario starts from that measure (``measure``
then needs only the id and the fields it changes) and replaces it (a later measure with the
same id overrides, as in :func:`shoring.scenario.compose`); ``applies: false`` removes it::

      - name: ira_45x_modules             # the base scenario's IRA 45X module credit
        kind: incentive
        measure: {id: ira-45x-battery-modules}
        values: [true, false]

A trade agreement of the data layer is switched off with a ``suspension`` measure (no
preference, no waiver under its rule of origin, on the lanes of ``parties``)::

      - name: mex_usmca_suspended          # Mexico's USMCA access
        kind: suspension
        measure: {agreement: USMCA, parties: MEX, start: 2026-01-01}
        values: [false, true]

Every value is validated when the grid is read, so a bad grid stops before any work, with
``file:line:field: message`` problems.

Variants are the Cartesian product of the values, generated lazily
(:meth:`Grid.variants`); a variant's id is a hash of its parameter values
(:func:`variant_id`), the same in every run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shoring import safeyaml
from shoring.errors import Problem, ShoringInputError
from shoring.fields import Year
from shoring.scenario import MEASURE_TYPES, Scenario
from shoring.scenario.loader import error_text, locate, validation_problems
from shoring.scenario.measures import Measure
from shoring.scenario.scenario import party_problems

APPLIES = "applies"
"""The ``field`` whose values (true/false) say whether a parameter's measure applies."""

VALUE_FIELDS: dict[str, str] = {
    "tariff": "ad_valorem",
    "ntb": "ave",
    "wage_path": "annual_growth",
    "automation": "share_of_labour_removed",
    "carbon_price": "usd_per_tco2",
    "closure": "capacity_lost",
    "preference": APPLIES,
    "export_ban": APPLIES,
    "sanction": APPLIES,
    "suspension": APPLIES,
    "chokepoint_closure": APPLIES,
    "tariff_schedule": APPLIES,
}
"""The field a parameter's values set when the grid gives no ``field``, per measure kind."""

RESERVED = frozenset({"variant_id", "error", "status", "objective", "gap", "footprint"})
"""Column names of the results a parameter may not take."""

MAX_VARIANTS = 10**9
"""Largest grid accepted (variants are generated lazily, but ids must fit a run)."""


class Parameter(BaseModel):
    """One scenario parameter of a sweep: a measure and the values of one of its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    kind: str
    measure: dict[str, Any] = Field(default_factory=dict)
    field: str | None = None
    values: tuple[Any, ...] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _free_name(cls, value: str) -> str:
        if value in RESERVED or "__" in value:
            raise ValueError(
                f"{value!r} is taken by the results (reserved: {', '.join(sorted(RESERVED))};"
                " no '__')"
            )
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in MEASURE_TYPES:
            raise ValueError(f"unknown measure kind {value!r}; known: {', '.join(MEASURE_TYPES)}")
        return value

    @property
    def value_field(self) -> str:
        """The field the values set (``applies``: whether the measure is there; the default
        when every value is true or false)."""
        if self.field:
            return self.field
        if all(isinstance(v, bool) for v in self.values):
            return APPLIES
        return VALUE_FIELDS.get(self.kind, "")


class GridFile(BaseModel):
    """A sweep grid as written in its YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = ""
    years: tuple[Year, ...] | None = Field(default=None, min_length=1)
    parameters: tuple[Parameter, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Axis:
    """A validated parameter: its values and the measure each value puts in the scenario.

    Attributes
    ----------
    name : str
        Column name in the results.
    values : tuple
        Validated values (floats: fractions, USD; bools for ``applies``).
    measures : tuple of Measure or None
        The measure for each value; None where ``applies`` is false.
    measure_id : str
        Id of the measures (a base measure of that id is replaced or removed).
    boolean : bool
        Values are true/false (whether the measure applies).
    """

    name: str
    values: tuple[Any, ...]
    measures: tuple[Measure | None, ...]
    measure_id: str
    boolean: bool


@dataclass(frozen=True)
class Grid:
    """A validated grid: the axes of the sweep and the years costed.

    Attributes
    ----------
    title : str
    years : tuple of int or None
        Years costed (None: the network's demand years).
    axes : tuple of Axis
    digest : str
        SHA-256 of the grid's validated content (the manifest's grid hash).
    """

    title: str
    years: tuple[int, ...] | None
    axes: tuple[Axis, ...]
    digest: str

    @property
    def size(self) -> int:
        """Number of variants (product of the axes' lengths)."""
        n = 1
        for axis in self.axes:
            n *= len(axis.values)
        return n

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in grid order."""
        return tuple(a.name for a in self.axes)

    def variants(self) -> Iterator[tuple[str, tuple[int, ...]]]:
        """Every variant, lazily, as ``(variant id, value index per axis)``.

        Yields
        ------
        tuple of (str, tuple of int)
            In :func:`itertools.product` order (the last axis varies fastest).
        """
        for index in itertools.product(*(range(len(a.values)) for a in self.axes)):
            yield variant_id(self.point(index)), index

    def point(self, index: Sequence[int]) -> dict[str, Any]:
        """Parameter name -> value of the variant at ``index``."""
        return {a.name: a.values[i] for a, i in zip(self.axes, index, strict=True)}

    def scenario(
        self,
        base: Sequence[Measure],
        blocs: dict[str, tuple[str, ...]],
        index: Sequence[int],
        name: str,
    ) -> Scenario:
        """The base scenario with the variant's edits (one implementation of every edit).

        Parameters
        ----------
        base : sequence of Measure
            The base scenario's measures, parents included (:func:`shoring.scenario.compose`).
        blocs : dict
            The base scenario's blocs.
        index : sequence of int
            Value index per axis.
        name : str
            Scenario name (a slug).

        Returns
        -------
        Scenario
            Base measures not replaced by an edit, then the edits' measures. Everything
            in it was validated when the grid and the base were read.
        """
        replaced = {a.measure_id for a in self.axes}
        edits = [a.measures[i] for a, i in zip(self.axes, index, strict=True)]
        measures = tuple(m for m in base if m.id not in replaced) + tuple(
            m for m in edits if m is not None
        )
        return Scenario.model_construct(
            name=name,
            title=f"sweep variant {name}",
            kind="custom",
            measures=measures,
            blocs=blocs,
            parents=(),
            assumptions=(),
            sources=(),
            description="",
            probability=None,
        )


def variant_id(point: dict[str, Any]) -> str:
    """Deterministic id of a variant: the first 16 hex digits of the SHA-256 of its values.

    Parameters
    ----------
    point : dict
        Parameter name -> validated value.

    Returns
    -------
    str
        16 lower-case hex digits; the same values give the same id in every run.
    """
    text = json.dumps(point, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_grid(
    path: str | Path,
    base: Sequence[Measure] = (),
    blocs: dict[str, tuple[str, ...]] | None = None,
) -> Grid:
    """Read and validate a grid file; every problem located before any work starts.

    Parameters
    ----------
    path : str or Path
        The grid YAML file.
    base : sequence of Measure
        The base scenario's measures, parents included (a parameter may edit one by id).
    blocs : dict, optional
        Blocs of the base scenario (parties of the measures may name them).

    Returns
    -------
    Grid

    Raises
    ------
    ShoringInputError
        One ``file:line:field: message`` problem per error (missing file, bad YAML,
        unknown field or kind, a value its measure refuses, duplicate names or values).
    """
    file = str(path)
    text = safeyaml.read_text(path, file)
    return parse_grid(text, file, base, blocs or {})


def parse_grid(
    text: str, file: str, base: Sequence[Measure], blocs: dict[str, tuple[str, ...]]
) -> Grid:
    """Validate grid YAML text (see :func:`read_grid`)."""
    root, data = safeyaml.load(text, file)
    if not isinstance(data, dict):
        message = "a grid file must be a mapping (title:, years:, parameters: ...)"
        raise ShoringInputError([Problem(file, message, row=1)])
    try:
        spec = GridFile.model_validate(data)
    except ValidationError as exc:
        raise ShoringInputError(_file_problems(exc, root, file, data)) from None
    problems: list[Problem] = []

    def bad(loc: tuple[str | int, ...], message: str) -> None:
        line, field = locate(root, loc)
        problems.append(Problem(file, message, row=line, field=field))

    by_id = {m.id: m for m in base if m.id is not None}
    axes = []
    seen: set[str] = set()
    ids: set[str] = set()
    for i, param in enumerate(spec.parameters):
        if param.name in seen:
            bad(("parameters", i, "name"), f"parameter {param.name!r} is named twice")
        seen.add(param.name)
        axis = _axis(param, ("parameters", i), by_id, blocs, bad)
        if axis is not None:
            if axis.measure_id in ids:
                bad(
                    ("parameters", i, "measure", "id"),
                    f"two parameters edit the measure {axis.measure_id!r}",
                )
            ids.add(axis.measure_id)
            axes.append(axis)
    if problems:
        raise ShoringInputError(problems)
    grid = Grid(spec.title, spec.years, tuple(axes), _digest(spec, axes))
    if grid.size > MAX_VARIANTS:
        message = f"the grid spans {grid.size:,} variants; at most {MAX_VARIANTS:,}"
        raise ShoringInputError([Problem(file, message, row=1, field="parameters")])
    return grid


def _file_problems(exc: ValidationError, root: Any, file: str, data: dict) -> list[Problem]:
    """The problems of a grid file that does not validate, each parameter's named.

    A parameter's structural problems (a field missing, of the wrong type, empty or
    unknown) name the parameter; the list of parameters itself is reported only when it
    is empty or not a list (not again for every parameter in error).
    """
    raw = data.get("parameters")
    problems = []
    for problem, error in zip(validation_problems(exc, root, file), exc.errors(), strict=True):
        loc = tuple(error["loc"])
        if loc == ("parameters",) and error["type"] == "too_short":
            if raw:
                continue  # its items are in error: they are reported
            problem = replace(problem, message="a grid needs at least one parameter")
        elif loc[:1] == ("parameters",) and len(loc) >= 2 and isinstance(raw, list):
            problem = replace(problem, message=_parameter_text(raw[int(loc[1])], loc, error))
        problems.append(problem)
    return problems


def _parameter_text(raw: Any, loc: tuple, error: dict[str, Any]) -> str:
    """Words for a structural problem of one parameter, naming it."""
    name = raw.get("name") if isinstance(raw, dict) else None
    who = f"parameter {name!r}" if isinstance(name, str) and name else f"parameter {loc[1] + 1}"
    field = loc[2] if len(loc) > 2 else None
    kind = error["type"]
    if kind == "value_error":  # the field's own validator says what is wrong
        return error_text(error)
    if field == "values" and len(loc) == 3 and kind != "missing":
        if kind == "too_short":
            return f"{who} has no values: give at least one, e.g. values: [0, 0.25]"
        return f"{who}: values must be a list, e.g. values: [0, 0.25] or [true, false]"
    if field == "measure" and len(loc) == 3 and kind == "dict_type":
        return f"{who}: measure must be a mapping of the measure's fields, e.g. {{country: CHN}}"
    if field is None:
        return f"{who}: a parameter is a mapping (name:, kind:, measure:, values:)"
    return f"{who}: {error_text(error)}"


def _axis(
    param: Parameter, loc: tuple[str | int, ...], base: dict[str, Measure], blocs: dict, bad: Any
) -> Axis | None:
    """Validate one parameter's values through its measure model; None when it has problems."""
    field = param.value_field
    model = MEASURE_TYPES[param.kind]
    if not field:
        bad(
            (*loc, "field"),
            f"a parameter of kind {param.kind} needs 'field' (the field its values set)",
        )
        return None
    if field != APPLIES and field not in model.model_fields:
        known = ", ".join(f for f in model.model_fields if f not in ("type", "id", "note"))
        bad((*loc, "field"), f"{param.kind} has no field {field!r}; known: {APPLIES}, {known}")
        return None
    if field in param.measure:
        bad((*loc, "measure", field), f"{field!r} is set by the values; leave it out of measure")
        return None
    measure_id = str(param.measure.get("id") or f"sweep-{param.name}")
    start: dict[str, Any] = {}
    if measure_id in base:
        edited = base[measure_id]
        if edited.type != param.kind:  # type: ignore[union-attr]
            message = f"the base measure {measure_id!r} is a {edited.type}, not a {param.kind}"  # type: ignore[union-attr]
            bad((*loc, "kind"), message)
            return None
        start = edited.model_dump(exclude_unset=True)
    fixed = {**start, **param.measure, "type": param.kind, "id": measure_id}
    boolean = field == APPLIES
    values: list[Any] = []
    measures: list[Measure | None] = []
    for j, raw in enumerate(param.values):
        where = (*loc, "values", j)
        if boolean and not isinstance(raw, bool):
            bad(where, f"{raw!r}: an 'applies' value is true or false")
            return None
        try:
            measure = model.model_validate(fixed if boolean else {**fixed, field: raw})
        except ValidationError as exc:
            missing = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing"]
            if "id" in param.measure and measure_id not in base and missing:
                # an id the base does not hold: most likely a base measure misnamed
                same = sorted(k for k, m in base.items() if m.type == param.kind)  # type: ignore[union-attr]
                bad(
                    (*loc, "measure", "id"),
                    f"no measure {measure_id!r} in the base scenario; its {param.kind} "
                    f"measures: {', '.join(same) or 'none'} (or give every field of a new "
                    f"one: {', '.join(missing)} missing)",
                )
                return None
            for error in exc.errors():
                sub = tuple(error["loc"])
                target = where if sub[:1] == (field,) else (*loc, "measure", *sub)
                bad(target, error_text(error))
            return None
        for sub, message in party_problems(
            Scenario.model_construct(measures=(measure,), blocs=blocs)
        ):
            bad((*loc, "measure", *sub[2:]), message)
            return None
        value = raw if boolean else getattr(measure, field)
        if value in values:
            bad(where, f"value {raw!r} is given twice")
            return None
        values.append(value)
        measures.append(None if boolean and not raw else measure)  # type: ignore[arg-type]
    return Axis(param.name, tuple(values), tuple(measures), measure_id, boolean)


def _digest(spec: GridFile, axes: Sequence[Axis]) -> str:
    content = {
        "years": list(spec.years) if spec.years else None,
        "axes": [
            {
                "name": a.name,
                "values": list(a.values),
                "measures": [None if m is None else m.model_dump(mode="json") for m in a.measures],
            }
            for a in axes
        ],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
