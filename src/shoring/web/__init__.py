"""The browser workspace (``shoring serve``): a FastAPI app over the Study API.

>>> from shoring.web import Settings, create_app  # doctest: +SKIP
>>> app = create_app(Settings(data_dir=Path("~/.local/share/shoring")))

Networks, scenarios, runs and their results persist in DuckDB
(:mod:`shoring.web.store`); studies run in background threads (:mod:`shoring.web.jobs`)
and their results are the study's own report, tables and charts
(:mod:`shoring.web.results`); the JSON API (:mod:`shoring.web.api`,
:mod:`shoring.web.api_runs`) is documented at ``/openapi.json`` and the pages
(:mod:`shoring.web.pages`) use it. Nothing is recomputed here and nothing is loaded
from the internet.
"""

from __future__ import annotations

from shoring.web.app import create_app
from shoring.web.state import Settings

__all__ = ["Settings", "create_app"]
