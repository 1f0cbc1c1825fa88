"""Cross-table and plausibility checks on validated rows.

Each check appends located :class:`~shoring.errors.Problem` s to a :class:`Collector`;
none raises. Used by :func:`shoring.network.validate.build_network`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel

from shoring.errors import Problem
from shoring.network.records import RawRecord, RawTable
from shoring.network.row_base import Check
from shoring.network.schema import TABLES

Valid = list[tuple[RawRecord, BaseModel]]

MAX_USD_PER_KG = 20_000.0
"""Above this value per kg a product's value or weight is probably in the wrong unit."""

HIGH_VALUE_HS_PREFIXES: tuple[str, ...] = (
    "71",  # pearls, precious stones and metals, jewellery
    "2844",  # radioactive elements and isotopes
    "2936",  # vitamins
    "2937",  # hormones
    "2941",  # antibiotics
    "3002",  # blood, vaccines, cell cultures
    "3004",  # medicaments in measured doses
    "8542",  # integrated circuits
    "9001",  # optical fibres, lenses
    "9002",  # mounted lenses and optical elements
    "9101",  # precious-metal watches
    "97",  # works of art, collectors' pieces
)
"""HS prefixes exempt from the value-per-kg check (goods that can exceed 20,000 USD/kg)."""

MAX_WEIGHT_KG = 100_000.0
"""A unit heavier than 100 t is probably a weight in grams or a lot, not a unit."""

MAX_LABOUR_HOURS = 2_000.0
"""More than a full-time year of work per unit is probably minutes, not hours."""

MIN_CAPACITY_UNITS = 1.0
"""Capacity below one unit a year is probably in thousands or millions."""

MAX_MONTHS = 60.0
"""A ramp-up or qualification longer than 5 years is probably typed in days (assumption:
published plant ramp-ups run 6-36 months; 60 leaves room for the longest)."""

SITE_WAGE_RANGE = (0.05, 150.0)
"""USD per hour outside which a site's ``wage_usd_per_hour`` is probably per month, per year
or in cents (assumption: well outside the cited table's 2000-2024 range, about 0.09 to 70)."""

MAX_SITE_PRODUCTIVITY = 2.0
"""A site ``productivity_index`` above twice a US plant's output per hour for the same
product is probably a percentage or an hours ratio (assumption; the national table's only
value above 1.3 is Ireland's 5.2, a profit-shifting artefact its card explains)."""

DAYS_PER_MONTH = 365.25 / 12
"""Average days per month, to show what a value read as days would be."""

YEARS_BEYOND_DATA = 30
"""Demand years more than this far after the reference data are probably typing errors
(assumption: a 30-year planning horizon)."""

PLAUSIBILITY_CHECKS: tuple[str, ...] = get_args(Check)
"""Names of the plausibility warnings; ``meta.accept`` lists those checked and right."""


