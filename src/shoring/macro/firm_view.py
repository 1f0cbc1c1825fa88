"""The macro view of a firm study's scenarios: who gains the diverted trade, prices.

A firm study (:class:`shoring.study.Study`) costs its network under policy scenarios; this
module puts each scenario's tariffs into the structural gravity model of a counterfactual
spec (:mod:`shoring.macro.ge_run`) so the study report can say what the same tariffs do to
the world: import shares in the network's markets (who gains the diverted trade), consumer
price indices (inward resistance), factory-gate prices and real GDP of the network's
countries.

Trade costs are estimated once per spec (:func:`shoring.macro.ge_run.estimate_costs`); each
scenario's additional duties on the spec's HS6 codes, in force on one date, change the cost
terms by ``(1 + t_ij) ** (-sigma)`` and the conditional and full-endowment equilibria are
solved. Duties follow the landed-cost engine's rule (:func:`shoring.macro.ge_run.duty_rates`):
on a lane an agreement covers, the share of trade claiming the preference (the cited USMCA
utilization for Canada and Mexico into the US) pays the preferential rate without the
measures the agreement exempts, the rest MFN plus every measure. Changes run from the
baseline (the data's trade costs, without the scenario's duties) to the world with them;
the spec's own scenario and ``report`` setting are not used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError
from shoring.macro.ge_run import (
    BlockedLaneError,
    Counterfactual,
    claim_shares,
    duty_rates,
    estimate_costs,
    shock_weights,
)
from shoring.macro.ge_spec import CounterfactualSpec
from shoring.macro.gravity_spec import load_spec
from shoring.scenario import Scenario


@dataclass(frozen=True)
class ScenarioView:
    """One scenario in the general equilibrium.

    Attributes
    ----------
    scenario : str
        Scenario name.
    duties : numpy.ndarray, shape (N, N)
        Mean additional ad valorem duty (fraction) of exporter i in importer j; NaN when
        the scenario blocks a lane.
    result : Counterfactual or None
        The solved counterfactual; None when the scenario adds no duty (nothing changes)
        or blocks a lane (no finite trade cost).
    note : str
        Why there is no result, else empty.
    """

    scenario: str
    duties: np.ndarray
    result: Counterfactual | None
    note: str = ""


@dataclass(frozen=True)
class MacroView:
    """The general-equilibrium view of a study's scenarios (:func:`macro_view`).

    Attributes
    ----------
    title : str
        The spec's title (or its file name).
    spec_file, data_file : str
        The counterfactual spec and the trade data it was estimated on.
    when : datetime.date
        Date the scenarios' duties are read on.
    hs6 : tuple of str
        HS6 codes averaged (the spec's ``shock.tariffs.hs6``, with its ``weights`` if any).
    sigma : float
        Elasticity of substitution.
    reference_country : str
        Numeraire: price indices are relative to its consumer price index.
    countries : tuple of str
        ISO3 codes of the GE (N).
    roles : dict of str to str
        The network's countries that are in the GE data and their role (``market``,
        ``site``, ``supplier``; several joined by ``/``).
    missing : tuple of str
        The network's countries that are not in the GE data.
    views : tuple of ScenarioView
        One per scenario, in the study's order.
    preference : str
        The share of preferential lanes' trade taken to claim the preference (stated in
        the report).
    """

    title: str
    spec_file: str
    data_file: str
    when: date
    hs6: tuple[str, ...]
    sigma: float
    reference_country: str
    countries: tuple[str, ...]
    roles: dict[str, str]
    missing: tuple[str, ...]
    views: tuple[ScenarioView, ...]
    preference: str = ""

    @property
    def markets(self) -> tuple[str, ...]:
        """The network's market countries in the GE data."""
        return tuple(c for c, r in self.roles.items() if "market" in r.split("/"))

    def duties_table(self) -> pd.DataFrame:
        """Non-zero duties: ``scenario, exporter, importer, duty_pct``, largest first."""
        n = len(self.countries)
        exp, imp = np.divmod(np.arange(n * n), n)
        codes = np.asarray(self.countries)
        frames = []
        for view in self.views:
            rate = view.duties.ravel()
            keep = (rate != 0) & (exp != imp)  # NaN (blocked) kept: undefined, not zero
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": view.scenario,
                        "exporter": codes[exp[keep]],
                        "importer": codes[imp[keep]],
                        "duty_pct": rate[keep] * 100.0,
                    }
                ).sort_values("duty_pct", ascending=False, kind="stable")
            )
        return pd.concat(frames, ignore_index=True)

    def countries_table(self) -> pd.DataFrame:
        """Full-endowment effects of each solved scenario on every country (percent).

        Columns ``scenario, country, role`` (empty outside the network), then
        ``exports_change_pct_full``, ``producer_price_change_pct``, ``imr_change_pct``
        (consumer price index) and ``real_gdp_change_pct``.
        """
        keep = [
            "country",
            "exports_change_pct_full",
            "producer_price_change_pct",
            "imr_change_pct",
            "real_gdp_change_pct",
        ]
        frames = [
            view.result.country_table()[keep].assign(scenario=view.scenario)
            for view in self.views
            if view.result is not None
        ]
        if not frames:
            return pd.DataFrame(columns=["scenario", "role", *keep])
        out = pd.concat(frames, ignore_index=True)
        out.insert(1, "role", out["country"].map(self.roles).fillna(""))
        return out[["scenario", "country", "role", *keep[1:]]]

    def diversion_table(self) -> pd.DataFrame:
        """Import shares in the network's markets: ``scenario, market, exporter,
        share_baseline_pct, share_full_pct, change_pp`` (largest gain first)."""
        rows = [
            {"scenario": view.scenario, "market": market["market"], **supplier}
            for view in self.views
            if view.result is not None
            for market in view.result.diversion()
            for supplier in market["suppliers"]
        ]
        columns = ["scenario", "market", "exporter", "share_baseline_pct", "share_full_pct"]
        return pd.DataFrame(rows, columns=[*columns, "change_pp"])


