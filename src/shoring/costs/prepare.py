"""Inputs of a landed-cost study, prepared once for every scenario and year.

:func:`_study` turns a network into arrays the engine (:mod:`shoring.costs.engine`)
indexes: products (with their duty rows and MFN rates per year), the places nodes sit
at (:mod:`shoring.costs.places`) and the lane geometry between them
(:mod:`shoring.costs.lanes`: great-circle and sea-route distances, nearest ports, user
freight quotes), the BOM and its tiers, the simulated disruption risk and tabled wages. Destination
arrays run over places; duty and country data are read through ``place_country``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr
from scipy import sparse

from shoring.costs.lanes import Lanes, build_lanes, resolve_quotes
from shoring.costs.mfn import ProductMfn, duty_rows, product_mfn
from shoring.costs.origin import AgreementRules, agreement_rules, bom_slots
from shoring.costs.places import node_places
from shoring.costs.tco import TcoInputs, tco_inputs
from shoring.costs.user_costs import UserCosts, lane_overrides, user_costs
from shoring.data.productivity import productivity_matrix
from shoring.data.rules_of_origin import rows_in_force
from shoring.data.tariffs import schedule_of
from shoring.data.valuation import cif_importers
from shoring.data.wages import LabourCostRangeError, labour_cost_matrix
from shoring.errors import ShoringError
from shoring.network import Network

if TYPE_CHECKING:
    import pandas as pd

    from shoring.costs.engine import CostSettings


@dataclass(frozen=True)
class _Study:
    """Arrays of one network, fixed across scenarios and years."""

    network: Network
    products: np.ndarray
    made: np.ndarray  # bool per product: some site makes it
    made_order: np.ndarray  # indices of made products, deepest BOM tier first
    hs: np.ndarray  # HS code of each duty row (products with the same code and MFN share one)
    hs_index: np.ndarray  # duty row of each product
    mfn: dict[int, np.ndarray]  # year -> MFN rate (duty row, country); NaN: no cited figure
    copper_share: np.ndarray  # declared copper content share of each duty row; NaN: none
    mfn_basis: dict[int, np.ndarray]  # year -> basis (product, country)
    mfn_notes: tuple[str, ...]
    value: np.ndarray
    weight: np.ndarray
    hours: np.ndarray
    overhead_rate: np.ndarray
    penalty: np.ndarray
    bom: np.ndarray  # (parent, component)
    bom_sparse: sparse.csr_array  # the same, sparse, for materials
    tiers: np.ndarray
    countries: np.ndarray  # ISO3 of every node, sorted: origin axis of the duty arrays
    site_country: np.ndarray  # index into countries of each site
    places: np.ndarray  # place labels: lanes run between places (node locations)
    place_country: np.ndarray  # index into countries of each place
    site_place: np.ndarray  # index into places of each site
    supplier_place: np.ndarray  # ... of each supplier
    market_place: np.ndarray  # ... of each market
    can_make: np.ndarray  # (product, site)
    lanes: Lanes
    cif: np.ndarray  # per destination place
    hazard_risk: np.ndarray  # (product, site): simulated disruption cost per unit, 0 if none
    base_wage: xr.DataArray  # (country, year)
    base_productivity: xr.DataArray  # (country, year), USA = 1; NaN where every site gives its own
    # (all 1 unless meta.labour_productivity is "national")
    slots: np.ndarray  # (product, J) component indices, -1 padding
    qty: np.ndarray  # (product, J) units per unit
    user: UserCosts  # the user's production and lane costs, inventory settings, exclusions
    tco: TcoInputs  # inputs of the TCO checklist components
    rules: dict = field(default_factory=dict)  # (agreement, rule rows in force) -> AgreementRules
    rules_on: dict = field(default_factory=dict)  # (agreement, date) -> AgreementRules
    # a few scenarios' time series over the study's years (year_inputs.scenario_series)
    series: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def agreement_rules(self, agreement_id: str, on: dt.date) -> AgreementRules:
        """Rules of origin of every product under an agreement (cached per date, and
        shared by the dates on which the same rule rows are in force)."""
        with self.lock:
            found = self.rules_on.get((agreement_id, on))
        if found is not None:
            return found
        hs = self.hs[self.hs_index]
        # every product's rule depends on the date only through the rule rows in force
        key = (agreement_id, rows_in_force(agreement_id, on).tobytes())
        with self.lock:
            if key not in self.rules:
                self.rules[key] = agreement_rules(agreement_id, list(hs), self.slots, on)
            self.rules_on[(agreement_id, on)] = self.rules[key]
            return self.rules[key]


def _index(values: Sequence[str], universe: np.ndarray) -> np.ndarray:
    lookup = {v: i for i, v in enumerate(universe)}
    return np.array([lookup[v] for v in values], dtype=int)


def _made_order(made: np.ndarray, tiers: np.ndarray) -> np.ndarray:
    """Made products ordered deepest tier first (stable), so each tier is a contiguous block."""
    idx = np.flatnonzero(made)
    return idx[np.argsort(-tiers[idx], kind="stable")]


def _mfn_by_year(
    network: Network, countries: np.ndarray, years: Sequence[int]
) -> dict[int, ProductMfn]:
    """MFN of every product into every country per year; the date only decides which
    schedule an importer applies (its customs union's), so years with the same
    schedules share one lookup."""
    found: dict[tuple[str, ...], ProductMfn] = {}
    out = {}
    for y in years:
        on = dt.date(y, 7, 1)
        key = tuple(schedule_of(str(c), on) for c in countries)
        if key not in found:
            found[key] = product_mfn(network, countries, on)
        out[y] = found[key]
    return out


def _hazard_risk(risk: xr.DataArray | None, products: list, sites: list) -> np.ndarray:
    """The simulated risk per unit as a (product, site) array over the network's ids.

    0 without a simulation (``risk`` None) and where the figure is NaN: a product a site
    cannot make is invalid anyway, and one made in-house below a finished product is
    priced in its parent's figure (:func:`shoring.simulate.site_risk`).

    Raises
    ------
    ShoringError
        ``risk`` lacks a product or site of the network (computed for another network).
    """
    if risk is None:
        return np.zeros((len(products), len(sites)))
    missing = sorted(set(map(str, products)) - set(map(str, risk["product"].values)))
    missing += sorted(set(map(str, sites)) - set(map(str, risk["site"].values)))
    if missing:
        raise ShoringError(
            f"the disruption risk given lacks {', '.join(missing)}: compute it for this "
            "network (shoring.simulate.site_risk)"
        )
    values = risk.sel(product=products, site=sites).transpose("product", "site").to_numpy()
    return np.nan_to_num(values.astype(float), nan=0.0)


def _study(network: Network, years: Sequence[int], settings: CostSettings) -> _Study:
    """The arrays of ``network`` for costing ``years``: products, places and lanes, duty
    rows with their MFN rates, BOM, hazards and wages (see :class:`_Study`)."""
    products = network.products
    sites, markets, suppliers = network.sites, network.markets, network.suppliers
    countries = np.array(
        sorted(set(sites["country"]) | set(markets["country"]) | set(suppliers["country"])),
        dtype=object,
    )
    by_year = _mfn_by_year(network, countries, years)
    hs_rows, hs_index, mfn, copper = duty_rows(
        products["hs_code"].to_numpy(dtype=str),
        by_year,
        products["copper_content_share"].to_numpy(dtype=float),
    )
    value = products["unit_value_usd"].to_numpy(dtype=float)
    weight = products["weight_kg"].to_numpy(dtype=float)
    located = node_places(sites, suppliers, markets)
    place_country = _index(list(located.places.country), countries)
    user = user_costs(network, settings.parameters.inventory_carrying_rate)
    lanes = build_lanes(
        weight,
        value,
        list(products.index),
        located.places,
        settings.distances,
        settings.parameters,
        network.modes,
        volume_m3=products["volume_m3"].to_numpy(dtype=float),
        quotes=resolve_quotes(
            network.freight_quotes, located, sites, suppliers, markets, list(products.index)
        ),
        carrying_rate=user.carrying_rate,
        safety_days=user.safety_days,
    )
    # modes of the first year on open sea routes decide which user lane rows and TCO
    # terms (ocean fees, entry sizes) apply, as for the results' ``mode``
    modes = lanes.at(min(years)).mode.to_numpy()  # (product, place, place)
    user = replace(user, lanes=lane_overrides(network, list(products.index), located, modes))
    can_make = network.can_make.transpose("product", "site").to_numpy()
    tiers = network.bom_levels().reindex(products.index).to_numpy()
    bom = network.bom_matrix().sel(product=products.index, component=products.index).to_numpy()
    slots, qty = bom_slots(bom, np.arange(bom.shape[0]))
    return _Study(
        network=network,
        products=products.index.to_numpy(dtype=object),
        made=can_make.any(axis=1),
        made_order=_made_order(can_make.any(axis=1), tiers),
        hs=hs_rows,
        hs_index=hs_index,
        mfn=mfn,
        copper_share=copper,
        mfn_basis={y: m.basis for y, m in by_year.items()},
        mfn_notes=tuple(dict.fromkeys(n for m in by_year.values() for n in m.notes)),
        value=value,
        weight=weight,
        hours=products["labour_hours"].to_numpy(dtype=float),
        overhead_rate=products["overhead_rate"].to_numpy(dtype=float),
        penalty=products["lost_sale_penalty_usd"].to_numpy(dtype=float),
        bom=bom,
        bom_sparse=sparse.csr_array(bom),
        tiers=tiers,
        countries=countries,
        site_country=_index(sites["country"].tolist(), countries),
        places=located.places.label,
        place_country=place_country,
        site_place=located.site,
        supplier_place=located.supplier,
        market_place=located.market,
        can_make=can_make,
        lanes=lanes,
        cif=cif_importers(list(countries))[place_country],
        hazard_risk=_hazard_risk(settings.risk, list(products.index), list(sites.index)),
        base_wage=_base_wage(sites, countries, years),
        base_productivity=_base_productivity(network, sites, countries, years),
        slots=slots,
        qty=qty,
        user=user,
        tco=tco_inputs(network, list(located.places.country), weight, modes),
    )


def _base_wage(sites: pd.DataFrame, countries: Sequence[str], years: Sequence[int]) -> xr.DataArray:
    """Labour cost per hour (country, year) of sites without their own ``wage_usd_per_hour``.

    Raises
    ------
    ShoringError
        A year before a country's first cited figure: the message names the sites that
        need their own wage.
    """
    tabled = sites[sites["wage_usd_per_hour"].isna()]
    try:
        wage = labour_cost_matrix(sorted(set(tabled["country"])), list(years), extrapolate=True)
    except LabourCostRangeError as err:
        ids = ", ".join(map(str, tabled.index[tabled["country"] == err.economy]))
        raise ShoringError(f"site(s) {ids}: {err}") from None
    return wage.reindex(country=list(countries))


def _base_productivity(
    network: Network, sites: pd.DataFrame, countries: Sequence[str], years: Sequence[int]
) -> xr.DataArray:
    """Productivity index (country, year) of sites without their own ``productivity_index``.

    1 everywhere (the product's hours as a US plant) unless the network sets
    ``meta.labour_productivity: national``: then the country's index for the year
    (:func:`shoring.data.productivity.productivity_matrix`, USA = 1).
    """
    if network.meta.labour_productivity != "national":
        return xr.DataArray(
            np.ones((len(countries), len(years))),
            coords={"country": list(countries), "year": list(years)},
            dims=("country", "year"),
        )
    return productivity_matrix(
        sorted(set(sites.loc[sites["productivity_index"].isna(), "country"])),
        list(years),
        extrapolate=True,
    ).reindex(country=list(countries))
