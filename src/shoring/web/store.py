"""The web workspace's persistence: one DuckDB file holding networks, scenarios, runs and
their results.

Every write is one transaction; a run's results are written together with its final
status, so a run is either complete or has no results. On opening, runs left ``queued``
or ``running`` by a server that stopped (crash, kill) are marked ``failed`` with their
log and the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = """
CREATE TABLE IF NOT EXISTS networks (
    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, filename VARCHAR NOT NULL,
    yaml VARCHAR NOT NULL, summary JSON NOT NULL, created TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS scenarios (
    name VARCHAR PRIMARY KEY, yaml VARCHAR NOT NULL, created TIMESTAMP NOT NULL,
    updated TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY, network_id VARCHAR NOT NULL, request JSON NOT NULL,
    scenarios JSON NOT NULL, status VARCHAR NOT NULL, stage VARCHAR, done INTEGER,
    total INTEGER, log VARCHAR NOT NULL, error VARCHAR, created TIMESTAMP NOT NULL,
    started TIMESTAMP, finished TIMESTAMP);
CREATE TABLE IF NOT EXISTS results (
    run_id VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    content VARCHAR NOT NULL, PRIMARY KEY (run_id, name));
CREATE TABLE IF NOT EXISTS drafts (
    id VARCHAR PRIMARY KEY, filename VARCHAR NOT NULL, data BLOB NOT NULL,
    edits JSON NOT NULL, created TIMESTAMP NOT NULL);
ALTER TABLE networks ADD COLUMN IF NOT EXISTS source JSON;
"""

MAX_DRAFTS = 20
"""Uploads with problems kept for fixing in the browser (the oldest are dropped)."""

ACTIVE = ("queued", "running")
"""Statuses of a run that is not over."""

INTERRUPTED = "the server stopped while this run was {status}: it did not finish"
"""Why a run found unfinished when the store opens is marked failed."""


def new_id() -> str:
    """A fresh random id (12 hex digits)."""
    return uuid.uuid4().hex[:12]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _iso(value: Any) -> Any:
    return value.isoformat() + "Z" if isinstance(value, dt.datetime) else value


class Store:
    """DuckDB-backed workspace store, safe to share between threads.

    Parameters
    ----------
    path : str or Path
        The database file (created with its folder when missing), or ``":memory:"``.

    Notes
    -----
    One connection guarded by a lock: DuckDB allows one writing process per file, and
    the web app's writes are small.
    """

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._con = duckdb.connect(str(path))
        with self._tx() as con:
            con.execute(SCHEMA)
        self.recovered = self._fail_unfinished()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._con.close()

    @contextmanager
    def _tx(self, durable: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction: committed when the block ends, rolled back on an error.

        ``durable``: then checkpointed, so that the database file alone holds it (a copy
        or backup of the one file, even while the server runs or after it was killed);
        progress updates are not, the write-ahead log keeps them until the next one.
        """
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")
            if durable:
                self._con.execute("CHECKPOINT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._con.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [{k: _iso(v) for k, v in zip(names, row, strict=True)} for row in cur.fetchall()]

    def _fail_unfinished(self) -> list[str]:
        """Mark runs a stopped server left unfinished as failed; their ids."""
        stale = self._rows("SELECT id, status FROM runs WHERE status IN (?, ?)", ACTIVE)
        with self._tx() as con:
            for run in stale:
                reason = INTERRUPTED.format(status=run["status"])
                con.execute(
                    "UPDATE runs SET status='failed', error=?, finished=?, "
                    "log = log || ? WHERE id=?",
                    [reason, _now(), f"failed: {reason}\n", run["id"]],
                )
        return [r["id"] for r in stale]

    # ------------------------------------------------------------------ networks
    def add_network(
        self,
        name: str,
        filename: str,
        yaml_text: str,
        summary: Mapping,
        source: Mapping | None = None,
    ) -> str:
        """Store a validated network (its canonical YAML); its new id.

        ``source``: the uploaded file's ``bytes`` and ``sha256`` (and the cells edited in
        the browser, ``edits``), for the manifests of its runs.
        """
        nid = new_id()
        with self._tx() as con:
            con.execute(
                "INSERT INTO networks (id, name, filename, yaml, summary, created, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [nid, name, filename, yaml_text, json.dumps(summary), _now(),
                 None if source is None else json.dumps(source)],
            )  # fmt: skip
        return nid

    def networks(self) -> list[dict[str, Any]]:
        """Every network, newest first (without its YAML)."""
        rows = self._rows(
            "SELECT id, name, filename, summary, created FROM networks ORDER BY created DESC"
        )
        for r in rows:
            r["summary"] = json.loads(r["summary"])
        return rows

    def network(self, nid: str) -> dict[str, Any] | None:
        """One network with its YAML, or None."""
        rows = self._rows("SELECT * FROM networks WHERE id=?", [nid])
        if not rows:
            return None
        rows[0]["summary"] = json.loads(rows[0]["summary"])
        rows[0]["source"] = json.loads(rows[0]["source"]) if rows[0]["source"] else None
        return rows[0]

    def delete_network(self, nid: str) -> bool:
        """Delete a network (its runs stay); whether it existed."""
        with self._tx() as con:
            found = con.execute("SELECT count(*) FROM networks WHERE id=?", [nid]).fetchone()
            con.execute("DELETE FROM networks WHERE id=?", [nid])
        return bool(found and found[0])

    # ------------------------------------------------------------------ drafts
    def add_draft(self, filename: str, data: bytes) -> str:
        """Keep an upload with problems for fixing in the browser; its id (only the
        :data:`MAX_DRAFTS` newest drafts are kept)."""
        did = new_id()
        with self._tx() as con:
            con.execute(
                "INSERT INTO drafts VALUES (?, ?, ?, '[]', ?)", [did, filename, data, _now()]
            )
            con.execute(
                "DELETE FROM drafts WHERE id NOT IN "
                "(SELECT id FROM drafts ORDER BY created DESC LIMIT ?)",
                [MAX_DRAFTS],
            )
        return did

    def draft(self, did: str) -> dict[str, Any] | None:
        """One draft (``filename``, ``data``, ``edits``), or None."""
        rows = self._rows("SELECT * FROM drafts WHERE id=?", [did])
        if not rows:
            return None
        rows[0]["edits"] = json.loads(rows[0]["edits"])
        return rows[0]

    def set_draft_edits(self, did: str, edits: Sequence[Mapping]) -> None:
        """Record a draft's edits so far."""
        with self._tx() as con:
            con.execute("UPDATE drafts SET edits=? WHERE id=?", [json.dumps(list(edits)), did])

    def delete_draft(self, did: str) -> None:
        """Forget a draft (fixed, or given up)."""
        with self._tx() as con:
            con.execute("DELETE FROM drafts WHERE id=?", [did])

    # ------------------------------------------------------------------ scenarios
    def put_scenario(self, name: str, yaml_text: str) -> None:
        """Create or replace a user scenario."""
        with self._tx() as con:
            con.execute(
                "INSERT INTO scenarios VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
                "SET yaml = excluded.yaml, updated = excluded.updated",
                [name, yaml_text, _now(), _now()],
            )

    def scenarios(self) -> list[dict[str, Any]]:
        """Every user scenario, by name."""
        return self._rows("SELECT * FROM scenarios ORDER BY name")

    def scenario(self, name: str) -> dict[str, Any] | None:
        """One user scenario, or None."""
        rows = self._rows("SELECT * FROM scenarios WHERE name=?", [name])
        return rows[0] if rows else None

    def delete_scenario(self, name: str) -> bool:
        """Delete a user scenario; whether it existed."""
        with self._tx() as con:
            found = con.execute("SELECT count(*) FROM scenarios WHERE name=?", [name]).fetchone()
            con.execute("DELETE FROM scenarios WHERE name=?", [name])
        return bool(found and found[0])

    # ------------------------------------------------------------------ runs
    def add_run(self, network_id: str, request: Mapping, scenarios: Mapping[str, str]) -> str:
        """A new queued run; ``scenarios`` maps each name to the YAML it runs with."""
        rid = new_id()
        with self._tx() as con:
            con.execute(
                "INSERT INTO runs (id, network_id, request, scenarios, status, log, created) "
                "VALUES (?, ?, ?, ?, 'queued', '', ?)",
                [rid, network_id, json.dumps(request), json.dumps(scenarios), _now()],
            )
        return rid

    def runs(self) -> list[dict[str, Any]]:
        """Every run, newest first (without the scenarios' YAML)."""
        rows = self._rows(
            "SELECT id, network_id, request, status, stage, done, total, error, created, "
            "started, finished FROM runs ORDER BY created DESC"
        )
        for r in rows:
            r["request"] = json.loads(r["request"])
        return rows

    def run(self, rid: str) -> dict[str, Any] | None:
        """One run with its log and scenarios, or None."""
        rows = self._rows("SELECT * FROM runs WHERE id=?", [rid])
        if not rows:
            return None
        run = rows[0]
        run["request"] = json.loads(run["request"])
        run["scenarios"] = json.loads(run["scenarios"])
        return run

    def progress(self, rid: str, stage: str, done: int | None, total: int | None) -> None:
        """Record a running run's stage and progress (``done`` of ``total`` steps) and
        append them to its log."""
        with self._tx(durable=False) as con:
            con.execute(
                "UPDATE runs SET status='running', stage=?, done=?, total=?, "
                "started=coalesce(started, ?), log = log || ? WHERE id=?",
                [stage, done, total, _now(), _log_line(stage, done, total), rid],
            )

    def finish(
        self,
        rid: str,
        results: Mapping[str, tuple[str, str]],
        log: str = "done",
        total: int | None = None,
    ) -> None:
        """Write a run's results and mark it done, in one transaction.

        Parameters
        ----------
        rid : str
            The run.
        results : mapping
            name -> (kind, content) for every result.
        log : str
            Last log line.
        total : int, optional
            The run's number of steps (all done now).
        """
        with self._tx() as con:
            con.execute("DELETE FROM results WHERE run_id=?", [rid])
            for name, (kind, content) in results.items():
                con.execute("INSERT INTO results VALUES (?, ?, ?, ?)", [rid, name, kind, content])
            con.execute(
                "UPDATE runs SET status='done', stage=NULL, done=coalesce(?, total), "
                "total=coalesce(?, total), finished=?, log = log || ? WHERE id=?",
                [total, total, _now(), log + "\n", rid],
            )

    def fail(self, rid: str, status: str, error: str) -> None:
        """Mark a run ``failed`` or ``cancelled`` with the reason (no results kept)."""
        with self._tx() as con:
            con.execute("DELETE FROM results WHERE run_id=?", [rid])
            con.execute(
                "UPDATE runs SET status=?, error=?, finished=?, log = log || ? WHERE id=?",
                [status, error, _now(), f"{status}: {error}\n", rid],
            )

    def results(self, rid: str) -> list[dict[str, Any]]:
        """Names and kinds of a run's results."""
        return self._rows("SELECT name, kind FROM results WHERE run_id=? ORDER BY name", [rid])

    def result(self, rid: str, name: str) -> tuple[str, str] | None:
        """One result's (kind, content), or None."""
        rows = self._rows(
            "SELECT kind, content FROM results WHERE run_id=? AND name=?", [rid, name]
        )
        return (rows[0]["kind"], rows[0]["content"]) if rows else None


def _log_line(stage: str, done: int | None, total: int | None) -> str:
    stamp = _now().strftime("%H:%M:%S")
    step = f" step {min(done + 1, total)}/{total}:" if done is not None and total else ""
    return f"{stamp}{step} {stage}\n"
