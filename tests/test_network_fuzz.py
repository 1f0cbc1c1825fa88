"""Property tests: a random corruption of a valid example, through every reader format,
gives exit code 2 and a problem naming the corrupted field (and row); never a traceback.

Further down, random corruptions of every input format (scenario YAML, Excel parts and
bytes, CSV text) and of command-line option values, through ``validate`` and ``cost``:
exit 0 with finite numbers, or exit 2 with a located message -- never a traceback."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import shutil
import tempfile
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from shoring.cli import app, main, options
from shoring.errors import InputWarning, ShoringInputError
from shoring.examples import load_example
from shoring.network import read_network
from shoring.network.io_csv import write_csv_records
from shoring.network.io_excel import write_excel_records
from shoring.network.io_yaml import dump_records
from shoring.network.schema import ID_FIELD, numeric_columns, required_columns
from shoring.scenario import load_scenario

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
    elif kind == "negative":  # a negative latitude or longitude is valid: beyond -180 is not
        record[field] = -draw(st.floats(181.0 if field in ("lat", "lon") else 0.5, 1e9))
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


# ---------------------------------------------------------------------------------------
# every input format and CLI option: never a traceback, exit 2 with a located message

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

SCENARIO_TEXT = """\
name: fuzz
title: Every numeric kind of a scenario file
kind: forward
assumptions: [A test.]
measures:
  - {type: tariff, importers: USA, exporters: MEX, ad_valorem: 0.25, start: 2026-01-01}
  - {type: ntb, importers: USA, exporters: CHN, hs: ['8507'], ave: 0.05, start: 2026-01-01}
  - {type: tariff, importers: USA, exporters: CHN, specific_usd_per_unit: 3, start: 2026-01-01}
  - {type: incentive, country: MEX, capex_share: 0.1, per_unit_usd: 2, start_year: 2026}
  - {type: wage_path, country: MEX, annual_growth: 0.03, fx_change: -0.01, start_year: 2026}
  - {type: closure, country: CHN, capacity_lost: 0.2, start: 2026-03-01, end: 2026-04-30}
  - {type: automation, country: all, share_of_labour_removed: 0.1, start_year: 2026}
  - {type: carbon_price, jurisdictions: EU, usd_per_tco2: 80, start_year: 2026}
"""
"""A small scenario with one measure of each numeric kind (rates, shares, money, years)."""

JUNK = st.one_of(
    st.sampled_from(
        [
            "-0.5",
            "5",
            "125%",
            "-5%",
            ".inf",
            "-.inf",
            ".nan",
            "nan",
            "1e400",
            "2026-02-30",
            "99999999999999999999999",
            "[1, 2]",
            "{a: 1}",
            "''",
            "~",
            "true",
            "abc",
            "5 %",
            "'1,000'",
            "0x10",
            "*undefined",
            "&a [*a]",
        ]
    ),
    st.text(max_size=8),
)


def _scenario_values() -> list[tuple[int, int]]:
    """(start, end) offsets of every scalar value in the scenario's measures."""
    root = yaml.compose(SCENARIO_TEXT)
    measures = next(v for k, v in root.value if k.value == "measures")
    spans = []
    for measure in measures.value:
        for _, value in measure.value:
            if isinstance(value, yaml.ScalarNode) and value.start_mark.line == value.end_mark.line:
                spans.append((value.start_mark.index, value.end_mark.index))
    return spans


SCENARIO_SPANS = _scenario_values()


