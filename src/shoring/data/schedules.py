"""Readers of official MFN tariff schedules: one row per national tariff line.

Each reader takes the file as published (see the shared data README for the layouts)
and returns a *lines frame* with the columns of :data:`LINE_COLUMNS`:

``importer``
    Schedule id: ``USA``, ``EU`` (the common external tariff, every EU-27 member),
    ``GBR``, ``JPN`` or ``CHN``.
``code``
    National code, digits only: HTS8 (US), CN8 (EU, UK; a TARIC/UK 10-digit code where
    the file has no 8-digit line above it), statistical code HS6 + 3 digits (Japan), HS6
    (China).
``ad_valorem``
    Ad valorem part as a fraction (0.166 = 16.6%); NaN where the rate is not
    machine-readable (then ``text`` holds it).
``specific``, ``currency``, ``per``
    Specific part: ``specific`` units of ``currency`` (USD, EUR, GBP, JPY) per ``per``
    (``kg``, ``item``, ``l``, ``m2``); 0 and empty strings where there is none.
``combine``
    How the parts combine: ``+`` (compound: both are charged), ``max`` / ``min`` (the
    higher / lower of the two, Japan's "いずれか高い/低い税率").
``text``
    The published rate text where it could not be read into the parts above
    (seasonal rates, agricultural components, ranges, entry prices), else ``""``.

Several rows with the same ``(importer, code)`` are alternatives of which the lowest
applies (Japan: the general or temporary rate, or the WTO rate where lower, when one of
them has a specific part so that which is lower depends on the goods' value).

Rates are read from the text as published, with these unit conversions: cents -> USD,
``100 kg`` / ``tonne`` / ``1000kg`` -> per kg, ``hl`` / ``kl`` -> per litre, dozen and
gross -> per item (1/12, 1/144), pair -> per item (one unit of a product is one pair).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.errors import Problem, ShoringInputError

__all__ = [
    "LINE_COLUMNS",
    "load_china_hs6_mfn",
    "load_eu_uk_tariff",
    "load_japan_schedule",
    "load_us_tariff_database",
    "parse_rate",
]

LINE_COLUMNS = ("importer", "code", "ad_valorem", "specific", "currency", "per", "combine", "text")

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_UNITS = {
    # unit as written -> (normalized unit, divisor of the quantity)
    "kg": ("kg", 1.0),
    "100 kg": ("kg", 100.0),
    "100kg": ("kg", 100.0),
    "tonne": ("kg", 1000.0),
    "1000kg": ("kg", 1000.0),
    "1000 kg": ("kg", 1000.0),
    "t": ("kg", 1000.0),
    "mt": ("kg", 1000.0),
    "l": ("l", 1.0),
    "liter": ("l", 1.0),
    "litre": ("l", 1.0),
    "hl": ("l", 100.0),
    "kl": ("l", 1000.0),
    "item": ("item", 1.0),
    "items": ("item", 1.0),
    "each": ("item", 1.0),
    "no.": ("item", 1.0),
    "head": ("item", 1.0),
    "doz.": ("item", 12.0),
    "doz": ("item", 12.0),
    "gross": ("item", 144.0),
    "pr.": ("item", 1.0),
    "pr": ("item", 1.0),
    "m2": ("m2", 1.0),
    "頭": ("item", 1.0),
    "足": ("item", 1.0),
    "本": ("item", 1.0),
    "枚": ("item", 1.0),
    "個": ("item", 1.0),
    "㎡": ("m2", 1.0),
}
_PCT = re.compile(rf"^{_NUM}\s*[%％]$")
_FREE = {"free", "無税", "0", ""}
# "$1.509/kg", "86.5 cents/kg", "41 cents each", "185.20 EUR / 100 kg", "154.00 GBP/100kg",
# "79.00 GBP/1000kg", "2.50 EUR / 1,000 items", "130円/kg"
_SPEC = re.compile(
    rf"^(?P<dollar>\$)?{_NUM}\s*(?P<cur>cents|¢|EUR|GBP|円)?\s*"
    rf"(?:/\s*(?P<qty>{_NUM}\s*)?(?P<unit>[^\s\d].*?)|\s+(?P<each>each))$",
    re.IGNORECASE,
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _specific(term: str) -> tuple[float, str, str] | None:
    """``(amount, currency, per)`` of one specific term, amounts per one normalized unit."""
    m = _SPEC.match(term.strip())
    if m is None:
        return None
    amount = _number(m.group(2))
    cur = (m.group("cur") or "").lower()
    if m.group("dollar"):
        currency = "USD"
    elif cur in ("cents", "¢"):
        currency, amount = "USD", amount / 100.0
    elif cur in ("eur", "gbp"):
        currency = cur.upper()
    elif cur == "円":
        currency = "JPY"
    else:
        return None
    unit = "each" if m.group("each") else m.group("unit").strip().lower()
    qty = m.group("qty")
    if qty:
        unit = f"{qty.strip()} {unit}".replace(",", "")
    if unit not in _UNITS:
        return None
    per, divisor = _UNITS[unit]
    return amount / divisor, currency, per


def parse_rate(text: str) -> dict[str, object] | None:
    """Read one published MFN rate into its parts.

    Parameters
    ----------
    text : str
        The rate as published: ``"2.5%"``, ``"Free"``, ``"4.4¢/kg + 10%"``,
        ``"12.80% + 176.80 EUR / 100 kg"``, ``"10%又は40円/kgのうちいずれか高い税率"``.

    Returns
    -------
    dict or None
        Keys ``ad_valorem`` (fraction), ``specific``, ``currency``, ``per``, ``combine``
        (see the module docstring); ``None`` when the text is not one of the forms read
        (at most one ad valorem and one specific term; seasonal rates, ranges,
        agricultural components, "MIN/MAX" clauses and notes are not read).
    """
    raw = re.sub(r"\s+", " ", str(text)).strip()
    raw = raw.translate(str.maketrans({"（": "(", "）": ")", "＋": "+", "％": "%"}))
    raw = re.sub(r"^\*+|^※", "", raw).strip()
    if raw.startswith("(") and raw.endswith(")") and raw.count("(") == 1:
        raw = raw[1:-1].strip()
    if raw.lower() in _FREE:
        return {"ad_valorem": 0.0, "specific": 0.0, "currency": "", "per": "", "combine": "+"}
    combine = "+"
    m = re.match(r"^(.*)又は(.*)のうちいずれか(高い|低い)税率$", raw)
    if m:
        terms = [m.group(1), m.group(2)]
        combine = "max" if m.group(3) == "高い" else "min"
    else:
        terms = raw.split("+")
    ad, spec = None, None
    for term in terms:
        term = term.strip()
        pct = _PCT.match(term)
        if pct and ad is None:
            ad = _number(pct.group(1)) / 100.0
            continue
        part = _specific(term)
        if part is None or spec is not None:
            return None
        spec = part
    if combine != "+" and (ad is None or spec is None):
        return None
    amount, currency, per = spec if spec is not None else (0.0, "", "")
    return {
        "ad_valorem": 0.0 if ad is None else ad,
        "specific": amount,
        "currency": currency,
        "per": per,
        "combine": combine,
    }


def _lines(importer: str, codes: pd.Series, texts: pd.Series) -> pd.DataFrame:
    parsed = [parse_rate(t) for t in texts]
    rows = []
    for code, text, part in zip(codes, texts, parsed, strict=True):
        if part is None:
            part = {"ad_valorem": np.nan, "specific": 0.0, "currency": "", "per": ""}
            part.update(combine="+", text=str(text).strip())
        else:
            part["text"] = ""
        rows.append({"importer": importer, "code": code, **part})
    return pd.DataFrame(rows, columns=list(LINE_COLUMNS))


def _read(path: str | Path, required: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise ShoringInputError(Problem(str(path), "missing column", field=c) for c in missing)
    return raw


def load_us_tariff_database(path: str | Path) -> pd.DataFrame:
    """US MFN (column 1 general) rates per HTS8 from the USITC annual tariff database.

    Parameters
    ----------
    path : str or pathlib.Path
        ``tariff_database_YYYY.csv`` (USITC DataWeb), columns ``hts8`` and
        ``mfn_text_rate`` at least.

    Returns
    -------
    pandas.DataFrame
        Lines frame (:data:`LINE_COLUMNS`), importer ``USA``, chapters 01-97 (chapter 98
        and 99 provisions are not MFN lines).
    """
    raw = _read(path, ("hts8", "mfn_text_rate"))
    raw = raw[raw["hts8"].str.match(r"^\d{8}$") & (raw["hts8"].str[:2] < "98")]
    raw = raw.drop_duplicates("hts8", keep="first")
    return _lines("USA", raw["hts8"], raw["mfn_text_rate"])


def load_eu_uk_tariff(path: str | Path, importer: str) -> pd.DataFrame:
    """EU CET or UK Global Tariff rates per CN8 from DIT's UK Global Tariff file.

    Parameters
    ----------
    path : str or pathlib.Path
        ``global-uk-tariff.csv`` as published by DIT (2020) with columns ``commodity``,
        ``cet_duty_rate`` and ``ukgt_duty_rate``.
    importer : {"EU", "GBR"}
        ``EU`` reads the EU common external tariff (2020), ``GBR`` the UK Global
        Tariff (from 1 January 2021).

    Returns
    -------
    pandas.DataFrame
        Lines frame. 8-digit commodity codes are the lines; a 10-digit code is kept
        only where no 8-digit code above it is listed (the file's 10-digit rows below an
        8-digit line are TARIC/UK subdivisions for suspensions and trade remedies with
        end-use conditions, which are not the MFN rate).
    """
    column = {"EU": "cet_duty_rate", "GBR": "ukgt_duty_rate"}[importer]
    raw = _read(path, ("commodity", column))
    code = raw["commodity"].str.strip().str.replace(r"\D", "", regex=True)
    eight = set(code[code.str.len() == 8])
    keep = (code.str.len() == 8) | ((code.str.len() == 10) & ~code.str[:8].isin(eight))
    return _lines(importer, code[keep], raw.loc[keep, column])


_QUOTA_MARK = "◎"  # Japan: in-quota / conditional rate, not the general applied rate


def _japan_applied(general: str, wto: str) -> list[str]:
    """Rate texts among which the lowest applies (general or temporary; WTO)."""
    out = [t for t in (general, wto) if t]
    parsed = [parse_rate(t) for t in out]
    if len(out) == 2 and all(p is not None and p["specific"] == 0.0 for p in parsed):
        lower = min(parsed, key=lambda p: float(p["ad_valorem"]))  # type: ignore[arg-type]
        return [out[parsed.index(lower)]]
    return out


def load_japan_schedule(path: str | Path) -> pd.DataFrame:
    """Japan's applied general rates per statistical code (HS6 + 3 digits).

    Parameters
    ----------
    path : str or pathlib.Path
        Japan Customs tariff schedule flattened to CSV (columns ``level``,
        ``stat_code``, ``hs_code``, ``基本``, ``暫定``, ``WTO協定``), rows in schedule
        order.

    Returns
    -------
    pandas.DataFrame
        Lines frame, importer ``JPN``, one row per statistical code, or two where the
        applied rate is the lower of a general/temporary rate and a WTO rate that
        cannot be compared without the goods' value (one of them specific).

    Notes
    -----
    A rate cell left empty inherits from the nearest row above at a lower level (the
    schedule prints a rate once for the rows it covers). The temporary rate (暫定)
    replaces the general rate (基本) where given; the WTO rate applies where it is
    lower (printed in parentheses when it is not). Rates marked ◎ (in-quota or
    conditional rates) are not the general applied rate and are skipped.
    """
    raw = _read(path, ("level", "stat_code", "hs_code", "基本", "暫定", "WTO協定"))
    stack: dict[int, dict[str, str]] = {}
    codes, texts = [], []
    for row in raw.itertuples(index=False):
        level = int(row.level)
        for deeper in [k for k in stack if k >= level]:
            del stack[deeper]
        own = {
            c: str(getattr(row, c)).strip()
            for c in ("基本", "暫定", "WTO協定")
            if str(getattr(row, c)).strip() and _QUOTA_MARK not in str(getattr(row, c))
        }
        stack[level] = own
        suffix = str(row.hs_code).strip()
        if not suffix:
            continue
        inherited: dict[str, str] = {}
        for k in sorted(stack):
            inherited.update(stack[k])
        general = inherited.get("暫定") or inherited.get("基本", "")
        code = str(row.stat_code).replace(".", "") + suffix
        for text in _japan_applied(general, inherited.get("WTO協定", "")):
            codes.append(code)
            texts.append(text)
    out = _lines("JPN", pd.Series(codes, dtype=str), pd.Series(texts, dtype=str))
    return out.drop_duplicates(ignore_index=True)


def load_china_hs6_mfn(path: str | Path, on: str = "2018-01-01") -> pd.DataFrame:
    """China's MFN rate per HS6 from the tradewar-tracker table of China's duties on US goods.

    Parameters
    ----------
    path : str or pathlib.Path
        ``china_tariffs_on_us_hs6_2018_2020.csv`` (columns ``time_of_tariff``, ``hs6``,
        ``tariff`` in percent).
    on : str
        Event date read; the first (2018-01-01) precedes every retaliation action, so the
        rate on US goods is China's MFN rate then.

    Returns
    -------
    pandas.DataFrame
        Lines frame, importer ``CHN``, ad valorem only (the table gives one percentage
        per HS6, an average over China's national lines where they differ).
    """
    raw = _read(path, ("time_of_tariff", "hs6", "tariff"))
    raw = raw[raw["time_of_tariff"] == on]
    hs6 = raw["hs6"].str.zfill(6)
    pct = pd.to_numeric(raw["tariff"], errors="coerce")
    out = pd.DataFrame(
        {
            "importer": "CHN",
            "code": hs6,
            "ad_valorem": (pct / 100.0).round(6),
            "specific": 0.0,
            "currency": "",
            "per": "",
            "combine": "+",
            "text": "",
        }
    )
    out.loc[pct.isna(), "text"] = raw.loc[pct.isna(), "tariff"]
    return out.reset_index(drop=True)
