"""Command-line option parsers built on the field types of :mod:`shoring.fields`.

An option is checked exactly like the same kind of field in a file: finite, in range,
shares as fractions or with ``%``. A bad value is a usage error (exit code 2) naming
the option: ``Invalid value for '--within': must be at most 1 ...``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError

from shoring.fields import Amount, Fraction, PositiveAmount, Year, error_message, finite_number

NETWORK_HELP = (
    "Network: a .yaml/.yml or .xlsx file, a folder holding one such file (an example's "
    "folder, a `shoring demo` output) or a folder of CSV tables."
)
"""Help of every NETWORK argument (rule: :func:`shoring.network.io.network_source`)."""


def _parser(kind: Any) -> Callable[[Any], Any]:
    adapter = TypeAdapter(kind)

    def parse(value: Any) -> Any:
        if value is None:
            return None
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            # BadParameter is no ValueError: pydantic (inside typer) lets it through
            raise typer.BadParameter(error_message(exc.errors()[0])) from None

    return parse


fraction = _parser(Fraction)
"""A share in [0, 1]: ``0.05`` or ``5%``."""

amount = _parser(Amount)
"""A finite number >= 0 (USD, days, weights)."""

positive = _parser(PositiveAmount)
"""A finite number > 0 (seconds, days)."""

year = _parser(Year)
"""A calendar year."""


def whole(low: int, high: int) -> Callable[[Any], Any]:
    """A parser for a whole number in ``[low, high]``.

    Parameters
    ----------
    low, high : int
        Inclusive bounds.

    Returns
    -------
    callable
        ``str | int -> int``, raising :class:`typer.BadParameter` outside the bounds.
    """
    return _parser(Annotated[int, BeforeValidator(finite_number), Field(ge=low, le=high)])


def comma_list(kind: Any) -> Callable[[Any], Any]:
    """A parser for a comma-separated option (``--probabilities 0.5,0.5``), item by item.

    Parameters
    ----------
    kind : type
        Field type of each item (e.g. :data:`~shoring.fields.Fraction`).

    Returns
    -------
    callable
        ``str | None -> list | None``, raising :class:`typer.BadParameter` that names
        the first bad item.
    """
    parse = _parser(kind)

    def parse_list(text: Any) -> list[Any] | None:
        if text is None or isinstance(text, list):
            return text
        items = [part.strip() for part in str(text).split(",") if part.strip()]
        try:
            return [parse(item) for item in items]
        except typer.BadParameter as exc:
            raise typer.BadParameter(f"{exc.message} (in {text!r})") from None

    return parse_list


def choice(*names: str) -> Callable[[Any], Any]:
    """A parser for a word among ``names`` (``--objective cvar``).

    Parameters
    ----------
    *names : str
        The accepted words.

    Returns
    -------
    callable
        ``str -> str``, raising :class:`typer.BadParameter` that lists the words.
    """

    def parse(value: Any) -> Any:
        if value is None or value in names:
            return value
        raise typer.BadParameter(f"must be one of {', '.join(names)}, not {value!r}")

    return parse


_TYPE_NAMES = {
    "str": "TEXT",
    "Any": "TEXT",
    "int": "INTEGER",
    "int range": "INTEGER",
    "float": "FLOAT",
    "float range": "FLOAT",
    "path": "PATH",
    "Path": "PATH",
    "bool": "",
}
"""Typer's type labels (``<str>``, ``<list[int]>``) as click's metavars (``TEXT``)."""


def plain_metavar(label: str) -> str:
    """Click-style metavar of a typer type label.

    Parameters
    ----------
    label : str
        As typer shows it: ``"<str>"``, ``"<list[int]>"``, ``"<bool>"``, ``"<a|b>"``.

    Returns
    -------
    str
        ``"TEXT"``, ``"INTEGER..."`` (a repeatable option), ``""`` (a flag), choices
        as they are (``"a|b"``).
    """
    inner = label.removeprefix("<").removesuffix(">")
    many = inner.startswith("list[") and inner.endswith("]")
    if many:
        inner = inner[5:-1]
    name = _TYPE_NAMES.get(inner, inner)
    return f"{name}..." if many and name else name


def plain_metavars(command: Any) -> None:
    """Give every parameter of ``command`` and its subcommands a click-style metavar.

    Typer shows a parameter's Python type (``<bool>`` after a flag, ``<list[str]>`` for a
    repeatable option); the help shows click's words instead: no type after a flag,
    ``TEXT``, ``INTEGER``, ``PATH``, ``TEXT...`` for a repeatable option (``-s A -s B``).
    A metavar given with the option is kept.

    Parameters
    ----------
    command : click.Command
        Typer's command or group, changed in place.
    """
    ctx = type(command).context_class(command)
    for param in [*command.params, command.get_help_option(ctx)]:  # help: built once, cached
        if param is None:
            continue
        if getattr(param, "metavar", None) is not None:
            continue
        if getattr(param, "is_flag", False):
            label = None
        else:
            label = plain_metavar(str(param.display_type_rich(ctx=ctx))) or None
        # an instance attribute: typer asks the parameter for it when it renders the help
        param.display_type_rich = lambda ctx, label=label: label
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)
