"""Build ``src/shoring/data/tables/tariff_product_lists.csv.gz``: the goods of US trade measures.

Reads the official product scopes kept in ``../shared/data/tariffs/`` and writes one row per
(list, HS code) with the share of the code's national tariff lines on the list::

    list,hs,share

Lists (the measures of the ``current-law`` scenario name them in ``hs_lists``):

- ``us301-9903-88-01`` ... ``us301-9903-92-10``: Section 301 (China) product lists by
  chapter-99 heading (U.S. notes 20 and 31 to subchapter III of chapter 99), from
  ``us_section301_product_lists.csv`` (HTS 2026 lists; 9903.91.07 from the 10-digit numbers
  of U.S. note 31(h), which that file gives at 8 digits); lines that HTS 2026 lists only under
  a 2024 four-year-review heading are also put on the 2018-2019 list they were on before
  (from the tradewar-tracker HS6 table, see :func:`earlier_lists`), so that the earlier
  rate applies until the review rate replaces it;
- ``us232-auto-parts``, ``us232-mhd-parts``, ``us232-copper``, ``us232-semiconductors``,
  ``us232-steel-derivatives``, ``us232-aluminum-derivatives``, ``us232-annex-<annex>-<metal>``
  (April 2026 metals annexes): Section 232 scopes from ``us_section232/``;
- ``us232-autos``: passenger vehicles and light trucks, U.S. note 33(b) (ch. 99 text);
- ``us232-mhd``, ``us232-buses``: medium- and heavy-duty vehicles and buses, U.S. note 38(b)
  and (c) (ch. 99 text);
- ``us232-lumber``, ``us232-upholstered``, ``us232-cabinets``: softwood timber and lumber,
  upholstered wooden furniture, kitchen cabinets and vanities, U.S. note 37(b), (d), (f);
- ``us201-solar``: Section 201 CSPV cells and modules, ``us_section201_solar_products.csv``;
- ``usrecip-annex-2``: goods the IEEPA reciprocal duties do not apply to (heading 9903.01.32,
  U.S. note 2(v)(iii)(a) to subchapter III, ch. 99 text);
- ``us122-exempt``: goods the Section 122 surcharge does not apply to (heading 9903.03.03,
  U.S. note 2(aa)(ii), ch. 99 text).

Exact list entries get share 1 and cover every longer code they prefix. For a 6-digit
subheading (and an 8-digit line with listed 10-digit lines) that is only partly listed, an
aggregate row gives the share of its national tariff lines listed: national lines are the
10-digit statistical lines of the HTS 2025 basic edition, and 8-digit lines without
statistical suffixes (``us_hts_2025_basic_edition.csv``).

Run from the project root::

    python scripts/build_tariff_product_lists.py [path/to/shared/data]
"""

from __future__ import annotations

import bisect
import re
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src/shoring/data/tables/tariff_product_lists.csv.gz"
CH99 = "us_hts_2026_rev6_chapter99.txt"
_CODE = r"\d{4}(?:\.\d{2}){0,2}(?:\.?\d{2})?"
_LIST_LINE = re.compile(rf"^\s*(?:{_CODE}\s*)+$")


def _digits(code: str) -> str:
    return re.sub(r"\D", "", str(code))


def national_lines(hts_csv: Path) -> list[str]:
    """National tariff lines of the HTS: 10-digit lines, and 8-digit lines without them."""
    frame = pd.read_csv(hts_csv, dtype=str, usecols=["HTS Number"]).dropna()
    codes = [_digits(c) for c in frame["HTS Number"]]
    ten = {c for c in codes if len(c) == 10}
    with_stat = {c[:8] for c in ten}
    eight = {c for c in codes if len(c) == 8 and c not in with_stat}
    return sorted(ten | eight)


def note_codes(text: list[str], start: str, stop: str) -> list[str]:
    """HS codes listed in the chapter-99 text between the line starting ``start`` and ``stop``."""
    first = next(i for i, line in enumerate(text) if line.strip().startswith(start))
    last = next(i for i in range(first + 1, len(text)) if text[i].strip().startswith(stop))
    out = []
    for line in text[first + 1 : last]:
        if _LIST_LINE.match(line):
            out.extend(_digits(c) for c in re.findall(_CODE, line))
    if not out:
        raise ValueError(f"no codes between {start!r} and {stop!r}")
    return out


