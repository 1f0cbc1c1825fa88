"""General-equilibrium counterfactuals of the structural gravity model (GEPPML).

The model is the one of Anderson & van Wincoop (2003) as solved in Yotov, Piermartini,
Monteiro & Larch (2016), *An Advanced Guide to Trade Policy Analysis*, WTO/UNCTAD, ch. 2
(the "GEPPML" procedure of Anderson, Larch & Yotov 2018). For N countries, with
``T[i, j] = t_ij ** (1 - sigma)`` the bilateral trade-cost term (shape (N, N), unitless),
output ``Y`` and expenditure ``E`` (shape (N,), the trade data's currency unit):

- flows ``X[i, j] = Y[i] * E[j] * T[i, j] / (OMR[i] * IMR[j])``;
- outward resistance ``OMR[i] = sum_j T[i, j] * E[j] / IMR[j]`` (the book's
  ``Pi_i ** (1 - sigma)``) and inward ``IMR[j] = sum_i T[i, j] * Y[i] / OMR[i]``
  (``P_j ** (1 - sigma)``), normalized by ``IMR[ref] = 1`` for a reference country (the
  book's Germany): these are the exporter and importer fixed effects of a PPML with the
  trade-cost offset, so ``sum_j X[i, j] = Y[i]`` and ``sum_i X[i, j] = E[j]``;
- conditional effects keep ``Y`` and ``E``; full-endowment effects let factory-gate prices
  change, ``Y'[i] = p[i] * Y[i]`` with ``p[i] = (OMR'[i] / OMR[i]) ** (1 / sigma)``
  (from the exporter fixed effect ``Y[i] / OMR[i]`` being proportional to
  ``p[i] ** (1 - sigma)``; the book's do-files compute it as ``change_pricei``).

Trade imbalances: each country's deficit ``E[j] - Y[j]`` is held as a constant share of
world output (so that world spending equals world output in every equilibrium). The book
holds ``E[j] / Y[j]`` constant instead, which satisfies world market clearing only when
trade is balanced, and its iterative Stata loop stops at a tolerance of 0.01 in the price
changes. Conditional effects do not depend on either and equal the book's to 1e-6
percentage points; full-endowment export effects differ by up to about 2 percentage points
in the shipped examples (57 for Hong Kong, whose spending is far above its output when
borders are removed; see the examples' notes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shoring.errors import ShoringError

TOL = 1e-12
"""Relative tolerance of the resistances (market clearing) and of the price fixed point."""

MAX_ITER = 100_000


class ConvergenceError(ShoringError):
    """The counterfactual equilibrium was not found within the iteration limit."""


def resistances(
    cost: np.ndarray,
    output: np.ndarray,
    spending: np.ndarray,
    ref: int,
    omr: np.ndarray | None = None,
    tol: float = TOL,
) -> tuple[np.ndarray, np.ndarray]:
    """Multilateral resistances for given costs, output and expenditure (matrix scaling).

    Parameters
    ----------
    cost : numpy.ndarray, shape (N, N)
        Trade-cost terms ``T = t_ij ** (1 - sigma)``, positive.
    output, spending : numpy.ndarray, shape (N,)
        Output ``Y`` by exporter and expenditure ``E`` by importer, equal totals.
    ref : int
        Index of the reference country (``IMR[ref] = 1``).
    omr : numpy.ndarray, shape (N,), optional
        Starting point (a previous solution).
    tol : float
        Largest relative error allowed in the column sums (row sums are exact).

    Returns
    -------
    (OMR, IMR) : tuple of numpy.ndarray, each shape (N,)

    Raises
    ------
    ConvergenceError
        When the scaling does not converge in :data:`MAX_ITER` sweeps.
    """
    out = np.ones_like(output) if omr is None else omr.copy()
    for _ in range(MAX_ITER):
        inward = cost.T @ (output / out)
        out = cost @ (spending / inward)
        cols = (cost.T @ (output / out)) / inward  # column sums / E after the row update
        if np.max(np.abs(cols - 1.0)) < tol:
            inward = cost.T @ (output / out)
            scale = inward[ref]
            return out * scale, inward / scale
    raise ConvergenceError("multilateral resistances did not converge")


def flows(
    cost: np.ndarray, output: np.ndarray, spending: np.ndarray, omr: np.ndarray, imr: np.ndarray
):
    """Bilateral flows ``Y_i E_j T_ij / (OMR_i IMR_j)``, shape (N, N)."""
    return (output / omr)[:, None] * cost * (spending / imr)[None, :]


@dataclass(frozen=True)
class Equilibrium:
    """One solved state of the model (arrays of shape (N,) unless said).

    Attributes
    ----------
    cost : numpy.ndarray, shape (N, N)
        Trade-cost terms ``T``.
    output, spending : numpy.ndarray
        Output ``Y`` and expenditure ``E``.
    omr, imr : numpy.ndarray
        Resistances ``Pi ** (1 - sigma)`` and ``P ** (1 - sigma)`` (``imr[ref] = 1``).
    trade : numpy.ndarray, shape (N, N)
        Flows ``X``, exporter by importer.
    price : numpy.ndarray
        Factory-gate price relative to the baseline (1 in the baseline and conditional).
    iterations : int
        Price iterations (0 unless full endowment).
    """

    cost: np.ndarray
    output: np.ndarray
    spending: np.ndarray
    omr: np.ndarray
    imr: np.ndarray
    trade: np.ndarray
    price: np.ndarray
    iterations: int = 0

    def exports(self) -> np.ndarray:
        """International exports by country (domestic sales left out), shape (N,)."""
        return self.trade.sum(axis=1) - np.diag(self.trade)

    def omr_index(self, sigma: float) -> np.ndarray:
        """Outward resistance ``Pi_i`` (the index, not its power ``1 - sigma``)."""
        return self.omr ** (1.0 / (1.0 - sigma))

    def imr_index(self, sigma: float) -> np.ndarray:
        """Inward resistance ``P_j``, the consumer price index (``P_ref = 1``)."""
        return self.imr ** (1.0 / (1.0 - sigma))

    def real_gdp(self, sigma: float) -> np.ndarray:
        """Real output ``Y_i / P_i`` (book: rGDP)."""
        return self.output / self.imr_index(sigma)


def solve(cost: np.ndarray, output: np.ndarray, spending: np.ndarray, ref: int) -> Equilibrium:
    """The equilibrium for given output and expenditure (baseline or conditional).

    Parameters
    ----------
    cost : numpy.ndarray, shape (N, N)
        Trade-cost terms ``T``.
    output, spending : numpy.ndarray, shape (N,)
        Output ``Y`` and expenditure ``E``, positive, equal totals.
    ref : int
        Reference country index.

    Returns
    -------
    Equilibrium
        With ``price`` all ones.
    """
    _check(cost, output, spending)
    omr, imr = resistances(cost, output, spending, ref)
    return Equilibrium(
        cost,
        output,
        spending,
        omr,
        imr,
        flows(cost, output, spending, omr, imr),
        np.ones_like(output),
    )


def _check(cost: np.ndarray, output: np.ndarray, spending: np.ndarray) -> None:
    n = output.shape[0]
    if cost.shape != (n, n) or spending.shape != (n,):
        raise ValueError(
            f"shapes differ: cost {cost.shape}, output {output.shape}, spending {spending.shape}"
        )
    if not (np.all(np.isfinite(cost)) and np.all(cost > 0)):
        raise ShoringError("trade-cost terms must be finite and positive for every pair")
    if not (np.all(output > 0) and np.all(spending > 0)):
        raise ShoringError("every country needs positive output and expenditure")
    if abs(output.sum() - spending.sum()) > 1e-9 * output.sum():
        raise ShoringError("world output and world expenditure differ")


def solve_full(
    cost_new: np.ndarray,
    base: Equilibrium,
    sigma: float,
    ref: int,
    damping: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> Equilibrium:
    """Full-endowment equilibrium after a change of trade costs.

    Factory-gate prices solve ``p = (OMR'(p) / OMR) ** (1 / sigma)`` with
    ``Y' = p * Y``, ``E' = Y' + d * sum(Y')`` (``d = (E - Y) / sum(Y)`` from the baseline)
    and the resistances of ``T_new``; ``IMR'[ref] = 1`` is the numeraire.

    Parameters
    ----------
    cost_new : numpy.ndarray, shape (N, N)
        Counterfactual trade-cost terms.
    base : Equilibrium
        The baseline (from :func:`solve`).
    sigma : float
        Elasticity of substitution (> 1).
    ref : int
        Reference country index.
    damping : float
        Weight of the new iterate in the price update (0 < damping <= 1).
    progress : callable, optional
        Receives a line every 50 iterations.

    Returns
    -------
    Equilibrium

    Raises
    ------
    ConvergenceError
        When prices do not settle within :data:`MAX_ITER` iterations.
    """
    if sigma <= 1:
        raise ShoringError(f"sigma must be > 1 (got {sigma})")
    _check(cost_new, base.output, base.spending)
    deficit = (base.spending - base.output) / base.output.sum()
    price = np.ones_like(base.output)
    omr = base.omr
    for it in range(1, MAX_ITER + 1):
        output = price * base.output
        spending = output + deficit * output.sum()
        omr, imr = resistances(cost_new, output, spending, ref, omr)
        target = (omr / base.omr) ** (1.0 / sigma)
        step = np.max(np.abs(np.log(target / price)))
        price = price ** (1.0 - damping) * target**damping
        if progress is not None and it % 50 == 0:
            progress(f"full-endowment prices: iteration {it}, change {step:.1e}")
        if step < TOL:
            output = price * base.output
            spending = output + deficit * output.sum()
            omr, imr = resistances(cost_new, output, spending, ref, omr)
            trade = flows(cost_new, output, spending, omr, imr)
            return Equilibrium(cost_new, output, spending, omr, imr, trade, price, it)
    raise ConvergenceError("full-endowment prices did not converge")
