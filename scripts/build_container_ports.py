"""Build ``src/shoring/data/tables/container_ports.csv``: the ports lanes ship through.

Run from the project root::

    python scripts/build_container_ports.py

Selection: the World Shipping Council's Top 50 world container ports (2023 list, TEU
throughput 2021-2022; https://www.worldshipping.org/top-50-ports) plus, for economies
with no port on that list, their main container gateway (``selection = national
gateway``: an assumption, the largest container port of the economy as its port
authority reports it). Coordinates and UN/LOCODEs come from the port list bundled with
the ``searoute`` package (Apache-2.0), so each port snaps to the same sea-lane network
node ``searoute`` uses.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shoring.data.paths import TABLES_DIR  # noqa: E402

# World Shipping Council Top 50 (Tanjung Priok under its searoute code IDJKT; Tanger Med
# under MATNG, the searoute entry for Tangier; Ho Chi Minh City = VNSGN, Cai Mep = VNVUT).
TOP_50 = (
    "CNSHA",
    "SGSIN",
    "CNNGB",
    "CNSZX",
    "CNTAO",
    "CNCAN",
    "KRPUS",
    "CNTSN",
    "HKHKG",
    "NLRTM",
    "AEJEA",
    "MYPKG",
    "CNXMN",
    "BEANR",
    "MYTPP",
    "TWKHH",
    "USLAX",
    "DEHAM",
    "USLGB",
    "THLCH",
    "USNYC",
    "IDJKT",
    "LKCMB",
    "VNSGN",
    "CNYIK",
    "CNRZH",
    "GRPIR",
    "ESVLC",
    "SAJED",
    "INMUN",
    "ESALG",
    "DEBRV",
    "INNSA",
    "USSAV",
    "PHMNL",
    "JPTYO",
    "MATNG",
    "CNLYG",
    "CNDGG",
    "VNVUT",
    "OMSLL",
    "PAONX",
    "USHOU",
    "BRSSZ",
    "PABLB",
    "USSEA",
    "GBFXT",
    "CAVAN",
    "VNHPH",
    "ITGIT",
)

# Main container gateways of economies (or coasts) the Top 50 leaves out.
GATEWAYS = (
    "MXZLO",
    "MXVER",
    "MXLZC",
    "CAMTR",
    "TRAMR",
    "TRMER",
    "MACAS",
    "PLGDN",
    "ROCND",
    "BDCGP",
    "ITGOA",
    "ITSPE",
    "FRLEH",
    "FRFOS",
    "ESBCN",
    "GBSOU",
    "JPYOK",
    "JPUKB",
    "JPNGO",
    "KRINC",
    "TWKEL",
    "MYPEN",
    "IDSUB",
    "INMAA",
    "CNDLC",
    "CNYTN",
    "USOAK",
    "USCHS",
    "USORF",
    "USBAL",
    "USMSY",
    "BRRIG",
    "ARBUE",
    "CLSAI",
    "COCTG",
    "PECLL",
    "ZADUR",
    "EGPSD",
    "EGALY",
    "NGAPP",
    "KEMBA",
    "AUMEL",
    "AUSYD",
    "NZAKL",
    "PKKHI",
    "SEGOT",
    "PTSIE",
    "DKAAR",
    "KHSIH",
)


def main() -> None:
    text = resources.files("searoute").joinpath("data/ports.geojson").read_text("utf-8")
    known = {f["properties"]["port"]: f for f in json.loads(text)["features"]}
    rows = []
    for selection, codes in (("WSC top 50", TOP_50), ("national gateway", GATEWAYS)):
        for code in codes:
            feature = known[code]
            lon, lat = feature["geometry"]["coordinates"]
            rows.append(
                {
                    "port": code,
                    "name": feature["properties"]["name"],
                    "lat": round(float(lat), 6),
                    "lon": round(float(lon), 6),
                    "selection": selection,
                }
            )
    table = pd.DataFrame(rows)
    assert table["port"].is_unique
    table.to_csv(TABLES_DIR / "container_ports.csv", index=False)
    print(f"wrote {len(table)} ports")


if __name__ == "__main__":
    main()
