"""The arrays of a network-design model, from plain arrays or from a Network and its costs.

:class:`DesignData` is what the model builder reads: numpy arrays with a fixed layout
(documented on the class), independent of linopy. Flows that only exist on some
(product, site, market) triples are stored *sparse*, as lists of lanes, links and
offers, so that a network of 1,000 sites and 700 markets does not need dense
(product x site x market) arrays:

- a **lane** ships a finished product from a site to a market;
- a **link** moves an own-made component from a site to a site (itself included);
- an **offer** is a supplier able to deliver its component to a site.

Build one with :func:`design_data` (plain arrays / DataFrames, used by the tests and
the synthetic benchmark) or
:func:`~shoring.optimize.design.from_network.design_data_from_network` (a
:class:`~shoring.network.Network` priced by :func:`shoring.costs.lane_costs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd
import xarray as xr

from shoring.optimize.design.links import count_links, transfer_links
from shoring.optimize.design.size import check_size, estimate_size
from shoring.optimize.design.weights import resolve_probabilities

__all__ = ["DesignData", "design_data"]

_SITE_FIELDS = (
    "site_country",
    "initial_open",
    "capacity",
    "fixed_cost",
    "opening_capex",
    "closing_cost",
    "ramp_up_months",
    "expansion_capacity",
    "expansion_capex",
)


@dataclass(frozen=True, eq=False)
class DesignData:
    """Every number of a network-design model (money in USD, quantities in units/year).

    Dimension sizes: P products, S sites, M markets, U suppliers, T periods, W scenarios,
    L lanes, K links, O offers. Arrays are made read-only.

    Attributes
    ----------
    products, sites, markets, suppliers : tuple of str
        Ids, in array order.
    periods : tuple of int
        Years of the periods, increasing.
    scenarios : tuple of str
        Scenario names.
    probability : ndarray (W,)
        Scenario probabilities (sum to 1).
    period_weight : ndarray (T,)
        Years each period stands for: operating costs of a period are multiplied by it.
    site_country : ndarray (S,) of str
        ISO3 code of each site.
    initial_open : ndarray (S,) of bool
        Existing sites (open before the first period); candidates are False.
    capacity, fixed_cost, opening_capex, closing_cost, ramp_up_months : ndarray (S,)
        Total capacity (units/year), fixed cost per open year, one-off capex of opening,
        one-off cost of closing, months after opening before full capacity.
    expansion_capacity, expansion_capex : ndarray (S,)
        Optional capacity expansion (units/year added) and its one-off capex; 0 = none.
    product_capacity : ndarray (P, S)
        Per-product cap (units/year); ``inf`` where only the site total applies, 0 where
        the site cannot make the product.
    conversion : ndarray (P, S, T, W)
        Cost per unit made (labour, overhead, risk, minus incentives); NaN where the site
        cannot make the product.
    bom : ndarray (P, P)
        ``bom[p, k]``: units of component ``k`` per unit of ``p``.
    demand : ndarray (P, M, T)
        Units demanded per year.
    penalty : ndarray (P,)
        Cost of one unit of unmet demand (lost sale).
    market_country : ndarray (M,) of str
    supplier_country : ndarray (U,) of str
    supplier_component : ndarray (U,) of int
        Position of each supplier's component in ``products``.
    supplier_capacity : ndarray (U,)
    lane_product, lane_site, lane_market : ndarray (L,) of int
        The triples that can ship.
    lane_cost : ndarray (L, T, W)
        Delivery cost per unit (freight, duties, inventory, carbon); NaN where the
        scenario forbids the lane in that period (its flow is then held at 0). The same
        holds for ``conversion``, ``link_cost`` and ``offer_cost``.
    lane_lead_time : ndarray (L,)
        Lead time in days.
    link_product, link_source, link_target : ndarray (K,) of int
        Own-made component moves.
    link_cost : ndarray (K, T, W)
    offer_supplier, offer_site : ndarray (O,) of int
        Supplier -> site purchases.
    offer_cost : ndarray (O, T, W)
        Price + freight + duty per unit delivered to the site.
    origin : OriginData, optional
        Rules of origin of the lanes where qualifying depends on the sourcing
        (:mod:`~shoring.optimize.design.origin`); their ``lane_cost`` charges the
        non-qualifying duty.
    """

    products: tuple[str, ...]
    sites: tuple[str, ...]
    markets: tuple[str, ...]
    suppliers: tuple[str, ...]
    periods: tuple[int, ...]
    scenarios: tuple[str, ...]
    probability: np.ndarray
    period_weight: np.ndarray
    site_country: np.ndarray
    initial_open: np.ndarray
    capacity: np.ndarray
    fixed_cost: np.ndarray
    opening_capex: np.ndarray
    closing_cost: np.ndarray
    ramp_up_months: np.ndarray
    expansion_capacity: np.ndarray
    expansion_capex: np.ndarray
    product_capacity: np.ndarray
    conversion: np.ndarray
    bom: np.ndarray
    demand: np.ndarray
    penalty: np.ndarray
    market_country: np.ndarray
    supplier_country: np.ndarray
    supplier_component: np.ndarray
    supplier_capacity: np.ndarray
    lane_product: np.ndarray
    lane_site: np.ndarray
    lane_market: np.ndarray
    lane_cost: np.ndarray
    lane_lead_time: np.ndarray
    link_product: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    link_source: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    link_target: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    link_cost: np.ndarray | None = None
    offer_supplier: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    offer_site: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    offer_cost: np.ndarray | None = None
    origin: object | None = None  # OriginData: rules of origin as decisions (origin.py)

    def __post_init__(self) -> None:
        t, w = len(self.periods), len(self.scenarios)
        for name in ("link_cost", "offer_cost"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.zeros((0, t, w)))
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value = np.array(value)
                value.flags.writeable = False
                object.__setattr__(self, f.name, value)
            elif isinstance(value, list | tuple):
                object.__setattr__(self, f.name, tuple(value))
        p, s, m, u = len(self.products), len(self.sites), len(self.markets), len(self.suppliers)
        expect = {
            "probability": (w,),
            "period_weight": (t,),
            "product_capacity": (p, s),
            "conversion": (p, s, t, w),
            "bom": (p, p),
            "demand": (p, m, t),
            "penalty": (p,),
            "market_country": (m,),
            "supplier_country": (u,),
            "supplier_component": (u,),
            "supplier_capacity": (u,),
            "lane_cost": (len(self.lane_product), t, w),
            "lane_lead_time": (len(self.lane_product),),
            "link_cost": (len(self.link_product), t, w),
            "offer_cost": (len(self.offer_supplier), t, w),
        }
        expect.update({name: (s,) for name in _SITE_FIELDS})
        for name, shape in expect.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"{name} has shape {got}, expected {shape}")
        if list(self.periods) != sorted(set(self.periods)):
            raise ValueError("periods must be increasing and distinct")
        if not np.isclose(self.probability.sum(), 1.0) or (self.probability < 0).any():
            raise ValueError(
                f"scenario probabilities must be >= 0 and sum to 1: {self.probability}"
            )
        if (self.demand < 0).any() or not np.isfinite(self.demand).all():
            raise ValueError("demand must be finite and >= 0")

    # ------------------------------------------------------------------ helpers

    @property
    def can_make(self) -> np.ndarray:
        """(P, S) bool: the site can make the product (finite conversion cost in some
        period and scenario, positive capacity)."""
        finite = np.isfinite(self.conversion).any(axis=(2, 3))
        return finite & (self.product_capacity > 0) & (self.capacity[None, :] > 0)

    @property
    def sizes(self) -> dict[str, int]:
        """Sizes of every dimension.

        Returns
        -------
        dict of str to int
            Keys ``product, site, market, supplier, period, scenario, lane, link, offer``.
        """
        return {
            "product": len(self.products),
            "site": len(self.sites),
            "market": len(self.markets),
            "supplier": len(self.suppliers),
            "period": len(self.periods),
            "scenario": len(self.scenarios),
            "lane": len(self.lane_product),
            "link": len(self.link_product),
            "offer": len(self.offer_supplier),
        }

    def with_scenarios(self, keep: Sequence[int], probability: Sequence[float]) -> DesignData:
        """The same data restricted to some scenarios (by position), with new probabilities.

        Parameters
        ----------
        keep : sequence of int
            Positions of the scenarios kept, in the order wanted.
        probability : sequence of float
            One probability per kept scenario (>= 0, summing to 1).

        Returns
        -------
        DesignData
            A new instance; scenario-dependent costs are sliced accordingly.

        Raises
        ------
        ValueError
            If the probabilities have the wrong length or do not sum to 1.
        """
        idx = np.asarray(keep, dtype=int)
        return replace(
            self,
            scenarios=tuple(self.scenarios[i] for i in idx),
            probability=np.asarray(probability, dtype=float),
            conversion=self.conversion[..., idx],
            lane_cost=self.lane_cost[..., idx],
            link_cost=self.link_cost[..., idx],
            offer_cost=self.offer_cost[..., idx],
            origin=None if self.origin is None else self.origin.with_scenarios(idx),  # type: ignore[attr-defined]
        )

    def with_lane_cost(self, lane_cost: np.ndarray) -> DesignData:
        """The same data with other delivery costs (e.g. a raised tariff on a lane).

        Parameters
        ----------
        lane_cost : ndarray (L, T, W)
            Delivered cost per unit of each lane, period and scenario (USD/unit).

        Returns
        -------
        DesignData
            A new instance.

        Raises
        ------
        ValueError
            If ``lane_cost`` does not have shape (L, T, W).
        """
        return replace(self, lane_cost=np.asarray(lane_cost, dtype=float))

    def lanes_frame(self) -> pd.DataFrame:
        """Lanes as a DataFrame: product, site, market, lead_time_days.

        Returns
        -------
        pandas.DataFrame
            One row per lane, in lane order; lead time in days.
        """
        return pd.DataFrame(
            {
                "product": np.asarray(self.products, dtype=object)[self.lane_product],
                "site": np.asarray(self.sites, dtype=object)[self.lane_site],
                "market": np.asarray(self.markets, dtype=object)[self.lane_market],
                "lead_time_days": self.lane_lead_time,
            }
        )


# ---------------------------------------------------------------------- helpers


def _broadcast(value: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    arr = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype=float)
    try:
        return np.broadcast_to(arr, shape).astype(float)
    except ValueError:
        raise ValueError(f"{name} has shape {arr.shape}, cannot broadcast to {shape}") from None


def _finite_mean(values: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """Mean over ``axis`` of the finite entries; inf where none is finite."""
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    total = np.where(finite, values, 0.0).sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.inf)


def _nearest(cost: np.ndarray, group: np.ndarray, n_groups: int, k: int) -> np.ndarray:
    """Mask keeping, in each group, the ``k`` entries of lowest cost."""
    order = np.lexsort((cost, group))
    g = group[order]
    start = np.searchsorted(g, np.arange(n_groups))
    rank = np.arange(len(g)) - start[g]
    keep = np.zeros(len(cost), dtype=bool)
    keep[order[rank < k]] = True
    return keep


def design_data(
    *,
    products: Sequence[str],
    sites: pd.DataFrame,
    markets: pd.Series | Mapping[str, str],
    periods: Sequence[int],
    scenarios: Sequence[str],
    demand: object,
    conversion: object,
    delivery: object,
    penalty: object,
    product_capacity: object | None = None,
    lead_time: object | None = None,
    bom: object | None = None,
    suppliers: pd.DataFrame | None = None,
    supply_cost: object | None = None,
    transfer_cost: object | None = None,
    probabilities: Sequence[float] | None = None,
    period_weight: Sequence[float] | None = None,
    max_sites_per_market: int | None = None,
    transfer_country: Sequence[int] | None = None,
    check_memory: bool = True,
) -> DesignData:
    """Model data from plain arrays and DataFrames (dense costs; NaN/inf = impossible).

    Parameters
    ----------
    products : sequence of str
        Product ids (finished goods and components).
    sites : DataFrame
        Indexed by site id; columns ``country``, ``capacity_units`` and optionally
        ``status`` ("existing"/"candidate", default candidate), ``fixed_cost_usd``,
        ``opening_capex_usd``, ``closing_cost_usd``, ``ramp_up_months``,
        ``expansion_capacity_units``, ``expansion_capex_usd`` (default 0).
    markets : Series or mapping
        Market id -> country.
    periods, scenarios : sequence
        Period years and scenario names.
    demand : array (P, M, T)
    conversion : array broadcastable to (P, S, T, W)
        Cost per unit made; NaN where the site cannot make the product.
    delivery : array broadcastable to (P, S, M, T, W)
        Cost per unit shipped from a site to a market; NaN/inf = no lane.
    penalty : array broadcastable to (P,)
        Lost-sale penalty per unit.
    product_capacity : array (P, S), optional
        Per-product caps (inf/NaN = only the site total).
    lead_time : array broadcastable to (P, S, M), optional
        Lead time in days (default 0).
    bom : array (P, P), optional
        Units of component per unit of parent.
    suppliers : DataFrame, optional
        Indexed by supplier id; columns ``country``, ``component``, ``capacity_units``.
    supply_cost : array broadcastable to (U, S, T, W), optional
        Cost per unit bought from a supplier delivered to a site; NaN/inf = impossible.
    transfer_cost : array broadcastable to (P, S, S, T, W), optional
        Cost per unit of an own-made component moved from a site to a site; default 0
        between any two sites. With ``transfer_country``: shape (P, S, C, T, W), the
        cost to a destination country. Links exist only from sites that make a
        component to sites that use it (:mod:`~shoring.optimize.design.links`).
    probabilities : sequence of float, optional
        Default: equal.
    period_weight : sequence of float, optional
        Years per period (default 1 each).
    max_sites_per_market : int, optional
        Keep, for each (product, market), only the lanes of the ``k`` sites with the
        lowest landed cost (conversion + delivery, averaged over periods and scenarios):
        an aggregation for very large networks. Also keeps, per component and using
        site, the ``k`` cheapest sources of own-made components (and the site itself).
    transfer_country : sequence of int (S,), optional
        Column of ``transfer_cost`` (a country) of each site as a destination.
    check_memory : bool
        Estimate the model's size first and refuse one that would not fit in memory
        (:func:`~shoring.optimize.design.size.check_size`), before building anything
        large.

    Raises
    ------
    ModelTooLargeError
        The estimate exceeds the memory budget; the message names the options that
        shrink the model.
    """
    products = tuple(str(p) for p in products)
    site_ids = tuple(str(s) for s in sites.index)
    markets = pd.Series(markets) if not isinstance(markets, pd.Series) else markets
    market_ids = tuple(str(m) for m in markets.index)
    periods, scenarios = tuple(int(t) for t in periods), tuple(str(w) for w in scenarios)
    n_p, n_s, n_m = len(products), len(site_ids), len(market_ids)
    n_t, n_w = len(periods), len(scenarios)

    def col(name: str, default: float = 0.0) -> np.ndarray:
        if name in sites.columns:
            return sites[name].fillna(default).to_numpy(dtype=float)
        return np.full(n_s, default)

    status = sites["status"] if "status" in sites.columns else pd.Series("candidate", sites.index)
    conv = _broadcast(conversion, (n_p, n_s, n_t, n_w), "conversion")
    deliv = _broadcast(delivery, (n_p, n_s, n_m, n_t, n_w), "delivery")
    pcap = (
        np.full((n_p, n_s), np.inf)
        if product_capacity is None
        else _broadcast(product_capacity, (n_p, n_s), "product_capacity")
    )
    pcap = np.where(np.isnan(pcap), np.inf, pcap)
    dem = _broadcast(demand, (n_p, n_m, n_t), "demand")
    lead = np.zeros((n_p, n_s, n_m)) if lead_time is None else lead_time
    lead = _broadcast(lead, (n_p, n_s, n_m), "lead_time")
    makeable = np.isfinite(conv).any(axis=(2, 3)) & (pcap > 0)
    pcap = np.where(makeable, pcap, 0.0)
    bom_arr = np.zeros((n_p, n_p)) if bom is None else _broadcast(bom, (n_p, n_p), "bom")

    # lanes: finished goods with demand, made at the site, priced to the market
    sold = dem.sum(axis=2) > 0  # (P, M)
    # a lane exists where some scenario and period allow it; where one forbids it (NaN or
    # inf cost: a ban, a sanction) its cost stays NaN and the model bounds its flow at 0
    deliv = np.where(np.isfinite(deliv), deliv, np.nan)
    ok = np.isfinite(deliv).any(axis=(3, 4)) & makeable[:, :, None] & sold[:, None, :]
    if max_sites_per_market is not None:
        landed = _finite_mean(conv, (2, 3))[:, :, None] + np.where(
            ok, _finite_mean(deliv, (3, 4)), np.inf
        )
        p, s, m = np.nonzero(ok)
        keep = _nearest(landed[p, s, m], p * n_m + m, n_p * n_m, max_sites_per_market)
        ok = np.zeros_like(ok)
        ok[p[keep], s[keep], m[keep]] = True
    lp, ls, lm = np.nonzero(ok)

    # offers and links: components used at a site
    uses = (bom_arr.T @ makeable.astype(float)) > 0  # (K, S): site makes a parent of k
    if suppliers is None:
        suppliers = pd.DataFrame(columns=["country", "component", "capacity_units"])
    lookup = {p: i for i, p in enumerate(products)}
    comp = np.array([lookup[str(c)] for c in suppliers["component"]], dtype=int)
    n_u = len(suppliers)
    sup_cost = (
        np.full((n_u, n_s, n_t, n_w), np.inf)
        if supply_cost is None
        else _broadcast(supply_cost, (n_u, n_s, n_t, n_w), "supply_cost")
    )
    sup_cost = np.where(np.isfinite(sup_cost), sup_cost, np.nan)
    ok_offer = np.isfinite(sup_cost).any(axis=(2, 3)) & (
        uses[comp] if n_u else np.zeros((0, n_s), bool)
    )
    ou, os_ = np.nonzero(ok_offer)
    if transfer_cost is None:
        tcost, column = None, np.arange(n_s)
    elif transfer_country is None:
        tcost = _broadcast(transfer_cost, (n_p, n_s, n_s, n_t, n_w), "transfer_cost")
        column = np.arange(n_s)
    else:
        column = np.asarray(transfer_country, dtype=int)
        n_c = int(np.asarray(transfer_cost).shape[2])
        tcost = _broadcast(transfer_cost, (n_p, n_s, n_c, n_t, n_w), "transfer_cost")
    if check_memory:
        check_size(
            estimate_size(
                products=n_p,
                sites=n_s,
                markets=n_m,
                periods=n_t,
                scenarios=n_w,
                lanes=len(lp),
                links=count_links(makeable, uses, bom_arr, max_sites_per_market),
                offers=len(ou),
                makes=int(makeable.sum()),
                bom_lines=int((bom_arr > 0).sum()),
            )
        )
    kp, ks, kt, link_cost = transfer_links(
        makeable, uses, bom_arr, tcost, column, (n_t, n_w), conv, max_sites_per_market
    )
    weight = np.ones(n_t) if period_weight is None else np.asarray(period_weight, dtype=float)
    return DesignData(
        products=products,
        sites=site_ids,
        markets=market_ids,
        suppliers=tuple(str(u) for u in suppliers.index),
        periods=periods,
        scenarios=scenarios,
        probability=resolve_probabilities(n_w, probabilities),
        period_weight=weight,
        site_country=sites["country"].to_numpy(dtype=object),
        initial_open=(status == "existing").to_numpy(dtype=bool),
        capacity=col("capacity_units"),
        fixed_cost=col("fixed_cost_usd"),
        opening_capex=col("opening_capex_usd"),
        closing_cost=col("closing_cost_usd"),
        ramp_up_months=col("ramp_up_months"),
        expansion_capacity=col("expansion_capacity_units"),
        expansion_capex=col("expansion_capex_usd"),
        product_capacity=pcap,
        conversion=np.where(makeable[:, :, None, None], conv, np.nan),
        bom=bom_arr,
        demand=dem,
        penalty=_broadcast(penalty, (n_p,), "penalty"),
        market_country=markets.to_numpy(dtype=object),
        supplier_country=suppliers["country"].to_numpy(dtype=object),
        supplier_component=comp,
        supplier_capacity=suppliers["capacity_units"].to_numpy(dtype=float),
        lane_product=lp,
        lane_site=ls,
        lane_market=lm,
        lane_cost=deliv[lp, ls, lm],
        lane_lead_time=lead[lp, ls, lm],
        link_product=kp,
        link_source=ks,
        link_target=kt,
        link_cost=link_cost,
        offer_supplier=ou,
        offer_site=os_,
        offer_cost=sup_cost[ou, os_],
    )
