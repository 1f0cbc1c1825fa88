"""Validation: raw records from any reader -> a :class:`Network` or every problem found.

:func:`build_network` runs, in order: table and column presence, row types and ranges
(pydantic row models), countries (names converted to ISO3, unknown names reported
with close matches), duplicate ids, references between tables, BOM cycles, products
in demand that nothing can provide, and unit-mistake checks (value per kg, weight,
labour hours, capacity). Problems are collected, never raised one at a time; the
result is a :class:`~shoring.errors.ShoringInputError` listing them all.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from shoring.errors import InputWarning, Problem, ShoringInputError, UnknownCountryError
from shoring.fields import error_message
from shoring.network import checks, cost_checks, reference_checks
from shoring.network.checks import Collector, suggest
from shoring.network.model import Network
from shoring.network.records import RawNetwork, RawRecord, RawTable
from shoring.network.row_base import _to_text
from shoring.network.schema import (
    ID_FIELD,
    KEY_FIELDS,
    REQUIRED_TABLES,
    ROW_MODELS,
    TABLES,
    columns,
    required_columns,
)

Valid = list[tuple[RawRecord, BaseModel]]


# ------------------------------------------------------------------------ rows


def _check_header(raw: RawTable, out: Collector) -> set[str]:
    """Report unknown/missing columns; return the missing required ones."""
    if raw.header is None:
        return set()
    known = columns(raw.name)
    seen: set[str] = set()
    for column in raw.header:
        if column in seen:
            out.add(raw.name, raw.problem("duplicate column", raw.header_row, column))
        seen.add(column)
        if column not in known:
            msg = f"unknown column{suggest(column, known)} (expected: {', '.join(known)})"
            out.add(raw.name, raw.problem(msg, raw.header_row, column))
    missing = {c for c in required_columns(raw.name) if c not in seen}
    for column in sorted(missing, key=known.index):
        out.add(raw.name, raw.problem("missing required column", raw.header_row, column))
    return missing


def _validate_rows(raw: RawTable, out: Collector) -> Valid:
    """Type- and range-check every record with the table's row model."""
    model = ROW_MODELS[raw.name]
    missing_columns = _check_header(raw, out)
    known = set(columns(raw.name))
    valid: Valid = []
    for record in raw.records:
        values = record.values
        if raw.header is not None:
            values = {k: v for k, v in values.items() if k in known}
        try:
            valid.append((record, model.model_validate(values)))
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else None
                if error["type"] == "missing" and column in missing_columns:
                    continue
                message = error_message(error)
                if error["type"] == "extra_forbidden":
                    expected = ", ".join(columns(raw.name))
                    message += f"{suggest(column, known)} (expected: {expected})"
                out.add(raw.name, raw.problem(message, record.row_of(column), column))
    return valid


def _resolve_countries(
    raw: RawTable,
    rows: Valid,
    out: Collector,
    field: str = "country",
    keep: frozenset = frozenset(),
) -> Valid:
    """Convert country names in ``field`` to ISO3 (values in ``keep`` pass); report unknowns."""
    from shoring.data.countries import to_iso3

    kept: Valid = []
    for record, row in rows:
        name = getattr(row, field)
        if name in keep:
            kept.append((record, row))
            continue
        try:
            iso3 = to_iso3(name)
        except UnknownCountryError as exc:
            # keep the row for the reference checks; the problem stops the build anyway
            out.add(raw.name, raw.problem(str(exc), record.row_of(field), field))
            iso3 = name
        kept.append((record, row.model_copy(update={field: iso3})))
    return kept


def _resolve_locations(raw: RawTable, rows: Valid, out: Collector) -> Valid:
    """Fill lat/lon from the city (offline gazetteer); report unknown or ambiguous cities
    and half-given coordinates."""
    from shoring.data.locations import CityError, resolve_city

    kept: Valid = []
    for record, row in rows:
        lat, lon, city = row.lat, row.lon, row.city  # type: ignore[attr-defined]
        if (lat is None) != (lon is None):
            column = "lon" if lon is None else "lat"
            message = "give both lat and lon (or neither, to use the city or the capital)"
            out.add(raw.name, raw.problem(message, record.row_of(column), column))
        elif city is not None and lat is None:
            try:
                lat, lon, _name = resolve_city(city, row.country)  # type: ignore[attr-defined]
            except CityError as exc:
                out.add(raw.name, raw.problem(str(exc), record.row_of("city"), "city"))
            row = row.model_copy(update={"lat": lat, "lon": lon})
        kept.append((record, row))
    return kept


