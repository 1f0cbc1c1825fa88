"""Run a sweep on Dask: lazy variants, batched tasks, atomic parts, resumable.

The variants not yet in the output folder are generated lazily from the grid, cut into
batches (many variants per task, so that the per-task cost of scheduling, transfer and
setting up a :class:`~shoring.study.Study` stays a small share), and submitted to a Dask
cluster a few batches ahead of the workers: a ``LocalCluster`` of ``workers`` processes by
default, or the scheduler at ``scheduler`` (``tcp://host:port``, a running ``dask
scheduler`` with its ``dask worker`` processes). Each finished batch is written at once as
one part file (:class:`~shoring.sweep.store.Store`); a task whose worker dies is rerun by
Dask on another worker, and its variants are written once, when it finishes. With
``workers=0`` the batches run one after the other in this process (no Dask).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shoring import __version__
from shoring.errors import ShoringError
from shoring.network import Network
from shoring.scenario import Scenario, compose
from shoring.sweep.evaluate import Analysis, Context, lanes_of, run_batch
from shoring.sweep.grid import Grid
from shoring.sweep.store import Store, iter_batches, manifest, schema

Progress = Callable[[int, int], None]
"""``progress(done, total)``: variants finished (skipped ones included) out of all."""

BATCH = {"cost": 50, "optimize": 10, "simulate": 4}
"""Variants per task by default: a task first costs its variants in one Study (on the
ev-battery example 0.15 CPU s of set-up, then 0.06 s per variant: 4 % of a cost task is
set-up); an optimize variant is then a MILP of tens of milliseconds on the process's
reused model (built once, about 1.5 s), a simulate variant 1,000 draws of three years."""

AHEAD = 2
"""Batches kept queued per worker beyond the running ones (the variants stay lazy)."""


@dataclass(frozen=True)
class SweepSummary:
    """How a sweep went.

    Attributes
    ----------
    out : Path
        The output folder.
    total, skipped, computed : int
        Variants in the grid, already in the folder, computed by this run.
    batches : int
        Tasks run (parts written).
    errors : int
        Variants whose evaluation failed (``error`` set in their row).
    workers : int
        Dask workers (0: in this process).
    wall_seconds : float
        Time from the first submission to the last part written.
    task_seconds, task_cpu_seconds : float
        Time and CPU time spent inside the tasks, summed over tasks.
    """

    out: Path
    total: int
    skipped: int
    computed: int
    batches: int
    errors: int
    workers: int
    wall_seconds: float
    task_seconds: float
    task_cpu_seconds: float

    @property
    def busy_share(self) -> float:
        """Share of the workers' time spent inside tasks (1 - overhead and idle share)."""
        slots = max(self.workers, 1) * self.wall_seconds
        return self.task_seconds / slots if slots > 0 else math.nan


def base_of(base: Scenario) -> tuple[tuple[Any, ...], dict[str, tuple[str, ...]]]:
    """The base scenario's measures (parents included) and blocs."""
    measures, blocs = compose(base)
    return tuple(measures), dict(blocs)


def run_sweep(
    network: Network,
    base: Scenario,
    grid: Grid,
    out: str | Path,
    analysis: Analysis = "cost",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    footprint: Sequence[str] = (),
    batch_size: int | None = None,
    mip_gap: float | None = None,
    time_limit: float | None = None,
    runs: int = 1000,
    seed: int = 0,
    progress: Progress | None = None,
) -> SweepSummary:
    """Evaluate every variant of ``grid`` not yet in ``out`` and append the results.

    Parameters
    ----------
    network : Network
    base : Scenario
        The scenario the grid edits.
    grid : Grid
        :func:`shoring.sweep.grid.read_grid`.
    out : str or Path
        Output folder (created; resumed when it holds this sweep).
    analysis : {"cost", "optimize", "simulate"}
    workers : int, optional
        Processes of the local cluster (default: the machine's cores, at most 2 ...
        ``os.cpu_count()``); 0 runs the batches in this process. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://127.0.0.1:8786``).
    footprint : sequence of str
        Site ids whose regret across the grid is measured (``simulate``: the open sites).
    batch_size : int, optional
        Variants per task (default :data:`BATCH`, fewer when the grid is small).
    mip_gap, time_limit : float, optional
        HiGHS settings of each MILP (``optimize``).
    runs, seed : int
        Draws per variant and the root seed every variant uses (``simulate``).
    progress : callable, optional
        ``progress(done, total)`` after each batch (and once at the start).

    Returns
    -------
    SweepSummary

    Raises
    ------
    ShoringError
        Unknown footprint site, a folder holding another sweep, an unreachable scheduler.
    """
    unknown = [s for s in footprint if s not in network.site_ids]
    if unknown:
        raise ShoringError(
            f"--footprint: unknown site(s) {', '.join(unknown)}; known: "
            f"{', '.join(network.site_ids)}"
        )
    if scheduler is not None:
        check_scheduler(scheduler)
    measures, blocs = base_of(base)
    years = tuple(int(y) for y in (grid.years or network.years))
    undemanded = sorted(set(years) - {int(y) for y in network.years})
    if analysis == "optimize" and undemanded:
        raise ShoringError(
            f"the grid's year(s) {', '.join(map(str, undemanded))} have no demand in the "
            f"network (its years: {', '.join(map(str, network.years))}): nothing to design"
        )
    ctx = Context(
        network=network,
        base=measures,
        blocs=blocs,
        grid=grid,
        years=years,
        analysis=analysis,
        footprint=tuple(footprint),
        mip_gap=mip_gap,
        time_limit=time_limit,
        runs=runs,
        seed=seed,
        lanes=lanes_of(network, years) if analysis == "cost" else (),
    )
    path = Path(out)
    with Store(path, manifest(ctx, base.name, __version__), schema(ctx)) as store:
        done = store.done()
        todo = ((vid, idx) for vid, idx in grid.variants() if vid not in done)
        skipped = len(done)
        tell = progress or (lambda _done, _total: None)
        tell(skipped, grid.size)
        remaining = grid.size - skipped
        size = batch_size or BATCH[analysis]
        blob = pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)
        key = hashlib.sha256(blob).hexdigest()[:16]
        runner = _Runner(store, tell, skipped, grid.size)
        if remaining == 0:
            return runner.summary(path, 0)
        if workers == 0 and scheduler is None:
            for batch in iter_batches(todo, size):
                runner.finished(run_batch(key, blob, batch))
            return runner.summary(path, 0)
        with dask_client(workers, scheduler) as client:
            n = max(len(client.scheduler_info()["workers"]), 1)
            # small grids: enough batches for every worker to get some
            size = max(1, min(size, math.ceil(remaining / (2 * n))))
            runner.on_dask(client, key, blob, iter_batches(todo, size), n)
            return runner.summary(path, n)