def _roles(markets: Sequence[str], sites: Sequence[str], suppliers: Sequence[str]) -> dict:
    roles: dict[str, list[str]] = {}
    for role, codes in (("market", markets), ("site", sites), ("supplier", suppliers)):
        for code in dict.fromkeys(codes):
            roles.setdefault(code, []).append(role)
    return {code: "/".join(r) for code, r in roles.items()}


def preference_note(
    shares: np.ndarray, countries: tuple[str, ...], when: date, share: float | None
) -> str:
    """A sentence stating the share of preferential trade that claims the preference."""
    if share is not None:
        return f"{share:.0%} of every preferential lane's trade claims the preference (spec)."
    from shoring.data.utilization import IMPORTER, table_year

    if IMPORTER not in countries:
        return "Every preferential lane's trade claims the preference (assumption)."
    j = countries.index(IMPORTER)
    cited = ", ".join(
        f"{code} -> {IMPORTER} {shares[countries.index(code), j].mean():.1%}"
        for code in ("CAN", "MEX")
        if code in countries
    )
    return (
        f"Share of trade claiming USMCA (mean over the HS6 codes): {cited}; USITC DataWeb "
        f"utilization {table_year(when.year)} via the Budget Lab at Yale, unweighted mean of "
        "each HS6's HTS10 lines. Other preferential lanes: all trade claims the preference "
        "(assumption)."
    )


def macro_view(
    scenarios: Sequence[Scenario],
    spec_file: str | Path,
    when: date,
    markets: Sequence[str],
    sites: Sequence[str] = (),
    suppliers: Sequence[str] = (),
    data: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> MacroView:
    """Each scenario's tariffs in the general equilibrium of a counterfactual spec.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The study's scenarios.
    spec_file : str or Path
        A counterfactual spec (:class:`~shoring.macro.ge_spec.CounterfactualSpec`) with
        ``shock.tariffs``: its estimation gives the trade costs, its ``hs6`` the products
        whose duties are averaged; its scenario, date and ``report`` are not used.
    when : datetime.date
        Date the scenarios' duties are read on.
    markets, sites, suppliers : sequence of str
        ISO3 codes of the network's markets, sites and suppliers; the markets' import
        shares are reported.
    data : str or Path, optional
        Trade CSV overriding the spec's ``data``.
    progress : callable, optional
        Receives a line of text before each long step.

    Returns
    -------
    MacroView

    Raises
    ------
    ShoringInputError
        A spec without ``shock.tariffs`` or with ``shock.set`` (the macro view applies the
        study's scenarios only), bad data (located problems).
    """
    tell = progress or (lambda _msg: None)
    path = Path(spec_file)
    spec = load_spec(CounterfactualSpec, path)
    if spec.shock.tariffs is None or spec.shock.set:
        message = (
            "the macro view of a study applies each of its scenarios' duties on the spec's "
            "HS6 codes: give shock: tariffs: (scenario, when, hs6) and no shock: set:"
        )
        raise ShoringInputError([Problem(str(path), message, field="shock")])
    model = estimate_costs(spec, path, data, tell)
    hs6, countries = spec.shock.tariffs.hs6, model.countries
    weights = shock_weights(spec.shock.tariffs, countries, model.folder)
    share = spec.shock.tariffs.preference_share
    shares = claim_shares(countries, hs6, when, share)
    roles = _roles(markets, sites, suppliers)
    in_data = {c: r for c, r in roles.items() if c in countries}
    in_markets = tuple(c for c in dict.fromkeys(markets) if c in countries)
    views = []
    for scenario in scenarios:
        tell(f"general equilibrium of {scenario.name}")
        try:
            rate = duty_rates(scenario, when, hs6, countries, weights=weights, shares=shares)
        except BlockedLaneError as exc:
            blocked = np.full((len(countries),) * 2, np.nan)
            views.append(ScenarioView(scenario.name, blocked, None, str(exc)))
            continue
        if not np.any(rate):
            note = f"no duty beyond the baseline's on these products on {when}: no change"
            views.append(ScenarioView(scenario.name, rate, None, note))
            continue
        cost_new = model.cost * (1.0 + rate) ** (-spec.sigma)
        result = model.solve(cost_new, report="counterfactual", diversion_markets=in_markets)
        views.append(ScenarioView(scenario.name, rate, result))
    return MacroView(
        title=spec.title or path.stem,
        spec_file=str(path),
        data_file=model.file,
        when=when,
        hs6=hs6,
        sigma=spec.sigma,
        reference_country=spec.reference_country,
        countries=countries,
        roles=in_data,
        missing=tuple(c for c in roles if c not in countries),
        views=tuple(views),
        preference=preference_note(shares, countries, when, share),
    )