def _drop_duplicates(raw: RawTable, rows: Valid, out: Collector) -> Valid:
    """Report repeated ids (or keys), even in rows with other errors; keep first rows."""
    if raw.name in ID_FIELD:
        keys: tuple[str, ...] = (ID_FIELD[raw.name],)
    elif raw.name in KEY_FIELDS:
        keys = KEY_FIELDS[raw.name]
    else:
        return rows
    first: dict[tuple, int | None] = {}
    repeated: set[int] = set()
    for record in raw.records:
        values = [record.values.get(k) for k in keys]
        if any(v is None for v in values):
            continue
        key = tuple(str(_to_text(v)) for v in values)
        if key not in first:
            first[key] = record.row_of(keys[-1])
            continue
        repeated.add(id(record))
        what = "id" if len(keys) == 1 else "row for " + ", ".join(keys)
        where = f" (first at row {first[key]})" if first[key] is not None else ""
        label = key[0] if len(key) == 1 else " / ".join(key)
        message = f"duplicate {what} {label!r}{where}"
        out.add(raw.name, raw.problem(message, record.row_of(keys[-1]), keys[-1]))
    return [(record, row) for record, row in rows if id(record) not in repeated]


def _raw_ids(raw: RawNetwork, table: str) -> set[str]:
    """Ids written in a table, including rows with other errors (avoids cascades)."""
    if table not in raw.tables:
        return set()
    field = ID_FIELD[table]
    ids = set()
    for record in raw.tables[table].records:
        value = record.values.get(field)
        if value is not None:
            ids.add(str(_to_text(value)))
    return {i for i in ids if i}


# ------------------------------------------------------------------------ assemble


def _frame(rows: Valid) -> pd.DataFrame:
    return pd.DataFrame([row.model_dump(mode="python") for _, row in rows])


def _assemble(valid: dict[str, Valid]) -> Network:
    """Build the network tables from valid rows, filling computed defaults."""
    meta = valid["meta"][0][1]
    products = _frame(valid["products"])
    products["name"] = products["name"].fillna(products["id"])
    penalty = products["unit_value_usd"] * (1.0 + products["margin"])
    given = products["lost_sale_penalty_usd"].astype(float)
    products["lost_sale_penalty_usd"] = given.fillna(penalty)
    tables: dict[str, Any] = {"products": products.set_index("id").rename_axis("product")}
    for table, index_name in (("sites", "site"), ("suppliers", "supplier"), ("markets", "market")):
        frame = _frame(valid[table]) if valid[table] else None
        if frame is not None:
            frame["name"] = frame["name"].fillna(frame["id"])
            if table == "sites":
                frame["status"] = frame["status"].map(str)
            frame = frame.set_index("id").rename_axis(index_name)
        tables[table] = frame
    for table in ("bom", "site_capacities", "demand", "mfn_rates", "production_costs"):
        tables[table] = _frame(valid[table]) if valid[table] else None
    lanes = _frame(valid["lane_costs"]) if valid["lane_costs"] else None
    if lanes is not None:
        lanes["mode"] = [None if m is None else str(m) for m in lanes["mode"]]
    tables["lane_costs"] = lanes
    settings = _frame(valid["cost_settings"]) if valid["cost_settings"] else None
    if settings is not None:
        settings["parameter"] = settings["parameter"].map(str)
    tables["cost_settings"] = settings
    quotes = _frame(valid["freight_quotes"]) if valid["freight_quotes"] else None
    if quotes is not None:
        quotes["mode"] = quotes["mode"].map(str)
    tables["freight_quotes"] = quotes
    modes = _frame(valid["modes"]) if valid["modes"] else None
    if modes is not None:
        modes["mode"] = modes["mode"].map(str)
        modes = modes.set_index("mode")
    tables["modes"] = modes
    return Network(meta=meta, **tables)


