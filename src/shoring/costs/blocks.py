"""Memory of the engine's scenario-year chunks: one (component, product, site,
destination) block per chunk, written component by component in place, recycled once
the caller has let go of it, and allocated without transparent huge pages."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import get_args

import numpy as np

from shoring.fields import CostComponent

__all__ = ["COMPONENTS", "Recycler", "component_writer", "without_huge_pages"]

COMPONENTS: tuple[str, ...] = get_args(CostComponent)
"""Cost components, in waterfall order; ``incentives`` is stored negative."""


def component_writer(
    block: np.ndarray, ls: np.ndarray | None, lane_shape: tuple[int, ...]
) -> Callable[..., np.ndarray]:
    """``put(name, values, per_lane=False)``: write a component into ``block``.

    ``block`` is (component, n, S, C); ``values`` broadcast to (n, S, C), or, with
    ``per_lane``, to ``lane_shape`` (n, L, C), each site taking its lane row ``ls`` (None:
    every site its own row). Returns the written (n, S, C) view.
    """

    def put(name: str, values: np.ndarray | float, per_lane: bool = False) -> np.ndarray:
        view = block[COMPONENTS.index(name)]
        if np.ndim(values) == 0:
            view.fill(values)
        elif per_lane and ls is not None and np.shape(values)[1] != 1:
            np.take(np.broadcast_to(values, lane_shape), ls, axis=1, out=view, mode="clip")
        else:
            view[...] = values
        return view

    return put


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


@contextlib.contextmanager
def without_huge_pages() -> Iterator[None]:
    """Allocate the engine's large, short-lived arrays without transparent huge pages.

    numpy asks the kernel for huge pages on large arrays; where the kernel then compacts
    memory on each fault (``defrag`` = ``madvise``, common), the engine's arrays of tens
    to hundreds of MB spent more time in the kernel than in arithmetic (landed-cost
    benchmark, 12 scenario-years: 11.1 s system time with, 6.5 s without). numpy's own
    switch (``NUMPY_MADVISE_HUGEPAGE``) is process-wide: it is restored afterwards.
    """
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is None:
        yield
        return
    before = switch(False)
    try:
        yield
    finally:
        switch(before)
