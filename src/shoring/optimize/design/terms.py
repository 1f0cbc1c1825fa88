"""Sparse sums of variables into dense groups, built directly as linopy expressions.

Flows live on sparse entity lists (lanes, links, offers); constraints are indexed by
dense coordinates (product x market, site x scenario x period...). :func:`gather`
builds ``sum_{n in group g} coeff_n * x_n`` for every group ``g`` at once: the entities
are sorted by group and laid out in a (group, term) array of variable labels padded with
-1 (linopy's "no variable"), which is how linopy stores an expression.
"""

from __future__ import annotations

from collections.abc import Sequence

import linopy
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["gather", "labels_of"]


def labels_of(var: linopy.Variable, dims: Sequence[str]) -> np.ndarray:
    """Variable labels as a numpy array with dims in the order ``dims`` (-1 = absent)."""
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
