"""The results store of a sweep: a Parquet dataset of one part file per batch, a manifest.

Layout of an output folder::

    OUT/_manifest.json         versions and hashes of what was swept (written first)
    OUT/part-<uuid>.parquet    one file per finished batch, one row per variant
    OUT/.lock                  held while a sweep writes

Every part is written to a hidden temporary file, flushed to disk and renamed into place
(:func:`shoring.outputs.write_atomic`),
so a crash or Ctrl-C never leaves a half-written part: a part is either complete or absent
(readers only see ``part-*.parquet``). A rerun reads the finished variant ids from the
parts and skips them. Every part has the same schema (:func:`schema`), so DuckDB
(``read_parquet('OUT/part-*.parquet')``), pandas (``pandas.read_parquet("OUT")``) or pyarrow
read the folder as one table: they skip names starting with ``_`` or ``.``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from shoring.errors import ShoringError
from shoring.outputs import write_atomic, write_text_atomic
from shoring.sweep.evaluate import COST_OUTPUTS, SIMULATE_OUTPUTS, Context, lane_column

MANIFEST = "_manifest.json"
PARTS = "part-*.parquet"
"""Glob of the finished part files of a sweep folder."""

MATCHED = (
    "analysis",
    "network_hash",
    "base_scenario_hash",
    "grid_hash",
    "years",
    "footprint",
    "mip_gap",
    "time_limit",
    "seeds",
)
"""Manifest entries a rerun must share with the sweep it resumes."""


def digest(value: Any) -> str:
    """SHA-256 of a JSON-able value in canonical form (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def schema(ctx: Context) -> pa.Schema:
    """The columns of every part of a sweep.

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    pyarrow.Schema
        ``variant_id``, one column per parameter (bool for ``applies``, else float64),
        the analysis' outputs (:mod:`shoring.sweep.evaluate`) and ``error`` (null: none).
    """
    fields = [pa.field("variant_id", pa.string(), nullable=False)]
    fields += [pa.field(a.name, pa.bool_() if a.boolean else pa.float64()) for a in ctx.grid.axes]
    kinds = {"site": pa.string(), "country": pa.string(), "runner_up": pa.string()}
    if ctx.analysis == "cost":
        outputs = [*COST_OUTPUTS, *(("regret",) if ctx.footprint else ())]
        for lane in ctx.lanes:
            fields += [pa.field(lane_column(w, *lane), kinds.get(w, pa.float64())) for w in outputs]
    elif ctx.analysis == "simulate":
        fields += [pa.field(name, pa.float64()) for name in SIMULATE_OUTPUTS]
    else:
        fields += [
            pa.field("footprint", pa.string()),
            pa.field("objective", pa.float64()),
            pa.field("status", pa.string()),
            pa.field("gap", pa.float64()),
        ]
        if ctx.footprint:
            fields += [pa.field("footprint_cost", pa.float64()), pa.field("regret", pa.float64())]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


def manifest(ctx: Context, base_name: str, version: str) -> dict[str, Any]:
    """What a sweep folder holds: versions, hashes and settings.

    Parameters
    ----------
    ctx : Context
    base_name : str
        Name of the base scenario.
    version : str
        The shoring version.

    Returns
    -------
    dict
        ``shoring_version``, ``analysis``, ``network``, ``network_hash``,
        ``base_scenario``, ``base_scenario_hash``, ``grid_title``, ``grid_hash``,
        ``parameters``, ``variants``, ``years``, ``footprint``, ``mip_gap``,
        ``time_limit``, ``seeds`` (``{seed, runs}`` of a simulate sweep, every variant
        drawing with that seed; None: a cost or optimize sweep draws no random numbers)
        and the versions of dask, distributed and pyarrow.
    """
    import dask
    import distributed

    base = {
        "measures": [m.model_dump(mode="json") for m in ctx.base],
        "blocs": {k: list(v) for k, v in ctx.blocs.items()},
    }
    return {
        "shoring_version": version,
        "analysis": ctx.analysis,
        "network": ctx.network.name,
        "network_hash": digest(ctx.network.to_dict()),
        "base_scenario": base_name,
        "base_scenario_hash": digest(base),
        "grid_title": ctx.grid.title,
        "grid_hash": ctx.grid.digest,
        "parameters": {a.name: list(a.values) for a in ctx.grid.axes},
        "variants": ctx.grid.size,
        "years": list(ctx.years),
        "footprint": list(ctx.footprint),
        "mip_gap": ctx.mip_gap,
        "time_limit": ctx.time_limit,
        "seeds": {"seed": ctx.seed, "runs": ctx.runs} if ctx.analysis == "simulate" else None,
        "dask_version": dask.__version__,
        "distributed_version": distributed.__version__,
        "pyarrow_version": pa.__version__,
    }


class Store:
    """A sweep's output folder, opened for writing (see the module docstring).

    Parameters
    ----------
    path : Path
        The folder (created when missing).
    expected : dict
        The manifest of this run; a folder holding another sweep is refused.
    columns : pyarrow.Schema
        Schema of the parts.

    Raises
    ------
    ShoringError
        The folder is a file, holds files of something else, holds a sweep whose manifest
        differs in :data:`MATCHED`, or another sweep is writing it.
    """

    def __init__(self, path: Path, expected: dict[str, Any], columns: pa.Schema) -> None:
        self.path = path
        self.schema = columns
        if path.exists() and not path.is_dir():
            raise ShoringError(f"--out {path}: is a file; give a folder for the results")
        path.mkdir(parents=True, exist_ok=True)
        self._lock = open(path / ".lock", "w")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise ShoringError(f"--out {path}: another sweep is writing this folder") from None
        try:
            self._check(expected)
        except ShoringError:
            self.close()
            raise
        for stale in path.glob(".part-*.part"):  # a batch cut off by a crash: redone
            stale.unlink()

    def _check(self, expected: dict[str, Any]) -> None:
        file = self.path / MANIFEST
        if file.exists():
            try:
                found = json.loads(file.read_text(encoding="utf-8"))
            except (ValueError, OSError) as exc:
                raise ShoringError(f"{file}: not a sweep manifest ({exc})") from None
            differ = [k for k in MATCHED if found.get(k) != expected.get(k)]
            if differ:
                raise ShoringError(
                    f"--out {self.path} holds another sweep (its {', '.join(differ)} "
                    f"{'differs' if len(differ) == 1 else 'differ'}): give a new folder to "
                    "start this one, or the same inputs to "
                    "resume it"
                )
            return
        others = [p.name for p in self.path.iterdir() if p.name != ".lock"]
        if others:
            raise ShoringError(
                f"--out {self.path} holds files but no sweep manifest "
                f"({', '.join(sorted(others)[:5])}): give an empty or new folder"
            )
        write_text_atomic(file, json.dumps(expected, indent=2))

    def done(self) -> set[str]:
        """Variant ids already written (read from the parts)."""
        return done_ids(self.path)

    def write(self, records: Sequence[dict[str, Any]]) -> Path:
        """Write one batch as a new part, atomically.

        Parameters
        ----------
        records : sequence of dict
            One per variant, keys as :attr:`schema`.

        Returns
        -------
        Path
            The part file.
        """
        table = pa.Table.from_pylist(list(records), schema=self.schema)
        target = self.path / f"part-{uuid.uuid4().hex}.parquet"
        return write_atomic(target, lambda tmp: pq.write_table(table, tmp))

    def close(self) -> None:
        """Release the folder."""
        with contextlib.suppress(OSError):
            fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parts(path: Path) -> list[Path]:
    """The finished part files of a sweep folder, sorted by name."""
    return sorted(path.glob(PARTS))


def done_ids(path: Path) -> set[str]:
    """Variant ids in the finished parts of ``path``."""
    ids: set[str] = set()
    for part in parts(path):
        ids.update(pq.read_table(part, columns=["variant_id"]).column(0).to_pylist())
    return ids


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a sweep folder.

    Raises
    ------
    ShoringError
        No sweep there.
    """
    file = path / MANIFEST
    if not file.is_file():
        raise ShoringError(f"{path}: no sweep here (no {MANIFEST}); run shoring sweep first")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ShoringError(f"{file}: not a sweep manifest ({exc})") from None


def iter_batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last may be shorter), lazily."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
