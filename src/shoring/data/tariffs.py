"""MFN applied tariffs and loaders for dated HS6 tariff event tables.

Three things live here:

- the **MFN lookup** (:func:`mfn_lookup`, :func:`mfn_rates`, :func:`mfn_rate`): the rate
  of the national tariff line for importers whose official schedule is embedded (USA,
  EU, GBR, JPN, CHN; :mod:`shoring.data.mfn_lines`), else the economy's simple-average
  MFN applied tariff (``tables/mfn_tariffs.csv``, from the WTO/ITC/UNCTAD World Tariff
  Profiles, each row cited);
- :class:`Hs6TariffSchedule` and :func:`load_hs6_tariff_events`, an as-of lookup over
  tables of HS6 tariff rates at event dates (e.g. the 2018-2020 US-China trade war);
- :func:`load_us_tariff_actions`, a parser for the curated list of dated US actions.

All rates returned are fractions (0.25 = 25%). EU members resolve to the EU's common
external tariff through :func:`shoring.data.agreements.customs_union_of`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from shoring.data.agreements import customs_union_of
from shoring.data.mfn_lines import LineMatch, line_schedules, match_lines
from shoring.data.paths import TABLES_DIR
from shoring.errors import Problem, ShoringError, ShoringInputError

__all__ = [
    "Hs6TariffSchedule",
    "MfnLookup",
    "MissingTariffError",
    "load_hs6_tariff_events",
    "load_us_tariff_actions",
    "mfn_lookup",
    "mfn_rate",
    "mfn_rates",
    "mfn_table",
    "schedule_of",
]


class MissingTariffError(ShoringError, LookupError):
    """No cited MFN figure exists for an economy (and HS code)."""


# ---------------------------------------------------------------------------
# MFN: national lines, else the economy's average
# ---------------------------------------------------------------------------


@cache
def mfn_table() -> pd.DataFrame:
    """Simple-average MFN applied tariffs by economy (embedded, cited per row).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``economy`` (ISO3, or a customs-union schedule id such as ``"EU"``),
        columns ``year`` (nullable integer: tariff year, missing where the source does not
        state it), ``total``, ``agri``, ``nonagri`` (fractions; NaN where not published),
        ``quality`` (``primary``, ``secondary`` or ``derived``), ``source``, ``url`` and
        ``measure`` (what exactly the figures are, e.g. a World Bank proxy).
    """
    raw = pd.read_csv(TABLES_DIR / "mfn_tariffs.csv", dtype={"economy": str})
    out = raw.set_index("economy")
    out["year"] = out["year"].astype("Int64")
    for col in ("total", "agri", "nonagri"):
        out[col] = out.pop(f"{col}_pct") / 100.0
    return out[["year", "total", "agri", "nonagri", "quality", "source", "url", "measure"]]


NONAGRI_CHAPTERS = (25, 97)
"""HS chapters (inclusive) for which the non-agricultural average is used when present."""


@cache
def _economies_with_data() -> frozenset[str]:
    return frozenset(mfn_table().index) | frozenset(line_schedules())


@cache
def schedule_of(importer: str, on: date) -> str:
    """The tariff schedule an importer applies on a date.

    Parameters
    ----------
    importer : str
        ISO3 code (or a schedule id such as ``"EU"``).
    on : datetime.date
        Date of customs-union membership.

    Returns
    -------
    str
        The customs union's schedule id when the importer is in one on that date and
        the union's schedule has data (DEU -> EU; GBR -> EU until 2020-12-31), else the
        importer's own (BRA keeps its row: no MERCOSUR schedule is embedded).
    """
    union = customs_union_of(importer, on)
    if union is not None and union in _economies_with_data():
        return union
    return importer


def _clean_hs(hs: str | int | None) -> str | None:
    if hs is None or (isinstance(hs, float) and np.isnan(hs)):
        return None
    text = re.sub(r"[.\s]", "", str(hs))
    if not text.isdigit():
        raise ValueError(f"HS code {hs!r} is not made of digits")
    return text


@dataclass(frozen=True)
class MfnLookup:
    """MFN rates found by :func:`mfn_lookup` (arrays of the broadcast shape).

    Attributes
    ----------
    rate : ndarray of float
        Ad valorem (equivalent) rate, fraction; NaN where undefined (see ``basis``).
    basis : ndarray of str
        ``"national-line"``, ``"hs6"``, ``"hs6-avg"`` (national lines of the importer's
        schedule), ``"average"`` (the economy's simple average) or ``"none"``.
    schedule : ndarray of str
        Schedule applied (``"EU"`` for EU members).
    lines : LineMatch
        The line match of every cell (flattened), for messages.
    unknown : ndarray of bool
        The importer's schedule has national lines but none for the code (its average is
        used): the code is not in that nomenclature.
    """

    rate: np.ndarray
    basis: np.ndarray
    schedule: np.ndarray
    lines: LineMatch
    unknown: np.ndarray


def _averages(sched: pd.Series, codes: pd.Series) -> pd.Series:
    """The economy's non-agricultural (chapters 25-97) or all-products average."""
    table = mfn_table()
    has_code = codes.notna()
    long_enough = codes.str.len() >= 2
    chapter = pd.to_numeric(codes.where(long_enough).str[:2], errors="coerce")
    rates = pd.Series(np.nan, index=sched.index)
    todo = chapter.between(*NONAGRI_CHAPTERS)
    rates[todo] = sched[todo].map(table["nonagri"])
    todo = rates.isna()
    rates[todo] = sched[todo].map(table["total"])
    todo = rates.isna() & ~has_code
    rates[todo] = sched[todo].map(table["nonagri"])
    return rates


