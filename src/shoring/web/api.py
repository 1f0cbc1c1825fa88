"""JSON API: networks (upload, list, tables, map, template) and scenarios (library,
clone, edit, add a tariff). Runs and results: :mod:`shoring.web.api_runs`."""

from __future__ import annotations

import functools
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Depends, File, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from shoring.errors import ShoringError, ShoringInputError
from shoring.network import summarize, write_template
from shoring.network.io_common import network_records
from shoring.network.io_yaml import dump_yaml
from shoring.safeyaml import load as safe_load
from shoring.scenario import LIBRARY_DIR, Scenario
from shoring.scenario.loader import builtin_scenarios, parse_scenario
from shoring.textsafe import json_safe
from shoring.web.drafts import DraftError
from shoring.web.models import (
    CloneIn,
    DraftIn,
    ErrorOut,
    NetworkOut,
    ScenarioDetail,
    ScenarioIn,
    ScenarioOut,
    TariffIn,
)
from shoring.web.state import ApiError, Workspace, workspace
from shoring.web.uploads import read_upload, safe_filename

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": why}
    for code, why in (
        (400, "The request body cannot be parsed"),
        (404, "No such network, scenario, run or result"),
        (422, "Bad input: what is wrong, and each problem located by file, sheet, row, field"),
    )
}
"""Answers every API route may give ({detail, problems})."""
router = APIRouter(prefix="/api", responses=ERRORS)
BAD_INPUT = {422: {"model": ErrorOut, "description": "Bad input: located problems"}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _network_out(row: dict[str, Any]) -> NetworkOut:
    return NetworkOut(
        id=row["id"],
        name=row["name"],
        filename=row["filename"],
        created=row["created"],
        summary=row["summary"],
    )


def _summary(net: Any) -> dict[str, Any]:
    return json_safe(
        {k: (list(v) if isinstance(v, tuple) else v) for k, v in summarize(net).items()}
    )


@router.post(
    "/networks",
    status_code=201,
    response_model=NetworkOut,
    responses={**BAD_INPUT, 413: {"model": ErrorOut}},
    tags=["networks"],
)
async def upload_network(
    file: UploadFile = File(..., description=".yaml, .xlsx or a .zip of CSV files"),
    ws: Workspace = Depends(workspace),
) -> NetworkOut:
    """Upload a network; every problem is answered 422, located by file, sheet, row and
    field."""
    data = await file.read()
    # reading and checking is CPU work: off the event loop, so other requests go on
    try:
        net, name = await run_in_threadpool(read_upload, data, file.filename, ws.settings.tmp)
    except DraftError as exc:
        if not exc.rows:
            raise
        name = safe_filename(file.filename)
        draft = {"id": ws.store.add_draft(name, data), "filename": name, "edits": []}
        raise _draft_error(exc, draft) from None
    return await _store_network(ws, net, name, data, [])


def _draft_error(exc: DraftError, draft: dict[str, Any]) -> ApiError:
    """The 422 answer of an upload with problems, with its draft to fix them in."""
    n = len(exc.problems)
    detail = f"{n} problem(s) in the input: fix them below, or in your file and upload it again"
    return ApiError(422, detail, tuple(exc.problems), {**draft, "rows": exc.rows})


async def _store_network(
    ws: Workspace, net: Any, name: str, data: bytes, edits: list[dict[str, Any]]
) -> NetworkOut:
    """Store a validated network with where it came from (the upload's size and SHA-256
    and the cells edited in the browser)."""
    text, summary = await run_in_threadpool(lambda: (dump_yaml(net), _summary(net)))
    source: dict[str, Any] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if edits:
        source["edits"] = edits
    nid = ws.store.add_network(net.name, name, text, summary, source)
    row = ws.store.network(nid)
    assert row is not None
    return _network_out(row)


@router.post(
    "/drafts/{draft_id}/check",
    status_code=201,
    response_model=NetworkOut,
    responses=BAD_INPUT,
    tags=["networks"],
)
async def check_draft(
    draft_id: str, body: DraftIn, ws: Workspace = Depends(workspace)
) -> NetworkOut:
    """Check an upload with problems again with cell edits made in the browser: the
    network (201) when none is left, else the problems and the rows to fix (422, with
    the draft and every edit so far)."""
    draft = ws.store.draft(draft_id)
    if draft is None:
        raise ApiError(404, f"no draft {draft_id!r} (only the last uploads are kept)")
    edits = {(e["table"], e["index"], e["field"]): e for e in draft["edits"]}
    edits |= {(e.table, e.index, e.field): e.model_dump() for e in body.edits}
    merged = list(edits.values())
    data, name = draft["data"], draft["filename"]
    try:
        net, _ = await run_in_threadpool(read_upload, data, name, ws.settings.tmp, merged)
    except DraftError as exc:
        ws.store.set_draft_edits(draft_id, merged)
        raise _draft_error(exc, {"id": draft_id, "filename": name, "edits": merged}) from None
    out = await _store_network(ws, net, name, data, merged)
    ws.store.delete_draft(draft_id)
    return out


@router.get("/networks", response_model=list[NetworkOut], tags=["networks"])
def list_networks(ws: Workspace = Depends(workspace)) -> list[NetworkOut]:
    """Every stored network, newest first."""
    return [_network_out(r) for r in ws.store.networks()]


@router.get("/networks/{network_id}", response_model=NetworkOut, tags=["networks"])
def get_network(network_id: str, ws: Workspace = Depends(workspace)) -> NetworkOut:
    """One network's summary."""
    row = ws.store.network(network_id)
    if row is None:
        raise ApiError(404, f"no network {network_id!r}")
    return _network_out(row)


@router.delete("/networks/{network_id}", status_code=204, tags=["networks"])
def delete_network(network_id: str, ws: Workspace = Depends(workspace)) -> Response:
    """Delete a network (runs made with it keep their results)."""
    if not ws.store.delete_network(network_id):
        raise ApiError(404, f"no network {network_id!r}")
    ws.forget(network_id)
    return Response(status_code=204)


@router.get("/networks/{network_id}/tables", response_model=dict[str, Any], tags=["networks"])
def network_tables(network_id: str, ws: Workspace = Depends(workspace)) -> dict[str, Any]:
    """Every table of the network as records (``meta`` a mapping)."""
    return json_safe(network_records(ws.network(network_id)))


@router.get("/networks/{network_id}/yaml", tags=["networks"], response_class=Response)
def network_yaml(network_id: str, ws: Workspace = Depends(workspace)) -> Response:
    """The network as a YAML file."""
    row = ws.store.network(network_id)
    if row is None:
        raise ApiError(404, f"no network {network_id!r}")
    return Response(
        row["yaml"],
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{network_id}.yaml"'},
    )


@router.get("/networks/{network_id}/map", response_model=dict[str, Any], tags=["networks"])
def network_map_figure(network_id: str, ws: Workspace = Depends(workspace)) -> dict[str, Any]:
    """The network's sites, suppliers and markets on the world map with the lanes between
    them (supply and delivery; Plotly figure JSON; country shapes included, nothing
    fetched)."""
    from shoring.report.flowmap import lanes_map

    return json_safe(lanes_map(ws.network(network_id)).to_plotly_json())


@router.get("/template.xlsx", tags=["networks"], response_class=Response)
def template(ws: Workspace = Depends(workspace)) -> Response:
    """The Excel template (instructions and the ev-battery example's rows)."""
    return Response(
        _template_bytes(str(ws.settings.tmp)),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="shoring-template.xlsx"'},
    )


@functools.cache
def _template_bytes(tmp: str) -> bytes:
    """The template workbook, written once per server."""
    Path(tmp).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp) as folder:
        return write_template(Path(folder) / "shoring-template.xlsx").read_bytes()


