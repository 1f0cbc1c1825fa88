"""USMCA automotive parts: core, principal and complementary parts and their RVC thresholds.

The Appendix to Annex 4-B of the USMCA (carried by the trilateral Uniform Regulations,
Part 6 of Canada's SOR/2020-155) lists the parts for passenger vehicles and light trucks
in Table A.1 (core parts), Table B (principal parts) and Table C (complementary parts).
For a part *for use as original equipment* in a passenger vehicle or light truck, the
regional value content its product-specific rule asks is replaced by the table's
threshold on the date (s.14(13), (15), (17)): core parts 75% net cost or 85% transaction
value, principal parts 70% / 80%, complementary parts 65% / 75% from 1 July 2023 (lower
before, phased in from 1 July 2020); the part still meets its rule by the tariff-shift
alternative of Schedule 1 where it has one (s.14(14), (16)). Aftermarket parts keep the
product-specific rule (s.14(18)). Lithium-ion batteries of 8507.60 that propel an
electric passenger vehicle or light truck are listed in Table A.1 but carved out of the
core-part requirement: only their Schedule 1 rule applies (s.14(2), (3), (6)).

The network model does not say whether a part is original equipment for a vehicle plant,
so the engine does not apply these thresholds; :func:`automotive_part` reports them, and
the lane explanation (:mod:`shoring.costs.origin_explain`) prints them beside the rule
the engine applied. Tables ``usmca_auto_parts.csv`` and ``usmca_auto_thresholds.csv``
(cards of the same names), built by ``scripts/build_usmca_auto_parts.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import pandas as pd

from shoring.data.paths import TABLES_DIR

TABLE_NAMES: dict[str, str] = {
    "A.1": "core part",
    "B": "principal part",
    "C": "complementary part",
}
"""Tables of the Appendix to Annex 4-B (passenger vehicles and light trucks)."""

EV_BATTERY = "850760"
"""Lithium-ion propulsion batteries: in Table A.1 but outside the core-part RVC."""

SOURCE = "CUSMA Rules of Origin Regulations (SOR/2020-155), Part 6, s.14 and Tables A.1, B, C"


@dataclass(frozen=True, slots=True)
class AutomotivePart:
    """A subheading listed in Table A.1, B or C, with the thresholds in force on a date.

    Attributes
    ----------
    table : {"A.1", "B", "C"}
        The table listing it.
    hs6 : str
        HS2012 subheading of the entry.
    ex : bool
        The entry covers only part of the subheading ("ex 8708.29 Body stampings").
    description : str
        The table's description, as published.
    net_cost, transaction_value : float
        RVC thresholds (fractions) for original equipment on the date; NaN for the
        carved-out EV battery or before 1 July 2020.
    provision : str
        Subsection of s.14 setting the thresholds (or the carve-out).
    """

    table: str
    hs6: str
    ex: bool
    description: str
    net_cost: float
    transaction_value: float
    provision: str

    def describe(self) -> str:
        """One sentence for a lane explanation.

        Returns
        -------
        str
            What the table says of the part and the thresholds on the date.
        """
        what = (
            f"USMCA automotive {TABLE_NAMES[self.table]} (Table {self.table}"
            f"{', part of the subheading' if self.ex else ''}: {self.description})"
        )
        if self.hs6 == EV_BATTERY:
            return (
                f"{what}: an EV propulsion battery is carved out of the core-part RVC "
                f"(s.{self.provision}), so no automotive threshold applies: it is held to "
                "its product-specific rule of Annex 4-B alone"
            )
        if self.net_cost != self.net_cost:  # NaN: before the Appendix applied
            return f"{what}: no automotive threshold in force on the date"
        return (
            f"{what}: for use as original equipment in a passenger vehicle or light truck "
            f"its RVC alternative requires {self.net_cost:.1%} under the net cost method or "
            f"{self.transaction_value:.1%} under the transaction value method where its "
            f"rule offers that method (s.{self.provision}; not applied by the engine: the "
            "network does not say whether the part is original equipment)"
        ).replace(".0%", "%")


@cache
def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    parts = pd.read_csv(TABLES_DIR / "usmca_auto_parts.csv", dtype={"hs6": str})
    phases = pd.read_csv(TABLES_DIR / "usmca_auto_thresholds.csv", dtype=str, keep_default_na=False)
    return parts, phases


def automotive_part(hs6: str, on: dt.date) -> AutomotivePart | None:
    """The Table A.1/B/C entry of a subheading and its thresholds on a date.

    Parameters
    ----------
    hs6 : str
        Six-digit HS code (the tables are in HS2012 terms; a code renumbered since is not
        found).
    on : datetime.date
        Date of the thresholds.

    Returns
    -------
    AutomotivePart or None
        None when the subheading is in none of the three tables. A subheading listed
        twice (``ex`` entries of 8708.29 and 8708.99 in two tables) returns the first
        table's entry, the stricter one.
    """
    parts, phases = _tables()
    rows = parts[parts["hs6"] == hs6]
    if rows.empty:
        return None
    row = rows.iloc[0]
    day = on.isoformat()
    if hs6 == EV_BATTERY:
        nc = tv = float("nan")
        provision = "14(2), (3), (6)"
    else:
        live = phases[
            (phases["table"] == row["table"])
            & (phases["start"] <= day)
            & ((phases["end"] == "") | (phases["end"] >= day))
        ]
        nc = float(live["net_cost"].iloc[0]) if len(live) else float("nan")
        tv = float(live["transaction_value"].iloc[0]) if len(live) else float("nan")
        provision = str(phases.loc[phases["table"] == row["table"], "provision"].iloc[0])
    return AutomotivePart(
        table=str(row["table"]),
        hs6=hs6,
        ex=bool(row["ex"]),
        description=str(row["description"]),
        net_cost=nc,
        transaction_value=tv,
        provision=provision,
    )