class Collector:
    """Problems tagged with their table, reported in table then row order."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, Problem]] = []

    def add(self, table: str | None, problem: Problem) -> None:
        """Record one problem found in ``table`` (``None``: file-level).

        Parameters
        ----------
        table : str or None
            Table name, which orders the problem; ``None`` or an unknown name sorts first.
        problem : Problem
            The located problem.
        """
        order = TABLES.index(table) if table in TABLES else -1
        self.items.append((order, problem.row or 0, problem))

    def problems(self) -> list[Problem]:
        """Every problem once, file-level first, then by table and row.

        Returns
        -------
        list of Problem
            Duplicates removed; problems without a row sort first within their table.
        """
        seen: set[Problem] = set()
        out = []
        for _, _, problem in sorted(self.items, key=lambda item: (item[0], item[1])):
            if problem not in seen:
                seen.add(problem)
                out.append(problem)
        return out


def suggest(value: str, choices: Any) -> str:
    """``"; did you mean 'x'?"`` for a close match, else an empty string.

    Parameters
    ----------
    value : str
        The unrecognised value.
    choices : iterable
        Known values (compared as strings, ``difflib`` cutoff 0.6).

    Returns
    -------
    str
        The hint, ready to append to a message, or ``""``.
    """
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown(
    raw: RawTable,
    record: RawRecord,
    column: str,
    value: str,
    kind: str,
    known: set[str],
    out: Collector,
) -> None:
    message = f"unknown {kind} {value!r}{suggest(value, sorted(known))}"
    out.add(raw.name, raw.problem(message, record.row_of(column), column))


def references(
    tables: Mapping[str, RawTable],
    valid: Mapping[str, Valid],
    ids: Mapping[str, set[str]],
    out: Collector,
) -> None:
    """Every product, site and market a row refers to must exist.

    Checks ``bom``, ``sites.products``, ``site_capacities`` (including that the site lists
    the product), ``suppliers`` and ``demand``; unknown ids get a "did you mean" hint.

    Parameters
    ----------
    tables : mapping of str to RawTable
        Raw table of each table name, used to locate problems.
    valid : mapping of str to list of (RawRecord, BaseModel)
        Rows of each table that passed row validation, with their raw records.
    ids : mapping of str to set of str
        Known ids under the keys ``"products"``, ``"sites"`` and ``"markets"``.
    out : Collector
        Receives the problems found.
    """
    products, sites, markets = ids["products"], ids["sites"], ids["markets"]
    for record, row in valid["bom"]:
        for column in ("parent", "component"):
            value = getattr(row, column)
            if value not in products:
                _unknown(tables["bom"], record, column, value, "product", products, out)
    for record, row in valid["sites"]:
        for value in row.products:  # type: ignore[attr-defined]
            if value not in products:
                _unknown(tables["sites"], record, "products", value, "product", products, out)
    makes = {row.id: set(row.products) for _, row in valid["sites"]}  # type: ignore[attr-defined]
    for record, row in valid["site_capacities"]:
        raw = tables["site_capacities"]
        site, product = row.site, row.product  # type: ignore[attr-defined]
        if site not in sites:
            _unknown(raw, record, "site", site, "site", sites, out)
        if product not in products:
            _unknown(raw, record, "product", product, "product", products, out)
        elif site in makes and product not in makes[site]:
            message = f"site {site!r} cannot make {product!r} (not in its products list)"
            out.add(raw.name, raw.problem(message, record.row_of("product"), "product"))
    for record, row in valid["suppliers"]:
        value = row.component  # type: ignore[attr-defined]
        if value not in products:
            _unknown(tables["suppliers"], record, "component", value, "product", products, out)
    for record, row in valid["demand"]:
        raw = tables["demand"]
        if row.market not in markets:  # type: ignore[attr-defined]
            _unknown(raw, record, "market", row.market, "market", markets, out)  # type: ignore[attr-defined]
        if row.product not in products:  # type: ignore[attr-defined]
            _unknown(raw, record, "product", row.product, "product", products, out)  # type: ignore[attr-defined]


def bom_cycles(raw: RawTable | None, rows: Valid, products: set[str], out: Collector) -> bool:
    """Report every cycle of the BOM graph as ``A -> B -> A``; True if any.

    Parameters
    ----------
    raw : RawTable or None
        The raw ``bom`` table; ``None`` (no table) means no cycle.
    rows : list of (RawRecord, BaseModel)
        Valid BOM rows; edges with an unknown product are ignored.
    products : set of str
        Known product ids.
    out : Collector
        Receives the problems found.

    Returns
    -------
    bool
        True if at least one cycle was found (each cycle is reported once).
    """
    if raw is None:
        return False
    edges: dict[str, list[tuple[str, RawRecord]]] = {}
    for record, row in rows:
        parent, component = row.parent, row.component  # type: ignore[attr-defined]
        if parent in products and component in products:
            edges.setdefault(parent, []).append((component, record))
    state: dict[str, int] = {}  # 1 on the path, 2 done
    reported: set[frozenset[str]] = set()
    found = False
    for start in list(edges):  # file order: the cycle closes on the later row
        if state.get(start):
            continue
        path: list[str] = [start]
        iters = [iter(edges.get(start, []))]
        state[start] = 1
        while iters:
            step = next(iters[-1], None)
            if step is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            node, record = step
            if state.get(node) == 1:
                cycle = [*path[path.index(node) :], node]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    message = "cyclic bill of materials: " + " -> ".join(cycle)
                    out.add(raw.name, raw.problem(message, record.row_of("component"), "component"))
                found = True
            elif not state.get(node):
                state[node] = 1
                path.append(node)
                iters.append(iter(edges.get(node, [])))
    return found


def sourcing(tables: Mapping[str, RawTable], valid: Mapping[str, Valid], out: Collector) -> None:
    """Every demanded product, and every component of a product a site makes, needs a source.

    A source is a site that can make the product or a supplier of it. Each unsourced
    demanded product is reported once, on its first row with positive units.

    Parameters
    ----------
    tables : mapping of str to RawTable
        Raw table of each table name, used to locate problems.
    valid : mapping of str to list of (RawRecord, BaseModel)
        Rows of each table that passed row validation, with their raw records.
    out : Collector
        Receives the problems found.
    """
    made = {p for _, row in valid["sites"] for p in row.products}  # type: ignore[attr-defined]
    supplied = {row.component for _, row in valid["suppliers"]}  # type: ignore[attr-defined]
    sourced = made | supplied
    reason = "no site can make it and no supplier supplies it"
    flagged: set[str] = set()
    for record, row in valid["demand"]:
        product = row.product  # type: ignore[attr-defined]
        if row.units > 0 and product not in sourced and product not in flagged:  # type: ignore[attr-defined]
            flagged.add(product)
            raw = tables["demand"]
            message = f"demand for {product!r}, but {reason}"
            out.add(raw.name, raw.problem(message, record.row_of("product"), "product"))
    for record, row in valid["bom"]:
        parent, component = row.parent, row.component  # type: ignore[attr-defined]
        if parent in made and component not in sourced:
            raw = tables["bom"]
            message = f"component {component!r} of {parent!r} has no source: {reason}"
            out.add(raw.name, raw.problem(message, record.row_of("component"), "component"))


def _exempt(hs_code: str) -> bool:
    return hs_code.startswith(HIGH_VALUE_HS_PREFIXES)


class Doubts:
    """Plausibility warnings, each named so that a network can accept it (meta ``accept``).

    Parameters
    ----------
    accepted : iterable of str
        Check names listed in ``meta.accept``: their warnings are not emitted.
    """

    def __init__(self, accepted: Any = ()) -> None:
        self.accepted = frozenset(accepted)
        self.items: list[Problem] = []

    def add(self, check: str, raw: RawTable, record: RawRecord, column: str, text: str) -> None:
        """Record one warning of ``check`` on ``column`` of ``record`` (unless accepted).

        Parameters
        ----------
        check : str
            One of :data:`PLAUSIBILITY_CHECKS`.
        raw : RawTable
            The table, for the location.
        record : RawRecord
            The row.
        column : str
            The field.
        text : str
            What looks wrong; the override is appended.
        """
        assert check in PLAUSIBILITY_CHECKS, check
        if check in self.accepted:
            return
        message = f"{text} (if it is right, add {check} to accept in meta to silence this)"
        self.items.append(raw.problem(message, record.row_of(column), column))


def plausibility(
    tables: Mapping[str, RawTable], valid: Mapping[str, Valid], doubts: Doubts
) -> None:
    """Warn about values that are probably in the wrong unit (they are still used).

    Checks value and supplier price per kg against :data:`MAX_USD_PER_KG` (HS prefixes in
    :data:`HIGH_VALUE_HS_PREFIXES` exempt; check ``value_per_kg``), weight against
    :data:`MAX_WEIGHT_KG` (``heavy_unit``), labour hours against :data:`MAX_LABOUR_HOURS`
    (``labour_hours``), capacities against :data:`MIN_CAPACITY_UNITS` (``small_capacity``),
    a site's own wage against :data:`SITE_WAGE_RANGE` (``site_wage``) and its own
    productivity index and factor against :data:`MAX_SITE_PRODUCTIVITY`
    (``site_productivity``),
    months fields against :data:`MAX_MONTHS` (``months_as_days``), and demand years
    against the years of the reference data (``year_outside_data``).

    Parameters
    ----------
    tables : mapping of str to RawTable
        Raw table of each table name, used to locate problems.
    valid : mapping of str to list of (RawRecord, BaseModel)
        Rows of each table that passed row validation, with their raw records.
    doubts : Doubts
        Receives the warnings.
    """
    weights: dict[str, tuple[float, str]] = {}
    for record, row in valid["products"]:
        raw = tables["products"]
        p: Any = row
        per_kg = p.unit_value_usd / p.weight_kg
        if per_kg <= MAX_USD_PER_KG or _exempt(p.hs_code):
            weights[p.id] = (p.weight_kg, p.hs_code)  # plausible: check supplier prices
        else:
            text = (
                f"value per kg is {per_kg:,.0f} USD/kg (> {MAX_USD_PER_KG:,.0f}): is weight_kg "
                "in tonnes or unit_value_usd in cents? (HS prefixes exempt from this check: "
                f"{', '.join(HIGH_VALUE_HS_PREFIXES)})"
            )
            doubts.add("value_per_kg", raw, record, "unit_value_usd", text)
        if p.weight_kg > MAX_WEIGHT_KG:
            text = f"weight {p.weight_kg:,.0f} kg per unit exceeds 100 t: is it in grams?"
            doubts.add("heavy_unit", raw, record, "weight_kg", text)
        if p.labour_hours > MAX_LABOUR_HOURS:
            text = (
                f"{p.labour_hours:,.0f} labour hours per unit exceeds {MAX_LABOUR_HOURS:,.0f}: "
                "is it in minutes?"
            )
            doubts.add("labour_hours", raw, record, "labour_hours", text)
    for table in ("sites", "suppliers", "site_capacities"):
        for record, row in valid[table]:
            capacity = row.capacity_units  # type: ignore[attr-defined]
            if capacity < MIN_CAPACITY_UNITS:
                text = f"capacity {capacity} units/year is below 1: is it in thousands?"
                doubts.add("small_capacity", tables[table], record, "capacity_units", text)
    for table, column in (("sites", "ramp_up_months"), ("suppliers", "qualification_months")):
        for record, row in valid[table]:
            months = getattr(row, column)
            if months > MAX_MONTHS:
                text = (
                    f"{months:g} months is {months / 12:.1f} years: is it in days "
                    f"({months:g} days = {months / DAYS_PER_MONTH:.1f} months)?"
                )
                doubts.add("months_as_days", tables[table], record, column, text)
    low, high = SITE_WAGE_RANGE
    for record, row in valid["sites"]:
        site: Any = row
        wage, index = site.wage_usd_per_hour, site.productivity_index
        if wage is not None and not low <= wage <= high:
            text = (
                f"wage_usd_per_hour {wage:,.2f} is outside {low:g}-{high:g} USD per hour "
                "worked: is it per month, per year or in cents?"
            )
            doubts.add("site_wage", tables["sites"], record, "wage_usd_per_hour", text)
        for column, value, meaning in (
            ("productivity_index", index, "a US plant's output per hour for the same product"),
            ("productivity", site.productivity, "the output per hour its index gives"),
        ):
            if value is not None and value > MAX_SITE_PRODUCTIVITY:
                text = (
                    f"{column} {value:g} means {value:g} times {meaning}: is it a percentage "
                    "(use 0.85 for 85 %) or hours per unit (use its inverse)?"
                )
                doubts.add("site_productivity", tables["sites"], record, column, text)
    first, last = data_years()
    for record, row in valid["demand"]:
        year = row.year  # type: ignore[attr-defined]
        if year < first or year > last + YEARS_BEYOND_DATA:
            text = (
                f"year {year} is far outside the reference data ({first}-{last}; costs are "
                f"extrapolated up to {YEARS_BEYOND_DATA} years beyond): a typing error?"
            )
            doubts.add("year_outside_data", tables["demand"], record, "year", text)
    for record, row in valid["suppliers"]:
        s: Any = row
        if s.component in weights:
            weight, hs_code = weights[s.component]
            per_kg = s.unit_price_usd / weight
            if per_kg > MAX_USD_PER_KG and not _exempt(hs_code):
                text = (
                    f"price per kg of {s.component!r} is {per_kg:,.0f} USD/kg "
                    f"(> {MAX_USD_PER_KG:,.0f}): is unit_price_usd in cents?"
                )
                doubts.add("value_per_kg", tables["suppliers"], record, "unit_price_usd", text)


def demand_gaps(raw: RawTable | None, rows: Valid, doubts: Doubts) -> None:
    """Warn where demand is not given for every year of the network's horizon.

    Each (market, product) pair must give every demand year of the network (a missing
    one counts as 0 units), and the demand years should be consecutive (the optimizer
    lets each period stand for the years up to the next). Check name: ``demand_gap``.

    Parameters
    ----------
    raw : RawTable or None
        The raw ``demand`` table (None: no demand, nothing to check).
    rows : list of (RawRecord, BaseModel)
        Valid demand rows.
    doubts : Doubts
        Receives the warnings.
    """
    if raw is None or not rows:
        return
    years = sorted({row.year for _, row in rows})  # type: ignore[attr-defined]
    pairs: dict[tuple[str, str], tuple[RawRecord, set[int]]] = {}
    for record, row in rows:
        key = (row.market, row.product)  # type: ignore[attr-defined]
        pairs.setdefault(key, (record, set()))[1].add(row.year)  # type: ignore[attr-defined]
    for (market, product), (record, given) in pairs.items():
        missing = [y for y in years if y not in given]
        if missing:
            text = (
                f"no demand of {product!r} in {market!r} for {_years(missing)}, which other "
                "rows give: taken as 0 units; add the rows (units 0 if none is expected)"
            )
            doubts.add("demand_gap", raw, record, "year", text)
    between = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if between:
        record = pairs[next(iter(pairs))][0]
        text = (
            f"no demand year {_years(between)} between {years[0]} and {years[-1]}: the "
            "optimizer lets each demand year stand for the years up to the next; give "
            "every year to plan year by year"
        )
        doubts.add("demand_gap", raw, record, "year", text)


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in years[:10]) + (" ..." if len(years) > 10 else "")


def data_years() -> tuple[int, int]:
    """First and last year of the embedded labour-cost table (the reference data).

    Returns
    -------
    tuple of (int, int)
    """
    from shoring.data.wages import labour_cost_table

    years = labour_cost_table()["year"]
    return int(years.min()), int(years.max())
