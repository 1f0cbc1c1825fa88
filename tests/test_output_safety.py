"""User text comes out as written: never console markup, emoji, HTML, link or formula."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shoring.errors import ShoringInputError

ODD = {
    "closer": "[/x]",
    "old": "Plant [old]",
    "emoji": ":warning:",
    "bold": "[bold]b[/bold]",
}
"""Site ids a rich console would take for markup or an emoji code."""

NETWORK = """\
meta: {{name: 'net [/x] :warning:', base_year: 2025}}
products:
  - {{id: widget, name: 'Widget [v2]', hs_code: '850760', unit_value_usd: 100, weight_kg: 2,
     labour_hours: 1}}
sites:
  - {{id: '{closer}', country: MEX, status: existing, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000}}
  - {{id: '{old}', country: CHN, status: candidate, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000, opening_capex_usd: 5000}}
  - {{id: '{emoji}', country: VNM, status: candidate, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000, opening_capex_usd: 5000}}
  - {{id: '{bold}', country: MEX, status: candidate, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000, opening_capex_usd: 5000}}
markets:
  - {{id: us, country: USA}}
demand:
  - {{market: us, product: widget, units: {{2025: 500, 2026: 600}}}}
""".format(**ODD)


@pytest.fixture(scope="module")
def network_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("odd") / "net.yaml"
    path.write_text(NETWORK, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("cost", "-y", "2025"),
        ("compare", "-s", "baseline", "-s", "tariffs-2025", "-y", "2025"),
        ("optimize", "-s", "baseline", "--alternatives", "0", "--no-explain"),
    ],
    ids=lambda a: a[0],
)
def test_console_shows_names_as_written(network_file, cli, args) -> None:
    code, out, err = cli(args[0], network_file, *args[1:])
    assert code == 0, err
    assert "Traceback" not in err and "⚠" not in out + err
    text = " ".join(out.split())  # tables may wrap a cell over lines
    shown = {name for name in ODD.values() if name in text}
    if args[0] == "validate":
        assert "net [/x] :warning:" in text
    elif args[0] in ("optimize", "compare"):
        assert shown  # the chosen site(s) appear as written
    else:
        assert shown == set(ODD.values())


def test_breakeven_names_as_written(network_file, cli) -> None:
    args = ("breakeven", str(network_file), "-p", "widget", "-m", "us", "--from", "[/x]",
            "--to", "Plant [old]", "-y", "2025")  # fmt: skip
    code, out, err = cli(*args)
    assert code == 0, err
    assert "[/x] vs Plant [old]" in " ".join(out.split())


def test_scenario_title_with_markup_is_shown_as_written(tmp_path: Path, cli) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: odd\ntitle: 'Decree [/b] :warning: [red]x'\nmeasures:\n"
        "  - {id: '[/m]', type: export_ban, exporters: CHN, start: 2025-01-01,\n"
        "     source: {name: 'Gazette [/i]', year: 2025, url: 'https://example.org/a'}}\n",
        encoding="utf-8",
    )
    code, out, err = cli("scenarios", "show", path)
    assert code == 0, err
    text = " ".join(out.split())
    assert "Decree [/b] :warning: [red]x" in text and "[/m]" in text and "Gazette [/i]" in text
    code, out, _ = cli("scenarios", "show", path, "--json")
    assert json.loads(out)["title"] == "Decree [/b] :warning: [red]x"


HOSTILE = """\
meta: {name: 'net <script>alert(1)</script>', base_year: 2025}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 2, labour_hours: 1}
sites:
  - {id: '=HYPERLINK("http://x.test","y")', name: '<b>bold</b> & co', country: MEX,
     status: existing, products: [widget], capacity_units: 1000, fixed_cost_usd: 1000}
  - {id: '<img src=x onerror=alert(2)>', country: CHN, status: candidate, products: [widget],
     capacity_units: 1000, fixed_cost_usd: 1000, opening_capex_usd: 5000}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: widget, units: {2025: 500}}
"""
SCENARIO = """\
name: hostile
title: '<script>alert(3)</script>'
measures:
  - {id: '@ban', type: export_ban, exporters: CHN, start: 2025-06-01,
     source: {name: 'Decree', year: 2025, url: 'javascript:alert(4)'}}
