"""A sweep on a real Dask scheduler and two workers, one of them killed mid-sweep."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from shoring.network import Network
from shoring.scenario import load_scenario
from shoring.sweep import read_grid, run_sweep
from shoring.sweep.run import base_of
from shoring.sweep.store import parts
from test_sweep import TARIFF_GRID, TWO_PLANTS

DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [DASK, *args],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,  # its own process group: killed as a whole
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.skipif(DASK is None, reason="the dask command is not installed")
def test_a_killed_worker_loses_no_variant(tmp_path: Path) -> None:
    file = tmp_path / "scheduler.json"
    procs = [
        _start(
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(file)],
            tmp_path / "scheduler.log",
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert file.exists(), (tmp_path / "scheduler.log").read_text()
        for k in range(2):
            procs.append(
                _start(
                    ["worker", "--scheduler-file", str(file), "--nthreads", "1", "--no-nanny",
                     "--no-dashboard", "--host", "127.0.0.1"],
                    tmp_path / f"worker{k}.log",
                )
            )  # fmt: skip
        from distributed import Client

        with Client(scheduler_file=str(file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=30)
            address = client.scheduler.address
        values = [round(0.05 * i, 2) for i in range(12)]
        grid_file = tmp_path / "grid.yaml"
        grid_file.write_text(TARIFF_GRID.format(values=values), encoding="utf-8")
        base = load_scenario("mfn-only")
        grid = read_grid(grid_file, *base_of(base))
        killed = []

        def kill_one(done: int, total: int) -> None:
            if done >= 1 and not killed:  # a first batch is in: kill a worker mid-sweep
                _stop(procs[1])
                killed.append(done)

        out = tmp_path / "out"
        summary = run_sweep(
            Network.from_dict(TWO_PLANTS),
            base,
            grid,
            out,
            scheduler=address,
            batch_size=1,
            progress=kill_one,
        )
        assert killed and killed[0] < len(values)
        assert summary.computed == len(values) and summary.errors == 0
        ids = [i for p in parts(out) for i in pq.read_table(p).column("variant_id").to_pylist()]
        assert sorted(ids) == sorted(vid for vid, _ in grid.variants())
        assert len(ids) == len(set(ids))
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_ctrl_c_on_a_local_cluster_prints_one_line_and_keeps_the_parts(tmp_path: Path) -> None:
    # a terminal's Ctrl-C reaches the whole process group: the sweep and its workers
    import json

    grid = tmp_path / "grid.yaml"
    values = [round(k / 400, 4) for k in range(400)]  # slow enough to be stopped mid-way
    grid.write_text(TARIFF_GRID.format(values=values), encoding="utf-8")
    net = tmp_path / "net.yaml"
    net.write_text(json.dumps(TWO_PLANTS), encoding="utf-8")
    out = tmp_path / "out"
    shoring = shutil.which("shoring", path=str(Path(sys.executable).parent)) or "shoring"
    proc = subprocess.Popen(
        [
            shoring,
            "sweep",
            str(net),
            "-g",
            str(grid),
            "-o",
            str(out),
            "-w",
            "2",
            "--batch-size",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not parts(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)  # until the first batch is written: the cluster is up
    assert proc.poll() is None, proc.communicate()[0].decode()
    os.killpg(proc.pid, signal.SIGINT)
    text = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 130, text
    assert "Traceback" not in text and text.strip().startswith("interrupted:"), text
    assert "resumes" in text and len(text.strip().splitlines()) == 1, text
    assert parts(out)  # what was written is kept
