"""MRIO value chains: hand-worked systems, identities, the pymrio test system."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shoring.macro.mrio import MRIOTable, value_chains

# Hand-worked 2 countries (H, F) x 2 sectors (1, 2), order H1, H2, F1, F2.
# Intermediate sales Z[seller, buyer]: H2->H1 10, F1->H1 20, H1->H2 10, H1->F1 40,
# F2->F1 20. Final demand by destination (H, F): H1 (30, 20), H2 (40, 0), F1 (30, 150),
# F2 (10, 70).
# Output x = Z 1 + Y 1 = (50+50, 10+40, 20+180, 20+80) = (100, 50, 200, 100).
# A = Z / x_col: a(H2,H1)=0.1, a(F1,H1)=0.2, a(H1,H2)=0.2, a(H1,F1)=0.2, a(F2,F1)=0.1.
# v = 1 - column sums of A = (0.7, 0.8, 0.7, 1.0).
# (I - A) l = d:  l2 = d2 + 0.1 l1, l3 = d3 + 0.2 l1, l4 = d4 + 0.1 l3,
#   l1 (1 - 0.02 - 0.04) = d1 + 0.2 d2 + 0.2 d3  =>  l1 = (d1 + 0.2 d2 + 0.2 d3) / 0.94.
# Columns of L (times 47): H1 (50, 5, 10, 1); H2 (10, 48, 2, 0.2); F1 (10, 1, 49, 4.9);
# F2 (0, 0, 0, 47).
# Gross exports e (sales to the other country): H1 40+20 = 60, H2 0, F1 20+30 = 50,
# F2 10.
# V L column H1 (x47): 0.7*50, 0.8*5, 0.7*10, 1*1 = 35, 4, 7, 1 (sums to 47).
#   DVA(H1) = 60 * 39/47 = 2340/47; FVA(H1) = 60 * 8/47 = 480/47.
# V L column F1 (x47): 7, 0.8, 34.3, 4.9: DVA(F1) = 50 * 39.2/47 = 1960/47,
#   FVA(F1) = 50 * 7.8/47 = 390/47. Column F2: (0, 0, 0, 1): DVA(F2) = 10, FVA 0.
# DVX (own value added in the other country's exports):
#   H1: 0.7 * (10*50 + 0) / 47 = 350/47; H2: 0.8 * 1*50/47 = 40/47;
#   F1: 0.7 * 10*60/47 = 420/47; F2: 1 * 1*60/47 = 60/47.
# Countries: H exports 60, FVA 480/47, DVX 390/47 -> backward 8/47, forward 13/94;
#   F exports 60, FVA 390/47, DVX 480/47 -> backward 13/94, forward 8/47.
# Dependency of H1 on F: T = (7 + 1)/47 = 8/47. Immediate suppliers of H1: H2 (a=0.1),
#   F1 (a=0.2). F's share in H2's output: (0.7*2 + 1*0.2)/47 = 1.6/47; in F1's: 39.2/47.
#   direct = 0.2 * 39.2/47 = 7.84/47; via_domestic = 0.1 * 1.6/47 = 0.16/47; third 0.

Z2 = np.zeros((4, 4))
Z2[1, 0], Z2[2, 0], Z2[0, 1], Z2[0, 2], Z2[3, 2] = 10, 20, 10, 40, 20
Y2 = np.array([[30.0, 20], [40, 0], [30, 150], [10, 70]])
RTOL = 1e-12


@pytest.fixture(scope="module")
def two_by_two():
    return value_chains(MRIOTable(("H", "F"), ("1", "2"), Z2, Y2, unit="USD"))


def test_hand_worked_leontief_and_exports(two_by_two) -> None:
    vc = two_by_two
    L47 = np.array([[50, 10, 10, 0], [5, 48, 1, 0], [10, 2, 49, 0], [1, 0.2, 4.9, 47]])
    np.testing.assert_allclose(vc.L, L47 / 47, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(vc.x, [100, 50, 200, 100], rtol=RTOL)
    np.testing.assert_allclose(vc.v, [0.7, 0.8, 0.7, 1.0], rtol=RTOL)
    np.testing.assert_array_equal(vc.exports, [60, 0, 50, 10])


def test_hand_worked_value_added_in_exports(two_by_two) -> None:
    vc = two_by_two
    np.testing.assert_allclose(vc.dva, [2340 / 47, 0, 1960 / 47, 10], rtol=RTOL)
    np.testing.assert_allclose(vc.fva, [480 / 47, 0, 390 / 47, 0], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(vc.dvx, [350 / 47, 40 / 47, 420 / 47, 60 / 47], rtol=RTOL)
    np.testing.assert_allclose(vc.country_backward, [8 / 47, 13 / 94], rtol=RTOL)
    np.testing.assert_allclose(vc.country_forward, [13 / 94, 8 / 47], rtol=RTOL)
    assert np.isnan(vc.backward[1])  # H2 exports nothing: undefined, not 0
    np.testing.assert_allclose(vc.dva + vc.fva, vc.exports, rtol=RTOL)


def test_hand_worked_dependency(two_by_two) -> None:
    dep = two_by_two.dependency
    f, h1 = 1, 0
    assert dep["total"][f, h1] == pytest.approx(8 / 47, rel=RTOL)
    assert dep["direct"][f, h1] == pytest.approx(7.84 / 47, rel=RTOL)
    assert dep["via_domestic"][f, h1] == pytest.approx(0.16 / 47, rel=RTOL)
    assert dep["via_third"][f, h1] == pytest.approx(0, abs=1e-15)
    assert np.isnan(dep["total"][0, h1])  # own country: not a foreign dependency


def test_hand_worked_third_country_chain() -> None:
    # 3 countries, 1 sector: C sells 10 to B, B sells 20 to A; outputs 100, 50, 40.
    # a(B,A) = 0.2, a(C,B) = 0.2; L = I + A + A^2: L(B,A) = 0.2, L(C,B) = 0.2,
    # L(C,A) = 0.04; v = (0.8, 0.8, 1). Final demand: A 60 at home + 40 to C; B 30 and
    # C 30 at home. Exports: A 40, B 20, C 10.
    # A's dependency on C: 1 * 0.04, all through B (third country); on B: 0.8*0.2 = 0.16
    # direct. FVA(A) = (0.16 + 0.04) * 40 = 8; FVA(B) = 0.2 * 20 = 4; FVA(C) = 0.
    # DVX(C) = 0.2*20 + 0.04*40 = 5.6; DVX(B) = 0.16*40 = 6.4; DVX(A) = 0.
    Z = np.array([[0.0, 0, 0], [20, 0, 0], [0, 10, 0]])
    Y = np.array([[60.0, 0, 40], [0, 30, 0], [0, 0, 30]])
    vc = value_chains(MRIOTable(("A", "B", "C"), ("all",), Z, Y))
    dep = vc.dependency
    assert dep["total"][2, 0] == pytest.approx(0.04, rel=RTOL)
    assert dep["via_third"][2, 0] == pytest.approx(0.04, rel=RTOL)
    assert dep["direct"][2, 0] == 0 and dep["via_domestic"][2, 0] == 0
    assert dep["direct"][1, 0] == pytest.approx(0.16, rel=RTOL)
    np.testing.assert_allclose(vc.fva, [8, 4, 0], rtol=RTOL, atol=1e-13)
    np.testing.assert_allclose(vc.dva, [32, 16, 10], rtol=RTOL)
    np.testing.assert_allclose(vc.dvx, [0, 6.4, 5.6], rtol=RTOL, atol=1e-13)


@pytest.mark.shared_data
def test_shared_test_system(shared_data) -> None:
    from shoring.macro.mrio_io import load_mrio

    table = load_mrio(shared_data / "mrio")
    assert (table.n_regions, table.n_sectors) == (6, 8)
    assert table.unit == "Mill USD"
    vc = value_chains(table)
    # identities that hold for any system
    np.testing.assert_allclose(vc.dva + vc.fva, vc.exports, rtol=1e-9)
    np.testing.assert_allclose(vc.va_share.sum(axis=0), 1.0, rtol=1e-9)
    assert vc.country_fva.sum() == pytest.approx(vc.country_dvx.sum(), rel=1e-9)
    np.testing.assert_allclose(vc.L @ (np.eye(48) - vc.A), np.eye(48), atol=1e-9)
    dep = vc.dependency
    foreign = ~np.isnan(dep["total"])
    parts = dep["direct"] + dep["via_domestic"] + dep["via_third"]
    np.testing.assert_allclose(parts[foreign], dep["total"][foreign], rtol=1e-9, atol=1e-15)
    # gross exports of reg1 food by hand from the files' rows: Z row + Y row, minus reg1
    z_row = table.Z[0]
    y_row = table.Y[0]
    assert vc.exports[0] == pytest.approx(z_row[8:].sum() + y_row[1:].sum(), rel=1e-12)


@pytest.mark.shared_data
def test_against_pymrio(shared_data, tmp_path) -> None:
    pymrio = pytest.importorskip("pymrio")
    from shoring.macro.mrio_io import load_mrio

    ours = value_chains(load_mrio(shared_data / "mrio"))
    io = pymrio.load_test()  # the same files, as bundled with pymrio
    io.calc_all()
    np.testing.assert_allclose(ours.L, io.L.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.A, io.A.to_numpy(), rtol=1e-12, atol=1e-15)
    io.save_all(tmp_path / "saved")  # pymrio's own storage format round trip
    again = load_mrio(tmp_path / "saved")
    np.testing.assert_allclose(again.Z, ours.table.Z)
    np.testing.assert_allclose(again.Y, ours.table.Y)


def test_cli_json_and_errors(cli, tmp_path) -> None:
    folder = tmp_path / "sys"
    folder.mkdir()
    regions = ["H", "H", "F", "F"]
    sectors = ["1", "2", "1", "2"]
    z_lines = ["\t\t\t" + "\t".join(regions), "\t\t\t" + "\t".join(sectors)]
    for i in range(4):
        z_lines.append(f"{regions[i]}\t{sectors[i]}\tUSD\t" + "\t".join(str(v) for v in Z2[i]))
    y_lines = ["\t\t\tH\tF", "\t\t\thh\thh"]
    for i in range(4):
        y_lines.append(f"{regions[i]}\t{sectors[i]}\tUSD\t" + "\t".join(str(v) for v in Y2[i]))
    (folder / "trade_flows_Z.txt").write_text("\n".join(z_lines) + "\n")
    (folder / "finald_demand_Y.txt").write_text("\n".join(y_lines) + "\n")
    code, out, err = cli("mrio", "indicators", folder, "--json")
    assert code == 0, err
    data = json.loads(out)
    h = data["countries"][0]
    assert h["country"] == "H"
    assert h["fva"] == pytest.approx(480 / 47, rel=RTOL)
    assert h["backward_participation"] == pytest.approx(8 / 47, rel=RTOL)
    h2 = data["sectors"][1]
    assert h2["backward_participation"] is None  # no exports: null, not 0
    dep = [d for d in data["dependency"] if (d["country"], d["sector"], d["on"]) == ("H", "1", "F")]
    assert dep[0]["direct"] == pytest.approx(7.84 / 47, rel=RTOL)
    # a bad cell is located: file, row (2 header rows), column
    z_lines[3] = z_lines[3].replace("10.0", "ten", 1)
    (folder / "trade_flows_Z.txt").write_text("\n".join(z_lines) + "\n")
    code, _, err = cli("mrio", "indicators", folder)
    assert code == 2
    assert "trade_flows_Z.txt:4:H/1: not a number: 'ten'" in err
    code, _, err = cli("mrio", "indicators", tmp_path)
    assert code == 2 and "cannot tell the MRIO format" in err


def test_pymrio_formats_are_optional(cli, tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pymrio", None)  # as if the extra were not installed
    code, _, err = cli("mrio", "indicators", tmp_path, "--format", "oecd")
    assert code == 2
    assert "pip install 'shoring[mrio]'" in err and "GPL-3.0" in err


def test_pymrio_parser_failure_is_located(cli, tmp_path) -> None:
    pytest.importorskip("pymrio")
    code, _, err = cli("mrio", "indicators", tmp_path, "--format", "oecd")
    assert code == 2
    assert f"{tmp_path}: pymrio could not read it" in err


def test_report_offline_with_hand_numbers(two_by_two, tmp_path) -> None:
    import re

    from shoring.macro.mrio_report import country_dependency, write_report
    from shoring.macro.mrio_summary import summary

    data = summary(two_by_two)
    # H's gross output 100 + 50; F's value added in it: 100 * 8/47 + 50 * 1.6/47
    share = country_dependency(data)
    assert share.loc["H", "F"] == pytest.approx(880 / 47 / 150, rel=RTOL)
    assert np.isnan(share.loc["H", "H"])
    path = write_report(data, tmp_path / "out" / "mrio.html")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", text, re.I)
    assert not re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", text, re.I)
    assert text.count('<script type="text/javascript">/**') == 1  # plotly inlined once
    assert f"{8 / 47:.2%}" in text  # H's backward participation in the overview table
    assert f"{7.84 / 47:.2%}" in text  # H1's direct dependency on F
