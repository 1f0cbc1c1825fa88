"""Undo the ``300`` -> ``1000`` substitution of circulating copies of capa/capb/capc.

The copies of OR-Library's ``capa.txt``, ``capb.txt`` and ``capc.txt`` found on GitHub
(e.g. iestero42/CWLP ``data/``, saramcav/AG-Capacitated-Warehouse-Location; the two
agree number for number) are not Beasley's files: every ``300`` inside a number was
replaced by ``1000``. The evidence, per file:

- not one of the ~101,000 numbers contains ``300``; ``200`` and ``400`` each occur in
  600-700 of them, and ``1000`` in ~730 where ``2000`` occurs in ~50;
- ~300 costs have six decimals where all others have five (``25393.100070`` for
  ``25393.30070``) or seven integer digits (``1141000.54470`` for ``114300.54470``);
  capc has a fixed cost ``4100093.`` (``430093.``);
- read as written, capa with capacity 14,000 has the optimum 17,213,942.188 and capb
  with 8,000 13,110,010.843, 0.31 % and 0.21 % above the published 17,160,439.012 and
  13,082,516.496 (OR-Library ``capopt``); capc with 7,250 matches because its optimal
  plan uses no altered number.

A ``1000`` is ambiguous where both readings are well formed (``100047.81949`` may be
itself or ``30047.81949``). :func:`undo_300_substitution` therefore gives two instances:
``low``, every ambiguous number read as altered, and ``high``, read as written; the
original lies between them number by number. If a plan optimal for ``low`` uses no
ambiguous number (:meth:`RepairedCopy.settles`), it costs the same under the original
numbers, and no plan can cost less there than the optimum of ``low``: it is the
original's optimum. Where the plan does use one, :func:`planar_reading` decides each
ambiguous cost from the instance's own geometry: Beasley's per-unit costs (cost of the
whole demand / demand) behave as distances between points in the plane; points fitted
to the unambiguous per-unit costs (a median error of about 5 % on capa) put every
ambiguous cost clearly nearer one of its two readings, which differ by a factor of 3 or
more.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import least_squares

from shoring.errors import Problem, ShoringInputError
from shoring.optimize.cflp import CFLPInstance, CFLPResult
from shoring.optimize.orlib import parse_orlib_cap, substituted_300

__all__ = [
    "PlanarReading",
    "RepairedCopy",
    "planar_reading",
    "read_repaired",
    "undo_300_substitution",
]

_NUMBER = re.compile(r"(0|[1-9]\d*)(\.(\d*))?")


@dataclass(frozen=True)
class RepairedCopy:
    """Both readings of a copy with every ``300`` replaced by ``1000``.

    Attributes
    ----------
    low, high : CFLPInstance
        Ambiguous numbers read as altered (lowest) / as written (highest); numbers with
        a single well-formed reading are restored in both.
    restored : int
        Numbers with a single reading other than as written.
    ambiguous_fixed : ndarray of bool, shape (m,)
        Fixed costs that differ between ``low`` and ``high``.
    ambiguous_cost : ndarray of bool, shape (m, n)
        Allocation costs that differ between ``low`` and ``high``.
    """

    low: CFLPInstance
    high: CFLPInstance
    restored: int
    ambiguous_fixed: np.ndarray
    ambiguous_cost: np.ndarray

    @property
    def n_ambiguous(self) -> int:
        """Number of ambiguous fixed and allocation costs."""
        return int(self.ambiguous_fixed.sum() + self.ambiguous_cost.sum())

    def settles(self, result: CFLPResult, tol: float = 1e-9) -> bool:
        """Whether a plan of ``low`` uses no ambiguous number.

        Parameters
        ----------
        result : CFLPResult
            A solution of :attr:`low`.
        tol : float
            Shares at or below this count as unused.

        Returns
        -------
        bool
            True: the plan's cost is the same under every reading, so an optimal plan of
            ``low`` is optimal for the original file, with the same objective.
        """
        opened = np.zeros(self.low.n_facilities, dtype=bool)
        opened[np.asarray(result.open_facilities, dtype=int) - 1] = True
        share = result.assignment.transpose("facility", "customer").to_numpy()
        return self.plan_settles(opened, share, tol)

    def plan_settles(self, opened: np.ndarray, share: np.ndarray, tol: float = 1e-9) -> bool:
        """:meth:`settles` for a plan given as arrays.

        Parameters
        ----------
        opened : ndarray of bool, shape (m,)
            Open facilities.
        share : ndarray, shape (m, n)
            Fraction of each customer's demand served by each facility (nan: unknown,
            counted as used).
        tol : float
            Shares at or below this count as unused.

        Returns
        -------
        bool
        """
        used = np.nan_to_num(np.asarray(share, dtype=float), nan=1.0) > tol
        fixed_ok = not (np.asarray(opened, dtype=bool) & self.ambiguous_fixed).any()
        return fixed_ok and not (used & self.ambiguous_cost).any()


def _shape(token: str) -> tuple[bool, int, int] | None:
    """(has a decimal point, integer digits, decimals) of a plain number, else None."""
    match = _NUMBER.fullmatch(token)
    if match is None:
        return None
    return match.group(2) is not None, len(match.group(1)), len(match.group(3) or "")


def _readings(token: str) -> list[str]:
    """The token with any set of its non-overlapping ``1000`` put back to ``300``."""
    at = [k for k in range(len(token) - 3) if token.startswith("1000", k)]
    out = set()
    for r in range(len(at) + 1):
        for chosen in itertools.combinations(at, r):
            if any(b - a < 4 for a, b in itertools.pairwise(chosen)):
                continue
            text = token
            for k in reversed(chosen):
                text = text[:k] + "300" + text[k + 4 :]
            out.add(text)
    return sorted(out)


def _undo_column(file: str, tokens: list[str], what: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Low and high values of one kind of number (fixed costs, demands or costs).

    A reading is well formed when it has the decimal point, the number of decimals
    (the most common) and at most the integer digits of the same kind's numbers
    without ``1000``.
    """
    shapes = [_shape(t) for t in tokens]
    clean = [s for t, s in zip(tokens, shapes, strict=True) if s is not None and "1000" not in t]
    if not clean:
        raise ShoringInputError([Problem(file, f"no {what} without '1000' to learn the format")])
    dots, _, decimals = max(set(clean), key=clean.count)
    widest = max(s[1] for s in clean if s[0] == dots and s[2] == decimals)

    def well_formed(text: str) -> bool:
        s = _shape(text)
        return s is not None and s[0] == dots and s[2] == decimals and s[1] <= widest

    low = np.array(
        [float(t) if s is not None else np.nan for t, s in zip(tokens, shapes, strict=True)]
    )
    high = low.copy()
    restored = 0
    for k in (k for k, t in enumerate(tokens) if "1000" in t):
        good = [float(t) for t in _readings(tokens[k]) if well_formed(t)]  # incl. as written
        if not good:
            raise ShoringInputError(
                [Problem(file, f"{what} {tokens[k]!r} has no well-formed reading with '300'")]
            )
        low[k] = min(good)
        high[k] = max(good)  # as written when well formed: a '300' read back shortens it
        restored += len(good) == 1 and not well_formed(tokens[k])
    return low, high, restored


