"""The canonical layout of a network's tables: column dtypes, float precision, row order.

:class:`shoring.network.model.Network` normalizes every table through :func:`canonical_frame` and
compares tables through :func:`sorted_rows`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shoring.network.schema import INDEX_NAMES, KEY_FIELDS

LAYOUT: dict[str, dict[str, str]] = {
    "products": {
        "name": "object",
        "hs_code": "object",
        "unit_value_usd": "float64",
        "weight_kg": "float64",
        "volume_m3": "float64",
        "labour_hours": "float64",
        "margin": "float64",
        "lost_sale_penalty_usd": "float64",
        "kwh_per_unit": "float64",
        "overhead_rate": "float64",
        "inventory_carrying_rate": "float64",
        "safety_stock_days": "float64",
        "copper_content_share": "float64",
    },
    "bom": {"parent": "object", "component": "object", "quantity": "float64"},
    "sites": {
        "name": "object",
        "country": "object",
        "city": "object",
        "lat": "float64",
        "lon": "float64",
        "status": "object",
        "products": "object",
        "capacity_units": "float64",
        "fixed_cost_usd": "float64",
        "opening_capex_usd": "float64",
        "closing_cost_usd": "float64",
        "ramp_up_months": "int64",
        "automation": "float64",
        "productivity": "float64",
        "incentive_capex_share": "float64",
        "incentive_per_job_usd": "float64",
        "jobs": "int64",
        "wage_usd_per_hour": "float64",
        "prohibited_foreign_entity": "bool",
        "productivity_index": "float64",
    },
    "site_capacities": {"site": "object", "product": "object", "capacity_units": "float64"},
    "suppliers": {
        "name": "object",
        "country": "object",
        "city": "object",
        "lat": "float64",
        "lon": "float64",
        "component": "object",
        "capacity_units": "float64",
        "unit_price_usd": "float64",
        "qualification_months": "float64",
        "originating": "object",
    },
    "markets": {
        "name": "object",
        "country": "object",
        "city": "object",
        "lat": "float64",
        "lon": "float64",
    },
    "demand": {"market": "object", "product": "object", "year": "int64", "units": "float64"},
    "modes": {
        "cost_usd_per_tonne_km": "float64",
        "speed_km_per_day": "float64",
        "handling_usd_per_tonne": "float64",
        "dwell_days": "float64",
        "co2_kg_per_tonne_km": "float64",
        "lead_time_sd_days": "float64",
    },
    "mfn_rates": {"importer": "object", "hs_code": "object", "rate": "float64", "source": "object"},
    "production_costs": {"site": "object", "product": "object", "usd_per_unit": "float64"},
    "lane_costs": {
        "origin": "object",
        "destination": "object",
        "product": "object",
        "mode": "object",
        "usd_per_unit": "float64",
        "inventory_carrying_rate": "float64",
        "safety_stock_days": "float64",
    },
    "cost_settings": {"product": "object", "parameter": "object", "value": "float64"},
    "freight_quotes": {
        "origin": "object",
        "destination": "object",
        "mode": "object",
        "product": "object",
        "usd_per_unit": "float64",
        "usd_per_container": "float64",
        "valid_from": "object",
        "valid_to": "object",
    },
}
"""Columns and dtypes of each table in a :class:`Network`.

Entity tables (products, sites, suppliers, markets, modes) are indexed by their id,
with the singular index name (``product``, ``site``, ``supplier``, ``market``,
``mode``); link tables (bom, site_capacities, demand) have a RangeIndex. Strings are
``object`` dtype; ``sites.products`` holds tuples of product ids; ``modes`` holds NaN
where the default applies; ``mfn_rates`` (link table) holds the user's own MFN rates;
``production_costs`` and ``lane_costs`` (link tables) the user's own unit costs, with
None for a blank product or mode and NaN for a blank number; ``cost_settings`` the
network's or a product's TCO parameters; ``freight_quotes`` (link table) the user's
carrier quotes per lane. Sites, suppliers and markets carry ``city``, ``lat``, ``lon``:
NaN ``lat`` means the node sits at its country's capital.
"""

TABLE_NAMES: tuple[str, ...] = tuple(LAYOUT)


SIGNIFICANT_DIGITS = 15
"""Floats are kept to 15 significant digits, Excel's precision, so every format
(YAML, Excel, CSV) round-trips exactly."""


def _significant(values: np.ndarray) -> np.ndarray:
    """Round to :data:`SIGNIFICANT_DIGITS` significant digits (vectorized)."""
    return np.char.mod(f"%.{SIGNIFICANT_DIGITS}g", values).astype(np.float64)


def canonical_frame(table: str, data: pd.DataFrame | None) -> pd.DataFrame:
    """Copy ``data`` into the canonical layout of ``table``."""
    layout = LAYOUT[table]
    index_name = INDEX_NAMES.get(table)
    if data is None:
        data = pd.DataFrame(columns=list(layout))
    frame = data.copy()
    if index_name is not None and index_name in frame.columns:
        frame = frame.set_index(index_name)
    frame = frame.reindex(columns=list(layout))
    if table == "sites":
        frame["products"] = [tuple(p) for p in frame["products"]]
    if table == "suppliers":
        frame["originating"] = [
            tuple(v) if isinstance(v, list | tuple) else None for v in frame["originating"]
        ]
    frame = frame.astype(layout)
    for column, dtype in layout.items():
        if dtype == "float64" and len(frame):
            frame[column] = _significant(frame[column].to_numpy())
    if index_name is not None:
        frame.index = pd.Index(frame.index.astype(str), dtype=object, name=index_name)
    else:
        frame = frame.reset_index(drop=True)
    return frame


def sorted_rows(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a canonical order, for order-insensitive comparison."""
    if table == "sites":
        frame = frame.assign(products=[tuple(sorted(p)) for p in frame["products"]])
    if table in KEY_FIELDS:
        return frame.sort_values(list(KEY_FIELDS[table])).reset_index(drop=True)
    return frame.sort_index()
