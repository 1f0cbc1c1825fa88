"""The firm's network: immutable tables of products, BOM, sites, suppliers, markets, demand.

A :class:`Network` holds one pandas DataFrame per table with a fixed layout (see
:data:`LAYOUT`); engines (landed cost, network design, stress tests) read it through
the properties, which return copies, and the helpers below, which return xarray arrays.

Build one with :func:`shoring.network.read_network` (validated files) or
:meth:`Network.from_dict` (validated Python data). The constructor itself only
normalizes layout and dtypes; it trusts its input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from shoring.network.layout import LAYOUT, TABLE_NAMES, canonical_frame, sorted_rows
from shoring.network.schema import MetaRow

__all__ = ["LAYOUT", "TABLE_NAMES", "Network"]


@dataclass(frozen=True, eq=False, init=False, repr=False)
class Network:
    """A firm's supply network as immutable, validated tables.

    Parameters
    ----------
    meta : MetaRow or mapping
        ``name``, ``description``, ``currency`` ("USD"), ``base_year``.
    products, bom, sites, site_capacities, suppliers, markets, demand, modes, mfn_rates,
    production_costs, lane_costs, cost_settings, freight_quotes : DataFrame
        Tables in the layout of :data:`LAYOUT` (entity tables may carry their id as the
        index or as a column named like the index). Missing tables are empty.

    Notes
    -----
    Properties return copies: editing them never changes the network. Use
    :meth:`replace` to derive a modified network.
    """

    _meta: MetaRow
    _tables: Mapping[str, pd.DataFrame]

    def __init__(
        self,
        meta: MetaRow | Mapping[str, Any],
        products: pd.DataFrame | None = None,
        bom: pd.DataFrame | None = None,
        sites: pd.DataFrame | None = None,
        site_capacities: pd.DataFrame | None = None,
        suppliers: pd.DataFrame | None = None,
        markets: pd.DataFrame | None = None,
        demand: pd.DataFrame | None = None,
        modes: pd.DataFrame | None = None,
        mfn_rates: pd.DataFrame | None = None,
        production_costs: pd.DataFrame | None = None,
        lane_costs: pd.DataFrame | None = None,
        cost_settings: pd.DataFrame | None = None,
        freight_quotes: pd.DataFrame | None = None,
    ) -> None:
        given = {
            "products": products,
            "bom": bom,
            "sites": sites,
            "site_capacities": site_capacities,
            "suppliers": suppliers,
            "markets": markets,
            "demand": demand,
            "modes": modes,
            "mfn_rates": mfn_rates,
            "production_costs": production_costs,
            "lane_costs": lane_costs,
            "cost_settings": cost_settings,
            "freight_quotes": freight_quotes,
        }
        tables = {name: canonical_frame(name, given[name]) for name in TABLE_NAMES}
        if not isinstance(meta, MetaRow):
            meta = MetaRow.model_validate(dict(meta))
        object.__setattr__(self, "_meta", meta)
        object.__setattr__(self, "_tables", tables)

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], file: str = "<python>") -> Network:
        """Build a validated network from YAML-shaped Python data.

        Parameters
        ----------
        data : mapping
            Table name -> list of records (``meta`` -> mapping), as in a YAML file.
        file : str
            Name used in problem messages.

        Returns
        -------
        Network
            The validated network.

        Raises
        ------
        ShoringInputError
            With every problem found.
        """
        from shoring.network.io_yaml import raw_from_data
        from shoring.network.validate import build_network

        return build_network(raw_from_data(data, file))

    def to_dict(self) -> dict[str, Any]:
        """Tables as plain records (the YAML layout, demand in long format).

        Returns
        -------
        dict of str to Any
            ``meta`` -> mapping of settings; every other table name -> list of row dicts.
        """
        from shoring.network.io_common import network_records

        return network_records(self)

    def replace(self, **tables: Any) -> Network:
        """Return a copy with some tables (or ``meta``) replaced; not re-validated.

        Parameters
        ----------
        **tables : Any
            Table name (or ``meta``) -> replacement DataFrame (or ``MetaRow``/mapping).

        Returns
        -------
        Network
            A new network; tables not given are copied from this one.

        Raises
        ------
        TypeError
            When a keyword is not a table name or ``meta``.
        """
        current: dict[str, Any] = {"meta": self._meta}
        current.update({name: self._tables[name] for name in TABLE_NAMES})
        unknown = set(tables) - set(current)
        if unknown:
            raise TypeError(f"unknown tables: {', '.join(sorted(unknown))}")
        current.update(tables)
        return Network(**current)

    # ---------------------------------------------------------------- tables

    @property
    def meta(self) -> MetaRow:
        """Network-wide settings (frozen pydantic model).

        Returns
        -------
        MetaRow
            name, description, currency and base_year.
        """
        return self._meta

    @property
    def name(self) -> str:
        """Network name (``str``) from ``meta.name``."""
        return self._meta.name

    def table(self, name: str) -> pd.DataFrame:
        """A copy of one table by name.

        Parameters
        ----------
        name : str
            One of ``TABLE_NAMES`` (``products``, ``bom``, ``sites``, ...).

        Returns
        -------
        pandas.DataFrame
            A copy, safe to modify.

        Raises
        ------
        KeyError
            When ``name`` is not a table.
        """
        return self._tables[name].copy()

    @property
    def products(self) -> pd.DataFrame:
        """Products indexed by ``product`` (copy).

        Returns
        -------
        pandas.DataFrame
            Index ``product`` (str ids); columns name, hs_code, unit_value_usd, weight_kg, ...
        """
        return self.table("products")

    @property
    def bom(self) -> pd.DataFrame:
        """Bill of materials: parent, component, quantity (copy).

        Returns
        -------
        pandas.DataFrame
            One row per BOM line: parent, component (str ids), quantity (float per unit).
        """
        return self.table("bom")

    @property
    def sites(self) -> pd.DataFrame:
        """Sites indexed by ``site`` (copy).

        Returns
        -------
        pandas.DataFrame
            Index ``site`` (str ids); country (ISO3), status, products (tuples of ids), costs.
        """
        return self.table("sites")

    @property
    def site_capacities(self) -> pd.DataFrame:
        """Per-product capacity caps (copy).

        Returns
        -------
        pandas.DataFrame
            Columns site, product (str ids), capacity_units (float, units/year).
        """
        return self.table("site_capacities")

    @property
    def suppliers(self) -> pd.DataFrame:
        """Suppliers indexed by ``supplier`` (copy).

        Returns
        -------
        pandas.DataFrame
            Index ``supplier`` (str ids); country (ISO3), component, capacity and price columns.
        """
        return self.table("suppliers")

    @property
    def markets(self) -> pd.DataFrame:
        """Markets indexed by ``market`` (copy).

        Returns
        -------
        pandas.DataFrame
            Index ``market`` (str ids); columns name, country (ISO3).
        """
        return self.table("markets")

    @property
    def demand(self) -> pd.DataFrame:
        """Demand in long format (copy).

        Returns
        -------
        pandas.DataFrame
            Columns market, product (str ids), year (int), units (float, units/year).
        """
        return self.table("demand")

    @property
    def freight_quotes(self) -> pd.DataFrame:
        """User freight quotes per lane (a copy; empty when none).

        Returns
        -------
        pandas.DataFrame
            Columns as :data:`LAYOUT` ``freight_quotes``; dates as ``datetime.date``.
        """
        return self.table("freight_quotes")

    @property
    def modes(self) -> pd.DataFrame:
        """Transport-mode overrides indexed by ``mode`` (copy).

        Returns
        -------
        pandas.DataFrame
            Float cost, speed, handling, dwell and CO2 columns; NaN means use the default.
        """
        return self.table("modes")

    @property
    def mfn_rates(self) -> pd.DataFrame:
        """The user's own MFN rates (copy; empty when none are given).

        Returns
        -------
        pandas.DataFrame
            Columns importer (ISO3 or ``EU``), hs_code (2-10 digits), rate (fraction),
            source.
        """
        return self.table("mfn_rates")

    # ---------------------------------------------------------------- id sets

    @property
    def product_ids(self) -> pd.Index:
        """Product ids in file order.

        Returns
        -------
        pandas.Index
            Copy of the ``products`` index (str ids).
        """
        return self._tables["products"].index.copy()

    @property
    def site_ids(self) -> pd.Index:
        """Site ids in file order.

        Returns
        -------
        pandas.Index
            Copy of the ``sites`` index (str ids).
        """
        return self._tables["sites"].index.copy()

    @property
    def supplier_ids(self) -> pd.Index:
        """Supplier ids in file order.

        Returns
        -------
        pandas.Index
            Copy of the ``suppliers`` index (str ids).
        """
        return self._tables["suppliers"].index.copy()

    @property
    def market_ids(self) -> pd.Index:
        """Market ids in file order.

        Returns
        -------
        pandas.Index
            Copy of the ``markets`` index (str ids).
        """
        return self._tables["markets"].index.copy()

    @property
    def years(self) -> tuple[int, ...]:
        """Sorted demand years.

        Returns
        -------
        tuple of int
            Distinct years of the ``demand`` table, ascending.
        """
        return tuple(int(y) for y in np.unique(self._tables["demand"]["year"].to_numpy()))

    @property
    def countries(self) -> tuple[str, ...]:
        """Sorted ISO3 codes of every site, supplier and market.

        Returns
        -------
        tuple of str
            Distinct codes, alphabetical.
        """
        codes = pd.concat([self._tables[t]["country"] for t in ("sites", "suppliers", "markets")])
        return tuple(sorted(set(codes)))

    # ---------------------------------------------------------------- arrays

    @property
    def can_make(self) -> xr.DataArray:
        """Boolean array (site, product): True where the site can make the product.

        Returns
        -------
        xarray.DataArray
            bool, dims ``(site, product)`` with coords in file order; named ``can_make``.
        """
        sites = self._tables["sites"]
        pairs = sites["products"].explode().dropna()
        rows = self.site_ids.get_indexer(pairs.index)
        cols = self.product_ids.get_indexer(pairs.to_numpy())
        keep = (rows >= 0) & (cols >= 0)
        table = np.zeros((len(self.site_ids), len(self.product_ids)), dtype=bool)
        table[rows[keep], cols[keep]] = True
        return xr.DataArray(
            table,
            dims=("site", "product"),
            coords={"site": self.site_ids.to_numpy(), "product": self.product_ids.to_numpy()},
            name="can_make",
        )

    def site_product_capacity(self) -> xr.DataArray:
        """Capacity per (site, product) in units/year.

        The per-product cap from ``site_capacities`` where given, else the site's total
        ``capacity_units``; 0 where the site cannot make the product. The site total
        still caps the sum over products.

        Returns
        -------
        xarray.DataArray
            float, dims ``(site, product)``; named ``capacity_units``.
        """
        sites = self._tables["sites"]
        total = xr.DataArray(
            sites["capacity_units"].to_numpy(), dims="site", coords={"site": self.site_ids}
        )
        caps = self._tables["site_capacities"].pivot_table(
            index="site", columns="product", values="capacity_units", aggfunc="first"
        )
        caps = caps.reindex(index=self.site_ids, columns=self.product_ids)
        cap = xr.DataArray(
            caps.to_numpy(dtype=float),
            dims=("site", "product"),
            coords={"site": self.site_ids.to_numpy(), "product": self.product_ids.to_numpy()},
        )
        out = cap.fillna(total).where(self.can_make, 0.0)
        return out.rename("capacity_units")

    def bom_matrix(self) -> xr.DataArray:
        """Direct requirements A (product, component): units of component per unit.

        Returns
        -------
        xarray.DataArray
            float, dims ``(product, component)`` over ``product_ids``; named ``quantity``.
        """
        ids = self.product_ids
        bom = self._tables["bom"]
        matrix = bom.pivot_table(
            index="parent", columns="component", values="quantity", aggfunc="sum"
        )
        matrix = matrix.reindex(index=ids, columns=ids, fill_value=0.0).fillna(0.0)
        return xr.DataArray(
            matrix.to_numpy(dtype=float),
            dims=("product", "component"),
            coords={"product": ids.to_numpy(), "component": ids.to_numpy()},
            name="quantity",
        )

    def total_requirements(self) -> xr.DataArray:
        """Multi-tier requirements L = (I - A)^-1 (product, component).

        ``L[p, k]`` is the number of units of ``k`` in one unit of ``p`` counting every
        tier of the BOM; the diagonal is 1 (a unit contains itself).

        Returns
        -------
        xarray.DataArray
            float, dims ``(product, component)``; named ``total_quantity``.
        """
        direct = self.bom_matrix()
        n = direct.sizes["product"]
        total = np.linalg.solve(np.eye(n) - direct.to_numpy(), np.eye(n))
        return direct.copy(data=total).rename("total_quantity")

    def bom_levels(self) -> pd.Series:
        """Tier of each product: 0 for items no other product uses, parent tier + 1 below.

        Returns
        -------
        pandas.Series
            int64 indexed by product id (deepest tier if used at several); named ``tier``.
        """
        direct = self.bom_matrix().to_numpy() > 0
        level = np.zeros(direct.shape[0], dtype=np.int64)
        for _ in range(direct.shape[0]):
            candidate = np.where(direct, level[:, None] + 1, 0).max(axis=0, initial=0)
            new = np.maximum(level, candidate)
            if np.array_equal(new, level):
                break
            level = new
        return pd.Series(level, index=self.product_ids, name="tier")

    def demand_array(self) -> xr.DataArray:
        """Demand (market, product, year) in units/year; 0 where not given.

        Returns
        -------
        xarray.DataArray
            float, dims ``(market, product, year)``, years int64 ascending; named ``units``.
        """
        demand = self._tables["demand"]
        years = list(self.years)
        index = pd.MultiIndex.from_product(
            [self.market_ids, self.product_ids, years], names=["market", "product", "year"]
        )
        series = demand.groupby(["market", "product", "year"])["units"].sum()
        series = series.reindex(index, fill_value=0.0)
        return xr.DataArray(
            series.to_numpy(dtype=float).reshape(len(self.market_ids), len(self.product_ids), -1),
            dims=("market", "product", "year"),
            coords={
                "market": self.market_ids.to_numpy(),
                "product": self.product_ids.to_numpy(),
                "year": np.asarray(years, dtype=np.int64),
            },
            name="units",
        )

    # ---------------------------------------------------------------- comparison

    def equals(self, other: object) -> bool:
        """True when ``other`` has the same meta and tables, ignoring row order.

        Parameters
        ----------
        other : object
            Anything; non-networks compare unequal.

        Returns
        -------
        bool
            Whether meta, every table's values and index match after sorting rows.
        """
        if not isinstance(other, Network) or self._meta != other._meta:
            return False
        for name in TABLE_NAMES:
            left = sorted_rows(name, self._tables[name])
            right = sorted_rows(name, other._tables[name])
            if not left.equals(right) or not left.index.equals(right.index):
                return False
        return True

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(self._tables[n])}" for n in TABLE_NAMES)
        return f"Network({self._meta.name!r}, {sizes})"