def stat_numbers(text: list[str], start: str, stop: str) -> list[str]:
    """10-digit statistical numbers named in the prose of a note subdivision."""
    first = next(i for i, line in enumerate(text) if line.strip().startswith(start))
    last = next(i for i in range(first + 1, len(text)) if text[i].strip().startswith(stop))
    found = re.findall(r"\b\d{4}\.\d{2}\.\d{4}\b", " ".join(text[first:last]))
    if not found:
        raise ValueError(f"no statistical numbers between {start!r} and {stop!r}")
    return [_digits(c) for c in found]


def raw_lists(shared: Path) -> dict[str, list[str]]:
    """List name -> HS codes (4 to 10 digits) as the sources give them."""
    tariffs = shared / "tariffs"
    s232 = tariffs / "us_section232"
    lists: dict[str, list[str]] = defaultdict(list)
    s301 = pd.read_csv(tariffs / "us_section301_product_lists.csv", dtype=str)
    s301 = s301[s301["ch99_code"].str.match(r"^9903\.\d\d\.\d\d$", na=False)]
    for heading, rows in s301.groupby("ch99_code"):
        lists["us301-" + heading.replace(".", "-")] = [_digits(c) for c in rows["hts8"]]
    for heading, codes in earlier_lists(tariffs, s301).items():
        lists["us301-" + heading.replace(".", "-")] += codes
    lists["us232-auto-parts"] = _txt(s232 / "s232_auto_parts.txt")
    lists["us232-mhd-parts"] = _txt(s232 / "s232_mhd_parts.txt")
    lists["us232-copper"] = _col(s232 / "s232_copper_products.csv", "hts10")
    lists["us232-semiconductors"] = _col(s232 / "s232_semi_products.csv", "hts10")
    deriv = pd.read_csv(s232 / "s232_derivative_products.csv", dtype=str)
    for kind, rows in deriv.groupby("derivative_type"):
        lists[f"us232-{kind}-derivatives"] = [_digits(c) for c in rows["hts_prefix"]]
    annex = pd.read_csv(s232 / "s232_annex_products.csv", dtype=str)
    for (number, metal), rows in annex.groupby(["annex", "metal_type"]):
        lists[f"us232-annex-{number}-{metal}"] = [_digits(c) for c in rows["hts_prefix"]]
    lists["us201-solar"] = _col(tariffs / "us_section201_solar_products.csv", "hts10")
    text = (tariffs / CH99).read_text(encoding="utf-8").splitlines()
    lists["us301-9903-91-07"] = stat_numbers(
        text, "(h) Heading 9903.91.07 applies", "(i) Heading 9903.91.08 applies"
    )
    lists["us232-autos"] = note_codes(
        text, "(b) The rates of duty set forth in headings 9903.94.01", "(c) Heading 9903.94.02"
    )
    lists["us232-mhd"] = note_codes(
        text, "(b) The rate of duty set forth in heading 9903.74.01", "(c) Heading 9903.74.02"
    )
    lists["us232-buses"] = note_codes(text, "(c) Heading 9903.74.02 applies", "U.S. Notes (con.)")
    lists["us232-lumber"] = note_codes(
        text, "(b) The rates of duty set forth in heading 9903.76.01", "(c) Heading 9903.76.02"
    )
    lists["us232-upholstered"] = note_codes(
        text, "(d) The rates of duty set forth in headings 9903.76.02", "(e) Except for as provided"
    )
    lists["us232-cabinets"] = note_codes(
        text, "(f) Except for as provided by 9903.76.04, the rates", "(g) Heading 9903.76.04"
    )
    lists["usrecip-annex-2"] = note_codes(
        text, "(a) As provided for in heading 9903.01.32", "(b) As provided in heading 9903.02.78"
    )
    lists["us122-exempt"] = note_codes(
        text, "(ii) As provided in heading 9903.03.03", "(iii) As provided in heading 9903.03.04"
    )
    return lists


