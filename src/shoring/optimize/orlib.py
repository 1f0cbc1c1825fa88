"""Reader of the OR-Library capacitated warehouse location files (``cap*.txt``).

Format (Beasley 1988, EJOR 33:314-325; OR-Library "capinfo")::

    m n                      # number of warehouses (facilities), customers
    capacity fixed_cost      # m lines, one per facility
    demand                   # then, for each customer: its demand ...
    c_1j c_2j ... c_mj       # ... followed by m allocation costs (may wrap over lines)

A cost ``c_ij`` is the cost of serving the customer's *whole* demand from facility i.
In the large ``capa``/``capb``/``capc`` files the capacity is the literal word
``capacity``; the value is then given by the caller (``capacity=``, CLI ``--capacity``).

Every problem is reported as a :class:`~shoring.errors.Problem` with the file and the
1-based line number, e.g. ``cap41.txt:3: fixed cost is not a number: '7500,0'``.

Copies of capa/capb/capc circulate in which every ``300`` inside a number became
``1000`` (:mod:`~shoring.optimize.orlib_repair` explains and undoes it); the reader
refuses them (:func:`substituted_300`) rather than return 0.2-0.3 % dearer instances.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError
from shoring.optimize.cflp import CFLPInstance

__all__ = ["parse_orlib_cap", "read_orlib_cap", "substituted_300"]

_MAX_PROBLEMS = 20
_MIN_EXPECTED_300 = 20.0
"""Numbers long enough that about this many would contain "300" by chance (P(none) =
exp(-20) ~ 2e-9 for random digits) before a file without any counts as altered."""


def read_orlib_cap(
    path: str | Path,
    capacity: float | None = None,
    name: str | None = None,
    *,
    override: bool = False,
    check_copy: bool = True,
) -> CFLPInstance:
    """Read an OR-Library ``cap*.txt`` file.

    Parameters
    ----------
    path : str or Path
        The file.
    capacity : float, optional
        Capacity of every facility, for files whose capacity column is the word
        ``capacity`` (capa/capb/capc). Must be omitted for files with numeric capacities.
    name : str, optional
        Instance name; default the file stem (``"cap41"``).
    override : bool
        Use ``capacity`` for every facility whatever the file's capacity column holds
        (copies of capa/capb/capc circulate with a number in place of the word
        ``capacity``; the four instances of each file differ only by this value).
    check_copy : bool
        Refuse a copy whose numbers had every ``300`` replaced by ``1000``
        (:func:`substituted_300`).

    Returns
    -------
    CFLPInstance
        Facilities and customers in file order (numbered from 1 in results).

    Raises
    ------
    ShoringInputError
        Missing or unreadable file, malformed content, or an altered copy; each problem
        names the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ShoringInputError([Problem(str(path), "no such file")]) from None
    except IsADirectoryError:
        raise ShoringInputError([Problem(str(path), "is a directory, not a file")]) from None
    except UnicodeDecodeError:
        raise ShoringInputError([Problem(str(path), "not a text file")]) from None
    return parse_orlib_cap(
        text,
        file=str(path),
        capacity=capacity,
        name=name or path.stem,
        override=override,
        check_copy=check_copy,
    )


