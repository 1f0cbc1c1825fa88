"""Build ``src/shoring/data/tables/mfn_lines.csv.gz``: MFN duty per national tariff line.

Run from the project root with the reference data at ``../shared/data``::

    python scripts/build_mfn_lines.py

Reads the official schedules in ``../shared/data/tariffs`` with the readers of
:mod:`shoring.data.schedules` (see the data card ``mfn_lines.card.yaml`` for the method):

- USA: USITC tariff database 2025 (file of 2025-06-06), HTS8, HS2022;
- EU: the EU common external tariff 2020 column of DIT's UK Global Tariff file, CN8,
  HS2017 (CN2020); applies to every EU-27 member;
- GBR: the UK Global Tariff (from 2021-01-01) of the same file, HS2017;
- JPN: Japan Customs' tariff schedule of 2026-07-09, statistical codes (9 digits), HS2022;
- CHN: China's rate on US goods at 2018-01-01 (before every retaliation action) from the
  tradewar-tracker HS6 table, HS2017.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shoring.data.paths import TABLES_DIR, shared_data_dir  # noqa: E402
from shoring.data.schedules import (  # noqa: E402
    load_china_hs6_mfn,
    load_eu_uk_tariff,
    load_japan_schedule,
    load_us_tariff_database,
)

SOURCES = {
    # importer: (file, source id, HS edition of the nomenclature)
    "USA": ("us_tariff_database_2025_06062025.csv", "usitc-tdb-2025", 2022),
    "EU": ("uk_global_tariff_2021_with_eu_cet_2020.csv", "eu-cet-2020", 2017),
    "GBR": ("uk_global_tariff_2021_with_eu_cet_2020.csv", "uk-gt-2021", 2017),
    "JPN": ("japan_tariff_schedule_2026_07_09.csv", "jp-customs-2026-07-09", 2022),
    "CHN": ("china_tariffs_on_us_hs6_2018_2020.csv", "cn-mfn-2018-01-01", 2017),
}


def build(shared: Path) -> pd.DataFrame:
    """Every importer's lines, with source id and HS edition (one frame)."""
    folder = shared / "tariffs"
    frames = []
    for importer, (name, source, edition) in SOURCES.items():
        path = folder / name
        if importer == "USA":
            lines = load_us_tariff_database(path)
        elif importer in ("EU", "GBR"):
            lines = load_eu_uk_tariff(path, importer)
        elif importer == "JPN":
            lines = load_japan_schedule(path)
        else:
            lines = load_china_hs6_mfn(path)
        frames.append(lines.assign(source=source, hs=edition))
    out = pd.concat(frames, ignore_index=True)
    out["ad_valorem"] = out["ad_valorem"].round(6)
    out["specific"] = out["specific"].round(6)
    return out.sort_values(["importer", "code"], kind="stable", ignore_index=True)


def main() -> None:
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data not found; set SHORING_SHARED_DATA")
    out = build(shared)
    target = TABLES_DIR / "mfn_lines.csv.gz"
    out.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})
    counts = out.groupby("importer").size().to_dict()
    print(f"wrote {target} ({target.stat().st_size / 1024:.0f} KiB): {counts}")


if __name__ == "__main__":
    main()
