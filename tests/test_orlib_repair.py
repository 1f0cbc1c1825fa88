"""Copies of capa/capb/capc whose every '300' became '1000': refused, then undone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from shoring.errors import ShoringInputError
from shoring.optimize import BENCHMARK_OPTIONS, parse_orlib_cap, solve_cflp
from shoring.optimize.orlib_repair import planar_reading, undo_300_substitution

M, N = 8, 400


def _original(expensive_only: bool = False) -> str:
    """A seeded file in the capa layout: fixed costs 'NNNNNN.', costs with 5 decimals.

    ``expensive_only``: costs below the 90th percentile get no '300' or '1000' in their
    integer part, so only numbers no good plan uses can have two readings.
    """
    rng = np.random.default_rng(3)
    xy_f, xy_c = rng.uniform(0, 100, (M, 2)), rng.uniform(0, 100, (N, 2))
    demand = rng.integers(1, 101, N)
    per_unit = np.linalg.norm(xy_f[:, None] - xy_c[None], axis=-1) * 10 + 1
    cost = per_unit * demand[None, :] + rng.uniform(0, 1, (M, N))
    if expensive_only:
        cheap = cost < np.quantile(cost, 0.9)
        while True:
            whole = np.char.mod("%d", cost.astype(np.int64))
            bad = cheap & ((np.char.find(whole, "300") >= 0) | (np.char.find(whole, "1000") >= 0))
            if not bad.any():
                break
            cost[bad] += 1.0
    lines = [f" {M} {N} "]
    lines += [f" 9000 {int(f)}. " for f in rng.uniform(200_000, 500_000, M)]
    for j in range(N):
        lines.append(f" {demand[j]} ")
        lines.append(" " + " ".join(f"{c:.5f}" for c in cost[:, j]) + " ")
    return "\n".join(lines) + "\n"


ORIGINAL = _original()
ALTERED = ORIGINAL.replace("300", "1000")


def test_the_altered_copy_is_refused_and_the_original_read() -> None:
    assert ORIGINAL.count("300") > 20  # the substitution changes something
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap(ALTERED, file="capx.txt")
    (problem,) = excinfo.value.problems
    assert problem.file == "capx.txt" and problem.row is not None
    assert "every '300' was replaced by '1000'" in problem.message
    parse_orlib_cap(ORIGINAL)  # no false alarm
    with pytest.raises(ShoringInputError, match="do not show"):
        undo_300_substitution(ORIGINAL)


def test_the_readings_bracket_the_original_and_restore_the_rest() -> None:
    orig = parse_orlib_cap(ORIGINAL)
    rep = undo_300_substitution(ALTERED)
    for attr, ambiguous in (("cost", rep.ambiguous_cost), ("fixed_cost", rep.ambiguous_fixed)):
        want, low, high = (getattr(i, attr) for i in (orig, rep.low, rep.high))
        assert (low <= want).all() and (want <= high).all()
        np.testing.assert_array_equal(low[~ambiguous], want[~ambiguous])
    assert rep.restored > 0 and rep.n_ambiguous > 0
    np.testing.assert_array_equal(rep.low.demand, orig.demand)


def test_a_plan_that_avoids_the_ambiguous_numbers_has_the_original_optimum() -> None:
    original = _original(expensive_only=True)
    altered = original.replace("300", "1000")
    orig = solve_cflp(parse_orlib_cap(original), BENCHMARK_OPTIONS)
    rep = undo_300_substitution(altered)
    assert rep.n_ambiguous > 0
    low = solve_cflp(rep.low, BENCHMARK_OPTIONS)
    assert rep.settles(low)
    assert low.objective == pytest.approx(orig.objective, rel=1e-9)


def test_a_plan_using_an_ambiguous_number_does_not_settle() -> None:
    rep = undo_300_substitution(ALTERED)
    low = solve_cflp(rep.low, BENCHMARK_OPTIONS)
    i, j = np.argwhere(rep.ambiguous_cost)[0]
    share = low.assignment.copy()
    share[:] = 0.0
    share.loc[{"facility": i + 1, "customer": j + 1}] = 1.0
    assert not rep.settles(dataclasses.replace(low, assignment=share))


def test_the_planar_reading_restores_every_ambiguous_cost() -> None:
    # per-unit costs of _original are 10 x distance + 1 (+ noise below 1 / demand)
    orig = parse_orlib_cap(ORIGINAL)
    rep = undo_300_substitution(ALTERED)
    planar = planar_reading(rep)
    np.testing.assert_array_equal(planar.instance.cost, orig.cost)
    assert planar.margin > 0.5 and planar.median_error < 0.2
    assert planar.as_written.sum() == (rep.ambiguous_cost & (orig.cost == rep.high.cost)).sum()
