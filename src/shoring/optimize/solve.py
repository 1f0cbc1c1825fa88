"""Run HiGHS on a linopy model: options, timing, status mapping, infeasibility diagnosis.

Every optimization model in :mod:`shoring.optimize` is built with linopy and solved
through :func:`solve`, which

- passes the options of :class:`SolveOptions` (time limit, relative MIP gap, threads,
  log file) to HiGHS through linopy's direct API (no LP file is written);
- keeps stdout clean so ``--json`` output can be piped: the HiGHS banner is dropped
  and a verbose console log goes to stderr;
- times the hand-over to the solver separately from the solver's own run time;
- maps HiGHS' model status to the small :class:`SolveStatus` enum (a time-limited
  MILP with an incumbent is ``FEASIBLE``, without one ``NO_SOLUTION``);
- raises :class:`~shoring.errors.InfeasibleModelError` for an infeasible model, with
  a diagnosis naming the constraints of an irreducible infeasible subsystem (IIS)
  when HiGHS can compute one.

The linopy ``Model`` is never part of a public result: model modules wrap the
:class:`SolveReport` and the solution values in domain results.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import highspy
import linopy

from shoring.errors import InfeasibleModelError, NoPlanError

__all__ = [
    "SolveOptions",
    "SolveReport",
    "SolveStatus",
    "Stopwatch",
    "diagnose_infeasibility",
    "highs_report",
    "no_plan_error",
    "rerun",
    "run_highs",
    "solve",
]


class SolveStatus(StrEnum):
    """Outcome of a solve, independent of the solver's own vocabulary.

    Attributes
    ----------
    OPTIMAL
        Proven optimal (for a MILP: within the requested relative gap).
    FEASIBLE
        Stopped at a limit (time, iterations, ...) with a feasible solution.
    NO_SOLUTION
        Stopped at a limit before any feasible solution was found.
    INFEASIBLE
        No solution exists.
    UNBOUNDED
        The objective can be improved without limit.
    ERROR
        The solver failed (numerical trouble, memory, bad model).

    The CLI exits with 0 for ``OPTIMAL`` and ``FEASIBLE`` (a plan, with its gap and
    bound) and with :data:`shoring.errors.NO_PLAN_EXIT_CODE` for the others.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        """Whether primal values are available (``OPTIMAL`` or ``FEASIBLE``).

        Returns
        -------
        bool
            True for ``OPTIMAL`` and ``FEASIBLE``.
        """
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def describe(self, solver_status: str = "") -> str:
        """The outcome in words, e.g. "no plan within the time limit".

        Parameters
        ----------
        solver_status : str
            HiGHS' status text (``"Time limit reached"``), used to name the limit.

        Returns
        -------
        str
            A short phrase without a trailing period.
        """
        limit = _limit_words(solver_status)
        return {
            SolveStatus.OPTIMAL: "optimal",
            SolveStatus.FEASIBLE: f"a plan, stopped at {limit} before proving it optimal",
            SolveStatus.NO_SOLUTION: f"no plan within {limit}",
            SolveStatus.INFEASIBLE: "infeasible: no plan meets every rule",
            SolveStatus.UNBOUNDED: "unbounded: the cost can fall without limit (check for "
            "negative costs without a capacity)",
            SolveStatus.ERROR: f"numerical trouble in the solver ({solver_status or 'error'})",
        }[self]


def _limit_words(solver_status: str) -> str:
    text = solver_status.lower()
    for key, words in (
        ("time", "the time limit"),
        ("iteration", "the iteration limit"),
        ("solution limit", "the solution limit"),
        ("memory", "the memory limit"),
        ("interrupt", "an interrupt"),
        ("objective", "the objective bound"),
    ):
        if key in text:
            return words
    return f"a solver limit ({solver_status})" if solver_status else "a solver limit"


_LIMITS = frozenset(
    {
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kObjectiveBound,
        highspy.HighsModelStatus.kObjectiveTarget,
        highspy.HighsModelStatus.kInterrupt,
        highspy.HighsModelStatus.kHighsInterrupt,
        highspy.HighsModelStatus.kMemoryLimit,
    }
)
_FEASIBLE_SOLUTION = int(highspy.SolutionStatus.kSolutionStatusFeasible)
_NAN = float("nan")


