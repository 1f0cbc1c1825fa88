"""``shoring validate FILE`` and ``shoring template PATH.xlsx``."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import typer

from shoring.cli import options
from shoring.cli.console import Table, out
from shoring.errors import InputWarning, Problem, ShoringError, ShoringInputError
from shoring.textsafe import json_text


def _summary_view(summary: dict[str, Any], file: str) -> Table:
    table = Table(title=f"{summary['name']} ({file}): valid", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    finished = ", ".join(summary["finished_products"]) or "none"
    table.add_row(
        "products",
        f"{summary['products']} in {summary['tiers']} tier(s), "
        f"{summary['bom_lines']} BOM lines; with demand: {finished}",
    )
    by_country = "; ".join(
        f"{country} " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        for country, counts in sorted(summary["sites_by_country"].items())
    )
    table.add_row("sites", f"{summary['sites']} ({by_country})")
    suppliers = ", ".join(f"{c} {n}" for c, n in sorted(summary["suppliers_by_country"].items()))
    table.add_row("suppliers", f"{summary['suppliers']}" + (f" ({suppliers})" if suppliers else ""))
    table.add_row("markets", str(summary["markets"]))
    table.add_row("countries", ", ".join(summary["countries"]))
    years = summary["years"]
    span = f"{years[0]}-{years[1]}" if years else "none"
    by_year = ", ".join(f"{y}: {u:,.0f}" for y, u in summary["units_by_year"].items())
    table.add_row("demand", f"{span}, {summary['total_units']:,.0f} units in total ({by_year})")
    return table


def _record(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "sheet": problem.sheet,
        "row": problem.row,
        "field": problem.field,
        "message": problem.message,
    }


def _warnings(caught: list[warnings.WarningMessage] | None) -> list[dict[str, Any]]:
    return [_record(w.message.problem) for w in caught or [] if isinstance(w.message, InputWarning)]


def validate(
    file: Path = typer.Argument(..., help=options.NETWORK_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
) -> None:
    """Check a network file; print a summary, or every problem (exit code 2).

    Warnings (values probably in a wrong unit, tables not read ...) do not stop it; they
    are printed on stderr, or listed under ``warnings`` with ``--json``.
    """
    from shoring.network import read_network, summarize

    with warnings.catch_warnings(record=as_json) as caught:
        if as_json:  # warnings go into the JSON; otherwise the root handler prints them
            warnings.simplefilter("always", InputWarning)
        try:
            network = read_network(file)
        except ShoringInputError as exc:
            if not as_json:
                # printed here, not by the root handler: plain text, no rich emoji codes
                # (":id:" in "file:sheet:row:id: ..." would otherwise become an emoji)
                for problem in exc.problems:
                    typer.echo(str(problem), err=True)
                raise typer.Exit(2) from None
            typer.echo(
                json_text(
                    {
                        "valid": False,
                        "problems": [_record(p) for p in exc.problems],
                        "warnings": _warnings(caught),
                    },
                    indent=2,
                )
            )
            raise typer.Exit(2) from None
    summary = summarize(network)
    if as_json:
        result = {"valid": True, "summary": summary, "warnings": _warnings(caught)}
        typer.echo(json_text(result))
        return
    out.print(_summary_view(summary, str(file)))


def template(
    path: Path = typer.Argument(..., help="Excel file to write (.xlsx)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write the Excel network template: instructions plus example rows."""
    from shoring.network import write_template
    from shoring.outputs import write_atomic

    if path.suffix.lower() != ".xlsx":
        raise ShoringError(f"the template is an Excel workbook: give a .xlsx path, not {path}")
    if path.exists() and not force:
        raise ShoringError(f"{path} exists; use --force to overwrite it")
    try:
        write_atomic(path, write_template)  # complete or absent under its name
    except OSError as exc:
        raise ShoringError(f"cannot write {path}: {exc.strerror}") from None
    typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``template`` to the root app."""
    app.command("validate")(validate)
    app.command("template")(template)
