"""``shoring mrio ...``: value chains from multi-regional input-output tables."""

from __future__ import annotations

from pathlib import Path

import typer

from shoring.cli.console import Table
from shoring.cli.console import out as console
from shoring.errors import Problem, ShoringInputError
from shoring.textsafe import json_text

mrio_app = typer.Typer(
    help=(
        "Value chains from multi-regional input-output (MRIO) tables: value added in "
        "exports, GVC participation, dependency on foreign value added. OECD ICIO, "
        "EXIOBASE 3 and pymrio-saved systems need the optional extra shoring[mrio] "
        "(pymrio, GPL-3.0)."
    ),
    no_args_is_help=True,
)

_FORMAT_HELP = (
    "auto (pymrio test layout or pymrio-saved folder), test, pymrio, oecd (OECD ICIO "
    "zip/csv; a folder needs --year), exiobase3 (zip or folder)."
)


def _load(path: Path, fmt: str, year: int | None, countries: list[str] | None):
    from shoring.macro.mrio import value_chains
    from shoring.macro.mrio_io import load_mrio
    from shoring.macro.mrio_summary import summary

    table = load_mrio(path, fmt=fmt, year=year)
    try:
        return summary(value_chains(table), countries)
    except KeyError as exc:
        raise ShoringInputError([Problem(str(path), str(exc.args[0]), field="--country")]) from None


@mrio_app.command("indicators")
def indicators(
    path: Path = typer.Argument(..., help="MRIO folder or archive."),
    fmt: str = typer.Option("auto", "--format", "-f", help=_FORMAT_HELP),
    year: int | None = typer.Option(None, "--year", help="OECD ICIO year (folder input)."),
    country: list[str] = typer.Option(
        None, "--country", "-c", help="Only these regions in sectors/dependency (repeat)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (shape below)."),
) -> None:
    """Leontief inverse, DVA/FVA in exports, GVC participation, dependency by country.

    JSON: {system: {name, source, unit, regions, sectors, n_regions, n_sectors,
    value_added, stated_value_added_max_gap}, method: {decomposition, participation,
    dependency}, countries: [{country, gross_exports, dva, fva, dvx,
    backward_participation, forward_participation, gvc_participation}], sectors:
    [{country, sector, gross_output, value_added, gross_exports, dva, fva, dvx,
    backward_participation, forward_participation}], dependency: [{country, sector, on,
    total, direct, via_domestic, via_third}]}. Money in the table's unit; shares as
    fractions; null = undefined (no exports). DVA + FVA = gross exports (source-based,
    Koopman-Wang-Wei 2014 / Borin-Mancini 2019).
    """
    data = _load(path, fmt, year, country)
    if as_json:
        typer.echo(json_text(data))
        return
    system = data["system"]
    table = Table(
        title=f"{system['name']}: value added in gross exports ({system['unit'] or 'table unit'})"
    )
    for col in ("country", "gross exports", "DVA", "FVA", "DVX", "backward", "forward"):
        table.add_column(col, justify="left" if col == "country" else "right")

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2%}"

    def money(v: float | None) -> str:
        return "n/a" if v is None else f"{v:,.1f}"

    for row in data["countries"]:
        table.add_row(
            row["country"],
            money(row["gross_exports"]),
            money(row["dva"]),
            money(row["fva"]),
            money(row["dvx"]),
            pct(row["backward_participation"]),
            pct(row["forward_participation"]),
        )
    console.print(table)
    gap = system["stated_value_added_max_gap"]
    if gap is not None and gap > 1e-6:
        console.print(
            f"note: the table's stated value added differs from output minus inputs by up "
            f"to {gap:.1%} of a sector; the residual is used (DVA + FVA = exports)."
        )


@mrio_app.command("report")
def report(
    path: Path = typer.Argument(..., help="MRIO folder or archive."),
    out: Path = typer.Option(
        Path("mrio-report.html"), "--out", "-o", help="HTML file to write (self-contained)."
    ),
    fmt: str = typer.Option("auto", "--format", "-f", help=_FORMAT_HELP),
    year: int | None = typer.Option(None, "--year", help="OECD ICIO year (folder input)."),
    country: list[str] = typer.Option(
        None, "--country", "-c", help="Only these regions in the sector tables (repeat)."
    ),
) -> None:
    """Offline HTML report: GVC participation charts and dependency tables."""
    from shoring.macro.mrio_report import write_report

    data = _load(path, fmt, year, country)
    write_report(data, out)
    typer.echo(str(out))


def register(app: typer.Typer) -> None:
    """Add ``shoring mrio`` to the root app."""
    app.add_typer(mrio_app, name="mrio")
