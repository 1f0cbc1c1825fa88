"""Transport lanes: mode choice, freight, lead time and CO2 per product and country pair.

Scenario-independent, computed once per study. For every (product, origin country,
destination country) the engine picks, among the modes the lane allows
(:func:`shoring.data.transport.mode_mask`), the one with the lowest freight plus
carrying cost of the goods in transit and in safety stock — so light, valuable goods fly
and heavy, cheap goods sail, as a logistics planner would choose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from shoring.costs import formulas as f
from shoring.data.distances import Distances
from shoring.data.transport import MODES, CostParameters, mode_mask, transport_modes


@dataclass(frozen=True)
class Lanes:
    """Chosen mode and its freight, transit time and CO2 per unit.

    Every array has dims (``product``, ``origin``, ``destination``).
    """

    mode: xr.DataArray
    freight: xr.DataArray
    transit_days: xr.DataArray
    safety_days: xr.DataArray
    co2_kg: xr.DataArray
    distance_km: xr.DataArray


def mode_parameters(overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Default mode parameters with a network's ``modes`` table laid over them.

    Parameters
    ----------
    overrides : pandas.DataFrame, optional
        Rows with a ``mode`` column (or index) and any of the numeric columns of
        :func:`shoring.data.transport.transport_modes`; missing values keep the default.
    """
    table = transport_modes()
    if overrides is not None and len(overrides):
        frame = overrides.set_index("mode") if "mode" in overrides.columns else overrides
        frame = frame.reindex(columns=table.columns.intersection(frame.columns))
        table.update(frame.dropna(how="all"))
    return table


def build_lanes(
    weight_kg: np.ndarray,
    value_usd: np.ndarray,
    products: Sequence[str],
    countries: Sequence[str],
    distances: Distances,
    params: CostParameters,
    modes: pd.DataFrame | None = None,
    carrying_rate: np.ndarray | None = None,
    safety_days: np.ndarray | None = None,
) -> Lanes:
    """Choose a mode for every (product, origin, destination) and price it.

    Parameters
    ----------
    weight_kg, value_usd : ndarray
        Per product: shipping weight and value of one unit (for the carrying cost).
    products : sequence of str
        Product ids, in the order of ``weight_kg``.
    countries : sequence of str
        ISO3 codes; lanes are computed between every pair.
    distances : Distances
        Great-circle or CEPII distances.
    params : CostParameters
        Carrying rate and safety-stock days by mode.
    modes : pandas.DataFrame, optional
        The network's overrides of mode parameters.
    carrying_rate, safety_days : ndarray, optional
        Per product: carrying rate (fraction/year) and safety days (NaN: the mode's), as
        the network sets them (:func:`shoring.costs.user_costs.user_costs`); default the
        cost parameters'.
    """
    table = mode_parameters(modes).loc[list(MODES)]
    dist = distances.matrix(countries, countries)
    allowed = mode_mask(countries, countries, dist).to_numpy()  # (o, d, mode)
    km = dist.to_numpy()[None, :, :, None]  # (1, o, d, 1)
    weight = np.asarray(weight_kg, dtype=float)[:, None, None, None]
    value = np.asarray(value_usd, dtype=float)[:, None, None, None]

    def col(name: str) -> np.ndarray:
        return table[name].to_numpy(dtype=float)[None, None, None, :]

    routing = col("routing_factor")
    freight = f.freight_cost(
        weight, km, routing, col("cost_usd_per_tonne_km"), col("handling_usd_per_tonne")
    )
    transit = f.transit_days(km, routing, col("speed_km_per_day"), col("dwell_days"))
    safety = np.array([params.safety_stock_days[m] for m in MODES])[None, None, None, :]
    rate: float | np.ndarray = params.inventory_carrying_rate
    if carrying_rate is not None:
        rate = np.asarray(carrying_rate, dtype=float)[:, None, None, None]
    if safety_days is not None:
        own = np.asarray(safety_days, dtype=float)[:, None, None, None]
        safety = np.where(np.isnan(own), safety, own)
    carrying = f.inventory_cost(value, rate, transit, safety)
    score = np.where(allowed[None], freight + carrying, np.inf)
    choice = np.argmin(score, axis=-1)[..., None]  # (p, o, d, 1)
    unreachable = ~allowed.any(axis=-1)[None].repeat(len(products), axis=0)

    def pick(values: np.ndarray) -> np.ndarray:
        full = np.broadcast_to(values, score.shape)
        picked = np.take_along_axis(full, choice, axis=-1)[..., 0]
        return np.where(unreachable, np.nan, picked)

    co2 = weight / 1000.0 * km * routing * col("co2_kg_per_tonne_km")
    coords = {"product": list(products), "origin": list(countries), "destination": list(countries)}
    dims = ("product", "origin", "destination")
    mode_names = np.asarray(MODES, dtype=object)[choice[..., 0]]
    mode_names = np.where(unreachable, "", mode_names)
    return Lanes(
        mode=xr.DataArray(mode_names, dims=dims, coords=coords),
        freight=xr.DataArray(pick(freight), dims=dims, coords=coords),
        transit_days=xr.DataArray(pick(transit), dims=dims, coords=coords),
        safety_days=xr.DataArray(pick(safety), dims=dims, coords=coords),
        co2_kg=xr.DataArray(pick(co2), dims=dims, coords=coords),
        distance_km=xr.DataArray(
            np.broadcast_to(dist.to_numpy(), (len(products), *dist.shape)), dims=dims, coords=coords
        ),
    )
