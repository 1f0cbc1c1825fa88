"""Hostile uploads are refused with a 4xx and a clear message, and nothing is written
outside the data directory: zips with ``../`` or absolute paths or links, zip bombs,
oversized files, workbooks with formulas or external links, odd file types."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from shoring.web import Settings, create_app
from web_helpers import mini_workbook


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    with TestClient(create_app(Settings(data_dir=data, max_upload_bytes=2 * 2**20))) as c:
        yield c, root


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
    return buffer.getvalue()


def _refused(client: TestClient, name: str, data: bytes, words: str, status: int = 422) -> None:
    r = client.post("/api/networks", files={"file": (name, data)})
    assert r.status_code == status, r.text
    text = r.json()["detail"] + " ".join(p["message"] for p in r.json()["problems"])
    assert words in text, text


def _outside(root: Path) -> list[Path]:
    """Files under the test folder but outside its data directory."""
    return [p for p in root.rglob("*") if p.is_file() and "data" not in p.relative_to(root).parts]


def test_zip_paths_links_and_bombs(setup) -> None:
    client, root = setup
    _refused(client, "a.zip", _zip([("../../escape.csv", b"x")]), "climbs out")
    _refused(client, "a.zip", _zip([("/etc/escape.csv", b"x")]), "absolute path")
    link = zipfile.ZipInfo("sites.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    _refused(client, "a.zip", _zip([(link, b"/etc/passwd")]), "is a link")
    _refused(client, "a.zip", _zip([("products.csv", b"0" * (20 * 2**20))]), "expands more than")
    many = [(f"t{i}.csv", b"a,b\n") for i in range(300)]
    _refused(client, "a.zip", _zip(many), "holds 300 files")
    _refused(client, "a.zip", b"PK not really", "not a zip")
    assert _outside(root) == []
    assert list((root / "data" / "tmp").glob("*")) == []  # working folders removed


def test_oversized_and_odd_files(setup) -> None:
    client, _ = setup
    _refused(client, "big.yaml", b"#" * (3 * 2**20), "larger than 2 MiB", status=413)
    _refused(client, "net.exe", b"MZ", "unsupported file type")
    _refused(client, "../../net.yaml", b"", "empty")  # the name is reduced to its base
    _refused(client, "net.yaml", b"meta: [unclosed", "YAML")


def test_workbook_formulas_and_links(setup, tmp_path: Path) -> None:
    client, _ = setup
    path = mini_workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["sites"]["H2"] = "=1+1"
    book.save(tmp_path / "formula.xlsx")
    _refused(client, "formula.xlsx", (tmp_path / "formula.xlsx").read_bytes(), "sites!H2")
    # the same workbook zipped (a folder holding one network file is read as that file)
    zipped = _zip([("net/network.xlsx", (tmp_path / "formula.xlsx").read_bytes())])
    _refused(client, "net.zip", zipped, "sites!H2")
    # an external link part, as Excel writes one for ='[other.xlsx]Sheet1'!A1
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    parts["xl/externalLinks/externalLink1.xml"] = b"<externalLink/>"
    _refused(client, "linked.xlsx", _zip(list(parts.items())), "links to 1 other workbook")
    _refused(client, "fake.xlsx", b"not a workbook", "not an Excel workbook")
