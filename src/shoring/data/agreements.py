"""Trade agreements and blocs: who trades preferentially with whom, on which date.

The embedded table ``tables/agreements.yaml`` (card ``agreements.card.yaml``) lists
agreements and blocs with each party's entry-into-force (and exit) date. A party is a
country or a *bloc reference* resolved by date, so the EU side of the EU's agreements
is the EU's membership on the query date (a country joining the EU joins them).

Two scopes decide which pairs an agreement covers:

- ``members``: any two distinct members trade preferentially (a bloc, CPTPP, RCEP);
- ``sides``: only members of different parties (EU-Japan: DEU-JPN yes, DEU-FRA no).

Examples
--------
>>> from datetime import date
>>> preference("MEX", "USA", date(2021, 1, 1)).id
'USMCA'
>>> customs_union_of("DEU", date(2024, 1, 1))
'EU'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

import numpy as np
import xarray as xr
import yaml

from shoring.data.paths import TABLES_DIR
from shoring.errors import ShoringError

Kind = Literal["single_market", "customs_union", "fta", "epa", "psa"]
Scope = Literal["members", "sides"]
OriginMethod = Literal["build_down", "build_up", "max_nom"]
ValueBasis = Literal["transaction_value", "fob", "net_cost", "ex_works"]

DEPTH: dict[str, int] = {"single_market": 0, "customs_union": 1, "fta": 2, "epa": 2, "psa": 3}
"""Depth rank of each kind (lower is deeper); preferences are ordered by it."""

_MIN = date.min
_MAX = date.max


class UnknownAgreementError(ShoringError, KeyError):
    """An agreement or bloc id that is not in the table."""

    def __init__(self, agreement_id: str, known: Sequence[str]) -> None:
        self.agreement_id = agreement_id
        super().__init__(f"unknown agreement or bloc {agreement_id!r}; known: {', '.join(known)}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class AgreementSource:
    """Citation of an agreement's dates."""

    name: str
    year: int | str
    url: str


@dataclass(frozen=True, slots=True)
class OriginRule:
    """A general or representative rule of origin of an agreement (value-content test).

    Product-specific rules differ by HS heading; this is the rule the cited source gives
    as the general one (or the most common one for manufactures), for screening only.

    Attributes
    ----------
    method : {"build_down", "build_up", "max_nom"}
        ``build_down``: RVC = (value - non-originating materials) / value;
        ``build_up``: RVC = originating materials / value; ``max_nom``: a cap on
        non-originating materials, stored here as the equivalent RVC floor
        (``rvc_threshold = 1 - max_nom``).
    rvc_threshold : float
        Minimum regional value content as a fraction of ``value_basis`` (0.6 = 60%).
    value_basis : {"transaction_value", "fob", "net_cost", "ex_works"}
        The value the percentage is taken on.
    note : str
        Alternatives and sector exceptions (e.g. net-cost or automotive thresholds).
    source : AgreementSource
        Where the rule was read.
    """

    method: OriginMethod
    rvc_threshold: float
    value_basis: ValueBasis
    note: str
    source: AgreementSource

    def __post_init__(self) -> None:
        if not 0.0 <= self.rvc_threshold <= 1.0:
            raise ValueError(
                f"rvc_threshold must be a fraction in [0, 1], got {self.rvc_threshold}"
            )

    @property
    def threshold(self) -> float:
        """Alias of :attr:`rvc_threshold`.

        Returns
        -------
        float
            Minimum regional value content, a fraction in [0, 1].
        """
        return self.rvc_threshold


