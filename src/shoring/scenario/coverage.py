"""Which cells (importer, exporter, HS code, day) a trade measure covers.

:class:`Cells` holds the parsed cells (codes once, distinct codes cached);
:func:`tariff_coverage` and :func:`static_coverage` give the share of each cell a tariff
covers, :func:`tariff_shares` after the exclusions between measures. Used by
:mod:`shoring.scenario.trade` (the rates) and :mod:`shoring.costs.explain` (the reasons).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from shoring.scenario.measure_base import ALL, _iso3_codes
from shoring.scenario.measures import Measure, Tariff
from shoring.scenario.resolve import as_codes, as_days, as_hs, date_mask, hs_mask, party_mask
from shoring.scenario.schedules import list_coverage

__all__ = [
    "Cells",
    "dated_parties",
    "excluders",
    "origin_exempt",
    "static_coverage",
    "tariff_coverage",
    "tariff_shares",
    "tariff_steps",
]


class Cells:
    def __init__(
        self,
        importer: Any,
        exporter: Any,
        hs6: Any,
        on: Any,
        blocs: Mapping,
        copper_share: Any = None,
    ) -> None:
        imp, exp, hs = as_codes(importer), as_codes(exporter), as_hs(hs6)
        n = max(imp.size, exp.size, hs.size, np.size(on))
        imp, exp, hs = (np.broadcast_to(a, (n,)) for a in (imp, exp, hs))
        self.importer, self.exporter, self.hs6 = imp, exp, hs
        # share of the value that is copper content; NaN (not declared): the full value
        copper = np.asarray(1.0 if copper_share is None else copper_share, dtype=float)
        self.copper = np.broadcast_to(np.where(np.isnan(copper), 1.0, copper), (n,))
        self.days = as_days(on, n)
        if self.days.size != n:
            raise ValueError("importer, exporter, hs6 and on must have equal lengths")
        self.n, self.blocs = n, blocs
        self.single_day = np.size(on) == 1
        self._unique: dict[int | str, tuple[np.ndarray, np.ndarray]] = {}
        # date-free results per (measure, blocs), shared by the copies of :meth:`on_day`
        self.memo: dict[tuple, Any] = {}

    def hs_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct HS codes of the cells and each cell's position among them (cached).

        Product tests (HS prefixes, product lists) run on the few distinct codes, not on
        every (importer, exporter, code) cell.
        """
        if "hs" not in self._unique:
            uniq, inverse = np.unique(self.hs6, return_inverse=True)
            self._unique["hs"] = (uniq, inverse.reshape(-1))
        return self._unique["hs"]

    def hs_mask(self, prefixes: Any) -> np.ndarray:
        """:func:`hs_mask` of the cells' codes, tested once per distinct code."""
        uniq, inverse = self.hs_codes()
        return hs_mask(uniq, prefixes)[inverse]

    def listed(self, names: Sequence[str]) -> np.ndarray:
        """:func:`list_coverage` of the cells' codes, looked up once per distinct code."""
        uniq, inverse = self.hs_codes()
        return list_coverage(uniq, names)[inverse]

    def on_day(self, on: date) -> Cells:
        """The same cells on another single day (codes are not parsed again)."""
        out = object.__new__(Cells)
        out.__dict__.update(self.__dict__)  # shares the cache of distinct codes
        out.days = np.broadcast_to(np.datetime64(on, "D"), (self.n,))
        out.single_day = True
        return out

    def in_force(self, start: date | None, end: date | None) -> np.ndarray:
        """:func:`date_mask` of the cells' days (on a single day: one test, broadcast)."""
        if not self.single_day:
            return date_mask(self.days, start, end)
        return np.full(self.n, bool(date_mask(self.days[:1], start, end)[0]))

    def parties(self, codes: np.ndarray, tokens: Any) -> np.ndarray:
        if not self.single_day or tokens is None or tokens == ALL:
            return party_mask(codes, tokens, self.days, self.blocs)
        key = id(codes)
        if key not in self._unique:
            uniq, inverse = np.unique(codes, return_inverse=True)
            self._unique[key] = (uniq, inverse.reshape(-1))
        uniq, inverse = self._unique[key]
        days = np.broadcast_to(self.days[:1], uniq.shape)
        return party_mask(uniq, tokens, days, self.blocs)[inverse]

    def lane(self, measure: Any, importers: Any, exporters: Any) -> np.ndarray:
        mask = self.in_force(measure.start, measure.end)
        mask &= self.hs_mask(getattr(measure, "hs", ALL))
        if not mask.any():
            return mask
        mask &= self.parties(self.importer, importers)
        mask &= self.parties(self.exporter, exporters)
        return mask


