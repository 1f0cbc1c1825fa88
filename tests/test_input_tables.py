"""Tables a reader sees but cannot use, and Excel cells it cannot take as shown: each is
read as the user sees it or reported with its file, sheet, cell -- never skipped."""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from shoring.errors import InputWarning, ShoringInputError
from shoring.examples import load_example
from shoring.network import Network, read_network
from shoring.network.io_csv import write_csv_records
from shoring.network.io_excel import write_excel_records

BASE = load_example("apparel").to_dict()
BOM_LINES = len(BASE["bom"])


def problems(path: Path) -> list[str]:
    """Problems as printed, file names relative to the folder of ``path``."""
    with pytest.raises(ShoringInputError) as info:
        read_network(path)
    return [str(p).removeprefix(f"{path.parent}/") for p in info.value.problems]


# ------------------------------------------------------------------ CSV folders


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_csv_records(BASE, tmp_path / "net")


def test_table_file_in_other_case_is_read(folder: Path) -> None:
    (folder / "bom.csv").rename(folder / "BOM.csv")
    with pytest.warns(InputWarning, match=r"BOM\.csv: read as table 'bom'"):
        network = read_network(folder)
    assert len(network.bom) == BOM_LINES


def test_dangling_link_is_a_problem(folder: Path) -> None:
    (folder / "bom.csv").unlink()
    os.symlink("bom-moved.csv", folder / "bom.csv")
    assert any(
        p.startswith("net/bom.csv: is a link to bom-moved.csv, which does not exist")
        for p in problems(folder)
    )


def test_folder_named_like_a_table_is_a_problem(folder: Path) -> None:
    (folder / "bom.csv").unlink()
    (folder / "bom.csv").mkdir()
    assert "net/bom.csv: is a folder, not a CSV file: the table is not read" in problems(folder)


def test_two_files_for_one_table(folder: Path) -> None:
    (folder / "Bom.csv").write_bytes((folder / "bom.csv").read_bytes())
    found = problems(folder)
    assert any("several files could hold table 'bom'" in p for p in found), found


