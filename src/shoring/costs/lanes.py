"""Transport lanes: mode choice, freight, lead time and CO2 per product and pair of places.

A *place* is a point goods move between: a site, supplier or market location (or a
country's capital where none is given). Lane geometry is computed once per study
(:func:`build_lanes`): great-circle km between places, each place's nearest container
port and the sea route between ports (:mod:`shoring.data.sea_routes`). Prices depend on
the year (dated ocean rates) and on closed chokepoints, so :meth:`Lanes.at` prices a
(year, closed chokepoints) pair on demand and caches it.

Per mode, with the formulas of :mod:`shoring.costs.formulas`::

    chargeable_t = max(weight, volume * volumetric_kg_per_m3) / 1000
    air, rail, truck: freight = chargeable_t * (gc_km * routing * rate + handling)
    ocean:            freight = chargeable_t * (sea_km * rate(lane, year) + handling)
                                + truck legs to and from the ports
    insurance = cargo insurance on the CIF value (added to freight)
    safety stock (days of demand) = z * sqrt(transit * cv^2 + lead_time_sd^2)
                  (service level z, daily demand variability cv: cost parameters;
                  lead_time_sd by mode), unless the product or network sets its days

The ocean rate per tonne-km is the lane's Drewry WCI rate of the year per 40ft container
(:mod:`shoring.data.freight_rates`) over the container payload and the open sea route,
so a closed chokepoint raises the cost in proportion to the longer route. User freight
quotes (the network's ``freight_quotes`` table) replace the default door-to-door price
of their (origin, destination, mode) lanes. For every
(product, origin, destination) the mode with the lowest freight plus carrying cost of
the goods in transit and in safety stock is chosen.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import xarray as xr

from shoring.costs import formulas as f
from shoring.costs.places import NodePlaces, Places, great_circle_matrix
from shoring.data.countries import to_iso3
from shoring.data.distances import Distances
from shoring.data.freight_rates import ocean_usd_per_feu, port_ranges
from shoring.data.sea_routes import (
    SHARED_ROUTER,
    SeaRouter,
    chokepoint_passages,
    container_ports,
    nearest_ports,
)
from shoring.data.transport import MODES, CostParameters, mode_mask, transport_modes
from shoring.scenario import Scenario, chokepoint_days

OCEAN, TRUCK = MODES.index("ocean"), MODES.index("truck")


def mode_parameters(overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Default mode parameters with a network's ``modes`` table laid over them.

    Parameters
    ----------
    overrides : pandas.DataFrame, optional
        Rows with a ``mode`` column (or index) and any of the numeric columns of
        :func:`shoring.data.transport.transport_modes`; missing values keep the default.

    Returns
    -------
    pandas.DataFrame
        As :func:`shoring.data.transport.transport_modes`.
    """
    table = transport_modes()
    if overrides is not None and len(overrides):
        frame = overrides.set_index("mode") if "mode" in overrides.columns else overrides
        frame = frame.reindex(columns=table.columns.intersection(frame.columns))
        table.update(frame.dropna(how="all"))
    return table


@dataclass(frozen=True)
class Quote:
    """A user freight quote resolved to places; it replaces the default door-to-door
    transport price of its lanes and mode (cargo insurance is still added).

    Attributes
    ----------
    origins, destinations : ndarray of int
        Place indices the quote covers.
    mode : int
        Index into :data:`shoring.data.transport.MODES`.
    products : ndarray of int
        Product indices.
    usd_per_unit, usd_per_container : float
        One of them is NaN; a container price is shared by each unit's 40ft-container
        fill (weight or volume, whichever binds).
    valid_from, valid_to : datetime.date or None
        The quote prices a year when it is valid on 1 July of that year.
    """

    origins: np.ndarray
    destinations: np.ndarray
    mode: int
    products: np.ndarray
    usd_per_unit: float
    usd_per_container: float
    valid_from: dt.date | None
    valid_to: dt.date | None

    def in_force(self, year: int) -> bool:
        """Whether the quote prices ``year`` (valid on its 1 July).

        Parameters
        ----------
        year : int
            Calendar year.

        Returns
        -------
        bool
        """
        mid = dt.date(int(year), 7, 1)
        return (self.valid_from is None or self.valid_from <= mid) and (
            self.valid_to is None or mid <= self.valid_to
        )


