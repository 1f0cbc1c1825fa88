"""Transfer links of own-made components, built sparse and counted before they are built.

A link moves a component from a site that makes it to a site that uses it (makes a
parent of it in the bill of materials), the site itself included. Only such pairs are
links: a site that makes no component sends nothing, a site that uses none receives
nothing. Where every one of S sites makes and uses a component there are still S^2
pairs, so :func:`count_links` gives the number first (for the size estimate of
:mod:`~shoring.optimize.design.size`) and ``max_sources`` keeps, for each component
and using site, only the ``k`` cheapest sources (and the site itself).
"""

from __future__ import annotations

import numpy as np

__all__ = ["count_links", "transfer_links"]


def _ends(makeable: np.ndarray, uses: np.ndarray, bom: np.ndarray) -> tuple[np.ndarray, ...]:
    component = bom.sum(axis=0) > 0  # (P,) used by some parent
    return makeable & component[:, None], uses & component[:, None]


def count_links(
    makeable: np.ndarray, uses: np.ndarray, bom: np.ndarray, max_sources: int | None = None
) -> int:
    """Number of links :func:`transfer_links` can build at most (before costs are read).

    Parameters
    ----------
    makeable, uses : ndarray (P, S) of bool
        Site can make the product / makes a parent of the product.
    bom : ndarray (P, P)
        ``bom[parent, component]``.
    max_sources : int, optional
        Keep at most this many sources (plus the site itself) per component and site.

    Returns
    -------
    int
        Upper bound of the number of links.
    """
    source, target = _ends(makeable, uses, bom)
    n_src = source.sum(axis=1).astype(np.int64)
    n_tgt = target.sum(axis=1).astype(np.int64)
    if max_sources is not None:
        n_src = np.minimum(n_src, max_sources + 1)
    return int((n_src * n_tgt).sum())


def transfer_links(
    makeable: np.ndarray,
    uses: np.ndarray,
    bom: np.ndarray,
    cost: np.ndarray | None,
    target_column: np.ndarray,
    shape_tw: tuple[int, int],
    conversion: np.ndarray | None = None,
    max_sources: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The links and their costs, component by component (no S x S x T x W array).

    Parameters
    ----------
    makeable, uses : ndarray (P, S) of bool
        As in :func:`count_links`.
    bom : ndarray (P, P)
        Bill of materials.
    cost : ndarray (P, S, C, T, W), optional
        Cost per unit moved from a site to column ``c`` (a country, or a site);
        NaN/inf = not allowed. None: moves are free.
    target_column : ndarray (S,) of int
        Column of ``cost`` of each target site.
    shape_tw : (int, int)
        Numbers of periods and scenarios.
    conversion : ndarray (P, S, T, W), optional
        Cost per unit made, to rank sources when ``max_sources`` is given.
    max_sources : int, optional
        Keep, per component and using site, the ``k`` cheapest sources (conversion plus
        move, averaged over periods and scenarios) and the site itself.

    Returns
    -------
    product, source, target : ndarray (K,) of int
    link_cost : ndarray (K, T, W)
        Cost per unit; 0 from a site to itself; NaN where not allowed.
    """
    n_t, n_w = shape_tw
    source, target = _ends(makeable, uses, bom)
    out_p, out_s, out_t, out_c = [], [], [], []
    for p in np.flatnonzero(source.any(axis=1) & target.any(axis=1)):
        src, tgt = np.flatnonzero(source[p]), np.flatnonzero(target[p])
        if cost is None:
            c = np.zeros((len(src), len(tgt), n_t, n_w))
        else:
            c = np.asarray(cost[p][src][:, target_column[tgt]], dtype=float)
        c = np.where(np.isfinite(c), c, np.nan)
        same = src[:, None] == tgt[None, :]
        c[same] = 0.0  # a component used where it is made moves nowhere
        ok = np.isfinite(c).any(axis=(2, 3))
        if max_sources is not None:
            move = np.where(np.isfinite(c), c, 0.0).sum(axis=(2, 3))
            n_ok = np.isfinite(c).sum(axis=(2, 3))
            score = np.where(ok, move / np.maximum(n_ok, 1), np.inf)
            if conversion is not None:
                conv = conversion[p][src]
                made = np.where(np.isfinite(conv), conv, np.nan)
                mean = np.nanmean(np.where(np.isfinite(made), made, np.nan), axis=(1, 2))
                score = score + np.where(np.isfinite(mean), mean, np.inf)[:, None]
            rank = np.argsort(np.argsort(score, axis=0, kind="stable"), axis=0, kind="stable")
            ok &= (rank < max_sources) | same
        i, j = np.nonzero(ok)
        out_p.append(np.full(len(i), p))
        out_s.append(src[i])
        out_t.append(tgt[j])
        out_c.append(c[i, j])
    if not out_p:
        empty = np.zeros(0, dtype=int)
        return empty, empty, empty, np.zeros((0, n_t, n_w))
    return (
        np.concatenate(out_p),
        np.concatenate(out_s),
        np.concatenate(out_t),
        np.concatenate(out_c),
    )
