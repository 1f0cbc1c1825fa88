"""Background runs: a study per run in a worker thread, with progress and cancel.

A run's progress is written to the store as it goes (stage, done/total, log lines);
its results are written with its final status in one transaction
(:meth:`~shoring.web.store.Store.finish`). Cancelling sets a flag the study's
progress callback checks: the run stops at its next step and keeps no result.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from shoring.errors import ShoringError
from shoring.network import Network
from shoring.network.io_yaml import raw_from_text
from shoring.network.validate import build_network
from shoring.scenario import Scenario
from shoring.scenario.loader import parse_scenario
from shoring.study import Study
from shoring.web.store import Store


class Cancelled(Exception):  # noqa: N818 - a state, not a fault
    """Raised inside a run's thread when the run was cancelled."""


def network_from_yaml(text: str, name: str = "network.yaml") -> Network:
    """A stored network (its canonical YAML) as a :class:`~shoring.network.Network`."""
    return build_network(raw_from_text(text, name))


class Runner:
    """Runs studies in worker threads.

    Parameters
    ----------
    store : Store
        Where runs, progress and results are recorded.
    work_root : Path
        Folder for the runs' temporary files (inside the data directory).
    workers : int
        Runs computed at once (others wait, ``queued``).
    """

    def __init__(self, store: Store, work_root: Path, workers: int = 1) -> None:
        self.store = store
        self.work_root = work_root
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="shoring-run")
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def submit(self, run_id: str) -> None:
        """Queue a stored run."""
        with self._lock:
            self._cancel[run_id] = threading.Event()
        self._pool.submit(self._run, run_id)

    def cancel(self, run_id: str) -> bool:
        """Ask a queued or running run to stop; whether it was still going."""
        with self._lock:
            event = self._cancel.get(run_id)
        if event is None:
            return False
        event.set()
        return True

    def shutdown(self) -> None:
        """Cancel every run and wait for the threads to end."""
        with self._lock:
            self._stopping = True
            for event in self._cancel.values():
                event.set()
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _run(self, run_id: str) -> None:
        with self._lock:
            event = self._cancel[run_id]
        work: Path | None = None
        try:
            run = self.store.run(run_id)
            if run is None:
                return

            def check() -> None:
                if event.is_set():
                    raise Cancelled

            request = run["request"]
            analyses = request.get("analyses", [])
            tracker = StepProgress(self.store, run_id, check, run_steps(analyses))
            tracker.step("reading the network and scenarios")
            self.work_root.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=self.work_root))
            study, source = _study(self.store, run, tracker)
            tracker.step("landed cost")
            study.landed_costs  # noqa: B018 - the one engine pass, with its own progress
            design = today = None
            if "optimize" in analyses:
                from shoring.web.design import run_design

                tracker.step("network design")
                design, today = run_design(
                    study, int(request.get("points", 2)), lambda msg: tracker(msg, None, None)
                )
            tracker.step("report, tables and charts")
            from shoring.web.results import study_results  # the report's modules: when needed

            inputs = {"inputs": [source], "run": {"id": run_id, **request}}
            results = study_results(study, work, design, check, inputs, today)
            if {"simulate", "stress"} & set(analyses):
                from shoring.web.resilience import resilience_results

                results.update(
                    resilience_results(
                        study.network,
                        analyses,
                        request["runs"],
                        request["seed"],
                        tracker,
                        work,
                        tracker.step,
                    )
                )
            check()
            self.store.finish(run_id, results, total=tracker.total)
        except Cancelled:
            reason = "the server stopped" if self._stopping else "cancelled by the user"
            self.store.fail(run_id, "cancelled", reason)
        except ShoringError as exc:
            self.store.fail(run_id, "failed", str(exc))
        except Exception as exc:  # a bug: the run fails with its traceback in the log
            detail = "".join(traceback.format_exception(exc)[-3:])
            self.store.fail(run_id, "failed", f"internal error: {exc!r}\n{detail}")
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
            with self._lock:
                self._cancel.pop(run_id, None)


def run_steps(analyses: list[str]) -> list[str]:
    """The steps of a run with these analyses, in the order they run."""
    steps = ["reading the network and scenarios", "landed cost"]
    if "optimize" in analyses:
        steps.append("network design")
    steps.append("report, tables and charts")
    steps += [name for key, name in RESILIENCE_STEPS if key in analyses]
    return steps


RESILIENCE_STEPS = (("simulate", "simulation"), ("stress", "stress test"))
"""The resilience analyses and their step names (:func:`run_steps`)."""


class StepProgress:
    """A run's progress as it goes: ``done``/``total`` count the run's steps
    (:func:`run_steps`); the stage names the current step and, when the study reports
    one, how far it is within it ("landed cost (scenario-years) 5/12").

    Parameters
    ----------
    store : Store
        Where progress is written.
    run_id : str
        The run.
    check : callable
        Raises :class:`Cancelled` when the run was cancelled.
    steps : list of str
        The run's steps.
    """

    def __init__(self, store: Store, run_id: str, check: Any, steps: list[str]) -> None:
        self.store, self.run_id, self.check, self.steps = store, run_id, check, steps
        self.done = 0
        self.current: str | None = None
        self.label: str | None = None

    @property
    def total(self) -> int:
        return len(self.steps)

    def step(self, name: str) -> None:
        """Start step ``name`` (every earlier step is done)."""
        if name == self.current:
            return
        self.done = self.steps.index(name)
        self.current = name
        self(name, None, None)

    def __call__(self, stage: str, done: int | None, total: int | None) -> None:
        """The study's ``progress(stage, done, total)`` callback; raises when cancelled."""
        self.check()
        within = f" {done}/{total}" if done is not None and total else ""
        label = f"{stage}{within}"
        if self.current and not stage.startswith(self.current):
            label = f"{self.current}: {label}"
        if label != self.label:  # a wait that checks in (the frontier) logs once
            self.label = label
            self.store.progress(self.run_id, label, self.done, self.total)


def _study(store: Store, run: dict[str, Any], progress: Any) -> tuple[Study, dict[str, Any]]:
    """The study a stored run describes (its network and scenarios as stored), and the
    manifest's record of its network (the uploaded file's name, size and SHA-256, and
    the stored network's id and SHA-256)."""
    net_row = store.network(run["network_id"])
    if net_row is None:
        raise ShoringError(f"network {run['network_id']} was deleted before the run started")
    network = network_from_yaml(net_row["yaml"], net_row["filename"])
    scenarios: list[Scenario] = [
        parse_scenario(text, f"{name}.yaml") for name, text in run["scenarios"].items()
    ]
    years = run["request"].get("years") or None
    source = {
        "path": net_row["filename"],
        **(net_row.get("source") or {}),
        "network_id": net_row["id"],
        "network_sha256": hashlib.sha256(net_row["yaml"].encode("utf-8")).hexdigest(),
    }
    return Study(network, scenarios, years, progress=progress), source
