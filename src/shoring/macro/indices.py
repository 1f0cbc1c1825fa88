"""Reshoring and sourcing-concentration indices.

Kearney Reshoring Index (A.T. Kearney / Kearney, annual *Reshoring Index* reports since
2014): the manufacturing import ratio

    MIR_t = imports of manufactured goods from the 14 Asian low-cost countries in year t
            / domestic manufacturing gross output in year t

and the index ``RI_t = -(MIR_t - MIR_{t-1})`` in basis points (1 percentage point = 100
bp); positive means net reshoring. Definition as stated in Kearney's 10th annual report
(PR Newswire, 13 April 2023, https://prnewswire.com/news-releases/kearney-finds-reshoring-
has-moved-beyond-the-drawing-table-301796852.html) and Consulting.us (2023, "1% change =
100 basis points, with a positive number indicating net reshoring",
https://www.consulting.us/news/9017/reshoring-has-matured-into-a-commercial-reality-says-kearney).
The 14 countries as Kearney names them (7th annual report, 2020, as reported by
HomeWorld Business, https://www.homeworldbusiness.com/kearney-trade-war-drove-down-u-s-china-imports/):
China, Taiwan, Malaysia, India, Vietnam, Thailand, Indonesia, Singapore, Philippines,
Bangladesh, Pakistan, Hong Kong, Sri Lanka and Cambodia.

Import concentration: the Herfindahl-Hirschman index of a product's imports over partner
countries, ``HHI = sum_k s_k^2`` with ``s_k`` the partner's value share (0..1; 1 = one
source), and its "numbers equivalent" ``1 / HHI`` (Hirschman 1945; Adelman 1969).

China+1 diversification, per product and year: China's share of imports, the largest
alternative source and its share, the HHI of the alternatives among themselves, and the
fall of China's share in basis points since the product's previous year in the data
(positive = diversifying away from China; 2018 and 2024 alone give the fall over the six
years, ``since_year`` says which year it is measured from), in the spirit of Kearney's
China Diversification Index (2019 onwards), whose exact weighting is not published in the
sources found; this is our definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "KEARNEY_ASIAN_LCC",
    "china_plus_one",
    "herfindahl",
    "import_concentration",
    "manufacturing_import_ratio",
    "reshoring_index",
    "reshoring_table",
]

KEARNEY_ASIAN_LCC: tuple[str, ...] = (
    "CHN", "TWN", "MYS", "IND", "VNM", "THA", "IDN",
    "SGP", "PHL", "BGD", "PAK", "HKG", "LKA", "KHM",
)  # fmt: skip
"""ISO3 codes of Kearney's 14 Asian low-cost countries and regions (see module docstring)."""


