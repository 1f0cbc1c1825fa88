"""Cited anchors filled over a year grid: the one implementation the embedded economy-year
tables share (labour cost, :mod:`shoring.data.wages`; labour productivity,
:mod:`shoring.data.productivity`).

A table is long format, one row per (``iso3``, ``year``) with a value column, ``method``
(:data:`METHODS`), ``derivation``, ``source`` and ``url``. Cited rows (``reported`` or
``derived``) are the anchors; between two anchors a year is ``interpolated`` at constant
growth, ``v = a * (b / a) ** ((y - ya) / (yb - ya))``; after the last anchor it is
``extrapolated`` at the rate :func:`series_trends` states (the more moderate of the
series' recent and long-run cited trends, or the median of the other series' own trends
where it has none). Before the first anchor a
table either extrapolates back the same way (``backward=True``, the productivity index) or
leaves the years undefined (``backward=False``, the labour cost: a history invented at
another series' trend is not a cited figure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

METHODS = ("reported", "derived", "interpolated", "extrapolated")
"""Allowed values of the ``method`` column, from most to least direct."""

ANCHOR_METHODS = ("reported", "derived")
"""Methods of the cited rows; the others are filled from them."""

MIN_TREND_SPAN = 5
"""Fewest years between the two anchors a series' own extrapolation trend is taken from."""

TREND_FROM_YEAR = 2000
"""Anchors before this year (BLS 1997 figures, pre-euro exchange rates) set no trend."""


def _own_trend(years: np.ndarray, values: np.ndarray, forward: bool) -> tuple[float, str] | None:
    """The more moderate of a series' recent and long-run cited trends from an end anchor.

    Recent: constant annual growth from the end anchor to the nearest anchor at least
    MIN_TREND_SPAN years away; long-run: to the farthest anchor (from TREND_FROM_YEAR on).
    The one with the smaller absolute growth is used (a stated rule, not a forecast: a
    five-year swing of an exchange rate or a one-off wage policy is not carried on for
    ever, nor is a catch-up decade when the recent years are slower).
    """
    keep = years >= TREND_FROM_YEAR
    years, values = years[keep], values[keep]
    if years.size < 2:
        return None
    end = -1 if forward else 0
    gap = np.abs(years - years[end])
    far = np.flatnonzero(gap >= MIN_TREND_SPAN)
    if far.size == 0:
        return None
    found = []
    for other in dict.fromkeys((far[-1], far[0]) if forward else (far[0], far[-1])):
        lo, hi = sorted((int(other), end % years.size))
        growth = (values[hi] / values[lo]) ** (1.0 / (years[hi] - years[lo])) - 1.0
        found.append((float(growth), f"{years[lo]}-{years[hi]} ({growth:+.1%}/yr)"))
    (growth, span), *longer = found
    if longer and abs(longer[0][0]) < abs(growth):
        return longer[0][0], (
            f"own cited trend {longer[0][1]}, the long-run one, more moderate than the "
            f"recent {span}"
        )
    return growth, f"own cited trend {span}"


def series_trends(anchors: pd.DataFrame, value: str = "usd_per_hour") -> pd.DataFrame:
    """Annual growth used to extrapolate each series before its first and after its last anchor.

    Parameters
    ----------
    anchors : pandas.DataFrame
        Cited rows: columns ``iso3``, ``year`` and ``value``.
    value : str, default "usd_per_hour"
        Name of the value column.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso3``: ``forward`` and ``backward`` (float, annual growth as a
        fraction) and ``forward_basis`` / ``backward_basis`` (text saying which rate was
        used). A series' own trend is the constant growth between its end anchor and the
        nearest anchor at least :data:`MIN_TREND_SPAN` years away (recent) or the farthest
        one (long-run), whichever is more moderate (anchors from :data:`TREND_FROM_YEAR`
        on); a series without such a span takes the median of the other series' own
        trends for that direction, and says so.
    """
    rows: dict[str, dict[str, object]] = {}
    for iso3, group in anchors.sort_values("year").groupby("iso3"):
        years = group["year"].to_numpy(dtype=int)
        values = group[value].to_numpy(dtype=float)
        rows[str(iso3)] = {
            "forward": _own_trend(years, values, forward=True),
            "backward": _own_trend(years, values, forward=False),
        }
    out = pd.DataFrame(index=pd.Index(sorted(rows), name="iso3"))
    for side in ("forward", "backward"):
        own = {k: v[side] for k, v in rows.items() if v[side] is not None}
        median = float(np.median([g for g, _ in own.values()])) if own else 0.0  # type: ignore[misc]
        fallback = (
            f"median of {len(own)} series' own cited trends ({median:+.1%}/yr); "
            f"no own trend over {MIN_TREND_SPAN}+ years"
        )
        out[side] = [own[k][0] if k in own else median for k in out.index]  # type: ignore[index]
        out[f"{side}_basis"] = [own[k][1] if k in own else fallback for k in out.index]  # type: ignore[index]
    return out