TRACKER_STEPS = {  # heading -> (event date of the tracker, additional duty in percent)
    "9903.88.01": ("2018-07-06", 25.0),
    "9903.88.02": ("2018-08-23", 25.0),
    "9903.88.03": ("2018-09-24", 10.0),
    "9903.88.15": ("2019-09-01", 15.0),
}


def earlier_lists(tariffs: Path, s301: pd.DataFrame) -> dict[str, list[str]]:
    """Lines of the 2024 four-year-review headings put back on the list they were on before.

    HTS 2026 lists a line moved to a 9903.91 heading only there; before the review it paid
    the rate of its 2018-2019 list. That list is read from the tradewar-tracker HS6 table:
    the HS6 whose additional duty (total minus the 2018-01-01 rate) rose by the list's rate
    on the list's date (e.g. 8507.60: +15 points on 2019-09-01, list 4A).
    """
    review = s301[s301["ch99_code"].str.startswith(("9903.91", "9903.92"))]
    old = set(s301.loc[s301["ch99_code"].isin([*TRACKER_STEPS, "9903.88.04"]), "hts8"])
    moved = sorted(set(review["hts8"]) - old)
    raw = pd.read_csv(tariffs / "us_tariffs_on_china_hs6_2018_2020.csv", dtype={"hs6": str})
    raw["hs6"] = raw["hs6"].str.zfill(6)
    wide = raw.pivot(index="hs6", columns="time_of_tariff", values="tariff")
    wide = wide.ffill(axis=1)
    dates = list(wide.columns)
    out: dict[str, list[str]] = defaultdict(list)
    for code in moved:
        if code[:6] not in wide.index:
            continue
        row = wide.loc[code[:6]]
        for heading, (day, rate) in TRACKER_STEPS.items():
            before = row[dates[dates.index(day) - 1]]
            if abs(row[day] - before - rate) < 1e-6:
                out[heading].append(_digits(code))
    return dict(out)


def _txt(path: Path) -> list[str]:
    return [_digits(line) for line in path.read_text().split() if line.strip()]


def _col(path: Path, column: str) -> list[str]:
    return [_digits(c) for c in pd.read_csv(path, dtype=str)[column]]


def with_shares(codes: list[str], lines: list[str]) -> pd.DataFrame:
    """Exact entries (share 1) plus aggregate rows for partly listed 6- and 8-digit codes."""
    exact = sorted(set(codes))
    rows = [(c, 1.0) for c in exact]
    ordered = sorted(lines)
    covered: set[str] = set()
    for code in exact:  # lines starting with the code: a contiguous run of the sorted lines
        i = bisect.bisect_left(ordered, code)
        while i < len(ordered) and ordered[i].startswith(code):
            covered.add(ordered[i])
            i += 1
    for length in (6, 8):
        parents = {c[:length] for c in exact if len(c) > length}
        for parent in sorted(parents):
            if any(parent.startswith(c) for c in exact if len(c) <= length):
                continue  # an exact entry covers it whole
            i = bisect.bisect_left(ordered, parent)
            members = []
            while i < len(ordered) and ordered[i].startswith(parent):
                if len(ordered[i]) > length:
                    members.append(ordered[i])
                i += 1
            if not members:
                continue  # not a code of the HTS 2025 edition: exact entries only
            share = sum(m in covered for m in members) / len(members)
            rows.append((parent, round(share, 6)))
    return pd.DataFrame(rows, columns=["hs", "share"])


def build(shared: Path) -> pd.DataFrame:
    """Return the table from the shared data folder."""
    lines = national_lines(shared / "tariffs/us_hts_2025_basic_edition.csv")
    frames = []
    for name, codes in sorted(raw_lists(shared).items()):
        bad = [c for c in codes if len(c) not in (4, 6, 8, 10)]
        if bad:
            raise ValueError(f"{name}: codes of unexpected length {bad[:5]}")
        frame = with_shares(codes, lines)
        frame.insert(0, "list", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    assert table["share"].between(0, 1).all()
    return table


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data"
    table = build(shared)
    table.to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    counts = table.groupby("list").size()
    print(f"wrote {OUT} ({len(table)} rows, {counts.size} lists)")
    print(counts.to_string())


if __name__ == "__main__":
    main(sys.argv)