def undo_300_substitution(
    text: str,
    file: str = "<string>",
    capacity: float | None = None,
    name: str | None = None,
    *,
    override: bool = False,
) -> RepairedCopy:
    """Both readings of a ``cap*.txt`` text whose every ``300`` became ``1000``.

    Fixed costs, demands and allocation costs are repaired; capacities are not (the
    capa/capb/capc capacity is the caller's ``capacity``).

    Parameters
    ----------
    text : str
        The altered file's content.
    file, capacity, name, override
        As for :func:`~shoring.optimize.orlib.parse_orlib_cap`.

    Returns
    -------
    RepairedCopy

    Raises
    ------
    ShoringInputError
        Malformed content (located by line), a file that does not show the substitution,
        or a number with no well-formed reading.
    """
    inst = parse_orlib_cap(
        text, file=file, capacity=capacity, name=name, override=override, check_copy=False
    )
    m, n = inst.n_facilities, inst.n_customers
    tokens = text.split()
    fixed_tokens = tokens[3 : 2 + 2 * m : 2]
    customer = np.array(tokens[2 + 2 * m :], dtype=object).reshape(n, m + 1)
    if not substituted_300(list(customer.ravel())):
        raise ShoringInputError(
            [Problem(file, "the numbers do not show a '300' -> '1000' substitution")]
        )
    fixed = _undo_column(file, fixed_tokens, "fixed cost")
    demand = _undo_column(file, list(customer[:, 0]), "demand")
    cost = _undo_column(file, list(customer[:, 1:].ravel()), "cost")
    if not np.array_equal(demand[0], demand[1]):
        raise ShoringInputError([Problem(file, "a demand has two well-formed readings")])

    def instance(k: int) -> CFLPInstance:
        return CFLPInstance(
            name=inst.name,
            capacity=inst.capacity,
            fixed_cost=fixed[k],
            demand=demand[k],
            cost=cost[k].reshape(n, m).T,
        )

    return RepairedCopy(
        low=instance(0),
        high=instance(1),
        restored=fixed[2] + demand[2] + cost[2],
        ambiguous_fixed=fixed[0] != fixed[1],
        ambiguous_cost=(cost[0] != cost[1]).reshape(n, m).T,
    )


