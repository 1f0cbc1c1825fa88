"""Readers of published product-specific rules of origin (PSR) into one rule layout.

Two source formats are read (the layouts of the files in ``../shared/data/rules_of_origin``,
or a user's own download of the same publications):

- the UK Online Trade Tariff rule sets (``roo_schemes_uk/rule_sets/*.json`` flattened to
  CSV: ``scheme, rule_set_index, heading, min, max, rule_index, rule, class, operator``);
  every rule of a rule set is an alternative (the UK service shows them as "or");
- the curated USMCA table (``hs_from, hs_to, rule_text, tariff_shift, shift_exceptions,
  rvc_threshold_tv, rvc_threshold_nc, alternative_rule, ...``) transcribed from HTSUS
  General Note 11(o) / the CUSMA Rules of Origin Regulations (SOR/2020-155).

Both become rows of :data:`COLUMNS`: one row per alternative of a rule set; the
conditions of one row must all hold (tariff shift AND value test), any one row of a
rule set is enough. Alternatives the model cannot test (specific processes such as
"printing accompanied by two finishing operations", value caps on one named material,
the CPTPP "focused value" method) are dropped and counted, never approximated; a rule
set left with no testable alternative is dropped too, so the agreement's documented
fallback applies (see :mod:`shoring.data.rules_of_origin`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from shoring.errors import ShoringInputError

COLUMNS = (
    "agreement",
    "rule_set",
    "hs_from",
    "hs_to",
    "alternative",
    "shift",
    "shift_except",
    "value_test",
    "threshold",
    "start",
    "end",
    "source",
    "text",
)
"""Columns of a parsed rule table.

``hs_from``/``hs_to``: HS6 range (inclusive); ``shift``: ``CC``, ``CTH``, ``CTSH`` or
``""`` (no change required); ``shift_except``: ``;``-separated HS prefixes (or
``a-b`` prefix ranges) from which the change is not allowed, i.e. inputs classified
there must be originating; ``value_test``: ``build_down`` / ``build_up`` (RVC on the
good's value), ``net_cost`` (RVC on net cost), ``max_nom`` (non-originating materials
at most ``threshold`` of the ex-works price), ``max_all`` (all materials at most
``threshold``), ``wholly_obtained`` or ``""``; ``threshold`` a fraction; ``start``/``end``
ISO dates bounding the row (empty: always).
"""

UK_SCHEMES: dict[str, tuple[str, ...]] = {
    "vietnam": ("GBR-VNM", "EVFTA"),
    "cptpp": ("CPTPP",),
    "eu": ("EU-GBR-TCA",),
    "japan": ("GBR-JPN", "EU-JPN"),
    "south-korea": ("GBR-KOR", "EU-KOR"),
    "mexico": ("EU-MEX",),
    "canada": ("CETA",),
}
"""UK rule set -> agreements it is applied to. The UK continuity agreements carried the
EU agreements' product-specific rules over (UK-Viet Nam from EU-Viet Nam, UK-Japan from
EU-Japan, UK-Korea from EU-Korea, UK-Mexico from EU-Mexico, UK-Canada from CETA), so
each UK set also stands for the EU agreement it mirrors (a documented assumption, see
the data card); the CPTPP set is the CPTPP's own Annex 3-D."""

_WOVEN = "5007;5111-5113;5208-5212;5309-5311;5407-5408;5512-5516;58;59"
_KNITTED = "60"
_YARN_AND_FABRIC = "50;51;52;53;54;55;56;58;59;60"
"""Inputs that must originate under the EU-style double-transformation textile rules:
'weaving accompanied by making-up' (woven fabric of HS 50-55 and 58-59 must be woven in
the territory), 'knitting and making-up' (knitted fabric, HS 60) and 'spinning ...
accompanied by knitting' (yarn and fabric)."""

USMCA_YARN_FORWARD = "5106-5113;5204-5212;5307-5308;5310-5311;54;5508-5516;5801-5802;6001-6006"
"""Yarn and fabric headings excepted from the chapter-change rules of HS 61-62 under
USMCA Annex 4-B (the NAFTA Annex 401 list, knitted-fabric headings as renumbered in
HS2002): a garment is originating only if these inputs are."""

