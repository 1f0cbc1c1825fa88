"""The JSON API's request and response bodies (they make ``/openapi.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shoring.errors import Problem


class ProblemOut(BaseModel):
    """One located problem with user input (:class:`shoring.errors.Problem`)."""

    file: str
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    message: str
    text: str = Field(description="The problem in one line: file:sheet:row:field: message")

    @classmethod
    def of(cls, p: Problem) -> ProblemOut:
        return cls(
            file=p.file, sheet=p.sheet, row=p.row, field=p.field, message=p.message, text=str(p)
        )


class CellEdit(BaseModel):
    """One cell of an upload typed in the browser (blank or null: the cell cleared)."""

    model_config = ConfigDict(extra="forbid")
    table: str = Field(min_length=1, max_length=40)
    index: int = Field(ge=0, description="The record's position in its table (DraftRow.index)")
    field: str = Field(min_length=1, max_length=80)
    value: str | None = Field(None, max_length=2000)


class DraftRow(BaseModel):
    """A record a problem points to, with its cells as read (or as edited)."""

    table: str
    index: int
    row: int | None = Field(description="Row, line or YAML line in the uploaded file")
    columns: list[str]
    values: dict[str, str]
    problems: list[dict[str, str | None]]


class DraftOut(BaseModel):
    """An upload with problems, kept so they can be fixed in the browser: ``POST
    /api/drafts/{id}/check`` with cell edits checks it again."""

    id: str
    filename: str
    edits: list[CellEdit]
    rows: list[DraftRow]


class DraftIn(BaseModel):
    """Cell edits to add to a draft (a later edit of the same cell wins)."""

    model_config = ConfigDict(extra="forbid")
    edits: list[CellEdit] = Field(max_length=500)


class ErrorOut(BaseModel):
    """Every 4xx answer: what is wrong, and each located problem when input is bad; an
    upload whose problems sit in rows also returns the ``draft`` to fix them in."""

    detail: str
    problems: list[ProblemOut] = []
    draft: DraftOut | None = None


class NetworkOut(BaseModel):
    """A stored, validated network."""

    id: str
    name: str
    filename: str
    created: str
    summary: dict[str, Any]


class ScenarioOut(BaseModel):
    """A scenario of the library (``builtin``) or the user's own."""

    name: str
    title: str
    kind: str
    builtin: bool
    description: str
    parents: list[str]
    probability: float | None
    measures: int = Field(description="Measures of its own (parents' not counted)")
    assumptions: list[str]
    sources: list[dict[str, Any]]


class ScenarioDetail(ScenarioOut):
    """A scenario with its YAML text."""

    yaml: str


_SLUG = r"^[a-z0-9][a-z0-9-]*$"


class CloneIn(BaseModel):
    """Copy a scenario under a new name."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=_SLUG, min_length=1, max_length=60)


class ScenarioIn(BaseModel):
    """A user scenario's whole YAML text (its ``name`` must be the one in the path)."""

    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(min_length=1, max_length=2_000_000)


class TariffIn(BaseModel):
    """A tariff measure added to a user scenario (the scenario file's ``tariff`` type)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_SLUG, min_length=1, max_length=60)
    importers: str = Field(min_length=1, max_length=200, examples=["USA"])
    exporters: str = Field("all", min_length=1, max_length=200, examples=["CHN"])
    hs: str = Field("all", min_length=1, max_length=200, examples=["85"])
    ad_valorem: float = Field(ge=0, le=10, description="Rate as a share: 0.6 is 60%")
    stacking: Literal["add", "replace", "max"] = "add"
    start: dt.date = Field(examples=["2027-01-01"])
    end: dt.date | None = None
    note: str = Field("", max_length=500)


Analysis = Literal["costs", "optimize", "simulate", "stress"]


class RunIn(BaseModel):
    """A study to run: a network, scenarios and analyses."""

    model_config = ConfigDict(extra="forbid")
    network_id: str = Field(min_length=1, max_length=40)
    scenarios: list[str] = Field(min_length=1, max_length=12)
    years: list[int] | None = Field(None, max_length=30)
    analyses: list[Analysis] = Field(
        default=["costs"],
        min_length=1,
        max_length=4,
        description="costs (always run: landed costs, comparison, break-even, report); "
        "optimize (network design); simulate (Monte Carlo disruptions of the current plan); "
        "stress (time to survive vs recover per node: the risk ranking)",
    )
    points: int = Field(2, ge=1, le=10, description="Frontier points per sweep (optimize)")
    runs: int = Field(500, ge=10, le=5000, description="Monte Carlo draws (simulate)")
    seed: int = Field(1, ge=0, le=2**31 - 1, description="Seed of the draws (simulate)")


class RunOut(BaseModel):
    """A run's state: ``queued``, ``running``, ``done``, ``failed`` or ``cancelled``."""

    id: str
    network_id: str
    request: dict[str, Any]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    stage: str | None
    done: int | None
    total: int | None
    error: str | None
    created: str
    started: str | None
    finished: str | None


class RunDetail(RunOut):
    """A run with its log and the scenario names it runs with."""

    log: str
    scenario_names: list[str]


class ResultOut(BaseModel):
    """One stored result of a run."""

    name: str
    kind: Literal["html", "table", "figure", "json"]


class TableOut(BaseModel):
    """A result table: column names and rows (missing values are null)."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    total_rows: int
    offset: int