def mfn_lookup(
    importers: Sequence[str] | np.ndarray,
    hs_codes: Sequence[str | None] | np.ndarray | None = None,
    on: date | None = None,
    value: Sequence[float] | np.ndarray | None = None,
    weight: Sequence[float] | np.ndarray | None = None,
) -> MfnLookup:
    """MFN rate and its basis for pairs of importers and HS codes (vectorized).

    Resolution: where the importer's schedule (its customs union's on ``on``) has
    national lines, the lines matching the code (:func:`shoring.data.mfn_lines.match_lines`:
    longest national-code prefix; several lines under an HS6 are averaged); elsewhere,
    and for codes not in that schedule's nomenclature, the economy's simple average
    (non-agricultural for HS chapters 25-97 where published, else all products; the
    non-agricultural figure without a code where no all-products figure is cited).

    Parameters
    ----------
    importers : array-like of str
        ISO3 codes (or schedule ids).
    hs_codes : array-like of str or None, optional
        HS or national codes (6 to 10 digits, dots allowed) broadcast against
        ``importers``; ``None`` entries mean all products (average).
    on : datetime.date, optional
        Date of customs-union membership; default today.
    value, weight : array-like of float, optional
        Unit value (USD) and unit weight (kg) of the goods, broadcast likewise, to express
        specific duties ad valorem; without them a line with a specific duty gives NaN.

    Returns
    -------
    MfnLookup
    """
    imp = np.asarray(importers, dtype=object)
    hs = np.full(imp.shape, None, dtype=object) if hs_codes is None else hs_codes
    val = np.nan if value is None else value
    wgt = np.nan if weight is None else weight
    imp, hs, val, wgt = np.broadcast_arrays(
        imp, np.asarray(hs, dtype=object), np.asarray(val, float), np.asarray(wgt, float)
    )
    shape = imp.shape
    when = on or date.today()
    imp_s = pd.Series(imp.ravel(), dtype=object)
    sched = imp_s.map({u: schedule_of(u, when) for u in imp_s.unique()}).astype(str)
    raw = pd.Series(hs.ravel(), dtype=object)
    clean = {h: _clean_hs(h) for h in raw.dropna().unique()}  # once per distinct code
    codes = raw.map(clean).astype(object)
    with_lines = sched.isin(list(line_schedules())) & codes.notna()
    lines = match_lines(
        np.where(with_lines, sched, ""),
        codes.fillna("").to_numpy(dtype=str),
        val.ravel(),
        wgt.ravel(),
    )
    found = with_lines.to_numpy() & (lines.count > 0)
    average = _averages(sched, codes).to_numpy(dtype=float)
    rate = np.where(found, lines.ave, average)
    basis = np.where(found, lines.basis, np.where(np.isnan(average), "none", "average"))
    return MfnLookup(
        rate=rate.reshape(shape),
        basis=basis.astype(object).reshape(shape),
        schedule=sched.to_numpy(dtype=object).reshape(shape),
        lines=lines,
        unknown=(with_lines.to_numpy() & ~found).reshape(shape),
    )


