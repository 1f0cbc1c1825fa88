"""From the macro view to the firm model: a GE counterfactual's prices as a scenario file.

In the structural gravity model each country makes one good and its factory-gate price is
the return to the country's endowment (Yotov et al. 2016, ch. 2; Anderson & van Wincoop
2003). A counterfactual's full-endowment price change ``p_i`` is therefore written as a
one-time change of the country's labour cost: a ``wage_path`` measure with
``annual_growth = p_i - 1`` in ``start_year`` only (the level then stays), which the
landed-cost engine applies to every site and supplier in that country. The tariffs of the
counterfactual, if any, come from the scenario named as parent, so the firm model sees
both the duties and the general-equilibrium price response of third countries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from shoring.macro.ge_run import Counterfactual
from shoring.outputs import write_text_atomic
from shoring.scenario.loader import parse_scenario

MIN_CHANGE = 1e-4
"""Price changes smaller than this (0.01 %) are left out of the scenario."""

SOURCE = {
    "name": (
        "Yotov, Piermartini, Monteiro & Larch, An Advanced Guide to Trade Policy Analysis: "
        "The Structural Gravity Model, WTO/UNCTAD, ch. 2 (GEPPML)"
    ),
    "year": 2016,
    "url": "https://www.wto.org/english/res_e/booksp_e/advancedwtounctad2016_e.pdf",
}


def price_scenario_text(
    result: Counterfactual,
    name: str,
    start_year: int,
    title: str,
    parents: tuple[str, ...] = (),
) -> str:
    """YAML text of a scenario carrying the counterfactual's factory-gate price changes.

    Parameters
    ----------
    result : Counterfactual
        A solved counterfactual; its ``full.price`` (baseline -> counterfactual) is used
        whatever the report direction.
    name : str
        Scenario slug.
    start_year : int
        Year the price level changes (the firm model's year of the shock).
    title : str
        Scenario title.
    parents : tuple of str
        Scenarios whose measures come first (e.g. the tariff scenario of the shock).

    Returns
    -------
    str
        A scenario the loader accepts (checked before it is returned).
    """
    measures = [
        {
            "id": f"ge-price-{code.lower()}",
            "type": "wage_path",
            "country": [code],
            "annual_growth": round(float(p) - 1.0, 6),
            "start_year": start_year,
            "end_year": start_year,
            "note": (
                "General-equilibrium factory-gate price change of the counterfactual "
                f"({(p - 1) * 100:+.3f} %), applied once as a labour-cost change."
            ),
        }
        for code, p in zip(result.countries, result.full.price, strict=True)
        if abs(p - 1.0) >= MIN_CHANGE and np.isfinite(p)
    ]
    doc = {
        "name": name,
        "title": title,
        "kind": "forward",
        "description": (
            "Factory-gate price changes of a structural gravity counterfactual (sigma = "
            f"{result.sigma:g}), from the baseline (the data's trade costs) to the "
            "counterfactual; for an agreement that is the world without it, so the signs "
            "are the opposite of the agreement's reported effects. Written by shoring "
            "gravity counterfactual --scenario-out."
        ),
        "assumptions": [
            "A country's factory-gate price change in the one-good-per-country gravity "
            "model moves its labour cost by the same percentage (ASSUMPTION).",
        ],
        "sources": [SOURCE],
        "parents": list(parents),
        "measures": measures,
    }
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    parse_scenario(text, f"{name}.yaml")  # the engine must read what is written
    return text


def write_price_scenario(path: str | Path, text: str) -> Path:
    """Write scenario text atomically (temporary file, then rename)."""
    return write_text_atomic(path, text)
