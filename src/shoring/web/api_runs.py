"""JSON API: studies run as background jobs, and their results (tables as JSON, CSV and
one Excel workbook; the HTML report; the charts as Plotly JSON; lane explanations)."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Response

from shoring.textsafe import json_safe, spreadsheet_text
from shoring.web.api import BAD_INPUT, ERRORS, XLSX, scenario_text
from shoring.web.models import ErrorOut, ResultOut, RunDetail, RunIn, RunOut, TableOut
from shoring.web.state import ApiError, Workspace, workspace

router = APIRouter(
    prefix="/api",
    tags=["runs"],
    responses=ERRORS,
)
MAX_ROWS = 5000
"""Most rows of a table answered at once (``offset`` pages on)."""


def read_table(csv_text: str) -> pd.DataFrame:
    """A stored result table (the report's CSV) as a DataFrame; empty cells are missing,
    every other text (``NA`` is Namibia) kept as written."""
    if not csv_text.strip():
        return pd.DataFrame()
    return pd.read_csv(io.StringIO(csv_text), keep_default_na=False, na_values=[""])


def _run_out(row: dict[str, Any]) -> dict[str, Any]:
    keys = RunOut.model_fields
    return {k: row.get(k) for k in keys}


def _get_run(ws: Workspace, run_id: str) -> dict[str, Any]:
    run = ws.store.run(run_id)
    if run is None:
        raise ApiError(404, f"no run {run_id!r}")
    return run


@router.post("/runs", status_code=202, response_model=RunOut, responses=BAD_INPUT)
def create_run(body: RunIn, ws: Workspace = Depends(workspace)) -> dict[str, Any]:
    """Start a study in the background; poll ``GET /api/runs/{id}`` for its progress."""
    net = ws.network(body.network_id)
    names = list(dict.fromkeys(body.scenarios))
    texts: dict[str, str] = {}
    for name in names:
        found = scenario_text(ws, name)
        if found is None:
            raise ApiError(422, f"no scenario {name!r}")
        texts[name] = found[0]
    demand_years = sorted({int(y) for y in net.demand["year"]}) if len(net.demand) else []
    if body.years:
        unknown = sorted(set(body.years) - set(demand_years))
        if unknown:
            raise ApiError(
                422,
                f"year(s) {', '.join(map(str, unknown))} have no demand in the network "
                f"(its years: {', '.join(map(str, demand_years)) or 'none'})",
            )
    request = body.model_dump(mode="json")
    request["scenarios"] = names
    run_id = ws.store.add_run(body.network_id, request, texts)
    ws.runner.submit(run_id)
    return _run_out(_get_run(ws, run_id))


@router.get("/runs", response_model=list[RunOut])
def list_runs(ws: Workspace = Depends(workspace)) -> list[dict[str, Any]]:
    """Every run, newest first."""
    return [_run_out(r) for r in ws.store.runs()]


@router.get("/runs/{run_id}", response_model=RunDetail)
def get_run(run_id: str, ws: Workspace = Depends(workspace)) -> dict[str, Any]:
    """A run's status, progress and log."""
    run = _get_run(ws, run_id)
    return {**_run_out(run), "log": run["log"], "scenario_names": list(run["scenarios"])}


@router.post("/runs/{run_id}/cancel", response_model=RunOut, responses={409: {"model": ErrorOut}})
def cancel_run(run_id: str, ws: Workspace = Depends(workspace)) -> dict[str, Any]:
    """Ask a queued or running run to stop (it keeps no results)."""
    run = _get_run(ws, run_id)
    if run["status"] not in ("queued", "running") or not ws.runner.cancel(run_id):
        raise ApiError(409, f"run {run_id} is {run['status']}: nothing to cancel")
    return _run_out(_get_run(ws, run_id))


def _done(ws: Workspace, run_id: str) -> dict[str, Any]:
    run = _get_run(ws, run_id)
    if run["status"] != "done":
        raise ApiError(409, f"run {run_id} is {run['status']}: it has no results")
    return run


def _result(ws: Workspace, run_id: str, name: str) -> tuple[str, str]:
    _done(ws, run_id)
    found = ws.store.result(run_id, name)
    if found is None:
        raise ApiError(404, f"run {run_id} has no result {name!r}")
    return found


@router.get(
    "/runs/{run_id}/results", response_model=list[ResultOut], responses={409: {"model": ErrorOut}}
)
def list_results(run_id: str, ws: Workspace = Depends(workspace)) -> list[dict[str, Any]]:
    """The names and kinds of a finished run's results."""
    _done(ws, run_id)
    return ws.store.results(run_id)


@router.get(
    "/runs/{run_id}/tables/{name}",
    response_model=TableOut,
    responses={409: {"model": ErrorOut}},
)
def result_table(
    run_id: str,
    name: str,
    offset: int = Query(0, ge=0),
    limit: int = Query(MAX_ROWS, ge=1, le=MAX_ROWS),
    ws: Workspace = Depends(workspace),
) -> dict[str, Any]:
    """A result table as JSON (rows ``offset`` to ``offset + limit``)."""
    kind, content = _result(ws, run_id, name)
    if kind != "table":
        raise ApiError(404, f"{name!r} is not a table of run {run_id}")
    frame = read_table(content)
    part = frame.iloc[offset : offset + limit]
    rows = json_safe(part.astype(object).where(part.notna(), None).to_numpy().tolist())
    return {
        "name": name,
        "columns": [str(c) for c in frame.columns],
        "rows": rows,
        "total_rows": len(frame),
        "offset": offset,
    }


@router.get("/runs/{run_id}/csv/{name}", response_class=Response)
def result_csv(run_id: str, name: str, ws: Workspace = Depends(workspace)) -> Response:
    """A result table as the CSV file the report writes."""
    kind, content = _result(ws, run_id, name)
    if kind != "table":
        raise ApiError(404, f"{name!r} is not a table of run {run_id}")
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{run_id}-{name}.csv"'},
    )