def manufacturing_import_ratio(imports: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Manufacturing import ratio ``imports / output``.

    Parameters
    ----------
    imports : array_like
        Manufactured imports from the low-cost countries, shape ``(T,)``, any currency.
    output : array_like
        Domestic manufacturing gross output, ``(T,)``, same currency and unit.

    Returns
    -------
    numpy.ndarray
        ``(T,)`` fraction; nan (undefined) where output is not positive.
    """
    imports = np.asarray(imports, dtype=float)
    output = np.asarray(output, dtype=float)
    return np.divide(imports, output, out=np.full(imports.shape, np.nan), where=output > 0)


def reshoring_index(years: Sequence[int] | np.ndarray, mir: np.ndarray) -> np.ndarray:
    """Kearney Reshoring Index: minus the year-on-year change of the MIR, in basis points.

    Parameters
    ----------
    years : array_like of int
        Calendar years, ``(T,)``, strictly increasing.
    mir : array_like
        Manufacturing import ratio of each year as a fraction (0.1295 for 12.95 %).

    Returns
    -------
    numpy.ndarray
        ``(T,)``: ``-(mir_t - mir_{t-1}) * 10,000``; nan for the first year and where
        the previous calendar year is missing or its MIR undefined.

    Raises
    ------
    ValueError
        When years are not strictly increasing.
    """
    years = np.asarray(years, dtype=int)
    mir = np.asarray(mir, dtype=float)
    if years.size > 1 and not (np.diff(years) > 0).all():
        raise ValueError("years must be strictly increasing")
    out = np.full(mir.shape, np.nan)
    if years.size > 1:
        consecutive = np.diff(years) == 1
        out[1:] = np.where(consecutive, -(mir[1:] - mir[:-1]) * 1e4, np.nan)
    return out


def reshoring_table(
    imports: pd.DataFrame,
    output: pd.DataFrame,
    partners: Sequence[str] = KEARNEY_ASIAN_LCC,
) -> pd.DataFrame:
    """Kearney-style reshoring index from imports by partner and domestic output.

    Parameters
    ----------
    imports : pandas.DataFrame
        Columns ``year`` (int), ``partner`` (ISO3), ``value``: manufactured imports.
        Rows of partners outside ``partners`` are ignored.
    output : pandas.DataFrame
        Columns ``year``, ``value``: domestic manufacturing gross output (same unit).
    partners : sequence of str
        Low-cost source countries (default Kearney's 14).

    Returns
    -------
    pandas.DataFrame
        One row per year of ``output``: ``year, imports, output, mir`` (fraction),
        ``index_bp`` (nan where undefined) and ``partners_reported`` (how many of
        ``partners`` have an import row that year; a missing partner is not counted
        as zero imports: check this column). Years without import rows have nan
        imports.
    """
    selected = imports[imports["partner"].isin(list(partners))]
    by_year = selected.groupby("year").agg(
        imports=("value", "sum"), partners_reported=("partner", "nunique")
    )
    out = output.groupby("year", as_index=True)["value"].sum().rename("output").to_frame()
    table = out.join(by_year, how="left").sort_index()
    table["partners_reported"] = table["partners_reported"].fillna(0).astype(int)
    table["mir"] = manufacturing_import_ratio(table["imports"], table["output"])
    table["index_bp"] = reshoring_index(table.index.to_numpy(), table["mir"].to_numpy())
    table = table.reset_index()
    return table[["year", "imports", "output", "mir", "index_bp", "partners_reported"]]


def herfindahl(shares: np.ndarray, axis: int = -1) -> np.ndarray:
    """Herfindahl-Hirschman index ``sum s^2`` of shares along ``axis``.

    Parameters
    ----------
    shares : array_like
        Shares summing to 1 along ``axis``.
    axis : int

    Returns
    -------
    numpy.ndarray
        In ``[1/n, 1]``.
    """
    shares = np.asarray(shares, dtype=float)
    return np.square(shares).sum(axis=axis)


def _keys(flows: pd.DataFrame) -> list[str]:
    return ["product", "year"] if "year" in flows.columns else ["product"]


def import_concentration(flows: pd.DataFrame) -> pd.DataFrame:
    """Import concentration (HHI over partners) per product (and year).

    Parameters
    ----------
    flows : pandas.DataFrame
        Columns ``product``, ``partner``, ``value`` (>= 0) and optionally ``year``.
        Several rows of one partner are added up.

    Returns
    -------
    pandas.DataFrame
        Per product (and year): ``total``, ``n_partners`` (with a positive value),
        ``hhi`` (0..1), ``hhi_points`` (0..10,000), ``equivalent_partners`` (``1 / hhi``),
        ``top_partner``, ``top_share``. HHI is nan for a product with zero imports.
    """
    keys = _keys(flows)
    agg = flows.groupby([*keys, "partner"], as_index=False, sort=True)["value"].sum()
    total = agg.groupby(keys)["value"].transform("sum")
    agg["share"] = np.divide(
        agg["value"], total, out=np.full(len(agg), np.nan), where=total.to_numpy() > 0
    )
    agg["share2"] = agg["share"] ** 2
    agg["positive"] = agg["value"] > 0
    grouped = agg.groupby(keys)
    result = grouped.agg(total=("value", "sum"), n_partners=("positive", "sum"))
    result["hhi"] = grouped["share2"].sum(min_count=1)  # nan for a product without imports
    top = agg.loc[
        agg.sort_values("share", ascending=False, kind="stable").groupby(keys).head(1).index
    ]
    top = top.set_index(keys)[["partner", "share"]].rename(
        columns={"partner": "top_partner", "share": "top_share"}
    )
    result = result.join(top)
    result.loc[result["top_share"].isna(), "top_partner"] = None  # no imports: no top partner
    result["hhi_points"] = result["hhi"] * 1e4
    result["equivalent_partners"] = 1.0 / result["hhi"]
    result["n_partners"] = result["n_partners"].astype(int)
    cols = ["total", "n_partners", "hhi", "hhi_points", "equivalent_partners"]
    return result.reset_index()[[*keys, *cols, "top_partner", "top_share"]]


def china_plus_one(flows: pd.DataFrame, china: Sequence[str] = ("CHN",)) -> pd.DataFrame:
    """China+1 diversification per product (and year).

    Parameters
    ----------
    flows : pandas.DataFrame
        As for :func:`import_concentration`.
    china : sequence of str
        ISO3 codes counted as China (add ``"HKG"`` to count Hong Kong with the
        mainland, as Kearney's China share does).

    Returns
    -------
    pandas.DataFrame
        Per product (and year): ``total``, ``china_share``, ``top_alternative``,
        ``top_alternative_share`` (share of all imports), ``alternatives_hhi`` (HHI of
        the non-China partners among themselves; nan without alternatives) and, with a
        ``year`` column, ``since_year`` (the product's previous year in the data, any
        gap) and ``diversification_bp`` = ``-(china_share_t - china_share_since) * 10,000``:
        the total fall over the gap, not a yearly rate (nan in a product's first year).
    """
    keys = _keys(flows)
    agg = flows.groupby([*keys, "partner"], as_index=False, sort=True)["value"].sum()
    agg["is_china"] = agg["partner"].isin(list(china))
    total = agg.groupby(keys)["value"].sum().rename("total")
    china_value = agg[agg["is_china"]].groupby(keys)["value"].sum()
    result = total.to_frame()
    result["china_share"] = np.divide(
        china_value.reindex(result.index, fill_value=0.0).to_numpy(),
        result["total"].to_numpy(),
        out=np.full(len(result), np.nan),
        where=result["total"].to_numpy() > 0,
    )
    alt = agg[~agg["is_china"] & (agg["value"] > 0)].copy()
    alt_total = alt.groupby(keys)["value"].transform("sum")
    alt["alt_share2"] = (alt["value"] / alt_total) ** 2
    result["alternatives_hhi"] = alt.groupby(keys)["alt_share2"].sum().reindex(result.index)
    top = alt.loc[
        alt.sort_values("value", ascending=False, kind="stable").groupby(keys).head(1).index
    ]
    top = top.set_index(keys)
    result["top_alternative"] = top["partner"].reindex(result.index)
    result["top_alternative_share"] = (top["value"].reindex(result.index)) / result["total"]
    result = result.reset_index()
    if "year" in keys:
        result = result.sort_values(["product", "year"], kind="stable")
        previous = result.groupby("product")[["year", "china_share"]].shift(1)
        result["since_year"] = previous["year"].astype("Int64")
        result["diversification_bp"] = -(result["china_share"] - previous["china_share"]) * 1e4
        result = result.reset_index(drop=True)
    return result
