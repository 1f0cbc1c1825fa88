"""Build the USMCA automotive part tables (``usmca_auto_parts.csv``, ``usmca_auto_thresholds.csv``).

Reads the official XML of Canada's CUSMA Rules of Origin Regulations (SOR/2020-155, the
trilateral Uniform Regulations; Part 6 carries the Appendix to Annex 4-B of the
Agreement), as published by Justice Canada in ``justicecanada/laws-lois-xml``
(``eng/regulations/SOR-2020-155.xml``), and writes:

- ``usmca_auto_parts.csv``: every row of Tables A.1 (core parts), B (principal parts)
  and C (complementary parts) for passenger vehicles and light trucks: table, HS2012
  subheading, whether the entry covers only part of the subheading ("ex"), description;
- ``usmca_auto_thresholds.csv``: the RVC thresholds of section 14(13) (Table A.1),
  14(15) (Table B) and 14(17) (Table C), net cost and transaction value, by date.

Run from the project root with the path of the XML::

    python scripts/build_usmca_auto_parts.py path/to/SOR-2020-155.xml
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import sys
from pathlib import Path

import pandas as pd

TABLES = Path(__file__).resolve().parents[1] / "src/shoring/data/tables"
TITLES = {
    "A.1": "Core parts for passenger vehicles and light trucks",
    "B": "Principal parts for passenger vehicles and light trucks",
    "C": "Complementary parts for passenger vehicles and light trucks",
}
SUBSECTIONS = {"A.1": "14(13)", "B": "14(15)", "C": "14(17)"}
_PHASE = re.compile(
    r"\(\w\)[| ]([\d.]+)% under the net cost method or ([\d.]+)% under the transaction value "
    r"method, beginning on (\w+ \d+, \d{4})(?: and ending on (\w+ \d+, \d{4}))?"
)


def _text(xml: str) -> str:
    """Cells of the XML as ``|``-separated text."""
    flat = re.sub(r"<[^>]+>", "|", xml)
    flat = re.sub(r"\|[\s|]*", "|", html.unescape(flat))
    return re.sub(r"\s+", " ", flat)


def parts(xml: str) -> pd.DataFrame:
    """Rows of Tables A.1, B and C (columns table, hs6, ex, description)."""
    rows = []
    for table, title in TITLES.items():
        start = xml.index(f"TABLE {table}</")
        stop = xml.index("<Label>TABLE", start + 10)
        cells = _text(xml[start:stop]).split("|")
        if title not in cells:
            raise ValueError(f"Table {table}: title {title!r} not found")
        for code, description in itertools.pairwise(cells):
            found = re.fullmatch(r"(ex )?(\d{4})\.(\d{2})", code.strip())
            if found:
                hs6 = found.group(2) + found.group(3)
                rows.append((table, hs6, bool(found.group(1)), description.strip()))
    return pd.DataFrame(rows, columns=["table", "hs6", "ex", "description"])


def _date(text: str | None) -> str:
    return dt.datetime.strptime(text, "%B %d, %Y").date().isoformat() if text else ""


def thresholds(xml: str) -> pd.DataFrame:
    """RVC thresholds of s.14(13), (15), (17) by date (fractions)."""
    body = _text(xml)
    rows = []
    for table, sub in SUBSECTIONS.items():
        head = f"RVC thresholds — Table{'s A.1 and A.2' if table == 'A.1' else ' ' + table}"
        at = body.index(head)
        for nc, tv, start, end in _PHASE.findall(body[at : at + 1200])[:4]:
            rows.append((table, _date(start), _date(end), float(nc) / 100, float(tv) / 100, sub))
    frame = pd.DataFrame(
        rows, columns=["table", "start", "end", "net_cost", "transaction_value", "provision"]
    )
    if frame.groupby("table").size().to_dict() != {"A.1": 4, "B": 4, "C": 4}:
        raise ValueError(f"expected four phases per table, got\n{frame}")
    return frame


def main() -> None:
    xml = Path(sys.argv[1]).read_text(encoding="utf-8")
    table = parts(xml)
    table.to_csv(TABLES / "usmca_auto_parts.csv", index=False)
    phases = thresholds(xml)
    phases.to_csv(TABLES / "usmca_auto_thresholds.csv", index=False)
    print(f"{len(table)} parts ({table['table'].value_counts().to_dict()}); {len(phases)} phases")


if __name__ == "__main__":
    main()
