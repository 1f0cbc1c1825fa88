"""Build ``src/shoring/data/tables/land_connectivity.csv`` from mledoze/countries borders.

Run from the project root with the reference data at ``../shared/data``::

    python scripts/build_land_connectivity.py

Each country gets the id of its *landmass*: a connected component of the graph whose
nodes are countries and whose edges are land borders (the ``borders_iso3`` field of
mledoze/countries, ODbL 1.0), after the documented exceptions below. Truck and rail can
only serve pairs on the same landmass. The landmass id is the ISO3 code of the member
with the largest area, so ids are stable and readable (``RUS`` for Afro-Eurasia).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shoring.data.paths import TABLES_DIR, shared_data_dir  # noqa: E402

# Fixed links that are not land borders but carry trucks and trains (added edges).
ADDED_LINKS = [
    ("GBR", "FRA", "Channel Tunnel (road shuttle and rail freight since 1994)"),
    ("SGP", "MYS", "Johor-Singapore Causeway (road and rail)"),
    ("BHR", "SAU", "King Fahd Causeway (road)"),
]

# Land borders that carry no through road or rail freight (removed edges).
REMOVED_LINKS = [
    ("IDN", "MYS", "border on Borneo only; Indonesia's main islands are not land-linked"),
    ("IDN", "TLS", "border on Timor only"),
    ("IDN", "PNG", "border on New Guinea only"),
    ("KOR", "PRK", "inter-Korean border closed to commercial traffic"),
    ("PAN", "COL", "Darien Gap: no road or rail link between Central and South America"),
]


def components(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    """Connected components by union-find; returns node -> representative node."""
    parent = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {n: find(n) for n in nodes}


def build_table(mledoze: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    """ISO3 -> landmass table from mledoze borders and the embedded country table."""
    nodes = sorted(set(mledoze["cca3"]) | set(ours["iso3"]))
    edges: set[frozenset[str]] = set()
    for iso3, borders in zip(mledoze["cca3"], mledoze["borders_iso3"], strict=True):
        for other in filter(None, str(borders).split(";")):
            if other in nodes:
                edges.add(frozenset((iso3, other)))
    for a, b, _ in REMOVED_LINKS:
        edges.discard(frozenset((a, b)))
    for a, b, _ in ADDED_LINKS:
        edges.add(frozenset((a, b)))

    rep = components(nodes, [tuple(sorted(e)) for e in edges])  # type: ignore[misc]
    area = dict(zip(mledoze["cca3"], pd.to_numeric(mledoze["area_km2"]), strict=True))
    area.update(
        {k: v for k, v in zip(ours["iso3"], ours["area_km2"], strict=True) if k not in area}
    )
    members: dict[str, list[str]] = {}
    for node, root in rep.items():
        members.setdefault(root, []).append(node)
    label = {
        root: max(group, key=lambda n: (area.get(n, 0.0), n)) for root, group in members.items()
    }
    notes = {a: f"+{b}: {why}" for a, b, why in ADDED_LINKS}
    notes.update({b: f"+{a}: {why}" for a, b, why in ADDED_LINKS})
    for a, b, why in REMOVED_LINKS:
        for x, y in ((a, b), (b, a)):
            notes[x] = (notes.get(x, "") + f"; -{y}: {why}").lstrip("; ")
    return pd.DataFrame(
        {
            "iso3": nodes,
            "landmass": [label[rep[n]] for n in nodes],
            "exception": [notes.get(n, "") for n in nodes],
        }
    )


def main() -> None:
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data not found; set SHORING_SHARED_DATA")
    mledoze = pd.read_csv(shared / "geo" / "countries_mledoze.csv", keep_default_na=False)
    ours = pd.read_csv(TABLES_DIR / "countries.csv", keep_default_na=False)
    table = build_table(mledoze, ours)
    out = TABLES_DIR / "land_connectivity.csv"
    table.to_csv(out, index=False)
    sizes = table["landmass"].value_counts()
    print(f"wrote {out} ({len(table)} rows, {len(sizes)} landmasses)")
    print(sizes.head(8).to_string())


if __name__ == "__main__":
    main()
