"""Load test of ``shoring serve`` on loopback: concurrent clients mixing reads, uploads
and small studies for a fixed time; latency percentiles, throughput, no 5xx, no lost or
mixed runs.

    python benchmarks/web_load.py                     # 20 clients, 60 s
    python benchmarks/web_load.py --clients 5 --seconds 10

The server is a separate ``shoring serve`` process on a free port with a fresh database.
Each client uploads its own network (named after the client) and, at most one at a time,
runs a one-scenario study of it; at the end every study a client started must be done,
and its report must name that client's network (no run lost, none mixed up). Reads cycle
through the network list, the scenario library, a network's tables and a finished run's
result table and chart.

The figures describe ``shoring`` only on a quiet machine: the 1-minute load average is
printed with them, at the start and at the end, and the result is marked ``BUSY`` (a
figure of the machine's load, not of the server) when either exceeds the number of CPUs.
Record a figure with its load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np

NETWORK = """\
meta: {{name: {name}, base_year: 2025}}
products:
  - {{id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 2, labour_hours: 1}}
sites:
  - {{id: plant-a, country: MEX, status: existing, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000}}
  - {{id: plant-b, country: CHN, status: candidate, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000, opening_capex_usd: 5000}}
markets:
  - {{id: us, country: USA}}
demand:
  - {{market: us, product: widget, units: {{2025: 500, 2026: 600}}}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    """``shoring serve`` in its own process, once it answers."""
    code = "import sys; from shoring.cli import main; sys.argv[0] = 'shoring'; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--db", str(db)],
        stderr=subprocess.DEVNULL,
    )
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/scenarios", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[int, int] = defaultdict(int)
        self.errors: list[str] = []

    async def call(self, kind: str, client: httpx.AsyncClient, method: str, url: str, **kw):
        start = time.perf_counter()
        r = await client.request(method, url, **kw)
        self.latency[kind].append(time.perf_counter() - start)
        self.status[r.status_code] += 1
        if r.status_code >= 500:
            self.errors.append(f"{method} {url}: {r.status_code} {r.text[:200]}")
        return r


async def client_loop(k: int, base: str, until: float, stats: Stats, runs: dict, rng) -> None:
    name = f"client-{k:02d}"
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        r = await stats.call(
            "upload", c, "POST", "/api/networks",
            files={"file": (f"{name}.yaml", NETWORK.format(name=name))},
        )  # fmt: skip
        nid = r.json()["id"]
        pending: str | None = None
        while time.monotonic() < until:
            roll = rng.random()
            if pending is not None:  # one study at a time per client
                run = (await stats.call("poll run", c, "GET", f"/api/runs/{pending}")).json()
                if run["status"] not in ("queued", "running"):
                    pending = None
            if roll < 0.08:
                await stats.call(
                    "upload", c, "POST", "/api/networks",
                    files={"file": (f"{name}.yaml", NETWORK.format(name=name))},
                )  # fmt: skip
            elif roll < 0.14 and pending is None:
                r = await stats.call(
                    "start study", c, "POST", "/api/runs",
                    json={"network_id": nid, "scenarios": ["current-law"]},
                )  # fmt: skip
                pending = r.json()["id"]
                runs[pending] = name
            else:
                done = [rid for rid, who in runs.items() if who == name]
                choice = rng.integers(4)
                if choice == 0:
                    await stats.call("read", c, "GET", "/api/networks")
                elif choice == 1:
                    await stats.call("read", c, "GET", "/api/scenarios")
                elif choice == 2:
                    await stats.call("read", c, "GET", f"/api/networks/{nid}/tables")
                elif done:
                    rid = done[0]
                    if (await c.get(f"/api/runs/{rid}")).json()["status"] == "done":
                        await stats.call("read", c, "GET", f"/api/runs/{rid}/tables/cheapest")
                        await stats.call("read", c, "GET", f"/api/runs/{rid}/figures/map")
            await asyncio.sleep(0)


async def main_async(base: str, clients: int, seconds: float, seed: int) -> tuple[Stats, dict]:
    stats, runs = Stats(), {}
    until = time.monotonic() + seconds
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(clients)]
    await asyncio.gather(
        *(client_loop(k, base, until, stats, runs, rngs[k]) for k in range(clients))
    )
    return stats, runs


def check_runs(base: str, runs: dict[str, str], wait: float = 600) -> dict[str, int]:
    """Wait for every study to end; each must be done and report its own client's network."""
    outcome: dict[str, int] = defaultdict(int)
    end = time.monotonic() + wait
    for rid, name in runs.items():
        while True:
            run = httpx.get(f"{base}/api/runs/{rid}", timeout=60).json()
            if run["status"] not in ("queued", "running") or time.monotonic() > end:
                break
            time.sleep(0.5)
        outcome[run["status"]] += 1
        if run["status"] == "done":
            report = httpx.get(f"{base}/api/runs/{rid}/report.html", timeout=60).text
            if f"shoring study: {name}" not in report:
                outcome["mixed"] += 1
    return dict(outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="shoring-load-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    load_start = os.getloadavg()[0]
    proc = start_server(folder / "load.duckdb", port)
    try:
        t0 = time.monotonic()
        stats, runs = asyncio.run(main_async(base, args.clients, args.seconds, args.seed))
        elapsed = time.monotonic() - t0
        outcome = check_runs(base, runs)
    finally:
        proc.terminate()
        proc.wait(30)
    load_end, cpus = os.getloadavg()[0], os.cpu_count() or 1
    quiet = max(load_start, load_end) <= cpus
    verdict = "QUIET" if quiet else "BUSY - a figure of the machine's load, not of the server"
    print(f"load average (1 min) at start {load_start:.1f}, at end {load_end:.1f}, "
          f"{cpus} CPUs: {verdict}")  # fmt: skip
    total = sum(len(v) for v in stats.latency.values())
    print(f"{args.clients} clients, {elapsed:.0f} s on loopback: {total} requests, "
          f"{total / elapsed:.1f} requests/s")  # fmt: skip
    print(f"{'request':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(stats.latency.items()):
        ms = np.array(values) * 1000
        print(f"{kind:<12} {len(ms):>6} {np.percentile(ms, 50):>8.1f} "
              f"{np.percentile(ms, 95):>8.1f} {ms.max():>8.1f}")  # fmt: skip
    every = np.concatenate([np.array(v) for v in stats.latency.values()]) * 1000
    print(f"{'all':<12} {len(every):>6} {np.percentile(every, 50):>8.1f} "
          f"{np.percentile(every, 95):>8.1f} {every.max():>8.1f}")  # fmt: skip
    print("status codes:", dict(sorted(stats.status.items())))
    print("studies started:", len(runs), "ended:", outcome)
    bad = stats.errors or outcome.get("mixed") or set(outcome) - {"done"}
    if bad:
        print("FAILED:", stats.errors[:5], outcome)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
