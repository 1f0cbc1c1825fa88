"""The firm's network model: immutable validated tables, readers, writers, template.

Public API::

    from shoring.network import Network, read_network, write_yaml

    net = read_network("network.xlsx")      # .yaml/.yml, .xlsx or a CSV folder
    net.total_requirements()                # multi-tier BOM, (I - A)^-1
    write_yaml(net, "network.yaml")

Bad input raises :class:`shoring.errors.ShoringInputError` listing every problem,
each located by file, sheet, row and field.
"""

from __future__ import annotations

from shoring.network.io import read_network, write_network
from shoring.network.io_csv import read_csv_folder, write_csv_folder
from shoring.network.io_excel import read_excel, write_excel
from shoring.network.io_yaml import dump_yaml, read_yaml, write_yaml
from shoring.network.model import LAYOUT, TABLE_NAMES, Network
from shoring.network.row_base import Mode, SiteStatus
from shoring.network.schema import REQUIRED_TABLES, ROW_MODELS, TABLES
from shoring.network.summary import summarize
from shoring.network.template import write_template
from shoring.network.validate import build_network

__all__ = [
    "LAYOUT",
    "REQUIRED_TABLES",
    "ROW_MODELS",
    "TABLES",
    "TABLE_NAMES",
    "Mode",
    "Network",
    "SiteStatus",
    "build_network",
    "dump_yaml",
    "read_csv_folder",
    "read_excel",
    "read_network",
    "read_yaml",
    "summarize",
    "write_csv_folder",
    "write_excel",
    "write_network",
    "write_template",
    "write_yaml",
]
