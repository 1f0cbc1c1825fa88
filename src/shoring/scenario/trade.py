"""Vectorized evaluation of trade measures on cells (importer, exporter, HS6, date).

The landed-cost engine calls :func:`trade_effects` with equal-length arrays (or
:func:`trade_effects_dataset` with xarray coordinates) and combines the result with the
MFN and preferential rates of the data layer::

    rate = base                                  # min(MFN, preference if origin rule met)
    rate = replacement_rate  where set           # "replace" measures (highest wins)
    rate = max(rate, floor_rate) where set       # "max" measures (a floor on the total)
    rate = rate + additional_ad_valorem          # "add" measures and tariff schedules

Measures exempt for goods meeting an agreement's rule of origin (USMCA goods from the
2025 IEEPA tariffs) are reported apart, with the agreement per cell, so the engine can
waive them where the rule is met (:meth:`TradeEffects.applicable`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from shoring.scenario.coverage import (
    Cells,
    dated_parties,
    origin_exempt,
    static_coverage,
    tariff_shares,
)
from shoring.scenario.measure_base import ALL
from shoring.scenario.measures import (
    ExportBan,
    Measure,
    NonTariffBarrier,
    Preference,
    Sanction,
    Suspension,
    Tariff,
    TariffSchedule,
)
from shoring.scenario.resolve import (
    ResolvedScenario,
    bloc_key,
    composed,
    date_mask,
    hs_mask,
    party_mask,
)
from shoring.scenario.scenario import Scenario
from shoring.scenario.schedules import load_tariff_schedule


@dataclass(frozen=True)
class TradeEffects:
    """Per-cell effects of a scenario's trade measures (1-D arrays of equal length).

    Attributes
    ----------
    additional_ad_valorem : ndarray of float
        Sum of ``add`` tariffs and tariff schedules (fraction).
    replacement_rate : ndarray of float
        Highest ``replace`` rate; NaN where none applies.
    floor_rate : ndarray of float
        Highest ``max`` rate (the total is at least this); NaN where none applies.
    specific_usd_per_kg, specific_usd_per_unit : ndarray of float
        Sum of specific duties.
    ntb_ave : ndarray of float
        Sum of non-tariff barrier ad valorem equivalents.
    blocked : ndarray of bool
        An export ban or sanction stops the flow.
    exemption_agreement : ndarray of str
        Agreement whose rule of origin exempts the goods from the ``exempt_*`` part
        (``""`` where none).
    exempt_ad_valorem, exempt_specific_usd_per_kg, exempt_specific_usd_per_unit : ndarray
        The part of the additional duties waived when that rule of origin is met.
    replacement_rate_origin_met, floor_rate_origin_met : ndarray of float
        ``replacement_rate`` / ``floor_rate`` without the exempt measures.
    replacement_share, floor_share : ndarray of float
        Share of the goods' national tariff lines the replacement / floor covers (1 for
        a national line or a fully covered subheading; see ``Tariff.hs_lists``).
    preference_rate : ndarray of float
        Lowest rate of the scenario's own ``preference`` measures; NaN where none.
    preference_agreement : ndarray of str
        Agreement id (or ``"members"``) of that preference, ``""`` where none.
    preference_rvc_threshold : ndarray of float
        Its regional value content threshold (build-down); NaN where no rule applies.
    suspended_agreement : ndarray of str
        Agreement a ``suspension`` measure suspends on the cell's lane (``""`` where
        none): it gives no preference there and its rule of origin waives nothing.
    """

    additional_ad_valorem: np.ndarray
    replacement_rate: np.ndarray
    floor_rate: np.ndarray
    specific_usd_per_kg: np.ndarray
    specific_usd_per_unit: np.ndarray
    ntb_ave: np.ndarray
    blocked: np.ndarray
    exemption_agreement: np.ndarray
    exempt_ad_valorem: np.ndarray
    exempt_specific_usd_per_kg: np.ndarray
    exempt_specific_usd_per_unit: np.ndarray
    replacement_rate_origin_met: np.ndarray
    floor_rate_origin_met: np.ndarray
    replacement_share: np.ndarray
    floor_share: np.ndarray
    preference_rate: np.ndarray
    preference_agreement: np.ndarray
    preference_rvc_threshold: np.ndarray
    suspended_agreement: np.ndarray

    def applicable(self, origin_rule_met: np.ndarray | bool) -> TradeEffects:
        """Effects with exemptions applied where ``origin_rule_met`` is True.

        Parameters
        ----------
        origin_rule_met : array of bool or bool
            Per cell: the goods meet the rule of origin of ``exemption_agreement``.

        Returns
        -------
        TradeEffects
            A copy where met cells with an exemption agreement have the exempted duties
            removed, the origin-met replacement/floor rates swapped in and the
            exemption cleared; other cells are unchanged.
        """
        met = np.broadcast_to(np.asarray(origin_rule_met, dtype=bool), self.blocked.shape)
        met = met & (self.exemption_agreement != "")
        met = met & (self.exemption_agreement != self.suspended_agreement)
        return replace(
            self,
            additional_ad_valorem=self.additional_ad_valorem
            - np.where(met, self.exempt_ad_valorem, 0),
            specific_usd_per_kg=self.specific_usd_per_kg
            - np.where(met, self.exempt_specific_usd_per_kg, 0),
            specific_usd_per_unit=self.specific_usd_per_unit
            - np.where(met, self.exempt_specific_usd_per_unit, 0),
            replacement_rate=np.where(met, self.replacement_rate_origin_met, self.replacement_rate),
            floor_rate=np.where(met, self.floor_rate_origin_met, self.floor_rate),
            exempt_ad_valorem=np.where(met, 0.0, self.exempt_ad_valorem),
            exempt_specific_usd_per_kg=np.where(met, 0.0, self.exempt_specific_usd_per_kg),
            exempt_specific_usd_per_unit=np.where(met, 0.0, self.exempt_specific_usd_per_unit),
            exemption_agreement=np.where(met, "", self.exemption_agreement),
        )

    def ad_valorem_rate(
        self, base_rate: np.ndarray | float, origin_rule_met: np.ndarray | bool | None = None
    ) -> np.ndarray:
        """Total ad valorem duty given the base (MFN or preferential) rate.

        ``base`` is replaced by the replacement rate where one applies, raised to the
        floor where one applies, then the additional duties are added. NTBs are not
        included (see ``ntb_ave``).

        Parameters
        ----------
        base_rate : array or float
            MFN or preferential rate per cell (fraction), broadcast to the cells.
        origin_rule_met : array of bool or bool, optional
            When given, exemptions are applied first (see :meth:`applicable`).

        Returns
        -------
        numpy.ndarray
            Total ad valorem rate per cell (fraction).
        """
        eff = self if origin_rule_met is None else self.applicable(origin_rule_met)
        base = np.broadcast_to(np.asarray(base_rate, dtype=float), eff.blocked.shape)
        repl = eff.replacement_rate
        rate = np.where(np.isnan(repl), base, base + eff.replacement_share * (repl - base))
        lift = np.fmax(eff.floor_rate - rate, 0.0)
        rate = np.where(np.isnan(eff.floor_rate), rate, rate + eff.floor_share * lift)
        return rate + eff.additional_ad_valorem

    def to_dataset(self, template: xr.DataArray | None = None) -> xr.Dataset:
        """The arrays as an :class:`xarray.Dataset` (shaped like ``template`` if given).

        Parameters
        ----------
        template : xarray.DataArray, optional
            Array with as many cells as the effects; its dims and coords are reused.

        Returns
        -------
        xarray.Dataset
            One variable per field, on ``template``'s dims, or on dim ``cell`` without it.
        """
        data = {}
        for f in fields(self):
            values = getattr(self, f.name)
            if template is not None:
                data[f.name] = xr.DataArray(
                    values.reshape(template.shape), coords=template.coords, dims=template.dims
                )
            else:
                data[f.name] = ("cell", values)
        return xr.Dataset(data)


def _label_width(measures: Sequence[Measure]) -> int:
    """Characters of the longest agreement label a cell can get (exemption or preference;
    "members" for a preference among named members): the width of the label arrays, so
    no label is ever cut and no object array needs converting."""
    labels = ["members"]
    for m in measures:
        if isinstance(m, Tariff) and m.exemptions and m.exemptions.origin_rule_met:
            labels.append(m.exemptions.origin_rule_met)
        elif isinstance(m, Preference | Suspension) and m.agreement:
            labels.append(m.agreement)
    return max(len(label) for label in labels)


def _empty(n: int, width: int) -> dict[str, np.ndarray]:
    zeros, nans = np.zeros(n), np.full(n, np.nan)
    labels = np.full(n, "", dtype=f"<U{width}")
    return {
        "additional_ad_valorem": zeros.copy(),
        "replacement_rate": nans.copy(),
        "floor_rate": nans.copy(),
        "specific_usd_per_kg": zeros.copy(),
        "specific_usd_per_unit": zeros.copy(),
        "ntb_ave": zeros.copy(),
        "blocked": np.zeros(n, dtype=bool),
        "exemption_agreement": labels,
        "exempt_ad_valorem": zeros.copy(),
        "exempt_specific_usd_per_kg": zeros.copy(),
        "exempt_specific_usd_per_unit": zeros.copy(),
        "replacement_rate_origin_met": nans.copy(),
        "floor_rate_origin_met": nans.copy(),
        "replacement_share": zeros.copy(),
        "floor_share": zeros.copy(),
        "preference_rate": nans.copy(),
        "preference_agreement": labels.copy(),
        "preference_rvc_threshold": nans.copy(),
        "suspended_agreement": labels.copy(),
    }


@dataclass
class Prepared:
    """Cells evaluated on several days, with what does not depend on the day.

    Built by :func:`prepare` for callers that evaluate the same cells on many days (the
    intervals of a year): codes are parsed once, the tariffs' date-free coverage and the
    schedule rows matching the cells are computed once.

    Attributes
    ----------
    cells : Cells
        The cells (their day is replaced on each evaluation).
    coverage : dict of int to ndarray
        ``id(tariff)`` -> :func:`static_coverage`.
    schedules : dict of int to pandas.DataFrame
        ``id(tariff_schedule)`` -> rows ``cell, start, end, additional`` for these cells.
    """

    cells: Cells
    coverage: dict[int, np.ndarray]
    schedules: dict[int, pd.DataFrame]


def prepare(
    measures: Sequence[Measure],
    importer: Any,
    exporter: Any,
    hs6: Any,
    on: Any,
    blocs: Mapping,
    copper_share: Any = None,
) -> Prepared:
    """Parse cells once and compute the day-independent part of the measures on them.

    Parameters
    ----------
    measures : sequence of Measure
        The measures that will be evaluated.
    importer, exporter, hs6, copper_share : array-like
        Cells, as for :func:`trade_effects`.
    on : date
        A day used for bloc membership of date-free parts (agreement blocs are never cached).
    blocs : mapping
        Scenario-defined blocs.

    Returns
    -------
    Prepared
    """
    cells = Cells(importer, exporter, hs6, on, blocs, copper_share)
    return _prepared(measures, cells, blocs)


def prepare_grid(
    measures: Sequence[Measure],
    hs6: Sequence[str],
    countries: Sequence[str],
    on: date,
    blocs: Mapping,
    copper_share: Sequence[float] | np.ndarray | None = None,
) -> Prepared:
    """:func:`prepare` on every (HS code, origin, destination) of a grid.

    Cells are ordered (hs, origin, destination), destination fastest. The parsed grid and
    its distinct codes are kept (LRU, 8 grids), so costing many scenario-years of one
    study parses it once.

    Parameters
    ----------
    measures : sequence of Measure
        The measures that will be evaluated.
    hs6, countries : sequence of str
        HS codes and ISO3 codes (origins and destinations).
    on : date
        As for :func:`prepare`.
    blocs : mapping
        Scenario-defined blocs.
    copper_share : sequence of float, optional
        Declared copper content share of each HS row (NaN or None: not declared).

    Returns
    -------
    Prepared
    """
    copper = None
    if copper_share is not None:
        copper = tuple(None if np.isnan(c) else float(c) for c in np.asarray(copper_share, float))
    base = _grid_cells(tuple(hs6), tuple(countries), copper)
    cells = base.on_day(on)
    cells.blocs = blocs
    return _prepared(measures, cells, blocs)


@lru_cache(maxsize=8)
def _grid_cells(
    hs6: tuple[str, ...], countries: tuple[str, ...], copper: tuple[float | None, ...] | None
) -> Cells:
    codes = np.asarray(countries, dtype=object)
    hs = np.asarray(hs6, dtype=object)
    shape = (hs.size, codes.size, codes.size)
    share = None
    if copper is not None:
        rows = np.array([np.nan if c is None else c for c in copper], dtype=float)
        share = np.broadcast_to(rows[:, None, None], shape).ravel()
    return Cells(
        np.broadcast_to(codes[None, None, :], shape).ravel(),
        np.broadcast_to(codes[None, :, None], shape).ravel(),
        np.broadcast_to(hs[:, None, None], shape).ravel(),
        date(2000, 1, 1),
        {},
        share,
    )


def _prepared(measures: Sequence[Measure], cells: Cells, blocs: Mapping) -> Prepared:
    """Date-free coverage and schedule rows of the measures, each computed once per grid.

    The grids are cached (:func:`_grid_cells`), and their ``memo`` keeps the results per
    (measure, blocs): scenarios sharing the data layer's measures, and every year of a
    study, reuse them. Measures are frozen models, equal when their fields are.
    """
    coverage: dict[int, np.ndarray] = {}
    schedules: dict[int, pd.DataFrame] = {}
    blocs_key = bloc_key(blocs)
    memo = cells.memo
    for m in measures:
        if not isinstance(m, (Tariff, TariffSchedule)):
            continue
        key = (m, blocs_key)
        if key not in memo:
            if isinstance(m, Tariff):
                memo[key] = static_coverage(cells, m)
            else:
                memo[key] = None if dated_parties(m, blocs) else _schedule_rows(cells, m)
        if memo[key] is None:
            continue
        if isinstance(m, Tariff):
            coverage[id(m)] = memo[key]
        else:
            schedules[id(m)] = memo[key]
    return Prepared(cells, coverage, schedules)


def _tariff(out: dict[str, np.ndarray], share: np.ndarray, m: Tariff, cells: Cells) -> None:
    mask = share > 0
    if not mask.any():
        return
    w = share[mask]
    exempt = origin_exempt(cells, m)[mask]
    if exempt.any():
        agreement = m.exemptions.origin_rule_met  # type: ignore[union-attr]
        current = out["exemption_agreement"][mask]
        clash = exempt & (current != "") & (current != agreement)
        if clash.any():
            raise ValueError(
                f"cells exempt under two agreements ({set(current[clash])} and {agreement});"
                " one exemption agreement per cell is supported"
            )
        out["exemption_agreement"][mask] = np.where(exempt, agreement, current)
    if m.stacking == "add":
        out["additional_ad_valorem"][mask] += w * m.ad_valorem
        out["exempt_ad_valorem"][mask] += np.where(exempt, w * m.ad_valorem, 0.0)
    else:
        key = "replacement" if m.stacking == "replace" else "floor"
        out[f"{key}_rate"][mask] = np.fmax(out[f"{key}_rate"][mask], m.ad_valorem)
        out[f"{key}_share"][mask] = np.fmax(out[f"{key}_share"][mask], w)
        met = f"{key}_rate_origin_met"
        out[met][mask] = np.where(exempt, out[met][mask], np.fmax(out[met][mask], m.ad_valorem))
    for unit in ("kg", "unit"):
        amount = getattr(m, f"specific_usd_per_{unit}")
        if amount:
            out[f"specific_usd_per_{unit}"][mask] += w * amount
            out[f"exempt_specific_usd_per_{unit}"][mask] += np.where(exempt, w * amount, 0.0)


@lru_cache(maxsize=16)
def _schedule_pairs(table: str) -> frozenset[str]:
    frame = load_tariff_schedule(table)
    return frozenset(frame["importer"] + "|" + frame["exporter"])


def _schedule_rows(cells: Cells, m: TariffSchedule) -> pd.DataFrame:
    """Schedule rows matching the cells by lane and HS6 (any date): cell, start, end, additional."""
    empty = pd.DataFrame({"cell": [], "start": [], "end": [], "additional": []})
    keys = np.char.add(np.char.add(cells.importer, "|"), cells.exporter)
    candidate = np.isin(keys, list(_schedule_pairs(m.table)))
    if not candidate.any():
        return empty
    table = load_tariff_schedule(m.table)
    rows_days = table["start"].to_numpy()
    keep = party_mask(table["importer"].to_numpy(), m.importers, rows_days, cells.blocs)
    keep &= party_mask(table["exporter"].to_numpy(), m.exporters, rows_days, cells.blocs)
    keep &= ~hs_mask(table["hs6"].to_numpy().astype("U6"), m.exempt_hs)
    table = table[keep]
    idx = np.flatnonzero(candidate)
    left = pd.DataFrame(
        {
            "cell": idx,
            "importer": cells.importer[idx],
            "exporter": cells.exporter[idx],
            "hs6": cells.hs6[idx].astype("U6"),
        }
    )
    joined = left.merge(table, on=["importer", "exporter", "hs6"], how="inner")
    return joined[["cell", "start", "end", "additional"]]


def _schedule(
    out: dict[str, np.ndarray], cells: Cells, m: TariffSchedule, rows: pd.DataFrame | None
) -> None:
    in_window = date_mask(cells.days, m.start, m.end)
    if not in_window.any():
        return
    if rows is None:
        rows = _schedule_rows(cells, m)
    if rows.empty:
        return
    cell = rows["cell"].to_numpy(dtype=int)
    day = cells.days[cell]
    hit = in_window[cell] & (rows["start"].to_numpy() <= day) & (day <= rows["end"].to_numpy())
    np.add.at(out["additional_ad_valorem"], cell[hit], rows["additional"].to_numpy()[hit])


def _suspension(out: dict[str, np.ndarray], cells: Cells, m: Suspension) -> None:
    """Mark the lanes between members of ``m.agreement`` from or to one of ``m.parties``."""
    members = (m.agreement,)
    mask = cells.lane(m, members, members) & (cells.importer != cells.exporter)
    if m.parties != ALL:
        mask &= cells.parties(cells.importer, m.parties) | cells.parties(cells.exporter, m.parties)
    out["suspended_agreement"][mask] = m.agreement


def _preference(out: dict[str, np.ndarray], cells: Cells, m: Preference) -> None:
    tokens = (m.agreement,) if m.agreement is not None else m.members
    mask = cells.lane(m, tokens, tokens)
    mask &= cells.importer != cells.exporter
    if m.agreement is not None:
        mask &= out["suspended_agreement"] != m.agreement
    better = mask & ~(out["preference_rate"] <= m.rate)
    if not better.any():
        return
    out["preference_rate"][better] = m.rate
    out["preference_agreement"][better] = m.agreement or "members"
    threshold = m.rule_of_origin.rvc_threshold if m.rule_of_origin else np.nan
    out["preference_rvc_threshold"][better] = threshold


def trade_effects(
    scenario: Scenario | ResolvedScenario | Sequence[Measure],
    importer: Any,
    exporter: Any,
    hs6: Any,
    on: Any,
    prepared: Prepared | None = None,
    copper_share: Any = None,
) -> TradeEffects:
    """Evaluate a scenario's trade measures on cells.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        A scenario (composed with its parents), a resolved one, or measures.
    importer, exporter : array-like of str
        ISO3 codes per cell.
    hs6 : array-like of str or int
        HS6 codes per cell (zero-padded if given as int).
    on : date or array-like of dates
        One date for all cells, or one per cell.
    prepared : Prepared, optional
        From :func:`prepare` on these same cells (then ``importer``, ``exporter``,
        ``hs6`` and ``copper_share`` are not read again): for callers evaluating the
        cells on many days.
    copper_share : array-like of float, optional
        Copper content as a share of the value per cell, for tariffs charged on the
        copper content (NaN or None: not declared, the full value).

    Returns
    -------
    TradeEffects
        One value per cell in each array.
    """
    measures, blocs = composed(scenario)
    if prepared is not None:
        cells, static, rows = prepared.cells.on_day(on), prepared.coverage, prepared.schedules
    else:
        cells = Cells(importer, exporter, hs6, on, blocs, copper_share)
        static, rows = {}, {}
    out = _empty(cells.n, _label_width(measures))
    shares = tariff_shares(measures, cells, static)
    for m in measures:  # first: a suspension holds whatever the measures' order
        if isinstance(m, Suspension):
            _suspension(out, cells, m)
    for i, m in enumerate(measures):
        if isinstance(m, Tariff):
            _tariff(out, shares[i], m, cells)
        elif isinstance(m, TariffSchedule):
            _schedule(out, cells, m, rows.get(id(m)))
        elif isinstance(m, NonTariffBarrier):
            out["ntb_ave"][cells.lane(m, m.importers, m.exporters)] += m.ave
        elif isinstance(m, ExportBan):
            out["blocked"] |= cells.lane(m, m.importers, m.exporters)
        elif isinstance(m, Sanction):
            side_a, side_b = m.parties
            out["blocked"] |= cells.lane(m, side_a, side_b) | cells.lane(m, side_b, side_a)
        elif isinstance(m, Preference):
            _preference(out, cells, m)
    return TradeEffects(**out)


def trade_effects_dataset(
    scenario: Scenario | ResolvedScenario | Sequence[Measure],
    importer: xr.DataArray,
    exporter: xr.DataArray,
    hs6: xr.DataArray,
    on: xr.DataArray | Any,
) -> xr.Dataset:
    """:func:`trade_effects` on xarray coordinates; the result is broadcast over their dims.

    Example: ``importer`` along ``importer``, ``exporter`` along ``exporter``, ``hs6``
    along ``product`` and one date give a Dataset of (importer, exporter, product) arrays.

    Parameters
    ----------
    scenario : Scenario, ResolvedScenario or sequence of Measure
        As for :func:`trade_effects`.
    importer, exporter : xarray.DataArray
        ISO3 codes.
    hs6 : xarray.DataArray
        HS6 codes.
    on : xarray.DataArray or date
        One date for all cells, or dates broadcast with the other arrays.

    Returns
    -------
    xarray.Dataset
        :meth:`TradeEffects.to_dataset` on the broadcast of ``importer``, ``exporter``,
        ``hs6`` (and ``on`` when an array).
    """
    arrays = [
        a if isinstance(a, xr.DataArray) else xr.DataArray(a) for a in (importer, exporter, hs6)
    ]
    if isinstance(on, xr.DataArray):
        arrays.append(on)
    broadcast = xr.broadcast(*arrays)
    template = broadcast[0]
    flat_on = broadcast[3].values.ravel() if len(broadcast) == 4 else on
    effects = trade_effects(
        scenario,
        broadcast[0].values.ravel(),
        broadcast[1].values.ravel(),
        broadcast[2].values.ravel(),
        flat_on,
    )
    return effects.to_dataset(template)
