"""The hazard model of the disruption simulation: what can stop a node, how often, how long.

Every parameter has a cited or labelled default in ``data/tables/hazards.yaml`` (card
``hazards.card.yaml``) and can be overridden by a user YAML file of the same layout
(:func:`load_hazards`); whatever the file sets replaces the default, key by key.

Hazards (rates are events per year of a Poisson process; durations are lognormal in
days with the given mean and coefficient of variation, rounded up to whole weeks):

- ``natural``: per node (site or supplier). The company's rate (a month-long disruption
  every 3.7 years, MGI 2020) is split over the nodes of its plan by their countries'
  WorldRiskIndex exposure (:func:`natural_rates`), so the firm as a whole sees the
  published frequency whatever its number of nodes; ``countries`` overrides a
  country's rate or duration.
- ``pandemic``: a global event; each wave locks down each country with probability
  ``country_share``, starting a uniform number of weeks after the onset, cutting
  ``capacity_loss`` of every node's capacity in that country (shape of 2020).
- ``geopolitics``: a rupture between two blocs cuts every flow between them.
- ``chokepoints``: a closure reroutes the sea lanes that cross it (extra days and freight,
  a pipeline gap at the onset); a lane with no other route is cut.
- ``ports``: a closure of a country's container port cuts its international sea flows.
- ``nodes``: per site or supplier, a ``hazard_multiplier`` on its natural rate, its own
  ``recovery_days`` (mean natural-event duration, also its TTR in the stress test) and
  ``buffer_days`` of output held in stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from shoring import safeyaml
from shoring.data.paths import TABLES_DIR
from shoring.errors import Problem, ShoringInputError

DEFAULT_FILE = TABLES_DIR / "hazards.yaml"
"""The embedded default hazard model (sources in ``hazards.card.yaml``)."""

WEEKS_PER_YEAR = 52.0
DAYS_PER_WEEK = 7.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _iso3(name: str) -> str:
    """ISO3 code of a country name or code (ValueError naming it when unknown)."""
    from shoring.data.countries import to_iso3
    from shoring.errors import UnknownCountryError

    try:
        return to_iso3(name)
    except UnknownCountryError as exc:
        raise ValueError(str(exc)) from None


def _iso3_keys(value: Any) -> Any:
    return {_iso3(k): v for k, v in value.items()} if isinstance(value, dict) else value


def _iso3_members(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {bloc: [_iso3(c) for c in members] for bloc, members in value.items()}


class Duration(_Model):
    """Lognormal duration of an event.

    Attributes
    ----------
    mean_days : float
        Mean duration (days, > 0).
    cv : float
        Coefficient of variation (standard deviation / mean, >= 0; 0 = fixed).
    """

    mean_days: float = Field(gt=0, le=3650)
    cv: float = Field(ge=0, le=10)

    def sigma_mu(self) -> tuple[float, float]:
        """Parameters ``(sigma, mu)`` of the underlying normal (log-days)."""
        sigma2 = np.log1p(self.cv**2)
        return float(np.sqrt(sigma2)), float(np.log(self.mean_days) - sigma2 / 2)


class CountryHazard(_Model):
    """A country's own natural-hazard rate (events/year) or duration."""

    rate_per_year: float | None = Field(default=None, ge=0, le=52)
    duration: Duration | None = None


class Natural(_Model):
    """Natural hazards (and other local stoppages) per node.

    ``firm_rate_per_year`` is the company's rate (events/year over all the nodes of its
    plan, :func:`natural_rates`); ``exposure_elasticity`` the elasticity of a node's
    share of it to its country's WorldRiskIndex exposure.
    """

    firm_rate_per_year: float = Field(ge=0, le=52)
    exposure_elasticity: float = Field(default=1.0, ge=0, le=10)
    duration: Duration
    capacity_loss: float = Field(ge=0, le=1)
    scale: float = Field(default=1.0, ge=0)
    countries: Annotated[dict[str, CountryHazard], BeforeValidator(_iso3_keys)] = Field(
        default_factory=dict
    )


class Wave(_Model):
    """One pandemic wave (lockdowns)."""

    start_weeks: tuple[int, int]
    duration: Duration
    capacity_loss: float = Field(ge=0, le=1)
    country_share: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Wave:
        low, high = self.start_weeks
        if not 0 <= low <= high:
            raise ValueError("start_weeks must be [low, high] with 0 <= low <= high")
        return self


class Pandemic(_Model):
    """Global pandemic events with country lockdown waves."""

    rate_per_year: float = Field(ge=0, le=52)
    waves: tuple[Wave, ...]


