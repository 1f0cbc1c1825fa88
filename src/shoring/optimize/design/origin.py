"""Rules of origin as decisions of the network-design model.

Where a lane's preference depends on how the product is sourced, ``lane_cost`` charges
the non-qualifying duty and the duty saved is earned by *qualifying* units. A unit
qualifies with a *recipe*: a set of its components that are originating such that the
unit meets the product's rule (some alternative: tariff shift within the tolerance, value
test) — every minimal such set is enumerated once per (product, agreement), evaluating
the rule per unit at the components' declared unit values (and, for net-cost tests, the
engine's ex-works cost). ``Lane-Recipe-qualify`` holds the units of a lane's shipment
made with a recipe::

    sum_recipes qualify[lane, recipe] <= ship[lane]                     (Lane-qualify-max)
    sum_{lane, recipe at s under a, k in recipe} bom_pk qualify
        <= originating supply of k at s under a          (Site-Component-originating-max)

the originating supply being the purchases from suppliers originating under ``a`` plus
components moved from the firm's sites in a party. The duty saved, ``lane_saving x
qualify``, is subtracted from the scenario's cost. The rule is met per unit, as customs
decides it per good; the formulation is linear, big-M-free and needs no binary (a unit
qualifies or not by its recipe, and a lane may carry both kinds of units, as consignments
do); adding a supplier or a site only adds variables, so the optimum can never rise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from shoring.optimize.design.terms import Terms, add_sparse_constraints, labels_of

__all__ = ["OriginData", "add_origin", "origin_data", "qualify_saving"]

_WT = ("scenario", "period")


@dataclass(frozen=True)
class OriginData:
    """Qualifying recipes for a design model (R recipes, A agreements).

    Attributes
    ----------
    lane_saving : ndarray (L, T, W)
        Duty saved (with carrying cost) per qualifying unit shipped; 0 = nothing at stake.
    lane_agreement : ndarray (L,) of int
        Agreement of each lane (position in ``agreements``), -1 where none.
    agreements : tuple of str
    recipe_product, recipe_agreement : ndarray (R,) of int
    recipe_components : ndarray (R, P) of bool
        Components that must be originating for a unit to qualify with the recipe.
    supplier_originating : ndarray (U, A) of bool
    site_party : ndarray (S, A) of bool
    """

    lane_saving: np.ndarray
    lane_agreement: np.ndarray
    agreements: tuple[str, ...]
    recipe_product: np.ndarray
    recipe_agreement: np.ndarray
    recipe_components: np.ndarray
    supplier_originating: np.ndarray
    site_party: np.ndarray

    def with_scenarios(self, keep: np.ndarray) -> OriginData:
        """The same recipes with the savings of some scenarios (by position).

        Parameters
        ----------
        keep : ndarray of int
            Scenario positions kept.

        Returns
        -------
        OriginData
        """
        from dataclasses import replace

        return replace(self, lane_saving=self.lane_saving[..., keep])


MAX_RECIPE_COMPONENTS = 10
"""Components of one product considered for recipes (2**10 sets); a product with more
keeps the ten of highest value, the others taken as non-originating (conservative)."""


def recipes(
    rules: object, p: int, slots: np.ndarray, qty: np.ndarray, value: np.ndarray, net_cost: float
) -> list[np.ndarray]:
    """Minimal sets of components (indices) that make one unit of product ``p`` qualify.

    Parameters
    ----------
    rules : AgreementRules
        The agreement's rules for every product.
    p : int
        Product index.
    slots, qty : ndarray (P, J)
        BOM slots of every product.
    value : ndarray (P,)
        Declared unit values.
    net_cost : float
        Ex-works cost per unit of ``p`` (net-cost tests).

    Returns
    -------
    list of ndarray
        Component indices per recipe, smallest first; ``[array([])]`` when any sourcing
        qualifies; empty when none does.
    """
    from shoring.costs.origin import alternative_margin

    present = np.flatnonzero(slots[p] >= 0)
    worth = qty[p, present] * value[slots[p, present]]
    order = np.argsort(-worth, kind="stable")
    used, dropped = present[order[:MAX_RECIPE_COMPONENTS]], present[order[MAX_RECIPE_COMPONENTS:]]
    n = used.size
    sets = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)  # (2^n, n)
    v = qty[p, used] * value[slots[p, used]]
    v_out = qty[p, dropped] * value[slots[p, dropped]]  # never originating here
    vnm = (~sets * v).sum(axis=1) + v_out.sum()
    vom = (sets * v).sum(axis=1)
    fails = rules.fails[:, p]  # (R, J)
    failing = (fails[:, used] * v[None]) @ (~sets).T + (fails[:, dropped] * v_out[None]).sum(1)[
        :, None
    ]
    margin = alternative_margin(
        rules, np.array([p]), np.array([[value[p]]]), np.full((1, len(sets)), net_cost),
        vnm[None], vom[None], failing[:, None, :],
    )[0]  # fmt: skip
    kept: list[np.ndarray] = []
    for i in sorted(np.flatnonzero(margin >= -1e-9), key=lambda i: int(sets[i].sum())):
        if not any(np.all(sets[j] <= sets[i]) for j in kept):
            kept.append(i)
    return [slots[p, used[sets[i]]] for i in kept]


def origin_data(
    network: object,
    lanes: tuple[np.ndarray, np.ndarray, np.ndarray],
    saving: np.ndarray,
    net_cost: np.ndarray,
    on: dt.date,
) -> OriginData | None:
    """Qualifying recipes for the lanes where qualifying is a sourcing decision.

    Parameters
    ----------
    network : Network
        The firm's network (products, BOM, suppliers, sites, markets).
    lanes : (ndarray, ndarray, ndarray)
        Product, site and market index of every lane.
    saving : ndarray (L, T, W)
        Duty at stake per lane (``lane_costs``'s ``at_stake``).
    net_cost : ndarray (P, S)
        Ex-works cost per unit (net-cost tests).
    on : datetime.date
        Date the rules and memberships are read for (the first period).

    Returns
    -------
    OriginData or None
        None when nothing is at stake.
    """
    from shoring.costs.origin import agreement_rules, bom_slots, supplier_originating
    from shoring.data.agreements import agreement_matrix, members
    from shoring.network import Network

    assert isinstance(network, Network)
    lane_product, lane_site, lane_market = lanes
    stake = (saving > 0).any(axis=(1, 2))
    if not stake.any():
        return None
    products, sites, markets = network.products, network.sites, network.markets
    countries = sorted(set(sites["country"]) | set(markets["country"]))
    matrix = agreement_matrix(countries, on).to_pandas()
    lane_ids = matrix.to_numpy()[
        matrix.index.get_indexer(sites["country"].to_numpy()[lane_site]),
        matrix.columns.get_indexer(markets["country"].to_numpy()[lane_market]),
    ]
    ids = tuple(sorted({str(a) for a in lane_ids[stake] if a}))
    lookup = {a: i for i, a in enumerate(ids)}
    lane_agreement = np.array(
        [lookup.get(str(a), -1) if stake[i] else -1 for i, a in enumerate(lane_ids)], dtype=int
    )
    hs = products["hs_code"].astype(str).tolist()
    bom = network.bom_matrix().sel(product=products.index, component=products.index).to_numpy()
    slots, qty = bom_slots(bom, np.arange(len(hs)))
    value = products["unit_value_usd"].to_numpy(dtype=float)
    rows: list[tuple[int, int, np.ndarray]] = []
    for a, agreement_id in enumerate(ids):
        rules = agreement_rules(agreement_id, hs, slots, on)
        for p in np.unique(lane_product[lane_agreement == a]):
            cost = net_cost[p][np.isfinite(net_cost[p]) & (net_cost[p] > 0)]
            nc = float(cost.mean()) if cost.size else float(value[p])
            for recipe in recipes(rules, int(p), slots, qty, value, nc):
                member = np.zeros(len(hs), dtype=bool)
                member[recipe] = True
                rows.append((int(p), a, member))
    sup = network.suppliers
    declared, where = tuple(sup["originating"]), tuple(sup["country"])
    return OriginData(
        lane_saving=np.where(lane_agreement[:, None, None] >= 0, saving, 0.0),
        lane_agreement=lane_agreement,
        agreements=ids,
        recipe_product=np.array([r[0] for r in rows], dtype=int),
        recipe_agreement=np.array([r[1] for r in rows], dtype=int),
        recipe_components=(
            np.stack([r[2] for r in rows]) if rows else np.zeros((0, len(hs)), dtype=bool)
        ),
        supplier_originating=np.stack(
            [supplier_originating(declared, where, a, on) for a in ids], axis=1
        ).reshape(len(sup), len(ids)),
        site_party=np.stack(
            [np.isin(sites["country"].to_numpy(), list(members(a, on))) for a in ids], axis=1
        ),
    )


def qualify_saving(origin: OriginData, lanes: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Duty saved per qualifying unit of each (lane, recipe) pair, times the period weight.

    Parameters
    ----------
    origin : OriginData
    lanes : ndarray (N,) of int
        Lane of each pair (``DesignModel.qualify_lane``).
    weight : ndarray (T,)
        Years each period stands for.

    Returns
    -------
    ndarray (N, T, W)
        USD per unit x years; subtracted from the scenario cost.
    """
    return origin.lane_saving[lanes] * weight[:, None]


def _index(n: int, name: str) -> pd.Index:
    return pd.RangeIndex(n, name=name)


def add_origin(dm: object, origin: OriginData | None) -> None:
    """Add the qualification variables and constraints, and the duty saved to the costs.

    Parameters
    ----------
    dm : DesignModel
        Model whose variables and costs exist (``dm.scenario_cost`` is reduced by the
        duty saved on qualifying units).
    origin : OriginData or None
        Nothing is added when None or when no lane has a recipe.
    """
    if origin is None or not len(origin.recipe_product):
        return
    d, m = dm.data, dm.model  # type: ignore[attr-defined]
    rest = [dm.coords["scenario"], dm.coords["period"]]  # type: ignore[attr-defined]
    lanes = pd.DataFrame(
        {"lane": np.arange(len(d.lane_product)), "product": d.lane_product,
         "agreement": origin.lane_agreement, "site": d.lane_site}
    )[(origin.lane_agreement >= 0) & dm.ship_mask]  # type: ignore[attr-defined]  # fmt: skip
    book = pd.DataFrame(
        {
            "recipe": np.arange(len(origin.recipe_product)),
            "product": origin.recipe_product,
            "agreement": origin.recipe_agreement,
        }
    )
    pairs = lanes.merge(book, on=["product", "agreement"]).reset_index(drop=True)
    if pairs.empty:
        return
    n_pair = len(pairs)
    dm.qualify_lane = pairs["lane"].to_numpy()  # type: ignore[attr-defined]
    q = m.add_variables(
        lower=0.0, coords=[_index(n_pair, "pair"), *rest], name="Lane-Recipe-qualify"
    )
    q_lab = labels_of(q, ("pair", *_WT))
    ship = labels_of(dm.var("Lane-ship"), ("lane", *_WT))  # type: ignore[attr-defined]
    n_l = len(d.lane_product)
    add_sparse_constraints(
        m, "Lane-qualify-max",
        [Terms(q_lab, 1.0, pairs["lane"].to_numpy()), Terms(ship, -1.0, np.arange(n_l))],
        "<=", 0.0, [_index(n_l, "lane")], rest,
        mask=np.isin(np.arange(n_l), pairs["lane"].to_numpy()),
    )  # fmt: skip
    # originating components used by qualifying units, per (component, site, agreement)
    n_p, n_s, n_a = len(d.products), len(d.sites), len(origin.agreements)
    pair_of, comp = np.nonzero(origin.recipe_components[pairs["recipe"].to_numpy()])
    p_of = pairs["product"].to_numpy()[pair_of]
    site = pairs["site"].to_numpy()[pair_of]
    agr = pairs["agreement"].to_numpy()[pair_of]
    key = (comp * n_s + site) * n_a + agr
    parts = [Terms(q_lab[pair_of], d.bom[p_of, comp], key)]
    if "Offer-buy" in m.variables:
        buy = labels_of(dm.var("Offer-buy"), ("offer", *_WT))  # type: ignore[attr-defined]
        bought = d.supplier_component[d.offer_supplier]
        for a in range(n_a):
            ok = origin.supplier_originating[d.offer_supplier, a]
            parts.append(Terms(buy[ok], -1.0, ((bought * n_s + d.offer_site) * n_a + a)[ok]))
    if "Link-transfer" in m.variables:
        move = labels_of(dm.var("Link-transfer"), ("link", *_WT))  # type: ignore[attr-defined]
        for a in range(n_a):
            ok = origin.site_party[d.link_source, a]
            target = (d.link_product * n_s + d.link_target) * n_a + a
            parts.append(Terms(move[ok], -1.0, target[ok]))
    if key.size:
        mask = np.zeros(n_p * n_s * n_a, dtype=bool)
        mask[key] = True
        grid = [_index(n_p, "component_o"), _index(n_s, "site_o"), _index(n_a, "agreement_o")]
        add_sparse_constraints(
            m, "Site-Component-originating-max", parts, "<=", 0.0, grid, rest,
            mask=mask.reshape(n_p, n_s, n_a),
        )  # fmt: skip
    saved = xr.DataArray(
        qualify_saving(origin, pairs["lane"].to_numpy(), d.period_weight),
        dims=("pair", "period", "scenario"),
        coords={"pair": q.coords["pair"], "period": dm.coords["period"],  # type: ignore[attr-defined]
                "scenario": dm.coords["scenario"]},  # type: ignore[attr-defined]
    )  # fmt: skip
    dm.scenario_cost = dm.scenario_cost - (saved * q).sum(["pair", "period"])  # type: ignore[attr-defined]
