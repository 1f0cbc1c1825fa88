"""Checks of the user's own costs: ``production_costs``, ``lane_costs``, ``cost_settings``.

Every row must name nodes and products that exist and fit together (a site's product is
one it makes; a supplier ships its own component, to sites); no two rows may set the same
cell; and since the landed-cost engine prices a lane per destination *country*, two
markets of one country cannot be given different costs from the same origin. Problems
are located by table, row and field; none is raised here (see
:func:`shoring.network.validate.build_network`).
"""

from __future__ import annotations

from collections.abc import Mapping

from shoring.network.checks import Collector, Valid, _unknown
from shoring.network.records import RawTable

__all__ = ["user_costs"]


def _repeated(raw: RawTable, rows: Valid, keys: tuple[str, ...], out: Collector) -> None:
    """Rows with the same key, blanks included (full keys are caught by the reader)."""
    first: dict[tuple, int | None] = {}
    for record, row in rows:
        key = tuple(None if getattr(row, k) is None else str(getattr(row, k)) for k in keys)
        if None not in key:
            continue  # complete keys: reported as duplicates already
        if key in first:
            label = " / ".join("(blank)" if k is None else k for k in key)
            where = f" (first at row {first[key]})" if first[key] is not None else ""
            message = f"duplicate row for {', '.join(keys)} {label!r}{where}"
            out.add(raw.name, raw.problem(message, record.row_of(keys[0]), keys[0]))
        else:
            first[key] = record.row_of(keys[0])


def _production(
    raw: RawTable,
    rows: Valid,
    valid: Mapping[str, Valid],
    ids: Mapping[str, set[str]],
    out: Collector,
) -> None:
    makes = {row.id: set(row.products) for _, row in valid["sites"]}  # type: ignore[attr-defined]
    for record, row in rows:
        site, product = row.site, row.product  # type: ignore[attr-defined]
        if site not in ids["sites"]:
            _unknown(raw, record, "site", site, "site", ids["sites"], out)
        if product is None:
            continue
        if product not in ids["products"]:
            _unknown(raw, record, "product", product, "product", ids["products"], out)
        elif site in makes and product not in makes[site]:
            message = f"site {site!r} cannot make {product!r} (not in its products list)"
            out.add(raw.name, raw.problem(message, record.row_of("product"), "product"))
    _repeated(raw, rows, ("site", "product"), out)


def _lanes(
    raw: RawTable,
    rows: Valid,
    valid: Mapping[str, Valid],
    ids: Mapping[str, set[str]],
    out: Collector,
) -> None:
    sites = {row.id: row for _, row in valid["sites"]}  # type: ignore[attr-defined]
    suppliers = {row.id: row for _, row in valid["suppliers"]}  # type: ignore[attr-defined]
    markets = {row.id: row.country for _, row in valid["markets"]}  # type: ignore[attr-defined]
    priced: dict[tuple, tuple[str, float, int | None]] = {}
    for record, row in rows:
        origin, dest, product = row.origin, row.destination, row.product  # type: ignore[attr-defined]
        from_site = origin in ids["sites"]
        if not from_site and origin not in ids["suppliers"]:
            known = ids["sites"] | ids["suppliers"]
            _unknown(raw, record, "origin", origin, "site or supplier", known, out)
        if origin in ids["suppliers"] and dest not in ids["sites"]:
            message = f"supplier {origin!r} ships to sites: {dest!r} is not a site id"
            out.add(raw.name, raw.problem(message, record.row_of("destination"), "destination"))
        elif dest not in ids["sites"] | ids["markets"]:
            known = ids["sites"] | ids["markets"]
            _unknown(raw, record, "destination", dest, "market or site", known, out)
        if product is not None:
            if product not in ids["products"]:
                _unknown(raw, record, "product", product, "product", ids["products"], out)
            elif origin in sites and product not in sites[origin].products:
                message = f"site {origin!r} cannot make {product!r} (not in its products list)"
                out.add(raw.name, raw.problem(message, record.row_of("product"), "product"))
            elif origin in suppliers and product != suppliers[origin].component:
                message = (
                    f"supplier {origin!r} supplies {suppliers[origin].component!r}, not {product!r}"
                )
                out.add(raw.name, raw.problem(message, record.row_of("product"), "product"))
        country = markets.get(dest) or (sites[dest].country if dest in sites else None)
        if country is None:
            continue
        mode = None if row.mode is None else str(row.mode)  # type: ignore[attr-defined]
        values = tuple(
            getattr(row, c)
            for c in ("usd_per_unit", "inventory_carrying_rate", "safety_stock_days")
        )
        cell = (origin, product, mode, country)
        if cell in priced and priced[cell][1] != values and priced[cell][0] != dest:
            other, _, at = priced[cell]
            where = f" (row {at})" if at is not None else ""
            message = (
                f"lanes are priced per destination country: {dest!r} and {other!r}{where} "
                f"are both in {country}, so their costs from {origin!r} must be equal"
            )
            out.add(raw.name, raw.problem(message, record.row_of("destination"), "destination"))
        priced.setdefault(cell, (dest, values, record.row_of("destination")))  # type: ignore[arg-type]
    _repeated(raw, rows, ("origin", "destination", "product", "mode"), out)


def _settings(raw: RawTable, rows: Valid, ids: Mapping[str, set[str]], out: Collector) -> None:
    for record, row in rows:
        product = row.product  # type: ignore[attr-defined]
        if product is not None and product not in ids["products"]:
            _unknown(raw, record, "product", product, "product", ids["products"], out)
    _repeated(raw, rows, ("product", "parameter"), out)


def user_costs(
    tables: Mapping[str, RawTable],
    valid: Mapping[str, Valid],
    ids: Mapping[str, set[str]],
    out: Collector,
) -> None:
    """Check the ``production_costs``, ``lane_costs`` and ``cost_settings`` rows.

    Parameters
    ----------
    tables : mapping of str to RawTable
        Raw table of each table name, used to locate problems.
    valid : mapping of str to list of (RawRecord, BaseModel)
        Rows that passed row validation (countries already ISO3).
    ids : mapping of str to set of str
        Known ids under ``"products"``, ``"sites"``, ``"markets"`` and ``"suppliers"``.
    out : Collector
        Receives the problems found.
    """
    if valid.get("production_costs"):
        _production(tables["production_costs"], valid["production_costs"], valid, ids, out)
    if valid.get("lane_costs"):
        _lanes(tables["lane_costs"], valid["lane_costs"], valid, ids, out)
    if valid.get("cost_settings"):
        _settings(tables["cost_settings"], valid["cost_settings"], ids, out)