_PCT = re.compile(r"\*\*(\d+(?:\.\d+)?)\s*%\*\*")
_LINK = re.compile(r"\]\([^)]*\)")


def _clean(text: str) -> str:
    text = _LINK.sub("", str(text)).replace("&nbsp;", " ").replace("[", "")
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _exceptions(text: str) -> str:
    """HS prefixes (and ranges) named after 'except' in a tariff-shift rule.

    Codes are cut to HS6 (an eight-digit tariff item stands for its subheading).
    """
    at = text.lower().find("except")
    if at < 0:
        return ""
    clause = re.split(r"provided|and in which|;|\.(?:\s|$)", text[at:])[0]
    out: list[str] = []
    code = r"\d{6}|\d{4}(?:\.\d{2}){1,2}|\d{1,4}"
    kinds = r"(chapter|heading|subheading|items?)?"
    pattern = rf"{kinds}\s*({code})(?:\s+(?:through|to)\s+(?:heading\s+|subheading\s+)?({code}))?"
    for kind, first, last in re.findall(pattern, clause, flags=re.I):
        a = first.replace(".", "")[:6]
        if kind.lower() == "chapter" or len(a) <= 2:
            a = a.zfill(2)
        if len(a) % 2:
            continue
        if last:
            b = last.replace(".", "")[:6]
            out.append(f"{a}-{b}" if len(b) == len(a) else a)
        else:
            out.append(a)
    return ";".join(dict.fromkeys(out))


def _shift_of(klass: str, text: str) -> str | None:
    """CC / CTH / CTSH / '' (no change), or None when the text names no shift."""
    tokens = set(re.split(r"[;\s]+", klass))
    low = text.lower()
    if "no change in tariff classification" in low:
        return ""
    if "CTSH" in tokens or "any subheading" in low or "from any other subheading" in low:
        return "CTSH"
    if "CTH" in tokens or "any heading" in low or "from any other heading" in low:
        return "CTH"
    if "CC" in tokens or "any chapter" in low or "from any other chapter" in low:
        return "CC"
    return None


def _value_test(text: str) -> tuple[str, float] | bool | None:
    """(test, threshold), None when there is no value test, False when untestable."""
    low = text.lower()
    pct = _PCT.findall(text)
    if "focused value" in low:
        return False
    methods = ("regional value content", "(rvc)", "build-up", "build-down", "net cost method")
    if any(m in low for m in methods):
        if len(pct) != 1:
            return False
        share = float(pct[0]) / 100.0
        if "build-up" in low:
            return ("build_up", share)
        if "net cost" in low:
            return ("net_cost", share)
        return ("build_down", share)  # build-down, transaction value, FOB
    if pct:
        if len(pct) != 1:
            return False
        share = float(pct[0]) / 100.0
        if "value of all the materials used" in low:
            return ("max_all", share)
        if "non-originating" in low and ("ex-works" in low or "exw" in low):
            if "same heading" in low or "classified in" in low:
                return False  # a cap on some materials only
            return ("max_nom", share)
        return False
    return None


def _textile(text: str, chapter: int) -> str | None:
    """Exceptions of an EU-style double-transformation rule for HS 61-63, else None."""
    if not 61 <= chapter <= 63:
        return None
    low = text.lower()
    if _PCT.search(text):
        return None
    if low.startswith("spinning"):
        return _YARN_AND_FABRIC
    if low.startswith("weaving accompanied by making"):
        return _WOVEN
    if low.startswith("knitting and making-up") or low.startswith("knitting and making up"):
        return _KNITTED
    return None


