"""Policy measures on a timeline, scenarios that compose them, and the built-in library.

>>> from shoring.scenario import load_scenario, resolve
>>> from datetime import date
>>> war = load_scenario("trade-war-2018")
>>> [m.type for m in resolve(war, date(2019, 7, 1)).measures]  # doctest: +SKIP
['tariff_schedule', 'tariff_schedule']

Vectorized evaluation for the cost engine: :func:`trade_effects` (tariffs, schedules,
NTBs, bans, sanctions, preferences per importer x exporter x HS6 x date cell) and the
country x time series :func:`capacity_lost`, :func:`incentives`, :func:`wage_multiplier`,
:func:`automation_share`, :func:`carbon_prices`.
"""

from shoring.scenario.loader import (
    LIBRARY_DIR,
    builtin_scenarios,
    load_scenario,
    load_scenario_file,
    parse_scenario,
)
from shoring.scenario.measure_base import Exemptions, SourceRef
from shoring.scenario.measures import (
    MEASURE_TYPES,
    Automation,
    CarbonPrice,
    ChokepointClosure,
    Closure,
    ExportBan,
    Incentive,
    Measure,
    NonTariffBarrier,
    Preference,
    RuleOfOrigin,
    Sanction,
    Suspension,
    Tariff,
    TariffSchedule,
    WagePath,
)
from shoring.scenario.resolve import ResolvedScenario, resolve
from shoring.scenario.scenario import Scenario, compose
from shoring.scenario.schedules import load_tariff_schedule
from shoring.scenario.timeseries import (
    automation_share,
    capacity_lost,
    carbon_prices,
    chokepoint_days,
    closed_chokepoints,
    incentives,
    product_incentives,
    wage_multiplier,
)
from shoring.scenario.trade import TradeEffects, trade_effects, trade_effects_dataset

__all__ = [
    "LIBRARY_DIR",
    "MEASURE_TYPES",
    "Automation",
    "CarbonPrice",
    "ChokepointClosure",
    "Closure",
    "Exemptions",
    "ExportBan",
    "Incentive",
    "Measure",
    "NonTariffBarrier",
    "Preference",
    "ResolvedScenario",
    "RuleOfOrigin",
    "Sanction",
    "Scenario",
    "SourceRef",
    "Suspension",
    "Tariff",
    "TariffSchedule",
    "TradeEffects",
    "WagePath",
    "automation_share",
    "builtin_scenarios",
    "capacity_lost",
    "carbon_prices",
    "chokepoint_days",
    "closed_chokepoints",
    "compose",
    "incentives",
    "load_scenario",
    "load_scenario_file",
    "load_tariff_schedule",
    "parse_scenario",
    "product_incentives",
    "resolve",
    "trade_effects",
    "trade_effects_dataset",
    "wage_multiplier",
]
