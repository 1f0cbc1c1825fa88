"""YAML read with bounded cost: the loader behind network and scenario files.

PyYAML's ``SafeLoader`` builds no arbitrary objects, but a small file can still cost
far more than its size: aliases that nest ("billion laughs": 1.5 KB expanding to
43 million values), an anchor that refers to itself, or thousands of nested brackets
(PyYAML composes recursively and fails with a ``RecursionError``). :func:`compose`
refuses such documents before anything walks them, with a located
:class:`~shoring.errors.ShoringInputError`:

- the text may hold at most :data:`MAX_BYTES`;
- nesting may be at most :data:`MAX_DEPTH` levels deep, as written and after aliases
  are expanded;
- aliases may add at most :data:`MAX_ALIAS_GROWTH` times the document's own values (or
  :data:`MIN_ALIAS_ALLOWANCE` values for a small document) -- anchors used to share a list
  (``exempt_hs: *s232``) are far below that;
- an alias inside the node it names (a recursive structure) is refused.

A date that does not exist in the calendar (``2026-02-30``) is kept as text, so the
model that reads it reports the field instead of the loader failing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shoring.errors import Problem, ShoringInputError

MAX_BYTES = 32 * 2**20
"""Largest YAML text read (32 MiB)."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted (a network file needs 4)."""

MAX_ALIAS_GROWTH = 1
"""Aliases may add at most this many times the document's own values ..."""

MIN_ALIAS_ALLOWANCE = 100_000
"""... or this many values, whichever is larger."""


class _LimitExceeded(yaml.YAMLError):
    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that stops composing at :data:`MAX_DEPTH` and keeps invalid dates
    as text (see the module docstring)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _LimitExceeded(f"nested more than {MAX_DEPTH} levels deep", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A YAML timestamp, or its text when it is no calendar date (``2026-02-30``)."""
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return node.value


BoundedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", BoundedLoader.construct_lenient_timestamp
)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse recursive aliases, deep or runaway expansions (iterative, linear time)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[key] > MAX_DEPTH:
                message = f"aliases nest values more than {MAX_DEPTH} levels deep"
                raise _LimitExceeded(message, node.start_mark)
            continue
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                message = "recursive alias: an anchor is used inside the value it names"
                raise _LimitExceeded(message, child.start_mark)
            if id(child) not in size:
                stack.append((child, False))
    distinct = len(size)
    expanded = size[id(root)]
    allowance = max(MAX_ALIAS_GROWTH * distinct, MIN_ALIAS_ALLOWANCE)
    if expanded - distinct > allowance:
        message = (
            f"aliases expand {distinct:,} written values to {expanded:,} "
            f"(at most {distinct + allowance:,} accepted): write the values out "
            "instead of nesting aliases"
        )
        raise _LimitExceeded(message)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def compose(text: str, file: str) -> tuple[yaml.Node | None, BoundedLoader]:
    """Compose one YAML document with bounded cost (see the module docstring).

    Parameters
    ----------
    text : str
        The YAML text.
    file : str
        File name to use in problems.

    Returns
    -------
    tuple of (yaml.Node or None, BoundedLoader)
        The root node (None for an empty document) and the loader, whose
        ``construct_object`` / ``construct_document`` build Python values from nodes;
        call its ``dispose()`` when done.

    Raises
    ------
    ShoringInputError
        For a syntax error (located by line), more than one document, or a document
        beyond the limits.
    """
    if len(text) > MAX_BYTES:
        message = f"the file holds {len(text):,} characters; at most {MAX_BYTES:,} are read"
        raise ShoringInputError([Problem(file, message)])
    try:
        loader = BoundedLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        row = text.count("\n", 0, exc.position) + 1
        message = f"YAML error: character {exc.character!r} is not allowed in YAML text"
        raise ShoringInputError([Problem(file, message, row=row)]) from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_expansion(root)
    except _LimitExceeded as exc:
        loader.dispose()
        row = exc.mark.line + 1 if exc.mark is not None else None
        raise ShoringInputError([Problem(file, f"YAML refused: {exc.message}", row=row)]) from None
    except yaml.MarkedYAMLError as exc:
        loader.dispose()
        mark = exc.problem_mark or exc.context_mark
        row = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ShoringInputError([Problem(file, f"YAML syntax error: {what}", row=row)]) from None
    except yaml.YAMLError as exc:
        loader.dispose()
        message = f"YAML error: {' '.join(str(exc).split())}"
        raise ShoringInputError([Problem(file, message)]) from None
    return root, loader


def load(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """Parse one YAML document into Python values, with the limits of :func:`compose`.

    Parameters
    ----------
    text : str
        The YAML text.
    file : str
        File name to use in problems.

    Returns
    -------
    tuple of (yaml.Node or None, Any)
        The root node (for locating problems by line) and the constructed data.

    Raises
    ------
    ShoringInputError
        As :func:`compose`.
    """
    root, loader = compose(text, file)
    try:
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        message = f"YAML error: {' '.join(str(exc).split())}"
        raise ShoringInputError([Problem(file, message)]) from None
    finally:
        loader.dispose()
    return root, data


def read_text(path: str | Path, file: str) -> str:
    """Read a YAML file as UTF-8 text, refusing files beyond :data:`MAX_BYTES`.

    Parameters
    ----------
    path : str or Path
        The file.
    file : str
        File name to use in problems.

    Returns
    -------
    str
        The text.

    Raises
    ------
    ShoringInputError
        When the file is missing, unreadable, not UTF-8 or too large.
    """
    target = Path(path)
    try:
        if target.is_file() and target.stat().st_size > MAX_BYTES:
            size = target.stat().st_size
            message = f"the file holds {size:,} bytes; at most {MAX_BYTES:,} are read"
            raise ShoringInputError([Problem(file, message)])
        return target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ShoringInputError([Problem(file, "file not found")]) from None
    except UnicodeDecodeError:
        raise ShoringInputError([Problem(file, "not a UTF-8 text file")]) from None
    except IsADirectoryError:
        raise ShoringInputError([Problem(file, "is a folder, not a file")]) from None
    except OSError as exc:
        raise ShoringInputError([Problem(file, f"cannot read: {exc.strerror}")]) from None