def read_repaired(
    path: str | Path,
    capacity: float | None = None,
    name: str | None = None,
    *,
    override: bool = False,
) -> RepairedCopy:
    """:func:`undo_300_substitution` of a file (name: the file stem by default).

    Parameters
    ----------
    path : str or Path
        The altered copy.
    capacity, name, override
        As for :func:`~shoring.optimize.orlib.read_orlib_cap`.

    Returns
    -------
    RepairedCopy

    Raises
    ------
    ShoringInputError
        As :func:`undo_300_substitution`, or a missing file.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ShoringInputError([Problem(str(path), f"cannot read: {exc.strerror}")]) from None
    return undo_300_substitution(
        text, file=str(path), capacity=capacity, name=name or path.stem, override=override
    )


@dataclass(frozen=True)
class PlanarReading:
    """The ambiguous costs of a :class:`RepairedCopy` decided by planar geometry.

    Attributes
    ----------
    instance : CFLPInstance
        ``low`` with each ambiguous cost at the reading nearer the fitted distance.
    as_written : ndarray of bool, shape (m, n)
        Ambiguous costs read as written (the others read as altered).
    margin : float
        Smallest, over ambiguous costs, of ``|log(far / fit)| - |log(near / fit)|`` for the
        per-unit readings: how clearly the nearer reading wins (0: a tie).
    median_error : float
        Median ``|log(per-unit cost / fitted distance)|`` over the unambiguous costs.
    """

    instance: CFLPInstance
    as_written: np.ndarray
    margin: float
    median_error: float


def planar_reading(
    rep: RepairedCopy,
    seed: int = 0,
    starts: int = 4,
    good_enough: float = 0.1,
    max_evaluations: int = 200,
) -> PlanarReading:
    """Decide each ambiguous cost by the distances of points fitted in the plane.

    Facility and customer points are fitted by least squares (``scipy.optimize.
    least_squares``, sparse Jacobian, from seeded uniform starts) so that their
    distances match the unambiguous per-unit costs ``c_ij / d_j``; an ambiguous cost
    takes the reading whose per-unit value is nearer (in ratio) the fitted distance.
    A fit can stop in a local minimum (a median error of 20 % or more): further starts
    are tried until one's median error is below ``good_enough``; the best fit is kept.

    Parameters
    ----------
    rep : RepairedCopy
        Both readings; its fixed costs must be unambiguous.
    seed : int
        Seed of the first start (``seed + k`` for the k-th).
    starts : int
        Most starts tried.
    good_enough : float
        Median ``|log(per-unit / distance)|`` at which no further start is tried.
    max_evaluations : int
        Limit of residual evaluations of each fit.

    Returns
    -------
    PlanarReading

    Raises
    ------
    ValueError
        An ambiguous fixed cost (not a distance), or a customer with zero demand.
    """
    low, high = rep.low, rep.high
    if rep.ambiguous_fixed.any():
        raise ValueError("fixed costs with two readings cannot be decided by distances")
    if (low.demand <= 0).any():
        raise ValueError("a customer with zero demand has no per-unit cost")
    m, n = low.n_facilities, low.n_customers
    per_unit = low.cost / low.demand[None, :]
    fac, cus = np.nonzero(~rep.ambiguous_cost)
    target = per_unit[fac, cus]
    scale = float(np.median(target))
    rows = np.arange(fac.size)
    cols = np.concatenate([2 * fac, 2 * fac + 1, 2 * m + 2 * cus, 2 * m + 2 * cus + 1])
    pattern = sparse.csr_matrix(
        (np.ones(4 * fac.size), (np.tile(rows, 4), cols)), shape=(fac.size, 2 * (m + n))
    )

    def points(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[: 2 * m].reshape(m, 2), x[2 * m :].reshape(n, 2)

    def residual(x: np.ndarray) -> np.ndarray:
        f, c = points(x)
        return np.hypot(*(f[fac] - c[cus]).T) - target

    best: tuple[float, np.ndarray] | None = None
    for k in range(starts):
        start = np.random.default_rng(seed + k).uniform(0, 2 * scale, 2 * (m + n))
        fit = least_squares(
            residual, start, jac_sparsity=pattern, x_scale="jac", max_nfev=max_evaluations
        )
        f, c = points(fit.x)
        dist = np.maximum(np.linalg.norm(f[:, None] - c[None], axis=-1), 1e-12 * scale)
        near = np.abs(np.log(np.maximum(per_unit, 1e-300) / dist))
        error = float(np.median(near[~rep.ambiguous_cost]))
        if best is None or error < best[0]:
            best = (error, dist)
        if error < good_enough:
            break
    assert best is not None
    median_error, dist = best
    near = np.abs(np.log(np.maximum(per_unit, 1e-300) / dist))
    as_high = np.abs(np.log(np.maximum(high.cost / low.demand[None, :], 1e-300) / dist))
    ambiguous = rep.ambiguous_cost
    as_written = ambiguous & (as_high < near)
    margin = np.abs(as_high - near)[ambiguous]
    cost = np.where(as_written, high.cost, low.cost)
    return PlanarReading(
        instance=CFLPInstance(low.name, low.capacity, low.fixed_cost, low.demand, cost),
        as_written=as_written,
        margin=float(margin.min()) if margin.size else np.inf,
        median_error=median_error,
    )