class Rupture(_Model):
    """A sanction or blockade regime between two blocs."""

    blocs: tuple[str, str]
    rate_per_year: float = Field(ge=0, le=52)
    duration: Duration


class Geopolitics(_Model):
    """Blocs (lists of ISO3 codes) and the ruptures between them."""

    blocs: Annotated[dict[str, tuple[str, ...]], BeforeValidator(_iso3_members)]
    ruptures: tuple[Rupture, ...] = ()

    @model_validator(mode="after")
    def _known_blocs(self) -> Geopolitics:
        for rupture in self.ruptures:
            unknown = [b for b in rupture.blocs if b not in self.blocs]
            if unknown:
                raise ValueError(f"unknown bloc(s) {unknown}; known: {', '.join(self.blocs)}")
        seen: dict[str, str] = {}
        for bloc, members in self.blocs.items():
            for iso in members:
                if iso in seen and seen[iso] != bloc:
                    raise ValueError(f"{iso} is in two blocs: {seen[iso]} and {bloc}")
                seen[iso] = bloc
        return self


class Closure(_Model):
    """Closures of one chokepoint or port."""

    rate_per_year: float = Field(ge=0, le=52)
    duration: Duration


class Ports(Closure):
    """Container-port closures per country; ``countries`` overrides the default."""

    countries: Annotated[dict[str, Closure], BeforeValidator(_iso3_keys)] = Field(
        default_factory=dict
    )


class NodeHazard(_Model):
    """A site's or supplier's own hazard settings."""

    hazard_multiplier: float = Field(default=1.0, ge=0)
    recovery_days: float | None = Field(default=None, gt=0, le=3650)
    buffer_days: float | None = Field(default=None, ge=0, le=3650)


class HazardModel(_Model):
    """All parameters of the disruption simulation (see the module docstring)."""

    horizon_weeks: int = Field(ge=1, le=5200)
    natural: Natural
    pandemic: Pandemic
    geopolitics: Geopolitics
    chokepoints: dict[str, Closure]
    ports: Ports
    nodes: dict[str, NodeHazard] = Field(default_factory=dict)
    expedite: bool = True

    @field_validator("chokepoints", mode="before")
    @classmethod
    def _known_chokepoints(cls, value: Any) -> Any:
        """Unknown names first: a misspelled one would otherwise miss its duration."""
        from shoring.data.sea_routes import CHOKEPOINTS

        unknown = [str(k) for k in value if k not in CHOKEPOINTS] if isinstance(value, dict) else []
        if unknown:
            raise ValueError(
                f"unknown chokepoint(s) {', '.join(unknown)}; known: {', '.join(CHOKEPOINTS)}"
            )
        return value

    def without_hazards(self) -> HazardModel:
        """The same model with every event rate set to zero (nothing happens)."""
        zero = {"rate_per_year": 0.0}
        return self.model_copy(
            update={
                "natural": self.natural.model_copy(update={"scale": 0.0, "countries": {}}),
                "pandemic": self.pandemic.model_copy(update=zero),
                "geopolitics": self.geopolitics.model_copy(
                    update={
                        "ruptures": tuple(
                            r.model_copy(update=zero) for r in self.geopolitics.ruptures
                        )
                    }
                ),
                "chokepoints": {k: c.model_copy(update=zero) for k, c in self.chokepoints.items()},
                "ports": self.ports.model_copy(update={**zero, "countries": {}}),
            }
        )


