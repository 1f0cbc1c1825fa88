"""Structural gravity estimation: PPML with high-dimensional fixed effects (pyfixest).

The estimator is Poisson pseudo-maximum likelihood (Santos Silva & Tenreyro 2006) with
exporter-year, importer-year and pair effects absorbed, as recommended by Yotov,
Piermartini, Monteiro & Larch (2016), *An Advanced Guide to Trade Policy Analysis: The
Structural Gravity Model*, WTO/UNCTAD, ch. 1. Standard errors are clustered (by pair by
default). The reported pseudo R-squared is the squared correlation of observed and fitted
flows, the figure Stata's ``ppml`` reports and the book's tables print.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringError, ShoringInputError
from shoring.macro.gravity_data import (
    Design,
    build_design,
    check_sample_years,
    read_trade,
    source_locs,
)
from shoring.macro.gravity_spec import GravitySpec, data_path

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class GravityResult:
    """Estimated coefficients and fit of one gravity spec.

    Attributes
    ----------
    coefficients : dict of str to (float, float)
        Name -> (estimate, clustered standard error), in spec order.
    sums : dict of str to (float, float)
        Sums of coefficients -> (estimate, delta-method standard error).
    n_obs : int
        Observations used (after pyfixest drops those perfectly explained by effects).
    pseudo_r2 : float
        Squared correlation of observed and fitted trade.
    fixed_effects : tuple of str
        Absorbed effects.
    years : tuple of int
        Sample years.
    international_only : bool
        Whether domestic flows were left out.
    dropped : dict of str to int
        Rows left out and why.
    vcov : numpy.ndarray
        Clustered covariance of the coefficients, shape (k, k).
    """

    coefficients: dict[str, tuple[float, float]]
    sums: dict[str, tuple[float, float]]
    n_obs: int
    pseudo_r2: float
    fixed_effects: tuple[str, ...]
    years: tuple[int, ...]
    international_only: bool
    dropped: dict[str, int]
    vcov: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{coefficients: {name: {estimate, std_error}}, n_obs, pseudo_r2,
        fixed_effects, sample}`` (plus ``sums`` when the spec asks for them)."""
        out: dict[str, Any] = {
            "coefficients": {
                k: {"estimate": b, "std_error": se} for k, (b, se) in self.coefficients.items()
            },
            "n_obs": self.n_obs,
            "pseudo_r2": self.pseudo_r2,
            "fixed_effects": list(self.fixed_effects),
            "sample": {
                "years": list(self.years),
                "international_only": self.international_only,
                "dropped": dict(self.dropped),
            },
        }
        if self.sums:
            out["sums"] = {k: {"estimate": b, "std_error": se} for k, (b, se) in self.sums.items()}
        return out


def fit_ppml(frame: pd.DataFrame, spec: GravitySpec) -> Any:
    """Run pyfixest's ``fepois`` on a design frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`~shoring.macro.gravity_data.build_design`.
    spec : GravitySpec
        Regressors, effects, clustering and small-sample corrections.

    Returns
    -------
    pyfixest.estimation.fepois_.Fepois
        The fitted model.
    """
    try:
        import pyfixest as pf
    except ImportError:  # pragma: no cover - the macro extra is missing
        raise ShoringError(
            "gravity estimation needs pyfixest: pip install 'shoring[macro]'"
        ) from None

    rhs = " + ".join(spec.regressor_names())
    effects = " + ".join(f"fe_{e}" for e in spec.fixed_effects)
    formula = f"trade ~ {rhs}" + (f" | {effects}" if effects else "")
    vcov: Any = {"CRV1": spec.cluster} if spec.cluster else "hetero"
    ssc = pf.ssc(k_adj=spec.small_sample.k_adj, G_adj=spec.small_sample.g_adj)
    return pf.fepois(formula, data=frame, vcov=vcov, ssc=ssc, iwls_tol=1e-10, iwls_maxiter=100)


