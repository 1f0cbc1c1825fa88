"""``shoring macro index ...``: reshoring and sourcing-concentration indices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer

from shoring.cli.console import Table
from shoring.cli.console import out as console
from shoring.textsafe import json_text

macro_app = typer.Typer(help="Macro analytics of trade and value chains.", no_args_is_help=True)
index_app = typer.Typer(
    help=(
        "Indices from CSV files: Kearney-style reshoring index, import concentration "
        "(HHI), China+1 diversification. Bad cells are reported as file:row:field: "
        "message (exit 2)."
    ),
    no_args_is_help=True,
)
macro_app.add_typer(index_app, name="index")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]


def _print(frame: pd.DataFrame, title: str, percent: tuple[str, ...] = ()) -> None:
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="left" if frame[col].dtype == object else "right")
    for row in _records(frame):
        cells = []
        for col, v in row.items():
            if v is None:
                cells.append("n/a")
            elif col in percent:
                cells.append(f"{v:.2%}")
            elif isinstance(v, float):
                cells.append(f"{v:,.4g}" if abs(v) < 10 else f"{v:,.1f}")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    console.print(table)


def _span(years: pd.Series) -> str:
    first, last = int(years.min()), int(years.max())
    return str(first) if first == last else f"{first}-{last}"


def _common_years(
    flows: pd.DataFrame, out: pd.DataFrame, imports: Path, output: Path, partners: tuple
) -> None:
    """Refuse inputs without a year in common (the index would be undefined everywhere)."""
    from shoring.errors import Problem, ShoringInputError

    if flows.empty:
        message = f"no import rows of the partners {', '.join(partners)} (see --partner)"
        raise ShoringInputError([Problem(str(imports), message, field="partner")])
    if not set(flows["year"]) & set(out["year"]):
        message = (
            f"no year in common with {output} (imports {_span(flows['year'])}, output "
            f"{_span(out['year'])}): the import ratio needs both in the same years"
        )
        raise ShoringInputError([Problem(str(imports), message, field="year")])


@index_app.command("reshoring")
def reshoring(
    imports: Path = typer.Option(
        ..., "--imports", help="CSV year,partner,value: manufactured imports by partner."
    ),
    output: Path = typer.Option(
        ..., "--output", help="CSV year,value: domestic manufacturing gross output."
    ),
    partner: list[str] = typer.Option(
        None,
        "--partner",
        help="Low-cost source country (repeat); default Kearney's 14 Asian LCCs.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Kearney-style reshoring index: MIR = imports from the low-cost countries / output;
    index = -(MIR_t - MIR_t-1) in basis points (positive = net reshoring).

    JSON: {partners: [ISO3], years: [{year, imports, output, mir, index_bp,
    partners_reported}]}; mir a fraction, null = undefined (first year, a missing
    previous year, no output).
    """
    from shoring.data.countries import to_iso3
    from shoring.macro.indices import KEARNEY_ASIAN_LCC, reshoring_table
    from shoring.macro.indices_io import read_imports, read_output

    partners = tuple(to_iso3(p) for p in partner) if partner else KEARNEY_ASIAN_LCC
    flows, out = read_imports(imports), read_output(output)
    _common_years(flows[flows["partner"].isin(partners)], out, imports, output, partners)
    table = reshoring_table(flows, out, partners)
    if as_json:
        typer.echo(json_text({"partners": list(partners), "years": _records(table)}))
        return
    _print(table, "Reshoring index (bp; positive = net reshoring)", percent=("mir",))


@index_app.command("concentration")
def concentration(
    flows: Path = typer.Argument(..., help="CSV product,partner,value[,year]: imports."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Import concentration per product (and year): Herfindahl-Hirschman index over partners.

    JSON: {products: [{product, [year,] total, n_partners, hhi, hhi_points,
    equivalent_partners, top_partner, top_share}]}; hhi in 0..1 (hhi_points 0..10,000),
    equivalent_partners = 1/hhi.
    """
    from shoring.macro.indices import import_concentration
    from shoring.macro.indices_io import read_flows

    table = import_concentration(read_flows(flows))
    if as_json:
        typer.echo(json_text({"products": _records(table)}))
        return
    _print(table, "Import concentration (HHI)", percent=("top_share",))


@index_app.command("china-plus-one")
def china_plus_one(
    flows: Path = typer.Argument(..., help="CSV product,partner,value[,year]: imports."),
    china: list[str] = typer.Option(
        None, "--china", help="Codes counted as China (repeat; default CHN; add HKG)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """China+1 diversification per product (and year): China's share, the largest
    alternative, concentration of the alternatives, fall in China's share (bp).

    JSON: {china: [ISO3], products: [{product, [year,] total, china_share,
    alternatives_hhi, top_alternative, top_alternative_share, [since_year,
    diversification_bp]}]}; shares as fractions; diversification_bp = -(china_share_t -
    china_share_since) x 10,000, since_year the product's previous year in the file (any
    gap: 2018 and 2024 give the fall over six years); null in its first year.
    """
    from shoring.data.countries import to_iso3
    from shoring.macro.indices import china_plus_one as compute
    from shoring.macro.indices_io import read_flows

    codes = tuple(to_iso3(c) for c in china) if china else ("CHN",)
    table = compute(read_flows(flows), codes)
    if as_json:
        typer.echo(json_text({"china": list(codes), "products": _records(table)}))
        return
    _print(
        table,
        f"China+1 diversification (China = {', '.join(codes)})",
        percent=("china_share", "top_alternative_share"),
    )


def register(app: typer.Typer) -> None:
    """Add ``shoring macro`` to the root app."""
    app.add_typer(macro_app, name="macro")
