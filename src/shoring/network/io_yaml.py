"""YAML network files: :func:`read_yaml` and :func:`write_yaml`.

Layout: top-level keys are table names; ``meta`` is a mapping, every other table a
list of mappings (one per row)::

    meta: {name: Acme, currency: USD, base_year: 2025}
    products:
      - id: pack
        hs_code: '850760'
        unit_value_usd: 9600
        weight_kg: 450
    bom:
      - {parent: pack, component: module, quantity: 8}
    sites:
      - {id: shanghai, country: China, status: existing, products: [pack], ...}
    demand:
      - {market: us, product: pack, year: 2025, units: 1000}     # long form, or
      - {market: us, product: pack, units: {2025: 1000, 2026: 1100}}   # compact form

Both demand forms may be mixed; :func:`write_yaml` writes the compact form. Text
columns (ids, HS codes, countries) are read as written, so ``'010121'`` and
``NO`` (Norway) are safe even unquoted. Problems are located by YAML line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from shoring import safeyaml
from shoring.errors import Problem, ShoringInputError
from shoring.network.checks import suggest
from shoring.network.io_common import display_name, network_records, plain
from shoring.network.model import Network
from shoring.network.records import RawNetwork, RawRecord, RawTable
from shoring.network.schema import ROW_MODELS, TABLES, numeric_columns
from shoring.network.validate import build_network

_NUMERIC = {table: numeric_columns(table) for table in ROW_MODELS}
"""Columns read as YAML numbers; every other column is read as the text written."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------------ reading


class _Reader:
    """Turns a composed YAML node tree into raw records with line numbers."""

    def __init__(self, loader: safeyaml.BoundedLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, table: str, column: str) -> Any:
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, table, column) for item in node.value]
        constructed = self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.ScalarNode) and column not in _NUMERIC[table]:
            return None if constructed is None else node.value
        return constructed

    def problem(self, message: str, node: yaml.Node, sheet: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, sheet, node.start_mark.line + 1))

    def pairs(self, node: yaml.MappingNode, table: str) -> list[tuple[str, yaml.Node, int]]:
        out = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            if key in seen:
                self.problems.append(Problem(self.file, "duplicate key", table, line, key))
                continue
            seen.add(key)
            out.append((key, value_node, line))
        return out

    def record(self, node: yaml.MappingNode, table: str) -> list[RawRecord]:
        row = node.start_mark.line + 1
        values: dict[str, Any] = {}
        rows: dict[str, int] = {}
        compact: list[tuple[str, yaml.Node, int]] | None = None
        for key, value_node, line in self.pairs(node, table):
            if table == "demand" and key == "units" and isinstance(value_node, yaml.MappingNode):
                compact = self.pairs(value_node, table)
                continue
            values[key] = self.value(value_node, table, key)
            rows[key] = line
        values = {k: v for k, v in values.items() if not _blank(v)}
        if compact is None:
            return [RawRecord(row, values, rows if table == "meta" else {})]
        if "year" in values:
            message = "give either year or units by year, not both"
            self.problems.append(Problem(self.file, message, table, row, "year"))
            return []
        records = []
        for year, units_node, line in compact:
            units = self.value(units_node, table, "units")
            item = {**values, "year": year}
            if not _blank(units):
                item["units"] = units
            records.append(RawRecord(line, item, {k: row for k in values}))
        return records

    def table(self, name: str, node: yaml.Node) -> RawTable:
        raw = RawTable(name, self.file, name)
        if name == "meta":
            if isinstance(node, yaml.MappingNode):
                raw.records = self.record(node, name)
            else:
                self.problem("meta must be a mapping of key: value", node, name)
            return raw
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return raw
        if not isinstance(node, yaml.SequenceNode):
            self.problem(f"{name} must be a list of records ('- column: value')", node, name)
            return raw
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                raw.records.extend(self.record(item, name))
            else:
                self.problem("each record must be a mapping of column: value", item, name)
        return raw

    def network(self, root: yaml.Node | None) -> RawNetwork:
        raw = RawNetwork(self.file)
        if root is None:
            self.problems.append(Problem(self.file, "the file is empty"))
            raw.fatal = True
        elif not isinstance(root, yaml.MappingNode):
            self.problem(f"top level must map table names ({', '.join(TABLES)}) to tables", root)
            raw.fatal = True
        else:
            for key, value_node, line in self.pairs(root, None):  # type: ignore[arg-type]
                if key not in TABLES:
                    message = f"unknown table{suggest(key, TABLES)} (expected: {', '.join(TABLES)})"
                    self.problems.append(Problem(self.file, message, key, line))
                    continue
                raw.tables[key] = self.table(key, value_node)
        raw.problems.extend(self.problems)
        return raw


