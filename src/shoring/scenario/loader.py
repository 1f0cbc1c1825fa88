"""Read scenarios from YAML with located errors; the built-in scenario library."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shoring import safeyaml
from shoring.errors import Problem, ShoringError, ShoringInputError
from shoring.scenario.scenario import Scenario, dotted, party_problems

LIBRARY_DIR = Path(__file__).with_name("library")
"""Folder of the built-in scenario YAML files (one per scenario, named after it)."""


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value
    is_seq = isinstance(node, yaml.SequenceNode) and isinstance(part, int)
    if is_seq and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _type_tag(node: yaml.Node) -> str | None:
    value = _child(node, "type")
    return value.value if isinstance(value, yaml.ScalarNode) else None


def locate(root: yaml.Node | None, loc: tuple[str | int, ...]) -> tuple[int, str]:
    """Map a pydantic error location to a YAML line and a dotted field path.

    Discriminator tags (``"tariff"``) and union member names pydantic inserts into
    locations are skipped; a location that points below a missing key stops at the
    deepest node present (its line) but keeps the full path.
    """
    node, path = root, []
    line = root.start_mark.line + 1 if root is not None else 1
    descending = True
    for part in loc:
        is_tag = isinstance(part, str) and node is not None and descending
        if is_tag and part == _type_tag(node) and _child(node, part) is None:
            continue  # discriminated-union tag
        if isinstance(part, str) and not part.isidentifier():
            continue  # union member name such as "tuple[str, ...]"
        path.append(part)
        if descending and node is not None:
            child = _child(node, part)
            if child is None:
                descending = False
            else:
                node = child
                line = node.start_mark.line + 1
    return line, dotted(tuple(path))


def _fields_at(model: Any, loc: tuple[str | int, ...]) -> list[str] | None:
    """Field names of the pydantic model a location points into (None if not found).

    Walks ``loc`` through the fields' annotations: optional and annotated types are
    unwrapped, a mapping's key or a sequence's index steps into its value type.
    """
    import collections.abc as abc
    import types
    import typing

    from pydantic import BaseModel

    unions = (typing.Union, types.UnionType)
    current: Any = model
    for part in loc:
        while True:  # unwrap Annotated, Optional and unions down to one type
            args = [a for a in typing.get_args(current) if a is not type(None)]
            origin = typing.get_origin(current)
            if origin is typing.Annotated or (origin in unions and args):
                current = args[0]
                continue
            break
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif origin in (dict, abc.Mapping):
            current = typing.get_args(current)[-1]
        elif origin in (list, tuple, abc.Sequence):
            current = typing.get_args(current)[0]
        else:
            return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def error_text(error: dict[str, Any], model: Any = None) -> str:
    """Words for one pydantic error of a YAML model (no pydantic prefixes).

    Parameters
    ----------
    error : dict
        One item of :meth:`pydantic.ValidationError.errors`.
    model : type of pydantic.BaseModel, optional
        The model validated: an unknown field's words then list the fields allowed
        where it stands.

    Returns
    -------
    str
        E.g. ``"unknown field (not allowed here)"``.
    """
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if error["type"] == "extra_forbidden":
        allowed = _fields_at(model, tuple(error["loc"])[:-1]) if model is not None else None
        if allowed:
            return f"unknown field (allowed here: {', '.join(allowed)})"
        return "unknown field (not allowed here)"
    if error["type"] == "missing":
        return "required field is missing"
    return msg


def validation_problems(
    exc: ValidationError, root: yaml.Node | None, file: str, model: Any = None
) -> list[Problem]:
    """Each error of a pydantic validation, located by YAML line and dotted field.

    Parameters
    ----------
    exc : pydantic.ValidationError
        Raised while validating the document rooted at ``root``.
    root : yaml.Node or None
        The composed document (:func:`shoring.safeyaml.load`).
    file : str
        Name used in the problems.
    model : type of pydantic.BaseModel, optional
        The model validated: an unknown field's problem then lists the fields allowed
        where it stands.

    Returns
    -------
    list of Problem
    """
    problems = []
    for error in exc.errors():
        line, field = locate(root, tuple(error["loc"]))
        problems.append(Problem(file, error_text(error, model), row=line, field=field or None))
    return problems


def parse_scenario(text: str, file: str = "<string>") -> Scenario:
    """Parse and validate a scenario from YAML text.

    Parameters
    ----------
    text : str
        YAML document.
    file : str
        Name used in error messages.

    Raises
    ------
    shoring.errors.ShoringInputError
        With one :class:`~shoring.errors.Problem` per error, located by YAML line and
        dotted field path (``measures[2].ad_valorem``).
    """
    root, data = safeyaml.load(text, file)
    if not isinstance(data, dict):
        raise ShoringInputError(
            [
                Problem(
                    file, "a scenario file must be a mapping (name:, title:, measures: ...)", row=1
                )
            ]
        )
    try:
        scenario = Scenario.model_validate(data, context={"skip_party_check": True})
    except ValidationError as exc:
        raise ShoringInputError(validation_problems(exc, root, file)) from None
    located = [(locate(root, loc), msg) for loc, msg in party_problems(scenario)]
    if located:
        raise ShoringInputError(
            [Problem(file, msg, row=line, field=field) for (line, field), msg in located]
        )
    return scenario


def load_scenario_file(path: str | Path) -> Scenario:
    """Read and validate one scenario YAML file.

    Parameters
    ----------
    path : str or Path
        The scenario file, read as UTF-8.

    Returns
    -------
    Scenario
        The validated scenario (parents are not resolved).

    Raises
    ------
    shoring.errors.ShoringInputError
        On a missing file, bad YAML or invalid content (``file:line:field: message``).
    """
    text = safeyaml.read_text(path, str(path))
    return parse_scenario(text, file=str(path))


@cache
def _builtin_one(stem: str) -> Scenario:
    """One library file, read once (a named scenario never parses the whole library)."""
    path = LIBRARY_DIR / f"{stem}.yaml"
    scenario = load_scenario_file(path)
    if scenario.name != path.stem:
        raise ShoringError(f"{path}: scenario name {scenario.name!r} differs from file name")
    return scenario


@cache
def _builtin() -> dict[str, Scenario]:
    out: dict[str, Scenario] = {}
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        scenario = _builtin_one(path.stem)
        out[scenario.name] = scenario
    return out


DEFAULT_SCENARIO = "current-law"
"""The scenario commands use when none is named: the law in force on each date."""

ALIASES = frozenset({"baseline"})
"""Library scenarios that only name another one (``baseline`` = ``current-law``); a study
over the whole library leaves them out so that no scenario counts twice."""


def builtin_scenarios() -> dict[str, Scenario]:
    """Return the built-in scenario library, name -> Scenario (a new dict each call).

    Returns
    -------
    dict of str to Scenario
        Every scenario file of the library, in file-name order (read once, cached).

    Raises
    ------
    shoring.errors.ShoringError
        If a library file is invalid or its scenario name differs from its file name.
    """
    return dict(_builtin())


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Return a built-in scenario by name, or read one from a YAML file.

    Parameters
    ----------
    name_or_path : str or Path
        A built-in name (``"trade-war-2018"``) or a path to a ``.yaml`` file.

    Returns
    -------
    Scenario
        The built-in scenario (shared, immutable) or the scenario read from the file.

    Raises
    ------
    shoring.errors.ShoringError
        For an unknown name (with close matches) or an invalid file.
    """
    text = str(name_or_path)
    named = not isinstance(name_or_path, Path) and Path(text).name == text
    if named and (LIBRARY_DIR / f"{text}.yaml").is_file():
        return _builtin_one(text)
    library = _builtin()
    path = Path(text)
    if isinstance(name_or_path, Path) or path.suffix in (".yaml", ".yml") or path.exists():
        return load_scenario_file(path)
    close = difflib.get_close_matches(text, list(library), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(library)}"
    raise ShoringError(f"unknown scenario {text!r}{hint}")
