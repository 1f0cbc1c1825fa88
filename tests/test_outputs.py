"""Atomic, owned outputs: complete or absent, one run per folder, a manifest, a lock.

The end-to-end tests interrupt ``shoring report`` with SIGINT at seeded random moments
and make a write fail with "no space left on device" (on a size-limited tmpfs where
this machine lets us mount one, and by an injected ``OSError(ENOSPC)`` everywhere):
no file is ever truncated under its final name and the previous complete run stays.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from shoring.costs import landed_cost
from shoring.errors import ShoringError
from shoring.network import read_network
from shoring.outputs import MANIFEST, OutputFolder, sha256, write_atomic, write_csv
from shoring.report import build_report
from shoring.report.layout import link
from shoring.scenario import load_scenario


def assert_one_complete_run(folder: Path) -> dict:
    """Every file in ``folder`` is listed in its manifest with the same bytes, and no
    temporary folder of a run is left beside it."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    listed = {f["name"]: f for f in manifest["files"]}
    present = {p.name for p in folder.iterdir()} - {MANIFEST}
    assert present == set(listed), "files differ from the manifest"
    for name, entry in listed.items():
        assert sha256(folder / name) == entry["sha256"], f"{name} is not the file listed"
        assert (folder / name).stat().st_size == entry["bytes"]
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    assert all(name.endswith(".lock") for name in leftovers), leftovers
    return manifest


# --- the folder itself -------------------------------------------------------------------


def test_rerun_replaces_the_whole_run_and_lists_every_file(tmp_path: Path) -> None:
    source = tmp_path / "input.yaml"
    source.write_text("x: 1\n", encoding="utf-8")
    out = tmp_path / "out"
    with OutputFolder(out, "report", inputs=[source], arguments=["report", "input.yaml"]) as run:
        (run.path / "a.csv").write_text("a\n1\n")
        (run.path / "b.csv").write_text("b\n2\n")
        assert not out.exists()  # nothing under the final name until the run is complete
    first = assert_one_complete_run(out)
    assert first["command"] == "report" and first["arguments"] == ["report", "input.yaml"]
    assert first["inputs"][0]["sha256"] == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256("abc")
        if source.read_bytes() == b"abc"
        else sha256(source)
    )
    with OutputFolder(out, "report") as run:
        (run.path / "a.csv").write_text("a\n3\n")
    assert_one_complete_run(out)
    assert not (out / "b.csv").exists()  # the previous run's file does not linger
    assert (out / "a.csv").read_text() == "a\n3\n"


def test_sha256_of_a_known_string(tmp_path: Path) -> None:
    path = tmp_path / "abc"
    path.write_bytes(b"abc")  # FIPS 180-2, appendix B.1
    assert sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_failed_run_leaves_the_previous_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputFolder(out, "optimize") as run:
        (run.path / "result.json").write_text("{}")
    with pytest.raises(KeyboardInterrupt), OutputFolder(out, "optimize") as run:
        (run.path / "result.json").write_text('{"half')
        raise KeyboardInterrupt
    assert (out / "result.json").read_text() == "{}"
    assert_one_complete_run(out)


def test_another_commands_folder_is_not_clobbered(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputFolder(out, "optimize") as run:
        (run.path / "result.json").write_text("{}")
    with pytest.raises(ShoringError, match="shoring optimize"), OutputFolder(out, "pareto"):
        pass
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("not ours")
    with pytest.raises(ShoringError, match="did not write"), OutputFolder(foreign, "report"):
        pass
    assert (foreign / "thesis.docx").read_text() == "not ours"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ShoringError, match="not a folder"), OutputFolder(tmp_path / "file", "x"):
        pass


def test_concurrent_runs_into_one_folder_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputFolder(out, "report") as run:
        with pytest.raises(ShoringError, match="another shoring run"), OutputFolder(out, "report"):
            pass
        (run.path / "x.csv").write_text("x\n")
    with OutputFolder(out, "report"):  # the lock is released with the run
        pass


def test_atomic_file_is_complete_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_text("old")

    def fails(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OSError):
        write_atomic(path, fails)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


