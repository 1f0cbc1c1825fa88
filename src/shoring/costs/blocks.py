"""Memory of the engine's scenario-year chunks: one (component, product, site,
destination) block per chunk, written component by component in place, recycled once
the caller has let go of it; temporaries kept in the heap while the engine runs."""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from typing import get_args

import numpy as np

from shoring.fields import CostComponent

__all__ = [
    "COMPONENTS",
    "ComponentWriter",
    "Recycler",
    "Scratch",
    "engine_memory",
    "gather",
    "sum_components",
]

COMPONENTS: tuple[str, ...] = get_args(CostComponent)
"""Cost components, in waterfall order; ``incentives`` is stored negative."""


class ComponentWriter:
    """``put(name, values, per_lane=False, final=False)``: write a component into ``block``.

    ``block`` is (component, n, S, C); ``values`` broadcast to (n, S, C), or, with
    ``per_lane``, to ``lane_shape`` (n, L, C), each site taking its lane row ``ls`` (None:
    every site its own row). Returns the written (n, S, C) view. ``final``: the caller
    will not change the view; when such a component is zero everywhere (known from the
    small ``values`` before broadcasting), its index is kept in :attr:`zeros` so that
    :func:`sum_components` can leave it out (adding zeros changes no sum).
    """

    def __init__(
        self, block: np.ndarray, ls: np.ndarray | None, lane_shape: tuple[int, ...]
    ) -> None:
        self.block, self.ls, self.lane_shape = block, ls, lane_shape
        self.zeros: set[int] = set()

    def __call__(
        self, name: str, values: np.ndarray | float, per_lane: bool = False, final: bool = False
    ) -> np.ndarray:
        index = COMPONENTS.index(name)
        view = self.block[index]
        if final and not np.any(values):
            self.zeros.add(index)
        if np.ndim(values) == 0:
            view.fill(values)
        elif per_lane and self.ls is not None and np.shape(values)[1] != 1:
            np.take(
                np.broadcast_to(values, self.lane_shape), self.ls, axis=1, out=view, mode="clip"
            )
        else:
            view[...] = values
        return view


