"""Product-specific rules of origin per agreement and HS code, and each agreement's provisions.

The embedded table ``tables/rules_of_origin.csv.gz`` (card ``rules_of_origin.card.yaml``,
built by ``scripts/build_rules_of_origin.py`` with :mod:`shoring.data.psr_sources`) holds
one row per *alternative* of a rule: a tariff shift (``CC``/``CTH``/``CTSH`` with excepted
HS ranges) and/or a value test (RVC build-down, build-up, net cost; EU-style MaxNOM on
non-originating or on all materials), or wholly obtained. The conditions of one
alternative must all hold; any one alternative is enough.

A product's rule under an agreement is the rule set of the narrowest HS range that
covers its HS6 code (the first in table order on a tie), among rows in force on the date.
Where the table has no rule — an agreement without product rules here, or a product
outside the chapters transcribed — the agreement's **general fallback** applies and is
flagged as such: its cited representative rule (``origin_rule`` in ``agreements.yaml``,
e.g. USMCA 60% RVC, RCEP 40%), else an uncited 50% build-down screen.

Provisions (``tables/origin_provisions.yaml``): the tolerance (de minimis) share of the
good's value that non-originating materials failing the shift may reach (never for HS
50-63), whether it also waives the value test, and the deductions allowed from the value
of non-originating materials (USMCA: freight to the producer, non-recoverable duties).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from shoring.data.agreements import agreement
from shoring.data.paths import TABLES_DIR

Shift = Literal["", "CC", "CTH", "CTSH"]
ValueTest = Literal[
    "", "build_down", "build_up", "net_cost", "max_nom", "max_all", "wholly_obtained"
]

FALLBACK_THRESHOLD = 0.5
"""RVC of the uncited general screen for agreements with no cited rule (an assumption)."""

SHIFT_DIGITS: dict[str, int] = {"": 0, "CC": 2, "CTH": 4, "CTSH": 6}
"""HS digits an input must differ in from the product for each tariff shift."""


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way to meet a rule: all of its conditions must hold.

    Attributes
    ----------
    shift : {"", "CC", "CTH", "CTSH"}
        Change of chapter / heading / subheading every non-originating input must make
        ("" = none required).
    shift_except : tuple of str
        HS prefixes (or ``"a-b"`` prefix ranges) a change may not come from: inputs
        classified there must be originating (e.g. yarn and fabric, yarn forward).
    value_test : str
        ``build_down``: (V - VNM) / V >= threshold; ``build_up``: VOM / V >= threshold;
        ``net_cost``: (NC - VNM) / NC >= threshold; ``max_nom``: VNM <= threshold * V;
        ``max_all``: all materials <= threshold * V; ``wholly_obtained``: no
        non-originating input; ``""``: none.
    threshold : float
        Fraction for the value test (NaN when there is none).
    text : str
        The rule as published (shortened).
    """

    shift: Shift
    shift_except: tuple[str, ...]
    value_test: ValueTest
    threshold: float
    text: str

    def excepted(self, hs6: str) -> bool:
        """Whether an input of HS code ``hs6`` is in :attr:`shift_except`.

        Parameters
        ----------
        hs6 : str
            Six-digit HS code of the input.

        Returns
        -------
        bool
            True when a prefix (or a prefix range ``a-b``) covers the code.
        """
        for item in self.shift_except:
            lo, _, hi = item.partition("-")
            hi = hi or lo
            if lo <= hs6[: len(lo)] <= hi:
                return True
        return False

    def fails_shift(self, product_hs6: str, input_hs6: str) -> bool:
        """Whether a non-originating input of ``input_hs6`` breaks this alternative's shift.

        Parameters
        ----------
        product_hs6, input_hs6 : str
            Six-digit HS codes of the good and of the input.

        Returns
        -------
        bool
            True when the input is excepted, or shares the first 2/4/6 digits the
            shift requires to change (and :attr:`value_test` is ``wholly_obtained``:
            always).
        """
        if self.value_test == "wholly_obtained" or self.excepted(input_hs6):
            return True
        digits = SHIFT_DIGITS[self.shift]
        return digits > 0 and product_hs6[:digits] == input_hs6[:digits]

    def describe(self) -> str:
        """Short label, e.g. ``"CTH except 8538 + RVC 60% build_down"``.

        Returns
        -------
        str
            The conditions in customs shorthand.
        """
        parts = []
        if self.shift:
            parts.append(
                self.shift + (f" except {','.join(self.shift_except)}" if self.shift_except else "")
            )
        elif self.shift_except:
            parts.append(f"originating {','.join(self.shift_except)}")
        if self.value_test == "wholly_obtained":
            parts.append("wholly obtained")
        elif self.value_test:
            parts.append(f"{self.value_test} {self.threshold:.0%}")
        return " + ".join(parts) or "no requirement"


