"""Value chains in a multi-regional input-output (MRIO) system: value added in trade.

Pure numpy formulas on one MRIO table. ``G`` regions (countries) times ``S`` sectors give
``N = G * S`` country-sectors, ordered region-major (all sectors of the first region,
then the next region), as in pymrio, OECD ICIO and EXIOBASE. Money in the table's unit
(e.g. million USD), shares as fractions.

Formulas (Miller & Blair 2009, *Input-Output Analysis*, 2nd ed., ch. 2 and 6):

- gross output ``x = Z 1 + Y 1``; technical coefficients ``A = Z diag(x)^-1`` (a column
  with zero output is zero); Leontief inverse ``L = (I - A)^-1``;
- value-added coefficients ``v = 1 - 1'A``: value added is the residual of output minus
  intermediate inputs (all primary inputs incl. net taxes on intermediate products), so
  every column of ``V L`` sums to 1 and value added in exports adds up to gross exports;
- gross exports of country-sector ``cs``: its intermediate and final sales to every
  other region, ``e_cs = sum_{k != c} (Z[cs, k] 1 + Y[cs, k])``.

Decomposition of gross exports into value added (source-based, Koopman, Wang & Wei 2014,
"Tracing Value-Added and Double Counting in Gross Exports", *American Economic Review*
104(2): 459-494, the value-added share matrix ``VB E``; equal at country level to Borin &
Mancini 2019, "Measuring What Matters in Global Value Chains and Value-Added Trade",
World Bank Policy Research Working Paper 8804, source-based domestic and foreign content
``DC = V_c B_cc E_c`` and ``FC = sum_{k != c} V_k B_kc E_c``):

- ``DVA`` of the exports of ``cs``: value added of country ``c`` (any of its sectors)
  embodied in them, incl. value added that returns home and double counting;
- ``FVA``: value added of all other countries embodied in them; ``DVA + FVA = e``;
- ``DVX`` (indirect value-added exports) of ``cs``: value added of ``cs`` embodied in the
  gross exports of other countries.

GVC participation (Koopman, Powers, Wang & Wei 2010, "Give Credit Where Credit Is Due",
NBER WP 16426; OECD TiVA indicators EXGR_FVASH and EXGR_DVAFXSH): backward
``FVA / e``, forward ``DVX / e``, both per country and per country-sector; undefined
(``nan``) where gross exports are zero.

Dependency of country-sector ``cs`` on value added from country ``k``: the share of
``k``'s value added in one unit of ``cs``'s gross output, ``T[k, cs] = sum_{i in k} v_i
L[i, cs]``. From ``L = I + L A`` it splits exactly by the country ``m`` of the
immediate supplier: ``T[k, cs] = sum_m sum_{i in m} T[k, i] A[i, cs]`` (for ``k != c``);
``m = k`` is "direct" (inputs bought from ``k``), ``m = c`` is "via domestic suppliers",
all other ``m`` are "through third countries".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from shoring.errors import ShoringError

__all__ = [
    "MRIOTable",
    "ValueChains",
    "gross_exports",
    "gross_output",
    "leontief_inverse",
    "technical_coefficients",
    "value_added_coefficients",
    "value_chains",
]


class SingularSystemError(ShoringError):
    """``I - A`` cannot be inverted (a block of sectors uses more than it produces)."""


@dataclass(frozen=True, eq=False)
class MRIOTable:
    """One multi-regional input-output table.

    Parameters
    ----------
    regions : tuple of str
        Region (country) labels, ``G`` of them, in table order.
    sectors : tuple of str
        Sector labels, ``S`` of them, the same in every region.
    Z : numpy.ndarray
        Intermediate use, shape ``(N, N)``, ``N = G * S``, region-major; ``Z[i, j]`` is
        what country-sector ``i`` sells to country-sector ``j`` (table unit).
    Y : numpy.ndarray
        Final demand by destination region, shape ``(N, G)`` (all final-demand
        categories of a region summed; inventory changes may be negative).
    unit : str
        Money unit of ``Z`` and ``Y``, e.g. ``"Mill USD"``.
    name : str
        Name of the system (for reports).
    source : str
        Where it was read from (path), for reports and errors.
    stated_value_added : numpy.ndarray, optional
        Value added as the table states it (factor inputs summed), shape ``(N,)``;
        only compared with the residual value added, never used in the formulas.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    unit: str = ""
    name: str = ""
    source: str = ""
    stated_value_added: np.ndarray | None = None

    def __post_init__(self) -> None:
        g, s = len(self.regions), len(self.sectors)
        n = g * s
        if g < 2 or s < 1:
            raise ValueError("an MRIO table needs at least 2 regions and 1 sector")
        if self.Z.shape != (n, n):
            raise ValueError(f"Z has shape {self.Z.shape}, expected {(n, n)}")
        if self.Y.shape != (n, g):
            raise ValueError(f"Y has shape {self.Y.shape}, expected {(n, g)}")

    @property
    def n_regions(self) -> int:
        """``G``."""
        return len(self.regions)

    @property
    def n_sectors(self) -> int:
        """``S``."""
        return len(self.sectors)

    @property
    def region_of(self) -> np.ndarray:
        """Region index of every country-sector, shape ``(N,)``."""
        return np.repeat(np.arange(self.n_regions), self.n_sectors)


