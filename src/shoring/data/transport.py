"""Transport modes, land connectivity and scalar cost parameters of the landed-cost engine.

Three embedded tables, each with a data card beside it:

- ``transport_modes.csv``: one row per (mode, parameter) with its value, unit, year,
  basis (``published``, ``derived`` or ``assumption``), source, URL and the derivation.
  :func:`transport_modes` pivots it to one row per mode.
- ``land_connectivity.csv``: ISO3 -> landmass, the connected components of the
  land-border graph (mledoze/countries, ODbL) with documented exceptions (Channel
  Tunnel, Darien Gap, ...). Built by ``scripts/build_land_connectivity.py``.
- ``cost_parameters.yaml``: inventory carrying rate, safety stock, cargo insurance,
  loaded by
  :func:`cost_parameters` into a frozen :class:`CostParameters`.

The per-tonne-km rate, speed and CO2 factor are defined on network km (great-circle km
times the mode's ``routing_factor``, or the sea route for ocean); freight is charged on
the chargeable weight (actual or volumetric, whichever binds). The formulas live in
:mod:`shoring.costs.formulas` (one implementation) and :mod:`shoring.costs.lanes`
applies them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal, TypeVar, get_args

import numpy as np
import pandas as pd
import xarray as xr
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shoring.data.countries import suggest_countries, to_iso3
from shoring.data.paths import TABLES_DIR
from shoring.errors import UnknownCountryError

_Table = TypeVar("_Table", bound=BaseModel)

Mode = Literal["ocean", "air", "rail", "truck"]
"""A transport mode."""

MODES: tuple[Mode, ...] = get_args(Mode)
"""All modes, in the order of the ``mode`` dimension of :func:`mode_mask`."""

LAND_MODES: tuple[Mode, ...] = ("rail", "truck")
"""Modes that need a land connection between origin and destination."""

MODE_COLUMNS = (
    "cost_usd_per_tonne_km",
    "handling_usd_per_tonne",
    "speed_km_per_day",
    "dwell_days",
    "routing_factor",
    "co2_kg_per_tonne_km",
    "max_distance_km",
    "min_distance_km",
    "volumetric_kg_per_m3",
    "container_payload_kg",
    "lead_time_sd_days",
)
"""Numeric columns of :func:`transport_modes`."""


# --------------------------------------------------------------------------- modes
@cache
def _mode_table() -> pd.DataFrame:
    frame = pd.read_csv(TABLES_DIR / "transport_modes.csv", keep_default_na=False)
    frame["value"] = frame["value"].astype(float)
    return frame


def transport_mode_sources() -> pd.DataFrame:
    """Every transport figure with its provenance, one row per (mode, parameter).

    Returns
    -------
    pandas.DataFrame
        Columns ``mode``, ``parameter``, ``value``, ``unit``, ``year``, ``basis``
        (``published``, ``derived`` or ``assumption``), ``source``, ``url`` (empty for
        assumptions) and ``derivation`` (the arithmetic from the cited figure). A copy.
    """
    return _mode_table().copy()


@cache
def _modes_wide() -> pd.DataFrame:
    long = _mode_table()
    wide = long.pivot(index="mode", columns="parameter", values="value")
    wide = wide.reindex(index=list(MODES), columns=list(MODE_COLUMNS))
    cost = long[long["parameter"] == "cost_usd_per_tonne_km"].set_index("mode")
    wide["cost_year"] = cost["year"].reindex(wide.index).astype(int)
    wide["source"] = cost["source"].reindex(wide.index)
    wide["url"] = cost["url"].reindex(wide.index)
    wide.index.name = "mode"
    wide.columns.name = None
    return wide


def transport_modes() -> pd.DataFrame:
    """Default parameters of the four transport modes.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``mode`` (ocean, air, rail, truck). Columns:
        ``cost_usd_per_tonne_km`` (per network km), ``handling_usd_per_tonne`` (per
        shipment, both ends together), ``speed_km_per_day`` (network km, line haul incl.
        slow steaming and port calls), ``dwell_days`` (ports, terminals, customs),
        ``routing_factor`` (network / great-circle km), ``co2_kg_per_tonne_km``,
        ``max_distance_km`` (network km; ``inf`` = no limit), ``min_distance_km``
        (great-circle km, applied between land-connected countries only),
        ``volumetric_kg_per_m3`` (chargeable kg per m3 of volume),
        ``container_payload_kg`` (ocean only: cargo per 40ft container),
        ``lead_time_sd_days`` (standard deviation of a lane's lead time, the basis of
        its safety stock), and the
        year, ``source`` and ``url`` of the cost figure. Every other figure's source is
        in :func:`transport_mode_sources`. A copy: edit freely.
    """
    return _modes_wide().copy()


# -------------------------------------------------------------- land connectivity
@cache
def _landmass_table() -> pd.Series:
    frame = pd.read_csv(TABLES_DIR / "land_connectivity.csv", keep_default_na=False)
    return frame.set_index("iso3")["landmass"]


def land_connectivity() -> pd.DataFrame:
    """ISO3 -> landmass table, with the documented exception of each row (a copy).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso3``; str columns ``landmass`` and ``exception`` ("" if none).
    """
    return pd.read_csv(TABLES_DIR / "land_connectivity.csv", keep_default_na=False).set_index(
        "iso3"
    )


def _landmass_ids(codes: np.ndarray) -> np.ndarray:
    table = _landmass_table()
    flat = codes.ravel()
    position = table.index.get_indexer(flat)
    if (position < 0).any():
        bad = str(flat[np.flatnonzero(position < 0)[0]])
        raise UnknownCountryError(bad, suggest_countries(bad))
    return position.reshape(codes.shape)


def landmass(iso3: str | Sequence[str] | np.ndarray) -> np.ndarray:
    """Landmass id of each ISO3 code (the ISO3 of the landmass's largest country).

    Parameters
    ----------
    iso3 : str or array of str
        ISO3 code(s), upper case.

    Returns
    -------
    numpy.ndarray
        Object array of landmass ids, shaped like ``iso3``.

    Raises
    ------
    UnknownCountryError
        For a code not in the table (the error lists close matches).
    """
    codes = np.asarray(iso3, dtype=object)
    labels = _landmass_table().to_numpy(dtype=object)
    return labels[_landmass_ids(codes)]


def land_connected(
    origins: str | Sequence[str] | np.ndarray, destinations: str | Sequence[str] | np.ndarray
) -> np.ndarray:
    """Whether truck and rail can run between countries (same landmass).

    Parameters
    ----------
    origins, destinations : str or array-like of ISO3 codes
        Broadcast against each other with numpy rules; pass ``o[:, None]`` and ``d``
        for a full origin x destination matrix.

    Returns
    -------
    numpy.ndarray of bool
        ``True`` where both lie on the same landmass (always for the same country).
    """
    labels = _landmass_table().to_numpy(dtype=object)
    o = labels[_landmass_ids(np.asarray(origins, dtype=object))]
    d = labels[_landmass_ids(np.asarray(destinations, dtype=object))]
    return np.asarray(o == d, dtype=bool)


def mode_mask(
    origins: Sequence[str],
    destinations: Sequence[str],
    distance_km: float | np.ndarray | xr.DataArray,
) -> xr.DataArray:
    """Which modes each origin-destination pair can use.

    Rules: the same country is served by truck and rail only; rail and truck need a
    land connection (:func:`land_connected`) and a network distance within the mode's
    ``max_distance_km``; ocean and air serve different countries, and between
    land-connected countries only from the mode's ``min_distance_km`` (great-circle).

    Parameters
    ----------
    origins, destinations : sequence of str
        ISO3 codes (1-D).
    distance_km : float, array (n_origins, n_destinations) or xarray.DataArray
        Great-circle distances; a DataArray with dims ``origin`` and ``destination`` is
        aligned to the given codes.

    Returns
    -------
    xarray.DataArray of bool
        Dims ``(origin, destination, mode)``, mode coordinate :data:`MODES`.
    """
    o = np.asarray(origins, dtype=object).ravel()
    d = np.asarray(destinations, dtype=object).ravel()
    if isinstance(distance_km, xr.DataArray):
        gc = distance_km.sel(origin=list(o), destination=list(d)).transpose("origin", "destination")
        gc_values = gc.to_numpy().astype(float)
    else:
        gc_values = np.broadcast_to(np.asarray(distance_km, dtype=float), (o.size, d.size))
    same = o[:, None] == d[None, :]
    connected = land_connected(o[:, None], d[None, :])
    table = _modes_wide()
    layers = []
    for mode in MODES:
        row = table.loc[mode]
        network = gc_values * row["routing_factor"]
        within = network <= row["max_distance_km"]
        if mode in LAND_MODES:
            allowed = connected & (same | within)
        else:
            far_enough = ~connected | (gc_values >= row["min_distance_km"])
            allowed = ~same & within & far_enough
        layers.append(allowed)
    return xr.DataArray(
        np.stack(layers, axis=-1),
        dims=("origin", "destination", "mode"),
        coords={"origin": o, "destination": d, "mode": list(MODES)},
        name="mode_allowed",
    )


def allowed_modes(origin: str, destination: str, distance_km: float) -> list[Mode]:
    """Modes one lane can use (see :func:`mode_mask` for the rules).

    Parameters
    ----------
    origin, destination : str
        Country names or ISO codes.
    distance_km : float
        Great-circle distance between them.

    Returns
    -------
    list of Mode
        In :data:`MODES` order.
    """
    o, d = to_iso3(origin), to_iso3(destination)
    mask = mode_mask([o], [d], distance_km).to_numpy()[0, 0]
    return [mode for mode, ok in zip(MODES, mask, strict=True) if ok]


# -------------------------------------------------------------- cost parameters
class ParameterSource(BaseModel):
    """A publication a parameter is taken or derived from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=3)
    year: int | str
    url: str = Field(min_length=8)