def resolve_quotes(
    quotes: pd.DataFrame,
    located: NodePlaces,
    sites: pd.DataFrame,
    suppliers: pd.DataFrame,
    markets: pd.DataFrame,
    products: Sequence[str],
) -> tuple[Quote, ...]:
    """A network's ``freight_quotes`` rows as :class:`Quote` objects over places.

    Parameters
    ----------
    quotes : pandas.DataFrame
        The network's ``freight_quotes`` table (origin/destination: node id or country).
    located : NodePlaces
        The network's places (:func:`shoring.costs.places.node_places`).
    sites, suppliers, markets : pandas.DataFrame
        Network tables, in the order ``located`` indexes them.
    products : sequence of str
        Product ids in the lanes' order.

    Returns
    -------
    tuple of Quote
        Ordered by ``valid_from`` (open first), so a later quote wins where two overlap.
    """
    if quotes is None or quotes.empty:
        return ()
    node_place = {
        **dict(zip(sites.index, located.site, strict=True)),
        **dict(zip(suppliers.index, located.supplier, strict=True)),
        **dict(zip(markets.index, located.market, strict=True)),
    }
    country = located.places.country

    def where(spec: str) -> np.ndarray:
        if spec in node_place:
            return np.array([node_place[spec]])
        return np.flatnonzero(country == to_iso3(spec))

    order = quotes.assign(_from=quotes["valid_from"].fillna(dt.date.min)).sort_values("_from")
    product_index = {p: i for i, p in enumerate(products)}
    out = []
    for row in order.itertuples(index=False):
        chosen = (
            np.arange(len(products))
            if pd.isna(row.product)
            else np.array([product_index[row.product]])
        )
        out.append(
            Quote(
                origins=where(row.origin),
                destinations=where(row.destination),
                mode=MODES.index(str(row.mode)),
                products=chosen,
                usd_per_unit=float(row.usd_per_unit),
                usd_per_container=float(row.usd_per_container),
                valid_from=None if pd.isna(row.valid_from) else row.valid_from,
                valid_to=None if pd.isna(row.valid_to) else row.valid_to,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class LaneCosts:
    """Chosen mode and its freight, transit time and CO2 per unit, for one year.

    ``mode``, ``freight`` (transport and cargo insurance), ``transit_days``,
    ``safety_days`` and ``co2_kg`` have dims (``product``, ``origin``, ``destination``);
    ``distance_km`` (great-circle), ``sea_km`` (port to port, with the closures) and
    ``chokepoints`` (names the sea route passes, ``", "``-joined) have dims
    (``origin``, ``destination``).
    """

    mode: xr.DataArray
    freight: xr.DataArray
    transit_days: xr.DataArray
    safety_days: xr.DataArray
    co2_kg: xr.DataArray
    distance_km: xr.DataArray
    sea_km: xr.DataArray
    chokepoints: xr.DataArray


@dataclass(frozen=True)
class Lanes:
    """Lane geometry of a study; price it with :meth:`at`."""

    products: np.ndarray
    places: Places
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    value_usd: np.ndarray
    table: pd.DataFrame  # mode parameters, rows in MODES order
    params: CostParameters
    ocean_rate_override: bool
    gc_km: np.ndarray  # (o, d)
    allowed: np.ndarray  # (o, d, mode)
    port: np.ndarray  # (place,)
    port_km: np.ndarray  # (place,) great-circle km to the port
    port_range: np.ndarray  # (place,)
    sea_open_km: np.ndarray  # (o, d)
    router: SeaRouter = field(repr=False)
    quotes: tuple[Quote, ...] = ()
    carrying_rate: np.ndarray | None = None  # (product,) fraction/year
    safety_days: np.ndarray | None = None  # (product,) NaN: from lead-time variability
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ------------------------------------------------------------------- geometry
    def sea_routes(self, closed: frozenset[str] = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        """Port-to-port km and chokepoints of every (origin, destination) place pair.

        Parameters
        ----------
        closed : frozenset of str
            Graph passage tags to avoid (:func:`shoring.data.sea_routes.chokepoint_passages`).

        Returns
        -------
        km : ndarray (origin, destination)
            Sea-route km (0 between places sharing a port; inf where every route is closed).
        chokepoints : ndarray of str (origin, destination)
            Passages crossed, ``", "``-joined.
        """
        n = self.port.size
        pairs = pd.DataFrame(
            {"o": np.repeat(self.port, n), "d": np.tile(self.port, n)}
        ).drop_duplicates()
        km, points = self.router.routes(list(pairs["o"]), list(pairs["d"]), closed)
        key = pd.MultiIndex.from_frame(pairs)
        lookup = pd.MultiIndex.from_arrays([np.repeat(self.port, n), np.tile(self.port, n)])
        at = key.get_indexer(lookup)
        names = np.array([", ".join(p) for p in points], dtype=object)
        return km[at].reshape(n, n), names[at].reshape(n, n)

    # -------------------------------------------------------------------- pricing
    def at(self, year: int, closed: frozenset[str] = frozenset()) -> LaneCosts:
        """Prices of every lane in ``year`` with the ``closed`` chokepoints avoided (cached).

        Parameters
        ----------
        year : int
            Calendar year of the ocean rates.
        closed : frozenset of str
            Graph passage tags to avoid.

        Returns
        -------
        LaneCosts
        """
        key = (int(year), frozenset(closed))
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            found = self._price(*key)
            with self._lock:
                self._cache[key] = found
        return found

    def blend(self, year: int, weights: dict[frozenset[str], float]) -> LaneCosts:
        """Day-weighted prices when chokepoints open or close during the year (cached).

        Parameters
        ----------
        year : int
            Calendar year.
        weights : dict of frozenset to float
            Closed passages -> share of the year.

        Returns
        -------
        LaneCosts
            Freight, transit, safety days and CO2 averaged with the weights; mode, sea
            km and chokepoints of the set with the largest weight.
        """
        if len(weights) == 1:
            return self.at(year, next(iter(weights)))
        key = ("blend", int(year), frozenset(weights.items()))
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        parts = {closed: self.at(year, closed) for closed in weights}
        total = sum(weights.values())
        main = parts[max(weights, key=lambda k: weights[k])]

        def mean(name: str) -> xr.DataArray:
            return sum(getattr(p, name) * (weights[k] / total) for k, p in parts.items())

        found = replace(
            main,
            freight=mean("freight"),
            transit_days=mean("transit_days"),
            safety_days=mean("safety_days"),
            co2_kg=mean("co2_kg"),
        )
        with self._lock:
            self._cache[key] = found
        return found

    def _col(self, name: str) -> np.ndarray:
        return self.table[name].to_numpy(dtype=float)

    def _geometry(self, closed: frozenset[str]) -> dict[str, np.ndarray]:
        """What the lanes' prices share across years (cached per set of closures):
        distances, transport cost at the modes' own rates, transit and safety days,
        carrying cost of the goods in transit and CO2, all (p, o, d, mode)."""
        key = ("geometry", frozenset(closed))
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        sea_km, _ = self.sea_routes(closed) if closed else self._open_routes()
        routing, rate = self._col("routing_factor"), self._col("cost_usd_per_tonne_km")
        handling, speed = self._col("handling_usd_per_tonne"), self._col("speed_km_per_day")
        dwell = self._col("dwell_days")
        # network km and rate per mode: (o, d, mode)
        km = self.gc_km[:, :, None] * routing
        km[:, :, OCEAN] = sea_km
        inland_km = (self.port_km[:, None] + self.port_km[None, :]) * routing[TRUCK]
        chargeable = f.chargeable_tonnes(
            self.weight_kg[:, None], self.volume_m3[:, None], self._col("volumetric_kg_per_m3")
        )[:, None, None, :]  # (p, 1, 1, mode)
        transport = f.freight_cost(chargeable, km[None], rate, handling)
        inland = f.freight_cost(chargeable[..., TRUCK], inland_km[None], rate[TRUCK], 0.0)
        transport[..., OCEAN] += inland
        transit = f.transit_days(km, speed, dwell)
        transit[:, :, OCEAN] += f.transit_days(inland_km, speed[TRUCK], 0.0)
        z = f.service_z(self.params.safety_stock_service_level)
        lead_sd = self._col("lead_time_sd_days")  # by mode
        safety = f.safety_stock_days(z, transit, self.params.demand_cv_daily, lead_sd)[None]
        own = self.safety_days[:, None, None, None]  # the product's or network's days
        safety = np.where(np.isnan(own), safety, own)
        value = self.value_usd[:, None, None, None]
        carrying = f.inventory_cost(value, self.carrying_rate[:, None, None, None], transit, safety)
        weight_t = self.weight_kg[:, None, None, None] / 1000.0
        co2 = weight_t * km[None] * self._col("co2_kg_per_tonne_km")
        co2[..., OCEAN] += weight_t[..., 0] * inland_km * self._col("co2_kg_per_tonne_km")[TRUCK]
        found = {
            "km": km,
            "chargeable": chargeable,
            "transport": transport,
            "inland": inland,
            "transit": transit,
            "safety": safety,
            "carrying": carrying,
            "co2": co2,
            "ok": self.allowed & np.isfinite(km) & np.isfinite(rate),
        }
        with self._lock:
            self._cache[key] = found
        return found

    def _price(self, year: int, closed: frozenset[str]) -> LaneCosts:
        sea_km, chokepoints = self.sea_routes(closed) if closed else self._open_routes()
        geo = self._geometry(closed)
        km, chargeable, transport = geo["km"], geo["chargeable"], geo["transport"]
        ok = geo["ok"]
        if not self.ocean_rate_override:  # the year's container rates (Drewry WCI)
            n = self.port.size
            feu, _ = ocean_usd_per_feu(
                np.repeat(self.port_range, n), np.tile(self.port_range, n),
                self.sea_open_km.ravel(), year,
            )  # fmt: skip
            payload_t = self._col("container_payload_kg")[OCEAN] / 1000.0
            with np.errstate(divide="ignore", invalid="ignore"):
                per_tkm = feu.reshape(n, n) / (payload_t * self.sea_open_km)
            transport = transport.copy()
            transport[..., OCEAN] = (
                f.freight_cost(
                    chargeable[..., OCEAN],
                    km[None, :, :, OCEAN],
                    per_tkm[None],
                    self._col("handling_usd_per_tonne")[OCEAN],
                )
                + geo["inland"]
            )
            ok = ok.copy()
            ok[:, :, OCEAN] = self.allowed[:, :, OCEAN] & np.isfinite(km[:, :, OCEAN])
            ok[:, :, OCEAN] &= np.isfinite(per_tkm)
        quoted = np.zeros(self.allowed.shape, dtype=bool)
        payload_t = self._col("container_payload_kg")[OCEAN] / 1000.0
        quotes = [q for q in self.quotes if q.in_force(year)]
        if quotes and transport is geo["transport"]:
            transport = transport.copy()
        for quote in quotes:
            if np.isnan(quote.usd_per_unit):
                share = chargeable[quote.products, 0, 0, OCEAN] / payload_t  # 40ft fill
                price = share * quote.usd_per_container
            else:
                price = np.full(quote.products.size, quote.usd_per_unit)
            cells = np.ix_(quote.products, quote.origins, quote.destinations, [quote.mode])
            transport[cells] = price[:, None, None, None]
            quoted[np.ix_(quote.origins, quote.destinations, [quote.mode])] = True
        insurance_rate = self.params.cargo_insurance_rate * self.params.insurance_cover_markup
        value = self.value_usd[:, None, None, None]
        freight = transport + f.cargo_insurance(value, transport, insurance_rate)
        transit, safety, co2 = geo["transit"], geo["safety"], geo["co2"]
        ok = ok | quoted
        score = freight + geo["carrying"]
        np.copyto(score, np.inf, where=~ok[None])  # in place: one 4-D temporary fewer
        choice = np.argmin(score, axis=-1)[..., None]  # (p, o, d, 1)
        shape = score.shape
        del score
        unreachable = ~np.take_along_axis(np.broadcast_to(ok, shape), choice, -1)[..., 0]

        def pick(values: np.ndarray) -> np.ndarray:
            full = np.broadcast_to(values, shape)
            return np.where(unreachable, np.nan, np.take_along_axis(full, choice, -1)[..., 0])

        labels = list(self.places.label)
        coords = {"product": list(self.products), "origin": labels, "destination": labels}
        dims = ("product", "origin", "destination")
        # fixed-width text (an object array of one string per lane is slow to build)
        names = np.asarray([*MODES, ""])[np.where(unreachable, len(MODES), choice[..., 0])]
        pair = {"origin": labels, "destination": labels}
        return LaneCosts(
            mode=xr.DataArray(names, dims=dims, coords=coords),
            freight=xr.DataArray(pick(freight), dims=dims, coords=coords),
            transit_days=xr.DataArray(pick(transit[None]), dims=dims, coords=coords),
            safety_days=xr.DataArray(pick(safety), dims=dims, coords=coords),
            co2_kg=xr.DataArray(pick(co2), dims=dims, coords=coords),
            distance_km=xr.DataArray(self.gc_km, dims=dims[1:], coords=pair),
            sea_km=xr.DataArray(sea_km, dims=dims[1:], coords=pair),
            chokepoints=xr.DataArray(chokepoints, dims=dims[1:], coords=pair),
        )

    def _open_routes(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            found = self._cache.get("open")
        if found is None:
            found = self.sea_routes()
            with self._lock:
                self._cache["open"] = found
        return found


def scenario_lanes(lanes: Lanes, scenario: Scenario, year: int) -> LaneCosts:
    """Lane prices of a scenario-year: chokepoints closed part of the year, day-weighted.

    Parameters
    ----------
    lanes : Lanes
        The study's lanes.
    scenario : Scenario
        Its ``chokepoint_closure`` measures close passages.
    year : int
        Calendar year.

    Returns
    -------
    LaneCosts
    """
    days = chokepoint_days(scenario, year)
    weights: dict[frozenset[str], float] = {}
    for names, n in days.items():
        closed = chokepoint_passages(names)
        weights[closed] = weights.get(closed, 0.0) + float(n)
    return lanes.blend(year, weights)


def build_lanes(
    weight_kg: np.ndarray,
    value_usd: np.ndarray,
    products: Sequence[str],
    places: Sequence[str] | Places,
    distances: Distances,
    params: CostParameters,
    modes: pd.DataFrame | None = None,
    volume_m3: np.ndarray | None = None,
    router: SeaRouter | None = None,
    quotes: Sequence[Quote] = (),
    carrying_rate: np.ndarray | None = None,
    safety_days: np.ndarray | None = None,
) -> Lanes:
    """Lane geometry between every pair of places; price it with :meth:`Lanes.at`.

    Parameters
    ----------
    weight_kg, value_usd : ndarray
        Per product: shipping weight and value of one unit (for insurance and carrying).
    products : sequence of str
        Product ids, in the order of ``weight_kg``.
    places : sequence of str or Places
        ISO3 codes (each at its capital) or located places; lanes join every pair.
    distances : Distances
        Great-circle or CEPII distances (used between capitals).
    params : CostParameters
        Carrying rate, safety-stock service level and demand variability, cargo
        insurance.
    modes : pandas.DataFrame, optional
        The network's overrides of mode parameters; an ocean ``cost_usd_per_tonne_km``
        there replaces the dated WCI rates.
    volume_m3 : ndarray, optional
        Per product: shipping volume of one unit (m3); NaN or absent = weight binds.
    quotes : sequence of Quote, optional
        User freight quotes (:func:`resolve_quotes`); they win over the defaults.
    router : SeaRouter, optional
        Route cache; the process-wide :data:`shoring.data.sea_routes.SHARED_ROUTER` by
        default.
    carrying_rate, safety_days : ndarray, optional
        Per product: carrying rate (fraction/year) and safety days (NaN: from the lane's
        lead-time variability), as
        the network sets them (:func:`shoring.costs.user_costs.user_costs`); default the
        cost parameters'.

    Returns
    -------
    Lanes
    """
    where = places if isinstance(places, Places) else Places.capitals(places)
    n = len(products)
    table = mode_parameters(modes).loc[list(MODES)]
    override = (
        modes is not None
        and "cost_usd_per_tonne_km" in modes.columns
        and "ocean" in modes.index
        and bool(np.isfinite(modes.at["ocean", "cost_usd_per_tonne_km"]))
    )
    gc = great_circle_matrix(where, distances)
    allowed = mode_mask(list(where.country), list(where.country), gc).to_numpy()
    port, port_km = nearest_ports(where.lat, where.lon)
    ports = container_ports().loc[list(port)]
    ranges = port_ranges(port, ports["lon"].to_numpy(), ports["lat"].to_numpy())
    lanes = Lanes(
        products=np.asarray(list(products), dtype=object),
        places=where,
        weight_kg=np.asarray(weight_kg, dtype=float),
        volume_m3=np.nan_to_num(np.zeros(len(products)) if volume_m3 is None else volume_m3),
        value_usd=np.asarray(value_usd, dtype=float),
        table=table,
        params=params,
        ocean_rate_override=override,
        gc_km=gc,
        allowed=allowed,
        port=port,
        port_km=port_km,
        port_range=ranges,
        sea_open_km=np.zeros(gc.shape),
        router=router or SHARED_ROUTER,
        quotes=tuple(quotes),
        carrying_rate=np.full(n, params.inventory_carrying_rate)
        if carrying_rate is None
        else np.asarray(carrying_rate, dtype=float),
        safety_days=np.full(n, np.nan) if safety_days is None else np.asarray(safety_days, float),
    )
    open_km, _ = lanes._open_routes()
    object.__setattr__(lanes, "sea_open_km", open_km)
    share_port = open_km == 0.0
    lanes.allowed[:, :, OCEAN] &= ~share_port & np.isfinite(open_km)
    return lanes
