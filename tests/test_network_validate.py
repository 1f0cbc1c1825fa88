"""Validation: every problem found, each located by file, sheet, row and field."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from shoring.cli import main
from shoring.errors import InputWarning, Problem, ShoringInputError
from shoring.examples import example_path, load_example
from shoring.network import read_network
from shoring.network.io_csv import write_csv_records
from shoring.network.io_excel import write_excel_records
from shoring.network.io_yaml import dump_records

FORMATS = ("yaml", "xlsx", "csv")


def base() -> dict[str, Any]:
    return copy.deepcopy(load_example("ev-battery").to_dict())


def write(data: dict[str, Any], fmt: str, folder: Path) -> Path:
    """Write (possibly broken) records in one format; return the path to read."""
    if fmt == "yaml":
        path = folder / "net.yaml"
        path.write_text(dump_records(data, compact_demand=False), encoding="utf-8")
        return path
    if fmt == "xlsx":
        return write_excel_records(data, folder / "net.xlsx")
    return write_csv_records(data, folder / "net")


def expected_location(path: Path, fmt: str, table: str, index: int) -> tuple[str, str | None, int]:
    """(file, sheet, row) a problem in record ``index`` of ``table`` must carry."""
    if fmt == "xlsx":
        return str(path), table, index + 2
    if fmt == "csv":
        return str(path / f"{table}.csv"), None, index + 2
    root = yaml.compose(path.read_text(encoding="utf-8"))
    node = next(v for k, v in root.value if k.value == table)
    return str(path), table, node.value[index].start_mark.line + 1


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ShoringInputError) as info:
        read_network(path)
    return list(info.value.problems)


def assert_located(
    problems: list[Problem], path: Path, fmt: str, table: str, index: int, field: str, text: str
) -> Problem:
    file, sheet, row = expected_location(path, fmt, table, index)
    hits = [p for p in problems if (p.file, p.sheet, p.row, p.field) == (file, sheet, row, field)]
    assert hits, f"no problem at {file}:{sheet}:{row}:{field}; got {[str(p) for p in problems]}"
    assert any(text in p.message for p in hits), [p.message for p in hits]
    return hits[0]


CASES = [
    # (table, index, field, new value or None to blank, expected text)
    ("products", 1, "weight_kg", None, "missing required value"),
    ("products", 0, "unit_value_usd", -5, "greater than 0"),
    ("products", 2, "weight_kg", "heavy", "must be a number"),
    ("products", 0, "hs_code", "85076", "6 digits"),
    ("products", 0, "hs_code", "8507600", "6 digits"),
    ("products", 3, "margin", 1.5, "at most 1"),
    ("products", 0, "labour_hours", 360, None),  # plausible: no problem expected
    ("sites", 2, "country", "Untied States", "did you mean USA (United States)"),
    ("sites", 1, "automation", 1.4, "at most 1"),
    ("sites", 1, "status", "planned", "existing"),
    ("sites", 0, "products", ["pack-75kwh", "pack-99kwh"], "unknown product 'pack-99kwh'"),
    ("sites", 4, "ramp_up_months", 2.5, "whole number"),
    ("suppliers", 4, "component", "bmss", "did you mean 'bms'"),
    ("bom", 3, "quantity", 0, "greater than 0"),
    ("bom", 0, "component", "module-9kw", "unknown product"),
    ("site_capacities", 0, "product", "enclosure", "cannot make"),
    ("markets", 2, "country", "Frnace", "unknown country"),
    ("demand", 5, "units", -1, "at least 0"),
    ("demand", 7, "market", "uk", "unknown market"),
    ("demand", 0, "year", "2025a", "whole number"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("table", "index", "field", "value", "text"), CASES)
def test_problem_is_located(tmp_path, fmt, table, index, field, value, text) -> None:
    data = base()
    if value is None:
        del data[table][index][field]
    else:
        data[table][index][field] = value
    path = write(data, fmt, tmp_path)
    if text is None:
        read_network(path)  # valid
        return
    assert_located(problems_of(path), path, fmt, table, index, field, text)


def doubts_of(path: Path) -> list[Problem]:
    """Plausibility warnings of a network that reads (values probably in a wrong unit)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_network(path)
    return [w.message.problem for w in caught if isinstance(w.message, InputWarning)]


