"""Build ``src/shoring/data/tables/countries.csv`` from CEPII GeoDist and country_converter.

Run from the project root with the reference data at ``../shared/data``::

    python scripts/build_countries_table.py

Capital coordinates and the landlocked flag come from CEPII ``geo_cepii.csv`` (rows with
``cap == 1``; CEPII's legacy codes ROM, ZAR, TMP, YUG, PAL are mapped to ROU, COD, TLS,
SRB, PSE). ISO2, short name, continent, UN subregion and UN membership come from
country_converter's table. UN members that CEPII lacks get GeoNames coordinates of their
capital (listed below with their GeoNames ids).
"""

from __future__ import annotations

import sys
from pathlib import Path

import country_converter as coco
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shoring.data.cepii import CEPII_LEGACY_CODES  # noqa: E402
from shoring.data.paths import TABLES_DIR, shared_data_dir  # noqa: E402

# Capitals of UN members missing from CEPII GeoDist:
# (iso3, city, lat, lon, landlocked, GeoNames id, area km2 as GeoNames gives it)
GEONAMES_CAPITALS = [
    ("MNE", "Podgorica", 42.44111, 19.26361, False, 3193044, 13812),
    ("SSD", "Juba", 4.85165, 31.58247, True, 373303, 619745),
    ("LIE", "Vaduz", 47.14151, 9.52154, True, 3042030, 160),
    ("MCO", "Monaco", 43.73333, 7.41667, False, 2993458, 2),
]


def main() -> None:
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data not found; set SHORING_SHARED_DATA")
    geo = pd.read_csv(shared / "geo" / "geo_cepii.csv", encoding="latin-1")
    geo = geo[geo["cap"] == 1].copy()
    geo["iso3"] = geo["iso3"].replace(CEPII_LEGACY_CODES)
    geo = geo[geo["iso3"] != "ANT"]  # Netherlands Antilles, dissolved 2010
    capitals = pd.DataFrame(
        {
            "iso3": geo["iso3"],
            "capital": geo["city_en"],
            "lat": geo["lat"],
            "lon": geo["lon"],
            "landlocked": geo["landlocked"].astype(bool),
            "area_km2": geo["area"],
            "coord_source": "CEPII GeoDist geo_cepii (Mayer & Zignago 2011)",
        }
    )
    extra = pd.DataFrame(
        [
            {
                "iso3": iso3,
                "capital": city,
                "lat": lat,
                "lon": lon,
                "landlocked": landlocked,
                "area_km2": area,
                "coord_source": f"GeoNames {gid} (https://www.geonames.org/{gid})",
            }
            for iso3, city, lat, lon, landlocked, gid, area in GEONAMES_CAPITALS
        ]
    )
    capitals = pd.concat([capitals, extra], ignore_index=True).set_index("iso3")

    ref = coco.CountryConverter().data.set_index("ISO3")
    known = capitals.index.intersection(ref.index)
    table = pd.DataFrame(
        {
            "iso2": ref.loc[known, "ISO2"],
            "name": ref.loc[known, "name_short"],
            "region": ref.loc[known, "continent"],
            "subregion": ref.loc[known, "UNregion"],
            "un_member": ref.loc[known, "UNmember"].notna(),
        }
    ).join(capitals)
    missing_un = set(ref.index[ref["UNmember"].notna()]) - set(table.index)
    if missing_un:
        raise SystemExit(f"UN members without coordinates: {sorted(missing_un)}")
    table.index.name = "iso3"
    table = table.sort_index()
    table["lat"] = table["lat"].round(5)
    table["lon"] = table["lon"].round(5)
    out = TABLES_DIR / "countries.csv"
    table.to_csv(out)
    print(f"wrote {out} ({len(table)} countries, {int(table['un_member'].sum())} UN members)")


if __name__ == "__main__":
    main()
