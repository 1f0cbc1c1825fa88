"""Run a counterfactual spec: estimate costs, build the year's cost matrix, solve, report.

Steps (Yotov et al. 2016, ch. 2): (1) PPML on the spec's sample; (2) ``ln T_ij`` of the GE
year = the estimated regressors times their coefficients, plus the pair effect when the
estimation has pair effects (missing pair effects filled by a second-stage PPML on
gravity variables); (3) output ``Y`` and expenditure ``E`` of the year from the observed
flows (domestic included); (4) baseline, conditional and full-endowment equilibria
(:mod:`shoring.macro.ge`); (5) percentage changes per country and pair, market shares in
the diversion markets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError
from shoring.macro import ge
from shoring.macro.ge_spec import CounterfactualSpec, FillPairs, SetRegressor
from shoring.macro.ge_tariffs import (  # noqa: F401 - re-exported (public API of ge_run)
    BASELINE,
    BlockedLaneError,
    claim_shares,
    duty_rates,
    shock_duties,
    shock_summary,
    shock_weights,
    tariff_factor,
)
from shoring.macro.gravity import Progress, _quiet, checked_fit
from shoring.macro.gravity_data import build_design, check_sample_years, read_trade, source_locs
from shoring.macro.gravity_spec import GravitySpec, Sample, data_path, spec_problem

PAIR_EFFECTS = ("pair", "pair_intl")


@dataclass(frozen=True)
class Counterfactual:
    """Solved baseline, conditional and full-endowment equilibria of one spec.

    Attributes
    ----------
    countries : tuple of str
        ISO3 codes, the order of every array (N).
    base, conditional, full : ge.Equilibrium
        The three states (flows in the data's currency unit).
    sigma : float
        Elasticity of substitution.
    report : str
        ``counterfactual`` or ``agreement`` (changes from counterfactual to baseline).
    diversion_markets : tuple of str
        Markets whose import shares are reported.
    coefficients : dict of str to float
        The estimated cost coefficients.
    seconds : float
        Time of the GE solution (steps 4-5), wall clock.
    tariffs : dict, optional
        The tariff shock applied (:func:`shock_summary`): its source and the additional
        duty of every pair that pays one; None without a tariff shock.
    """

    countries: tuple[str, ...]
    base: ge.Equilibrium
    conditional: ge.Equilibrium
    full: ge.Equilibrium
    sigma: float
    report: str
    diversion_markets: tuple[str, ...]
    coefficients: dict[str, float]
    seconds: float
    tariffs: dict[str, Any] | None = None

    def _pct(self, base: np.ndarray, new: np.ndarray) -> np.ndarray:
        if self.report == "agreement":  # from the world without it to the one with it
            return (base / new - 1.0) * 100.0
        return (new / base - 1.0) * 100.0

    def country_table(self) -> pd.DataFrame:
        """Percentage changes by country (the JSON ``countries`` rows)."""
        b, c, f, s = self.base, self.conditional, self.full, self.sigma
        return pd.DataFrame(
            {
                "country": self.countries,
                "exports_change_pct_conditional": self._pct(b.exports(), c.exports()),
                "exports_change_pct_full": self._pct(b.exports(), f.exports()),
                "producer_price_change_pct": self._pct(b.price, f.price),
                "omr_change_pct": self._pct(b.omr_index(s), f.omr_index(s)),
                "imr_change_pct": self._pct(b.imr_index(s), f.imr_index(s)),
                "real_gdp_change_pct": self._pct(b.real_gdp(s), f.real_gdp(s)),
            }
        )

    def bilateral_table(self) -> pd.DataFrame:
        """Flows by pair: baseline, conditional, full and their percentage changes."""
        n = len(self.countries)
        exp, imp = np.divmod(np.arange(n * n), n)
        codes = np.asarray(self.countries)
        b, c, f = (s.trade.ravel() for s in (self.base, self.conditional, self.full))
        return pd.DataFrame(
            {
                "exporter": codes[exp],
                "importer": codes[imp],
                "baseline": b,
                "conditional": c,
                "full": f,
                "change_pct_conditional": self._pct(b, c),
                "change_pct_full": self._pct(b, f),
            }
        )

    def diversion(self) -> list[dict[str, Any]]:
        """Import shares of every supplier in each diversion market (percent of imports).

        Returns
        -------
        list of dict
            One per market present: ``market`` and ``suppliers`` rows (``exporter``,
            ``share_baseline_pct``, ``share_full_pct``, ``change_pp``), largest gain first;
            for an agreement the change is baseline minus counterfactual.
        """
        out = []
        for market in self.diversion_markets:
            if market not in self.countries:
                continue
            j = self.countries.index(market)
            shares = []
            for state in (self.base, self.full):
                col = state.trade[:, j].copy()
                col[j] = 0.0  # imports only
                shares.append(col / col.sum() * 100.0)
            change = shares[0] - shares[1] if self.report == "agreement" else shares[1] - shares[0]
            rows = [
                {
                    "exporter": code,
                    "share_baseline_pct": float(shares[0][i]),
                    "share_full_pct": float(shares[1][i]),
                    "change_pp": float(change[i]),
                }
                for i, code in enumerate(self.countries)
                if i != j
            ]
            rows.sort(key=lambda r: -r["change_pp"])
            out.append({"market": market, "suppliers": rows})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{countries: [...], bilateral: [...], diversion, coefficients, ...}``."""
        return {
            "countries": self.country_table().to_dict(orient="records"),
            "bilateral": self.bilateral_table().to_dict(orient="records"),
            "diversion": self.diversion(),
            "coefficients": self.coefficients,
            "sigma": self.sigma,
            "report": self.report,
            "full_endowment_iterations": self.full.iterations,
            "tariff_shock": self.tariffs,
        }


def _pair_mask(codes: np.ndarray, exp: np.ndarray, imp: np.ndarray, rule: SetRegressor):
    mask = exp != imp
    if rule.among is not None:
        mask &= np.isin(codes[exp], rule.among) & np.isin(codes[imp], rule.among)
    if rule.exporters:
        mask &= np.isin(codes[exp], rule.exporters)
    if rule.importers:
        mask &= np.isin(codes[imp], rule.importers)
    return mask


def _pair_effects(fit: Any, names: list[str], b: np.ndarray, year: int, countries) -> np.ndarray:
    """Pair effects of the GE year relative to domestic trade, flattened (N * N,).

    From the fitted values of the year, ``eta_ij = ln mu_ij - b . x_ij`` equals
    ``pi_i + chi_j + gamma_ij`` with symmetric pair effects, so
    ``gamma_ij - (gamma_ii + gamma_jj) / 2 = (eta_ij + eta_ji - eta_ii - eta_jj) / 2``:
    the pair effects normalized by domestic trade (0 on the diagonal), which differ from
    any other normalization by exporter and importer factors the GE absorbs. NaN for
    pairs the estimation dropped (no trade in any year).
    """
    kept = fit._data
    at = (kept["year"] == year).to_numpy()
    rows = kept[at]
    eta = np.log(np.asarray(fit.predict(type="response"), dtype=float)[at])
    eta -= rows[names].to_numpy(dtype=float) @ b
    n = len(countries)
    index = {c: k for k, c in enumerate(countries)}
    full = np.full((n, n), np.nan)
    full[rows["exporter"].map(index).to_numpy(), rows["importer"].map(index).to_numpy()] = eta
    diag = np.diag(full)
    return (0.5 * (full + full.T - diag[:, None] - diag[None, :])).ravel()


def _fill(year: pd.DataFrame, gamma: np.ndarray, fill: FillPairs | None, file: str):
    missing = np.isnan(gamma)
    if not missing.any():
        return gamma
    if fill is None:
        pairs = year.loc[missing, ["exporter", "importer"]].head(3).agg("-".join, axis=1)
        message = (
            f"{int(missing.sum())} pairs have no estimated pair effect (e.g. "
            f"{', '.join(pairs)}): add fill_pairs: to the spec"
        )
        raise ShoringInputError([Problem(file, message, field="fill_pairs")])
    stage = GravitySpec(
        fixed_effects=("exporter", "importer"),
        regressors=fill.regressors,
        sample=Sample(international_only=True),
        cluster=None,
    )
    known = year.assign(trade=np.exp(gamma))[~missing & (year["exporter"] != year["importer"])]
    fit = checked_fit(build_design(known, stage, file), stage, file)
    design = build_design(
        year.assign(trade=0.0), stage.model_copy(update={"sample": Sample()}), file
    )
    predicted = np.asarray(fit.predict(newdata=design.frame, type="response"), dtype=float)
    out = gamma.copy()
    out[missing] = np.log(predicted[missing])
    return out


@dataclass(frozen=True)
class CostModel:
    """Estimated trade costs of a spec's GE year and its baseline equilibrium.

    Attributes
    ----------
    spec : CounterfactualSpec
        The spec.
    folder : Path
        The spec's folder (relative scenario files).
    file : str
        The trade data file (for messages).
    countries : tuple of str
        ISO3 codes, the order of every array (N).
    cost : numpy.ndarray, shape (N, N)
        Baseline trade-cost terms ``T[i, j]`` (exporter i, importer j).
    cost_set : numpy.ndarray, shape (N, N)
        The costs after the spec's ``shock.set`` rules (equal to ``cost`` without rules).
    base : ge.Equilibrium
        The baseline (reproduces the observed flows of the year).
    ref : int
        Index of the reference country.
    coefficients : dict of str to float
        The estimated cost coefficients.
    base_seconds : float
        Time of the baseline solution, wall clock (counted in each counterfactual's).
    """

    spec: CounterfactualSpec
    folder: Path
    file: str
    countries: tuple[str, ...]
    cost: np.ndarray
    cost_set: np.ndarray
    base: ge.Equilibrium
    ref: int
    coefficients: dict[str, float]
    base_seconds: float

    def solve(
        self,
        cost_new: np.ndarray,
        progress: Progress = _quiet,
        report: str | None = None,
        diversion_markets: tuple[str, ...] | None = None,
    ) -> Counterfactual:
        """Conditional and full-endowment equilibria for new trade costs.

        Parameters
        ----------
        cost_new : numpy.ndarray, shape (N, N)
            Counterfactual trade-cost terms.
        progress : callable, optional
            Receives a line of text before each long step.
        report : str, optional
            ``counterfactual`` or ``agreement`` (default: the spec's).
        diversion_markets : tuple of str, optional
            Markets whose import shares are reported (default: the spec's).

        Returns
        -------
        Counterfactual
        """
        start = time.perf_counter()
        out, spend = self.base.output, self.base.spending
        progress(f"general equilibrium of {len(self.countries)} countries")
        conditional = ge.solve(cost_new, out, spend, self.ref)
        full = ge.solve_full(cost_new, self.base, self.spec.sigma, self.ref, progress=progress)
        return Counterfactual(
            countries=self.countries,
            base=self.base,
            conditional=conditional,
            full=full,
            sigma=self.spec.sigma,
            report=report or self.spec.report,
            diversion_markets=(
                self.spec.diversion_markets if diversion_markets is None else diversion_markets
            ),
            coefficients=self.coefficients,
            seconds=time.perf_counter() - start + self.base_seconds,
        )


def _check_spec_against(
    spec: CounterfactualSpec, spec_file: str | Path, frame: pd.DataFrame, file: str
) -> None:
    """Located errors for spec fields the data refutes: the GE year, shocked regressors."""
    years = sorted(frame["year"].unique().tolist())
    problems = []
    if spec.year not in years:
        message = f"{spec.year} is not a year of {file}; years: {', '.join(map(str, years))}"
        problems.append(spec_problem(spec_file, ("year",), message))
    names = spec.estimation.regressor_names()
    for k, rule in enumerate(spec.shock.set):
        if rule.regressor not in names:
            message = (
                f"{rule.regressor} is not among the estimated regressors "
                f"(estimation.regressors: {', '.join(names)})"
            )
            problems.append(spec_problem(spec_file, ("shock", "set", k, "regressor"), message))
    if problems:
        raise ShoringInputError(problems)


def estimate_costs(
    spec: CounterfactualSpec,
    spec_file: str | Path = "<spec>",
    data: str | Path | None = None,
    progress: Progress = _quiet,
) -> CostModel:
    """Estimate a spec's trade costs and solve its baseline (steps 1-3 and the baseline).

    Parameters
    ----------
    spec : CounterfactualSpec
        The counterfactual.
    spec_file : str or Path
        The spec's file (relative data paths).
    data : str or Path, optional
        Trade CSV overriding the spec's ``data``.
    progress : callable, optional
        Receives a line of text before each long step.

    Returns
    -------
    CostModel

    Raises
    ------
    ShoringInputError
        Bad data, a year without every pair, an unknown reference country.
    """
    path = data_path(spec.data, spec_file, data)
    file = str(path)
    est = spec.estimation
    locs = source_locs(est, ("estimation",))
    if spec.fill_pairs is not None:
        locs = source_locs(spec.fill_pairs, ("fill_pairs",)) | locs
    progress(f"reading {path}")
    frame = read_trade(path, spec.columns, list(locs), spec.recode, spec_file, locs)
    _check_spec_against(spec, spec_file, frame, file)
    check_sample_years(frame, est, spec_file, ("estimation",))
    design = build_design(frame, est, file)
    progress(f"PPML on {len(design.frame):,} rows (trade costs)")
    fit = checked_fit(design, est, file)
    coef = {str(k): float(v) for k, v in fit.coef().items()}

    year_spec = est.model_copy(update={"sample": Sample(years=(spec.year,))})
    year = build_design(frame, year_spec, file).frame
    countries = tuple(sorted(set(year["exporter"]) | set(year["importer"])))
    n = len(countries)
    if len(year) != n * n:
        message = f"year {spec.year} has {len(year):,} pairs; the GE needs all {n * n:,} ({n}^2)"
        raise ShoringInputError([Problem(file, message)])
    if spec.reference_country not in countries:
        message = (
            f"{spec.reference_country} is not in the data of {spec.year} ({file}); "
            f"countries: {', '.join(countries)}"
        )
        raise ShoringInputError([spec_problem(spec_file, ("reference_country",), message)])
    year = year.sort_values(["exporter", "importer"]).reset_index(drop=True)
    codes = np.asarray(countries)
    exp, imp = np.divmod(np.arange(n * n), n)
    names = list(est.regressor_names())
    x = year[names].to_numpy(dtype=float)
    b = np.array([coef[k] for k in names])
    gamma = np.zeros(n * n)
    if any(effect in est.fixed_effects for effect in PAIR_EFFECTS):
        gamma = _pair_effects(fit, names, b, spec.year, countries)
        gamma = _fill(year, gamma, spec.fill_pairs, file)
    x_new = x.copy()
    for rule in spec.shock.set:
        x_new[_pair_mask(codes, exp, imp, rule), names.index(rule.regressor)] = rule.value
    cost = np.exp(x @ b + gamma).reshape(n, n)
    observed = year["trade"].to_numpy(dtype=float).reshape(n, n)
    ref = countries.index(spec.reference_country)
    start = time.perf_counter()
    base = ge.solve(cost, observed.sum(axis=1), observed.sum(axis=0), ref)
    return CostModel(
        spec=spec,
        folder=Path(spec_file).parent,
        file=file,
        countries=countries,
        cost=cost,
        cost_set=np.exp(x_new @ b + gamma).reshape(n, n),
        base=base,
        ref=ref,
        coefficients=coef,
        base_seconds=time.perf_counter() - start,
    )


def run_counterfactual(
    spec: CounterfactualSpec,
    spec_file: str | Path = "<spec>",
    data: str | Path | None = None,
    progress: Progress = _quiet,
) -> Counterfactual:
    """Estimate, build the cost matrices and solve a counterfactual spec.

    Parameters
    ----------
    spec : CounterfactualSpec
        The counterfactual.
    spec_file : str or Path
        The spec's file (relative data paths).
    data : str or Path, optional
        Trade CSV overriding the spec's ``data``.
    progress : callable, optional
        Receives a line of text before each long step.

    Returns
    -------
    Counterfactual

    Raises
    ------
    ShoringInputError
        Bad data, a year without every pair, an unknown reference country.
    """
    model = estimate_costs(spec, spec_file, data, progress)
    shock = spec.shock.tariffs
    if shock is None:
        return model.solve(model.cost_set, progress)
    progress(f"tariffs of {shock.scenario} on {shock.when}")
    rate = shock_duties(shock, model.countries, model.folder)
    result = model.solve(model.cost_set * (1.0 + rate) ** (-spec.sigma), progress)
    return replace(result, tariffs=shock_summary(shock, rate, model.countries))
