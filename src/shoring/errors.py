"""Error types shared by every layer.

Every problem with user input is a :class:`Problem` that names where it is
(file, sheet, row, field) and what is wrong. A :class:`ShoringInputError` carries
one or more problems; the CLI prints them one per line and exits with code 2,
the web app answers 4xx with the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with user input, located as precisely as possible.

    Parameters
    ----------
    file : str
        File name as the user gave it (or a logical name such as ``"<python>"``).
    message : str
        What is wrong, in words a user can act on.
    sheet : str, optional
        Sheet (Excel), table (CSV folder) or section (YAML) holding the value.
    row : int, optional
        1-based row number as the user sees it (Excel row, CSV line, YAML line).
    field : str, optional
        Column or key name.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(str(self.row))
        if self.field is not None:
            parts.append(self.field)
        return ":".join(parts) + ": " + self.message


class ShoringError(Exception):
    """Base class of errors the CLI reports without a traceback (exit code 2)."""


class ShoringInputError(ShoringError):
    """Bad user input: one or more located :class:`Problem` s.

    Parameters
    ----------
    problems : iterable of Problem
        Every problem found; never empty.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("ShoringInputError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownCountryError(ShoringError):
    """A country name or code that cannot be resolved to an ISO3 code.

    Parameters
    ----------
    name : str
        What the user wrote.
    suggestions : sequence of str
        Close matches, formatted ``"ISO3 (Name)"``.
    """

    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown country {name!r}{hint}")


class InfeasibleModelError(ShoringError):
    """An optimization model has no solution; ``diagnosis`` says why in words."""

    def __init__(self, diagnosis: str) -> None:
        self.diagnosis = diagnosis
        super().__init__(f"the model is infeasible: {diagnosis}")
