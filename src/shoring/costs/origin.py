"""Origin of goods traced through the bill of materials, and the cheapest qualifying mix.

For a product made at a site and an agreement, each component can be bought from several
*candidates* (suppliers, the firm's own sites), each with a delivered cost and a
*non-originating value* under the agreement: 0 when the candidate is originating (a
supplier declared or presumed originating, see :func:`supplier_originating`; an own-made
component that itself meets its rule at a site in a party), else its delivered cost less
the deductions the agreement allows (USMCA: freight to the producer and non-recoverable
duties; EU-style agreements value a material at its customs value, without the duty).

A mix (one candidate per component) meets the product's rule (:mod:`shoring.data.
rules_of_origin`) when one alternative holds::

    shift:  sum of non-originating value of inputs failing the shift <= tolerance * V
    build_down:  (V - VNM) / V >= t        net_cost:  (NC - VNM) / NC >= t
    build_up:    VOM / V >= t               max_nom:   VNM <= t * V
    max_all:     (VNM + VOM) <= t * V       (USMCA: VNM <= 10% V also waives the value test)

with V the good's declared unit value, NC its ex-works cost with that mix (materials,
labour, overhead: the net-cost approximation), VNM / VOM the non-originating /
originating materials. Cumulation among the parties is built in: any party's
originating materials count.

:func:`cheapest_mixes` tries, per component, the Pareto levels of its candidates (the
cheapest; the cheapest with a lower non-originating value; the cheapest originating)
and keeps the cheapest mix meeting the rule. Every combination of levels is tried (up
to :data:`MAX_COMBINATIONS`), so adding a candidate can only lower the cheapest
qualifying cost — the property that makes the engine's choice "an added option is never
worse". Arrays are (product, site); loops run over combinations and alternatives only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from shoring.data.agreements import members
from shoring.data.rules_of_origin import product_rule, provisions, tolerance_applies

LEVELS = 3
"""Candidate levels per component: cheapest, cheapest with lower non-originating value,
cheapest originating."""

MAX_COMBINATIONS = 729
"""Mixes tried per product (3**6); components beyond the six with the largest
non-originating value keep their cheapest candidate (a documented approximation)."""

TESTS = ("", "build_down", "build_up", "net_cost", "max_nom", "max_all", "wholly_obtained")
_TEST_CODE = {name: i for i, name in enumerate(TESTS)}


@dataclass(frozen=True)
class AgreementRules:
    """The rules of one agreement for the made products of a study, as arrays.

    Attributes
    ----------
    agreement : str
    fails : ndarray (R, P, J) of bool
        Component slot ``j`` of product ``p`` breaks alternative ``r``'s shift when not
        originating.
    test : ndarray (R, P) of int
        Index into :data:`TESTS`; ``valid`` marks real alternatives (padding False).
    threshold : ndarray (R, P)
    valid : ndarray (R, P) of bool
    tolerance : ndarray (P,)
        De minimis share of value per product (0 for HS 50-63).
    tolerance_value : bool
        The tolerance also waives the value test.
    deduct_freight, deduct_duties : bool
    labels : tuple of str
        The rule of each product, described (fallbacks flagged).
    always : ndarray (P,) of bool
        The product meets the rule whatever its sourcing: an alternative asks only for a
        tariff shift that every component makes.
    """

    agreement: str
    fails: np.ndarray
    test: np.ndarray
    threshold: np.ndarray
    valid: np.ndarray
    tolerance: np.ndarray
    tolerance_value: bool
    deduct_freight: bool
    deduct_duties: bool
    labels: tuple[str, ...]
    always: np.ndarray


def agreement_rules(
    agreement_id: str,
    hs: Sequence[str],
    slots: np.ndarray,
    on: dt.date,
) -> AgreementRules:
    """Rules of every product under an agreement, with shift failures per component slot.

    Parameters
    ----------
    agreement_id : str
        Agreement id.
    hs : sequence of str
        HS6 code per product (all products of the study).
    slots : ndarray (P, J) of int
        Component indices of each product (into ``hs``), -1 for padding.
    on : datetime.date
        Date the rules are read for.

    Returns
    -------
    AgreementRules
        Arrays over the products of ``slots`` (rows of ``slots``, not of ``hs``).
    """
    n_p, n_j = slots.shape
    hs = np.asarray(hs, dtype=str)
    unique = {h: product_rule(agreement_id, h, on) for h in np.unique(hs[:n_p])}
    rules = [unique[h] for h in hs[:n_p]]
    n_r = max((len(r.alternatives) for r in rules), default=1)
    fails = np.zeros((n_r, n_p, n_j), dtype=bool)
    test = np.zeros((n_r, n_p), dtype=int)
    threshold = np.zeros((n_r, n_p))
    valid = np.zeros((n_r, n_p), dtype=bool)
    input_hs = np.where(slots >= 0, hs[np.maximum(slots, 0)], "")
    for h, rule in unique.items():  # per distinct HS code and pair of codes, not per product
        of_h = hs[:n_p] == h
        for r, alt in enumerate(rule.alternatives):
            valid[r, of_h] = True
            test[r, of_h] = _TEST_CODE[alt.value_test]
            threshold[r, of_h] = alt.threshold
            pairs = input_hs[of_h]
            failing = [k for k in np.unique(pairs) if k and alt.fails_shift(h, str(k))]
            fails[r, of_h] = np.isin(pairs, failing)
    prov = provisions(agreement_id)
    textile = np.array([not tolerance_applies(h) for h in hs[:n_p]], dtype=bool)
    tol = np.where(textile, 0.0, prov.tolerance)
    return AgreementRules(
        agreement=agreement_id,
        fails=fails,
        test=test,
        threshold=threshold,
        valid=valid,
        tolerance=tol,
        tolerance_value=prov.tolerance_covers_value_test,
        deduct_freight=prov.deduct_freight,
        deduct_duties=prov.deduct_duties,
        labels=tuple(r.describe() for r in rules),
        always=(valid & (test == 0) & ~fails.any(axis=2)).any(axis=0),
    )


def supplier_originating(
    declared: Sequence[object], countries: Sequence[str], agreement_id: str, on: dt.date
) -> np.ndarray:
    """Whether each supplier's goods are originating under an agreement.

    Parameters
    ----------
    declared : sequence
        Per supplier: ``None`` (not declared: presumed originating when the supplier is
        in a party, the supplier's declaration being assumed) or a tuple of agreement ids
        the supplier certifies origin for (``()`` = none).
    countries : sequence of str
        ISO3 code per supplier.
    agreement_id : str
        Agreement id.
    on : datetime.date
        Date of membership.

    Returns
    -------
    ndarray of bool
        Declared suppliers: the agreement is in their list and they are in a party;
        undeclared: in a party.
    """
    try:  # once per (suppliers, agreement, date): a study's offers repeat every year
        return _originating_cached(tuple(declared), tuple(countries), agreement_id, on)
    except TypeError:  # a declaration given as an unhashable sequence
        return _originating(declared, countries, agreement_id, on)


def _originating(
    declared: Sequence[object], countries: Sequence[str], agreement_id: str, on: dt.date
) -> np.ndarray:
    party = members(agreement_id, on)
    inside = np.array([c in party for c in countries], dtype=bool)
    listed = np.array([d is None or agreement_id in tuple(d) for d in declared], dtype=bool)
    return inside & listed


@lru_cache(maxsize=1024)
def _originating_cached(
    declared: tuple[object, ...], countries: tuple[str, ...], agreement_id: str, on: dt.date
) -> np.ndarray:
    out = _originating(declared, countries, agreement_id, on)
    out.setflags(write=False)  # shared by the callers
    return out


def pareto_levels(cost: np.ndarray, vnm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`LEVELS` Pareto levels of candidates (cost up, non-originating value down).

    Parameters
    ----------
    cost, vnm : ndarray (N, ...)
        Candidates along axis 0: delivered cost (inf = unavailable) and non-originating
        value (0 = originating).

    Returns
    -------
    (ndarray, ndarray)
        ``(LEVELS, ...)`` cost and non-originating value of: the cheapest candidate; the
        cheapest with a lower non-originating value than it; the cheapest originating
        one. Missing levels repeat the previous one.
    """
    cost = np.where(np.isnan(cost), np.inf, cost)

    def pick(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        masked = np.where(mask, cost, np.inf)
        best = np.argmin(masked, axis=0)[None]
        return (
            np.take_along_axis(masked, best, axis=0)[0],
            np.take_along_axis(vnm, best, axis=0)[0],
        )

    c0, v0 = pick(np.ones(cost.shape, dtype=bool))
    c1, v1 = pick(vnm < v0[None] - 1e-9)
    c2, v2 = pick(vnm <= 0.0)
    c1, v1 = np.where(np.isfinite(c1), c1, c0), np.where(np.isfinite(c1), v1, v0)
    c2, v2 = np.where(np.isfinite(c2), c2, c1), np.where(np.isfinite(c2), v2, v1)
    return np.stack([c0, c1, c2]), np.stack([v0, v1, v2])


@dataclass(frozen=True)
class MixResult:
    """Origin of the cheapest mix and the cheapest qualifying mix, per (product, site).

    Attributes
    ----------
    met_cheapest : ndarray of bool
        The cheapest mix meets the rule.
    margin_cheapest : ndarray
        Its margin (share of value; >= 0 met; see :func:`alternative_margin`).
    extra : ndarray
        Extra materials cost of the cheapest qualifying mix over the cheapest mix
        (0 where the cheapest qualifies; inf where no mix qualifies).
    margin_qualifying : ndarray
        Margin of the cheapest qualifying mix (NaN where none).
    """

    met_cheapest: np.ndarray
    margin_cheapest: np.ndarray
    extra: np.ndarray
    margin_qualifying: np.ndarray


def alternative_margin(
    rules: AgreementRules,
    rows: np.ndarray,
    value: np.ndarray,
    net_cost: np.ndarray,
    vnm: np.ndarray,
    vom: np.ndarray,
    failing: np.ndarray,
) -> np.ndarray:
    """Margin of the best alternative (share of the good's value, or of net cost).

    Parameters
    ----------
    rules : AgreementRules
    rows : ndarray of int
        Products (rows of the rule arrays) of the first axis.
    value : ndarray (p, 1)
        Declared unit value V.
    net_cost : ndarray (p, s)
        Ex-works cost of the mix.
    vnm, vom : ndarray (p, s)
        Non-originating and originating materials of the mix.
    failing : ndarray (R, p, s)
        Non-originating value of inputs failing each alternative's shift.

    Returns
    -------
    ndarray (p, s)
        max over alternatives of min(shift margin, value margin): the shift margin is
        ``(tolerance * V - failing) / V``; the value margin is the RVC achieved minus the
        RVC required (``build_down``, ``build_up``, ``net_cost``) or the cap minus the
        share (``max_nom``, ``max_all``; ``wholly_obtained``: ``-VNM / V``). The rule is
        met where the margin is >= 0 (a 1e-9 tolerance absorbs rounding).
    """
    v = value
    tol = rules.tolerance[rows][:, None]
    best = np.full(vnm.shape, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = vnm / v
        for r in range(rules.test.shape[0]):
            test = rules.test[r, rows][:, None]
            t = rules.threshold[r, rows][:, None]
            shift = np.where(failing[r] > 0, (tol * v - failing[r]) / v, 0.0)
            shift = np.where(failing[r] > 0, shift, np.inf)
            margin = np.full(vnm.shape, np.inf)
            for code in np.unique(test):
                if code == 0:
                    continue
                value_margin = _value_margin(int(code), t, share, vom / v, net_cost, vnm, v)
                margin = np.where(test == code, value_margin, margin)
            if rules.tolerance_value:
                margin = np.where(share <= tol + 1e-12, np.maximum(margin, 0.0), margin)
            both = np.minimum(shift, margin)
            both = np.where(np.isinf(both) & (both > 0), 1.0, both)  # nothing to test: met
            best = np.where(rules.valid[r, rows][:, None], np.maximum(best, both), best)
    return best


def _value_margin(
    code: int,
    t: np.ndarray,
    share: np.ndarray,
    originating: np.ndarray,
    net_cost: np.ndarray,
    vnm: np.ndarray,
    v: np.ndarray,
) -> np.ndarray:
    """Margin of one value test (codes of :data:`TESTS`)."""
    if code == 1:  # build-down
        return 1.0 - share - t
    if code == 2:  # build-up
        return originating - t
    if code == 3:  # net cost
        return (net_cost - vnm) / net_cost - t
    if code == 4:  # max non-originating
        return t - share
    if code == 5:  # max all materials
        return t - share - originating
    return -share  # wholly obtained


def cheapest_mixes(
    rules: AgreementRules,
    rows: np.ndarray,
    slots: np.ndarray,
    qty: np.ndarray,
    level_cost: np.ndarray,
    level_vnm: np.ndarray,
    value: np.ndarray,
    other_cost: np.ndarray,
    overhead_rate: np.ndarray,
) -> MixResult:
    """Origin of the cheapest mix and the cheapest mix meeting the rule, per (product, site).

    Parameters
    ----------
    rules : AgreementRules
        The agreement's rules (rows = made products in study order).
    rows : ndarray (p,) of int
        Made products evaluated (rows of ``rules``).
    slots : ndarray (p, J) of int
        Component index per slot (-1 padding).
    qty : ndarray (p, J)
        Units of each slot's component per unit.
    level_cost, level_vnm : ndarray (LEVELS, K, s)
        Candidate levels of every product ``K`` delivered to each site's country.
    value : ndarray (p,)
        Declared unit value V.
    other_cost : ndarray (p, s)
        Labour per unit (the net-cost basis beside materials and overhead).
    overhead_rate : ndarray (p,)
        Overhead share of materials + labour.

    Returns
    -------
    MixResult
    """
    n_p, n_j = slots.shape
    pad = slots < 0
    if level_cost.shape[1] == 0:  # no product here has components: every slot is padding
        level_cost = level_vnm = np.zeros((level_cost.shape[0], 1, level_cost.shape[2]))
    idx = np.where(pad, 0, slots)
    cost = np.where(pad[None, :, :, None], 0.0, level_cost[:, idx])  # (L, p, J, s)
    vnm = np.where(pad[None, :, :, None], 0.0, level_vnm[:, idx])
    cost = cost * qty[None, :, :, None]
    vnm = vnm * qty[None, :, :, None]
    orig = np.where(vnm <= 0.0, cost, 0.0)
    fails = rules.fails[:, rows]  # (R, p, J)
    # slots that matter: a level with a different cost somewhere (ordered by VNM)
    choice = (np.abs(cost[1:] - cost[:1]) > 0).any(axis=(0, 3))  # (p, J)
    weight = np.where(choice, vnm[0].max(axis=-1, initial=0.0), -1.0)
    order = np.argsort(-weight, axis=1, kind="stable")
    n_free = int(min(choice.sum(axis=1).max(initial=0), _free_slots(n_j)))
    free = order[:, :n_free]  # (p, F) slots tried at every level
    base = cost[0].sum(axis=1)  # (p, s) cheapest materials
    base_vnm, base_vom = vnm[0].sum(axis=1), orig[0].sum(axis=1)
    base_fail = np.einsum("rpj,pjs->rps", fails, vnm[0])
    v = value[:, None]
    ovh = overhead_rate[:, None]

    def margin_of(m: np.ndarray, n: np.ndarray, o: np.ndarray, f: np.ndarray) -> np.ndarray:
        net = (m + other_cost) * (1.0 + ovh)
        return alternative_margin(rules, rows, v, net, n, o, f)

    margin0 = margin_of(base, base_vnm, base_vom, base_fail)
    met0 = margin0 >= -1e-9
    best = np.where(met0, base, np.inf)
    best_margin = np.where(met0, margin0, np.nan)
    if n_free:
        take = np.arange(n_p)[:, None]
        sub_cost = cost[:, take, free]  # (L, p, F, s)
        sub_vnm = vnm[:, take, free]
        sub_orig = orig[:, take, free]
        sub_fail = fails[:, take, free]  # (R, p, F)
        for combo in itertools.product(range(LEVELS), repeat=n_free):
            if not any(combo):
                continue
            lv = np.asarray(combo)
            pick = np.arange(n_free)
            d_cost = (sub_cost[lv, :, pick] - sub_cost[0, :, pick]).sum(axis=0)  # (p, s)
            if not np.isfinite(d_cost).any():
                continue
            d_vnm = sub_vnm[lv, :, pick] - sub_vnm[0, :, pick]  # (F, p, s)
            d_orig = (sub_orig[lv, :, pick] - sub_orig[0, :, pick]).sum(axis=0)
            d_fail = np.einsum("rpf,fps->rps", sub_fail, d_vnm)
            m = base + d_cost
            margin = margin_of(
                m, base_vnm + d_vnm.sum(axis=0), base_vom + d_orig, base_fail + d_fail
            )
            better = (margin >= -1e-9) & (m < best)
            best = np.where(better, m, best)
            best_margin = np.where(better, margin, best_margin)
    return MixResult(
        met_cheapest=met0,
        margin_cheapest=margin0,
        extra=np.where(np.isfinite(base), best - base, np.inf),
        margin_qualifying=best_margin,
    )


def _free_slots(n_j: int) -> int:
    """Slots enumerated at every level within :data:`MAX_COMBINATIONS`."""
    free = 0
    while free < n_j and LEVELS ** (free + 1) <= MAX_COMBINATIONS:
        free += 1
    return free


def bom_slots(bom: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Component indices and quantities of each product, padded to the longest BOM.

    Parameters
    ----------
    bom : ndarray (P, P)
        Units of component per unit of parent.
    rows : ndarray of int
        Products wanted.

    Returns
    -------
    (ndarray, ndarray)
        ``slots`` (len(rows), J) int with -1 padding, and ``qty`` (len(rows), J).
    """
    sub = bom[rows]
    counts = (sub > 0).sum(axis=1)
    n_j = int(counts.max(initial=0))
    slots = np.full((rows.size, n_j), -1, dtype=int)
    qty = np.zeros((rows.size, n_j))
    for i in range(rows.size):  # once per study, not in the hot path
        ks = np.flatnonzero(sub[i] > 0)
        slots[i, : ks.size] = ks
        qty[i, : ks.size] = sub[i, ks]
    return slots, qty