def checked_fit(design: Design, spec: GravitySpec, file: str = "<data>") -> Any:
    """:func:`fit_ppml` with every regressor identified, else a located error.

    Raises
    ------
    ShoringInputError
        When a regressor is collinear with the fixed effects (its coefficient is not
        identified) or the estimation fails.
    """
    names = list(spec.regressor_names())
    try:
        with warnings.catch_warnings():  # dropped rows are counted in the result instead
            warnings.simplefilter("ignore", UserWarning)
            fit = fit_ppml(design.frame, spec)
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        text = " ".join(str(exc).split())
        if "collinear" in text:
            text = f"not identified (collinear with the fixed effects): {', '.join(names)}"
        raise ShoringInputError([Problem(file, f"PPML failed: {text}")]) from None
    dropped_vars = [n for n in names if n not in fit.tidy().index]
    if dropped_vars:
        message = f"not identified (collinear with the fixed effects): {', '.join(dropped_vars)}"
        raise ShoringInputError([Problem(file, message)])
    return fit


def estimate_design(design: Design, spec: GravitySpec, file: str = "<data>") -> GravityResult:
    """Estimate a spec on a prepared design.

    Raises
    ------
    ShoringInputError
        When a regressor is collinear with the fixed effects (its coefficient is not
        identified) or the estimation does not converge.
    """
    names = list(spec.regressor_names())
    fit = checked_fit(design, spec, file)
    tidy = fit.tidy()
    est = tidy["Estimate"].to_numpy(dtype=float)
    se = tidy["Std. Error"].to_numpy(dtype=float)
    vcov = np.asarray(fit._vcov, dtype=float)
    order = [list(tidy.index).index(n) for n in names]
    coefficients = {n: (float(est[i]), float(se[i])) for n, i in zip(names, order, strict=True)}
    sums = {}
    for s in spec.sums:
        weights = np.zeros(len(tidy.index))
        weights[[list(tidy.index).index(t) for t in s.terms]] = 1.0
        sums[s.name] = (float(weights @ est), float(np.sqrt(weights @ vcov @ weights)))
    y = fit._data["trade"].to_numpy(dtype=float)  # the rows pyfixest kept
    mu = np.asarray(fit.predict(type="response"), dtype=float).ravel()
    n_obs = int(fit._N)
    dropped = {"lag_or_lead_outside_data": design.dropped_no_lag}
    dropped["perfectly_predicted_by_effects"] = len(design.frame) - n_obs
    return GravityResult(
        coefficients=coefficients,
        sums=sums,
        n_obs=n_obs,
        pseudo_r2=float(np.corrcoef(y, mu)[0, 1] ** 2),
        fixed_effects=spec.fixed_effects,
        years=design.years,
        international_only=spec.sample.international_only,
        dropped=dropped,
        vcov=vcov,
    )


def estimate(
    spec: GravitySpec,
    spec_file: str | Path = "<spec>",
    data: str | Path | None = None,
    progress: Progress = _quiet,
) -> GravityResult:
    """Read the data named by a spec (or ``data``) and estimate it.

    Parameters
    ----------
    spec : GravitySpec
        The estimation.
    spec_file : str or Path
        The spec's file (a relative ``data:`` path is read from its folder).
    data : str or Path, optional
        Trade CSV overriding the spec's ``data``.
    progress : callable, optional
        Receives a line of text before each long step.

    Returns
    -------
    GravityResult

    Raises
    ------
    ShoringInputError
        Bad data (file, line, column) or a coefficient that cannot be estimated.
    """
    path = data_path(spec.data, spec_file, data)
    progress(f"reading {path}")
    locs = source_locs(spec)
    frame = read_trade(path, spec.columns, list(locs), spec_file=spec_file, locs=locs)
    check_sample_years(frame, spec, spec_file)
    design = build_design(frame, spec, str(path))
    n_fe = sum(design.frame[f"fe_{e}"].nunique() for e in spec.fixed_effects)
    progress(f"PPML on {len(design.frame):,} rows with {n_fe:,} fixed effects")
    return estimate_design(design, spec, str(path))
