"""Readers and writers: exact round trips, the Excel template, format dispatch."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from shoring.cli import main
from shoring.errors import ShoringInputError
from shoring.examples import example_path, list_examples, load_example
from shoring.network import (
    TABLES,
    dump_yaml,
    read_csv_folder,
    read_excel,
    read_network,
    read_yaml,
    write_csv_folder,
    write_excel,
    write_network,
    write_yaml,
)


@pytest.mark.parametrize("name", list_examples())
def test_round_trip_yaml_excel_csv_yaml(name: str, tmp_path: Path) -> None:
    original = read_yaml(example_path(name))
    first = write_yaml(original, tmp_path / "first.yaml")
    from_yaml = read_yaml(first)
    from_excel = read_excel(write_excel(from_yaml, tmp_path / "n.xlsx"))
    from_csv = read_csv_folder(write_csv_folder(from_excel, tmp_path / "csv"))
    second = write_yaml(from_csv, tmp_path / "second.yaml")
    for network in (from_yaml, from_excel, from_csv, read_yaml(second)):
        assert network.equals(original)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_read_network_dispatch(tmp_path: Path) -> None:
    network = load_example("apparel")
    for target in ("n.yaml", "n.yml", "n.xlsx", "folder"):
        written = write_network(network, tmp_path / target)
        assert read_network(written).equals(network)
    (tmp_path / "n.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ShoringInputError, match="unsupported file type"):
        read_network(tmp_path / "n.txt")
    with pytest.raises(ShoringInputError, match="file not found"):
        read_network(tmp_path / "missing.yaml")


def test_csv_layout(tmp_path: Path) -> None:
    folder = write_csv_folder(load_example("ev-battery"), tmp_path / "csv")
    assert {p.stem for p in folder.glob("*.csv")} == set(TABLES)
    meta = (folder / "meta.csv").read_text(encoding="utf-8").splitlines()
    assert meta[0] == "key,value"
    assert meta[1] == "name,ev-battery"
    sites = (folder / "sites.csv").read_text(encoding="utf-8").splitlines()
    # the city as given, with the coordinates it resolved to (GeoNames Changzhou)
    assert sites[1].startswith(
        "changzhou,Changzhou pack plant,CHN,Changzhou,31.77359,119.95401,existing,"
        "pack-75kwh; module-9kwh,"
    )


def test_yaml_compact_and_long_demand_agree(tmp_path: Path) -> None:
    network = load_example("wire-harness")
    data = network.to_dict()
    assert all("year" in r for r in data["demand"])  # to_dict gives the long form
    text = dump_yaml(network)
    assert "units: {2025: 150000, 2026: 155000" in text


def run(args: list[str]) -> int:
    """Exit code of ``shoring ARGS``."""
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_template_has_instructions_and_example_rows(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    assert run(["template", str(path)]) == 0
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Instructions", *TABLES]
    instructions = [row[1] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert "capacity_units" in instructions and "hs_code" in instructions
    assert workbook["products"]["C2"].value == "85076000"  # HS code kept as text
    assert read_excel(path).equals(load_example("ev-battery"))
    assert run(["template", str(path)]) == 2  # refuses to overwrite
    assert run(["template", str(path), "--force"]) == 0
    assert run(["template", str(tmp_path / "t.csv")]) == 2
