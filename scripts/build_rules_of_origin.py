"""Build ``src/shoring/data/tables/rules_of_origin.csv.gz`` (product-specific rules of origin).

Reads, from ``../shared/data/rules_of_origin/``:

- ``uk_psr_rule_sets_selected_agreements.csv``: the UK Online Trade Tariff rule sets of
  UK-Viet Nam, CPTPP, UK-EU TCA, UK-Japan, UK-Korea, UK-Mexico and UK-Canada, applied
  to those agreements and to the EU agreements they mirror (EVFTA, EU-JPN, EU-KOR,
  EU-MEX, CETA) — see :data:`shoring.data.psr_sources.UK_SCHEMES`;
- ``usmca_psr_selected_chapters.csv``: the curated USMCA rules (HTSUS General Note 11(o),
  SOR/2020-155 s.13), with the automotive net-cost phase-in;

parses both with :mod:`shoring.data.psr_sources` (the same code users run on their own
downloads) and adds the USMCA yarn-forward rules of HS 61-62 (:data:`USMCA_APPAREL`),
which the shared file does not carry. Agreements and products without a row here use
the agreement's general fallback (:mod:`shoring.data.rules_of_origin`).

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

OUT = Path(__file__).resolve().parents[1] / "src/shoring/data/tables/rules_of_origin.csv.gz"

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


def build(shared: Path) -> pd.DataFrame:
    """The rule table from the shared files (rows of ``psr_sources.COLUMNS``)."""
    folder = shared / "rules_of_origin"
    uk, dropped = read_uk_rule_sets(folder / "uk_psr_rule_sets_selected_agreements.csv")
    usmca = read_usmca_psr(folder / "usmca_psr_selected_chapters.csv")
    table = pd.concat([uk, usmca, pd.DataFrame(USMCA_APPAREL)], ignore_index=True)
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