def mfn_rates(
    importers: Sequence[str] | np.ndarray,
    hs_codes: Sequence[str | None] | np.ndarray | None = None,
    on: date | None = None,
    missing: Literal["raise", "nan"] = "raise",
) -> np.ndarray:
    """Ad valorem MFN rates over pairs of importers and HS codes (see :func:`mfn_lookup`).

    Parameters
    ----------
    importers : array-like of str
        ISO3 codes.
    hs_codes : array-like of str or None, optional
        HS codes broadcast against ``importers`` (``None`` entries mean all products).
    on : datetime.date, optional
        Date for customs-union membership; default today.
    missing : {"raise", "nan"}
        What to do where no rate is defined: no cited figure, or a line whose duty has a
        specific part (that needs the goods' value: use :func:`mfn_lookup`).

    Returns
    -------
    numpy.ndarray
        Fractions, shape of ``np.broadcast(importers, hs_codes)``.

    Raises
    ------
    MissingTariffError
        With ``missing="raise"``, naming the first importer and code without a rate.
    """
    found = mfn_lookup(importers, hs_codes, on)
    if missing == "raise" and np.isnan(found.rate).any():
        i = int(np.flatnonzero(np.isnan(found.rate.ravel()))[0])
        importer = str(
            np.broadcast_to(np.asarray(importers, dtype=object), found.rate.shape).flat[i]
        )
        schedule = str(found.schedule.ravel()[i])
        via = f" (via {schedule})" if schedule != importer else ""
        code = found.lines.first[i]
        if found.lines.problem[i]:
            raise MissingTariffError(
                f"the MFN duty of {importer}{via} on line {found.lines.problem[i]} is not "
                "ad valorem: give the goods' value and weight (mfn_lookup) or your own rate"
            )
        what = f"HS {code}" if code else "all products"
        raise MissingTariffError(
            f"no cited MFN tariff for {importer}{via}, {what}: the embedded MFN average "
            f"table does not cover it (see the data card mfn_tariffs); add a figure "
            f"or give your own rate in the network's mfn_rates table"
        )
    return found.rate


def mfn_rate(importer: str, hs: str | None = None, on: date | None = None) -> float:
    """MFN applied ad valorem tariff of an importer, for an HS code or on average.

    Parameters
    ----------
    importer : str
        ISO3 code of the importing economy (or a schedule id such as ``"EU"``).
    hs : str, optional
        HS or national code (6 to 10 digits; dots allowed); without it, the average.
    on : datetime.date, optional
        Date used to resolve customs-union membership; default today.

    Returns
    -------
    float
        Ad valorem rate as a fraction (see :func:`mfn_lookup` for the resolution).

    Raises
    ------
    MissingTariffError
        When no cited figure covers the importer (the table has no invented fallback),
        or the line's duty is specific.
    """
    return float(mfn_rates([importer], [hs], on)[0])


# ---------------------------------------------------------------------------
# HS6 tariff event tables
# ---------------------------------------------------------------------------


def _hs6_keys(values: np.ndarray) -> np.ndarray:
    """Normalize HS codes to 6-char strings; None where not an HS6 code."""

    def one(v: object) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (int, np.integer)):
            return str(int(v)).zfill(6)
        text = re.sub(r"[.\s]", "", str(v))
        if not text.isdigit() or len(text) < 5:
            return None
        return text.zfill(6)[:6]

    return np.array([one(v) for v in values.ravel()], dtype=object).reshape(values.shape)