def gross_output(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Gross output ``x = Z 1 + Y 1``.

    Parameters
    ----------
    Z : numpy.ndarray
        Intermediate use, ``(N, N)``.
    Y : numpy.ndarray
        Final demand, ``(N, F)`` (any number of columns).

    Returns
    -------
    numpy.ndarray
        ``(N,)``, table unit.
    """
    return Z.sum(axis=1) + Y.sum(axis=1)


def technical_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Input coefficients ``A = Z diag(x)^-1``; columns with zero output are zero.

    Parameters
    ----------
    Z : numpy.ndarray
        ``(N, N)``.
    x : numpy.ndarray
        Gross output, ``(N,)``.

    Returns
    -------
    numpy.ndarray
        ``(N, N)``, input per unit of output (dimensionless).
    """
    inv = np.divide(1.0, x, out=np.zeros_like(x, dtype=float), where=x != 0)
    return Z * inv[np.newaxis, :]


def leontief_inverse(A: np.ndarray) -> np.ndarray:
    """Leontief inverse ``L = (I - A)^-1``.

    Parameters
    ----------
    A : numpy.ndarray
        Technical coefficients, ``(N, N)``.

    Returns
    -------
    numpy.ndarray
        ``(N, N)``: output of row sector per unit of final demand for column sector.

    Raises
    ------
    SingularSystemError
        When ``I - A`` is singular or the inverse is not finite.
    """
    n = A.shape[0]
    eye = np.eye(n)
    try:
        L = np.linalg.solve(eye - A, eye)
    except np.linalg.LinAlgError:
        raise SingularSystemError("I - A is singular: no Leontief inverse") from None
    if not np.isfinite(L).all():
        raise SingularSystemError("the Leontief inverse is not finite (I - A near singular)")
    return L


def value_added_coefficients(A: np.ndarray) -> np.ndarray:
    """Value added per unit of output as the residual ``v = 1 - 1'A``.

    Parameters
    ----------
    A : numpy.ndarray
        ``(N, N)``.

    Returns
    -------
    numpy.ndarray
        ``(N,)``, fraction of output (negative only where inputs exceed output).
    """
    return 1.0 - A.sum(axis=0)


def gross_exports(table: MRIOTable) -> np.ndarray:
    """Gross exports of every country-sector: sales to all other regions.

    Parameters
    ----------
    table : MRIOTable

    Returns
    -------
    numpy.ndarray
        ``(N,)``, table unit: ``sum_{k != c} (Z[cs, k-block].sum() + Y[cs, k])``.
    """
    g, s = table.n_regions, table.n_sectors
    n = g * s
    by_region = table.Z.reshape(n, g, s).sum(axis=2) + table.Y  # (N, G) sales by buyer region
    own = by_region[np.arange(n), table.region_of]
    return by_region.sum(axis=1) - own


@dataclass(frozen=True, eq=False)
class ValueChains:
    """Value-chain indicators of one MRIO table (see the module docstring for formulas).

    Arrays are per country-sector ``(N,)`` unless stated; money in the table's unit.

    Parameters
    ----------
    table : MRIOTable
        The system.
    x : numpy.ndarray
        Gross output.
    A : numpy.ndarray
        Technical coefficients ``(N, N)``.
    L : numpy.ndarray
        Leontief inverse ``(N, N)``.
    v : numpy.ndarray
        Value-added coefficients.
    exports : numpy.ndarray
        Gross exports ``e``.
    dva, fva, dvx : numpy.ndarray
        Domestic and foreign value added in the exports of each country-sector; value
        added of each country-sector in other countries' exports.
    va_share : numpy.ndarray
        ``T``, shape ``(G, N)``: share of region ``k``'s value added in a unit of the
        gross output of country-sector ``j`` (columns sum to 1).
    via_supplier : numpy.ndarray
        Shape ``(G, G, N)``: ``[k, m, j]`` is the part of ``T[k, j]`` reaching ``j``
        through inputs bought from region ``m``.
    """

    table: MRIOTable
    x: np.ndarray
    A: np.ndarray
    L: np.ndarray
    v: np.ndarray
    exports: np.ndarray
    dva: np.ndarray
    fva: np.ndarray
    dvx: np.ndarray
    va_share: np.ndarray
    via_supplier: np.ndarray

    @property
    def value_added(self) -> np.ndarray:
        """Value added ``v * x`` (residual), ``(N,)``."""
        return self.v * self.x

    def _by_region(self, values: np.ndarray) -> np.ndarray:
        g, s = self.table.n_regions, self.table.n_sectors
        return values.reshape(g, s).sum(axis=1)

    @cached_property
    def country_exports(self) -> np.ndarray:
        """Gross exports per region, ``(G,)``."""
        return self._by_region(self.exports)

    @cached_property
    def country_dva(self) -> np.ndarray:
        """DVA per region, ``(G,)``."""
        return self._by_region(self.dva)

    @cached_property
    def country_fva(self) -> np.ndarray:
        """FVA per region, ``(G,)``."""
        return self._by_region(self.fva)

    @cached_property
    def country_dvx(self) -> np.ndarray:
        """DVX per region, ``(G,)``."""
        return self._by_region(self.dvx)

    @staticmethod
    def _share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.full(num.shape, np.nan), where=den != 0)

    @cached_property
    def backward(self) -> np.ndarray:
        """Backward participation ``FVA / e`` per country-sector (nan where ``e = 0``)."""
        return self._share(self.fva, self.exports)

    @cached_property
    def forward(self) -> np.ndarray:
        """Forward participation ``DVX / e`` per country-sector (nan where ``e = 0``)."""
        return self._share(self.dvx, self.exports)

    @cached_property
    def country_backward(self) -> np.ndarray:
        """Backward participation per region, ``(G,)``."""
        return self._share(self.country_fva, self.country_exports)

    @cached_property
    def country_forward(self) -> np.ndarray:
        """Forward participation per region, ``(G,)``."""
        return self._share(self.country_dvx, self.country_exports)

    @cached_property
    def dependency(self) -> dict[str, np.ndarray]:
        """Foreign value-added dependency of every country-sector on every region.

        Returns
        -------
        dict of str to numpy.ndarray
            ``total``, ``direct``, ``via_domestic``, ``via_third``, each ``(G, N)``:
            ``[k, j]`` for region ``k`` and country-sector ``j``; shares of ``j``'s gross
            output. Entries where ``k`` is ``j``'s own region are nan (not foreign).
            ``total = direct + via_domestic + via_third``.
        """
        g, n = self.table.n_regions, self.table.n_regions * self.table.n_sectors
        own = self.table.region_of
        cols = np.arange(n)
        direct = self.via_supplier[np.arange(g)[:, None], np.arange(g)[:, None], cols[None, :]]
        via_domestic = self.via_supplier[:, own, cols]
        total = self.va_share.copy()
        via_third = total - direct - via_domestic
        foreign = np.arange(g)[:, None] != own[None, :]
        out = {"total": total, "direct": direct, "via_domestic": via_domestic}
        out["via_third"] = via_third
        return {k: np.where(foreign, a, np.nan) for k, a in out.items()}


