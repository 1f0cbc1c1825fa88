"""Checks of a network against the embedded reference tables.

Every site needs a cited labour cost (and, under ``meta.labour_productivity: national``,
a productivity index) for the network's years, and every product's HS code must exist in
an embedded tariff nomenclature. Like :mod:`shoring.network.checks`, each check appends
located problems to a :class:`~shoring.network.checks.Collector`; none raises. Used by
:func:`shoring.network.validate.build_network`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from shoring.errors import ShoringError
from shoring.network.checks import Collector, Valid
from shoring.network.records import RawTable


def reference_figures(
    tables: Mapping[str, RawTable], valid: Mapping[str, Valid], out: Collector
) -> None:
    """Every site needs a cited labour cost and productivity: from the tables or its own columns.

    A site in an economy the labour-cost table does not cover, or covers only from a
    year after the first demand year (no figure before the first cited one), is reported
    on its ``country`` cell, with the column that supplies the figure
    (``wage_usd_per_hour``);
    likewise, when ``meta.labour_productivity`` is ``national``, a site in an economy
    the productivity table does not cover, with ``productivity_index`` (output per hour
    relative to a US plant = 1).
    Other reference figures have cited defaults: an importer missing from the customs
    valuation list values CIF (the rule of the Union Customs Code, see its data card), an
    importer without an MFN figure is listed in the results, and a country missing from
    the hazard index takes the median exposure (hazard data card).

    Parameters
    ----------
    tables : mapping of str to RawTable
        Raw table of each table name, used to locate problems.
    valid : mapping of str to list of (RawRecord, BaseModel)
        Rows of each table that passed row validation (countries as ISO3).
    out : Collector
        Receives the problems found.
    """
    from shoring.data.countries import to_iso3
    from shoring.data.productivity import productivity_economies
    from shoring.data.wages import covered_economies, covered_years

    meta = valid["meta"][0][1] if valid.get("meta") else None
    demand_years = [int(r.year) for _, r in valid.get("demand", [])]  # type: ignore[attr-defined]
    first_demand = min(demand_years, default=None)
    national = getattr(meta, "labour_productivity", "equal") == "national"
    needs = (
        (
            "wage_usd_per_hour",
            set(covered_economies()),
            "manufacturing labour cost",
            "labour cost in the wage_usd_per_hour column (USD per hour, wages plus "
            "employer charges)",
        ),
        (
            "productivity_index",
            set(productivity_economies()),
            "manufacturing productivity index",
            "output per hour in the productivity_index column (relative to a US plant "
            "making the same product = 1), or set meta.labour_productivity to equal",
        ),
    )[: 2 if national else 1]
    for record, row in valid["sites"]:
        site: Any = row
        raw = tables["sites"]
        for column, covered, what, fix in needs:
            if getattr(site, column) is not None or site.country in covered:
                continue
            try:
                to_iso3(site.country)
            except ShoringError:  # unknown country: reported already
                break
            message = (
                f"no cited {what} for {site.country} in the embedded table "
                f"({len(covered)} economies): give this site's {fix}"
            )
            out.add(raw.name, raw.problem(message, record.row_of("country"), "country"))
        if site.wage_usd_per_hour is None and site.country in needs[0][1] and first_demand:
            first = covered_years(site.country)[0]
            if first_demand < first:
                message = (
                    f"no cited manufacturing labour cost for {site.country} before {first} "
                    f"(demand starts {first_demand}; the table does not invent earlier "
                    f"years): give this site's {needs[0][3]}"
                )
                out.add(raw.name, raw.problem(message, record.row_of("country"), "country"))


def hs_codes(tables: Mapping[str, RawTable], valid: Mapping[str, Valid], out: Collector) -> None:
    """Every product's HS code must exist in some embedded tariff nomenclature.

    A code that no embedded schedule knows (neither its HS6 nor its national digits) is
    a typo, a renumbered code (HS2017 vs HS2022) or a national code of another country;
    it is reported with the lines that exist under its HS6, unless the ``mfn_rates``
    table gives a rate for it (then the user has said what it costs).

    Parameters
    ----------
    tables : mapping of str to RawTable
        Raw tables, used to locate problems.
    valid : mapping of str to list of (RawRecord, BaseModel)
        Validated rows of each table.
    out : Collector
        Receives the problems found.
    """
    from shoring.data.mfn_lines import unknown_codes

    rows = valid.get("products", [])
    if not rows:
        return
    own = tuple(str(r.hs_code) for _, r in valid.get("mfn_rates", []))  # type: ignore[attr-defined]
    codes = np.array([str(r.hs_code) for _, r in rows], dtype=str)  # type: ignore[attr-defined]
    reasons = unknown_codes(codes)
    raw = tables["products"]
    for (record, row), reason in zip(rows, reasons, strict=True):
        if reason and not str(row.hs_code).startswith(own or ("\0",)):  # type: ignore[attr-defined]
            message = (
                f"product {row.id!r}: HS code {reason}. Give the importer's national code "  # type: ignore[attr-defined]
                "or the HS6, or your own rate for it in the mfn_rates table"
            )
            out.add(raw.name, raw.problem(message, record.row_of("hs_code"), "hs_code"))
