"""Logistics Performance Index and natural-hazard (WorldRiskIndex) data.

Embedded defaults (cards beside them):

- ``tables/lpi.csv``: World Bank Logistics Performance Index, overall score (1-5), the
  latest edition per economy: 2023 where the economy is in it, otherwise the most
  recent of the 2010-2016 editions.
- ``tables/hazard.csv``: WorldRiskIndex 2020 (old methodology, WorldRiskReport 2020,
  Bündnis Entwicklung Hilft / IFHV Bochum): index, exposure and vulnerability (%).

Loaders read the published layouts: :func:`load_lpi_2023` (the 2023 sheet as CSV,
economy names), :func:`load_lpi_history` (2010-2016, ISO3 codes) and
:func:`load_worldriskindex` (years wide -> long).

A country missing from an index raises :class:`MissingIndexError` unless a ``default``
is passed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from shoring.data.csvio import names_to_iso3, read_csv_checked
from shoring.data.paths import TABLES_DIR
from shoring.errors import Problem, ShoringError, ShoringInputError

LPI_NAME_FIXES: dict[str, str] = {"TC<rkiye": "Türkiye"}
"""Economy names mis-encoded in circulating copies of the LPI 2023 sheet -> real name."""

LPI_LEGACY_CODES: dict[str, str] = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS"}
"""Legacy country codes used in the LPI 2010-2016 files -> ISO3."""

LPI_COMPONENTS = (
    "customs",
    "infrastructure",
    "international_shipments",
    "logistics_competence",
    "timeliness",
    "tracking_tracing",
)
"""The six LPI component scores, in the order of the output columns."""

_LPI_2023_COLUMNS = {
    "LPI Score": "lpi",
    "LPI Grouped Rank": "lpi_rank",
    "Customs Score": "customs",
    "Infrastructure Score": "infrastructure",
    "International Shipments Score": "international_shipments",
    "Logistics Competence and Quality Score": "logistics_competence",
    "Timeliness Score": "timeliness",
    "Tracking and Tracing Score": "tracking_tracing",
}
_LPI_HISTORY_COLUMNS = {
    "Overall LPI Score": "lpi",
    "Overall LPI Rank": "lpi_rank",
    "Customs": "customs",
    "Infrastructure": "infrastructure",
    "International Shipments": "international_shipments",
    "Logistics Quality & Competence": "logistics_competence",
    "Timeliness": "timeliness",
    "Tracking & Tracing": "tracking_tracing",
}
_WRI_COMPONENTS = {
    "Exposure": "exposure",
    "Vulnerability": "vulnerability",
    "Susceptibility": "susceptibility",
    "Lack of Coping Capacities": "lack_of_coping_capacities",
    "Lack of Adaptive Capacities": "lack_of_adaptive_capacities",
}


class MissingIndexError(ShoringError, KeyError):
    """A country is not covered by an index and no default was given."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


# ---------------------------------------------------------------------------- loaders


def load_lpi_2023(path: str | Path) -> pd.DataFrame:
    """Read the World Bank LPI 2023 table (``risk/lpi_2023.csv``).

    Parameters
    ----------
    path : str or Path
        CSV with ``Economy``, ``LPI Score``, ``LPI Grouped Rank`` and the six
        ``<Component> Score`` columns (one decimal, as published).

    Returns
    -------
    pandas.DataFrame
        One row per economy: ``iso3``, ``economy`` (name as written, mis-encodings in
        :data:`LPI_NAME_FIXES` repaired), ``year`` (2023), ``lpi``, ``lpi_rank`` and the
        :data:`LPI_COMPONENTS` scores; sorted by rank.

    Raises
    ------
    ShoringInputError
        Missing columns or economy names that cannot be converted to ISO3.
    """
    frame = read_csv_checked(path, ["Economy", *_LPI_2023_COLUMNS], "LPI 2023")
    names = frame["Economy"].astype(str).str.strip().replace(LPI_NAME_FIXES)
    iso3 = names_to_iso3(names, path, field="Economy")
    out = frame[list(_LPI_2023_COLUMNS)].rename(columns=_LPI_2023_COLUMNS)
    out.insert(0, "year", 2023)
    out.insert(0, "economy", names)
    out.insert(0, "iso3", iso3)
    out["lpi_rank"] = out["lpi_rank"].astype(int)
    return out.sort_values(["lpi_rank", "iso3"]).reset_index(drop=True)


def load_lpi_history(path: str | Path) -> pd.DataFrame:
    """Read the World Bank LPI 2010-2016 table (``risk/lpi_2010_2016.csv``).

    Parameters
    ----------
    path : str or Path
        CSV with ``Country``, ``Code`` (ISO3), ``Overall LPI Score``, ``Overall LPI
        Rank``, the six components and ``Year``.

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (legacy codes in :data:`LPI_LEGACY_CODES` mapped to ISO3),
        ``economy``, ``year``, ``lpi``, ``lpi_rank`` and the :data:`LPI_COMPONENTS`
        scores; sorted by year, rank.
    """
    frame = read_csv_checked(
        path, ["Country", "Code", "Year", *_LPI_HISTORY_COLUMNS], "LPI 2010-2016"
    )
    out = frame[list(_LPI_HISTORY_COLUMNS)].rename(columns=_LPI_HISTORY_COLUMNS)
    out = out.apply(pd.to_numeric, errors="coerce")
    out.insert(0, "year", frame["Year"].astype(int))
    out.insert(0, "economy", frame["Country"].astype(str).str.strip())
    codes = frame["Code"].astype(str).str.strip().str.upper().replace(LPI_LEGACY_CODES)
    out.insert(0, "iso3", codes)
    out["lpi_rank"] = out["lpi_rank"].astype("Int64")
    return out.sort_values(["year", "lpi_rank", "iso3"]).reset_index(drop=True)