@dataclass(frozen=True, slots=True)
class ProductRule:
    """The rule of origin of one product under one agreement.

    Attributes
    ----------
    agreement : str
        Agreement id.
    hs6 : str
        The product's HS code.
    alternatives : tuple of Alternative
        Any one is enough.
    fallback : bool
        True when no product-specific rule was found and the agreement's general rule
        (or the uncited 50% screen) applies.
    source : str
        Source id (see the data card) or ``"fallback: ..."``.
    rule_set : str
        Id of the rule set in the table.
    """

    agreement: str
    hs6: str
    alternatives: tuple[Alternative, ...]
    fallback: bool
    source: str
    rule_set: str

    def describe(self) -> str:
        """One line: agreement, rule set and alternatives joined by "or".

        Returns
        -------
        str
            E.g. ``"EVFTA 8544 (uk-vietnam-342): CTH or max_all 50%"``.
        """
        label = "fallback" if self.fallback else self.rule_set
        alts = " or ".join(a.describe() for a in self.alternatives)
        return f"{self.agreement} {self.hs6} ({label}): {alts}"


@dataclass(frozen=True, slots=True)
class Provisions:
    """General origin provisions of an agreement (see module doc).

    Attributes
    ----------
    tolerance : float
        De minimis share of the good's value (0 = none).
    tolerance_covers_value_test : bool
        The tolerance also waives the value test (USMCA Uniform Regs s.5(4)).
    deduct_freight, deduct_duties : bool
        Deductions allowed from the value of non-originating materials.
    source : str
        Source id in the card.
    """

    tolerance: float = 0.0
    tolerance_covers_value_test: bool = False
    deduct_freight: bool = False
    deduct_duties: bool = False
    source: str = ""


@cache
def rule_table() -> pd.DataFrame:
    """The embedded rule table (one row per alternative; columns of ``psr_sources.COLUMNS``).

    Returns
    -------
    pandas.DataFrame
        String columns, ``threshold`` float, ``alternative`` int.
    """
    frame = pd.read_csv(
        TABLES_DIR / "rules_of_origin.csv.gz",
        dtype={"hs_from": str, "hs_to": str, "shift": str, "shift_except": str, "start": str},
        keep_default_na=False,
        na_values={"threshold": [""]},
    )
    frame["width"] = frame["hs_to"].astype(int) - frame["hs_from"].astype(int)
    return frame


@cache
def provisions(agreement_id: str) -> Provisions:
    """The general origin provisions of an agreement (defaults: none).

    Parameters
    ----------
    agreement_id : str
        Agreement id.

    Returns
    -------
    Provisions
        Tolerance and deductions; an agreement not in the table gets no tolerance and
        no deductions (the conservative reading).
    """
    raw = yaml.safe_load((TABLES_DIR / "origin_provisions.yaml").read_text(encoding="utf-8"))
    for row in raw["provisions"]:
        if row["agreement"] == agreement_id:
            return Provisions(**{k: v for k, v in row.items() if k != "agreement"})
    return Provisions()