class Provenance(BaseModel):
    """Value, unit and origin of one scalar cost parameter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    unit: str = Field(min_length=2)
    basis: Literal["published", "derived", "assumption"]
    source: ParameterSource | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _cited_or_assumed(self) -> Provenance:
        if self.basis != "assumption" and self.source is None:
            raise ValueError(f"a {self.basis} parameter needs a source (name, year, url)")
        if self.basis == "assumption" and not self.note:
            raise ValueError("an assumption needs a note saying what is assumed")
        return self


class CostParameters(BaseModel):
    """Scalar defaults of the landed-cost engine (see ``tables/cost_parameters.yaml``).

    Attributes
    ----------
    inventory_carrying_rate : float
        Annual carrying cost as a fraction of unit value (0.25 = 25%/year).
    safety_stock_service_level : float
        Cycle service level the safety stock is set for (probability of no stock-out
        in a replenishment cycle).
    demand_cv_daily : float
        Coefficient of variation of a day's demand (standard deviation / mean).
    cargo_insurance_rate : float
        Premium as a fraction of insured value.
    insurance_cover_markup : float
        Insured value per unit of CIF value (1.10, Incoterms 2020).
    provenance : dict of str to Provenance
        Unit, basis and source of every field above.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    inventory_carrying_rate: float = Field(ge=0, le=1)
    safety_stock_service_level: float = Field(gt=0, lt=1)
    demand_cv_daily: float = Field(ge=0)
    cargo_insurance_rate: float = Field(ge=0, lt=0.5)
    insurance_cover_markup: float = Field(ge=1)
    provenance: dict[str, Provenance]

    @model_validator(mode="after")
    def _complete(self) -> CostParameters:
        fields = set(type(self).model_fields) - {"provenance"}
        if set(self.provenance) != fields:
            raise ValueError(
                f"provenance keys {sorted(self.provenance)} != fields {sorted(fields)}"
            )
        return self


def parameter_table(name: str, model: type[_Table]) -> _Table:
    """Load a table of cited scalar parameters (value, unit, basis, source, note each).

    Parameters
    ----------
    name : str
        File name under the embedded tables, e.g. ``"cost_parameters.yaml"``.
    model : type
        Pydantic model with one field per entry and a ``provenance`` field.

    Returns
    -------
    The model, validated.
    """
    raw: Mapping[str, Any] = yaml.safe_load((TABLES_DIR / name).read_text(encoding="utf-8"))
    provenance = {key: Provenance.model_validate(entry) for key, entry in raw.items()}
    values = {key: entry.value for key, entry in provenance.items()}
    return model.model_validate({**values, "provenance": provenance})


@cache
def cost_parameters() -> CostParameters:
    """Load the default scalar cost parameters.

    Returns
    -------
    CostParameters
        Frozen; make a changed copy with ``params.model_copy(update={...})``.
    """
    return parameter_table("cost_parameters.yaml", CostParameters)
