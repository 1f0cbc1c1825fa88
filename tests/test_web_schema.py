"""The JSON API against its own OpenAPI document (schemathesis, bounded examples): no
answer is a server error, and every answer matches the schema (status code, content
type, body)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from web_helpers import mini_yaml

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shoring.web import Settings, create_app  # noqa: E402

_DATA = tempfile.TemporaryDirectory(prefix="shoring-schema-")  # removed at exit
APP = create_app(Settings(data_dir=Path(_DATA.name), workers=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def seeded() -> None:
    """A network and a user scenario for the examples to find (no lifespan: the workspace
    stays open for schemathesis)."""
    client = TestClient(APP)
    assert client.post("/api/networks", files={"file": ("mini.yaml", mini_yaml())}).is_success
    assert client.post("/api/scenarios/soft-change/clone", json={"name": "mine"}).is_success


EXAMPLES = int(os.environ.get("SHORING_SCHEMA_EXAMPLES", "5"))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms(case) -> None:
    case.call_and_validate(checks=CHECKS)
