"""The study report's "Macro view" section: the scenarios in general equilibrium.

Renders a :class:`~shoring.macro.firm_view.MacroView` (computed by
:meth:`shoring.study.Study.macro_view`; nothing is recomputed here): for each scenario the
duties it adds, who gains and loses import share in the network's markets, and the
price indices, factory-gate prices and real GDP of the network's countries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shoring.report.layout import esc, table

if TYPE_CHECKING:
    import pandas as pd

    from shoring.macro.firm_view import MacroView

MACRO_SECTION = ("macro", "Macro view (general equilibrium)")
"""(anchor, heading) of the section, shown only when a macro view is given."""

SHOWN_DUTIES = 4
"""Largest duties named in a scenario's sentence (all are in macro_duties.csv)."""

SHOWN_GAINERS = 3
"""Suppliers gaining import share named per market."""

COLUMNS = {
    "exports_change_pct_full": "exports %",
    "producer_price_change_pct": "factory-gate price %",
    "imr_change_pct": "consumer price index %",
    "real_gdp_change_pct": "real GDP %",
}


def _pp(value: float) -> str:
    return f"{value:+.2f} pp"


def _market_sentence(rows: pd.DataFrame, market: str) -> str:
    """Who loses and who gains import share in one market (full endowment)."""
    losers = rows[rows["change_pp"] < 0].sort_values("change_pp").head(2)
    gainers = rows[rows["change_pp"] > 0].head(SHOWN_GAINERS)
    lost = "; ".join(
        f"{r.exporter}'s import share changes {_pp(r.change_pp)} "
        f"({r.share_baseline_pct:.2f}% → {r.share_full_pct:.2f}%)"
        for r in losers.itertuples()
    )
    won = ", ".join(f"{r.exporter} {_pp(r.change_pp)}" for r in gainers.itertuples())
    if not lost and not won:
        return f"In {market}'s imports no supplier's share changes."
    return (
        f"In {market}'s imports, "
        + (lost or "no supplier loses share")
        + ("; the diverted trade goes to " + won if won else "")
        + "."
    )


def scenario_sentences(view: MacroView) -> dict[str, list[str]]:
    """The plain-language findings of each scenario, keyed by scenario name.

    Parameters
    ----------
    view : MacroView
        The study's macro view.

    Returns
    -------
    dict of str to list of str
        Sentences: the duties, the import shares in each market, the prices.
    """
    duties = view.duties_table()
    diversion = view.diversion_table()
    effects = view.countries_table()
    out: dict[str, list[str]] = {}
    for item in view.views:
        if item.result is None:
            out[item.scenario] = [f"{item.scenario}: {item.note}."]
            continue
        mine = duties[duties["scenario"] == item.scenario]
        named = ", ".join(
            f"{r.importer} on goods from {r.exporter} {r.duty_pct:.1f}%"
            for r in mine.head(SHOWN_DUTIES).itertuples()
        )
        more = len(mine) - SHOWN_DUTIES
        sentences = [
            f"{item.scenario}: duties beyond the baseline's on {view.when.isoformat()} (mean "
            f"over {len(view.hs6)} HS6 code(s)): {named}"
            + (f" and {more} more pair(s)" if more > 0 else "")
            + "."
        ]
        shares = diversion[diversion["scenario"] == item.scenario]
        for market in view.markets:
            sentences.append(_market_sentence(shares[shares["market"] == market], market))
        rows = effects[(effects["scenario"] == item.scenario) & (effects["role"] != "")]
        markets = rows[rows["country"].isin(view.markets)]
        makers = rows[rows["role"].str.contains("site|supplier")]
        if not markets.empty:
            sentences.append(
                f"Consumer price index (relative to {view.reference_country}'s): "
                + ", ".join(f"{r.country} {r.imr_change_pct:+.2f}%" for r in markets.itertuples())
                + "."
            )
        if not makers.empty:
            sentences.append(
                "Factory-gate prices of the network's producing countries: "
                + ", ".join(
                    f"{r.country} {r.producer_price_change_pct:+.2f}%" for r in makers.itertuples()
                )
                + "."
            )
        out[item.scenario] = sentences
    return out


def macro_section(view: MacroView) -> str:
    """The section's HTML: a paragraph and a table of the network's countries per scenario.

    Parameters
    ----------
    view : MacroView
        The study's macro view.

    Returns
    -------
    str
        HTML fragment (every value escaped).
    """
    missing = (
        f" Not in the GE data (no macro figures): {', '.join(view.missing)}."
        if view.missing
        else ""
    )
    out = [
        f'<p class="note">Each scenario\'s duties on {esc(view.when.isoformat())} (ad valorem, '
        "beyond the baseline's, averaged over the spec's HS6 codes, equally or by its trade "
        f"weights) in the gravity model of {esc(view.title)} ({len(view.countries)} "
        f"countries, data {esc(view.data_file)}, elasticity of substitution {view.sigma:g}). "
        "Changes run from the baseline to the world with the duties, full endowment (factory-gate "
        "prices adjust); price indices are relative to the consumer price index of "
        f"{esc(view.reference_country)} (numeraire). Duties follow the landed-cost engine's "
        "rule: on a lane an agreement covers, the trade claiming the preference pays the "
        "preferential duty without the measures the agreement exempts, the rest MFN plus "
        f"every measure. {esc(view.preference)} Method: Yotov, Piermartini, Monteiro "
        "&amp; Larch (2016), An Advanced Guide to Trade Policy Analysis, WTO/UNCTAD, ch. 2."
        f"{esc(missing)} All countries: macro_countries.csv, macro_diversion.csv, "
        "macro_duties.csv.</p>"
    ]
    effects = view.countries_table()
    for scenario, sentences in scenario_sentences(view).items():
        out.append(f"<h3>{esc(scenario)}</h3>")
        out.append("".join(f"<p>{esc(s)}</p>" for s in sentences))
        rows = effects[(effects["scenario"] == scenario) & (effects["role"] != "")]
        if rows.empty:
            continue
        out.append(
            table(
                ["country", "role", *COLUMNS.values()],
                [
                    [r["country"], r["role"], *(f"{r[c]:+.3f}" for c in COLUMNS)]
                    for r in rows.to_dict("records")
                ],
                numeric=range(2, 2 + len(COLUMNS)),
            )
        )
    return "".join(out)


def macro_tables(view: MacroView) -> dict[str, pd.DataFrame]:
    """The section's CSV tables: ``macro_duties``, ``macro_countries``, ``macro_diversion``."""
    return {
        "macro_duties": view.duties_table(),
        "macro_countries": view.countries_table(),
        "macro_diversion": view.diversion_table(),
    }