def value_chains(table: MRIOTable) -> ValueChains:
    """Compute every value-chain indicator of ``table``.

    Parameters
    ----------
    table : MRIOTable

    Returns
    -------
    ValueChains

    Raises
    ------
    SingularSystemError
        When the Leontief inverse does not exist.

    Notes
    -----
    Memory: a few ``(N, N)`` float arrays (OECD ICIO, N = 3,465: about 100 MB each).
    """
    g, s = table.n_regions, table.n_sectors
    n = g * s
    x = gross_output(table.Z, table.Y)
    A = technical_coefficients(table.Z, x)
    L = leontief_inverse(A)
    v = value_added_coefficients(A)
    e = gross_exports(table)
    own = table.region_of
    vb = v[:, np.newaxis] * L  # (N, N): value added of row i per unit of final output of j
    va_share = vb.reshape(g, s, n).sum(axis=1)  # (G, N): by origin region
    domestic = va_share[own, np.arange(n)]
    dva = domestic * e
    fva = (va_share.sum(axis=0) - domestic) * e
    vbe_by_exporter = (vb * e[np.newaxis, :]).reshape(n, g, s).sum(axis=2)  # (N, G)
    dvx = vbe_by_exporter.sum(axis=1) - vbe_by_exporter[np.arange(n), own]
    via_supplier = np.einsum("kms,msj->kmj", va_share.reshape(g, g, s), A.reshape(g, s, n))
    return ValueChains(
        table=table,
        x=x,
        A=A,
        L=L,
        v=v,
        exports=e,
        dva=dva,
        fva=fva,
        dvx=dvx,
        va_share=va_share,
        via_supplier=via_supplier,
    )