@dataclass(frozen=True, slots=True)
class Party:
    """One party of an agreement: a country (``iso3``) or a bloc reference (``bloc``).

    ``start``/``end`` bound the party's participation (inclusive); ``None`` means the
    agreement's own dates apply.
    """

    iso3: str | None = None
    bloc: str | None = None
    start: date | None = None
    end: date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """A trade agreement or bloc.

    Attributes
    ----------
    id : str
        Short id, e.g. ``"USMCA"``, ``"EU"``, ``"EU-JPN"``.
    name : str
        Full name.
    kind : {"single_market", "customs_union", "fta", "epa", "psa"}
        Depth of integration.
    entry_into_force : datetime.date
        First day in force (for the earliest party).
    end : datetime.date or None
        Last day in force (``None``: still in force).
    parties : tuple of Party
        Countries and bloc references with their own dates.
    scope : {"members", "sides"}
        Which pairs are covered (see module doc).
    source : AgreementSource
        Citation of the dates.
    common_external_tariff : str or None
        Id of the tariff schedule members apply to outsiders (``"EU"``), if any.
    notes : str or None
        Caveats.
    origin_rule : OriginRule or None
        General or representative rule of origin where one is cited; ``None`` for
        customs unions and single markets (goods in free circulation need no origin
        proof, see :attr:`free_circulation`) and for agreements whose rule is not cited
        yet.
    """

    id: str
    name: str
    kind: Kind
    entry_into_force: date
    end: date | None
    parties: tuple[Party, ...]
    scope: Scope
    source: AgreementSource
    common_external_tariff: str | None = None
    notes: str | None = field(default=None, compare=False)
    origin_rule: OriginRule | None = field(default=None, compare=False)

    @property
    def free_circulation(self) -> bool:
        """Whether goods circulate freely between members (no rule of origin needed).

        Returns
        -------
        bool
            True for a single market or customs union.
        """
        return self.kind in ("single_market", "customs_union")

    @property
    def depth(self) -> int:
        """Depth rank of :attr:`kind` (0 = single market, deepest).

        Returns
        -------
        int
            0 single market, 1 customs union, 2 FTA/EPA, 3 PSA (see :data:`DEPTH`).
        """
        return DEPTH[self.kind]

    def in_force(self, on: date) -> bool:
        """Whether the agreement is in force on ``on`` (for at least its founding parties).

        Parameters
        ----------
        on : datetime.date
            Day to test.

        Returns
        -------
        bool
            True when ``entry_into_force <= on`` and ``on <= end`` (if it ended).
        """
        return self.entry_into_force <= on and (self.end is None or on <= self.end)


def _party(raw: dict) -> Party:
    if ("iso3" in raw) == ("bloc" in raw):
        raise ValueError(f"a party needs exactly one of iso3/bloc: {raw}")
    return Party(
        iso3=raw.get("iso3"),
        bloc=raw.get("bloc"),
        start=raw.get("from"),
        end=raw.get("to"),
        note=raw.get("note"),
    )


def _origin_rule(raw: dict | None) -> OriginRule | None:
    if raw is None:
        return None
    if raw["method"] not in ("build_down", "build_up", "max_nom"):
        raise ValueError(f"unknown origin-rule method {raw['method']!r}")
    if raw["value_basis"] not in ("transaction_value", "fob", "net_cost", "ex_works"):
        raise ValueError(f"unknown origin-rule value basis {raw['value_basis']!r}")
    return OriginRule(
        method=raw["method"],
        rvc_threshold=float(raw["threshold"]),
        value_basis=raw["value_basis"],
        note=raw.get("note", ""),
        source=AgreementSource(**raw["source"]),
    )


def _agreement(raw: dict) -> Agreement:
    parties = tuple(_party(p) for p in raw["parties"])
    scope = raw.get("scope") or ("sides" if any(p.bloc for p in parties) else "members")
    if raw["kind"] not in DEPTH:
        raise ValueError(f"{raw['id']}: unknown kind {raw['kind']!r}")
    if raw.get("origin_rule") and raw["kind"] in ("single_market", "customs_union"):
        raise ValueError(f"{raw['id']}: free circulation needs no origin rule")
    return Agreement(
        id=raw["id"],
        name=raw["name"],
        kind=raw["kind"],
        entry_into_force=raw["entry_into_force"],
        end=raw.get("end"),
        parties=parties,
        scope=scope,
        source=AgreementSource(**raw["source"]),
        common_external_tariff=raw.get("common_external_tariff"),
        notes=raw.get("notes"),
        origin_rule=_origin_rule(raw.get("origin_rule")),
    )


