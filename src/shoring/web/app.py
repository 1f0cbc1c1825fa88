"""The FastAPI application: :func:`create_app`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.formparsers import MultiPartParser

from shoring import __version__
from shoring.errors import ShoringError, ShoringInputError
from shoring.web import api, api_runs, pages
from shoring.web.guard import Guard, TooLarge
from shoring.web.jobs import Runner
from shoring.web.models import ProblemOut
from shoring.web.state import ApiError, Settings, Workspace
from shoring.web.store import Store


def _error(status: int, detail: str, problems: Any = (), draft: Any = None) -> JSONResponse:
    body = {"detail": detail, "problems": [ProblemOut.of(p).model_dump() for p in problems]}
    if draft is not None:
        body["draft"] = draft
    return JSONResponse(body, status_code=status)


def create_app(settings: Settings) -> Any:
    """The web app over a workspace in ``settings.data_dir``.

    Parameters
    ----------
    settings : Settings
        Data directory, database, token, limits.

    Returns
    -------
    ASGI app
        The FastAPI app wrapped in the request guard (:class:`~shoring.web.guard.Guard`);
        the FastAPI app itself is its ``app`` attribute and the workspace its
        ``app.state.workspace`` (close it with :meth:`~shoring.web.state.Workspace.close`
        when the server has stopped).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # an upload is kept in memory up to the request limit: Starlette would otherwise spool
    # files over 1 MiB to the system's temporary folder, outside the data directory
    MultiPartParser.spool_max_size = max(
        MultiPartParser.spool_max_size, settings.max_upload_bytes + 2**20
    )

    store = Store(settings.db_path)
    workspace = Workspace(settings, store, Runner(store, settings.tmp, settings.workers))
    app = FastAPI(
        title="shoring",
        version=__version__,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: left out (every
        # asset is served locally); the document itself is at /openapi.json
        docs_url=None,
        redoc_url=None,
        description="Relocation studies: networks, scenarios, runs and their results. "
        "Every 4xx answer is {detail, problems}; bad input lists each problem located by "
        "file, sheet, row and field.",
    )
    app.state.workspace = workspace

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.detail, exc.problems, exc.draft)

    @app.exception_handler(ShoringInputError)
    async def _input_error(request: Request, exc: ShoringInputError) -> JSONResponse:
        n = len(exc.problems)
        return _error(422, f"{n} problem(s) in the input", exc.problems)

    @app.exception_handler(ShoringError)
    async def _shoring_error(request: Request, exc: ShoringError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(TooLarge)
    async def _too_large(request: Request, exc: TooLarge) -> JSONResponse:
        limit = settings.max_upload_bytes / 2**20
        return _error(413, f"the request is larger than {limit:g} MiB: refused")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        ]
        return _error(422, "; ".join(problems) or "invalid request")

    app.include_router(api.router)
    app.include_router(api_runs.router)
    pages.mount(app)
    return Guard(app, settings.token, settings.allowed_hosts, settings.max_upload_bytes)