WARNING_CASES = [
    # (table, index, field, new value, expected text, check name that silences it)
    ("products", 0, "weight_kg", 450_000_000, "exceeds 100 t", "heavy_unit"),
    ("products", 1, "labour_hours", 72_000, "minutes", "labour_hours"),
    ("sites", 3, "capacity_units", 0.5, "below 1", "small_capacity"),
    ("suppliers", 0, "unit_price_usd", 334_000, "USD/kg", "value_per_kg"),
    ("sites", 2, "ramp_up_months", 540, "540 days = 17.7 months", "months_as_days"),
    ("suppliers", 1, "qualification_months", 90, "is it in days", "months_as_days"),
    ("demand", 3, "year", 2126, "far outside the reference data", "year_outside_data"),
    ("sites", 1, "wage_usd_per_hour", 3_200, "per month, per year or in cents", "site_wage"),
    ("sites", 2, "productivity_index", 85, "use 0.85 for 85 %", "site_productivity"),
    ("sites", 3, "productivity", 85, "85 times the output per hour", "site_productivity"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("table", "index", "field", "value", "text", "check"), WARNING_CASES)
def test_plausibility_warning_is_located(tmp_path, fmt, table, index, field, value, text, check):
    data = base()
    data[table][index][field] = value
    path = write(data, fmt, tmp_path)
    found = assert_located(doubts_of(path), path, fmt, table, index, field, text)
    assert f"add {check} to accept in meta to silence this" in found.message
    data["meta"]["accept"] = [check]
    assert not [d for d in doubts_of(write(data, fmt, tmp_path)) if text in d.message]


@pytest.mark.parametrize("fmt", FORMATS)
def test_demand_gap_is_reported(tmp_path, fmt) -> None:
    data = base()
    rows = data["demand"]
    first = rows[0]
    dropped = next(
        i
        for i, r in enumerate(rows)
        if (r["market"], r["product"]) == (first["market"], first["product"]) and i > 0
    )
    year = rows.pop(dropped)["year"]
    path = write(data, fmt, tmp_path)
    hit = assert_located(doubts_of(path), path, fmt, "demand", 0, "year", f"for {year}")
    assert "taken as 0 units" in hit.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_problem_is_reported(tmp_path, fmt) -> None:
    data = base()
    data["products"][0]["unit_value_usd"] = "lots"
    data["sites"][1]["country"] = "Narnia"
    data["suppliers"][2]["capacity_units"] = -3
    data["suppliers"][5]["id"] = data["suppliers"][4]["id"]  # duplicate id
    data["bom"].append({"parent": "cell-nmc-prismatic", "component": "pack-75kwh", "quantity": 1})
    path = write(data, fmt, tmp_path)
    problems = problems_of(path)
    assert_located(problems, path, fmt, "products", 0, "unit_value_usd", "number")
    assert_located(problems, path, fmt, "sites", 1, "country", "unknown country 'Narnia'")
    assert_located(problems, path, fmt, "suppliers", 2, "capacity_units", "greater than 0")
    assert_located(problems, path, fmt, "suppliers", 5, "id", "duplicate id 'bms-shenzhen'")
    cycle = assert_located(problems, path, fmt, "bom", 4, "component", "cyclic bill of materials")
    assert "pack-75kwh -> module-9kwh -> cell-nmc-prismatic -> pack-75kwh" in cycle.message
    assert len(problems) == 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_demand_nothing_can_supply(tmp_path, fmt) -> None:
    data = base()
    data["products"].append(
        {"id": "pack-100kwh", "hs_code": "850760", "unit_value_usd": 12800, "weight_kg": 600}
    )
    data["demand"].append({"market": "us", "product": "pack-100kwh", "year": 2027, "units": 10})
    data["suppliers"] = [s for s in data["suppliers"] if s["component"] != "bms"]
    path = write(data, fmt, tmp_path)
    problems = problems_of(path)
    index = len(data["demand"]) - 1
    assert_located(problems, path, fmt, "demand", index, "product", "no site can make it")
    assert_located(
        problems, path, fmt, "bom", 1, "component", "'bms' of 'pack-75kwh' has no source"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_value_per_kg(tmp_path, fmt) -> None:
    data = base()
    data["products"][2]["weight_kg"] = 0.0015  # cell weight in tonnes: 22,267 USD/kg
    path = write(data, fmt, tmp_path)
    doubts = doubts_of(path)
    assert_located(doubts, path, fmt, "products", 2, "unit_value_usd", "22,267 USD/kg")
    assert len(doubts) == 1  # supplier prices of that product are not flagged again


def test_high_value_exception(tmp_path) -> None:
    data = base()
    data["products"][2].update(hs_code="854231", weight_kg=0.001)  # a chip may be that dear
    read_network(write(data, "yaml", tmp_path))


def test_missing_sheet_and_column_excel(tmp_path) -> None:
    import openpyxl

    path = write(base(), "xlsx", tmp_path)
    workbook = openpyxl.load_workbook(path)
    del workbook["demand"]
    workbook["markets"].delete_cols(3)  # country
    workbook["products"].cell(1, 10, "colour")
    workbook["products"].cell(2, 10, "blue")
    workbook.save(path)
    problems = {str(p) for p in problems_of(path)}
    assert f"{path}:demand: missing sheet" in problems
    assert f"{path}:markets:1:country: missing required column" in problems
    assert any(p.startswith(f"{path}:products:1:colour: unknown column") for p in problems)
    assert len(problems) == 3  # no per-row echo of the missing column


def test_missing_file_and_column_csv(tmp_path) -> None:
    folder = write(base(), "csv", tmp_path)
    (folder / "demand.csv").unlink()
    (folder / "bom.csv").unlink()  # optional: no problem
    markets = folder / "markets.csv"
    markets.write_text("id,name,contry\nus,US,USA\n", encoding="utf-8")
    problems = {str(p) for p in problems_of(folder)}
    assert f"{folder / 'demand.csv'}: missing file" in problems
    assert f"{markets}:1:country: missing required column" in problems
    assert any(
        p.startswith(f"{markets}:1:contry: unknown column; did you mean 'country'?")
        for p in problems
    )


def test_yaml_syntax_error_has_its_line(tmp_path) -> None:
    path = tmp_path / "broken.yaml"
    text = example_path("ev-battery").read_text(encoding="utf-8").splitlines()
    text.insert(20, "\tweight_kg: 3")  # a tab: not allowed for indentation
    path.write_text("\n".join(text), encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.row == 21
    assert "YAML syntax error" in problem.message


def test_yaml_compact_demand_rows(tmp_path) -> None:
    path = tmp_path / "net.yaml"
    text = example_path("ev-battery").read_text(encoding="utf-8")
    text = text.replace("2026: 17000", "2026: -17000").replace("market: fr", "market: fra")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    units_line = next(i for i, line in enumerate(lines, 1) if "2026: -17000" in line)
    market_line = next(i for i, line in enumerate(lines, 1) if "market: fra" in line)
    problems = {str(p) for p in problems_of(path)}
    assert f"{path}:demand:{units_line}:units: must be at least 0.0, got -17000" in problems
    assert any(
        p.startswith(f"{path}:demand:{market_line}:market: unknown market 'fra'") for p in problems
    )


def test_read_network_raises_only_input_errors(tmp_path) -> None:
    for name, content in {
        "a.yaml": b"\xff\xfe\x00",
        "b.yaml": b"[1, 2",
        "c.yaml": b"products: 3\nmeta: [1]\n",
        "d.xlsx": b"PK\x03\x04 not really a zip",
        "e.yaml": b"meta: {name: x, base_year: 2025}\nproducts:\n  - 3\n",
    }.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ShoringInputError):
            read_network(path)


# ------------------------------------------------------------------------ CLI


def run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_validate_valid(capsys) -> None:
    assert run(["validate", str(example_path("ev-battery"))]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "3 tier(s)" in out and "367,500 units" in out
    assert "CHN 1 existing" in out and "MEX 1 candidate" in out
    assert run(["validate", str(example_path("apparel")), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["products"] == 6 and summary["tiers"] == 3
    assert summary["years"] == [2025, 2027] and summary["total_units"] == 10_200_000


def test_cli_validate_invalid(tmp_path, capsys) -> None:
    data = base()
    data["products"][1]["id"] = data["products"][0]["id"]
    data["markets"][0]["country"] = "Atlantis"
    path = write(data, "yaml", tmp_path)
    assert run(["validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    row = expected_location(path, "yaml", "products", 1)[2]
    first = expected_location(path, "yaml", "products", 0)[2]
    assert f"{path}:products:{row}:id: duplicate id 'pack-75kwh' (first at row {first})" in err
    assert any(
        ":markets:" in line and ":country: unknown country 'Atlantis'" in line for line in err
    )
    assert all(line.startswith(str(path)) for line in err)
    assert run(["validate", str(path), "--json"]) == 2
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {"file", "sheet", "row", "field", "message"} == set(problems[0])