def status_from_highs(model_status: highspy.HighsModelStatus, primal_status: int) -> SolveStatus:
    """Map a HiGHS model status (and primal solution status) to :class:`SolveStatus`.

    Parameters
    ----------
    model_status : highspy.HighsModelStatus
        ``Highs.getModelStatus()`` after a run.
    primal_status : int
        ``Highs.getInfo().primal_solution_status`` (2 = feasible).

    Returns
    -------
    SolveStatus
        ``kUnboundedOrInfeasible`` maps to ``INFEASIBLE``; :func:`solve` first re-runs
        without presolve to tell the two apart.
    """
    if model_status == highspy.HighsModelStatus.kOptimal:
        return SolveStatus.OPTIMAL
    if model_status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return SolveStatus.INFEASIBLE
    if model_status == highspy.HighsModelStatus.kUnbounded:
        return SolveStatus.UNBOUNDED
    if model_status in _LIMITS:
        if primal_status == _FEASIBLE_SOLUTION:
            return SolveStatus.FEASIBLE
        return SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """Solver settings common to every model.

    Parameters
    ----------
    time_limit : float, optional
        Wall-clock limit of the solver run in seconds (HiGHS ``time_limit``).
        ``None``: no limit.
    mip_rel_gap : float, optional
        Relative MIP gap at which HiGHS stops, as a fraction (``1e-4`` = 0.01 %).
        ``None``: the HiGHS default (1e-4).
    threads : int, optional
        Number of solver threads. ``None``: HiGHS chooses.
    log_file : path, optional
        Write the full HiGHS log to this file.
    verbose : bool
        Also print the HiGHS log (to stderr; stdout stays clean).
    highs_options : mapping
        Any further HiGHS options by their HiGHS name, e.g. ``{"presolve": "off"}``.
    """

    time_limit: float | None = None
    mip_rel_gap: float | None = None
    threads: int | None = None
    log_file: Path | None = None
    verbose: bool = False
    highs_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {self.time_limit}")
        if self.mip_rel_gap is not None and not 0 <= self.mip_rel_gap < 1:
            raise ValueError(f"mip_rel_gap must be a fraction in [0, 1), got {self.mip_rel_gap}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")

    def to_highs(self) -> dict[str, Any]:
        """HiGHS option names and values (``log_file`` is passed separately).

        Returns
        -------
        dict of str to Any
            ``output_flag`` and ``log_to_console`` from ``verbose``/``log_file``, the set
            limits, then ``highs_options`` (which override the rest).
        """
        opts: dict[str, Any] = {
            "output_flag": bool(self.verbose or self.log_file is not None),
            "log_to_console": bool(self.verbose),
        }
        if self.time_limit is not None:
            opts["time_limit"] = float(self.time_limit)
        if self.mip_rel_gap is not None:
            opts["mip_rel_gap"] = float(self.mip_rel_gap)
        if self.threads is not None:
            opts["threads"] = int(self.threads)
        opts.update(self.highs_options)
        return opts


@dataclass(frozen=True, slots=True)
class SolveReport:
    """What a solve produced, apart from the variable values.

    Attributes
    ----------
    status : SolveStatus
        Outcome.
    solver_status : str
        HiGHS' own model status text, e.g. ``"Optimal"`` or ``"Time limit reached"``.
    objective : float
        Objective of the returned solution; ``nan`` without a solution.
    dual_bound : float
        Best proven bound (MILP); equals ``objective`` for an optimal LP; ``nan`` if
        unknown.
    mip_gap : float
        Relative gap ``|objective - dual_bound| / |objective|`` reported by HiGHS (a
        fraction); ``0.0`` for an LP solved to optimality; ``nan`` if unknown.
    transfer_seconds : float
        Wall time linopy needed to hand the model to HiGHS (matrix assembly and
        loading), i.e. the wall time of the solve call minus ``solve_seconds``.
    solve_seconds : float
        HiGHS' own run time (presolve, simplex, branch and bound).
    """

    status: SolveStatus
    solver_status: str
    objective: float
    dual_bound: float
    mip_gap: float
    transfer_seconds: float
    solve_seconds: float


@dataclass(slots=True)
class Stopwatch:
    """Wall-clock timer: ``with Stopwatch() as sw: ...``; then ``sw.seconds``."""

    seconds: float = 0.0
    _start: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