# ---------------------------------------------------------------------- scenarios


def _scenario_out(s: Scenario, builtin: bool) -> dict[str, Any]:
    return {
        "name": s.name,
        "title": s.title,
        "kind": s.kind,
        "builtin": builtin,
        "description": s.description or "",
        "parents": list(s.parents),
        "probability": s.probability,
        "measures": len(s.measures),
        "assumptions": list(s.assumptions),
        "sources": [src.model_dump(mode="json", exclude_none=True) for src in s.sources],
    }


def scenario_text(ws: Workspace, name: str) -> tuple[str, bool] | None:
    """A scenario's YAML text and whether it is built in, or None (user's first)."""
    row = ws.store.scenario(name)
    if row is not None:
        return row["yaml"], False
    if name in builtin_scenarios():
        return (LIBRARY_DIR / f"{name}.yaml").read_text(encoding="utf-8"), True
    return None


def _parse(text: str, name: str) -> Scenario:
    try:
        scenario = parse_scenario(text, f"{name}.yaml")
    except ShoringInputError:
        raise
    except ShoringError as exc:
        raise ApiError(422, str(exc)) from None
    if scenario.name != name:
        raise ApiError(422, f"the YAML names the scenario {scenario.name!r}, not {name!r}")
    return scenario


@router.get("/scenarios", response_model=list[ScenarioOut], tags=["scenarios"])
def list_scenarios(ws: Workspace = Depends(workspace)) -> list[dict[str, Any]]:
    """The built-in library (with sources and assumptions) and the user's scenarios."""
    out = [_scenario_out(s, True) for s in builtin_scenarios().values()]
    for row in ws.store.scenarios():
        out.append(_scenario_out(parse_scenario(row["yaml"], f"{row['name']}.yaml"), False))
    return out


