"""Optimization models on linopy + HiGHS (the only package that imports linopy).

- :mod:`~shoring.optimize.solve`: the shared solve wrapper (:func:`solve`,
  :class:`SolveOptions`, :class:`SolveReport`, :class:`SolveStatus`).
- :mod:`~shoring.optimize.cflp`: capacitated facility location (:func:`solve_cflp`).
- :mod:`~shoring.optimize.orlib`: reader of the OR-Library ``cap*.txt`` benchmark files;
  :mod:`~shoring.optimize.orlib_repair` undoes the digit substitution of circulating
  copies of capa/capb/capc.
"""

from __future__ import annotations

from shoring.optimize.cflp import (
    BENCHMARK_OPTIONS,
    CAPX_CAPACITIES,
    CUTS,
    DEFAULT_CUTS,
    CFLPInstance,
    CFLPResult,
    beasley_capx,
    build_cflp,
    identical_facilities,
    solve_cflp,
    synthetic_cflp,
)
from shoring.optimize.orlib import parse_orlib_cap, read_orlib_cap
from shoring.optimize.solve import (
    SolveOptions,
    SolveReport,
    SolveStatus,
    Stopwatch,
    diagnose_infeasibility,
    solve,
)

__all__ = [
    "BENCHMARK_OPTIONS",
    "CAPX_CAPACITIES",
    "CUTS",
    "DEFAULT_CUTS",
    "CFLPInstance",
    "CFLPResult",
    "SolveOptions",
    "SolveReport",
    "SolveStatus",
    "Stopwatch",
    "beasley_capx",
    "build_cflp",
    "diagnose_infeasibility",
    "identical_facilities",
    "parse_orlib_cap",
    "read_orlib_cap",
    "solve",
    "solve_cflp",
    "synthetic_cflp",
]