def parse_orlib_cap(
    text: str,
    file: str = "<string>",
    capacity: float | None = None,
    name: str | None = None,
    *,
    override: bool = False,
    check_copy: bool = True,
) -> CFLPInstance:
    """Parse the text of an OR-Library ``cap*.txt`` file.

    Parameters
    ----------
    text : str
        File content.
    file : str
        Name used in error messages.
    capacity : float, optional
        See :func:`read_orlib_cap`.
    name : str, optional
        Instance name; default ``file``.
    override, check_copy : bool
        See :func:`read_orlib_cap`.

    Returns
    -------
    CFLPInstance

    Raises
    ------
    ShoringInputError
        Malformed content or an altered copy, located by line.
    """
    if capacity is not None and not (np.isfinite(capacity) and capacity > 0):
        raise ShoringInputError([Problem(file, f"capacity must be > 0, got {capacity}")])
    if override and capacity is None:
        raise ShoringInputError([Problem(file, "override needs a capacity value")])
    split = [line.split() for line in text.splitlines()]
    # (line number, tokens) of non-blank lines
    lines = [(i + 1, toks) for i, toks in enumerate(split) if toks]
    last_line = max(len(split), 1)
    if not lines:
        raise ShoringInputError([Problem(file, "empty file", row=1)])

    m, n = _header(file, *lines[0])
    if len(lines) < 1 + m:
        raise ShoringInputError(
            [
                Problem(
                    file,
                    f"file ends after {len(lines) - 1} of {m} facility lines "
                    "('capacity fixed_cost')",
                    row=last_line,
                )
            ]
        )
    cap, fixed = _facilities(file, lines[1 : 1 + m], capacity, override)

    rest = lines[1 + m :]
    tokens = [t for _, toks in rest for t in toks]
    token_line = np.repeat(
        np.array([ln for ln, _ in rest], dtype=np.int64),
        [len(toks) for _, toks in rest],
    )
    per_customer = m + 1
    expected = n * per_customer
    if len(tokens) < expected:
        done = len(tokens) // per_customer
        raise ShoringInputError(
            [
                Problem(
                    file,
                    f"file ends in customer {done + 1} of {n}: expected {expected} values "
                    f"after the facility lines (per customer a demand and {m} costs), "
                    f"found {len(tokens)}",
                    row=last_line,
                )
            ]
        )
    if len(tokens) > expected:
        raise ShoringInputError(
            [
                Problem(
                    file,
                    f"unexpected value {tokens[expected]!r} after the last customer "
                    f"({n} customers, each a demand and {m} costs)",
                    row=int(token_line[expected]),
                )
            ]
        )
    if check_copy and substituted_300(tokens):
        first = next(k for k, t in enumerate(tokens) if "1000" in t)
        raise ShoringInputError(
            [
                Problem(
                    file,
                    f"no number after the facility lines contains '300' (about "
                    f"{_expected_300(tokens):.0f} would by chance) but "
                    f"{sum('1000' in t for t in tokens)} contain '1000', e.g. {tokens[first]!r}: "
                    "a copy in which every '300' was replaced by '1000' (public copies of "
                    "OR-Library capa/capb/capc are); use Beasley's original file, or "
                    "shoring.optimize.orlib_repair.undo_300_substitution",
                    row=int(token_line[first]),
                )
            ]
        )
    values = _numbers(file, tokens, token_line, per_customer)
    table = values.reshape(n, per_customer)
    return CFLPInstance(
        name=name if name is not None else file,
        capacity=cap,
        fixed_cost=fixed,
        demand=table[:, 0],
        cost=table[:, 1:].T,
    )


def _expected_300(tokens: list[str]) -> float:
    """Expected number of tokens containing "300" if their digits were random."""
    digits = pd.Series(tokens, dtype=object).str.count(r"\d").to_numpy()
    return float(np.maximum(digits - 2, 0).sum() / 1000.0)


def substituted_300(tokens: list[str]) -> bool:
    """Whether numbers had every ``300`` replaced by ``1000``.

    Parameters
    ----------
    tokens : list of str
        The numbers as written (e.g. the customer block of a ``cap*.txt`` file).

    Returns
    -------
    bool
        True when enough digits are present that about :data:`_MIN_EXPECTED_300` numbers
        or more would contain ``300`` by chance, none does, and at least a quarter of that
        many contain ``1000``. Public copies of capa/capb/capc have none in about 101,000
        numbers where ``200`` appears in about 700.
    """
    expected = _expected_300(tokens)
    if expected < _MIN_EXPECTED_300:
        return False
    text = pd.Series(tokens, dtype=object)
    if text.str.contains("300", regex=False).any():
        return False
    return bool(text.str.contains("1000", regex=False).sum() >= expected / 4)