@cache
def _table() -> dict[str, Agreement]:
    raw = yaml.safe_load((TABLES_DIR / "agreements.yaml").read_text(encoding="utf-8"))
    table: dict[str, Agreement] = {}
    for item in raw["agreements"]:
        agr = _agreement(item)
        if agr.id in table:
            raise ValueError(f"duplicate agreement id {agr.id!r}")
        table[agr.id] = agr
    for agr in table.values():
        for p in agr.parties:
            if p.bloc is not None and p.bloc not in table:
                raise ValueError(f"{agr.id}: party refers to unknown bloc {p.bloc!r}")
    return table


def agreements() -> list[Agreement]:
    """Return every agreement and bloc in the embedded table, in table order.

    Returns
    -------
    list of Agreement
        A new list; the agreements themselves are frozen and cached.
    """
    return list(_table().values())


@cache
def change_dates() -> tuple[date, ...]:
    """Days on which some agreement or membership starts, or the day after one ends.

    Between two consecutive such days every agreement matrix is constant, so a year's
    preferences need evaluating once per interval (see :mod:`shoring.scenario.periods`).

    Returns
    -------
    tuple of datetime.date
        Sorted, distinct; cached.
    """
    days: set[date] = set()
    for agr in _table().values():
        days.add(agr.entry_into_force)
        if agr.end is not None and agr.end < _MAX:
            days.add(date.fromordinal(agr.end.toordinal() + 1))
        for p in agr.parties:
            if p.start is not None:
                days.add(p.start)
            if p.end is not None and p.end < _MAX:
                days.add(date.fromordinal(p.end.toordinal() + 1))
    return tuple(sorted(days))


def agreement(agreement_id: str) -> Agreement:
    """Return one agreement or bloc by id.

    Parameters
    ----------
    agreement_id : str
        Id as in the table, e.g. ``"USMCA"`` or ``"EU"``.

    Returns
    -------
    Agreement
        The agreement or bloc.

    Raises
    ------
    UnknownAgreementError
        If the id is not in the table.
    """
    table = _table()
    if agreement_id not in table:
        raise UnknownAgreementError(agreement_id, list(table))
    return table[agreement_id]


def _active(p: Party, agr: Agreement, on: date) -> bool:
    start = max(p.start or _MIN, agr.entry_into_force)
    end = min(p.end or _MAX, agr.end or _MAX)
    return start <= on <= end


@cache
def _sides(agreement_id: str, on: date) -> tuple[frozenset[str], ...]:
    """Members of each party of an agreement on a date (empty sets for inactive parties)."""
    agr = agreement(agreement_id)
    out: list[frozenset[str]] = []
    for p in agr.parties:
        if not _active(p, agr, on):
            out.append(frozenset())
        elif p.iso3 is not None:
            out.append(frozenset({p.iso3}))
        else:
            out.append(members(p.bloc, on))  # type: ignore[arg-type]
    return tuple(out)


def members(agreement_or_bloc_id: str, on: date) -> frozenset[str]:
    """ISO3 codes of the members of an agreement or bloc on a date.

    Parameters
    ----------
    agreement_or_bloc_id : str
        Id such as ``"EU"``, ``"CPTPP"`` or ``"EU-JPN"``.
    on : datetime.date
        Query date.

    Returns
    -------
    frozenset of str
        Empty when the agreement is not in force on that date.
    """
    return frozenset().union(*_sides(agreement_or_bloc_id, on))


def _covers(agr: Agreement, a: str, b: str, on: date) -> bool:
    if a == b or not agr.in_force(on):
        return False
    sides = _sides(agr.id, on)
    if agr.scope == "members":
        union = frozenset().union(*sides)
        return a in union and b in union
    ia = {i for i, s in enumerate(sides) if a in s}
    ib = {i for i, s in enumerate(sides) if b in s}
    return any(i != j for i in ia for j in ib)


def _order_key(agr: Agreement) -> tuple[int, int, str]:
    return (agr.depth, -agr.entry_into_force.toordinal(), agr.id)


def preferences(a: str, b: str, on: date) -> list[Agreement]:
    """Agreements in force under which trade between ``a`` and ``b`` is preferential.

    Symmetric in ``a`` and ``b``. Ordered deepest first (single market, customs union,
    then FTAs/EPAs), then the most recent entry into force first, then by id.

    Parameters
    ----------
    a, b : str
        ISO3 codes.
    on : datetime.date
        Query date.

    Returns
    -------
    list of Agreement
        Empty when trade is at MFN terms (or ``a == b``).
    """
    found = [agr for agr in _table().values() if _covers(agr, a, b, on)]
    return sorted(found, key=_order_key)


