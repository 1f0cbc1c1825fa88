"""MFN duties per national tariff line (embedded table) and their lookup by product code.

The table ``tables/mfn_lines.csv.gz`` is built by ``scripts/build_mfn_lines.py`` from the
official schedules (data card ``mfn_lines``): the US HTS8 lines of the USITC tariff
database 2025, the EU common external tariff 2020 and the UK Global Tariff 2021 per CN8,
Japan's applied general rates per 9-digit statistical code (2026), and China's MFN per
HS6 (2018-01-01). Columns: see :mod:`shoring.data.schedules`, plus ``source`` and ``hs``
(HS edition of the nomenclature: 2022 for USA and JPN, 2017 for EU, GBR and CHN).

:func:`match_lines` finds, for each (schedule, code) pair, the lines that apply:

1. the line whose code is the longest prefix of the code given (``"8507600010"`` finds
   HTS8 ``85076000``) -> basis ``"national-line"`` (``"hs6"`` for an HS6 line);
2. otherwise every line under the code given (``"620342"`` finds the US HTS8 lines
   6203.42.03 to 6203.42.45); if they all charge the same, basis ``"hs6"``; if not, the
   simple average of their ad valorem equivalents, basis ``"hs6-avg"`` (the caller warns
   and asks for the national code);
3. a code longer than six digits that is not in the schedule (a national code of another
   country) falls back to step 2 with its HS6.

Specific duties become ad valorem equivalents (AVE) from the goods' unit value (USD) and
weight (kg): ``AVE = specific (converted to USD, data card fx_rates) x quantity / value``
with quantity = weight for per-kg duties and 1 for per-item duties (one unit of a product
is one item, or one pair). Duties per litre or per square metre need a quantity the
network does not give: their AVE is undefined (NaN) and the caller reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from shoring.data.paths import TABLES_DIR

__all__ = [
    "LineMatch",
    "fx_usd_per_unit",
    "line_schedules",
    "match_lines",
    "mfn_lines",
]


@cache
def mfn_lines() -> pd.DataFrame:
    """The embedded MFN lines table (read-only; see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``importer``, ``code`` (digits), ``ad_valorem`` (fraction, NaN where the
        published rate is not machine-readable), ``specific``, ``currency``, ``per``,
        ``combine``, ``text``, ``source``, ``hs``; sorted by importer and code.
    """
    out = pd.read_csv(
        TABLES_DIR / "mfn_lines.csv.gz",
        dtype={"importer": str, "code": str, "currency": str, "per": str, "text": str},
        keep_default_na=False,
        na_values={"ad_valorem": [""]},
    )
    return out


@cache
def line_schedules() -> dict[str, tuple[str, int]]:
    """Schedules with national lines: id -> (source id, HS edition of the nomenclature).

    Returns
    -------
    dict of str to (str, int)
        E.g. ``{"USA": ("usitc-tdb-2025", 2022), "EU": ("eu-cet-2020", 2017), ...}``.
    """
    first = mfn_lines().groupby("importer")[["source", "hs"]].first()
    return {k: (str(r.source), int(r.hs)) for k, r in first.iterrows()}


@cache
def fx_usd_per_unit() -> dict[str, float]:
    """USD per unit of each currency of a specific duty (data card ``fx_rates``).

    Returns
    -------
    dict of str to float
        ``{"USD": 1.0, "EUR": ..., "GBP": ..., "JPY": ...}``.
    """
    fx = pd.read_csv(TABLES_DIR / "fx_rates.csv")
    per_unit = np.where(fx["quote"] == "USD per unit", fx["rate"], 1.0 / fx["rate"])
    return {"USD": 1.0, **dict(zip(fx["currency"], per_unit.astype(float), strict=True))}


@cache
def _keys() -> np.ndarray:
    lines = mfn_lines()
    return (lines["importer"] + "|" + lines["code"]).to_numpy(dtype=str)


@cache
def _line_lengths() -> tuple[int, ...]:
    return tuple(sorted(set(mfn_lines()["code"].str.len()), reverse=True))


@dataclass(frozen=True)
class LineMatch:
    """What :func:`match_lines` found for each query (1-D arrays, one entry per query).

    Attributes
    ----------
    ave : ndarray of float
        Ad valorem (equivalent) rate, fraction; NaN where no line matched or a matched
        line's duty cannot be expressed ad valorem (see ``problem``).
    basis : ndarray of str
        ``"national-line"``, ``"hs6"``, ``"hs6-avg"``, or ``""`` where no line matched.
    fallback_hs6 : ndarray of bool
        The code given is longer than six digits and not in the schedule: its HS6 was used.
    prefix_len : ndarray of int
        Length of the line found as a prefix of the code (step 1), 0 where none.
    first, last : ndarray of str
        First and last line code matched (for messages), ``""`` where none.
    count : ndarray of int
        Number of distinct line codes matched.
    low, high : ndarray of float
        Lowest and highest AVE among the matched lines.
    problem : ndarray of str
        Why ``ave`` is undefined although lines matched (the published rate text, or the
        unit a specific duty needs), ``""`` otherwise.
    """

    ave: np.ndarray
    basis: np.ndarray
    fallback_hs6: np.ndarray
    prefix_len: np.ndarray
    first: np.ndarray
    last: np.ndarray
    count: np.ndarray
    low: np.ndarray
    high: np.ndarray
    problem: np.ndarray


def _ranges(schedules: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Row range ``[lo, hi)`` of the matching lines of each query, and the match kind."""
    keys = _keys()
    n = codes.size
    lo, hi = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    exact_len = np.zeros(n, dtype=np.int64)  # length of the line found by prefix, 0 if none
    lengths = np.char.str_len(codes.astype(str))
    for length in _line_lengths():  # longest prefix first
        todo = (exact_len == 0) & (lengths >= length)
        if not todo.any():
            continue
        key = np.char.add(np.char.add(schedules[todo], "|"), codes[todo].astype(f"U{length}"))
        left = np.searchsorted(keys, key, side="left")
        right = np.searchsorted(keys, key, side="right")
        found = right > left
        idx = np.flatnonzero(todo)[found]
        lo[idx], hi[idx], exact_len[idx] = left[found], right[found], length
    fallback = np.zeros(n, dtype=bool)
    for cut in (False, True):  # lines under the code, then under its HS6
        todo = (exact_len == 0) & (hi == lo)
        if cut:
            todo &= lengths > 6
        if not todo.any():
            continue
        prefix = codes[todo].astype("U6") if cut else codes[todo]
        key = np.char.add(np.char.add(schedules[todo], "|"), prefix)
        left = np.searchsorted(keys, key, side="left")
        right = np.searchsorted(keys, np.char.add(key, ":"), side="left")  # ":" follows "9"
        lo[todo], hi[todo] = left, right
        fallback[todo] = cut & (right > left)
    return lo, hi, exact_len, fallback


def _line_ave(
    rows: np.ndarray, value: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """AVE of each line row for the goods' value and weight, and the problem text."""
    lines = mfn_lines()
    ad = lines["ad_valorem"].to_numpy(dtype=float)[rows]
    spec = lines["specific"].to_numpy(dtype=float)[rows]
    per = lines["per"].to_numpy(dtype=str)[rows]
    fx = lines["currency"].map(fx_usd_per_unit()).to_numpy(dtype=float)[rows]
    combine = lines["combine"].to_numpy(dtype=str)[rows]
    text = lines["text"].to_numpy(dtype=str)[rows]
    quantity = np.select([per == "kg", per == "item"], [weight, np.ones_like(weight)], np.nan)
    has_spec = spec > 0
    spec_ave = np.where(has_spec, spec * fx * quantity / value, 0.0)
    ave = np.select(
        [combine == "max", combine == "min"],
        [np.maximum(ad, spec_ave), np.minimum(ad, spec_ave)],
        ad + spec_ave,
    )
    codes = lines["code"].to_numpy(dtype=str)[rows]
    problem = np.where(
        text != "",
        np.char.add(np.char.add(codes, ": "), text),
        np.where(
            has_spec & np.isnan(quantity),
            np.char.add(codes, np.char.add(": specific duty per ", per)),
            np.where(has_spec & np.isnan(value), np.char.add(codes, ": specific duty"), ""),
        ),
    )
    return ave, problem


def _aggregate(
    n: int, query: np.ndarray, code: np.ndarray, ave: np.ndarray, problem: np.ndarray
) -> dict[str, np.ndarray]:
    """Per query: mean, lowest and highest AVE over distinct codes, first/last code, count,
    first problem. Rows come grouped by query, codes sorted within a query; alternative
    rows of one code are adjacent and the lowest applies (NaN if any is NaN)."""
    out = {
        "mean": np.full(n, np.nan),
        "low": np.full(n, np.nan),
        "high": np.full(n, np.nan),
        "first": np.full(n, "", dtype=object),
        "last": np.full(n, "", dtype=object),
        "count": np.zeros(n, dtype=int),
        "problem": np.full(n, "", dtype=object),
    }
    if query.size == 0:
        return out
    new_query = np.r_[True, query[1:] != query[:-1]]
    seg = np.flatnonzero(new_query | np.r_[True, code[1:] != code[:-1]])  # (query, code)
    undefined = np.maximum.reduceat(np.isnan(ave).astype(np.int8), seg).astype(bool)
    per_code = np.where(undefined, np.nan, np.fmin.reduceat(ave, seg))
    seg_query = query[seg]
    starts = np.flatnonzero(np.r_[True, seg_query[1:] != seg_query[:-1]])
    q = seg_query[starts]
    counts = np.diff(np.r_[starts, seg.size])
    out["mean"][q] = np.add.reduceat(per_code, starts) / counts
    out["low"][q] = np.fmin.reduceat(per_code, starts)
    out["high"][q] = np.fmax.reduceat(per_code, starts)
    out["count"][q] = counts
    out["first"][q] = code[seg[starts]]
    out["last"][q] = code[seg[np.r_[starts[1:], seg.size] - 1]]
    row_starts = np.flatnonzero(new_query)
    flagged = np.where(problem != "", np.arange(query.size), query.size)
    first_flag = np.minimum.reduceat(flagged, row_starts)
    has = first_flag < query.size
    out["problem"][query[row_starts][has]] = problem[first_flag[has]]
    return out


def match_lines(
    schedules: np.ndarray,
    codes: np.ndarray,
    value: np.ndarray | None = None,
    weight: np.ndarray | None = None,
) -> LineMatch:
    """The MFN lines that apply to each (schedule, product code), and their AVE.

    Parameters
    ----------
    schedules : ndarray of str, shape (n,)
        Schedule ids (``USA``, ``EU``, ``GBR``, ``JPN``, ``CHN``); other ids match nothing.
    codes : ndarray of str, shape (n,)
        Product codes, digits only (6 to 10 digits).
    value : ndarray of float, shape (n,), optional
        Unit value of the goods, USD (needed to express specific duties ad valorem;
        without it their AVE is NaN).
    weight : ndarray of float, shape (n,), optional
        Weight of one unit, kg.

    Returns
    -------
    LineMatch
        See the class; the lowest of alternative rows of one code applies, the simple
        average over distinct codes is taken where several lines match.
    """
    schedules = np.asarray(schedules, dtype=str)
    codes = np.asarray(codes, dtype=str)
    n = codes.size
    value = np.full(n, np.nan) if value is None else np.asarray(value, dtype=float)
    weight = np.full(n, np.nan) if weight is None else np.asarray(weight, dtype=float)
    lo, hi, exact_len, fallback = _ranges(schedules, codes)
    size = hi - lo
    query = np.repeat(np.arange(n), size)
    rows = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size) + np.repeat(lo, size)
    ave, problem = _line_ave(rows, value[query], weight[query])
    line_code = mfn_lines()["code"].to_numpy(dtype=str)[rows]
    stats = _aggregate(n, query, line_code, ave, problem)
    count, low, high = stats["count"], stats["low"], stats["high"]
    same = np.isclose(low, high, rtol=0.0, atol=1e-9) | (count == 1)
    longer = (np.char.str_len(codes) > 6) & ~fallback  # a national code, found in the schedule
    basis = np.select(
        [count == 0, exact_len > 6, exact_len == 6, same & longer, same],
        ["", "national-line", "hs6", "national-line", "hs6"],
        "hs6-avg",
    )
    return LineMatch(
        ave=stats["mean"],
        basis=basis.astype(object),
        fallback_hs6=fallback,
        prefix_len=exact_len,
        first=stats["first"],
        last=stats["last"],
        count=count,
        low=low,
        high=high,
        problem=stats["problem"],
    )


def unknown_codes(codes: np.ndarray) -> np.ndarray:
    """Why each code is in no embedded schedule's nomenclature (``""`` where it is in one).

    A code is known when some schedule (USA, EU, GBR, JPN, CHN) has a line equal to it,
    a line it extends (``"8507600010"`` under HTS8 ``85076000``) or lines under it
    (``"620342"``).

    Parameters
    ----------
    codes : ndarray of str, shape (n,)
        Product codes, digits only (6 to 10 digits).

    Returns
    -------
    ndarray of str, shape (n,)
        ``""`` for known codes; else a sentence naming, per schedule, the lines under the
        code's HS6 (or saying that no schedule has that HS6).
    """
    codes = np.asarray(codes, dtype=str)
    names = np.array(list(line_schedules()), dtype=str)
    grid_s = np.repeat(names[None, :], codes.size, axis=0).ravel()
    grid_c = np.repeat(codes, names.size)
    match = match_lines(grid_s, grid_c)
    # an HS6-only schedule (CHN) cannot vouch for national digits
    hs6_only = (match.prefix_len == 6) & (np.char.str_len(grid_c) > 6)
    known = (match.count > 0) & ~match.fallback_hs6 & ~hs6_only
    known = known.reshape(codes.size, names.size).any(axis=1)
    six = match_lines(grid_s, grid_c.astype("U6"))
    out = np.full(codes.size, "", dtype=object)
    for i in np.flatnonzero(~known):
        row = slice(i * names.size, (i + 1) * names.size)
        where = [
            f"{s} {f}..{last} ({n} lines)" if n > 1 else f"{s} {f}"
            for s, f, last, n in zip(
                names, six.first[row], six.last[row], six.count[row], strict=True
            )
            if n > 0
        ]
        if where:
            out[i] = (
                f"{codes[i]} is not a tariff line of any embedded schedule (renumbered, a "
                f"typo, or another country's national code); lines under HS "
                f"{codes[i][:6]}: " + "; ".join(where)
            )
        else:
            editions = sorted({e for _, e in line_schedules().values()})
            out[i] = (
                f"HS {codes[i][:6]} is not a subheading in any embedded schedule "
                f"(HS{' and HS'.join(str(e) for e in editions)} nomenclatures): a typo, "
                f"or a code of another HS edition"
            )
    return out
