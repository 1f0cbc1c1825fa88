"""The engine's memory helpers (costs/blocks.py): working arrays are never shared within
a tier, slab sums equal numpy's, and process-wide settings are restored."""

from __future__ import annotations

import threading

import numpy as np

from shoring.costs import blocks
from shoring.costs.blocks import Scratch, engine_memory, gather, sum_components


def test_scratch_hands_out_distinct_arrays_until_reset():
    scratch = Scratch()
    a, b = scratch.get((3, 4)), scratch.get((3, 4))
    assert a is not b and not np.shares_memory(a, b)
    flags = scratch.get((3, 4), bool)
    assert flags.dtype == bool and flags.shape == (3, 4)
    scratch.reset()
    again = {id(scratch.get((3, 4))), id(scratch.get((3, 4)))}
    assert again == {id(a), id(b)}  # reused, each once
    assert scratch.get((3, 4)) is not a and scratch.get((3, 4)) is not b  # a third: new


def test_slab_sum_equals_numpy_sum_on_a_tier_view():
    rng = np.random.default_rng(3)
    full = rng.normal(size=(19, 7, 11, 13)) * 1e3
    full[2, 1, 3, 4] = np.nan  # NaN stays NaN
    block = full[:, 2:6]  # a tier's rows: not contiguous as a whole
    out = np.empty(block.shape[1:])
    sum_components(block, out, step=37)  # slabs that do not divide the cells
    np.testing.assert_array_equal(out, np.sum(block, axis=0))
    strided = np.empty((7, 11, 26))[:, :, ::2]  # not contiguous: summed at once
    sum_components(full[:, :, :, :13], strided)
    np.testing.assert_array_equal(strided, np.sum(full, axis=0))


def test_slab_sum_leaves_out_zero_components_with_the_same_sums():
    rng = np.random.default_rng(5)
    full = rng.normal(size=(19, 7, 11, 13)) * 1e3
    zeros = {0, 4, 5, 18}  # not a run: the kept components are gathered slab by slab
    full[list(zeros)] = 0.0
    full[:, 3, 2, 1] = np.nan  # an invalid cell: NaN in every component
    block = full[:, 1:6]
    out = np.empty(block.shape[1:])
    sum_components(block, out, step=37, zeros=zeros)
    np.testing.assert_array_equal(out, np.sum(block, axis=0))
    assert np.isnan(out[2, 2, 1])
    nothing = np.full(block.shape[1:], 7.0)
    sum_components(block[list(zeros)], nothing, zeros=range(4))  # all zero: all read
    np.testing.assert_array_equal(nothing, np.sum(block[list(zeros)], axis=0))


def test_engine_memory_is_counted_across_threads_and_restored():
    switch = blocks._hugepage_switch()
    before = switch(True) if switch is not None else None
    inside = threading.Event()
    leave = threading.Event()

    def worker():
        with engine_memory():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=worker)
    with engine_memory():
        thread.start()
        inside.wait(5)
        assert blocks._state["users"] == 2
    assert blocks._state["users"] == 1  # the worker is still inside: settings kept
    if switch is not None:
        assert switch(False) is False  # huge pages still off while a caller is inside
    leave.set()
    thread.join(5)
    assert blocks._state["users"] == 0
    if switch is not None:
        assert switch(True) is True  # restored when the last caller left
        switch(before)


def test_gather_equals_numpys_two_step_index() -> None:
    rng = np.random.default_rng(3)
    big, small = rng.random((40, 7, 5)), rng.random((3, 7, 5))
    rows, cols = rng.integers(0, 40, 11), rng.integers(0, 7, 6)
    few = rng.integers(0, 3, 11)  # more rows asked than the table has: the other branch
    np.testing.assert_array_equal(gather(big, rows, cols), big[rows][:, cols, :])
    np.testing.assert_array_equal(gather(small, few, cols), small[few][:, cols, :])
    assert gather(big, rows, cols).shape == (11, 6, 5)