@router.get("/runs/{run_id}/figures/{name}", response_model=dict[str, Any])
def result_figure(run_id: str, name: str, ws: Workspace = Depends(workspace)) -> dict:
    """A chart (Plotly figure JSON): ``map``, ``waterfall-i``, ``stack-i``, ``deltas-i``."""
    kind, content = _result(ws, run_id, name)
    if kind != "figure":
        raise ApiError(404, f"{name!r} is not a chart of run {run_id}")
    return json.loads(content)


@router.get("/runs/{run_id}/json/{name}", response_model=Any)
def result_json(run_id: str, name: str, ws: Workspace = Depends(workspace)) -> Any:
    """A JSON result: ``pairs`` (charted products and markets), ``explain-i`` (one lane's
    duty, measures applied and skipped, origin rule and margin), ``manifest``."""
    kind, content = _result(ws, run_id, name)
    if kind != "json":
        raise ApiError(404, f"{name!r} is not a JSON result of run {run_id}")
    return json.loads(content)


@router.get("/runs/{run_id}/report.html", response_class=Response)
def result_report(
    run_id: str, download: bool = Query(True), ws: Workspace = Depends(workspace)
) -> Response:
    """The study's self-contained HTML report (works offline)."""
    _, content = _result(ws, run_id, "report")
    disposition = "attachment" if download else "inline"
    return Response(
        content,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Disposition": f'{disposition}; filename="shoring-report-{run_id}.html"',
            # the report's own inline scripts only; nothing loaded from elsewhere
            "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline' "
            "'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:",
        },
    )


@router.get("/runs/{run_id}/results.xlsx", response_class=Response)
def result_workbook(run_id: str, ws: Workspace = Depends(workspace)) -> Response:
    """Every result table as one Excel workbook (a sheet per table; text that a
    spreadsheet would run as a formula gets the text prefix)."""
    _done(ws, run_id)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for item in ws.store.results(run_id):
            if item["kind"] != "table":
                continue
            found = ws.store.result(run_id, item["name"])
            assert found is not None
            frame = read_table(found[1])
            for column in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[column]):
                    frame[column] = frame[column].map(spreadsheet_text)
            frame.to_excel(writer, sheet_name=item["name"][:31], index=False)
    return Response(
        buffer.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="shoring-results-{run_id}.xlsx"'},
    )
