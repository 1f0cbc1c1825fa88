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
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from shoring.scenario.measures import (
    ALL,
    ExportBan,
    Measure,
    NonTariffBarrier,
    Preference,
    Sanction,
    Tariff,
    TariffSchedule,
)
from shoring.scenario.resolve import (
    ResolvedScenario,
    as_codes,
    as_days,
    as_hs6,
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
    preference_rate : ndarray of float
        Lowest rate of the scenario's own ``preference`` measures; NaN where none.
    preference_agreement : ndarray of str
        Agreement id (or ``"members"``) of that preference, ``""`` where none.
    preference_rvc_threshold : ndarray of float
        Its regional value content threshold (build-down); NaN where no rule applies.
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
    preference_rate: np.ndarray
    preference_agreement: np.ndarray
    preference_rvc_threshold: np.ndarray

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
        rate = np.where(np.isnan(eff.replacement_rate), base, eff.replacement_rate)
        rate = np.where(np.isnan(eff.floor_rate), rate, np.fmax(rate, eff.floor_rate))
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


def _empty(n: int) -> dict[str, np.ndarray]:
    zeros, nans = np.zeros(n), np.full(n, np.nan)
    return {
        "additional_ad_valorem": zeros.copy(),
        "replacement_rate": nans.copy(),
        "floor_rate": nans.copy(),
        "specific_usd_per_kg": zeros.copy(),
        "specific_usd_per_unit": zeros.copy(),
        "ntb_ave": zeros.copy(),
        "blocked": np.zeros(n, dtype=bool),
        "exemption_agreement": np.full(n, "", dtype=object),
        "exempt_ad_valorem": zeros.copy(),
        "exempt_specific_usd_per_kg": zeros.copy(),
        "exempt_specific_usd_per_unit": zeros.copy(),
        "replacement_rate_origin_met": nans.copy(),
        "floor_rate_origin_met": nans.copy(),
        "preference_rate": nans.copy(),
        "preference_agreement": np.full(n, "", dtype=object),
        "preference_rvc_threshold": nans.copy(),
    }


class _Cells:
    def __init__(self, importer: Any, exporter: Any, hs6: Any, on: Any, blocs: Mapping) -> None:
        imp, exp, hs = as_codes(importer), as_codes(exporter), as_hs6(hs6)
        n = max(imp.size, exp.size, hs.size, np.size(on))
        imp, exp, hs = (np.broadcast_to(a, (n,)) for a in (imp, exp, hs))
        self.importer, self.exporter, self.hs6 = imp, exp, hs
        self.days = as_days(on, n)
        if self.days.size != n:
            raise ValueError("importer, exporter, hs6 and on must have equal lengths")
        self.n, self.blocs = n, blocs

    def parties(self, codes: np.ndarray, tokens: Any) -> np.ndarray:
        return party_mask(codes, tokens, self.days, self.blocs)

    def lane(self, measure: Any, importers: Any, exporters: Any) -> np.ndarray:
        mask = date_mask(self.days, measure.start, measure.end)
        mask &= hs_mask(self.hs6, getattr(measure, "hs", ALL))
        if not mask.any():
            return mask
        mask &= self.parties(self.importer, importers)
        mask &= self.parties(self.exporter, exporters)
        return mask


def _tariff(out: dict[str, np.ndarray], cells: _Cells, m: Tariff) -> None:
    mask = cells.lane(m, m.importers, m.exporters)
    mask &= ~hs_mask(cells.hs6, m.exempt_hs)
    if m.exempt_exporters is not None:
        mask &= ~cells.parties(cells.exporter, m.exempt_exporters)
    if not mask.any():
        return
    agreement = m.exemptions.origin_rule_met if m.exemptions else None
    if agreement is not None:
        current = out["exemption_agreement"][mask]
        clash = (current != "") & (current != agreement)
        if clash.any():
            raise ValueError(
                f"cells exempt under two agreements ({set(current[clash])} and {agreement});"
                " one exemption agreement per cell is supported"
            )
        out["exemption_agreement"][mask] = agreement
    if m.stacking == "add":
        out["additional_ad_valorem"][mask] += m.ad_valorem
        if agreement is not None:
            out["exempt_ad_valorem"][mask] += m.ad_valorem
    else:
        key = "replacement_rate" if m.stacking == "replace" else "floor_rate"
        out[key][mask] = np.fmax(out[key][mask], m.ad_valorem)
        if agreement is None:
            out[f"{key}_origin_met"][mask] = np.fmax(out[f"{key}_origin_met"][mask], m.ad_valorem)
    for unit in ("kg", "unit"):
        amount = getattr(m, f"specific_usd_per_{unit}")
        if amount:
            out[f"specific_usd_per_{unit}"][mask] += amount
            if agreement is not None:
                out[f"exempt_specific_usd_per_{unit}"][mask] += amount


def _schedule(out: dict[str, np.ndarray], cells: _Cells, m: TariffSchedule) -> None:
    table = load_tariff_schedule(m.table)
    rows_days = table["start"].to_numpy()
    keep = party_mask(table["importer"].to_numpy(), m.importers, rows_days, cells.blocs)
    keep &= party_mask(table["exporter"].to_numpy(), m.exporters, rows_days, cells.blocs)
    keep &= ~hs_mask(table["hs6"].to_numpy().astype("U6"), m.exempt_hs)
    table = table[keep]
    in_window = date_mask(cells.days, m.start, m.end)
    pairs = set(zip(table["importer"], table["exporter"], strict=True))
    candidate = in_window & np.isin(
        np.char.add(np.char.add(cells.importer, "|"), cells.exporter),
        [f"{i}|{e}" for i, e in pairs],
    )
    if not candidate.any():
        return
    idx = np.flatnonzero(candidate)
    left = pd.DataFrame(
        {
            "cell": idx,
            "importer": cells.importer[idx],
            "exporter": cells.exporter[idx],
            "hs6": cells.hs6[idx],
            "day": cells.days[idx],
        }
    )
    joined = left.merge(table, on=["importer", "exporter", "hs6"], how="inner")
    joined = joined[(joined["day"] >= joined["start"]) & (joined["day"] <= joined["end"])]
    summed = joined.groupby("cell")["additional"].sum()
    out["additional_ad_valorem"][summed.index.to_numpy()] += summed.to_numpy()


def _preference(out: dict[str, np.ndarray], cells: _Cells, m: Preference) -> None:
    tokens = (m.agreement,) if m.agreement is not None else m.members
    mask = cells.lane(m, tokens, tokens)
    mask &= cells.importer != cells.exporter
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

    Returns
    -------
    TradeEffects
        One value per cell in each array.
    """
    measures, blocs = composed(scenario)
    cells = _Cells(importer, exporter, hs6, on, blocs)
    out = _empty(cells.n)
    for m in measures:
        if isinstance(m, Tariff):
            _tariff(out, cells, m)
        elif isinstance(m, TariffSchedule):
            _schedule(out, cells, m)
        elif isinstance(m, NonTariffBarrier):
            out["ntb_ave"][cells.lane(m, m.importers, m.exporters)] += m.ave
        elif isinstance(m, ExportBan):
            out["blocked"] |= cells.lane(m, m.importers, m.exporters)
        elif isinstance(m, Sanction):
            side_a, side_b = m.parties
            out["blocked"] |= cells.lane(m, side_a, side_b) | cells.lane(m, side_b, side_a)
        elif isinstance(m, Preference):
            _preference(out, cells, m)
    out["exemption_agreement"] = out["exemption_agreement"].astype(str)
    out["preference_agreement"] = out["preference_agreement"].astype(str)
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
