"""One relocation study: a network, scenarios and years, costed once and served to all.

>>> from shoring.study import Study
>>> study = Study.load("network.yaml", ["current-law", "regional-blocs"])  # doctest: +SKIP
>>> study.landed_costs                       # xarray, (product, site, market, year, ...)
>>> study.cheapest(); study.compare("current-law", "regional-blocs")
>>> study.breakeven("pack", "us", "CHN", "MEX")
>>> study.optimize(objective="cvar")         # DesignResult
>>> study.design_study()                     # each scenario alone, robust plan, frontier
>>> study.macro_view("us_china_tariff_war.yaml")  # the scenarios in general equilibrium
>>> study.report("out/", optimize=True)

The disruption simulation prices the landed cost's ``risk`` component once per study
(:attr:`Study.site_risk`); the landed-cost engine runs once per study, over every country
of the network; the per-market landed costs (:attr:`Study.landed_costs`) and the flow
costs the network-design model prices with (:attr:`Study.lane_costs`) are two views of
that one result. The CLI and the report only call this class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shoring.errors import ShoringError
from shoring.scenario.loader import DEFAULT_SCENARIO

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from shoring.costs import CostSettings
    from shoring.macro.firm_view import MacroView
    from shoring.network import Network
    from shoring.optimize import SolveOptions
    from shoring.optimize.design import DesignData, DesignResult
    from shoring.optimize.design.study import DesignStudy, run_design_study
    from shoring.outputs import OutputFolder
    from shoring.report.policy_map import PolicyMap
    from shoring.scenario import Scenario
    from shoring.simulate import HazardModel

__all__ = ["DesignStudy", "Progress", "Study", "run_design_study"]


def __getattr__(name: str) -> Any:
    """:class:`DesignStudy` and :func:`run_design_study`, imported when first asked for
    (the optimizer's modules load only when a study designs)."""
    if name in ("DesignStudy", "run_design_study"):
        from shoring.optimize.design import study

        return getattr(study, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Progress = Callable[[str, int | None, int | None], None]
"""Progress callback: ``(stage, done, total)``; ``done``/``total`` None when unknown."""


class Study:
    """A network under scenarios over years, with everything derived from one costing.

    Parameters
    ----------
    network : Network
        The firm's network.
    scenarios : sequence of Scenario
        Policy futures, at least one; names must be distinct.
    years : sequence of int, optional
        Years to cost; the network's demand years by default.
    settings : CostSettings, optional
        Landed-cost settings (distances, cost parameters, amortization).
    probabilities : sequence of float, optional
        Scenario probabilities for the design models (default: the scenarios' own when
        all declare one, else equal).
    progress : callable, optional
        ``progress(stage, done, total)`` while long steps run.
    hazards : HazardModel, optional
        Hazard model of the disruption simulation that prices the ``risk`` component
        (the embedded defaults when None; :func:`shoring.simulate.load_hazards`).
    risk_draws : int, optional
        Monte Carlo draws per site for the ``risk`` component
        (:data:`shoring.simulate.risk.RISK_DRAWS` by default).
    risk_seed : int
        Root seed of those draws.

    Raises
    ------
    ShoringError
        No scenario, or a scenario given twice.
    """

    def __init__(
        self,
        network: Network,
        scenarios: Sequence[Scenario],
        years: Sequence[int] | None = None,
        settings: CostSettings | None = None,
        probabilities: Sequence[float] | None = None,
        progress: Progress | None = None,
        hazards: HazardModel | None = None,
        risk_draws: int | None = None,
        risk_seed: int = 0,
    ) -> None:
        from shoring.costs import CostSettings
        from shoring.costs.engine import _resolve_years
        from shoring.simulate.risk import RISK_DRAWS

        if not scenarios:
            raise ShoringError("a study needs at least one scenario")
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            raise ShoringError(f"a scenario is given twice: {', '.join(names)}")
        self.network = network
        self.scenarios = list(scenarios)
        self.years = _resolve_years(network, years)
        self.settings = settings or CostSettings()
        self.probabilities = None if probabilities is None else list(probabilities)
        self.progress = progress
        self._macro_views: dict[tuple[str, str | None, int], MacroView] = {}
        self.hazards = hazards
        risk_draws = RISK_DRAWS if risk_draws is None else risk_draws
        if risk_draws < 1:
            raise ShoringError(f"risk_draws must be at least 1, not {risk_draws}")
        self.risk_draws = int(risk_draws)
        self.risk_seed = int(risk_seed)

    @classmethod
    def load(
        cls,
        network: str | Path | Network,
        scenarios: Sequence[str | Path | Scenario] = (DEFAULT_SCENARIO,),
        years: Sequence[int] | None = None,
        **kwargs: Any,
    ) -> Study:
        """A study from a network file and scenario names or files.

        Parameters
        ----------
        network : str, Path or Network
            Network file (.yaml, .xlsx or a CSV folder) or a network.
        scenarios : sequence
            Built-in scenario names, YAML files or Scenario objects (default: current law).
        years : sequence of int, optional
            Years to cost.
        **kwargs
            Passed to :class:`Study`.

        Returns
        -------
        Study

        Raises
        ------
        ShoringInputError
            Bad network or scenario file (located problems).
        """
        from shoring.network import Network, read_network
        from shoring.scenario import Scenario, load_scenario

        net = network if isinstance(network, Network) else read_network(network)
        loaded = [s if isinstance(s, Scenario) else load_scenario(str(s)) for s in scenarios]
        return cls(net, loaded, years, **kwargs)

    @property
    def scenario_names(self) -> list[str]:
        """Names of the study's scenarios, in order."""
        return [s.name for s in self.scenarios]

    def _tell(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    # ------------------------------------------------------------------ costing
    @cached_property
    def site_risk(self) -> xr.DataArray:
        """Expected disruption cost per unit made at each site: the ``risk`` component.

        Simulated once per study (:func:`shoring.simulate.site_risk` with the study's
        hazards, ``risk_draws`` and ``risk_seed``; JIT, the first demand year), unless
        the study's settings carry one (``CostSettings.risk``).

        Returns
        -------
        xarray.DataArray
            USD per unit, (product, site), with its ``standard_error``.
        """
        from shoring.simulate import site_risk

        if self.settings.risk is not None:
            return self.settings.risk

        def tick(done: int, total: int) -> None:
            self._tell("disruption risk (sites)", done, total)

        return site_risk(self.network, self.hazards, self.risk_draws, self.risk_seed, progress=tick)

    @cached_property
    def _full(self) -> xr.Dataset:
        """The one engine pass: every (scenario, year), every destination country."""
        from dataclasses import replace

        from shoring.costs import iter_landed_cost
        from shoring.costs.assemble import combine_chunks

        def tick(done: int, total: int) -> None:
            self._tell("landed cost (scenario-years)", done, total)

        settings = replace(self.settings, risk=self.site_risk)
        chunks = iter_landed_cost(
            self.network,
            self.scenarios,
            self.years,
            settings,
            progress=tick,
            all_destinations=True,
        )
        return combine_chunks(self.network, self.scenarios, chunks, settings)

    @cached_property
    def landed_costs(self) -> xr.Dataset:
        """Landed cost per unit, component by component (:func:`shoring.costs.landed_cost`).

        Returns
        -------
        xarray.Dataset
            ``cost`` (product, site, market, year, scenario, component) in USD per unit
            and the other variables :func:`shoring.costs.landed_cost` documents.
        """
        from shoring.costs.assemble import to_markets

        return to_markets(self._full, self.network)

    @cached_property
    def lane_costs(self) -> xr.Dataset:
        """Flow costs for network design (:func:`shoring.costs.flow_costs.split_for_design`).

        Returns
        -------
        xarray.Dataset
            ``conversion``, ``delivery``, ``supply`` and ``landed``, USD per unit.
        """
        from shoring.costs.flow_costs import split_for_design

        return split_for_design(self._full)

    def cheapest(self) -> pd.DataFrame:
        """Cheapest site per (product, market, year, scenario).

        Returns
        -------
        pandas.DataFrame
            :func:`shoring.costs.compare.cheapest` of :attr:`landed_costs`.
        """
        from shoring.costs.compare import cheapest

        return cheapest(self.landed_costs)

    def compare(self, a: str, b: str) -> pd.DataFrame:
        """What changes from scenario ``a`` to ``b``, component by component.

        Parameters
        ----------
        a, b : str
            Scenario names of this study.

        Returns
        -------
        pandas.DataFrame
            :func:`shoring.costs.compare.compare_scenarios`.
        """
        from shoring.costs.compare import compare_scenarios

        return compare_scenarios(self.landed_costs, a, b)

    def breakeven(self, product: str, market: str, origin: str, alternative: str) -> pd.DataFrame:
        """Break-even tariff and wage between two sites (or countries) per year and scenario.

        Parameters
        ----------
        product, market : str
            Ids in the network.
        origin, alternative : str
            Site ids or countries (the cheapest site there that makes the product).

        Returns
        -------
        pandas.DataFrame
            :func:`shoring.costs.compare.breakeven_table`.
        """
        from shoring.costs.compare import breakeven_table

        return breakeven_table(
            self.network,
            self.landed_costs,
            product,
            market,
            origin,
            alternative,
            self.settings,
            scenarios=self.scenarios,
        )

    def explain_lane(
        self, product: str, site: str, market: str, years: Sequence[int] | None = None
    ) -> list[dict[str, Any]]:
        """The duty of one lane explained, per scenario and year: every measure applied or
        skipped and why, the origin rule, whether it is met and by what margin.

        Parameters
        ----------
        product, site, market : str
            Ids with a landed cost in this study (a product some site makes).
        years : sequence of int, optional
            Years to explain (default: every year of the study).

        Returns
        -------
        list of dict
            One per (scenario, year): ``scenario, product, site, market, importer,
            exporter, hs, origin_rule_met`` (None for a domestic lane: no rule) and
            :func:`shoring.costs.explain.explain_year`'s ``year, rate, periods``, with
            ``mfn_rate`` and ``origin``
            (:func:`shoring.costs.origin_explain.explain_origin` plus ``met``, ``margin``,
            ``qualifying_mix``, ``cost_build_up`` (the lane's
            :data:`shoring.costs.origin_explain.MAKING` components,
            USD per unit, to set against the declared value) and the ``explanation`` in
            words).
        """
        import math

        from shoring.costs.explain import explain_year
        from shoring.costs.origin_explain import MAKING, explain_origin, origin_lines

        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(float(x), 6)

        net, ds = self.network, self.landed_costs
        hs = str(net.products.loc[product, "hs_code"])
        copper = float(net.products.loc[product, "copper_content_share"])
        copper_share = None if math.isnan(copper) else copper
        exporter = str(net.sites.loc[site, "country"])
        importer = str(net.markets.loc[market, "country"])
        chosen = ds["year"].to_numpy().tolist() if years is None else list(years)
        out = []
        for scn in self.scenarios:
            for yr in chosen:
                lane = {"product": product, "site": site, "market": market, "year": yr,
                        "scenario": scn.name}  # fmt: skip
                met = bool(ds["origin_rule_met"].sel(**lane))
                explained = explain_year(scn, importer, exporter, hs, int(yr), met, copper_share)
                origin = explain_origin(net, product, site, market, int(yr))
                # a domestic lane has no rule of origin: neither met nor missed
                origin["met"] = None if origin.get("domestic") else met
                origin["margin"] = num(float(ds["origin_margin"].sel(**lane)))
                origin["qualifying_mix"] = bool(ds["origin_qualifying_mix"].sel(**lane))
                made = ds["cost"].sel(**lane, component=list(MAKING))
                origin["cost_build_up"] = {
                    str(c): round(float(v), 6)
                    for c, v in zip(made["component"].to_numpy(), made.to_numpy(), strict=True)
                    if math.isfinite(v)
                }
                mfn = num(float(ds["mfn_rate"].sel(product=product, market=market, year=yr)))
                origin["explanation"] = origin_lines(
                    origin, met, origin["margin"], explained["rate"], mfn,
                    origin["qualifying_mix"],
                )  # fmt: skip
                out.append({"scenario": scn.name, "product": product, "site": site,
                            "market": market, "importer": importer, "exporter": exporter,
                            "hs": hs, "origin_rule_met": origin["met"], **explained,
                            "mfn_rate": mfn, "origin": origin})  # fmt: skip
        return out

    # ------------------------------------------------------------------ design
    def design_data(
        self,
        periods: Sequence[int] | None = None,
        max_sites_per_market: int | None = None,
    ) -> DesignData:
        """The network-design model data, priced from this study's one costing.

        Parameters
        ----------
        periods : sequence of int, optional
            Periods: demand years costed by this study (default: the study's years).
        max_sites_per_market : int, optional
            Keep only the k cheapest sites per (product, market).

        Returns
        -------
        DesignData

        Raises
        ------
        ShoringError
            A period this study did not cost, or no demand.
        """
        from shoring.optimize.design import design_data_from_network

        chosen = sorted(set(int(y) for y in (periods or self.years)))
        missing = sorted(set(chosen) - set(self.years))
        if missing:
            raise ShoringError(
                f"year(s) {', '.join(map(str, missing))} are not costed by this study "
                f"(years {', '.join(map(str, self.years))}): add them to its years"
            )
        self._tell("pricing lanes", None, None)
        return design_data_from_network(
            self.network,
            self.scenarios,
            chosen,
            costs=self.lane_costs,
            settings=self.settings,
            probabilities=self.probabilities,
            max_sites_per_market=max_sites_per_market,
        )

    def optimize(
        self,
        options: SolveOptions | None = None,
        periods: Sequence[int] | None = None,
        max_sites_per_market: int | None = None,
        **spec: Any,
    ) -> DesignResult:
        """The optimal footprint under the study's scenarios.

        Parameters
        ----------
        options : SolveOptions, optional
            Solver options (time limit, MIP gap).
        periods, max_sites_per_market
            As for :meth:`design_data`.
        **spec
            :class:`~shoring.optimize.design.DesignSpec` fields (objective, alpha,
            risk_weight, max_country_share, ...) and the keyword options of
            :func:`~shoring.optimize.design.optimize_design` (alternatives, within, ...).

        Returns
        -------
        DesignResult
        """
        from shoring.optimize.design import DesignSpec, optimize_design

        run_keys = {"shadow_prices", "site_deltas", "alternatives", "within"}
        run = {k: spec.pop(k) for k in list(spec) if k in run_keys}
        data = self.design_data(periods, max_sites_per_market)
        try:
            design_spec = DesignSpec(**spec)
        except ValueError as exc:
            raise ShoringError(str(exc)) from None

        def tell(msg: str) -> None:
            self._tell(msg, None, None)

        return optimize_design(data, design_spec, options, progress=tell, **run)

    def design_study(self, **kwargs: Any) -> DesignStudy:
        """Each scenario alone, the robust plan, alternatives and the cost-risk frontier.

        Parameters
        ----------
        **kwargs
            ``periods`` and ``max_sites_per_market`` (see :meth:`design_data`) and the
            keyword arguments of :func:`shoring.optimize.design.study.run_design_study`.

        Returns
        -------
        DesignStudy
        """
        from shoring.optimize.design.study import run_design_study

        periods = kwargs.pop("periods", None)
        data = self.design_data(periods, kwargs.pop("max_sites_per_market", None))
        kwargs.setdefault("progress", lambda msg: self._tell(msg, None, None))
        return run_design_study(data, **kwargs)

    # ------------------------------------------------------------------ macro
    def macro_view(
        self, spec: str | Path, data: str | Path | None = None, year: int | None = None
    ) -> MacroView:
        """The study's scenarios in the general equilibrium of a gravity counterfactual spec.

        Who gains the trade a scenario's tariffs divert in the network's markets, and the
        price indices, factory-gate prices and real GDP of the network's countries
        (:func:`shoring.macro.firm_view.macro_view`). Computed once per (spec, data,
        year); :meth:`report` renders it.

        Parameters
        ----------
        spec : str or Path
            Counterfactual spec with ``shock.tariffs`` (its HS6 codes are the products
            whose duties are averaged).
        data : str or Path, optional
            Trade CSV overriding the spec's ``data``.
        year : int, optional
            Duties in force on 1 July of this year (default: the study's last year).

        Returns
        -------
        MacroView

        Raises
        ------
        ShoringInputError
            Bad spec or trade data (located problems).
        """
        from datetime import date

        from shoring.macro.firm_view import macro_view

        year = int(year if year is not None else self.years[-1])
        key = (str(spec), None if data is None else str(data), year)
        if key not in self._macro_views:
            net = self.network
            self._macro_views[key] = macro_view(
                self.scenarios,
                spec,
                date(year, 7, 1),
                markets=list(net.markets["country"]),
                sites=list(net.sites["country"]),
                suppliers=list(net.suppliers["country"]),
                data=data,
                progress=lambda msg: self._tell(msg, None, None),
            )
        return self._macro_views[key]

    # ------------------------------------------------------------------ report
    def report(
        self,
        out: str | Path | OutputFolder,
        design: DesignStudy | None = None,
        year: int | None = None,
        reference: str | None = None,
        macro: MacroView | None = None,
        policy_map: PolicyMap | None = None,
    ) -> Path:
        """Write the HTML report and its CSV tables from this study's results.

        Parameters
        ----------
        out : str, Path or OutputFolder
            Output folder, replaced as a whole when the report is complete, or an open
            :class:`~shoring.outputs.OutputFolder` the caller commits.
        design : DesignStudy, optional
            Network-design results to include (:meth:`design_study`).
        year : int, optional
            Year of the conclusions and waterfalls (default: the last).
        reference : str, optional
            Scenario the others are compared with.
        macro : MacroView, optional
            The scenarios' general-equilibrium view to include (:meth:`macro_view`).
        policy_map : PolicyMap, optional
            A sweep's policy map to include (:func:`shoring.report.policy_map.policy_map`).

        Returns
        -------
        Path
            The report's HTML file.
        """
        from shoring.report import build_report

        self._tell("writing the report", None, None)
        return build_report(
            self.network,
            self.landed_costs,
            self.scenarios,
            out,
            year=year,
            reference=reference,
            settings=self.settings,
            design=design,
            macro=macro,
            policy_map=policy_map,
        )