def preference(a: str, b: str, on: date) -> Agreement | None:
    """The deepest agreement under which ``a``-``b`` trade is preferential, or ``None``.

    Parameters
    ----------
    a, b : str
        ISO3 codes of the two countries.
    on : datetime.date
        Day of the trade.

    Returns
    -------
    Agreement or None
        First of :func:`preferences` (deepest, then most recent); None at MFN terms.
    """
    found = preferences(a, b, on)
    return found[0] if found else None


def _pair_mask(agr: Agreement, codes: np.ndarray, on: date) -> np.ndarray:
    """(exporter, importer) pairs an agreement in force covers, vectorized."""
    sides = _sides(agr.id, on)
    if agr.scope == "members":
        m = np.isin(codes, list(frozenset().union(*sides)))
        return m[:, None] & m[None, :]
    member_of = np.zeros((len(sides), codes.size), dtype=np.int32)
    for i, side in enumerate(sides):
        if side:
            member_of[i] = np.isin(codes, list(side))
    # pairs (x, y) with x in side i and y in side j, i != j:
    # (all side pairs) - (same-side pairs) > 0
    count = member_of.sum(axis=0)
    return (np.outer(count, count) - member_of.T @ member_of) > 0


def agreement_matrix(iso3s: Sequence[str], on: date) -> xr.DataArray:
    """The agreement giving each exporter-importer pair its preference on a date.

    Where several agreements cover a pair, the one :func:`preference` returns wins
    (deepest, then most recent). One vectorized mask per agreement, no loop over pairs.

    Parameters
    ----------
    iso3s : sequence of str
        Economies, used for both dimensions (order kept).
    on : datetime.date
        Query date.

    Returns
    -------
    xarray.DataArray
        Agreement ids (str), ``""`` where trade is not preferential; dims
        ``("exporter", "importer")``; the diagonal (domestic trade) is ``""``.
    """
    codes = np.asarray(list(iso3s), dtype=object)
    out = np.full((codes.size, codes.size), "", dtype=object)
    in_force = [agr for agr in _table().values() if agr.in_force(on)]
    for agr in sorted(in_force, key=_order_key, reverse=True):  # best last: it overwrites
        out[_pair_mask(agr, codes, on)] = agr.id
    np.fill_diagonal(out, "")
    return xr.DataArray(
        out,
        dims=("exporter", "importer"),
        coords={"exporter": list(codes), "importer": list(codes)},
        name="agreement",
        attrs={"date": on.isoformat()},
    )


def preference_matrix(iso3s: Sequence[str], on: date) -> xr.DataArray:
    """Whether trade from each exporter to each importer is preferential on a date.

    Built with one vectorized mask per agreement (no loop over country pairs), so a
    300 x 300 matrix costs a few milliseconds.

    Parameters
    ----------
    iso3s : sequence of str
        Economies, used for both dimensions (order kept).
    on : datetime.date
        Query date.

    Returns
    -------
    xarray.DataArray
        bool, dims ``("exporter", "importer")``; the diagonal (domestic trade) is False.
    """
    ids = agreement_matrix(iso3s, on)
    return (ids != "").rename("preferential")


def customs_union_of(iso3: str, on: date) -> str | None:
    """The common external tariff a country applies on a date, if it is in a customs union.

    Parameters
    ----------
    iso3 : str
        ISO3 code.
    on : datetime.date
        Query date.

    Returns
    -------
    str or None
        The schedule id, e.g. ``"EU"`` for DEU (and for GBR until 2020-12-31), or
        ``"MERCOSUR"`` for BRA; ``None`` when the country applies only its own tariff.
        Partial customs unions (EU-Türkiye, industrial goods only) do not count.
    """
    found = [
        agr
        for agr in _table().values()
        if agr.common_external_tariff and agr.in_force(on) and iso3 in members(agr.id, on)
    ]
    if not found:
        return None
    return min(found, key=_order_key).common_external_tariff