class _Runner:
    """Writes finished batches and keeps the counts (one per sweep run)."""

    def __init__(self, store: Store, tell: Progress, skipped: int, total: int) -> None:
        self.store, self.tell = store, tell
        self.skipped, self.total = skipped, total
        self.computed = self.batches = self.errors = 0
        self.task_seconds = self.task_cpu = 0.0
        self.start = time.perf_counter()

    def finished(self, result: dict[str, Any]) -> None:
        records = result["records"]
        self.store.write(records)
        self.batches += 1
        self.computed += len(records)
        self.errors += sum(r["error"] is not None for r in records)
        self.task_seconds += result["seconds"]
        self.task_cpu += result["cpu_seconds"]
        self.tell(self.skipped + self.computed, self.total)

    def on_dask(
        self, client: Any, key: str, blob: bytes, batches: Iterator[list[Any]], n: int
    ) -> None:
        from distributed import as_completed

        self.start = time.perf_counter()

        def submit() -> Any | None:
            batch = next(batches, None)
            if batch is None:
                return None
            return client.submit(run_batch, key, blob, batch, pure=False)

        first = [f for f in (submit() for _ in range(n * (1 + AHEAD))) if f is not None]
        queue = as_completed(first)
        try:
            for future in queue:
                self.finished(future.result())
                future.release()
                follow = submit()
                if follow is not None:
                    queue.add(follow)
        except BaseException:
            client.cancel(list(queue.futures))
            raise

    def summary(self, out: Path, workers: int) -> SweepSummary:
        return SweepSummary(
            out=out,
            total=self.total,
            skipped=self.skipped,
            computed=self.computed,
            batches=self.batches,
            errors=self.errors,
            workers=workers,
            wall_seconds=time.perf_counter() - self.start,
            task_seconds=self.task_seconds,
            task_cpu_seconds=self.task_cpu,
        )


def check_scheduler(address: str) -> str:
    """``address`` if it reads as a Dask scheduler address (``tcp://host:port`` or
    ``tls://host:port``; ``host:port`` means tcp), else :class:`ShoringError` saying what
    is wrong, before any work starts."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise ShoringError(
            f"--scheduler {address!r}: not a scheduler address ({exc}); "
            "write tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"
        ) from None
    if scheme not in ("tcp", "tls") or not host or not 0 < int(port) < 65536:
        raise ShoringError(
            f"--scheduler {address!r}: not a scheduler address (scheme {scheme!r}, host "
            f"{host!r}, port {port}); write tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"
        )
    return address


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored (an ignored SIGINT is inherited, and
    Python then installs no KeyboardInterrupt handler): a Ctrl-C at the terminal reaches
    the whole process group, and the workers would each print a traceback; this process
    handles it and closes the cluster. No-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class dask_client:  # noqa: N801 - a context manager used like a function
    """A Dask client on ``scheduler`` or on a new LocalCluster of ``workers`` processes."""

    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        try:
            if scheduler is not None:
                self.client = Client(scheduler, timeout="10s")
            else:
                n = workers or min(2, os.cpu_count() or 1)
                with _workers_ignore_ctrl_c():
                    self.cluster = LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.CRITICAL,  # no cluster tracebacks on Ctrl-C
                    )
                self.client = Client(self.cluster)
        except OSError as exc:
            where = scheduler or "a local cluster"
            raise ShoringError(f"--scheduler: cannot reach {where}: {exc}") from None

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