@router.get("/scenarios/{name}", response_model=ScenarioDetail, tags=["scenarios"])
def get_scenario(name: str, ws: Workspace = Depends(workspace)) -> dict[str, Any]:
    """One scenario with its YAML."""
    found = scenario_text(ws, name)
    if found is None:
        raise ApiError(404, f"no scenario {name!r}")
    text, builtin = found
    return {**_scenario_out(parse_scenario(text, f"{name}.yaml"), builtin), "yaml": text}


@router.post(
    "/scenarios/{name}/clone",
    status_code=201,
    response_model=ScenarioDetail,
    responses={**BAD_INPUT, 409: {"model": ErrorOut}},
    tags=["scenarios"],
)
def clone_scenario(name: str, body: CloneIn, ws: Workspace = Depends(workspace)) -> dict:
    """Copy a scenario (its whole text) under a new name, as a custom scenario to edit."""
    found = scenario_text(ws, name)
    if found is None:
        raise ApiError(404, f"no scenario {name!r}")
    if scenario_text(ws, body.name) is not None:
        raise ApiError(409, f"a scenario named {body.name!r} exists: choose another name")
    text = re.sub(r"(?m)^name:.*$", f"name: {body.name}", found[0], count=1)
    text = re.sub(r"(?m)^kind:.*$", "kind: custom", text, count=1)
    _parse(text, body.name)
    ws.store.put_scenario(body.name, text)
    return get_scenario(body.name, ws)


@router.put(
    "/scenarios/{name}",
    response_model=ScenarioDetail,
    responses={**BAD_INPUT, 403: {"model": ErrorOut}},
    tags=["scenarios"],
)
def put_scenario(name: str, body: ScenarioIn, ws: Workspace = Depends(workspace)) -> dict:
    """Create or replace a user scenario from its YAML (located problems: 422)."""
    if name in builtin_scenarios():
        raise ApiError(403, f"{name!r} is a built-in scenario: clone it to change it")
    _parse(body.yaml, name)
    ws.store.put_scenario(name, body.yaml)
    return get_scenario(name, ws)


@router.post(
    "/scenarios/{name}/tariffs",
    response_model=ScenarioDetail,
    responses={**BAD_INPUT, 403: {"model": ErrorOut}},
    tags=["scenarios"],
)
def add_tariff(name: str, body: TariffIn, ws: Workspace = Depends(workspace)) -> dict:
    """Add a tariff measure to a user scenario (e.g. USA on CHN, HS 85, 60% from
    2027-01-01)."""
    found = scenario_text(ws, name)
    if found is None:
        raise ApiError(404, f"no scenario {name!r}")
    if found[1]:
        raise ApiError(403, f"{name!r} is a built-in scenario: clone it to change it")
    _, data = safe_load(found[0], f"{name}.yaml")
    measure: dict[str, Any] = {
        "id": body.id,
        "type": "tariff",
        "importers": body.importers,
        "exporters": body.exporters,
        "hs": body.hs,
        "ad_valorem": body.ad_valorem,
        "stacking": body.stacking,
        "start": body.start,
    }
    if body.end:
        measure["end"] = body.end
    if body.note:
        measure["note"] = body.note
    data["measures"] = [*(data.get("measures") or []), measure]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    _parse(text, name)
    ws.store.put_scenario(name, text)
    return get_scenario(name, ws)


@router.delete("/scenarios/{name}", status_code=204, tags=["scenarios"])
def delete_scenario(name: str, ws: Workspace = Depends(workspace)) -> Response:
    """Delete a user scenario."""
    if name in builtin_scenarios():
        raise ApiError(403, f"{name!r} is a built-in scenario")
    if not ws.store.delete_scenario(name):
        raise ApiError(404, f"no scenario {name!r}")
    return Response(status_code=204)
