"""Build ``src/shoring/data/tables/rules_of_origin.csv.gz`` (product-specific rules of origin).

Reads, from ``../shared/data/rules_of_origin/``:

- ``uk_psr_rule_sets_selected_agreements.csv``: the UK Online Trade Tariff rule sets of
  UK-Viet Nam, CPTPP, UK-EU TCA, UK-Japan, UK-Korea, UK-Mexico and UK-Canada, applied
  to those agreements and to the EU agreements they mirror (EVFTA, EU-JPN, EU-KOR,
  EU-MEX, CETA) — see :data:`shoring.data.psr_sources.UK_SCHEMES`;
- ``usmca_psr_selected_chapters.csv``: the curated USMCA rules (HTSUS General Note 11(o),
  SOR/2020-155 s.13), with the automotive net-cost phase-in;

parses both with :mod:`shoring.data.psr_sources` (the same code users run on their own
downloads) and adds two curated USMCA supplements the shared file does not carry: the
yarn-forward rules of HS 61-62 (:data:`USMCA_APPAREL`) and the chapter 90 rules of HTSUS
General Note 11 pages 152-153 (``scripts/data/usmca_psr_ch90.csv``, :func:`usmca_ch90`).
Agreements and products without a row here use the agreement's general fallback
(:mod:`shoring.data.rules_of_origin`).

Run from the project root::

    python scripts/build_rules_of_origin.py [path/to/shared/data]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from shoring.data.psr_sources import (
    COLUMNS,
    USMCA_YARN_FORWARD,
    read_uk_rule_sets,
    read_usmca_psr,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/shoring/data/tables/rules_of_origin.csv.gz"
CH90 = ROOT / "scripts/data/usmca_psr_ch90.csv"

USMCA_APPAREL = [
    {
        "agreement": "USMCA",
        "rule_set": f"usmca-apparel-{chapter}",
        "hs_from": f"{chapter}0000",
        "hs_to": f"{chapter}9999",
        "alternative": 0,
        "shift": "CC",
        "shift_except": USMCA_YARN_FORWARD,
        "value_test": "",
        "threshold": float("nan"),
        "start": "",
        "end": "",
        "source": "usmca-apparel",
        "text": (
            f"A change to chapter {chapter} from any other chapter, except from the yarn and "
            "fabric headings listed (yarn forward), the good cut (or knit to shape) and sewn "
            "in the territory"
        ),
    }
    for chapter in ("61", "62")
]
"""USMCA Annex 4-B, chapters 61-62: a chapter change except from the yarn and fabric
headings (yarn forward), the good cut and sewn in the territory (assumed for a site in a
party). The exception list is NAFTA Annex 401's (Proclamation 6641, 108 Stat. 5204),
with the knitted-fabric headings renumbered 6001-6006 in HS2002; USMCA Chapter 6
(Art. 6.1) keeps that structure. The per-subheading variations (e.g. visible lining
fabrics, pocket bags of blue denim) are not represented."""


def usmca_ch90(path: Path = CH90) -> pd.DataFrame:
    """USMCA rules for HS 9007.20-9013.20 (HTSUS General Note 11, chapter 90 rules 14-25).

    One row per alternative of each rule, transcribed from the USITC text as rendered by
    CustomsMobile (pages 152-153; rule text verbatim in ``rule_text``). "(A) A change to
    X from any other heading" is a ``CTH`` alternative; "(B) A change to X from subheading
    P, whether or not there is also a change from any other heading, provided there is a
    regional value content of not less than 60 percent (transaction value) or 50 percent
    (net cost)" allows non-originating inputs of P or of any other heading only, i.e. a
    change of subheading except from the heading's other subheadings (``shift_except``)
    with the RVC; "(B) No change in tariff classification ..." is the RVC alone. Rules the
    pages show only in part (9007.10, 9008.90, 9010.90, 9013.80) are not transcribed.

    Parameters
    ----------
    path : pathlib.Path
        The curated file (columns ``gn11_rule, hs_from, hs_to, alternative, shift,
        shift_except, value_test, threshold, source_url, rule_text``).

    Returns
    -------
    pandas.DataFrame
        Rows of ``psr_sources.COLUMNS``, agreement ``USMCA``, source ``usmca-ch90``.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "agreement": "USMCA",
            "rule_set": "usmca-gn11-ch90-" + raw["gn11_rule"],
            "hs_from": raw["hs_from"],
            "hs_to": raw["hs_to"],
            "alternative": raw["alternative"].astype(int),
            "shift": raw["shift"],
            "shift_except": raw["shift_except"].str.replace(",", ";"),
            "value_test": raw["value_test"],
            "threshold": pd.to_numeric(raw["threshold"]),
            "start": "",
            "end": "",
            "source": "usmca-ch90",
            "text": raw["rule_text"].str.slice(0, 160),
        },
        columns=list(COLUMNS),
    )


def build(shared: Path) -> pd.DataFrame:
    """The rule table from the shared files (rows of ``psr_sources.COLUMNS``)."""
    folder = shared / "rules_of_origin"
    uk, dropped = read_uk_rule_sets(folder / "uk_psr_rule_sets_selected_agreements.csv")
    usmca = read_usmca_psr(folder / "usmca_psr_selected_chapters.csv")
    parts = [uk, usmca, pd.DataFrame(USMCA_APPAREL), usmca_ch90()]
    table = pd.concat(parts, ignore_index=True)
    table["threshold"] = table["threshold"].round(4)
    print(f"{len(table)} rules; {dropped} untestable UK alternatives dropped")
    return table[list(COLUMNS)]


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    table = build(shared)
    table.to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