def tariff_steps(cells: Cells, m: Tariff) -> Iterator[tuple[str, np.ndarray]]:
    """The tests a cell passes to be covered by a tariff, in order: (reason if not, share).

    Each share is 0/1 except the product-list step (share of the national lines listed).
    Later steps are only evaluated on cells that passed the earlier ones.
    """
    yield "not in force on the date", cells.in_force(m.start, m.end).astype(float)
    yield "goods not covered (HS)", cells.hs_mask(m.hs).astype(float)
    yield "goods exempt (exempt_hs)", (~cells.hs_mask(m.exempt_hs)).astype(float)
    yield "importer not covered", cells.parties(cells.importer, m.importers).astype(float)
    yield "exporter not covered", cells.parties(cells.exporter, m.exporters).astype(float)
    if m.exempt_exporters is not None:
        exempt = cells.parties(cells.exporter, m.exempt_exporters)
        yield "exporter exempt (exempt_exporters)", (~exempt).astype(float)
    if m.hs_lists:
        yield (
            f"goods not on the lists {', '.join(m.hs_lists)}",
            cells.listed(m.hs_lists),
        )
    if m.exempt_lists:
        yield (
            f"goods exempt (lists {', '.join(m.exempt_lists)})",
            1.0 - cells.listed(m.exempt_lists),
        )


def tariff_coverage(
    cells: Cells, m: Tariff, static: Mapping[int, np.ndarray] | None = None
) -> np.ndarray:
    """Share of each cell's goods a tariff covers (0..1), before stacking rules.

    ``static`` may hold, under ``id(m)``, the product of every step but the date (see
    :func:`static_coverage`): only the date step is then evaluated.
    """
    steps = tariff_steps(cells, m)
    _reason, share = next(steps)
    if static is not None and id(m) in static:
        return share * static[id(m)]
    for _reason, step in steps:
        if not share.any():
            break
        share *= step
    return share


def dated_parties(m: Measure, blocs: Mapping) -> bool:
    """Whether a measure names an agreement bloc, whose members change with the date."""
    iso = _iso3_codes()
    for tokens in m.party_fields().values():
        if tokens is None or tokens == ALL:
            continue
        if any(t not in iso and t not in blocs for t in tokens):
            return True
    return False


def static_coverage(cells: Cells, m: Tariff) -> np.ndarray | None:
    """Share of each cell a tariff covers on any day it is in force (every step but the date).

    Callers that evaluate the same cells on several days compute it once and pass it to
    :func:`trade_effects` (``static``). None when the measure names an agreement bloc
    (members change with the date): it is then evaluated per day.
    """
    if dated_parties(m, cells.blocs):
        return None
    steps = tariff_steps(cells, m)
    next(steps)  # the date
    share = np.ones(cells.n)
    for _reason, step in steps:
        share *= step
        if not share.any():
            break
    return share


def _refs(m: Measure) -> set[str]:
    return {r for r in (m.id, getattr(m, "family", None)) if r}


def excluders(measures: Sequence[Measure], i: int) -> list[int]:
    """Indexes of the tariffs in ``measures`` that exclude ``measures[i]`` (its ``excluded_by``)."""
    refs = set(getattr(measures[i], "excluded_by", ()))
    if not refs:
        return []
    return [
        j for j, m in enumerate(measures) if j != i and isinstance(m, Tariff) and _refs(m) & refs
    ]


def tariff_shares(
    measures: Sequence[Measure], cells: Cells, static: Mapping[int, np.ndarray] | None = None
) -> dict[int, np.ndarray]:
    """Share of the goods each tariff applies to, after its ``excluded_by`` rules.

    A tariff excluded by others applies to the goods none of them covers:
    ``share_i * prod_j (1 - share_j)`` (exact for national lines, where shares are 0/1).
    A tariff charged on the copper content covers that share of the value only (the
    cell's ``copper_content_share``, 1 where not declared), so a tariff it excludes is
    charged on the rest: e.g. 50% x 0.4 of the value plus the reciprocal duty x 0.6.

    Returns
    -------
    dict of int to ndarray
        Measure index -> share per cell (tariffs only).
    """
    raw = {
        i: tariff_coverage(cells, m, static)
        * (cells.copper if m.charged_on == "copper_content" else 1.0)
        for i, m in enumerate(measures)
        if isinstance(m, Tariff)
    }
    out = {}
    for i, share in raw.items():
        for j in excluders(measures, i):
            share = share * (1.0 - raw[j])
        out[i] = share
    return out


def origin_exempt(cells: Cells, m: Tariff) -> np.ndarray:
    """Cells where goods meeting ``m``'s exemption agreement's origin rule are exempt.

    Only lanes between members of that agreement on the date can qualify (USMCA goods of
    Canada and Mexico, not goods of China).
    """
    agreement = m.exemptions.origin_rule_met if m.exemptions else None
    if agreement is None:
        return np.zeros(cells.n, dtype=bool)
    return cells.parties(cells.exporter, (agreement,)) & cells.parties(cells.importer, (agreement,))
