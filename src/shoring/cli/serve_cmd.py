"""``shoring serve``: the browser workspace on this machine (FastAPI + uvicorn)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from shoring.cli.console import err
from shoring.errors import ShoringError

LOOPBACK_NAMES = ("localhost",)


def default_data_dir() -> Path:
    """The user's data directory for shoring (platformdirs), e.g.
    ``~/.local/share/shoring`` on Linux."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("shoring", appauthor=False))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB file of the workspace (default: in the data directory)."
    ),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Folder for the database and temporary upload files (default: the user's "
        "data directory, e.g. ~/.local/share/shoring).",
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="SHORING_TOKEN",
        help="Bearer token every request must carry; required to listen beyond loopback.",
    ),
    workers: int = typer.Option(1, "--workers", min=1, max=8, help="Studies computed at once."),
) -> None:
    """Serve the browser workspace: upload networks, edit scenarios, run studies, see maps
    and charts, download reports. Every asset is local (works with no internet)."""
    import uvicorn

    from shoring.web import Settings, create_app

    if not is_loopback(host) and not token:
        raise ShoringError(
            f"--host {host} is reachable from other machines: give --token (a long random "
            "secret every request must carry), or keep the default 127.0.0.1"
        )
    if token is not None and len(token) < 16:
        raise ShoringError("--token must be at least 16 characters long")
    folder = data_dir or (db.parent if db else default_data_dir())
    allowed = ("127.0.0.1", "localhost", "::1") if is_loopback(host) else None
    settings = Settings(data_dir=folder, db=db, token=token, workers=workers, allowed_hosts=allowed)
    app = create_app(settings)
    workspace = app.app.state.workspace
    store = workspace.store
    if store.recovered:
        err.print(
            f"marked {len(store.recovered)} unfinished run(s) failed (the server had stopped)"
        )
    err.print(f"shoring workspace: {settings.db_path}; open http://{host}:{port}/")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        workspace.close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the root app."""
    app.command("serve")(serve)