# --- what goes into the files ------------------------------------------------------------


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    # OWASP CSV injection: cells starting with = + - @ tab or CR get a leading quote
    frame = pd.DataFrame(
        {
            "site": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "plain", "a=b"],
            "usd": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    write_csv(frame, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["site", "usd"]
    sites = [r[0] for r in rows]
    assert sites == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "plain", "a=b"]
    assert rows[0][1] == "-1.5"  # numbers are written as numbers


def test_only_web_addresses_become_links() -> None:
    shown = link("https://example.org/a?b=1&c=2")
    assert shown.startswith('<a href="https://example.org/a?b=1&amp;c=2"')
    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x", "data:,x"):
        shown = link(url, "[link]")
        assert "<a" not in shown and "href" not in shown


# --- the report end to end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory, mini_network: Path):
    """The network file, its parts, and one complete report run to start from."""
    root = tmp_path_factory.mktemp("net")
    network = read_network(mini_network)
    scenarios = [load_scenario("baseline")]
    ds = landed_cost(network, scenarios, [2025])
    build_report(network, ds, scenarios, root / "previous")
    return mini_network, network, scenarios, ds, root / "previous"


def _previous(study, parent: Path) -> Path:
    out = parent / "out"
    shutil.copytree(study[-1], out)
    return out


def test_disk_full_injected_keeps_the_previous_report(study, tmp_path, monkeypatch) -> None:
    _, network, scenarios, ds, _ = study
    out = _previous(study, tmp_path)
    before = assert_one_complete_run(out)
    real = pd.DataFrame.to_csv
    calls = {"n": 0}

    def to_csv(frame, target=None, *args, **kwargs):  # the third CSV hits a full disk
        calls["n"] += 1
        if calls["n"] < 3 or target is None:
            return real(frame, target, *args, **kwargs)
        Path(target).write_text(real(frame, None, *args, **kwargs)[:20])  # truncated
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    with pytest.raises(ShoringError, match="No space left on device"):
        build_report(network, ds, scenarios, out)
    assert calls["n"] == 3
    assert assert_one_complete_run(out) == before


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    """A 16 MiB tmpfs, where this machine allows mounting one (root, no sandbox)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_on_a_small_tmpfs_keeps_the_previous_report(study, small_tmpfs) -> None:
    _, network, scenarios, ds, _ = study
    out = _previous(study, small_tmpfs)
    before = assert_one_complete_run(out)
    stat = os.statvfs(small_tmpfs)
    with (small_tmpfs / "filler").open("wb") as handle:  # leave 1 MiB: less than a report
        handle.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - (1 << 20)))
    with pytest.raises(ShoringError, match="No space left on device"):
        build_report(network, ds, scenarios, out)
    assert assert_one_complete_run(out) == before


def _report(network_file: Path, out: Path) -> subprocess.Popen:
    code = "import sys; from shoring.cli import main; sys.argv[0] = 'shoring'; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "report", str(network_file), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_sigint_at_random_moments_never_leaves_a_partial_report(study, tmp_path) -> None:
    out = _previous(study, tmp_path)
    current = assert_one_complete_run(out)
    rng = random.Random(20261129)
    finished = 0
    for _ in range(3):
        run = _report(study[0], out)
        # wait until the run has its temporary folder (imports, reading and checks done),
        # then interrupt it at a seeded moment of the costing, report building or writing
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.tmp-*")) and run.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 4.0))
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=300)
        after = assert_one_complete_run(out)
        if run.returncode == 0:  # it finished before the signal: the new run replaced it
            current, finished = after, finished + 1
            continue
        assert run.returncode == 130, err.decode()  # stopped by the CLI, no traceback
        assert b"Traceback" not in err and b"interrupted" in err
        assert after == current  # the previous complete run, untouched
    assert finished < 3


# --- optimize and pareto ---------------------------------------------------------------


def test_pareto_does_not_clobber_optimize(study, tmp_path, cli) -> None:
    out = tmp_path / "design"
    base = (str(study[0]), "-s", "baseline", "--out", str(out))
    code, _, err = cli("optimize", *base, "--alternatives", "0", "--no-explain")
    assert code == 0, err
    first = assert_one_complete_run(out)
    assert first["command"] == "optimize" and first["scenarios"][0]["name"] == "baseline"
    assert {f["name"] for f in first["files"]} == {
        "result.json", "flows.csv", "footprint.csv", "lost_sales.csv",
    }  # fmt: skip
    code, _, err = cli("pareto", *base, "--points", "1", "--sweep", "cap")
    assert code == 2 and "shoring optimize" in err
    assert assert_one_complete_run(out) == first


def test_a_finished_solve_survives_an_unwritable_folder(study, tmp_path, cli, monkeypatch):
    import shoring.cli.optimize_cmd as cmd

    real, calls = cmd._write, []

    def full_once(folder, *args):
        calls.append(folder)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(folder, *args)

    monkeypatch.setattr(cmd, "_write", full_once)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "spare"))
    (tmp_path / "spare").mkdir()
    out = tmp_path / "design"
    code, stdout, err = cli(
        "optimize", str(study[0]), "-s", "baseline", "--out", str(out),
        "--alternatives", "0", "--no-explain", "--json",
    )  # fmt: skip
    assert code == 2 and "No space left on device" in err and "saved in" in err
    assert json.loads(stdout)["footprint"]  # printed before the files were attempted
    assert not out.exists()  # nothing half-written under the name asked for
    (spare,) = (tmp_path / "spare").glob("shoring-optimize-*")
    assert str(spare) in " ".join(err.split())
    saved = assert_one_complete_run(spare)
    assert "result.json" in {f["name"] for f in saved["files"]}
    assert json.loads((spare / "result.json").read_text()) == json.loads(stdout)
