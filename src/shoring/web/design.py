"""A web run's network design: the design study, the plan of today's sites to compare
it with, and their charts (frontier, flows before and after on the map) and findings.

Read from :meth:`shoring.study.Study.design_data`,
:func:`shoring.optimize.design.study.run_design_study` and
:func:`shoring.optimize.design.optimize_design`; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shoring.network import Network
from shoring.study import Study

TODAY = ("today's sites", "#777777")
"""Name and colour of the plan with today's footprint on the flow map."""
PLAN = ("optimized (robust plan)", "#b2182b")
"""Name and colour of the robust plan on the flow map."""


def run_design(study: Study, points: int, progress: Callable[[str], None]) -> tuple[Any, Any]:
    """The design study of a run and the plan of today's footprint.

    Parameters
    ----------
    study : Study
        The run's study (landed costs computed).
    points : int
        Frontier points per sweep.
    progress : callable
        ``progress(message)`` as each model starts (raises to stop: a cancelled run).

    Returns
    -------
    (DesignStudy, DesignResult)
        The study (each scenario alone, robust plan, frontier) and the best flows with
        the existing sites kept and no candidate opened (expected cost, every scenario):
        the "before" of the flow map.
    """
    from shoring.optimize.design import DesignSpec, optimize_design
    from shoring.optimize.design.study import run_design_study

    data = study.design_data()
    design = run_design_study(data, points=points, progress=progress)
    sites = study.network.sites
    existing = tuple(sites.index[sites["status"] == "existing"])
    spec = DesignSpec(
        force_open=existing, force_closed=tuple(sorted(set(sites.index) - set(existing)))
    )
    progress("today's sites (existing kept, no candidate opened)")
    today = optimize_design(data, spec, shadow_prices=False, site_deltas=False)
    return design, today


def design_results(
    out: dict[str, tuple[str, str]],
    network: Network,
    design: Any,
    today: Any | None,
    scenario: str,
    year: int,
) -> dict[str, object]:
    """The design's charts, added to ``out``, and its entries of the run's index.

    Parameters
    ----------
    out : dict
        A run's results (name -> (kind, content)); ``frontier`` and ``design-flows``
        figures are added.
    network : Network
        The network.
    design : DesignStudy
        The design study.
    today : DesignResult or None
        The plan of today's sites (drawn as the flows before).
    scenario : str
        Scenario whose flows the map shows (the reference).
    year : int
        Year of the flows (the last period when the design has no such period).

    Returns
    -------
    dict
        ``design_findings`` (sentences), ``frontier`` and ``flows`` (figure names) when
        drawn.
    """
    from shoring.report.design import design_findings, frontier_chart
    from shoring.report.flowmap import flows_map

    found: dict[str, object] = {"design_findings": design_findings(design)}
    if not design.frontier.empty:
        out["frontier"] = ("figure", frontier_chart(design.frontier, design.robust).to_json())
        found["frontier"] = "frontier"
    periods = sorted({f.period for f in design.robust.flows})
    if periods:
        period = year if year in periods else periods[-1]
        plans = (
            [(*PLAN, design.robust)] if today is None else [(*TODAY, today), (*PLAN, design.robust)]
        )
        out["design-flows"] = ("figure", flows_map(network, plans, scenario, period).to_json())
        found["flows"] = "design-flows"
    return found
