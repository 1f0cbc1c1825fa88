"""Atomic, owned output folders and files.

Every command that writes files goes through here, so that

- a run never leaves a truncated file under its final name: files are written into a
  hidden temporary folder beside the target (same file system), flushed to disk, and
  the folder is renamed into place only when the run is complete (the previous run's
  folder is swapped out in one step where the system allows it);
- a folder holds one run's outputs and a ``manifest.json`` that says what made them
  (command and arguments, the inputs' SHA-256, package version, time, scenario
  definitions, data sources, and every file's size and hash); re-running replaces the
  whole folder, so no stale file of an earlier run stays beside the new ones;
- a folder is owned by the command that made it: another command refuses to replace it
  (``pareto --out`` does not silently clobber ``optimize --out``), and so does any
  command for a non-empty folder that shoring did not write;
- concurrent runs into one folder are refused (an advisory lock held for the run);
- an interrupted or failed run (Ctrl-C, disk full) removes its temporary folder and
  leaves the previous complete run as it was.

>>> with OutputFolder("out", command="optimize") as folder:   # doctest: +SKIP
...     (folder.path / "result.json").write_text("{}")
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from shoring import __version__
from shoring.errors import ShoringError
from shoring.textsafe import json_text, spreadsheet_text

MANIFEST = "manifest.json"
"""Name of the manifest every output folder carries."""

_RENAME_EXCHANGE = 2  # linux/fs.h


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, hex.

    Parameters
    ----------
    path : Path
        A readable file.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_hashes(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Path, size and SHA-256 of input files (every file of a folder, sorted).

    Parameters
    ----------
    paths : iterable of str or Path
        Files or folders (e.g. a network folder of CSVs); names that are not files on
        disk (a built-in scenario name) are left out.

    Returns
    -------
    list of dict
        ``{"path", "bytes", "sha256"}`` per file.
    """
    out = []
    for item in paths:
        path = Path(item)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                out.append(
                    {"path": str(file), "bytes": file.stat().st_size, "sha256": sha256(file)}
                )
    return out


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once, at import: os.umask can only be read by setting it