def _merge(base: Any, over: Any) -> Any:
    """``over`` laid on ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    return over


@cache
def _default_data() -> dict[str, Any]:
    _, data = safeyaml.load(DEFAULT_FILE.read_text(encoding="utf-8"), DEFAULT_FILE.name)
    return data


def default_hazards() -> HazardModel:
    """The embedded default hazard model (``data/tables/hazards.yaml``)."""
    return HazardModel.model_validate(_default_data())


def parse_hazards(text: str, file: str = "<string>") -> HazardModel:
    """The default hazard model with the settings of a YAML text laid over it.

    Parameters
    ----------
    text : str
        YAML mapping in the layout of ``hazards.yaml`` (any subset of its keys).
    file : str
        Name used in error messages.

    Returns
    -------
    HazardModel

    Raises
    ------
    shoring.errors.ShoringInputError
        Bad YAML or a bad value, one problem per error located by line and dotted
        field (``chokepoints.suez.rate_per_year``).
    """
    from shoring.scenario.loader import validation_problems

    root, data = safeyaml.load(text, file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ShoringInputError([Problem(file, "a hazard file must be a mapping", row=1)])
    try:
        return HazardModel.model_validate(_merge(_default_data(), data))
    except ValidationError as exc:
        raise ShoringInputError(validation_problems(exc, root, file, HazardModel)) from None


def load_hazards(path: str | Path | None = None) -> HazardModel:
    """Read a hazard file over the defaults (the defaults alone when ``path`` is None).

    Raises
    ------
    shoring.errors.ShoringInputError
        Missing file, bad YAML or an invalid value (``file:line:field: message``).
    """
    if path is None:
        return default_hazards()
    return parse_hazards(safeyaml.read_text(path, str(path)), str(path))


def country_duration(natural: Natural, iso3: str) -> Duration:
    """Duration of natural events in a country (its own when set, else the default)."""
    own = natural.countries.get(iso3)
    return own.duration if own is not None and own.duration is not None else natural.duration


def recovery_days(model: HazardModel, nodes: Sequence[str], countries: Sequence[str]) -> np.ndarray:
    """Time to recover (TTR, days) of each node: its own ``recovery_days`` in the hazard
    file, else the mean duration of natural events in its country.

    Parameters
    ----------
    model : HazardModel
    nodes, countries : sequence of str
        Site or supplier ids and their ISO3 codes, in the same order.

    Returns
    -------
    ndarray of float, shape (N,)
    """
    out = np.empty(len(nodes))
    for i, (node, iso) in enumerate(zip(nodes, countries, strict=True)):
        own = model.nodes.get(str(node))
        days = own.recovery_days if own is not None else None
        out[i] = days if days is not None else country_duration(model.natural, str(iso)).mean_days
    return out


def relative_hazard(countries: Sequence[str], model: HazardModel) -> np.ndarray:
    """Natural-hazard weight of each country: ``(exposure / median exposure) ** e``.

    ``exposure`` is the WorldRiskIndex 2020 exposure score (embedded ``hazard.csv``),
    the median is over every country of the index and ``e`` is
    ``model.natural.exposure_elasticity``; a country missing from the index weighs 1
    (the median; assumption).

    Parameters
    ----------
    countries : sequence of str, shape (G,)
        ISO3 codes.
    model : HazardModel

    Returns
    -------
    ndarray of float, shape (G,)
        Dimensionless, 1 at the median exposure.
    """
    from shoring.data.risk import hazard_table

    exposure = hazard_table().set_index("iso3")["exposure"]
    values = exposure.reindex([str(c) for c in countries]).to_numpy(dtype=float)
    ratio = values / float(exposure.median())
    return np.where(np.isnan(ratio), 1.0, ratio**model.natural.exposure_elasticity)


def natural_rates(
    countries: Sequence[str],
    firm_countries: Sequence[str],
    firm_counts: np.ndarray,
    model: HazardModel,
) -> np.ndarray:
    """Natural-hazard event rate (events/year) of nodes in ``countries``.

    The company-level rate ``F = model.natural.firm_rate_per_year`` (1/3.7 a year by
    default: McKinsey Global Institute 2020, a month-long disruption every 3.7 years per
    company) is split over the nodes of the company's plan in proportion to their
    :func:`relative_hazard`: a node of weight ``h`` has the rate ``F x scale x h / H``,
    ``H = sum(firm_counts x relative_hazard(firm_countries))`` the weight of the plan's
    nodes. The plan's nodes together then have the rate ``F x scale``, whatever their
    number; a node outside the plan (a candidate site) is priced at the same rate per
    unit of weight. A country in ``model.natural.countries`` with its own
    ``rate_per_year`` gives each of its nodes that rate instead.

    Parameters
    ----------
    countries : sequence of str, shape (N,)
        ISO3 code of each node.
    firm_countries : sequence of str, shape (C,)
        ISO3 codes of the plan's nodes (:func:`shoring.simulate.model.plan_countries`).
    firm_counts : ndarray, shape (C,)
        Nodes of the plan in each of those countries.
    model : HazardModel

    Returns
    -------
    ndarray of float, shape (N,)
        Events per year.

    Raises
    ------
    ValueError
        The plan weighs nothing (no node, or every node at exposure 0).
    """
    natural = model.natural
    firm = float(np.dot(firm_counts, relative_hazard(firm_countries, model)))
    if not firm > 0:
        raise ValueError("the company's plan has no node with a natural-hazard weight")
    rate = natural.firm_rate_per_year * natural.scale * relative_hazard(countries, model) / firm
    for i, iso in enumerate(countries):
        own = natural.countries.get(str(iso))
        if own is not None and own.rate_per_year is not None:
            rate[i] = own.rate_per_year
    return rate
