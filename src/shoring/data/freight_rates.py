"""Ocean container rates by lane and year, from the Drewry World Container Index (WCI).

The embedded table ``ocean_freight_rates.csv`` (built by
``scripts/build_ocean_freight_rates.py`` from curated press reposts of Drewry's weekly
WCI; see its data card) gives USD per 40ft container (FEU) for the composite index and
its eight lanes, per year 2019-2025. A port-to-port lane is priced::

    quoted range pair:  usd_per_feu = WCI lane rate of the year
    any other pair:     usd_per_feu = composite rate of the year
                                      * sea_km / composite reference km

where a WCI lane stands for its *port range* (carriers price a range of base ports
alike): Shanghai = China, Hong Kong, Taiwan, Korea, Japan; Rotterdam = North Europe
(Le Havre-Hamburg range, UK, Scandinavia, Baltic); Genoa = the Mediterranean; Los Angeles =
US ports west of 100 W; New York = US ports east of 100 W (Gulf included). Years before
2019 use 2019; years after 2025 hold the 2025 rate (both labelled in the data card).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from shoring.data.paths import TABLES_DIR

WCI_LANES: dict[str, tuple[str, str, str, str]] = {
    "Shanghai-Rotterdam": ("CNSHA", "NLRTM", "north_asia", "north_europe"),
    "Rotterdam-Shanghai": ("NLRTM", "CNSHA", "north_europe", "north_asia"),
    "Shanghai-Genoa": ("CNSHA", "ITGOA", "north_asia", "mediterranean"),
    "Shanghai-Los Angeles": ("CNSHA", "USLAX", "north_asia", "us_west"),
    "Los Angeles-Shanghai": ("USLAX", "CNSHA", "us_west", "north_asia"),
    "Shanghai-New York": ("CNSHA", "USNYC", "north_asia", "us_east"),
    "New York-Rotterdam": ("USNYC", "NLRTM", "us_east", "north_europe"),
    "Rotterdam-New York": ("NLRTM", "USNYC", "north_europe", "us_east"),
}
"""WCI lane -> (origin port, destination port, origin range, destination range)."""

_RANGE_COUNTRIES = {
    "north_asia": {"CN", "HK", "TW", "KR", "JP"},
    "north_europe": {"NL", "BE", "DE", "GB", "IE", "DK", "NO", "SE", "FI", "PL", "EE", "LV", "LT"},
    "mediterranean": {"IT", "ES", "GR", "SI", "HR", "MT", "CY", "TR"},
}

FIRST_YEAR, LAST_YEAR = 2019, 2025


@cache
def ocean_freight_rates() -> pd.DataFrame:
    """The embedded WCI table: one row per (lane, year).

    Returns
    -------
    pandas.DataFrame
        Columns ``lane``, ``year``, ``usd_per_feu``, ``basis`` (``quoted`` or
        ``composite x lane ratio``), ``quotes`` (number averaged), ``reference_km``
        (port-to-port sea km of the lane; the composite's reference distance). Shared:
        do not modify.
    """
    return pd.read_csv(TABLES_DIR / "ocean_freight_rates.csv")


def port_ranges(ports: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """WCI port range of each port ("" where none).

    Parameters
    ----------
    ports : ndarray of str
        UN/LOCODEs (the first two letters are the ISO 3166 alpha-2 country).
    lon, lat : ndarray of float
        Port coordinates, degrees (split France and the US between ranges).

    Returns
    -------
    ndarray of str
        ``north_asia``, ``north_europe``, ``mediterranean``, ``us_west``, ``us_east`` or "".
    """
    iso2 = np.array([str(p)[:2] for p in np.asarray(ports).ravel()], dtype=object)
    lon, lat = np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel()
    conditions = [np.isin(iso2, list(members)) for members in _RANGE_COUNTRIES.values()]
    conditions += [
        (iso2 == "FR") & (lat > 46.0),
        (iso2 == "FR") & (lat <= 46.0),
        (iso2 == "US") & (lon < -100.0),
        (iso2 == "US") & (lon >= -100.0),
    ]
    choices = [*_RANGE_COUNTRIES, "north_europe", "mediterranean", "us_west", "us_east"]
    return np.select(conditions, choices, default="").astype(object)


def ocean_usd_per_feu(
    origin_range: np.ndarray, destination_range: np.ndarray, sea_km: np.ndarray, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Spot rate per 40ft container of port-to-port lanes in one year.

    Parameters
    ----------
    origin_range, destination_range : ndarray of str
        Port ranges (:func:`port_ranges`), same shape.
    sea_km : ndarray of float
        Sea-route km of each lane with every chokepoint open, same shape.
    year : int
        Calendar year; clamped to 2019-2025.

    Returns
    -------
    usd : ndarray of float
        USD per FEU.
    quoted : ndarray of bool
        True where a WCI lane's own rate applies (else the composite per km).
    """
    table = ocean_freight_rates()
    rows = table[table["year"] == min(max(int(year), FIRST_YEAR), LAST_YEAR)].set_index("lane")
    composite = rows.loc["Composite"]
    usd = np.asarray(sea_km, dtype=float) * (
        float(composite["usd_per_feu"]) / float(composite["reference_km"])
    )
    quoted = np.zeros(usd.shape, dtype=bool)
    for lane, (_o, _d, o_range, d_range) in WCI_LANES.items():
        match = (origin_range == o_range) & (destination_range == d_range)
        usd = np.where(match, float(rows.at[lane, "usd_per_feu"]), usd)
        quoted |= match
    return usd, quoted