"""


def test_report_escapes_user_text_links_and_formulas(tmp_path: Path, cli) -> None:
    (tmp_path / "net.yaml").write_text(HOSTILE, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = cli("report", tmp_path / "net.yaml", "-s", "baseline", "-s",
                       tmp_path / "s.yaml", "--out", out)  # fmt: skip
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    for raw in ("<script>alert", "<img src=x", "<b>bold</b>", 'href="javascript', "alert(4)</a>"):
        assert raw not in page, raw
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page  # shown as written
    assert "javascript:alert(4)" in page  # the address is shown, as text
    # chart labels reach Plotly escaped (a raw "<" would be \u003c in its JSON)
    assert "\\u003cimg" not in page and "\\u003cbr\\u003e&lt;img src=x" in page
    # CSV cells that a spreadsheet would run are quoted (OWASP CSV injection)
    with (out / "landed_cost.csv").open(newline="", encoding="utf-8") as handle:
        sites = {row["site"] for row in csv.DictReader(handle)}
    assert '\'=HYPERLINK("http://x.test","y")' in sites
    assert not any(s.startswith(("=", "+", "-", "@")) for s in sites)


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx", ""])
def test_formula_like_names_round_trip_and_stay_text(tmp_path: Path, suffix: str) -> None:
    import openpyxl

    from shoring.network import read_network, write_network

    text = HOSTILE.replace("'<img src=x onerror=alert(2)>'", "'@plant'").replace(
        "'<b>bold</b> & co'", "'+cmd|x'"
    )
    (tmp_path / "net.yaml").write_text(text, encoding="utf-8")
    network = read_network(tmp_path / "net.yaml")
    path = write_network(network, tmp_path / f"copy{suffix or '-csv'}")
    back = read_network(path)
    assert list(back.sites.index) == ['=HYPERLINK("http://x.test","y")', "@plant"]
    assert back.sites["name"].iloc[0] == "+cmd|x"
    if suffix == ".xlsx":  # stored as text: Excel shows it, never runs it
        sheet = openpyxl.load_workbook(path)["sites"]
        types = {c.data_type for row in sheet.iter_rows() for c in row}
        assert "f" not in types and types <= {"s", "n", "b"}  # text, numbers, booleans


GUARDED = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_TEXT = st.tuples(
    st.sampled_from(["=", "+", "-", "@", "'", "''", "'=", "'-", "=\t", "@'", "x"]),
    st.text(alphabet="ab Z09=+-@'\"(),|!<>&\t", min_size=1, max_size=12),
).map("".join)
"""Names that a spreadsheet would run, or that look like its text guard (``'``)."""


def _hostile_network(site_a: str, site_b: str, name: str, product: str) -> dict:
    return {
        "meta": {"name": name, "base_year": 2025},
        "products": [{"id": product, "name": name, "hs_code": "850760",
                      "unit_value_usd": 100, "weight_kg": 2, "labour_hours": 1}],
        "sites": [
            {"id": site_a, "name": name, "country": "MEX", "status": "existing",
             "products": [product], "capacity_units": 1000, "fixed_cost_usd": 1000},
            {"id": site_b, "name": site_a, "country": "CHN", "status": "candidate",
             "products": [product], "capacity_units": 1000, "fixed_cost_usd": 1000},
        ],
        "markets": [{"id": "us", "name": name, "country": "USA"}],
        "demand": [{"market": "us", "product": product, "year": 2025, "units": 500}],
    }  # fmt: skip


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(HOSTILE_TEXT, min_size=4, max_size=4))
def test_network_writers_run_no_formula_and_read_back_as_written(texts: list[str]) -> None:
    """CSV folder and Excel writers: no cell a spreadsheet runs (OWASP); every writer
    (YAML too) gives back the same ids and names."""
    import openpyxl

    from shoring.network import Network, read_network, write_network

    site_a, site_b, name, product = (t.strip() for t in texts)
    assume(site_a and site_b and product and site_a != site_b and ";" not in product)
    try:
        network = Network.from_dict(_hostile_network(site_a, site_b, name, product))
    except ShoringInputError:
        assume(False)  # e.g. a name the schema refuses as written; not this test's subject
    with tempfile.TemporaryDirectory() as folder:
        for target in (Path(folder) / "net", Path(folder) / "net.xlsx", Path(folder) / "n.yaml"):
            path = write_network(network, target)
            back = read_network(path)
            assert list(back.sites.index) == list(network.sites.index)
            assert list(back.sites["name"]) == list(network.sites["name"])
            assert list(back.products.index) == [product]
            assert back.products["name"].iloc[0] == network.products["name"].iloc[0]
            assert back.name == network.name
            assert back.sites["products"].iloc[0] == network.sites["products"].iloc[0]
        for file in (Path(folder) / "net").glob("*.csv"):
            with file.open(newline="", encoding="utf-8") as handle:
                for cell in (c for row in csv.reader(handle) for c in row):
                    if cell.startswith(GUARDED):  # only numbers may start so (e.g. -1.5)
                        float(cell)
        workbook = openpyxl.load_workbook(Path(folder) / "net.xlsx")
        for sheet in workbook.worksheets:
            for cell in (c for row in sheet.iter_rows() for c in row):
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(GUARDED):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)


@pytest.mark.parametrize(
    ("text", "cell"),
    [("=1+1", "'=1+1"), ("-x", "'-x"), ("@a", "'@a"), ("\tb", "'\tb"), ("'abc", "''abc"),
     ("'=x", "''=x"), ("''", "'''"), ("plain", "plain"), ("a=b", "a=b")],
)  # fmt: skip
def test_guarded_cell_round_trip(text: str, cell: str) -> None:
    from shoring.textsafe import guard_cell, unguard_cell

    assert guard_cell(text) == cell
    assert unguard_cell(cell) == text


def test_hand_written_quote_is_kept_unless_it_guards() -> None:
    from shoring.textsafe import unguard_cell

    # a spreadsheet shows '=x as =x; a quote before ordinary text is part of the name
    assert unguard_cell("'=x") == "=x"
    assert unguard_cell("'abc") == "'abc"
    assert unguard_cell("O'Brien") == "O'Brien"