def methods_by_pair(table: pd.DataFrame) -> dict[tuple[str, int], str]:
    """``(iso3, year) -> method`` of a table in the layout above (one lookup per record).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``iso3``, ``year`` and ``method``.

    Returns
    -------
    dict of (str, int) to str
    """
    keys = zip(table["iso3"], table["year"].astype(int), strict=True)
    return dict(zip(keys, table["method"], strict=True))


def _spans(years: list[int]) -> str:
    """'2001-2004, 2009' from sorted years."""
    parts, start = [], 0
    for i in range(1, len(years) + 1):
        if i == len(years) or years[i] != years[i - 1] + 1:
            a, b = years[start], years[i - 1]
            parts.append(str(a) if a == b else f"{a}-{b}")
            start = i
    return ", ".join(parts)


def series_summary(table: pd.DataFrame, value: str = "usd_per_hour") -> dict[str, str]:
    """Per economy: the cited years and the method of every other year, in words.

    Parameters
    ----------
    table : pandas.DataFrame
        A table in the layout above.
    value : str, default "usd_per_hour"
        Name of the value column.

    Returns
    -------
    dict of str to str
        ``{"CHN": "cited 2002, 2008-2009 ...; interpolated ...; extrapolated ..."}``.
    """
    trends = series_trends(table[table["method"].isin(ANCHOR_METHODS)], value)
    out = {}
    for iso3, group in table.groupby("iso3"):
        parts = []
        for label, methods in (("cited", ANCHOR_METHODS), ("interpolated", ("interpolated",))):
            years = sorted(group.loc[group["method"].isin(methods), "year"].astype(int))
            if years:
                parts.append(f"{label} {_spans(years)}")
        cited = group.loc[group["method"].isin(ANCHOR_METHODS), "year"]
        ext = group[group["method"] == "extrapolated"]
        for side, mask in (
            ("backward", ext["year"] < cited.min()),
            ("forward", ext["year"] > cited.max()),
        ):
            years = sorted(ext.loc[mask, "year"].astype(int))
            if years:
                basis = trends.loc[iso3, f"{side}_basis"]
                parts.append(f"extrapolated {_spans(years)} at {basis}")
        out[str(iso3)] = "; ".join(parts)
    return out


def wide_values(
    wide: pd.DataFrame,
    trends: Callable[[], pd.DataFrame],
    codes: list[str],
    years: list[int],
    extrapolate: bool,
    backward: bool = True,
) -> np.ndarray:
    """The table's values for every (code, year) pair, NaN where it has none.

    Parameters
    ----------
    wide : pandas.DataFrame
        The table as economy x year (every code in ``codes`` must be in its index).
    trends : callable
        Returns the table's :func:`series_trends` (called only to extrapolate).
    codes, years : list
        The wanted economies (repeats allowed) and years.
    extrapolate : bool
        Fill years outside each economy's covered range (:func:`extrapolate_wide`).
    backward : bool, default True
        With ``extrapolate``, also fill the years before each economy's first value;
        when False they stay NaN.

    Returns
    -------
    numpy.ndarray
        Shape (len(codes), len(years)).
    """
    sub = wide.loc[codes]
    values = sub.reindex(columns=years).to_numpy(dtype=float)
    if extrapolate:
        values = extrapolate_wide(sub, values, years, trends().loc[codes], backward)
    return values