@FUZZ
@given(span=st.sampled_from(SCENARIO_SPANS), junk=JUNK)
def test_scenario_value_corruption_is_located(span: tuple[int, int], junk: str) -> None:
    start, end = span
    text = SCENARIO_TEXT[:start] + junk + SCENARIO_TEXT[end:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except ShoringInputError as exc:
            assert all(p.file == str(path) for p in exc.problems)
            assert any(p.row is not None for p in exc.problems), exc.problems
            return
        for measure in scenario.measures:  # accepted: every number is finite and in range
            for value in measure.model_dump().values():
                if isinstance(value, float):
                    assert math.isfinite(value)
            for name in ("ad_valorem", "ave", "rate"):
                assert getattr(measure, name, 0.0) >= 0


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(span=st.sampled_from(SCENARIO_SPANS), junk=JUNK)
def test_scenario_corruption_through_cost(mini_network: Path, span: tuple, junk: str) -> None:
    start, end = span
    text = SCENARIO_TEXT[:start] + junk + SCENARIO_TEXT[end:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        code, out, err = run_main(
            ["cost", str(mini_network), "-s", str(path), "-y", "2026", "--json"]
        )
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith(f"{path}:"), err
    else:
        assert all(math.isfinite(r["total"]) for r in json.loads(out))


OPTION_JUNK = st.one_of(
    st.sampled_from(
        [
            "nan",
            "inf",
            "-inf",
            "-1",
            "1e400",
            "5",
            "5%",
            "150%",
            "",
            " ",
            "1,5",
            "0x1",
            str(2**64),
            "-0",
            "1e-400",
            "½",
        ]
    ),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@FUZZ
@given(value=OPTION_JUNK, kind=st.sampled_from(["fraction", "amount", "positive", "year"]))
def test_option_parsers_give_a_checked_value_or_a_usage_error(value: str, kind: str) -> None:
    parse = getattr(options, kind)
    try:
        parsed = parse(value)
    except typer.BadParameter as exc:
        assert str(exc.message)
        return
    assert math.isfinite(parsed)
    if kind == "fraction":
        assert 0 <= parsed <= 1
    elif kind == "year":
        assert isinstance(parsed, int) and 1900 <= parsed <= 2200
    else:
        assert parsed >= 0


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=OPTION_JUNK)
def test_cli_year_option_through_cost_and_validate(mini_network: Path, value: str) -> None:
    code, out, err = run_main(["cost", str(mini_network), "--year", value, "--json"])
    assert code in (0, 2), err
    if code == 2:
        assert "Invalid value for '--year'" in err, err
    else:
        assert all(math.isfinite(r["total"]) for r in json.loads(out))


XLSX = write_excel_records(BASE, Path(tempfile.mkdtemp()) / "base.xlsx").read_bytes()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


XLSX_PARTS = _parts(XLSX)


@FUZZ
@given(
    part=st.sampled_from(sorted(n for n in XLSX_PARTS if n.endswith(".xml"))),
    position=st.floats(0, 1),
    junk=st.sampled_from(
        [
            "<",
            "&",
            "<x>",
            "</row>",
            '<dimension ref="A1:XFD1048576"/>',
            '<c r="XFD1048576"><v>1</v></c>',
            "<!DOCTYPE x [<!ENTITY a 'b'>]>",
            '<c r="A2" t="e"><v>#REF!</v></c>',
            '<c r="B2"><f>1+1</f></c>',
            "\x00",
            "é",
            "",
        ]
    ),
    cut=st.booleans(),
)
def test_workbook_xml_corruption(part: str, position: float, junk: str, cut: bool) -> None:
    parts = dict(XLSX_PARTS)
    xml = parts[part].decode("utf-8")
    at = int(position * len(xml))
    parts[part] = (xml[:at] + junk + ("" if cut else xml[at:])).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    check_never_crashes(buffer.getvalue(), "net.xlsx")


@FUZZ
@given(position=st.integers(0, len(XLSX) - 1), junk=st.binary(min_size=1, max_size=8))
def test_workbook_byte_corruption(position: int, junk: bytes) -> None:
    check_never_crashes(XLSX[:position] + junk + XLSX[position + len(junk) :], "net.xlsx")


CSV_FILES = write_csv_records(BASE, Path(tempfile.mkdtemp()) / "n")


@FUZZ
@given(
    table=st.sampled_from(sorted(p.name for p in CSV_FILES.glob("*.csv"))),
    position=st.floats(0, 1),
    junk=st.one_of(
        st.sampled_from(
            ['"', "\n", ",,,,,,,,", "\x00", "nan", "-inf", "1e400", "\ufeff", "5%", "=1+1"]
        ),
        st.text(max_size=6),
    ),
)
def test_csv_corruption(table: str, position: float, junk: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "n"
        shutil.copytree(CSV_FILES, target)
        text = (target / table).read_text(encoding="utf-8")
        at = int(position * len(text))
        (target / table).write_text(text[:at] + junk + text[at:], encoding="utf-8")
        code, out, err = run_main(["validate", str(target), "--json"])
    assert code in (0, 2), err
    if code == 2:
        assert all(p["file"].startswith(str(target)) for p in json.loads(out)["problems"])


def check_never_crashes(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        start = time.perf_counter()
        code, out, err = run_main(["validate", str(path), "--json"])
        assert time.perf_counter() - start < 10
    assert code in (0, 2), err
    if code == 2:
        assert all(p["file"] == str(path) for p in json.loads(out)["problems"])


def run_main(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI as a user would: (exit code, stdout, stderr); any traceback fails."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", InputWarning)
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return code, out.getvalue(), err.getvalue()


MINI = """\
meta: {name: mini, base_year: 2025}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1}
sites:
  - {id: cn, country: CHN, status: existing, products: [widget], capacity_units: 100000,
     fixed_cost_usd: 100000}
  - {id: mx, country: MEX, status: candidate, products: [widget], capacity_units: 100000,
     fixed_cost_usd: 100000}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: widget, units: {2026: 1000}}
"""


@pytest.fixture(scope="module")
def mini_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mini") / "net.yaml"
    path.write_text(MINI, encoding="utf-8")
    return path
