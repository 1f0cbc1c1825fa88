"""JSON-ready summary of MRIO value-chain indicators (the ``shoring mrio indicators`` shape).

Shape (money in the table's unit, shares as fractions, ``null`` = undefined)::

    {
      "system": {name, source, unit, regions: [str], sectors: [str], n_regions,
                 n_sectors, value_added, stated_value_added_max_gap},
      "method": {decomposition, participation, dependency},
      "countries": [{country, gross_exports, dva, fva, dvx, backward_participation,
                     forward_participation, gvc_participation}],
      "sectors": [{country, sector, gross_output, value_added, gross_exports, dva, fva,
                   dvx, backward_participation, forward_participation}],
      "dependency": [{country, sector, on, total, direct, via_domestic, via_third}]
    }

``dependency`` lists every country-sector ``(country, sector)`` and every foreign region
``on``: shares of one unit of the sector's gross output that are value added in ``on``,
in total and by the country of the immediate supplier (``total = direct + via_domestic +
via_third``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from shoring.macro.mrio import ValueChains

__all__ = ["METHOD", "summary"]

METHOD = {
    "decomposition": (
        "source-based value added in gross exports: DVA = V_c B_cc E_c, FVA = sum_{k!=c} "
        "V_k B_kc E_c, DVA + FVA = E (Koopman, Wang & Wei 2014, AER 104(2):459-494; "
        "Borin & Mancini 2019, World Bank PRWP 8804, source-based DC and FC); value added "
        "as the residual of output minus intermediate inputs"
    ),
    "participation": (
        "backward = FVA / gross exports, forward = DVX / gross exports (value added in "
        "other countries' exports); Koopman, Powers, Wang & Wei 2010, NBER WP 16426; "
        "OECD TiVA EXGR_FVASH and EXGR_DVAFXSH"
    ),
    "dependency": (
        "share of region k's value added in one unit of gross output of country-sector "
        "j (V L), split by the country of the immediate supplier: direct (bought from "
        "k), via_domestic (bought at home), via_third (bought from third countries)"
    ),
}
"""Method statements carried into the JSON and the report."""


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def summary(vc: ValueChains, countries: Sequence[str] | None = None) -> dict[str, Any]:
    """The indicators as plain JSON-ready data.

    Parameters
    ----------
    vc : ValueChains
        Computed indicators.
    countries : sequence of str, optional
        Limit ``sectors`` and ``dependency`` rows to these regions (all by default);
        ``countries`` always lists every region.

    Returns
    -------
    dict
        See the module docstring; non-finite numbers become ``None``.

    Raises
    ------
    KeyError
        When ``countries`` names a region not in the table.
    """
    t = vc.table
    keep = set(t.regions) if not countries else set(countries)
    unknown = keep - set(t.regions)
    if unknown:
        raise KeyError(f"regions not in the table: {sorted(unknown)}; it has {list(t.regions)}")
    gap = None
    if t.stated_value_added is not None:
        residual = vc.value_added
        scale = np.maximum(np.abs(residual), np.abs(t.stated_value_added))
        rel = np.divide(
            np.abs(residual - t.stated_value_added),
            scale,
            out=np.zeros_like(scale),
            where=scale > 0,
        )
        gap = float(rel.max())
    country_rows = [
        {
            "country": r,
            "gross_exports": _num(vc.country_exports[g]),
            "dva": _num(vc.country_dva[g]),
            "fva": _num(vc.country_fva[g]),
            "dvx": _num(vc.country_dvx[g]),
            "backward_participation": _num(vc.country_backward[g]),
            "forward_participation": _num(vc.country_forward[g]),
            "gvc_participation": _num(vc.country_backward[g] + vc.country_forward[g]),
        }
        for g, r in enumerate(t.regions)
    ]
    va = vc.value_added
    sector_rows = []
    dependency_rows = []
    dep = vc.dependency
    for j in range(t.n_regions * t.n_sectors):
        g, s = divmod(j, t.n_sectors)
        country, sector = t.regions[g], t.sectors[s]
        if country not in keep:
            continue
        sector_rows.append(
            {
                "country": country,
                "sector": sector,
                "gross_output": _num(vc.x[j]),
                "value_added": _num(va[j]),
                "gross_exports": _num(vc.exports[j]),
                "dva": _num(vc.dva[j]),
                "fva": _num(vc.fva[j]),
                "dvx": _num(vc.dvx[j]),
                "backward_participation": _num(vc.backward[j]),
                "forward_participation": _num(vc.forward[j]),
            }
        )
        for k, on in enumerate(t.regions):
            if k == g:
                continue
            dependency_rows.append(
                {"country": country, "sector": sector, "on": on}
                | {
                    name: _num(dep[name][k, j])
                    for name in ("total", "direct", "via_domestic", "via_third")
                }
            )
    return {
        "system": {
            "name": t.name,
            "source": t.source,
            "unit": t.unit,
            "regions": list(t.regions),
            "sectors": list(t.sectors),
            "n_regions": t.n_regions,
            "n_sectors": t.n_sectors,
            "value_added": "residual: gross output minus intermediate inputs",
            "stated_value_added_max_gap": gap,
        },
        "method": dict(METHOD),
        "countries": country_rows,
        "sectors": sector_rows,
        "dependency": dependency_rows,
    }