def _uk_row(klass: str, raw: str, chapter: int, previous_shift: str | None) -> dict | None:
    """One alternative of a UK rule set, or None when the model cannot test it."""
    text = _clean(raw)
    low = text.lower()
    if "WO" in klass.split(";") or "wholly obtained" in low:
        if _PCT.search(text) or "except" in low or klass not in ("WO", ""):
            return None  # partial wholly-obtained requirements
        return {"shift": "", "shift_except": "", "value_test": "wholly_obtained", "threshold": 1.0}
    textile = _textile(text, chapter)
    if textile is not None:
        return {"shift": "CC", "shift_except": textile, "value_test": "", "threshold": float("nan")}
    if any(t in klass for t in ("PROCESSING", "PRODUCTION FROM", "Insufficient", "ORIGINATING")):
        return None
    value = _value_test(text)
    if value is False:
        return None
    shift = _shift_of(klass, text)
    if shift is None and text.startswith("-") and value is not None:
        shift = previous_shift  # a continued list: "- b) 45% under the build-down method"
    if shift is None and value is None:
        return None
    return {
        "shift": shift or "",
        "shift_except": _exceptions(text) if shift else "",
        "value_test": value[0] if value else "",
        "threshold": value[1] if value else float("nan"),
    }


def _require(frame: pd.DataFrame, path: Path, needed: Iterable[str]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ShoringInputError(f"{path}: missing column(s) {', '.join(missing)}")


def read_uk_rule_sets(path: Path) -> tuple[pd.DataFrame, int]:
    """Parse the UK Online Trade Tariff rule sets (flattened CSV).

    Parameters
    ----------
    path : pathlib.Path
        ``uk_psr_rule_sets_selected_agreements.csv`` or a file of the same layout.

    Returns
    -------
    (pandas.DataFrame, int)
        Rows of :data:`COLUMNS` (agreements per :data:`UK_SCHEMES`), and the number of
        alternatives dropped as untestable.

    Raises
    ------
    ShoringInputError
        A required column is missing or a range bound is not a 10-digit code.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(raw, path, ("scheme", "rule_set_index", "min", "max", "rule", "class", "chapter"))
    rows: list[dict] = []
    dropped = 0
    for (scheme, set_id), group in raw.groupby(["scheme", "rule_set_index"], sort=False):
        if scheme not in UK_SCHEMES:
            continue
        first = group.iloc[0]
        lo, hi = str(first["min"]), str(first["max"])
        if not (lo.isdigit() and hi.isdigit() and len(lo) == len(hi) == 10):
            line = int(group.index[0]) + 2
            raise ShoringInputError(f"{path}: row {line}: min/max must be 10-digit codes")
        chapter = int(lo[:2])
        alternatives: list[dict] = []
        previous: str | None = None
        for _, rule in group.iterrows():
            parsed = _uk_row(rule["class"], rule["rule"], chapter, previous)
            if parsed is None:
                dropped += 1
                continue
            previous = parsed["shift"]
            alternatives.append({**parsed, "text": _clean(rule["rule"])[:160]})
        for agreement in UK_SCHEMES[scheme]:
            for k, alt in enumerate(alternatives):
                rows.append(
                    {
                        "agreement": agreement,
                        "rule_set": f"uk-{scheme}-{set_id}",
                        "hs_from": lo[:6],
                        "hs_to": hi[:6],
                        "alternative": k,
                        "start": "",
                        "end": "",
                        "source": f"uk-psr-{scheme}",
                        **alt,
                    }
                )
    return pd.DataFrame(rows, columns=list(COLUMNS)), dropped


def _hs6(code: str, upper: bool) -> str:
    digits = re.sub(r"\D", "", str(code))[:6]
    return digits.ljust(6, "9" if upper else "0")


def _phases(notes: str, current: float | None) -> list[tuple[float, str, str]]:
    """Phased net-cost thresholds written in a row's notes, as (fraction, start, end).

    Reads "66% from 2020-07-01, 69% from 2021-07-01, ..." and "60% 2020-07-01..2024-06-30"
    and keeps the phases up to the first one equal to ``current`` plus any later ones
    of the same list; empty when the notes give no dates.
    """
    if current is None:
        return []
    found = [
        (float(v), a, b)
        for v, a, b in re.findall(r"(\d+(?:\.\d+)?)% (\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)", notes)
    ]
    opened = [
        (float(v), a) for v, a in re.findall(r"(\d+(?:\.\d+)?)% from (\d{4}-\d\d-\d\d)", notes)
    ]
    if not found and not opened:
        return []
    if opened and not found:
        values = [v for v, _ in opened]
        if current in values:
            stop = values.index(current) + 1
            opened = opened[:stop]
            lows = [v for v, _ in opened]
            if lows != sorted(lows):
                return []
    spans = found + [(v, a, "") for v, a in opened]
    spans.sort(key=lambda x: x[1])
    out = []
    for j, (v, a, b) in enumerate(spans):
        if not b and j + 1 < len(spans):
            nxt = dt.date.fromisoformat(spans[j + 1][1]) - dt.timedelta(days=1)
            b = nxt.isoformat()
        out.append((v / 100.0, a, b))
    return out


def read_usmca_psr(path: Path) -> pd.DataFrame:
    """Parse the curated USMCA product-specific rules (HTSUS General Note 11 / SOR/2020-155).

    A row with a tariff shift and no RVC is one alternative; a row whose rule needs the
    shift *and* an RVC gives one alternative per RVC method (transaction value, net
    cost); where the RVC route is an alternative to the shift ("(A) ... or (B) ...
    provided there is a regional value content"), the shift without exceptions plus the
    RVC is added. Rules for one eight-digit tariff item are skipped (products carry HS6
    codes, so the subheading's general rule applies); a change of tariff item (CTI)
    required by a subheading rule is tested at HS6 as a change of subheading, which is
    stricter. The EV-battery carve-out
    row carries no rule and is skipped.

    Parameters
    ----------
    path : pathlib.Path
        ``usmca_psr_selected_chapters.csv`` or a file of the same layout.

    Returns
    -------
    pandas.DataFrame
        Rows of :data:`COLUMNS`, agreement ``USMCA``.

    Raises
    ------
    ShoringInputError
        A required column is missing.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = ("hs_from", "hs_to", "tariff_shift", "shift_exceptions", "rvc_threshold_tv")
    _require(raw, path, (*needed, "rvc_threshold_nc", "alternative_rule", "rule_text"))
    rows: list[dict] = []
    for i, r in raw.iterrows():
        shift = {"CTI": "CTSH", "none": ""}.get(r["tariff_shift"], r["tariff_shift"])
        tv, nc = r["rvc_threshold_tv"], r["rvc_threshold_nc"]
        if not shift and not tv and not nc:
            continue  # treatment note only (8507.60 carve-out)
        if len(re.sub(r"\D", "", r["hs_from"])) > 6:
            continue  # a rule for one national tariff item; HS6 products use the general one
        excepted = _exceptions("except " + r["shift_exceptions"]) if r["shift_exceptions"] else ""
        rvc = [("build_down", float(tv) / 100)] if tv else []
        rvc += [("net_cost", float(nc) / 100)] if nc else []
        text = _clean(r["rule_text"])
        # alternative branches: "(A) A change ... or (B) ...", "(a) a change ...; or (b) no
        # required change ..." (not "(a) 60% ...; or (b) 50% ...", two RVC methods)
        either = re.search(r"\(b\) (?:a change|no required change)", text, flags=re.I) is not None
        alts: list[tuple[str, str, str, float]] = []
        if shift and (either or not rvc):
            alts.append((shift, excepted, "", float("nan")))
        if rvc and (either or not shift):
            alts += [(shift, "", t, v) for t, v in rvc]
        elif rvc:  # shift AND RVC both required
            alts += [(shift, excepted, t, v) for t, v in rvc]
        phases = _phases(r.get("notes", ""), float(nc) if nc else None)
        for k, (s, e, t, v) in enumerate(alts):
            spans = phases if (t == "net_cost" and phases) else [(v, "", "")]
            for value, start, end in spans:
                rows.append(
                    {
                        "agreement": "USMCA",
                        "rule_set": f"usmca-{i}",
                        "hs_from": _hs6(r["hs_from"], upper=False),
                        "hs_to": _hs6(r["hs_to"], upper=True),
                        "alternative": k,
                        "shift": s,
                        "shift_except": e,
                        "value_test": t,
                        "threshold": value,
                        "start": start,
                        "end": end,
                        "source": "usmca-gn11",
                        "text": text[:160],
                    }
                )
    return pd.DataFrame(rows, columns=list(COLUMNS))
