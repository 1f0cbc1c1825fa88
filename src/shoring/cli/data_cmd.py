"""``shoring data ...``: the reference facts and where they come from."""

from __future__ import annotations

from pathlib import Path

import typer

from shoring.cli import options
from shoring.cli.console import Table, styled
from shoring.cli.console import out as console
from shoring.data.cards import data_cards
from shoring.data.distances import Distances
from shoring.data.facts import country_facts
from shoring.textsafe import json_text

data_app = typer.Typer(
    help="Reference data: sources, country facts, distances.", no_args_is_help=True
)
show_app = typer.Typer(help="Show what the tool knows about an entity.", no_args_is_help=True)
data_app.add_typer(show_app, name="show")


@data_app.command("sources")
def sources(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List every embedded table with its sources, licence and method."""
    cards = data_cards()
    if as_json:
        typer.echo(json_text({k: c.model_dump(mode="json") for k, c in cards.items()}))
        return
    for name, card in cards.items():
        console.rule(styled((card.title, "bold"), f" ({card.table})"))
        console.print(card.description.strip())
        for source in card.sources:
            console.print(f"  • {source.name} ({source.year}) {source.url} — {source.licence}")
        console.print(styled("  ", ("method:", "dim"), f" {card.method.strip()}"))
        if card.coverage:
            console.print(styled("  ", ("coverage:", "dim"), f" {card.coverage.strip()}"))
        if card.gaps:
            console.print(styled("  ", ("gaps:", "dim"), f" {card.gaps.strip()}"))
        gaps = card.cited_gaps or {}
        for key, text in (card.series or {}).items():
            gap = f"; {gaps[key]}" if key in gaps else ""
            console.print(styled("  ", (f"{key}:", "dim"), f" {text}{gap}"))
        del name


@show_app.command("country")
def show_country(
    country: str = typer.Argument(..., help="ISO3 code or name, e.g. CHN or 'Viet Nam'."),
    year: int | None = typer.Option(
        None, parser=options.year, help="Year for time-varying facts (default: latest)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print what the tool knows about a country, each fact with its source."""
    facts = country_facts(country, year=year)
    if as_json:
        typer.echo(json_text(facts))
        return
    table = Table(title=f"{facts['name']} ({facts['iso3']})", show_lines=False)
    table.add_column("fact")
    table.add_column("value")
    table.add_column("source", style="dim")
    for fact in facts["facts"]:
        table.add_row(fact["fact"], str(fact["value"]), fact["source"])
    console.print(table)


@data_app.command("distance")
def distance(
    origin: str = typer.Argument(..., help="Country (code or name)."),
    destination: str = typer.Argument(..., help="Country (code or name)."),
    cepii: Path | None = typer.Option(None, help="CEPII GeoDist dist_cepii.csv to use instead."),
    measure: str = typer.Option("distw", help="CEPII measure: distw, distcap, dist, distwces."),
) -> None:
    """Distance in km between two countries (great-circle default, or CEPII)."""
    source = Distances.great_circle() if cepii is None else Distances.from_cepii(cepii, measure)  # type: ignore[arg-type]
    typer.echo(f"{source.km(origin, destination):,.0f} km ({source.name})")


def register(app: typer.Typer) -> None:
    """Add ``shoring data`` to the root app."""
    app.add_typer(data_app, name="data")