def _usual_mode(path: Path, directory: bool = False) -> None:
    """Give a temporary file or folder (created private) the mode a plain one would get."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_UMASK)


def _fsync(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    done = call(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def _manifest_of(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(error: OSError) -> str:
    return error.strerror or str(error)


class OutputFolder:
    """One run's output folder, written in a temporary place and renamed in when done.

    Use as a context manager: write files into :attr:`path`; on a clean exit the
    manifest is written last and the folder replaces ``target`` in one rename; on an
    exception (including ``KeyboardInterrupt``) the temporary folder is removed and
    ``target`` is left as it was.

    Parameters
    ----------
    target : str or Path
        The folder the user asked for.
    command : str
        The command that owns the folder (``"report"``, ``"optimize"``, ...).
    inputs : sequence of str or Path
        Input files or folders, hashed into the manifest.
    arguments : sequence of str, optional
        The command line (default: this process's arguments).

    Raises
    ------
    ShoringError
        On entering: when ``target`` is a file, holds files shoring did not write,
        holds another command's outputs, is being written by another run, or its
        parent cannot be written. On a clean exit: when the files cannot be flushed or
        renamed into place (the temporary folder is removed first).
    """

    def __init__(
        self,
        target: str | Path,
        command: str,
        inputs: Sequence[str | Path] = (),
        arguments: Sequence[str] | None = None,
    ) -> None:
        self.target = Path(target)
        self.command = command
        self.inputs = list(inputs)
        self.arguments = list(sys.argv[1:] if arguments is None else arguments)
        self.details: dict[str, Any] = {}
        self.path = self.target  # the temporary folder once entered
        self._lock_fd: int | None = None
        self._depth = 0

    # --- entering --------------------------------------------------------------------

    def _check_owner(self) -> None:
        target = self.target
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise ShoringError(f"{target} is not a folder: give a folder for the outputs")
        if not target.exists() or not any(target.iterdir()):
            return
        manifest = _manifest_of(target)
        if manifest is None:
            raise ShoringError(
                f"{target} holds files that shoring did not write (no {MANIFEST}): "
                "choose a new or empty folder for the outputs"
            )
        owner = manifest.get("command")
        if owner != self.command:
            raise ShoringError(
                f"{target} holds the outputs of 'shoring {owner}' ({MANIFEST}); "
                f"'shoring {self.command}' would replace them: choose another folder"
            )

    def _lock(self) -> None:
        lock = self.target.parent / f".{self.target.name}.lock"
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ShoringError(
                f"cannot write into {self.target.parent}: {_describe(exc)}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ShoringError(
                f"another shoring run is writing into {self.target} (lock {lock}): "
                "wait for it to finish or choose another folder"
            ) from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None

    def _sweep(self) -> None:
        """Clean up after runs that were killed before they could (the lock is held).

        Their temporary folders are removed; a previous run moved aside but not yet
        replaced (a kill between the two renames where no atomic swap exists) is put
        back first.
        """
        name = re.compile(rf"\.{re.escape(self.target.name)}\.(tmp|old)-[a-z0-9_]{{8}}")
        for stale in self.target.parent.iterdir():
            if not (name.fullmatch(stale.name) and stale.is_dir()):
                continue
            if stale.name.split(".")[-1].startswith("old") and not self.target.exists():
                with contextlib.suppress(OSError):
                    os.rename(stale / "run", self.target)
            shutil.rmtree(stale, ignore_errors=True)

    def __enter__(self) -> OutputFolder:
        self._depth += 1
        if self._depth > 1:  # already open (a caller passed an open folder on)
            return self
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ShoringError(f"cannot create {self.target.parent}: {_describe(exc)}") from None
        self._lock()
        try:
            self._check_owner()
            self._sweep()
            self.path = Path(
                tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=self.target.parent)
            )
            _usual_mode(self.path, directory=True)
        except OSError as exc:
            self._unlock()
            raise ShoringError(
                f"cannot write into {self.target.parent}: {_describe(exc)}"
            ) from None
        except BaseException:
            self._unlock()
            raise
        return self

    # --- leaving ---------------------------------------------------------------------

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        try:
            if exc_type is None:
                self._commit()
        finally:
            if self.path != self.target:
                shutil.rmtree(self.path, ignore_errors=True)
                self.path = self.target
            self._unlock()

    def manifest(self) -> dict[str, Any]:
        """The manifest of this run (written as ``manifest.json`` last).

        Returns
        -------
        dict
            ``command, arguments, shoring_version, python, platform, created (UTC ISO
            8601), inputs (path, bytes, sha256), files (name, bytes, sha256)`` plus what
            the command recorded in :attr:`details` (scenario definitions, data sources).
        """
        files = sorted(p for p in self.path.rglob("*") if p.is_file() and p.name != MANIFEST)
        return {
            "command": self.command,
            "arguments": self.arguments,
            "shoring_version": __version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "inputs": input_hashes(self.inputs),
            **self.details,
            "files": [
                {
                    "name": p.relative_to(self.path).as_posix(),
                    "bytes": p.stat().st_size,
                    "sha256": sha256(p),
                }
                for p in files
            ],
        }

    def _commit(self) -> None:
        try:
            for file in self.path.rglob("*"):
                if file.is_file():
                    _fsync(file)
            text = json_text(self.manifest())
            write_text_atomic(self.path / MANIFEST, text)
            _fsync(self.path, directory=True)
            self._swap()
        except OSError as exc:
            raise ShoringError(
                f"cannot write the outputs into {self.target}: {_describe(exc)}; "
                "the previous contents (if any) are unchanged"
            ) from None

    def _swap(self) -> None:
        target, fresh = self.target, self.path
        if target.exists() and _exchange(fresh, target):
            self.path = fresh  # now holds the previous run: removed on exit
        elif target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rename(target, old / "run")
            os.rename(fresh, target)
            self.path = old
        else:
            os.rename(fresh, target)
            self.path = target
        _fsync(target.parent, directory=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write a text file (UTF-8) so that it is complete or absent under its name.

    Parameters
    ----------
    path : str or Path
        The file.
    text : str
        Its content.

    Returns
    -------
    Path
        ``path``.
    """
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_atomic(path: str | Path, write: Any) -> Path:
    """Call ``write(temporary_path)`` then rename the temporary file onto ``path``.

    Parameters
    ----------
    path : str or Path
        The final file.
    write : callable
        Writes the whole file at the path it is given (same folder as ``path``).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        From ``write`` or the rename; the temporary file is removed first and
        ``path`` is left as it was.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _usual_mode(tmp)
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


@contextlib.contextmanager
def rescue_folder(command: str) -> Iterator[OutputFolder]:
    """A new output folder in the temporary directory, for results that could not be
    written where asked (a finished solve is never lost).

    Parameters
    ----------
    command : str
        The command whose results are rescued.

    Yields
    ------
    OutputFolder
        Open; committed on a clean exit.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(tempfile.gettempdir()) / f"shoring-{command}-{stamp}-{os.getpid()}"
    with OutputFolder(target, command=command) as folder:
        yield folder


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV for people to open in a spreadsheet.

    Text cells that a spreadsheet would run as a formula are prefixed with ``'``
    (:func:`spreadsheet_text`); numbers are written as they are; rows end in CRLF
    (RFC 4180).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (index not written).
    path : str or Path
        The CSV file.

    Returns
    -------
    Path
        ``path``.
    """
    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):  # object or string dtype
            frame[column] = frame[column].map(spreadsheet_text)
    frame.columns = [spreadsheet_text(str(c)) for c in frame.columns]
    # CRLF rows (RFC 4180): a field holding a bare CR or LF is then always quoted
    frame.to_csv(path, index=False, lineterminator="\r\n")
    return Path(path)


def run_details(
    scenarios: Sequence[Any] = (), risk_model: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a manifest records about a study: scenario definitions and data sources.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The scenarios the outputs were computed under.
    risk_model : dict, optional
        How the ``risk`` component was priced (:func:`shoring.costs.assemble.risk_model`:
        hazard model, draws, seed).

    Returns
    -------
    dict
        ``scenarios``: each scenario's full definition (as in its YAML file);
        ``data_sources``: every embedded table with its title and sources; with
        ``risk_model`` also ``risk_model``.
    """
    from shoring.data.cards import data_cards

    extra = {} if risk_model is None else {"risk_model": risk_model}
    return {
        **extra,
        "scenarios": [s.model_dump(mode="json", exclude_none=True) for s in scenarios],
        "data_sources": {
            key: {
                "title": card.title,
                "sources": [s.model_dump(mode="json", exclude_none=True) for s in card.sources],
            }
            for key, card in data_cards().items()
        },
    }