def gather(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``values[rows][:, cols]`` (trailing axes kept) in one pass.

    numpy's gather along a middle axis is slow: at the engine's size (200 products x
    55 places x 55 places) ``a[rows][:, cols, :]`` took 6.3 ms against 0.6 ms for one
    broadcast index, and 0.25 ms when the first axis is small (an HS-level table taken
    to products: the middle gather on the small table, then whole rows).
    """
    if values.shape[0] <= rows.size:
        return np.take(values[:, cols], rows, axis=0)
    return values[rows[:, None], cols[None, :]]


def sum_components(
    block: np.ndarray, out: np.ndarray, step: int = 32_768, zeros: Collection[int] = ()
) -> None:
    """``out[...] = block.sum(axis=0)``, a slab of cells at a time.

    ``block`` (component, ...) and ``out`` (...) C-contiguous in their trailing axes.
    Summing the whole block at once passes over ``out`` once per component; a slab of
    ``step`` cells (256 KiB) stays in cache while every component is added to it, which
    halves the time of this step at the benchmark's size. Same sums, same order.
    ``zeros``: components known to be zero everywhere (:attr:`ComponentWriter.zeros`):
    left out, they are not read (adding zeros changes no sum).
    """
    keep = np.array([k for k in range(block.shape[0]) if k not in zeros], dtype=np.intp)
    if keep.size == 0:  # every component zero but for the NaN of invalid cells: all read
        keep = np.arange(block.shape[0])
    parts, total = block.reshape(block.shape[0], -1), out.reshape(-1)
    if not (np.shares_memory(parts, block) and np.shares_memory(total, out)):
        np.sum(block[keep], axis=0, out=out)  # not contiguous: at once
        return
    first, rest = parts[keep[0]], [parts[k] for k in keep[1:]]
    for start in range(0, total.size, step):  # the kept components added in order
        cells = slice(start, start + step)
        into = total[cells]
        np.copyto(into, first[cells])
        for part in rest:
            np.add(into, part[cells], out=into)


class Scratch:
    """Working arrays of the engine, handed out again after :meth:`reset`.

    A tier of a scenario-year needs a dozen (product, site, destination) temporaries of
    tens of MB. Allocated afresh, a worker thread's C library returns them to the kernel
    as soon as they are freed (its heaps are deleted when empty), and every page is
    faulted in and zeroed again for the next tier: a fifth of the engine's CPU time at
    the benchmark's size. One ``Scratch`` per worker thread keeps them. Arrays handed out
    since the last :meth:`reset` are never handed out twice; their contents are
    undefined (like ``np.empty``).
    """

    def __init__(self) -> None:
        self._free: dict[tuple, list[np.ndarray]] = {}
        self._used: list[tuple[tuple, np.ndarray]] = []

    def get(self, shape: tuple[int, ...], dtype: np.dtype | type = float) -> np.ndarray:
        """An array of ``shape`` and ``dtype``, not handed out since the last reset."""
        key = (tuple(shape), np.dtype(dtype).str)
        pool = self._free.setdefault(key, [])
        array = pool.pop() if pool else np.empty(shape, dtype)
        self._used.append((key, array))
        return array

    def reset(self) -> None:
        """Every array handed out may be handed out again (the caller no longer uses it)."""
        for key, array in self._used:
            self._free[key].append(array)
        self._used.clear()


class Recycler:
    """Large output arrays, handed out again once nothing but the pool refers to them.

    Each scenario-year's components (hundreds of MB at benchmark size) go to the caller
    inside an xarray Dataset; a fresh array per chunk would make the kernel zero every
    page again on first touch. An array is reused only when its reference count shows
    that no Dataset, view or variable holds it any more (a numpy view keeps its base
    referenced, so a live view blocks reuse). CPython reference counts.
    """

    def __init__(self) -> None:
        self._arrays: list[np.ndarray] = []
        self._lock = threading.Lock()

    def empty(self, shape: tuple[int, ...]) -> np.ndarray:
        with self._lock:
            for array in self._arrays:
                # references: the pool's list, this loop's name, getrefcount's argument
                if array.shape == shape and sys.getrefcount(array) <= 3:
                    return array
            array = np.empty(shape)
            self._arrays.append(array)
            return array


# glibc's mallopt parameters (malloc.h) and the documented defaults restored afterwards
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_DEFAULT_THRESHOLD = 128 * 1024
_KEEP_BYTES = 1 << 30  # freed heap memory kept for reuse while the engine runs
_MMAP_MAX_BYTES = 32 * 1024 * 1024  # glibc's ceiling for M_MMAP_THRESHOLD on 64-bit
_users_lock = threading.Lock()
_state: dict[str, int | bool | None] = {"users": 0, "hugepage": None}


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 (glibc only; musl has neither)
    except (OSError, AttributeError):
        return None
    return libc


def _hugepage_switch() -> Callable[[bool], bool] | None:
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    return getattr(multiarray, "_set_madvise_hugepage", None)


@contextlib.contextmanager
def engine_memory() -> Iterator[None]:
    """Memory settings for the engine's many large, short-lived arrays.

    Each scenario-year allocates dozens of temporaries of tens of MB. By default the C
    library hands each one to the kernel and back (``mmap``/``munmap``), so every page is
    faulted in and zeroed again on first touch, and numpy asks for transparent huge
    pages, which a kernel with ``defrag = madvise`` compacts on each fault. Measured on
    the landed-cost benchmark (one thread, 16 scenario-years): 0.74 s of CPU per
    scenario-year, a third of it in the kernel, against 0.47 s with the temporaries kept
    in the heap (``mallopt``: arrays under 32 MB from the heap, up to 1 GB of freed
    memory kept) and no huge pages.

    Both settings are process-wide: they apply while any caller is inside this context
    (reference counted across threads) and are restored when the last one leaves (glibc
    defaults: 128 KiB thresholds; the memory kept is then returned with
    ``malloc_trim``). Outside glibc on Linux only the huge-page switch applies.
    """
    libc, switch = _glibc(), _hugepage_switch()
    with _users_lock:
        _state["users"] += 1  # type: ignore[operator]
        if _state["users"] == 1:
            _state["hugepage"] = switch(False) if switch is not None else None
            if libc is not None:
                libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX_BYTES)
                libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_BYTES)
    try:
        yield
    finally:
        with _users_lock:
            _state["users"] -= 1  # type: ignore[operator]
            if _state["users"] == 0:
                if switch is not None and _state["hugepage"] is not None:
                    switch(bool(_state["hugepage"]))
                if libc is not None:
                    libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_THRESHOLD)
                    libc.mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD)
                    libc.malloc_trim(0)
