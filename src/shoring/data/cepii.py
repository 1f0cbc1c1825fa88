"""Loaders for CEPII GeoDist files (Mayer & Zignago 2011, CEPII WP 2011-25).

``dist_cepii.csv`` holds bilateral distances in km: ``dist`` (between main cities),
``distcap`` (between capitals), ``distw`` and ``distwces`` (population-weighted, the
latter with theta = -1). ``geo_cepii.csv`` holds one row per city used (capital and
main city) with coordinates. CEPII uses a few legacy codes, mapped here to ISO3.
Source: http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=6
(Etalab Open Licence 2.0).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from shoring.data.csvio import require_columns
from shoring.errors import Problem, ShoringInputError

CEPII_LEGACY_CODES: dict[str, str] = {
    "ROM": "ROU",  # Romania
    "ZAR": "COD",  # Congo, Democratic Republic
    "TMP": "TLS",  # Timor-Leste
    "YUG": "SRB",  # Serbia and Montenegro -> Serbia (capital Belgrade)
    "PAL": "PSE",  # Palestine
}
"""CEPII's legacy country codes and the ISO3 codes they map to."""

DISTANCE_COLUMNS = ("dist", "distcap", "distw", "distwces")


def load_cepii_distances(path: str | Path) -> pd.DataFrame:
    """Read CEPII GeoDist ``dist_cepii.csv``.

    Parameters
    ----------
    path : str or Path
        The file as published (UTF-8 with byte-order mark; ``.`` or blank for missing).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``exporter``, ``importer``) ISO3 codes, with float columns ``dist``,
        ``distcap``, ``distw``, ``distwces`` (km) and int columns ``contig``,
        ``comlang_off``, ``colony``. Rows with a blank country code or a non-numeric
        ``distcap`` are dropped with a warning that counts them.

    Raises
    ------
    ShoringInputError
        When the file is missing or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise ShoringInputError([Problem(str(path), "file not found")])
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    require_columns(frame, path, ("iso_o", "iso_d", *DISTANCE_COLUMNS), "CEPII")
    for col in ("iso_o", "iso_d"):
        frame[col] = frame[col].str.strip().replace(CEPII_LEGACY_CODES)
    for col in DISTANCE_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    for col in ("contig", "comlang_off", "colony"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0).astype(int)
    bad = (frame["iso_o"].str.len() != 3) | (frame["iso_d"].str.len() != 3)
    bad |= frame["distcap"].isna()
    if bad.any():
        lines = (frame.index[bad] + 2).tolist()
        warnings.warn(
            f"{path}: dropped {int(bad.sum())} row(s) with a blank code or distance "
            f"(lines {', '.join(map(str, lines[:10]))})",
            stacklevel=2,
        )
        frame = frame[~bad]
    frame = frame.rename(columns={"iso_o": "exporter", "iso_d": "importer"})
    keep = ["exporter", "importer", *DISTANCE_COLUMNS]
    keep += [c for c in ("contig", "comlang_off", "colony") if c in frame.columns]
    return frame[keep].drop_duplicates(["exporter", "importer"]).set_index(["exporter", "importer"])


def load_cepii_geo(path: str | Path) -> pd.DataFrame:
    """Read CEPII GeoDist ``geo_cepii.csv`` (Latin-1) and return capitals.

    Parameters
    ----------
    path : str or Path
        The file as published.

    Returns
    -------
    pandas.DataFrame
        Indexed by ISO3: ``city``, ``lat``, ``lon``, ``landlocked`` (bool), ``continent``
        for the row flagged as capital (``cap == 1``).

    Raises
    ------
    ShoringInputError
        When the file is missing or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise ShoringInputError([Problem(str(path), "file not found")])
    frame = pd.read_csv(path, encoding="latin-1")
    require_columns(frame, path, ("iso3", "cap", "lat", "lon", "city_en", "landlocked"), "CEPII")
    frame = frame[frame["cap"] == 1].copy()
    frame["iso3"] = frame["iso3"].replace(CEPII_LEGACY_CODES)
    return (
        frame.assign(landlocked=frame["landlocked"].astype(bool))
        .rename(columns={"city_en": "city"})
        .drop_duplicates("iso3")
        .set_index("iso3")[["city", "lat", "lon", "landlocked", "continent"]]
    )