def _fallback(agreement_id: str, hs6: str) -> ProductRule:
    rule = agreement(agreement_id).origin_rule
    if rule is None:
        alt = Alternative("", (), "build_down", FALLBACK_THRESHOLD, "uncited 50% RVC screen")
        return ProductRule(agreement_id, hs6, (alt,), True, "fallback: uncited 50% screen", "")
    test = "net_cost" if rule.value_basis == "net_cost" else rule.method
    if test == "max_nom":  # stored as the equivalent RVC floor
        alt = Alternative("", (), "max_nom", 1.0 - rule.rvc_threshold, rule.note[:160])
    else:
        alt = Alternative("", (), test, rule.rvc_threshold, rule.note[:160])  # type: ignore[arg-type]
    return ProductRule(agreement_id, hs6, (alt,), True, f"fallback: {rule.source.name}", "")


@cache
def _agreement_rows(agreement_id: str) -> tuple:
    """One agreement's rows: arrays (hs_from, hs_to, width, start, end, rule_set) and
    the rows as records."""
    table = rule_table()
    rows = table[table["agreement"] == agreement_id]
    return (
        rows["hs_from"].to_numpy(dtype=str),
        rows["hs_to"].to_numpy(dtype=str),
        rows["width"].to_numpy(),
        rows["start"].to_numpy(dtype=str),
        rows["end"].to_numpy(dtype=str),
        rows["rule_set"].to_numpy(dtype=str),
        rows.to_dict("records"),
    )


def rows_in_force(agreement_id: str, on: dt.date) -> np.ndarray:
    """Which of an agreement's rule rows are in force on a date.

    :func:`product_rule` depends on the date only through this mask: two dates with the
    same mask give every product the same rule.

    Parameters
    ----------
    agreement_id : str
        Agreement id.
    on : datetime.date
        Date.

    Returns
    -------
    ndarray of bool
        One per row of the agreement in the rule table (empty when it has none).
    """
    _lo, _hi, _width, start, end, _rule_set, _records = _agreement_rows(agreement_id)
    day = on.isoformat()
    return ((start == "") | (start <= day)) & ((end == "") | (end >= day))


@cache
def product_rule(agreement_id: str, hs6: str, on: dt.date) -> ProductRule:
    """The rule of origin of a product under an agreement on a date.

    Parameters
    ----------
    agreement_id : str
        Agreement id (e.g. ``"USMCA"``, ``"EVFTA"``).
    hs6 : str
        HS code of the good: six digits, or a national eight- or ten-digit line whose
        first six digits are looked up (the table's ranges are HS6).
    on : datetime.date
        Date (rows with ``start``/``end`` outside it are ignored).

    Returns
    -------
    ProductRule
        The narrowest covering rule set of the table, or the agreement's fallback.

    Raises
    ------
    UnknownAgreementError
        If the agreement is not in the agreements table.
    """
    agreement(agreement_id)  # raises for an unknown id
    hs6 = "".join(c for c in hs6 if c.isdigit())[:6]  # "85443000" is in the range 854430-854430
    lo, hi, width, _start, _end, rule_set, records = _agreement_rows(agreement_id)
    hit = (lo <= hs6) & (hi >= hs6) & rows_in_force(agreement_id, on)
    if not hit.any():
        return _fallback(agreement_id, hs6)
    candidates = np.flatnonzero(hit)
    narrow = candidates[width[candidates] == width[candidates].min()]
    chosen = [records[i] for i in narrow if rule_set[i] == rule_set[narrow[0]]]
    alts = tuple(
        Alternative(
            shift=r["shift"],
            shift_except=tuple(x for x in r["shift_except"].split(";") if x),
            value_test=r["value_test"],
            threshold=float(r["threshold"]),
            text=r["text"],
        )
        for r in chosen
    )
    return ProductRule(
        agreement_id, hs6, alts, False, str(chosen[0]["source"]), str(chosen[0]["rule_set"])
    )


def tolerance_applies(hs6: str) -> bool:
    """Whether the value tolerance (de minimis) can apply to a good (not HS 50-63).

    Parameters
    ----------
    hs6 : str
        Six-digit HS code of the good.

    Returns
    -------
    bool
        False for textiles and apparel (HS chapters 50-63), whose tolerances are by weight.
    """
    return not 50 <= int(hs6[:2]) <= 63