def raw_from_text(text: str, file: str) -> RawNetwork:
    """Parse YAML text into raw records (syntax errors become problems).

    Does not raise for bad input: problems are collected on the result.

    Parameters
    ----------
    text : str
        YAML text in the network layout (see the module docstring).
    file : str
        File name to use in problems.

    Returns
    -------
    RawNetwork
        Raw records per table, located by YAML line; ``fatal`` is set on a syntax error.
    """
    try:
        root, loader = safeyaml.compose(text, file)
    except ShoringInputError as exc:
        return RawNetwork(file, problems=list(exc.problems), fatal=True)
    try:
        return _Reader(loader, file).network(root)
    finally:
        loader.dispose()


def raw_from_data(data: Mapping[str, Any], file: str = "<python>") -> RawNetwork:
    """Raw records from YAML-shaped Python data (no line numbers).

    The data is dumped to YAML and parsed back, so it is read exactly like a file.

    Parameters
    ----------
    data : mapping
        ``meta`` mapping and one list of records per table (``Network.to_dict()`` layout);
        numpy scalars are accepted.
    file : str, default "<python>"
        File name to use in problems.

    Returns
    -------
    RawNetwork
        Raw records with rows cleared; ``fatal`` is set when the data cannot be dumped.
    """
    try:
        text = yaml.safe_dump(_plain_tree(data), sort_keys=False, allow_unicode=True)
    except yaml.YAMLError as exc:
        problem = Problem(file, f"cannot represent the data: {exc}")
        return RawNetwork(file, problems=[problem], fatal=True)
    raw = raw_from_text(text, file)
    for table in raw.tables.values():
        for record in table.records:
            record.row = None
            record.field_rows = {}
    raw.problems = [Problem(p.file, p.message, p.sheet, None, p.field) for p in raw.problems]
    return raw


def _plain_tree(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {plain(k): _plain_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_tree(v) for v in value]
    return plain(value)


def read_yaml(path: str | Path) -> Network:
    """Read and validate a YAML network file.

    Parameters
    ----------
    path : str or Path
        The YAML file, read as UTF-8.

    Returns
    -------
    Network
        The validated network.

    Raises
    ------
    ShoringInputError
        Every problem found, located by file, table, line and field.
    """
    file = display_name(path)
    text = safeyaml.read_text(path, file)
    return build_network(raw_from_text(text, file))


# ------------------------------------------------------------------------ writing


class _Flow(dict):
    """A mapping written on one line."""


class _Dumper(yaml.SafeDumper):
    pass


def _flow_representer(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


class _FlowList(list):
    """A list written on one line."""


def _list_representer(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _flow_representer)
_Dumper.add_representer(_FlowList, _list_representer)

_FLOW_TABLES = {"bom", "site_capacities", "markets", "demand", "modes"}


def _compact_demand(records: list[dict[str, Any]]) -> list[_Flow]:
    groups: dict[tuple[str, str], dict[int, Any]] = {}
    for record in records:
        key = (record.get("market"), record.get("product"))
        groups.setdefault(key, {})[record.get("year")] = record.get("units")
    return [_Flow(market=m, product=p, units=_Flow(years)) for (m, p), years in groups.items()]


def dump_yaml(network: Network) -> str:
    """The YAML text :func:`write_yaml` writes.

    Parameters
    ----------
    network : Network
        The network to dump.

    Returns
    -------
    str
        YAML text with a ``# shoring network file`` comment line and compact demand.
    """
    return dump_records(network_records(network))


def dump_records(data: Mapping[str, Any], compact_demand: bool = True) -> str:
    """YAML text of YAML-shaped records (``Network.to_dict()`` layout), unvalidated.

    Parameters
    ----------
    data : mapping
        ``meta`` mapping and one list of records per table.
    compact_demand : bool
        Write demand as ``units: {year: units}`` per market and product (default) or
        one record per year.

    Returns
    -------
    str
        YAML text, one top-level key per table in schema order; empty tables other than
        ``meta`` are left out.
    """
    meta = data.get("meta")
    name = str(meta.get("name", "")) if isinstance(meta, Mapping) else ""
    chunks = [f"# shoring network file: {' '.join(name.split())}\n"]
    for table in TABLES:
        records = data.get(table, [])
        if table == "meta":
            body: Any = records
        elif not records:
            continue
        elif table == "demand" and compact_demand:
            body = _compact_demand(records)
        elif table in _FLOW_TABLES:
            body = [_Flow(r) for r in records]
        else:
            body = [
                {k: _FlowList(v) if isinstance(v, list) else v for k, v in r.items()}
                for r in records
            ]
        chunks.append(
            yaml.dump(
                {table: body},
                Dumper=_Dumper,
                sort_keys=False,
                allow_unicode=True,
                width=100,
                default_flow_style=False,
            )
        )
    return "".join(chunks)


def write_yaml(network: Network, path: str | Path) -> Path:
    """Write a network as a YAML file (compact demand, one flow record per link row).

    Parameters
    ----------
    network : Network
        The network to write.
    path : str or Path
        The file, written as UTF-8; an existing file is overwritten.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.write_text(dump_yaml(network), encoding="utf-8")
    return path
