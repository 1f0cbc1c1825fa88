"""Property tests through the working commands, not only ``validate``: a small network
(two tiers, a supplier, a site that makes the component) with one random field set to
an extreme or wrong value, one table emptied, or its text mangled, in every format
(YAML, Excel, CSV folder) and with a corrupted scenario file or option value, goes
through ``cost``, ``optimize`` and ``report``.

Whatever the input: no traceback; exit 0 with only finite numbers in every output
(JSON, CSV, the report's text), 3 for "no plan" from ``optimize``, or 2 with a message
that names the file (and the row and field) or the option. The budget is small
(a few dozen examples in all) because each example runs a whole command.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from shoring.network import Network
from shoring.network.schema import TABLES, columns
from test_network_fuzz import JUNK, OPTION_JUNK, SCENARIO_SPANS, SCENARIO_TEXT, run_main, write

TEXT = """\
meta: {name: fuzz, base_year: 2025}
products:
  - {id: pack, hs_code: '850760', unit_value_usd: 1000, weight_kg: 50, labour_hours: 2}
  - {id: cell, hs_code: '850760', unit_value_usd: 40, weight_kg: 1, labour_hours: 0.1}
bom:
  - {parent: pack, component: cell, quantity: 10}
sites:
  - {id: cn, country: CHN, status: existing, products: [pack, cell], capacity_units: 10000,
     fixed_cost_usd: 100000}
  - {id: mx, country: MEX, status: candidate, products: [pack], capacity_units: 10000,
     fixed_cost_usd: 100000, opening_capex_usd: 1000000}
suppliers:
  - {id: kr, country: KOR, component: cell, unit_price_usd: 35, capacity_units: 100000}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: pack, units: {2026: 1000}}
"""
BASE: dict[str, Any] = Network.from_dict(yaml.safe_load(TEXT)).to_dict()
ROWS = {t: len(BASE[t]) for t in TABLES if t != "meta" and BASE.get(t)}

VALUES = st.one_of(
    st.sampled_from(
        [0, -1, 1e-12, 0.5, 1e9, 1e15, 1e300, 2**64, "nan", "inf", "-inf", "", "abc",
         "5%", "150%", "=1+1", "<b>x</b>", "[/x]", "2026-02-30", True, None, "CHN", "us"]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)  # fmt: skip
"""A field's new value: extreme, undefined, of the wrong kind, or hostile text."""

COMMANDS = {
    "cost": ["cost", "{net}", "-s", "{scenario}", "--json"],
    "optimize": ["optimize", "{net}", "-s", "{scenario}", "--alternatives", "0",
                 "--no-explain", "--time-limit", "60", "--json"],
    "report": ["report", "{net}", "-s", "{scenario}", "--out", "{out}"],
    "breakeven": ["breakeven", "{net}", "-p", "pack", "-m", "us", "--from", "cn", "--to", "mx",
                  "-s", "{scenario}", "--json"],
}  # fmt: skip
FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a run is slow
)


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Any]:
    """The base network with one field changed, one table emptied, or many sites or years."""
    data = copy.deepcopy(BASE)
    table = draw(st.sampled_from(sorted(ROWS)))
    shape = draw(st.integers(0, 9))
    if shape == 0:
        data[table] = []  # an empty dimension
        return data
    if shape == 1:  # many identical candidate sites
        site = data["sites"][1]
        data["sites"] += [{**site, "id": f"mx{i}"} for i in range(draw(st.integers(2, 40)))]
        return data
    if shape == 2:  # many years of demand
        row = data["demand"][0]
        data["demand"] = [{**row, "year": 2026 + i} for i in range(draw(st.integers(2, 12)))]
        return data
    record = data[table][draw(st.integers(0, ROWS[table] - 1))]
    field = draw(st.sampled_from(columns(table)))
    value = draw(VALUES)
    if value is None:
        record.pop(field, None)
    else:
        record[field] = value
    return data


def _finite(value: Any) -> None:
    """Every number in a parsed JSON value is finite (``null`` is undefined, allowed)."""
    if isinstance(value, float):
        assert math.isfinite(value), value
    elif isinstance(value, dict):
        for v in value.values():
            _finite(v)
    elif isinstance(value, list):
        for v in value:
            _finite(v)


NON_FINITE = re.compile(r"[-+]?(?:nan|inf|NaN|Infinity)")
"""A CSV cell that holds a non-finite number (undefined is written blank)."""
NON_FINITE_SHOWN = re.compile(r"(?<![\w.'])(?:nan|inf)(?![\w'])")
"""Python's print of a non-finite number in the report's text ("$nan", "-inf %")."""


class _Text(HTMLParser):
    """The report's visible text (scripts left out: Plotly's JSON has no NaN)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def check_outputs(command: str, out: str, folder: Path, texts: bool = True) -> None:
    """Exit 0: every output holds finite numbers only (undefined left blank or null).

    ``texts=False`` skips the report's text and CSV cells (a name is then "nan")."""
    if command != "report":
        _finite(json.loads(out, parse_constant=lambda c: math.nan))
        return
    for file in folder.glob("*.json"):
        _finite(json.loads(file.read_text(encoding="utf-8"), parse_constant=lambda c: math.nan))
    if not texts:
        return
    for file in folder.glob("*.csv"):
        with file.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                bad = [c for c in row if NON_FINITE.fullmatch(c.strip())]
                assert not bad, (file.name, row)
    text = _Text()
    text.feed((folder / "report.html").read_text(encoding="utf-8"))
    shown = " ".join(text.parts)
    found = NON_FINITE_SHOWN.search(shown)
    assert not found, shown[max(found.start() - 200, 0) : found.end() + 50] if found else ""


