"""Property tests: a random corruption of a valid example, through every reader format,
gives exit code 2 and a problem naming the corrupted field (and row); never a traceback."""

from __future__ import annotations

import contextlib
import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from shoring.cli import app
from shoring.errors import ShoringInputError
from shoring.examples import load_example
from shoring.network import read_network
from shoring.network.io_csv import write_csv_records
from shoring.network.io_excel import write_excel_records
from shoring.network.io_yaml import dump_records
from shoring.network.schema import ID_FIELD, numeric_columns, required_columns

BASE: dict[str, Any] = load_example("ev-battery").to_dict()
TABLES_WITH_ROWS = [t for t in BASE if t != "meta" and BASE[t]]
REFERENCES = {
    "bom": ("parent", "component"),
    "sites": ("products",),
    "site_capacities": ("site", "product"),
    "suppliers": ("component",),
    "demand": ("market", "product"),
}
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def write(data: dict[str, Any], fmt: str, folder: Path) -> Path:
    if fmt == "yaml":
        path = folder / "net.yaml"
        path.write_text(dump_records(data, compact_demand=False), encoding="utf-8")
        return path
    if fmt == "xlsx":
        return write_excel_records(data, folder / "net.xlsx")
    return write_csv_records(data, folder / "net")


def row_of(path: Path, fmt: str, table: str, index: int) -> int:
    if fmt in ("xlsx", "csv"):
        return index + 2
    root = yaml.compose(path.read_text(encoding="utf-8"))
    node = next(v for k, v in root.value if k.value == table)
    return node.value[index].start_mark.line + 1


@st.composite
def corruptions(draw: st.DrawFn) -> tuple[dict[str, Any], str, list[int], str]:
    """A corrupted copy of the example: (data, table, candidate row indices, field)."""
    data = copy.deepcopy(BASE)
    kind = draw(
        st.sampled_from(
            ["blank", "negative", "country", "reference", "duplicate", "cycle", "text", "hs"]
        )
    )
    if kind == "cycle":
        index = draw(st.integers(0, len(data["bom"]) - 1))
        edge = data["bom"][index]
        data["bom"].append(
            {"parent": edge["component"], "component": edge["parent"], "quantity": 1}
        )
        return data, "bom", list(range(len(data["bom"]))), "component"
    if kind == "country":
        table = draw(st.sampled_from(["sites", "suppliers", "markets"]))
        field = "country"
    elif kind == "reference":
        table = draw(st.sampled_from(sorted(REFERENCES)))
        field = draw(st.sampled_from(REFERENCES[table]))
    elif kind == "duplicate":
        table = draw(st.sampled_from(sorted(t for t in ID_FIELD if data.get(t))))
        field = ID_FIELD[table]
    elif kind == "hs":
        table, field = "products", "hs_code"
    elif kind == "blank":
        table = draw(st.sampled_from(TABLES_WITH_ROWS))
        field = draw(st.sampled_from(required_columns(table)))
    else:  # negative, text
        table = draw(st.sampled_from([t for t in TABLES_WITH_ROWS if numeric_columns(t)]))
        field = draw(st.sampled_from(sorted(numeric_columns(table))))
    index = draw(st.integers(0, len(data[table]) - 1))
    record = data[table][index]
    if kind == "blank":
        record.pop(field, None)
    elif kind == "negative":
        record[field] = -draw(st.floats(0.5, 1e9))
    elif kind == "text":
        record[field] = draw(st.sampled_from(["lots", "n/a", "1,000", "twelve", "?"]))
    elif kind == "country":
        record[field] = draw(st.sampled_from(["Atlantis", "Untied States", "Chna", "ZZZ"]))
    elif kind == "reference":
        record[field] = ["ghost-id"] if field == "products" else "ghost-id"
    elif kind == "hs":
        length = draw(st.sampled_from([1, 2, 4, 5, 7, 8, 10]))
        record[field] = draw(st.text("0123456789", min_size=length, max_size=length))
    elif kind == "duplicate":
        other = draw(st.integers(0, len(data[table]) - 1).filter(lambda i: i != index))
        record[field] = data[table][other][field]
        return data, table, sorted({index, other}), field
    return data, table, [index], field


def check(fmt: str, case: tuple[dict[str, Any], str, list[int], str]) -> None:
    data, table, indices, field = case
    with tempfile.TemporaryDirectory() as folder:
        path = write(data, fmt, Path(folder))
        result = CliRunner().invoke(app, ["validate", str(path), "--json"])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        problems = json.loads(result.stdout)["problems"]
        rows = {row_of(path, fmt, table, i) for i in indices}
        file = str(path / f"{table}.csv") if fmt == "csv" else str(path)
        sheet = None if fmt == "csv" else table
        hits = [
            p
            for p in problems
            if p["field"] == field
            and p["file"] == file
            and p["sheet"] == sheet
            and p["row"] in rows
        ]
        assert hits, (table, indices, field, problems)


@pytest.mark.parametrize("fmt", ["yaml", "xlsx", "csv"])
@SETTINGS
@given(case=corruptions())
def test_corruption_is_reported(fmt: str, case: tuple) -> None:
    check(fmt, case)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
def test_random_text_never_crashes(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "n.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ShoringInputError):
            read_network(path)


_EXAMPLE_TEXT = dump_records(BASE)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, len(_EXAMPLE_TEXT) - 1), junk=st.text(max_size=5))
def test_mangled_yaml_never_crashes(position: int, junk: str) -> None:
    text = _EXAMPLE_TEXT[:position] + junk + _EXAMPLE_TEXT[position + 1 :]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "n.yaml"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(ShoringInputError):
            read_network(path)
