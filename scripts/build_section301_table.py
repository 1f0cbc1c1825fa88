"""Build ``src/shoring/data/tables/us_china_section301.csv.gz`` from the tradewar-tracker files.

Reads the two HS6 event tables of the 2018-2020 US-China trade war (tradewar-tracker,
M. Waugh, MIT licence), as kept in ``../shared/data/tariffs/``:

- ``us_tariffs_on_china_hs6_2018_2020.csv`` (hs6, time_of_tariff, tariff %, description):
  US tariff on Chinese goods = MFN + Section 301 at each event date;
- ``china_tariffs_on_us_hs6_2018_2020.csv`` (time_of_tariff, hs6, tariff %): China's
  tariff on US goods = MFN + retaliation at each event date.

and writes the ADDITIONAL duty (total minus MFN) as a fraction, one row per
(importer, exporter, hs6) interval where it is non-zero::

    importer,exporter,hs6,start,end,additional

``end`` is the last day in force (inclusive); it is empty when the duty was still in
force at the last event of the data set.

MFN baseline:
- USA: the 2018-01-01 rate (the US MFN schedule did not change over these events).
  HS6 lines with no 2018-01-01 rate are dropped.
- CHN: China cut its MFN rates during the period. The MFN path starts at the
  2018-01-01 rate; changes on 2018-05-01, 2018-07-01 and 2018-11-01 (MFN cuts on
  medicines, consumer goods and industrial goods; no retaliation action those days)
  are MFN changes. On 2019-01-02 the 2019 MFN adjustment coincides with the suspension
  of the additional duties on US cars and parts: changes in HS chapter 87 that day are
  counted as retaliation changes, all others as MFN changes (an assumption, stated in
  the data card). Every other event date is a retaliation action.

Run from the project root::

    python scripts/build_section301_table.py [path/to/shared/data]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src/shoring/data/tables/us_china_section301.csv.gz"
CHN_MFN_DATES = ("2018-05-01", "2018-07-01", "2018-11-01")
CHN_MIXED_DATE = "2019-01-02"


def _wide(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"hs6": str})
    frame["hs6"] = frame["hs6"].str.zfill(6)
    return frame.pivot(index="hs6", columns="time_of_tariff", values="tariff").sort_index(axis=1)


def us_additional(wide: pd.DataFrame) -> pd.DataFrame:
    """Additional US duty (percent points) at each event: total minus the 2018-01-01 rate."""
    wide = wide[wide.iloc[:, 0].notna()]
    return wide.sub(wide.iloc[:, 0], axis=0)


def china_additional(wide: pd.DataFrame) -> pd.DataFrame:
    """Additional Chinese duty (percent points): total minus the reconstructed MFN path."""
    wide = wide.ffill(axis=1).bfill(axis=1)
    delta = wide.diff(axis=1).fillna(0.0)
    mfn_delta = pd.DataFrame(0.0, index=wide.index, columns=wide.columns)
    for day in CHN_MFN_DATES:
        mfn_delta[day] = delta[day]
    not_autos = ~wide.index.str.startswith("87")
    mfn_delta.loc[not_autos, CHN_MIXED_DATE] = delta.loc[not_autos, CHN_MIXED_DATE]
    mfn = mfn_delta.cumsum(axis=1).add(wide.iloc[:, 0], axis=0)
    return wide - mfn


def intervals(additional: pd.DataFrame, importer: str, exporter: str) -> pd.DataFrame:
    """Turn an event table of additional duties into non-zero intervals."""
    values = (additional / 100.0).round(6)
    values[values.abs() < 1e-6] = 0.0
    long = values.stack().rename("additional").reset_index()
    long.columns = ["hs6", "date", "additional"]
    long = long.sort_values(["hs6", "date"])
    changed = long.groupby("hs6")["additional"].diff().fillna(long["additional"]).ne(0)
    long = long[changed | long.groupby("hs6").cumcount().eq(0)].copy()
    long["date"] = pd.to_datetime(long["date"])
    nxt = long.groupby("hs6")["date"].shift(-1)
    long["end"] = (nxt - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    long["start"] = long["date"].dt.strftime("%Y-%m-%d")
    long = long[long["additional"] != 0]
    long.insert(0, "exporter", exporter)
    long.insert(0, "importer", importer)
    return long[["importer", "exporter", "hs6", "start", "end", "additional"]]


def build(shared: Path) -> pd.DataFrame:
    """Return the table from the shared data folder."""
    tariffs = shared / "tariffs"
    us = intervals(
        _wide(tariffs / "us_tariffs_on_china_hs6_2018_2020.csv").pipe(us_additional), "USA", "CHN"
    )
    cn = intervals(
        _wide(tariffs / "china_tariffs_on_us_hs6_2018_2020.csv").pipe(china_additional),
        "CHN",
        "USA",
    )
    table = pd.concat([us, cn], ignore_index=True)
    assert table["hs6"].str.fullmatch(r"\d{6}").all()
    assert np.isfinite(table["additional"]).all()
    return table


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data"
    table = build(shared)
    table.to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    counts = table.groupby("importer").size().to_dict()
    print(f"wrote {OUT} ({len(table)} rows: {counts})")


if __name__ == "__main__":
    main(sys.argv)