def _check_quotes(raw: RawNetwork, valid: dict[str, Valid], out: Collector) -> None:
    """Each freight quote's origin and destination is a node id or a country, and its
    product a product id."""
    from shoring.data.countries import to_iso3

    rows = valid.get("freight_quotes") or []
    if not rows:
        return
    table = raw.tables["freight_quotes"]
    ids = {t: _raw_ids(raw, t) for t in ("products", "sites", "suppliers", "markets")}
    ends = {
        "origin": ("site or supplier", ids["sites"] | ids["suppliers"]),
        "destination": ("site or market", ids["sites"] | ids["markets"]),
    }
    for record, row in rows:
        for column, (what, nodes) in ends.items():
            value = getattr(row, column)
            if value in nodes:
                continue
            try:
                to_iso3(value)
            except UnknownCountryError:
                message = f"{column} {value!r} is neither a {what} id nor a country"
                out.add(table.name, table.problem(message, record.row_of(column), column))
        product = row.product  # type: ignore[attr-defined]
        if product is not None and product not in ids["products"]:
            message = f"unknown product {product!r}{suggest(product, ids['products'])}"
            out.add(table.name, table.problem(message, record.row_of("product"), "product"))


def build_network(raw: RawNetwork) -> Network:
    """Validate raw records and build a :class:`Network`.

    Parameters
    ----------
    raw : RawNetwork
        What a reader found in the user's file.

    Returns
    -------
    Network

    Raises
    ------
    ShoringInputError
        Listing every problem found, each located by file, sheet, row and field.
    """
    for warning in raw.warnings:
        warnings.warn(InputWarning(warning), stacklevel=2)
    out = Collector()
    for problem in raw.problems:
        out.add(None, problem)
    if raw.fatal:
        raise ShoringInputError(out.problems())
    valid: dict[str, Valid] = {}
    for table in TABLES:
        raw_table = raw.tables.get(table)
        if raw_table is None:
            if table in REQUIRED_TABLES:
                default = Problem(raw.file, f"missing table {table!r}", sheet=table)
                out.add(table, raw.missing.get(table, default))
            valid[table] = []
            continue
        if table in REQUIRED_TABLES and not raw_table.records:
            out.add(table, raw_table.problem("table is empty", raw_table.header_row))
        rows = _validate_rows(raw_table, out)
        if table in {"sites", "suppliers", "markets"}:
            rows = _resolve_countries(raw_table, rows, out)
            rows = _resolve_locations(raw_table, rows, out)
        elif table == "mfn_rates":
            rows = _resolve_countries(raw_table, rows, out, "importer", frozenset({"EU"}))
        valid[table] = _drop_duplicates(raw_table, rows, out)
    ids = {table: _raw_ids(raw, table) for table in ("products", "sites", "markets")}
    tables = raw.tables
    checks.references(tables, valid, ids, out)
    cost_checks.user_costs(tables, valid, ids | {"suppliers": _raw_ids(raw, "suppliers")}, out)
    has_cycle = checks.bom_cycles(tables.get("bom"), valid["bom"], ids["products"], out)
    if not has_cycle:
        checks.sourcing(tables, valid, out)
    accepted = valid["meta"][0][1].accept if valid["meta"] else ()  # type: ignore[attr-defined]
    doubts = checks.Doubts(accepted)
    checks.plausibility(tables, valid, doubts)
    checks.demand_gaps(tables.get("demand"), valid["demand"], doubts)
    for doubt in doubts.items:
        warnings.warn(InputWarning(doubt), stacklevel=2)
    _check_quotes(raw, valid, out)
    reference_checks.reference_figures(tables, valid, out)
    reference_checks.hs_codes(tables, valid, out)
    problems = out.problems()
    if problems:
        raise ShoringInputError(problems)
    if not valid["meta"]:  # pragma: no cover - always reported above
        raise ShoringInputError([Problem(raw.file, "missing meta")])
    return _assemble(valid)
