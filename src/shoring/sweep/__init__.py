"""Policy-space sweeps: a grid of scenario parameters, run on Dask, stored in Parquet.

>>> from shoring.sweep import read_grid, run_sweep
>>> from shoring.sweep.policy_map import read_results
>>> from shoring.sweep.run import base_of
>>> grid = read_grid("grid.yaml", *base_of(base))                   # doctest: +SKIP
>>> run_sweep(network, base, grid, "sweep-out/", "cost", workers=2)  # doctest: +SKIP
>>> read_results("sweep-out/").rows                                # doctest: +SKIP

- :mod:`shoring.sweep.grid`: the grid file (parameters as edits of the base scenario's
  measures), lazy variants with deterministic ids;
- :mod:`shoring.sweep.evaluate`: what one task computes (cost or optimize, through the
  :class:`~shoring.study.Study`);
- :mod:`shoring.sweep.store`: the Parquet dataset (atomic parts, manifest, resume);
- :mod:`shoring.sweep.run`: the Dask orchestration;
- :mod:`shoring.sweep.policy_map`: the policy map and regret read back with DuckDB.
"""

from shoring.sweep.grid import Grid, read_grid, variant_id
from shoring.sweep.run import SweepSummary, run_sweep

__all__ = ["Grid", "SweepSummary", "read_grid", "run_sweep", "variant_id"]
