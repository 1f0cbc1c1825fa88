"""The study report: one self-contained HTML file (works offline) plus CSV tables.

>>> from shoring.report import build_report
>>> build_report(network, ds, scenarios, "out/")   # doctest: +SKIP
PosixPath('out/report.html')

:func:`build_report` assembles the sections (summary and conclusions, world map,
cost waterfalls, scenario comparison, break-even, wage trajectories, data sources and
scenario definitions), plus "Network design" when given a :class:`DesignStudy` of
optimizer results; :func:`study_findings` and :func:`design_findings` give the
conclusions alone.
"""

from shoring.report.design import DesignStudy, design_findings
from shoring.report.findings import PairFinding
from shoring.report.html import REPORT_FILE, SECTIONS, build_report, study_findings
from shoring.report.sources import map_card
from shoring.report.topojson import to_geojson, world_countries

__all__ = [
    "REPORT_FILE",
    "SECTIONS",
    "DesignStudy",
    "PairFinding",
    "build_report",
    "design_findings",
    "map_card",
    "study_findings",
    "to_geojson",
    "world_countries",
]