def extrapolate_wide(
    sub: pd.DataFrame,
    values: np.ndarray,
    years: list[int],
    trends: pd.DataFrame,
    backward: bool = True,
) -> np.ndarray:
    """Fill NaN cells outside each row's covered years at the row's stated trend.

    Parameters
    ----------
    sub : pandas.DataFrame
        The table's values, economy x year (NaN where no row), one row per wanted code.
    values : numpy.ndarray
        ``sub`` reindexed to ``years``, shape (economy, year).
    years : list of int
        The wanted years.
    trends : pandas.DataFrame
        :func:`series_trends` rows aligned with ``sub``'s rows.
    backward : bool, default True
        Fill the years before a row's first value too; when False they stay NaN.

    Returns
    -------
    numpy.ndarray
        ``values`` with every NaN after (and, with ``backward``, before) a row's covered
        years filled, same shape.
    """
    covered = sub.notna().to_numpy()
    cols = sub.columns.to_numpy(dtype=int)
    first_i = covered.argmax(axis=1)
    last_i = covered.shape[1] - 1 - covered[:, ::-1].argmax(axis=1)
    rows = np.arange(len(sub))
    first_y, last_y = cols[first_i][:, None], cols[last_i][:, None]
    first_v = sub.to_numpy(dtype=float)[rows, first_i][:, None]
    last_v = sub.to_numpy(dtype=float)[rows, last_i][:, None]
    yrs = np.asarray(years, dtype=float)[None, :]
    after = last_v * (1.0 + trends["forward"].to_numpy()[:, None]) ** (yrs - last_y)
    before = first_v * (1.0 + trends["backward"].to_numpy()[:, None]) ** (yrs - first_y)
    if not backward:
        before = np.full_like(before, np.nan)
    filled = np.where(yrs > last_y, after, np.where(yrs < first_y, before, values))
    return np.where(np.isnan(values), filled, values)


def _label(row: pd.Series, value: str) -> str:
    return f"{row['year']} ({row['method']}) {row[value]:.{_digits(row[value])}f}"


def _digits(x: float) -> int:
    """Two decimals, more below 0.1 so that a small value keeps two significant figures."""
    return 2 if abs(x) >= 0.1 or x == 0 else int(np.ceil(-np.log10(abs(x)))) + 1


def fill_grid(
    anchors: pd.DataFrame,
    years: Iterable[int],
    value: str = "usd_per_hour",
    decimals: int = 3,
    backward: bool = True,
) -> pd.DataFrame:
    """Rows for the grid years without an anchor: interpolated or extrapolated, labelled.

    Parameters
    ----------
    anchors : pandas.DataFrame
        Cited rows: ``iso3``, ``year``, ``value``, ``method``, ``source``, ``url``.
    years : iterable of int
        The grid every economy is filled over.
    value : str, default "usd_per_hour"
        Name of the value column.
    decimals : int, default 3
        Rounding of the filled values.
    backward : bool, default True
        Extrapolate the grid years before an economy's first anchor; when False there is
        no row for them (the value is undefined).

    Returns
    -------
    pandas.DataFrame
        One row per (economy, grid year) without an anchor, in the anchors' columns; the
        ``derivation`` names the anchors used and, for an extrapolated row, the rate and
        its basis (:func:`series_trends`).
    """
    trends = series_trends(anchors, value)
    out = []
    for iso3, group in anchors.groupby("iso3"):
        group = group.sort_values("year")
        known = group["year"].to_numpy()
        values = group[value].to_numpy(dtype=float)
        for year in years:
            if year in known:
                continue
            after = int(np.searchsorted(known, year))
            if after == 0 and not backward:
                continue
            if after in (0, len(known)):
                side = "backward" if after == 0 else "forward"
                near = group.iloc[0 if after == 0 else -1]
                growth = float(trends.loc[iso3, side])
                filled = float(near[value]) * (1.0 + growth) ** (year - near["year"])
                method = "extrapolated"
                derivation = (
                    f"{'first' if after == 0 else 'last'} anchor {_label(near, value)} grown at "
                    f"{growth:+.2%}/yr to {year}: {trends.loc[iso3, f'{side}_basis']}"
                )
                source, url = near["source"], near["url"]
            else:
                lo, hi = group.iloc[after - 1], group.iloc[after]
                share = (year - lo["year"]) / (hi["year"] - lo["year"])
                filled = float(values[after - 1] * (values[after] / values[after - 1]) ** share)
                method = "interpolated"
                derivation = (
                    "log-linear (constant growth) between anchors "
                    f"{_label(lo, value)} and {_label(hi, value)}"
                )
                source = f"{lo['source']} | {hi['source']}"
                url = f"{lo['url']} {hi['url']}" if lo["url"] != hi["url"] else lo["url"]
            out.append(
                {
                    "iso3": iso3,
                    "year": year,
                    value: round(filled, decimals),
                    "method": method,
                    "derivation": derivation,
                    "source": source,
                    "url": url,
                }
            )
    return pd.DataFrame(out)