@contextlib.contextmanager
def _quiet_stdout(to_stderr: bool = False) -> Iterator[None]:
    """Keep C-level writes to file descriptor 1 (the HiGHS banner and log) off stdout.

    They go to stderr when ``to_stderr`` (verbose solves), otherwise to the null device.
    """
    try:
        out_fd = sys.stdout.fileno()
        target_fd = sys.stderr.fileno() if to_stderr else None
    except (AttributeError, OSError, ValueError):  # captured streams without a descriptor
        yield
        return
    sys.stdout.flush()
    saved = os.dup(out_fd)
    devnull = None
    try:
        if target_fd is None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            target_fd = devnull
        os.dup2(target_fd, out_fd)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, out_fd)
        os.close(saved)
        if devnull is not None:
            os.close(devnull)


@contextlib.contextmanager
def _quiet_linopy_status() -> Iterator[None]:
    """Silence linopy's own "Optimization potentially failed" warning: we report status."""
    logger = logging.getLogger("linopy.constants")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _info(h: highspy.Highs, name: str) -> float:
    try:
        return float(getattr(h.getInfo(), name))
    except Exception:  # pragma: no cover - depends on the HiGHS build
        return float("nan")


def solve(
    model: linopy.Model,
    options: SolveOptions | None = None,
    *,
    raise_infeasible: bool = True,
) -> SolveReport:
    """Solve ``model`` with HiGHS and report the outcome.

    Parameters
    ----------
    model : linopy.Model
        A fully built model (variables, constraints, objective).
    options : SolveOptions, optional
        Solver settings; defaults to ``SolveOptions()``.
    raise_infeasible : bool
        Raise :class:`~shoring.errors.InfeasibleModelError` when the model is infeasible
        (the default). With ``False`` the report says ``INFEASIBLE`` instead.

    Returns
    -------
    SolveReport
        Status, objective, bound, gap and timings. When ``report.status.has_solution``
        the variable values are in ``model.solution``.

    Raises
    ------
    InfeasibleModelError
        The model has no feasible solution; ``diagnosis`` names the constraints of an
        irreducible infeasible subsystem when HiGHS finds one.

    Notes
    -----
    - A model HiGHS' presolve calls "unbounded or infeasible" is re-run once without
      presolve to tell which.
    - ``model.solver_model`` (the ``highspy.Highs`` object) stays available for
      introspection until the next solve.
    """
    options = options or SolveOptions()
    with _quiet_stdout(options.verbose), _quiet_linopy_status(), Stopwatch() as wall:
        model.solve(
            solver_name="highs",
            io_api="direct",
            log_fn=options.log_file,
            **options.to_highs(),
        )
    is_mip = bool(len(model.binaries) + len(model.integers))
    report = highs_report(model.solver_model, is_mip, wall.seconds, options)
    if report.status is SolveStatus.INFEASIBLE and raise_infeasible:
        raise InfeasibleModelError(diagnose_infeasibility(model))
    return report


def rerun(h: highspy.Highs, is_mip: bool, options: SolveOptions | None = None) -> SolveReport:
    """Solve a HiGHS model again from scratch after changing it in place.

    The solution and basis of the previous run are cleared first, so the run is the
    one a freshly loaded copy of the same model would make.

    Parameters
    ----------
    h : highspy.Highs
        A model loaded by :func:`solve` (``model.solver_model``) and changed since, e.g.
        with ``changeColsCost`` / ``changeColsBounds``.
    is_mip : bool
        Whether the model has integer columns (for the gap and bound).
    options : SolveOptions, optional
        Only ``verbose`` is read: HiGHS keeps the options of the first solve.

    Returns
    -------
    SolveReport
        As :func:`solve` (infeasibility is reported, not raised); the values are in
        ``h.getSolution().col_value``, by HiGHS column.
    """
    options = options or SolveOptions()
    with _quiet_stdout(options.verbose), Stopwatch() as wall:
        h.clearSolver()
        run_highs(h)
    return highs_report(h, is_mip, wall.seconds, options)