def run(
    command: str,
    net: Path,
    scenario: str,
    folder: Path,
    extra: tuple[str, ...] = (),
    texts: bool = True,
) -> tuple[int, str, str]:
    out = folder / "out"
    args = [a.format(net=net, scenario=scenario, out=out) for a in COMMANDS[command]]
    code, stdout, err = run_main([*args, *extra])
    assert code in ((0, 2, 3) if command == "optimize" else (0, 2)), (code, err)
    assert "Traceback" not in err
    if code == 0:
        check_outputs(command, stdout, out, texts)
    return code, stdout, err


def located(err: str, path: Path) -> bool:
    """The message names the file (every problem line starts with it) or an option."""
    lines = [line.removeprefix("warning: ") for line in err.splitlines() if line.strip()]
    return bool(lines) and (
        all(line.startswith(str(path)) or line.startswith(" ") for line in lines)
        or "Invalid value for" in err
    )


def mangled(path: Path, where: float, junk: str) -> None:
    """``junk`` put into the text of a YAML file or of one file of a CSV folder."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    file = files[min(int(where * len(files)), len(files) - 1)]
    text = file.read_text(encoding="utf-8")
    at = int((where * len(files)) % 1 * len(text))
    file.write_text(text[:at] + junk + text[at:], encoding="utf-8")


@FUZZ
@given(
    data=networks(),
    fmt=st.sampled_from(["yaml", "xlsx", "csv"]),
    command=st.sampled_from(sorted(COMMANDS)),
    mangle=st.one_of(st.none(), st.tuples(st.floats(0, 1, exclude_max=True), JUNK)),
)
# found by this test: a component only made in-house (no supplier) crashed the origin rule
@example(data={**BASE, "suppliers": []}, fmt="yaml", command="cost", mangle=None)
def test_corrupted_network_through_commands(
    data: dict, fmt: str, command: str, mangle: tuple[float, str] | None
) -> None:
    """Bad input (``validate`` refuses it) is refused with a located message by every
    command; input it accepts gives finite outputs (or a plain message, e.g. no
    break-even because no site can serve)."""
    with tempfile.TemporaryDirectory() as folder:
        net = write(data, fmt, Path(folder))
        if mangle is not None and fmt != "xlsx":  # Excel bytes: test_network_fuzz
            mangled(net, *mangle)
        bad = run_main(["validate", str(net)])[0] == 2
        names = [v for t in TABLES if t != "meta" for r in data[t] for v in r.values()]
        texts = not any(isinstance(v, str) and NON_FINITE.search(v) for v in names)
        code, _, err = run(command, net, "current-law", Path(folder), texts=texts)
    assert not bad or code == 2, err
    if bad:
        assert located(err, net), err


@FUZZ
@given(
    span=st.sampled_from(SCENARIO_SPANS),
    junk=JUNK,
    command=st.sampled_from(["optimize", "report"]),
)
def test_corrupted_scenario_through_commands(span: tuple, junk: str, command: str) -> None:
    start, end = span
    with tempfile.TemporaryDirectory() as folder:
        net = write(copy.deepcopy(BASE), "yaml", Path(folder))
        path = Path(folder) / "s.yaml"
        path.write_text(SCENARIO_TEXT[:start] + junk + SCENARIO_TEXT[end:], encoding="utf-8")
        code, _, err = run(command, net, str(path), Path(folder))
    if code == 2:
        assert err.startswith(f"{path}:"), err


OPTIONS = {
    "optimize": ["--alpha", "--risk-weight", "--max-country-share", "--local-content",
                 "--max-lead-time", "--budget", "--max-lost-share", "--max-sites-per-market",
                 "--within", "--time-limit", "--mip-gap", "--probabilities", "--years",
                 "--objective", "--share-by", "--share-scope"],
    "report": ["--year", "--focus-year", "--points"],
    "cost": ["--year", "--scenario"],
    "breakeven": ["--product", "--market", "--from", "--to", "--year", "--scenario"],
}  # fmt: skip


@FUZZ
@given(
    command=st.sampled_from(sorted(OPTIONS)),
    pick=st.integers(0, 100),
    value=OPTION_JUNK,
)
def test_option_values_through_commands(command: str, pick: int, value: str) -> None:
    option = OPTIONS[command][pick % len(OPTIONS[command])]
    with tempfile.TemporaryDirectory() as folder:
        net = write(copy.deepcopy(BASE), "yaml", Path(folder))
        code, _, err = run(command, net, "current-law", Path(folder), (option, value))
    if code == 2:  # names the option, or the value it could not use
        shown = (repr(value), repr(value.strip()))
        assert option in err or any(v in err for v in shown) or err.startswith(value), err
