"""Restart: a ``shoring serve`` process killed mid-run loses nothing it had stored, and
the interrupted run is marked failed with its log when the server starts again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from web_helpers import mini_yaml


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db: Path, port: int) -> subprocess.Popen:
    code = "import sys; from shoring.cli import main; sys.argv[0] = 'shoring'; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/networks", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "no output")
    proc.kill()
    raise AssertionError("the server did not start within 60 s")


def test_killed_mid_run_then_restarted(tmp_path: Path) -> None:
    db = tmp_path / "work" / "shoring.duckdb"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(db, port)
    try:
        r = httpx.post(f"{base}/api/networks", files={"file": ("mini.yaml", mini_yaml())})
        assert r.status_code == 201, r.text
        nid = r.json()["id"]
        r = httpx.post(f"{base}/api/scenarios/soft-change/clone", json={"name": "mine"})
        assert r.status_code == 201, r.text
        r = httpx.post(
            f"{base}/api/runs", json={"network_id": nid, "scenarios": ["current-law", "mine"]}
        )
        rid = r.json()["id"]
        end = time.monotonic() + 30
        while httpx.get(f"{base}/api/runs/{rid}").json()["status"] != "running":
            assert time.monotonic() < end, "the run never started"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # a crash: no shutdown handler runs
        proc.wait(10)
    proc = _start(db, port)
    try:
        assert b"marked 1 unfinished run(s) failed" in proc.stderr.read1()  # type: ignore[union-attr]
        run = httpx.get(f"{base}/api/runs/{rid}").json()
        assert run["status"] == "failed"
        assert "server stopped while this run was running" in run["error"]
        assert "step 1/3: reading the network" in run["log"] and "failed:" in run["log"]
        assert httpx.get(f"{base}/api/runs/{rid}/results").status_code == 409
        assert httpx.get(f"{base}/api/networks/{nid}").json()["summary"]["sites"] == 2
        assert httpx.get(f"{base}/api/scenarios/mine").json()["kind"] == "custom"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_database_file_alone_holds_every_finished_write(tmp_path):
    """A copy of the one DuckDB file, taken while the server still runs (or after it was
    killed), holds the networks, scenarios and finished runs: only progress lines may
    wait in the write-ahead log."""
    import shutil

    from shoring.web.store import Store

    store = Store(tmp_path / "db.duckdb")
    nid = store.add_network("mini", "mini.yaml", "meta: {}\n", {"sites": 1})
    rid = store.add_run(nid, {"scenarios": ["baseline"]}, {"baseline": "name: baseline\n"})
    store.progress(rid, "costing", 1, 2)
    store.finish(rid, {"costs.csv": ("csv", "a,b\n1,2\n")})
    copy = tmp_path / "copy.duckdb"
    shutil.copy(tmp_path / "db.duckdb", copy)  # the file only, not db.duckdb.wal
    store.close()
    again = Store(copy)
    try:
        assert [n["id"] for n in again.networks()] == [nid]
        assert again.run(rid)["status"] == "done"
        assert again.result(rid, "costs.csv") == ("csv", "a,b\n1,2\n")
    finally:
        again.close()
