"""What every request handler shares: the workspace (settings, store, runner) and the
API's error type."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any

from fastapi import Request

from shoring.errors import Problem
from shoring.network import Network
from shoring.web.jobs import Runner, network_from_yaml
from shoring.web.store import Store
from shoring.web.uploads import MAX_UPLOAD_BYTES


@dataclass
class Settings:
    """How the server runs.

    Parameters
    ----------
    data_dir : Path
        The data directory: the database (unless ``db`` is given) and temporary files
        of uploads and runs, all below it.
    db : Path, optional
        The DuckDB file (default ``data_dir / "shoring.duckdb"``).
    token : str, optional
        Bearer token every request must carry (required off loopback).
    max_upload_bytes : int
        Largest request body.
    workers : int
        Runs computed at once.
    allowed_hosts : tuple of str, optional
        Host names the server answers to (DNS-rebinding guard); None: any.
    """

    data_dir: Path
    db: Path | None = None
    token: str | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    workers: int = 1
    allowed_hosts: tuple[str, ...] | None = None

    @property
    def db_path(self) -> Path:
        return self.db or self.data_dir / "shoring.duckdb"

    @property
    def tmp(self) -> Path:
        return self.data_dir / "tmp"


@dataclass
class Workspace:
    """The server's state: settings, store, runner and a small cache of networks."""

    settings: Settings
    store: Store
    runner: Runner
    _networks: OrderedDict[str, Network] = field(default_factory=OrderedDict)
    _lock: Lock = field(default_factory=Lock)

    def network(self, nid: str) -> Network:
        """A stored network, read once and kept (the 16 last used)."""
        with self._lock:
            if nid in self._networks:
                self._networks.move_to_end(nid)
                return self._networks[nid]
        row = self.store.network(nid)
        if row is None:
            raise ApiError(404, f"no network {nid!r}")
        net = network_from_yaml(row["yaml"], row["filename"])
        with self._lock:
            self._networks[nid] = net
            while len(self._networks) > 16:
                self._networks.popitem(last=False)
        return net

    def close(self) -> None:
        """Cancel the runs still going, wait for their threads, close the database (a run
        cancelled this way is recorded as cancelled)."""
        self.runner.shutdown()
        self.store.close()

    def forget(self, nid: str) -> None:
        with self._lock:
            self._networks.pop(nid, None)


class ApiError(Exception):
    """An answer other than 2xx: status, what is wrong and any located problems."""

    def __init__(
        self,
        status: int,
        detail: str,
        problems: tuple[Problem, ...] = (),
        draft: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.detail = detail
        self.problems = problems
        self.draft = draft
        super().__init__(detail)


def workspace(request: Request) -> Workspace:
    """The workspace (FastAPI dependency)."""
    return request.app.state.workspace
