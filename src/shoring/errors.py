"""Error types shared by every layer.

Every problem with user input is a :class:`Problem` that names where it is
(file, sheet, row, field) and what is wrong. A :class:`ShoringInputError` carries
one or more problems; the CLI prints them one per line and exits with code 2,
the web app answers 4xx with the same text.
"""

from __future__ import annotations

import math
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


class InputWarning(UserWarning):
    """A located doubt about user input that does not stop the run.

    Raised through :func:`warnings.warn`; the CLI prints each as ``warning: <problem>``
    on stderr. The message says how to silence it when the value is right.

    Parameters
    ----------
    problem : Problem
        Where and what.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


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


NO_PLAN_EXIT_CODE = 3
"""CLI exit code when a valid input leaves no plan (2 is bad input)."""


class NoPlanError(ShoringError):
    """A valid model for which the solver returned no plan.

    The CLI prints the message and exits with :data:`NO_PLAN_EXIT_CODE` (3), not 2:
    the input was read and checked; the optimizer ended without a plan.

    Parameters
    ----------
    message : str
        What happened, in words (e.g. "no plan within the time limit of 0.001 s").
    status : str
        Solve status value: ``"infeasible"``, ``"no_solution"`` (a limit reached before
        any plan), ``"unbounded"`` or ``"error"`` (numerical trouble).
    solver_status : str, optional
        The solver's own status text, e.g. ``"Time limit reached"``.
    bound : float, optional
        Best proven lower bound on the objective, when the solver has one.
    """

    exit_code = NO_PLAN_EXIT_CODE

    def __init__(
        self,
        message: str,
        status: str = "no_solution",
        solver_status: str | None = None,
        bound: float | None = None,
    ) -> None:
        self.status = status
        self.solver_status = solver_status
        self.bound = bound
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready outcome: ``status, solver_status, message, objective, gap, bound``.

        Returns
        -------
        dict
            ``objective`` and ``gap`` are None (no plan); ``bound`` None when unknown.
        """
        bound = self.bound if self.bound is not None and math.isfinite(self.bound) else None
        return {
            "status": self.status,
            "solver_status": self.solver_status,
            "message": str(self),
            "objective": None,
            "gap": None,
            "bound": bound,
        }


class InfeasibleModelError(NoPlanError):
    """An optimization model has no solution; ``diagnosis`` says why in words."""

    def __init__(self, diagnosis: str) -> None:
        self.diagnosis = diagnosis
        super().__init__(f"the model is infeasible: {diagnosis}", status="infeasible")
