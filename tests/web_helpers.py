"""Shared builders of the web tests: a workspace app, the mini network as YAML and as a
workbook (valid or with one located error), and waiting for a run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import openpyxl

from conftest import MINI_NETWORK
from shoring.network import read_yaml, write_excel

MINI = MINI_NETWORK.replace(
    "{id: plant-a, country: MEX,", '{id: plant-a, name: "NAME_A", country: MEX,'
)
"""conftest.py's mini network (two sites, Mexico and China, one US market), plant-a named."""

SCRIPT_NAME = "<script>alert('x')</script> Monterrey"
"""A hostile site name: every page and the report must show it as text."""


def mini_yaml(site_name: str = "Monterrey plant") -> str:
    """The mini network's YAML with ``site_name`` as plant-a's name."""
    text = MINI.replace("NAME_A", site_name.replace('"', '\\"'))
    assert "NAME_A" not in text and site_name in text.replace('\\"', '"')
    return text


def mini_workbook(
    folder: Path, capacity: float = 1000, name: str = "mini.xlsx", site_name: str = "Monterrey"
) -> Path:
    """The mini network as an Excel workbook; plant-a's capacity set to ``capacity``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "mini-src.yaml"
    source.write_text(mini_yaml(site_name), encoding="utf-8")
    path = write_excel(read_yaml(source), folder / name)
    if capacity != 1000:  # an error only the reader catches: edit the cell in the workbook
        book = openpyxl.load_workbook(path)
        ws = book["sites"]
        header = [c.value for c in ws[1]]
        col = header.index("capacity_units") + 1
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, 1).value == "plant-a":
                ws.cell(row, col).value = capacity
        book.save(path)
    return path


def wait_run(client: Any, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll a run until it is over; its final state."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("done", "failed", "cancelled"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")
