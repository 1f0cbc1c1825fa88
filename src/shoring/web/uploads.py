"""Network uploads read safely: size limits, archive checks, no formulas, no links.

An upload is written only inside a fresh folder under the data directory's ``uploads``
folder and deleted when read. A zip of CSV files is refused, with a message saying why,
when a member's path is absolute or climbs out (``..``), when it is a link, when the
archive has too many members, expands past :data:`MAX_UNPACKED_BYTES` or a member
expands more than :data:`MAX_RATIO` times (zip bombs); sizes are counted while
unpacking, not trusted from the archive's headers. A workbook holding formulas or
links to other workbooks is refused: the web app reads values only.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import openpyxl

from shoring import safeyaml
from shoring.errors import Problem, ShoringInputError
from shoring.network import Network
from shoring.network.io import EXCEL_SUFFIXES, YAML_SUFFIXES, network_source
from shoring.network.io_common import display_name
from shoring.network.io_csv import raw_from_folder
from shoring.network.io_excel import raw_from_workbook
from shoring.network.io_yaml import raw_from_text
from shoring.network.records import RawNetwork
from shoring.network.validate import build_network
from shoring.network.xlsx_cells import check_archive
from shoring.web.drafts import DraftError, EditError, apply_edits, problem_rows

MAX_UPLOAD_BYTES = 16 * 2**20
"""Largest request body the server accepts (16 MiB)."""
MAX_UNPACKED_BYTES = 64 * 2**20
"""Largest total size of a zip of CSV files once unpacked (64 MiB)."""
MAX_MEMBERS = 200
"""Most members a zip of CSV files may hold."""
MAX_RATIO = 200
"""Largest expansion of one zip member (unpacked / packed size); zip bombs go far above."""
MAX_FORMULAS_LISTED = 5
"""Formula cells named in the refusal of a workbook (the rest counted)."""

SUFFIXES = (".yaml", ".yml", ".xlsx", ".zip")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ShoringInputError):
    """An upload refused before or while reading it (HTTP 4xx with located problems)."""


def _refuse(file: str, message: str) -> UploadError:
    return UploadError([Problem(file, message)])


def safe_filename(name: str | None) -> str:
    """The uploaded file's base name, reduced to letters, digits, ``.``, ``_`` and ``-``.

    Parameters
    ----------
    name : str or None
        The name the browser sent (may hold a path).

    Returns
    -------
    str
        A name without folders, at most 100 characters.

    Raises
    ------
    UploadError
        No name, or not ``.yaml``, ``.yml``, ``.xlsx`` or ``.zip``.
    """
    base = PurePosixPath((name or "").replace("\\", "/")).name
    clean = _SAFE_NAME.sub("_", base).lstrip(".")[-100:]
    if not clean or Path(clean).suffix.lower() not in SUFFIXES:
        raise _refuse(
            clean or "upload", "unsupported file type: upload .yaml, .yml, .xlsx or a .zip of CSVs"
        )
    return clean


@contextmanager
def _workdir(root: Path) -> Iterator[Path]:
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member must not be unpacked, or None."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return f"member {name!r} is a link: links are not unpacked"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"member {name!r} has an absolute path: only relative paths are unpacked"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return f"member {name!r} climbs out of the archive ('..'): refused"
    if info.flag_bits & 0x1:
        return f"member {name!r} is encrypted"
    return None


def unpack_csv_zip(data: bytes, file: str, into: Path) -> Path:
    """Unpack a zip of CSV files into ``into``; the folder holding the tables.

    Parameters
    ----------
    data : bytes
        The archive.
    file : str
        Its name, for messages.
    into : Path
        An empty folder (every file is written below it).

    Returns
    -------
    Path
        ``into`` or its one sub-folder when every member sits in the same folder.

    Raises
    ------
    UploadError
        Not a zip; a member that is absolute, climbs out, is a link or encrypted; too
        many members; too large once unpacked or a member expanding more than
        :data:`MAX_RATIO` times.
    """
    archive_path = into.parent / (into.name + ".zip")
    archive_path.write_bytes(data)
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, ValueError):
        raise _refuse(file, "not a zip archive (or a damaged one)") from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise _refuse(file, f"the archive holds {len(members)} files (at most {MAX_MEMBERS})")
        for info in archive.infolist():
            problem = _member_problem(info)
            if problem:
                raise _refuse(file, problem)
        total = 0
        root = into.resolve()
        for info in members:
            target = (into / info.filename.replace("\\", "/")).resolve()
            if root not in target.parents:
                raise _refuse(file, f"member {info.filename!r} would be written outside")
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            limit = max(info.compress_size, 1) * MAX_RATIO
            with archive.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(2**16):
                    written += len(chunk)
                    total += len(chunk)
                    if written > limit:
                        raise _refuse(
                            file,
                            f"member {info.filename!r} expands more than {MAX_RATIO} times "
                            "(a zip bomb?): refused",
                        )
                    if total > MAX_UNPACKED_BYTES:
                        raise _refuse(
                            file,
                            f"the archive expands past {MAX_UNPACKED_BYTES // 2**20} MiB: refused",
                        )
                    dst.write(chunk)
    archive_path.unlink()
    entries = [p for p in into.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return into


def check_workbook(path: Path, file: str) -> None:
    """Refuse a workbook holding formulas or links to other workbooks.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` file.
    file : str
        Its name, for messages.

    Raises
    ------
    UploadError
        Too large once unzipped, not a workbook, external links, or formula cells (the
        first few named by sheet and cell).
    """
    too_large = check_archive(path)
    if too_large:
        raise _refuse(file, too_large)
    try:
        with zipfile.ZipFile(path) as archive:
            links = [n for n in archive.namelist() if n.startswith("xl/externalLinks/")]
    except (zipfile.BadZipFile, ValueError):
        raise _refuse(file, "not an Excel workbook (.xlsx is a zip archive)") from None
    if links:
        raise _refuse(
            file,
            f"the workbook links to {len(links)} other workbook(s): the web app reads "
            "values only; paste the linked cells as values and upload again",
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise _refuse(file, f"the workbook cannot be read: {exc}") from None
    found: list[str] = []
    count = 0
    try:
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        count += 1
                        if len(found) < MAX_FORMULAS_LISTED:
                            found.append(f"{ws.title}!{cell.coordinate}")
    finally:
        book.close()
    if count:
        more = f" and {count - len(found)} more" if count > len(found) else ""
        raise UploadError(
            [
                Problem(
                    file,
                    f"{count} formula cell(s) ({', '.join(found)}{more}): the web app reads "
                    "values only; paste them as values and upload again",
                )
            ]
        )


def _relocated(exc: ShoringInputError, folder: Path) -> ShoringInputError:
    """The same problems with the working folder taken off their file names."""
    prefix = str(folder) + os.sep
    problems = [
        Problem(p.file.replace(prefix, ""), p.message, sheet=p.sheet, row=p.row, field=p.field)
        for p in exc.problems
    ]
    return ShoringInputError(problems)


def _read_raw(source: Path) -> RawNetwork:
    """What the reader of ``source``'s format finds (as :func:`read_network` reads it)."""
    if source.is_dir():
        source = network_source(source)
        if source.is_dir():
            return raw_from_folder(source)
    name = display_name(source)
    if source.suffix.lower() in YAML_SUFFIXES:
        return raw_from_text(safeyaml.read_text(source, name), name)
    if source.suffix.lower() in EXCEL_SUFFIXES:  # also a workbook inside a zip
        check_workbook(source, source.name)
        return raw_from_workbook(source, name)
    raise _refuse(name, "unsupported file type: use .yaml, .yml, .xlsx or a zip of CSV files")


def read_upload(
    data: bytes, filename: str | None, root: Path, edits: Sequence[dict[str, Any]] = ()
) -> tuple[Network, str]:
    """Validate an uploaded network file and read it.

    Parameters
    ----------
    data : bytes
        The file's contents (the request size limit is already applied).
    filename : str or None
        The name the browser sent.
    root : Path
        Folder for temporary files (inside the data directory).
    edits : sequence of dict, optional
        Cell edits made in the browser, applied to the records read before they are
        checked (:func:`shoring.web.drafts.apply_edits`).

    Returns
    -------
    (Network, str)
        The network and the cleaned file name.

    Raises
    ------
    UploadError
        Refused unread (type, size, archive, formulas, links).
    EditError
        An edit that addresses no cell of the upload.
    DraftError
        Located problems of the file, with the rows they point to.
    """
    name = safe_filename(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(name, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MiB")
    if not data:
        raise _refuse(name, "the file is empty")
    suffix = Path(name).suffix.lower()
    with _workdir(root) as folder:
        if suffix == ".zip":
            tables = folder / Path(name).stem
            tables.mkdir()
            source = unpack_csv_zip(data, name, tables)
        else:
            source = folder / name
            source.write_bytes(data)
            if suffix == ".xlsx":
                check_workbook(source, name)
        raw: RawNetwork | None = None
        try:
            raw = _read_raw(source)
            apply_edits(raw, edits)
            return build_network(raw), name
        except (UploadError, EditError):
            raise
        except ShoringInputError as exc:
            rows = [] if raw is None or raw.fatal else problem_rows(raw, exc.problems)
            raise DraftError(_relocated(exc, folder).problems, rows) from None