def run_highs(h: highspy.Highs) -> None:
    """``h.run()`` in a thread of its own, as linopy runs HiGHS.

    HiGHS keeps one task scheduler per thread: a thread whose scheduler was started for
    another ``threads`` option refuses to run (model status "Not Set"), so a model run
    again in a process that solved others with other thread counts must start afresh.
    Ctrl-C cancels the solve.

    Parameters
    ----------
    h : highspy.Highs
        A loaded model.
    """
    error: list[BaseException] = []

    def target() -> None:
        try:
            h.run()
        except BaseException as exc:  # pragma: no cover - re-raised below
            error.append(exc)

    thread = threading.Thread(target=target, name="shoring-highs-run", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        h.cancelSolve()
        thread.join()
        raise
    if error:
        raise error[0]


def highs_report(
    h: highspy.Highs, is_mip: bool, wall_seconds: float, options: SolveOptions
) -> SolveReport:
    """The :class:`SolveReport` of a HiGHS run (one rule for :func:`solve` and :func:`rerun`).

    A model HiGHS' presolve calls "unbounded or infeasible" is run once more without
    presolve to tell which.
    """
    model_status = h.getModelStatus()
    if model_status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        with _quiet_stdout(options.verbose):
            h.setOptionValue("presolve", "off")
            run_highs(h)
        model_status = h.getModelStatus()
    solve_seconds = float(h.getRunTime())
    status = status_from_highs(model_status, int(_info(h, "primal_solution_status")))
    objective = _info(h, "objective_function_value") if status.has_solution else _NAN
    if is_mip:
        dual_bound = _info(h, "mip_dual_bound")
        mip_gap = _info(h, "mip_gap") if status.has_solution else _NAN
    else:
        optimal = status is SolveStatus.OPTIMAL
        dual_bound = objective if optimal else _NAN
        mip_gap = 0.0 if optimal else _NAN
    return SolveReport(
        status=status,
        solver_status=h.modelStatusToString(model_status),
        objective=objective,
        dual_bound=dual_bound,
        mip_gap=mip_gap,
        transfer_seconds=max(wall_seconds - solve_seconds, 0.0),
        solve_seconds=solve_seconds,
    )


def diagnose_infeasibility(model: linopy.Model, max_listed: int = 8) -> str:
    """Describe why a solved-infeasible model has no solution, in words.

    Parameters
    ----------
    model : linopy.Model
        A model that HiGHS has just reported infeasible.
    max_listed : int
        List at most this many constraints of the IIS.

    Returns
    -------
    str
        E.g. ``"an irreducible infeasible subsystem of 3 constraints: Customer-demand-eq
        (customer=4), ..."``; a generic sentence when no IIS is available (for a MILP
        whose LP relaxation is feasible, HiGHS cannot compute one).
    """
    try:
        with _quiet_stdout():
            labels = model.compute_infeasibilities()
    except Exception:
        labels = []
    if not labels:
        return (
            "the solver proved infeasibility but found no irreducible infeasible subsystem "
            "of the linear relaxation (integrality may be the cause)"
        )
    positions = model.constraints.get_label_position(labels[:max_listed])
    if isinstance(positions, tuple):
        positions = [positions]
    parts = []
    for name, coord in positions:
        where = ", ".join(f"{k}={v}" for k, v in (coord or {}).items())
        parts.append(f"{name} ({where})" if where else str(name))
    more = f" and {len(labels) - max_listed} more" if len(labels) > max_listed else ""
    noun = "constraint" if len(labels) == 1 else "constraints"
    return (
        f"an irreducible infeasible subsystem of {len(labels)} {noun}: " + "; ".join(parts) + more
    )


def no_plan_error(report: SolveReport, options: SolveOptions | None = None) -> NoPlanError:
    """The error to raise for a solve that ended without a plan (not infeasibility).

    Parameters
    ----------
    report : SolveReport
        A report whose status has no solution (``NO_SOLUTION``, ``UNBOUNDED``,
        ``ERROR``).
    options : SolveOptions, optional
        The options used, to name the time limit in the message.

    Returns
    -------
    NoPlanError
        Message e.g. "no plan within the time limit (0.001 s; HiGHS: Time limit
        reached); raise --time-limit or loosen --mip-gap", with status and bound.
    """
    words = report.status.describe(report.solver_status)
    detail = report.solver_status
    if options is not None and options.time_limit is not None and "time" in words:
        detail = f"{options.time_limit:g} s; HiGHS: {report.solver_status}"
    hint = ""
    if report.status is SolveStatus.NO_SOLUTION:
        hint = "; raise the time limit (--time-limit) or loosen the MIP gap (--mip-gap)"
    elif report.status is SolveStatus.ERROR:
        hint = "; check for very large or very small numbers in the input"
    bound = report.dual_bound if math.isfinite(report.dual_bound) else None
    return NoPlanError(
        f"{words} ({detail}){hint}",
        status=report.status.value,
        solver_status=report.solver_status,
        bound=bound,
    )
