"""Data cards: the source, year, URL, licence and method of every embedded table.

Each embedded table ``tables/<name>.csv`` (or ``.yaml``) has a card
``tables/<name>.card.yaml`` beside it::

    title: Manufacturing labour cost per hour
    table: wages.csv
    description: ...
    sources:
      - name: U.S. Bureau of Labor Statistics, International Labor Comparisons
        year: 2013
        url: https://www.bls.gov/fls/
        licence: public domain
    method: how figures were selected or derived
    columns:
      iso3: {description: ISO 3166-1 alpha-3 code, unit: null}
      usd_per_hour: {description: ..., unit: USD/hour, source: per row, column `source`}

A card is validated with pydantic when loaded, so a card with a missing source is a
test failure, not a silent gap.
"""

from __future__ import annotations

from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shoring.data.paths import TABLES_DIR


class Source(BaseModel):
    """One publication or data set a table draws on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=3)
    year: int | str
    url: str = Field(min_length=8)
    licence: str = Field(min_length=2)


class Column(BaseModel):
    """What one column holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=3)
    unit: str | None = None
    source: str | None = None


class DataCard(BaseModel):
    """Provenance of one embedded table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    table: str
    description: str
    sources: tuple[Source, ...] = Field(min_length=1)
    method: str = Field(min_length=10)
    coverage: str | None = None
    gaps: str | None = None
    series: dict[str, str] | None = None
    """Per series (e.g. economy): the cited years and how every other year was filled."""
    cited_gaps: dict[str, str] | None = None
    """Per series: the longest stretch without a cited figure, where it is 5 years or more."""
    columns: dict[str, Column]


@cache
def data_cards() -> dict[str, DataCard]:
    """Load every data card shipped with the package.

    Returns
    -------
    dict of str to DataCard
        Keyed by table stem (``"wages"`` for ``wages.csv``), sorted by name.

    Raises
    ------
    ValueError
        When a card does not validate against :class:`DataCard`.
    """
    cards: dict[str, DataCard] = {}
    for path in sorted(TABLES_DIR.glob("*.card.yaml")):
        try:
            card = DataCard.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except ValidationError as exc:
            raise ValueError(f"invalid data card {path.name}: {exc}") from exc
        cards[path.name.removesuffix(".card.yaml")] = card
    return cards


def data_card(name: str) -> DataCard:
    """Return the card of one embedded table by stem, e.g. ``"countries"``.

    Parameters
    ----------
    name : str
        Table stem (file name without ``.csv``/``.yaml``).

    Returns
    -------
    DataCard
        The validated card.

    Raises
    ------
    KeyError
        When no card has that stem.
    """
    cards = data_cards()
    if name not in cards:
        raise KeyError(f"no data card {name!r}; known: {', '.join(cards)}")
    return cards[name]