def _header(file: str, line: int, toks: list[str]) -> tuple[int, int]:
    def fail(message: str) -> ShoringInputError:
        return ShoringInputError([Problem(file, message, row=line)])

    if len(toks) != 2:
        raise fail(f"first line must be 'm n' (two integers), got {' '.join(toks)!r}")
    try:
        m, n = (int(t) for t in toks)
    except ValueError:
        raise fail(f"first line must be 'm n' (two integers), got {' '.join(toks)!r}") from None
    if m < 1 or n < 1:
        raise fail(f"numbers of facilities and customers must be >= 1, got {m} {n}")
    return m, n


def _facilities(
    file: str, lines: list[tuple[int, list[str]]], capacity: float | None, override: bool
) -> tuple[np.ndarray, np.ndarray]:
    problems: list[Problem] = []
    cap = np.empty(len(lines))
    fixed = np.empty(len(lines))
    for k, (line, toks) in enumerate(lines):
        if len(toks) != 2:
            problems.append(
                Problem(
                    file,
                    f"facility {k + 1}: expected 'capacity fixed_cost' (two values), "
                    f"got {len(toks)}: {' '.join(toks)!r}",
                    row=line,
                )
            )
            continue
        if override and capacity is not None:
            cap[k] = capacity
        elif toks[0].lower() == "capacity":
            if capacity is None:
                problems.append(
                    Problem(
                        file,
                        f"facility {k + 1}: capacity is the word 'capacity' (capa/capb/capc "
                        "file); give the capacity value (CLI: --capacity N)",
                        row=line,
                    )
                )
                continue
            cap[k] = capacity
        else:
            if capacity is not None:
                problems.append(
                    Problem(
                        file,
                        f"facility {k + 1}: the file gives a numeric capacity {toks[0]!r}; "
                        "a capacity value (--capacity) applies only to files whose capacity "
                        "is the word 'capacity'",
                        row=line,
                    )
                )
                continue
            cap[k] = _number(file, line, toks[0], f"facility {k + 1}: capacity", problems, 0.0)
        fixed[k] = _number(file, line, toks[1], f"facility {k + 1}: fixed cost", problems, None)
    if problems:
        raise ShoringInputError(problems[:_MAX_PROBLEMS])
    return cap, fixed


def _number(
    file: str,
    line: int,
    token: str,
    what: str,
    problems: list[Problem],
    strictly_above: float | None,
) -> float:
    try:
        value = float(token)
    except ValueError:
        problems.append(Problem(file, f"{what} is not a number: {token!r}", row=line))
        return np.nan
    if not np.isfinite(value):
        problems.append(Problem(file, f"{what} must be finite, got {token!r}", row=line))
    elif strictly_above is not None and not value > strictly_above:
        problems.append(
            Problem(file, f"{what} must be > {strictly_above:g}, got {token}", row=line)
        )
    elif value < 0:
        problems.append(Problem(file, f"{what} cannot be negative, got {token}", row=line))
    return value


def _numbers(file: str, tokens: list[str], token_line: np.ndarray, per_customer: int) -> np.ndarray:
    """Convert the customer block to floats; locate every bad token (vectorized)."""
    values = pd.to_numeric(pd.Series(tokens, dtype=object), errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values) | (values < 0)
    if not bad.any():
        return values
    problems = []
    for pos in np.flatnonzero(bad)[:_MAX_PROBLEMS]:
        customer, offset = divmod(int(pos), per_customer)
        what = (
            f"customer {customer + 1}: demand"
            if offset == 0
            else f"customer {customer + 1}: cost from facility {offset}"
        )
        token = tokens[pos]
        if np.isnan(values[pos]) and token.lower() not in ("nan", "+nan", "-nan"):
            message = f"{what} is not a number: {token!r}"
        elif not np.isfinite(values[pos]):
            message = f"{what} must be finite, got {token!r}"
        else:
            message = f"{what} cannot be negative, got {token}"
        problems.append(Problem(file, message, row=int(token_line[pos])))
    raise ShoringInputError(problems)
