"""Server-rendered page shells (Jinja2, autoescaped) and the local static assets.

The pages hold no data: their script (``static/app.js``) calls the same JSON API as any
client and writes user text with ``textContent`` only. Plotly's JS is served from the
installed ``plotly`` package and the map's country shapes come inside each map figure,
so nothing is fetched from the internet.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import plotly
from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shoring import __version__
from shoring.web.guard import TOKEN_COOKIE

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"
)
"""Pages load scripts, styles and data from this server only (Plotly needs eval and
inline styles)."""


def _page(template: str, **context: object) -> HTMLResponse:
    html = _env.get_template(template).render(version=__version__, **context)
    return HTMLResponse(
        html, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
    )


def mount(app: FastAPI) -> None:
    """Add the pages and ``/static`` to the app (left out of the OpenAPI document)."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        return _page("home.html", page="home")

    @app.get("/networks/{network_id}", include_in_schema=False)
    def network_page(network_id: str) -> HTMLResponse:
        return _page("network.html", page="network", network_id=network_id)

    @app.get("/scenarios", include_in_schema=False)
    def scenarios_page() -> HTMLResponse:
        return _page("scenarios.html", page="scenarios")

    @app.get("/scenarios/{name}", include_in_schema=False)
    def scenario_page(name: str) -> HTMLResponse:
        return _page("scenario.html", page="scenario", name=name)

    @app.get("/runs/{run_id}", include_in_schema=False)
    def run_page(run_id: str) -> HTMLResponse:
        return _page("run.html", page="run", run_id=run_id)

    @app.get("/login", include_in_schema=False)
    def login_page() -> HTMLResponse:
        return _page("login.html", page="login", failed=False)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, token: str = Form(...)) -> object:
        expected = request.app.state.workspace.settings.token
        if not expected or not secrets.compare_digest(token.encode(), expected.encode()):
            return _page("login.html", page="login", failed=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response
