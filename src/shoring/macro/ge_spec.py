"""Counterfactual specs: the baseline estimation, the change of trade costs, what to report.

A spec estimates trade costs on a panel or cross-section (a :class:`GravitySpec` block),
builds ``t_ij ** (1 - sigma)`` for one year from the estimated regressors (and pair fixed
effects, when estimated), changes them (regressors set to a value on chosen pairs, tariffs
from a :mod:`shoring.scenario` scenario) and solves the general equilibrium
(:mod:`shoring.macro.ge`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from shoring.macro.gravity_spec import Columns, Float, GravitySpec, Int, Regressor, _Model

ISO3 = r"^[A-Z]{3}$"


class SetRegressor(_Model):
    """Set a regressor to ``value`` on the pairs among ``among`` (all pairs if omitted).

    ``among: [CAN, MEX, USA]`` means every ordered pair of two different countries of the
    list (removing NAFTA); ``exporters``/``importers`` select one direction.
    """

    regressor: str
    value: Float = 0.0
    among: tuple[str, ...] | None = None
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _selection(self) -> SetRegressor:
        if self.among is not None and (self.exporters or self.importers):
            raise ValueError("give among, or exporters/importers, not both")
        return self


class TradeWeights(_Model):
    """Trade values weighting the HS6 codes of a tariff shock (:mod:`shoring.macro.tariff_weights`).

    Attributes
    ----------
    file : str
        CSV ``hs6,value[,importer,exporter]`` (relative to the spec's folder).
    source : str
        Where the values come from (publication or database, year, URL): required.
    """

    file: str
    source: str = Field(min_length=1)


class TariffShock(_Model):
    """Tariffs of a scenario on a date, averaged over HS6 codes, as trade-cost changes.

    The additional ad valorem duty ``t`` of each pair (the scenario's duties in force on
    ``when`` minus the duties without the scenario's measures, which the baseline costs
    already hold), averaged over ``hs6`` with equal weights, or with the trade values of
    ``weights``, multiplies the cost term by ``(1 + t) ** (-sigma)``. Duties follow the
    landed-cost engine's rule (:func:`shoring.costs.duties.day_rates`): on a lane an
    agreement covers, the share of trade that claims the preference pays the preferential
    duty without the measures the agreement exempts, the rest pays MFN plus every measure.

    Attributes
    ----------
    preference_share : float, optional
        Share of every preferential lane's trade that claims the preference. Default: the
        cited USMCA utilization by HS6 for Canada and Mexico into the United States
        (:mod:`shoring.data.utilization`) and 1 on other preferential lanes (ASSUMPTION).
    """

    scenario: str
    when: date
    hs6: tuple[str, ...] = Field(min_length=1)
    weights: TradeWeights | None = None
    preference_share: Float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("hs6")
    @classmethod
    def _six_digits(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not (len(c) == 6 and c.isdigit())]
        if bad:
            raise ValueError(f"HS6 codes are 6 digits: {', '.join(bad)}")
        return value


class Shock(_Model):
    """The change of trade costs: regressors set to new values, tariffs added."""

    set: tuple[SetRegressor, ...] = ()
    tariffs: TariffShock | None = None


class FillPairs(_Model):
    """Second stage for pair effects the panel cannot estimate (pairs that never trade).

    ``exp(pair effect)`` of the GE year is regressed by PPML on these regressors with
    exporter and importer effects (international pairs); the fit fills the missing pairs
    (Anderson & Yotov 2016; Yotov et al. 2016, ch. 2, application 2).
    """

    regressors: tuple[Regressor, ...] = Field(min_length=1)


class CounterfactualSpec(_Model):
    """A general-equilibrium counterfactual.

    Attributes
    ----------
    title, description : str
        What it reproduces.
    data : str, optional
        Trade CSV (relative to the spec's folder); ``--data`` overrides it.
    columns : Columns
        Column names.
    recode : dict of str to str
        Country codes to rename on reading (the book's data code Germany ``ZZZ``).
    year : int
        Year of the GE (output, expenditure and costs of that year).
    reference_country : str
        ISO3 whose inward resistance is 1 (numeraire), the book's Germany.
    sigma : float
        Elasticity of substitution (the book: 7).
    estimation : GravitySpec
        How trade costs are estimated (without ``data``); its regressors and, when it
        has ``pair`` or ``pair_intl`` effects, the pair effects make ``ln t_ij ** (1 - sigma)``.
    fill_pairs : FillPairs, optional
        Second stage for pairs without an estimated pair effect.
    shock : Shock
        The counterfactual change of costs.
    report : {"counterfactual", "agreement"}
        ``counterfactual``: changes from the baseline to the counterfactual;
        ``agreement``: the effect of what the shock removes, from the counterfactual
        without it to the baseline with it (as the book reports an agreement).
    diversion_markets : tuple of str
        Importers whose market shares are reported.
    """

    title: str = ""
    description: str = ""
    data: str | None = None
    columns: Columns = Columns()
    recode: dict[str, str] = Field(default_factory=dict)
    year: Int
    reference_country: str = Field("DEU", pattern=ISO3)
    sigma: Float = Field(7.0, gt=1.0)
    estimation: GravitySpec
    fill_pairs: FillPairs | None = None
    shock: Shock
    report: Literal["counterfactual", "agreement"] = "counterfactual"
    diversion_markets: tuple[str, ...] = ("USA", "CHN")

    @model_validator(mode="after")
    def _consistent(self) -> CounterfactualSpec:
        if not self.shock.set and self.shock.tariffs is None:
            raise ValueError("shock: give set: and/or tariffs:")
        if self.estimation.data is not None:
            raise ValueError("estimation.data: the data is the counterfactual's data:")
        return self
