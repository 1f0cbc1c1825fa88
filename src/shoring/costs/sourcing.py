"""Origin-aware sourcing in the landed-cost engine: candidates, qualifying mixes, lane choice.

Per scenario-year the engine (:mod:`shoring.costs.engine`) asks this module, for every
agreement covering some lane:

1. :func:`bought_levels` — the Pareto levels (:func:`shoring.costs.origin.pareto_levels`)
   of every purchased component delivered to every place, valuing non-originating
   offers as the agreement says (delivered cost less allowed deductions);
2. per BOM tier, :func:`tier_origin` — with the firm's own-made components added as
   candidates — the origin of the cheapest mix and the extra cost of the cheapest
   qualifying mix at every site (:func:`shoring.costs.origin.cheapest_mixes`), and, per
   lane, whether buying that mix pays: it does when the duty it saves exceeds its extra
   materials cost (with overhead). Keeping the cheaper of the two totals means an added
   supplier can never raise a landed cost.

An own-made component is two candidates for its parent: as made most cheaply (originating
when that site is in a party and meets the component's rule there), and as made
originating — at the best site in a party, with the component's own cheapest qualifying
mix (and, on a lane under the same agreement, the preferential duty). So a parent that
needs an originating component finds the qualifying mix any number of tiers down.

Limits (documented approximations): the originating candidate is priced at one site per
destination (the cheapest in a party) and carries the extra cost of its own tier's
cheapest qualifying mix; a product with more than six components that have a choice tries
every level on the six of largest non-originating value only
(:data:`shoring.costs.origin.MAX_COMBINATIONS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from shoring.costs.origin import (
    LEVELS,
    TESTS,
    AgreementRules,
    cheapest_mixes,
    pareto_levels,
    supplier_originating,
)


@dataclass(frozen=True)
class Offers:
    """Supplier offers delivered to every place (arrays (supplier, place)).

    Attributes
    ----------
    product : ndarray (U,) of int
        Component index of each supplier.
    cost : ndarray (U, C)
        Price + freight + duty (inf where blocked or impossible).
    freight, duty : ndarray (U, C)
        Freight (with cargo insurance) and duty per unit (parts of ``cost``).
    declared : tuple
        Declared origin per supplier (None = presumed by location).
    country : tuple of str
        Supplier countries.
    """

    product: np.ndarray
    cost: np.ndarray
    freight: np.ndarray
    duty: np.ndarray
    declared: tuple
    country: tuple


def _segment_min(values: np.ndarray, order: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.minimum.reduceat(values[order], starts, axis=0)


def bought_levels(
    offers: Offers,
    rules: AgreementRules,
    n_products: int,
    on: dt.date,
    places: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pareto levels of purchased components under one agreement.

    Parameters
    ----------
    offers : Offers
        Supplier offers.
    rules : AgreementRules
        The agreement (deductions).
    n_products : int
        Number of products (rows of the result).
    on : datetime.date
        Date of membership.
    places : ndarray of int, optional
        The places where the levels are needed (the places of the sites in a party:
        only there can a good qualify); every place by default.

    Returns
    -------
    (ndarray, ndarray)
        Cost and non-originating value, ``(LEVELS, n_products, C)``; inf cost where a
        product has no supplier or the place is not asked for.
    """
    n_c = offers.cost.shape[1] if offers.cost.ndim == 2 else 0
    cost = np.full((LEVELS, n_products, n_c), np.inf)
    vnm = np.zeros((LEVELS, n_products, n_c))
    if offers.product.size == 0 or (places is not None and places.size == 0):
        return cost, vnm
    cols = slice(None) if places is None else places
    orig = supplier_originating(offers.declared, offers.country, rules.agreement, on)
    value = offers.cost[:, cols].copy()
    if rules.deduct_freight:
        value -= offers.freight[:, cols]
    if rules.deduct_duties:
        value -= offers.duty[:, cols]
    value = np.where(orig[:, None], 0.0, value)
    order = np.argsort(offers.product, kind="stable")
    prods, starts = np.unique(offers.product[order], return_index=True)
    sup_cost = offers.cost[:, cols]
    sup_cost = np.where(np.isfinite(sup_cost), sup_cost, np.inf)
    seg = np.repeat(np.arange(prods.size), np.diff(np.append(starts, order.size)))

    def pick(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        masked = np.where(mask, sup_cost, np.inf)
        low = _segment_min(masked, order, starts)  # (n, C)
        at = masked[order] <= low[seg]
        v = np.minimum.reduceat(np.where(at, value[order], np.inf), starts, axis=0)
        return low, np.where(np.isfinite(v), v, 0.0)

    c0, v0 = pick(np.ones(sup_cost.shape, dtype=bool))
    v0_each = np.empty_like(value)
    v0_each[order] = v0[seg]
    c1, v1 = pick(value < v0_each - 1e-9)
    c2, v2 = pick(np.broadcast_to(orig[:, None], sup_cost.shape))
    c1, v1 = np.where(np.isfinite(c1), c1, c0), np.where(np.isfinite(c1), v1, v0)
    c2, v2 = np.where(np.isfinite(c2), c2, c1), np.where(np.isfinite(c2), v2, v1)
    if places is None:
        cost[:, prods] = np.stack([c0, c1, c2])
        vnm[:, prods] = np.stack([v0, v1, v2])
    else:
        cost[np.ix_(range(LEVELS), prods, places)] = np.stack([c0, c1, c2])
        vnm[np.ix_(range(LEVELS), prods, places)] = np.stack([v0, v1, v2])
    return cost, vnm


@dataclass(frozen=True)
class TierOrigin:
    """Origin per (agreement, product of the tier, site) under the cheapest/qualifying mix."""

    # arrays (p, A + 1, s); agreement slot A stands for "no agreement" (not met, extra
    # inf, margins NaN), so that :func:`lane_take` reads every lane from one array
    met: np.ndarray  # bool: the cheapest mix meets the agreement's rule
    extra: np.ndarray  # extra materials cost of the cheapest qualifying mix
    margin: np.ndarray  # margin of the cheapest mix (float32, as reported)
    margin_q: np.ndarray  # margin of the cheapest qualifying mix (float32)


def tier_origin(
    rules: list[AgreementRules],
    bought: list[tuple[np.ndarray, np.ndarray]],
    own_cost: np.ndarray,
    own_vnm: list[np.ndarray],
    own_q: list[np.ndarray],
    rows: np.ndarray,
    slots: np.ndarray,
    qty: np.ndarray,
    site_place: np.ndarray,
    value: np.ndarray,
    labour: np.ndarray,
    overhead_rate: np.ndarray,
    party_site: np.ndarray,
) -> TierOrigin:
    """Origin of the tier's products at every site under every agreement.

    Parameters
    ----------
    rules, bought, own_vnm : lists per agreement
        Rules, purchased levels (:func:`bought_levels`) and own-made non-originating
        value ``(P, C)``.
    own_cost : ndarray (P, C)
        Cheapest own-made delivered cost (inf where none).
    own_q : list per agreement of ndarray (P, C)
        Cost of the own-made component delivered originating (made in a party with its
        own qualifying mix; inf where none): a further candidate with no
        non-originating value.
    rows : ndarray (p,)
        Products of the tier.
    slots, qty : ndarray (P, J)
        BOM slots of every product.
    site_place : ndarray (S,)
        Place of each site: its column in ``own_cost``, ``own_vnm`` and the purchased
        levels (sites at one place share their materials).
    value, overhead_rate : ndarray (P,)
    labour : ndarray (p, S)
        Labour cost per unit of the tier's products.
    party_site : ndarray (A, S) of bool
        Site in a party of each agreement: only there can a good originate under it;
        elsewhere the results are "not met" (extra cost inf, margins NaN) and unused.

    Returns
    -------
    TierOrigin
    """
    n_a = len(rules)
    shape = (rows.size, n_a + 1, site_place.size)
    out = {
        "met": np.zeros(shape, dtype=bool),
        "extra": np.full(shape, np.inf),
        "margin": np.full(shape, np.nan, dtype=np.float32),  # as reported
        "margin_q": np.full(shape, np.nan, dtype=np.float32),
    }
    for a, rule in enumerate(rules):
        always = rule.always[rows]
        at = {k: v[:, a, :] for k, v in out.items()}  # views (p, s)
        at["met"][:] = always[:, None]
        at["extra"][:] = 0.0
        at["margin"][:] = np.where(always, 1.0, np.nan)[:, None]
        at["margin_q"][:] = at["margin"]
        in_party = np.flatnonzero(party_site[a])
        if always.all() or in_party.size == 0:
            continue  # met by tariff shift whatever the sourcing, or no site can qualify
        test = np.flatnonzero(~always)
        sub = rows[test]
        # only these products' components: renumbered 0..n-1
        tier_slots = slots[sub]
        needed = np.unique(tier_slots[tier_slots >= 0])
        local = np.where(tier_slots >= 0, np.searchsorted(needed, tier_slots), -1)
        # materials depend on the site's place only; labour enters the net-cost test
        if (rule.test[:, sub] == TESTS.index("net_cost")).any():
            cols, back = site_place[in_party], np.arange(in_party.size)
            labour_sub = labour[np.ix_(test, in_party)]
        else:
            cols, back = np.unique(site_place[in_party], return_inverse=True)
            labour_sub = np.zeros((sub.size, cols.size))
        sites = np.ix_(needed, cols)
        b_cost, b_vnm = bought[a]
        cand_cost = np.stack(
            [*(b_cost[i][sites] for i in range(LEVELS)), own_cost[sites], own_q[a][sites]]
        )
        cand_vnm = np.stack(
            [
                *(b_vnm[i][sites] for i in range(LEVELS)),
                own_vnm[a][sites],
                np.zeros((needed.size, cols.size)),
            ]
        )
        level_cost, level_vnm = pareto_levels(cand_cost, cand_vnm)
        mix = cheapest_mixes(
            rule,
            sub,
            local,
            qty[sub],
            level_cost,
            level_vnm,
            value[sub],
            labour_sub,
            overhead_rate[sub],
        )
        cells = np.ix_(test, in_party)
        at["met"][cells] = mix.met_cheapest[:, back]
        at["extra"][cells] = mix.extra[:, back]
        at["margin"][cells] = mix.margin_cheapest[:, back]
        at["margin_q"][cells] = mix.margin_qualifying[:, back]
    return TierOrigin(out["met"], out["extra"], out["margin"], out["margin_q"])


def originating_supply(
    total: np.ndarray,
    org: TierOrigin,
    rows: np.ndarray,
    chosen: np.ndarray,
    met: np.ndarray,
    none: np.ndarray,
    gain: np.ndarray,
    factor: np.ndarray,
    ovh: np.ndarray,
    lane_agreement: np.ndarray,
    party_site: np.ndarray,
) -> np.ndarray:
    """Cost of an own-made component delivered originating, per agreement.

    The component made with the cheapest qualifying mix of its own tier (``org.extra``
    more materials, with overhead and carrying) at a site in a party, and, on a lane
    under the same agreement that did not qualify, with the preferential duty instead
    of the other: what a parent pays for it when the parent's own rule needs it
    originating. ``gain``: what qualifying saves on the lane (duty with its carrying
    cost, the MPF); ``factor``: the cost of a USD of extra materials with its carrying,
    obsolescence and prepayment (:func:`shoring.costs.tco.qualifying_terms`). Arrays
    ``(p, S, C)`` of the tier rows ``rows``; ``party_site`` ``(A, S)``. Returns ``(A, p,
    C)``, the cheapest site, inf where none qualifies. (Called by
    :func:`shoring.costs.engine._year_costs` per BOM tier.)
    """
    n_a = party_site.shape[0]
    out = np.full((n_a, rows.size, total.shape[2]), np.inf)

    for a in range(n_a):
        on_lane = (lane_agreement == a)[None]
        need = ~(org.met[rows, a][:, :, None] | (chosen & on_lane))
        extra = org.extra[rows, a][:, :, None] * (1.0 + ovh[:, :, None])
        cost = total + np.where(need, extra * factor, 0.0)
        cost -= np.where(on_lane & ~met & ~none, gain, 0.0)
        cost = np.where(party_site[a][None, :, None] & np.isfinite(cost), cost, np.inf)
        out[a] = cost.min(axis=1)
    return out


def _slot(lane_agreement: np.ndarray, n_slots: int) -> np.ndarray:
    """Slot of each lane in a (p, A + 1, S) array: its agreement, else slot A (none)."""
    return np.where(lane_agreement >= 0, lane_agreement, n_slots - 1)


def lane_take(
    per_site: np.ndarray, lane_agreement: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Per-lane values from per-(product, agreement, site) values.

    Parameters
    ----------
    per_site : ndarray (p, A + 1, S)
        Values per agreement; slot A holds the value of lanes without one.
    lane_agreement : ndarray (S, C) of int
        Agreement index of each lane, -1 where none applies.
    out : ndarray (p, S, C), optional
        Written and returned (same dtype as ``per_site``).

    Returns
    -------
    ndarray (p, S, C)
    """
    n_p, n_slots, n_s = per_site.shape
    flat = per_site.reshape(n_p, n_slots * n_s)  # a view: no copy
    # valid indices: "clip" only skips numpy's buffer for ``out``
    index = _slot(lane_agreement, n_slots) * n_s + np.arange(n_s)[:, None]
    return np.take(flat, index, axis=1, out=out, mode="clip")


def lane_pick(
    per_site: np.ndarray, lane_agreement: np.ndarray, at: tuple[np.ndarray, ...]
) -> np.ndarray:
    """:func:`lane_take` at a few lanes only.

    Parameters
    ----------
    per_site : ndarray (p, A + 1, S)
        Values per agreement; slot A holds the value of lanes without one.
    lane_agreement : ndarray (S, C) of int
        Agreement index of each lane, -1 where none applies.
    at : tuple of three ndarray of int (n,)
        Product, site and destination of each lane wanted (as from ``np.nonzero``).

    Returns
    -------
    ndarray (n,)
        ``lane_take(per_site, lane_agreement)[at]``.
    """
    p, s, c = at
    return per_site[p, _slot(lane_agreement[s, c], per_site.shape[1]), s]