@dataclass(frozen=True, eq=False)
class Hs6TariffSchedule:
    """Tariff rates of one importer on one exporter by HS6, at dated events.

    As-of semantics: the rate on a date is the one of the latest event on or before
    that date. Dates before an HS6's first event give NaN (the table says nothing about
    them: use :func:`mfn_rate` for a pre-period baseline); unknown HS6 codes give NaN.

    Attributes
    ----------
    importer, exporter : str
        ISO3 codes.
    hs6 : numpy.ndarray
        Sorted unique 6-character HS6 codes.
    dates : numpy.ndarray
        Sorted unique event dates (``datetime64[D]``).
    matrix : numpy.ndarray
        Rates (fractions), shape ``(len(hs6), len(dates))``, forward-filled along dates
        where an HS6 has no row at an event; NaN where its row has an empty rate.
    descriptions : dict of str to str
        Product descriptions where the file has them.
    source : str
        File the schedule was read from.
    """

    importer: str
    exporter: str
    hs6: np.ndarray
    dates: np.ndarray
    matrix: np.ndarray
    descriptions: dict[str, str]
    source: str

    def rates(
        self, hs6: Sequence[str | int] | np.ndarray, on: Sequence[date] | np.ndarray
    ) -> np.ndarray:
        """Vectorized as-of lookup.

        Parameters
        ----------
        hs6 : array-like of str or int
            HS6 codes (ints are zero-padded; 8/10-digit codes are cut to 6).
        on : array-like of datetime.date or datetime64
            Dates, broadcast against ``hs6``.

        Returns
        -------
        numpy.ndarray
            Fractions; NaN for unknown codes and for dates before the code's first event.
        """
        codes, when = np.broadcast_arrays(
            np.asarray(hs6, dtype=object), np.asarray(on, dtype="datetime64[D]")
        )
        keys = _hs6_keys(np.asarray(codes))
        flat = keys.ravel()
        known = np.array([k is not None for k in flat])
        pos = np.zeros(flat.size, dtype=np.int64)
        if known.any():
            as_str = flat[known].astype(str)
            p = np.searchsorted(self.hs6, as_str)
            p = np.clip(p, 0, self.hs6.size - 1)
            hit = self.hs6[p] == as_str
            pos_known = np.where(hit, p, -1)
            pos[known] = pos_known
        pos[~known] = -1
        col = np.searchsorted(self.dates, when.ravel(), side="right") - 1
        ok = (pos >= 0) & (col >= 0)
        out = np.full(flat.size, np.nan)
        out[ok] = self.matrix[pos[ok], col[ok]]
        return out.reshape(keys.shape)

    def rate(self, hs6: str | int, on: date) -> float:
        """As-of rate (fraction) of one HS6 code on one date; NaN when unknown.

        Parameters
        ----------
        hs6 : str or int
            HS6 code (see :meth:`rates` for accepted forms).
        on : datetime.date
            Day; the latest event on or before it applies.

        Returns
        -------
        float
            Rate as a fraction; NaN for an unknown code or a date before the first event.
        """
        return float(self.rates(np.array([hs6], dtype=object), np.array([on]))[0])

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``hs6``, ``date`` (datetime.date), ``rate`` (fraction), ``description``.

        One row per HS6 and event date with a known rate (forward-filled values included).

        Returns
        -------
        pandas.DataFrame
            Columns as above; ``attrs`` carry ``importer``, ``exporter`` and ``source``.
        """
        n_h, n_d = self.matrix.shape
        frame = pd.DataFrame(
            {
                "hs6": np.repeat(self.hs6, n_d),
                "date": np.tile(self.dates.astype(object), n_h),
                "rate": self.matrix.ravel(),
            }
        )
        frame = frame.dropna(subset=["rate"]).reset_index(drop=True)
        frame["description"] = frame["hs6"].map(self.descriptions)
        frame.attrs.update(importer=self.importer, exporter=self.exporter, source=self.source)
        return frame


_EVENT_COLUMNS = ("hs6", "time_of_tariff", "tariff")


def load_hs6_tariff_events(path: str | Path, importer: str, exporter: str) -> Hs6TariffSchedule:
    """Read an HS6 tariff event table (rates in percent at event dates).

    The layout is that of ``us_tariffs_on_china_hs6_2018_2020.csv``
    (``hs6,time_of_tariff,tariff,description``) and
    ``china_tariffs_on_us_hs6_2018_2020.csv`` (``time_of_tariff,hs6,tariff``): one row
    per HS6 per event date, ``tariff`` the total applied rate in percent (MFN plus any
    additional duty). An empty ``tariff`` cell means the rate is not known (NaN from
    that event on, until the code's next event with a rate).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file.
    importer, exporter : str
        ISO3 codes of the economy applying the tariff and of the origin it applies to.

    Returns
    -------
    Hs6TariffSchedule

    Raises
    ------
    ShoringInputError
        Missing columns, unparsable dates or rates, or HS codes that are not 6 digits,
        each located by file, row and field.
    """
    path = Path(path)
    name = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing_cols = [c for c in _EVENT_COLUMNS if c not in raw.columns]
    if missing_cols:
        raise ShoringInputError(
            Problem(name, f"missing column {c!r} (expected {', '.join(_EVENT_COLUMNS)})", field=c)
            for c in missing_cols
        )
    problems: list[Problem] = []
    hs = raw["hs6"].str.strip()
    bad_hs = ~hs.str.fullmatch(r"\d{5,6}")
    when = pd.to_datetime(raw["time_of_tariff"].str.strip(), format="%Y-%m-%d", errors="coerce")
    rate_text = raw["tariff"].str.strip()
    rate = pd.to_numeric(rate_text, errors="coerce")  # empty cell = rate not known (NaN)
    for field, bad, what in (
        ("hs6", bad_hs, "is not a 6-digit HS code"),
        ("time_of_tariff", when.isna(), "is not a date YYYY-MM-DD"),
        ("tariff", rate.isna() & (rate_text != ""), "is not a number (percent)"),
    ):
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.append(
                Problem(name, f"{raw[field].iat[i]!r} {what}", row=int(i) + 2, field=field)
            )
    if problems:
        raise ShoringInputError(problems)
    frame = pd.DataFrame(
        {"hs6": hs.str.zfill(6), "date": when.dt.date, "rate": rate.to_numpy() / 100.0}
    )
    dup = frame.duplicated(["hs6", "date"], keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise ShoringInputError(
            [Problem(name, "duplicate hs6 and time_of_tariff", row=i + 2, field="hs6")]
        )
    # An event row with an empty rate means "rate not known from then on": mark it with
    # a sentinel so the forward fill (for HS6 codes absent at an event) does not carry an
    # older rate over it.
    frame["rate"] = frame["rate"].fillna(-np.inf)
    wide = frame.pivot(index="hs6", columns="date", values="rate").sort_index()
    wide = wide.reindex(sorted(wide.columns), axis=1).ffill(axis=1)
    wide = wide.replace(-np.inf, np.nan)
    descriptions: dict[str, str] = {}
    if "description" in raw.columns:
        desc = pd.Series(raw["description"].to_numpy(), index=frame["hs6"])
        descriptions = desc[~desc.index.duplicated()].to_dict()
    return Hs6TariffSchedule(
        importer=importer,
        exporter=exporter,
        hs6=wide.index.to_numpy(dtype=str),
        dates=np.array(wide.columns, dtype="datetime64[D]"),
        matrix=wide.to_numpy(dtype=float),
        descriptions=descriptions,
        source=name,
    )


# ---------------------------------------------------------------------------
# Curated US tariff actions
# ---------------------------------------------------------------------------

_ACTION_COLUMNS = ("date", "imposing", "target", "scope", "rate_pct", "action", "source", "url")
_PLAIN_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")


def load_us_tariff_actions(path: str | Path) -> pd.DataFrame:
    """Parse the curated list of dated US tariff actions and partners' retaliation.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with columns ``date,imposing,target,scope,rate_pct,action,source,url``.

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (datetime.date), ``imposing``, ``target`` and ``scope`` (free
        text, kept as published), ``rate`` (fraction when ``rate_pct`` is one plain
        number, else NaN), ``rate_text`` (the published rate text, e.g. ``"10 or 25"``,
        ``"see target"``), ``action``, ``source``, ``url``; sorted by date (stable).

    Raises
    ------
    ShoringInputError
        Missing columns or unparsable dates.
    """
    path = Path(path)
    name = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing_cols = [c for c in _ACTION_COLUMNS if c not in raw.columns]
    if missing_cols:
        raise ShoringInputError(Problem(name, "missing column", field=c) for c in missing_cols)
    when = pd.to_datetime(raw["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    if when.isna().any():
        raise ShoringInputError(
            Problem(
                name,
                f"{raw['date'].iat[i]!r} is not a date YYYY-MM-DD",
                row=int(i) + 2,
                field="date",
            )
            for i in np.flatnonzero(when.isna().to_numpy())
        )
    text = raw["rate_pct"].str.strip()
    plain = text.str.match(_PLAIN_NUMBER)
    rate = pd.to_numeric(text.where(plain), errors="coerce") / 100.0
    out = pd.DataFrame(
        {
            "date": when.dt.date,
            "imposing": raw["imposing"].str.strip(),
            "target": raw["target"],
            "scope": raw["scope"],
            "rate": rate,
            "rate_text": text,
            "action": raw["action"],
            "source": raw["source"],
            "url": raw["url"],
        }
    )
    return out.sort_values("date", kind="stable").reset_index(drop=True)