def load_worldriskindex(path: str | Path) -> pd.DataFrame:
    """Read WorldRiskIndex editions 2016-2020 (``risk/worldriskindex_2016_2020.csv``).

    The file is wide: one column per edition year with the index, plus the 2020
    components (exposure, vulnerability and its three parts, all in percent).

    Parameters
    ----------
    path : str or Path
        CSV with ``iso3``, ``Country``, ``Risk Level``, year columns and components.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per (``iso3``, ``year``): ``iso3``, ``country``,
        ``year``, ``world_risk_index``, then ``exposure``, ``vulnerability``,
        ``susceptibility``, ``lack_of_coping_capacities``,
        ``lack_of_adaptive_capacities`` and ``risk_level`` — filled for the latest
        edition only (the file carries components for it alone), NaN/"" otherwise.

    Raises
    ------
    ShoringInputError
        When the file is missing, lacks a required column or has no year columns.
    """
    frame = read_csv_checked(
        path, ["iso3", "Country", "Risk Level", *_WRI_COMPONENTS], "WorldRiskIndex"
    )
    year_cols = sorted(c for c in frame.columns if str(c).strip().isdigit())
    if not year_cols:
        raise ShoringInputError([Problem(str(path), "no edition-year columns (e.g. 2020)")])
    latest = max(int(c) for c in year_cols)
    long = frame.melt(
        id_vars=["iso3", "Country"],
        value_vars=year_cols,
        var_name="year",
        value_name="world_risk_index",
    ).rename(columns={"Country": "country"})
    long["year"] = long["year"].astype(int)
    long["world_risk_index"] = pd.to_numeric(long["world_risk_index"], errors="coerce")
    comps = frame[["iso3", "Risk Level", *_WRI_COMPONENTS]].rename(
        columns={**_WRI_COMPONENTS, "Risk Level": "risk_level"}
    )
    comps["year"] = latest
    long = long.merge(comps, on=["iso3", "year"], how="left")
    long["risk_level"] = long["risk_level"].fillna("")
    return long.sort_values(["iso3", "year"]).reset_index(drop=True)


# ---------------------------------------------------------------------------- embedded


@cache
def _lpi() -> pd.DataFrame:
    return pd.read_csv(TABLES_DIR / "lpi.csv", keep_default_na=False).set_index("iso3")


@cache
def _hazard() -> pd.DataFrame:
    return pd.read_csv(TABLES_DIR / "hazard.csv", keep_default_na=False).set_index("iso3")


def lpi_table() -> pd.DataFrame:
    """Embedded LPI: latest overall score per economy.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``year`` (edition), ``lpi`` (1-5), ``source``, ``url``.
    """
    return _lpi().reset_index()


def hazard_table() -> pd.DataFrame:
    """Embedded WorldRiskIndex 2020.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``year``, ``world_risk_index``, ``exposure``,
        ``vulnerability`` (percent), ``source``, ``url``.
    """
    return _hazard().reset_index()


def _lookup(table: pd.DataFrame, column: str, iso3: str, default: float | None, what: str) -> float:
    code = str(iso3).strip().upper()
    if code in table.index:
        return float(table.at[code, column])
    if default is not None:
        return float(default)
    raise MissingIndexError(
        f"{code} is not covered by the {what} ({len(table)} economies); "
        "pass default=... to use a fallback value"
    )


def lpi(iso3: str, default: float | None = None) -> float:
    """Latest World Bank LPI overall score (1 = worst, 5 = best) of an economy.

    Parameters
    ----------
    iso3 : str
        ISO3 code.
    default : float, optional
        Returned when the economy is not covered.

    Returns
    -------
    float
        LPI score of the latest edition in the embedded table, or ``default``.

    Raises
    ------
    MissingIndexError
        Not covered and no ``default``.
    """
    return _lookup(_lpi(), "lpi", iso3, default, "Logistics Performance Index")


def hazard_index(iso3: str, default: float | None = None) -> float:
    """WorldRiskIndex 2020 of an economy (percent; higher = more disaster risk).

    Parameters
    ----------
    iso3 : str
        ISO3 code.
    default : float, optional
        Returned when the economy is not covered.

    Returns
    -------
    float
        WorldRiskIndex in percent, or ``default``.

    Raises
    ------
    MissingIndexError
        Not covered and no ``default``.
    """
    return _lookup(_hazard(), "world_risk_index", iso3, default, "WorldRiskIndex 2020")