def test_unknown_files_are_reported(folder: Path) -> None:
    (folder / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.warns(InputWarning, match=r"notes\.csv: not read: not a table"):
        read_network(folder)
    (folder / "notes.csv").unlink()
    (folder / "bom.csv").rename(folder / "boms.csv")
    found = problems(folder)
    assert any(
        p.endswith(
            "boms.csv: not read: no table has this name; did you mean 'bom'? "
            "(table 'bom' is absent)"
        )
        for p in found
    ), found


# ------------------------------------------------------------------ Excel workbooks


def workbook(tmp_path: Path, edit: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    path = write_excel_records(BASE, tmp_path / "net.xlsx")
    if edit is not None:
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
    return path


def cell(book: openpyxl.Workbook, sheet: str, field: str, row: int) -> str:
    """Address of ``field``'s cell in ``row`` (found by its header, not a fixed letter)."""
    header = [c.value for c in book[sheet][1]]
    return f"{openpyxl.utils.get_column_letter(header.index(field) + 1)}{row}"


def rewrite_part(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Rewrite one XML part of a workbook (what another program might have written)."""
    with zipfile.ZipFile(path) as archive:
        items = {info.filename: archive.read(info) for info in archive.infolist()}
    items[part] = change(items[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items.items():
            archive.writestr(name, data)


def sheet_part(path: Path, sheet: str) -> str:
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def rename(sheet: str, title: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet].title = "tmp"  # openpyxl refuses a title equal ignoring case
        book["tmp"].title = title

    return edit


def test_sheet_in_other_case_is_read(tmp_path: Path) -> None:
    path = workbook(tmp_path, rename("bom", "BOM"))
    with pytest.warns(InputWarning, match=r"net\.xlsx:BOM: read as table 'bom'"):
        assert len(read_network(path).bom) == BOM_LINES


def test_extra_sheets_are_reported(tmp_path: Path) -> None:
    path = workbook(tmp_path, lambda b: b.create_sheet("Notes"))
    with pytest.warns(InputWarning, match=r"net\.xlsx:Notes: not read"):
        read_network(path)

    both = workbook(tmp_path, lambda b: setattr(b.copy_worksheet(b["bom"]), "title", "tmp"))
    # openpyxl refuses two titles equal ignoring case; other programs write them
    rewrite_part(both, "xl/workbook.xml", lambda xml: xml.replace('name="tmp"', 'name="Bom"'))
    assert any("several sheets could hold table 'bom'" in p for p in problems(both))
    renamed = workbook(tmp_path, rename("bom", "boms"))
    assert any(
        "net.xlsx:boms: not read: no table has this name; did you mean 'bom'?" in p
        for p in problems(renamed)
    )


def test_formula_without_cached_value_names_the_cell(tmp_path: Path) -> None:
    """Case excel-formula-cells: formulas written by a script are never read as blank."""

    at: dict[str, str] = {}

    def formulas(book: openpyxl.Workbook) -> None:
        at["hours"] = cell(book, "products", "labour_hours", 2)
        at["automation"] = cell(book, "sites", "automation", 3)
        book["products"][at["hours"]] = "=0.5*2"
        book["sites"][at["automation"]] = "=0.1*3"

    found = problems(workbook(tmp_path, formulas))
    assert any(
        re.search(
            rf"net\.xlsx:products:2:labour_hours: cell {at['hours']} holds a formula "
            r"\(=0\.5\*2\) without a cached value",
            p,
        )
        for p in found
    ), found
    assert any(
        p.startswith(f"net.xlsx:sites:3:automation: cell {at['automation']} holds a formula")
        for p in found
    ), found


def test_formula_with_cached_value_reads_the_value(tmp_path: Path) -> None:
    path = workbook(
        tmp_path, lambda b: b["sites"].__setitem__(cell(b, "sites", "automation", 2), "=0.1*3")
    )
    part = sheet_part(path, "sites")
    cached = "<f>0.1*3</f><v>0.3</v>"
    rewrite_part(path, part, lambda xml: re.sub(r"<f>0\.1\*3</f>(<v\s*/>|<v></v>)?", cached, xml))
    site = read_network(path).sites.iloc[0]
    assert site["automation"] == pytest.approx(0.3)


def test_error_values_name_the_cell(tmp_path: Path) -> None:
    def errors(book: openpyxl.Workbook) -> None:
        book["products"]["D3"] = "#REF!"
        book["products"]["E4"] = "#DIV/0!"

    found = problems(workbook(tmp_path, errors))
    assert (
        "net.xlsx:products:3:unit_value_usd: cell D3 shows the Excel error #REF!: correct "
        "the formula or type the value" in found
    )
    assert any(
        p.startswith("net.xlsx:products:4:weight_kg: cell E4 shows the Excel error #DIV/0!")
        for p in found
    )


def test_merged_cells(tmp_path: Path) -> None:
    countries = [site["country"] for site in BASE["sites"]]

    def down(book: openpyxl.Workbook) -> None:
        book["sites"]["C3"] = None
        book["sites"].merge_cells("C2:C3")  # one country shown for the first two sites

    sites = read_network(workbook(tmp_path, down)).sites
    assert list(sites.loc[[s["id"] for s in BASE["sites"][:2]], "country"]) == [countries[0]] * 2
    across = workbook(tmp_path, lambda b: b["products"].merge_cells("B2:C2"))
    assert any(
        "net.xlsx:products:2:name: cells B2:C2 are merged across columns" in p
        for p in problems(across)
    )


def test_hidden_rows_are_read_with_a_warning(tmp_path: Path) -> None:
    def hide(book: openpyxl.Workbook) -> None:
        book["sites"].row_dimensions[3].hidden = True

    with pytest.warns(InputWarning, match=r"net\.xlsx:sites:3:id: row 3 is hidden in Excel"):
        network = read_network(workbook(tmp_path, hide))
    assert len(network.sites) == len(BASE["sites"])


def test_huge_declared_dimension_does_not_hang(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    for sheet in ("products", "sites", "demand"):
        rewrite_part(
            path,
            sheet_part(path, sheet),
            lambda xml: re.sub(
                r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml
            ),
        )
    start = time.perf_counter()
    network = read_network(path)
    assert time.perf_counter() - start < 5.0
    assert network.equals(Network.from_dict(BASE))


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda xml: xml[: len(xml) // 2], "net.xlsx:sites: not a readable .xlsx workbook"),
        (
            lambda xml: xml.replace("<sheetData>", "<sheetData><!DOCTYPE x [<!ENTITY a 'b'>]>"),
            "net.xlsx:sites: not a readable .xlsx workbook",
        ),
    ],
)
def test_malformed_sheet_xml_is_located(
    tmp_path: Path, damage: Callable[[str], str], words: str
) -> None:
    path = workbook(tmp_path)
    rewrite_part(path, sheet_part(path, "sites"), damage)
    assert any(p.startswith(words) for p in problems(path)), problems(path)


def test_not_a_workbook_and_zip_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert any("not a readable .xlsx workbook" in p for p in problems(junk))
    path = workbook(tmp_path)
    monkeypatch.setattr("shoring.network.xlsx_cells.MAX_UNCOMPRESSED_BYTES", 10_000)
    assert any(
        "MiB are read): save the large tables as a folder of CSV files" in p for p in problems(path)
    )


def test_validate_json_lists_warnings(folder: Path) -> None:
    """Case misnamed-table through the CLI: the BOM is read, and the JSON says how."""
    from typer.testing import CliRunner

    from shoring.cli import app

    (folder / "bom.csv").rename(folder / "BOM.csv")
    result = CliRunner().invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["summary"]["bom_lines"] == BOM_LINES
    assert payload["warnings"] == [
        {
            "file": str(folder / "BOM.csv"),
            "sheet": None,
            "row": None,
            "field": None,
            "message": "read as table 'bom' (the expected file name is bom.csv)",
        }
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"product,partner,value\nbatt,C\xe9te,1\n", "not a UTF-8 text file"),
        (b"product;partner;value\nbatt;CHN;1\n", "columns are separated by ';'"),
        (b"", "not a readable CSV table"),
    ],
)
def test_published_layout_csv_unreadable_is_located(tmp_path, raw, message) -> None:
    # found by a fresh-user trial: a Latin-1 file crashed `macro index` with a traceback
    from shoring.data.csvio import read_csv_checked

    path = tmp_path / "imports.csv"
    path.write_bytes(raw)
    with pytest.raises(ShoringInputError) as err:
        read_csv_checked(path, ["product", "partner", "value"], "imports")
    assert message in str(err.value)
    assert "imports.csv" in str(err.value)
