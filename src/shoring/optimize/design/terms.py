"""Sparse sums of variables into dense groups, built directly as linopy expressions.

Flows live on sparse entity lists (lanes, links, offers); constraints are indexed by
dense coordinates (product x market, site x scenario x period...). :func:`gather`
builds ``sum_{n in group g} coeff_n * x_n`` for every group ``g`` at once: the entities
are sorted by group and laid out in a (group, term) array of variable labels padded with
-1 (linopy's "no variable"), which is how linopy stores an expression.

That layout pads every row to the longest one. When rows differ much in length (a
cheap site is among the k best sites of hundreds of markets, so its production
balance has hundreds of terms while most rows have a few), :func:`add_sparse_constraints`
adds the family in blocks of rows of similar length instead: rows whose term count
rounds up to the same power of two form one linopy constraint named
``"<family>#<width>"`` over a ``row`` dimension (with the grouped coordinates as
auxiliary coordinates along it), so the padding costs at most a factor of two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import linopy
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["Terms", "add_sparse_constraints", "gather", "labels_of", "var_terms"]

Sign = Literal["==", "<=", ">="]

MAX_PADDING = 2.0
"""A family is added as one padded block while padded terms <= this x real terms;
otherwise in blocks whose widths grow by this factor."""
DENSE_CELLS = 4096
"""Families whose padded (rows x width) grid is smaller are always one block."""


class Terms(NamedTuple):
    """``coeff_n * x_n`` for N entities, each summed into the row ``group_n``.

    Attributes
    ----------
    labels : ndarray (N, *rest)
        Variable labels (-1 = no variable).
    coeffs : ndarray (N,) or (N, *rest), or float
    group : ndarray (N,) of int
        Flat position of each entity's row in the dense target grid.
    """

    labels: np.ndarray
    coeffs: np.ndarray | float
    group: np.ndarray


def labels_of(var: linopy.Variable, dims: Sequence[str]) -> np.ndarray:
    """Variable labels as a numpy array with dims in the order ``dims`` (-1 = absent).

    Parameters
    ----------
    var : linopy.Variable
        The variable.
    dims : sequence of str
        All of its dims, in the order wanted.

    Returns
    -------
    ndarray of int64
        Labels, shape given by the sizes of ``dims``.

    Raises
    ------
    ValueError
        If ``dims`` is not a permutation of the variable's dims (from xarray).
    """
    return var.labels.transpose(*dims).to_numpy()


def gather(
    model: linopy.Model,
    labels: np.ndarray,
    coeffs: np.ndarray | float,
    group: np.ndarray,
    target: Sequence[pd.Index],
    rest: Sequence[pd.Index] = (),
) -> linopy.LinearExpression:
    """Sum variables by group.

    Parameters
    ----------
    model : linopy.Model
        Model owning the variables.
    labels : ndarray (N, *rest)
        Variable labels of N entities (trailing dims ``rest``); -1 = no variable.
    coeffs : ndarray (N,) or (N, *rest), or float
        Coefficient of each entity.
    group : ndarray (N,) of int
        Flat position of each entity's group in the dense ``target`` grid.
    target : sequence of pandas.Index
        Named coordinates of the grouped dims (the grid has ``prod(len)`` cells).
    rest : sequence of pandas.Index
        Named coordinates of the trailing dims of ``labels``.

    Returns
    -------
    linopy.LinearExpression
        Dims ``(*target, *rest)``; a group with no entity is an empty expression.
    """
    shape_t = tuple(len(ix) for ix in target)
    shape_r = tuple(len(ix) for ix in rest)
    n_groups = int(np.prod(shape_t, dtype=np.int64))
    group = np.asarray(group, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    g = group[order]
    counts = np.bincount(g, minlength=n_groups) if g.size else np.zeros(n_groups, np.int64)
    width = max(int(counts.max(initial=0)), 1)
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(g.size) - start[g]
    variables = np.full((n_groups, width, *shape_r), -1, dtype=np.int64)
    values = np.zeros((n_groups, width, *shape_r))
    lab = np.asarray(labels).reshape((len(group), *shape_r))
    variables[g, rank] = lab[order]
    co = np.asarray(coeffs, dtype=float)
    if co.ndim == 1:
        co = co.reshape((-1,) + (1,) * len(shape_r))
    co = np.broadcast_to(co, lab.shape)
    values[g, rank] = co[order]
    values[variables < 0] = 0.0
    n_t = len(shape_t)
    axes = (*range(n_t), *range(n_t + 1, n_t + 1 + len(shape_r)), n_t)
    variables = variables.reshape(*shape_t, width, *shape_r).transpose(axes)
    values = values.reshape(*shape_t, width, *shape_r).transpose(axes)
    dims = [ix.name for ix in (*target, *rest)]
    coords = {ix.name: ix for ix in (*target, *rest)}
    data = xr.Dataset(
        {
            "coeffs": ((*dims, "_term"), values),
            "vars": ((*dims, "_term"), variables),
            "const": (dims, np.zeros(shape_t + shape_r)),
        },
        coords=coords,
    )
    return linopy.LinearExpression(data, model)


def var_terms(
    var: linopy.Variable, target: Sequence[str], rest: Sequence[str], coeff: float = 1.0
) -> Terms:
    """A variable indexed by the whole target grid, one term per row (``coeff * x``).

    Parameters
    ----------
    var : linopy.Variable
        Variable whose dims are exactly ``(*target, *rest)`` in some order.
    target : sequence of str
        Dims of the dense row grid, in grid order.
    rest : sequence of str
        Trailing dims kept on each term.
    coeff : float, default 1.0
        Coefficient of every term.

    Returns
    -------
    Terms
        Row ``i`` of the flattened target grid gets the variable's cell ``i``.
    """
    lab = labels_of(var, (*target, *rest))
    n_rows = int(np.prod(lab.shape[: len(target)], dtype=np.int64))
    lab = lab.reshape(n_rows, *lab.shape[len(target) :])
    return Terms(lab, coeff, np.arange(n_rows))


def _concat(parts: Sequence[Terms], shape_r: tuple[int, ...]) -> Terms:
    labels, coeffs, groups = [], [], []
    for part in parts:
        lab = np.asarray(part.labels).reshape((len(part.group), *shape_r))
        co = np.asarray(part.coeffs, dtype=float)
        if co.ndim == 1:
            co = co.reshape((-1,) + (1,) * len(shape_r))
        labels.append(lab)
        coeffs.append(np.broadcast_to(co, lab.shape))
        groups.append(np.asarray(part.group, dtype=np.int64))
    return Terms(np.concatenate(labels), np.concatenate(coeffs), np.concatenate(groups))


def add_sparse_constraints(
    model: linopy.Model,
    name: str,
    parts: Sequence[Terms],
    sign: Sign,
    rhs: np.ndarray | float,
    target: Sequence[pd.Index],
    rest: Sequence[pd.Index] = (),
    mask: np.ndarray | None = None,
    max_padding: float | None = None,
) -> None:
    """Add ``sum of parts <sign> rhs`` for every row of a dense grid, without padding
    every row to the longest.

    Parameters
    ----------
    model : linopy.Model
        Model the constraints are added to (in place).
    name : str
        Family name. When the rows fit in one padded block they form one constraint of
        that name with dims ``(*target, *rest)``; otherwise one constraint per block of
        rows of similar length, named ``"<name>#<width>"``, with dims ``(row, *rest)``:
        ``row`` holds each row's flat position in the target grid and carries the
        ``target`` coordinates as auxiliary coordinates along it.
    parts : sequence of Terms
        The left-hand side, summed.
    sign : {"==", "<=", ">="}
        Comparison of the left-hand side with ``rhs``.
    rhs : ndarray broadcastable to (*target, *rest), or float
        Right-hand side.
    target, rest : sequence of pandas.Index
        Named coordinates of the grouped dims and of the trailing dims of the labels.
    mask : ndarray of bool (*target), optional
        Rows to add (default: every row).
    max_padding : float, optional
        Largest ratio of padded to real terms accepted in one block, and the width
        ratio between blocks (default :data:`MAX_PADDING`).
    """
    max_padding = MAX_PADDING if max_padding is None else max_padding
    shape_t = tuple(len(ix) for ix in target)
    shape_r = tuple(len(ix) for ix in rest)
    n_rows = int(np.prod(shape_t, dtype=np.int64))
    terms = _concat(parts, shape_r)
    rhs_full = np.broadcast_to(np.asarray(rhs, dtype=float), shape_t + shape_r)
    keep = np.ones(n_rows, bool) if mask is None else np.asarray(mask, bool).reshape(n_rows)
    if not keep.any():
        return  # no row to add (e.g. a rule over products nobody demands)
    n_rest = int(np.prod(shape_r, dtype=np.int64))
    present = (terms.labels.reshape(len(terms.group), n_rest) >= 0).any(axis=1)
    counts = np.bincount(terms.group[present], minlength=n_rows)
    width = max(int(counts.max(initial=0)), 1)
    real = int(np.maximum(counts, 1)[keep].sum())
    if n_rows * width <= max_padding * real or n_rows * width < DENSE_CELLS:
        expr = gather(model, terms.labels, terms.coeffs, terms.group, target, rest)
        dims = [ix.name for ix in (*target, *rest)]
        coords = {ix.name: ix for ix in (*target, *rest)}
        rhs_da = xr.DataArray(np.array(rhs_full), dims=dims, coords=coords)
        row_mask = xr.DataArray(
            keep.reshape(shape_t), dims=dims[: len(shape_t)], coords={ix.name: ix for ix in target}
        )
        model.add_constraints(_compare(expr, sign, rhs_da), name=name, mask=row_mask)
        return
    sel = present & keep[terms.group]
    labels, coeffs, group = terms.labels[sel], terms.coeffs[sel], terms.group[sel]
    order = np.argsort(group, kind="stable")
    labels, coeffs, group = labels[order], coeffs[order], group[order]
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(group.size) - start[group]
    rows = np.flatnonzero(keep)
    # blocks of rows whose term counts round up to the same power of max_padding
    block = np.ceil(np.log(np.maximum(counts[rows], 1)) / np.log(max_padding) - 1e-9)
    block = block.astype(int)
    block_of_row = np.full(n_rows, -1)
    block_of_row[rows] = block
    position = np.zeros(n_rows, dtype=np.int64)
    rhs_rows = rhs_full.reshape(n_rows, *shape_r)
    for b in np.unique(block):
        in_block = rows[block == b]
        position[in_block] = np.arange(in_block.size)
        w = max(int(counts[in_block].max()), 1)
        take = block_of_row[group] == b
        var = np.full((in_block.size, w, *shape_r), -1, dtype=np.int64)
        val = np.zeros((in_block.size, w, *shape_r))
        var[position[group[take]], rank[take]] = labels[take]
        val[position[group[take]], rank[take]] = coeffs[take]
        val[var < 0] = 0.0
        axes = (0, *range(2, 2 + len(shape_r)), 1)
        keys = np.unravel_index(in_block, shape_t)
        coords = {"row": pd.Index(in_block, name="row")}
        coords |= {ix.name: ("row", ix.to_numpy()[k]) for ix, k in zip(target, keys, strict=True)}
        dims = ["row", *(ix.name for ix in rest)]
        data = xr.Dataset(
            {
                "coeffs": ((*dims, "_term"), val.transpose(axes)),
                "vars": ((*dims, "_term"), var.transpose(axes)),
                "const": (dims, np.zeros((in_block.size, *shape_r))),
            },
            coords=coords,
        ).assign_coords({ix.name: ix for ix in rest})
        expr = linopy.LinearExpression(data, model)
        rhs_da = xr.DataArray(rhs_rows[in_block], dims=dims, coords=data.coords)
        model.add_constraints(_compare(expr, sign, rhs_da), name=f"{name}#{w}")


def _compare(expr: linopy.LinearExpression, sign: Sign, rhs: xr.DataArray):
    if sign == "==":
        return expr == rhs
    if sign == "<=":
        return expr <= rhs
    return expr >= rhs
