"""Rules of origin explained for one lane, in words a trade-compliance reader checks.

:func:`explain_origin` gathers what decides a lane's preference (the agreement, the
product's rule and its alternatives, the provisions, the product's inputs and which of
them the firm makes itself); :func:`origin_lines` turns that, with the engine's verdict
and margin (``origin_rule_met``, ``origin_margin`` of the landed-cost dataset), into
sentences: which agreement, which rule ("change of tariff heading except from 8544",
"regional value content at least 60% of net cost"), the product's value and how far it
is from the threshold, met or not, and what the importer then charges.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

VALUE_TESTS: dict[str, str] = {
    "build_down": "regional value content at least {t} of the good's value, build-down "
    "method ((value - non-originating materials) / value)",
    "build_up": "regional value content at least {t} of the good's value, build-up method "
    "(originating materials / value)",
    "net_cost": "regional value content at least {t} of net cost ((net cost - "
    "non-originating materials) / net cost)",
    "max_nom": "non-originating materials at most {t} of the ex-works price (MaxNOM)",
    "max_all": "all materials at most {t} of the ex-works price",
    "wholly_obtained": "wholly obtained in the territory (no non-originating input at all)",
}
"""Plain wording of each value test of :mod:`shoring.data.rules_of_origin`."""

SHIFTS: dict[str, tuple[str, int]] = {
    "CC": ("change of tariff chapter (CC): every non-originating input from another chapter "
           "than {code}", 2),
    "CTH": ("change of tariff heading (CTH): every non-originating input from another "
            "heading than {code}", 4),
    "CTSH": ("change of tariff subheading (CTSH): every non-originating input from another "
             "subheading than {code}", 6),
}  # fmt: skip
"""Plain wording of each tariff shift and the HS digits it compares."""


def hs_label(code: str) -> str:
    """An HS prefix as customs writes it: ``"85"`` chapter 85, ``"8544"``, ``"8544.42"``.

    Parameters
    ----------
    code : str
        2 to 10 digits, or a range ``"5001-5212"`` of such prefixes.

    Returns
    -------
    str
        ``"chapter 85"``, ``"8544"``, ``"8544.42"``, ``"8544.42.90"``; ranges joined by "-".
    """
    if "-" in code:
        lo, hi = code.split("-", 1)
        return f"{hs_label(lo)}-{hs_label(hi).removeprefix('chapter ')}"
    if len(code) <= 2:
        return f"chapter {code}"
    if len(code) <= 4:
        return code
    return ".".join([code[:4], code[4:6], *([code[6:]] if len(code) > 6 else [])])


def plain_alternative(alt: Any, hs6: str) -> str:
    """One alternative of a rule in words (all of its conditions must hold).

    Parameters
    ----------
    alt : shoring.data.rules_of_origin.Alternative
        The alternative.
    hs6 : str
        The product's HS code (the heading a tariff shift compares with).

    Returns
    -------
    str
        E.g. ``"change of tariff heading (CTH): every non-originating input from another
        heading than 8544, except from 8544.42 (such inputs must be originating)"``.
    """
    parts = []
    excepted = ", ".join(hs_label(e) for e in alt.shift_except)
    if alt.shift:
        text, digits = SHIFTS[alt.shift]
        part = text.format(code=hs_label(hs6[:digits]))
        if excepted:
            part += f", and none from {excepted} (such inputs must be originating)"
        parts.append(part)
    elif excepted:
        parts.append(f"inputs of {excepted} must be originating")
    if alt.value_test:
        t = "" if math.isnan(alt.threshold) else f"{alt.threshold:.0%}"
        parts.append(VALUE_TESTS[alt.value_test].format(t=t))
    return " and ".join(parts) or "no requirement"


def explain_origin(
    network: object, product: str, site: str, market: str, year: int
) -> dict[str, Any]:
    """The rule of origin that decides a lane's preference, and what it asks of the inputs.

    Parameters
    ----------
    network : Network
        The firm's network.
    product, site, market : str
        Ids of the lane.
    year : int
        Year (the rule in force on 1 July).

    Returns
    -------
    dict
        ``exporter``, ``importer``, ``hs``, ``value_usd`` (declared unit value),
        ``domestic`` (True when exporter and importer are one country: then nothing
        else), ``agreement`` (None: no preference) and ``agreement_name``, ``rule`` (customs
        shorthand), ``fallback``, ``source``, ``automotive`` (USMCA: what the
        automotive tables of the Appendix to Annex 4-B say of the part, else None, see
        :mod:`shoring.data.usmca_automotive`), ``tolerance`` (share of value),
        ``deductions``, ``alternatives`` (per alternative its shorthand ``rule``, its
        wording ``plain``, the published ``text``, the single value test and threshold,
        and the BOM inputs that must be originating: those failing its tariff shift) and
        ``inputs`` (per BOM input: HS code, own-made or bought, the firm's sites in the
        agreement's territory that make it, its suppliers and those whose goods are
        originating under the agreement, see
        :func:`shoring.costs.origin.supplier_originating`). The engine's verdict and
        margin for the lane are ``origin_rule_met`` / ``origin_margin`` of the
        landed-cost dataset.
    """
    from shoring.costs.origin import supplier_originating
    from shoring.data.agreements import agreement, agreement_matrix, members
    from shoring.data.rules_of_origin import product_rule, provisions, tolerance_applies
    from shoring.data.usmca_automotive import automotive_part
    from shoring.network import Network

    assert isinstance(network, Network)
    on = dt.date(year, 7, 1)
    products = network.products
    exporter = str(network.sites.loc[site, "country"])
    importer = str(network.markets.loc[market, "country"])
    hs = str(products.loc[product, "hs_code"])
    out: dict[str, Any] = {
        "exporter": exporter,
        "importer": importer,
        "hs": hs,
        "value_usd": float(products.loc[product, "unit_value_usd"]),
        "agreement": None,
    }
    if exporter == importer:  # no customs border: no duty, no rule of origin to meet
        return {**out, "rule": "domestic: no customs border", "domestic": True}
    agreement_id = str(agreement_matrix([exporter, importer], on).to_numpy()[0, 1])
    if not agreement_id:
        return {**out, "rule": "no agreement: MFN and the measures in force apply"}
    deal = agreement(agreement_id)
    out.update(agreement=agreement_id, agreement_name=deal.name)
    if deal.free_circulation:
        return {**out, "rule": "free circulation: no rule of origin", "free_circulation": True}
    rule = product_rule(agreement_id, hs, on)
    bom = network.bom[network.bom["parent"] == product]
    parties = members(agreement_id, on)
    inputs = []
    suppliers = network.suppliers
    for component in bom["component"].astype(str):
        makers = [
            str(s)
            for s, row in network.sites.iterrows()
            if component in row["products"] and str(row["country"]) in parties
        ]
        offers = suppliers[suppliers["component"] == component]
        certified = supplier_originating(
            tuple(offers["originating"]), tuple(offers["country"]), agreement_id, on
        )
        inputs.append(
            {
                "component": component,
                "hs": str(products.loc[component, "hs_code"]),
                "own_made": any(component in p for p in network.sites["products"]),
                "own_sites_in_territory": makers,
                "originating_suppliers": [str(s) for s in offers.index[certified]],
                "suppliers": [str(s) for s in offers.index],
            }
        )
    prov = provisions(agreement_id)
    deductions = [
        n for n, on_ in (("freight", prov.deduct_freight), ("duties", prov.deduct_duties)) if on_
    ]
    alternatives = [
        {
            "rule": alt.describe(),
            "plain": plain_alternative(alt, hs),
            "text": alt.text,
            "value_test": alt.value_test,
            "threshold": None if math.isnan(alt.threshold) else float(alt.threshold),
            "shift": alt.shift,
            "inputs_that_must_originate": [
                i["component"] for i in inputs if alt.fails_shift(hs, i["hs"])
            ],
        }
        for alt in rule.alternatives
    ]
    part = automotive_part(hs[:6], on) if agreement_id == "USMCA" else None
    return {
        **out,
        "rule": rule.describe(),
        "fallback": rule.fallback,
        "automotive": part.describe() if part else None,
        "source": rule.source,
        "tolerance": prov.tolerance if tolerance_applies(hs) else 0.0,
        "deductions": deductions,
        "alternatives": alternatives,
        "inputs": inputs,
    }


def _standing(alternatives: list[dict[str, Any]], margin: float | None, tolerance: float) -> str:
    """How far the product is from the rule: the value achieved against the threshold when
    the rule is one value test (the margin is then that test's), else the margin."""
    if margin is None or not math.isfinite(margin):
        return "no margin computed (no qualifying input mix exists)"
    alt = alternatives[0] if len(alternatives) == 1 else None
    if alt and alt["shift"] and not alt["value_test"]:
        if margin >= 1.0:  # the engine's "nothing to test": no non-originating input fails
            return "no non-originating input fails the tariff change"
        return (
            f"non-originating inputs failing the tariff change are {tolerance - margin:.1%} "
            f"of value against a tolerance of {tolerance:.0%} ({margin * 100:+.1f} points)"
        )
    if alt and not alt["shift"]:
        test, t = alt["value_test"], alt["threshold"]
        if test in ("build_down", "build_up", "net_cost") and t is not None:
            base = "net cost" if test == "net_cost" else "value"
            return (
                f"regional value content {t + margin:.1%} of {base} against {t:.0%} "
                f"required ({margin * 100:+.1f} points)"
            )
        if test in ("max_nom", "max_all") and t is not None:
            what = "non-originating materials" if test == "max_nom" else "all materials"
            return (
                f"{what} {t - margin:.1%} of the ex-works price against at most {t:.0%} "
                f"({margin * 100:+.1f} points)"
            )
    return (
        f"margin {margin * 100:+.1f} points of value (best alternative: the smaller of its "
        "tariff-shift and value-test margins; below 0 is not met)"
    )


MAKING = ("materials", "labour", "overhead", "production")
"""Landed-cost components of making a product at a site: its cost build-up, which the
lane explanation sets against the declared (transaction) value."""


def _value_lines(origin: dict[str, Any]) -> list[str]:
    """What the declared value is, against the lane's cost build-up when it is given."""
    value = origin["value_usd"]
    line = (
        f"  value: the declared value {value:,.2f} USD/unit is the product's unit value "
        "(products.unit_value_usd), taken as the transaction value: the price the buyer "
        "pays for the good, before international freight (WTO Customs Valuation Agreement, "
        "Art. 1). It is the value V of the origin test and the base of the customs value "
        "(FOB, or CIF where the importer values CIF)"
    )
    cost = origin.get("cost_build_up")
    if not cost:
        return [line + "."]
    made = sum(cost.values())
    parts = " + ".join(f"{name} {x:,.2f}" for name, x in cost.items() if x)
    side = "above" if made > value else "at or below"
    return [
        f"{line}, not the cost to make it: on this lane {parts} = {made:,.2f} USD/unit, "
        f"{side} the price. Customs accepts a transaction value between unrelated parties "
        "whatever the seller's cost (a price below full cost is a loss on each unit, not "
        "a wrong value); only a related-party price must show the relationship did not "
        "influence it (Art. 1.2(a)), and a cost build-up is the basis only when no "
        "transaction value can be used (computed value, Art. 6)."
    ]


def origin_lines(
    origin: dict[str, Any],
    met: bool,
    margin: float | None,
    duty: float,
    mfn: float | None,
    qualifying: bool,
) -> list[str]:
    """Sentences explaining a lane's origin and what the importer charges as a result.

    Parameters
    ----------
    origin : dict
        :func:`explain_origin`'s result.
    met : bool
        The engine's verdict (``origin_rule_met``).
    margin : float or None
        The engine's margin (``origin_margin``: share of value, or of net cost).
    duty : float
        The lane's day-weighted duty rate (fraction of customs value).
    mfn : float or None
        The importer's MFN rate for the product (fraction; None: no cited figure, which
        the engine takes as 0).
    qualifying : bool
        Whether the engine bought a dearer input mix to qualify
        (``origin_qualifying_mix``).

    Returns
    -------
    list of str
        The first line names the agreement (or its absence) and the verdict; the next
        the rule; then the inputs and what happens to the duty.
    """
    route = f"{origin['exporter']} -> {origin['importer']}"
    base = "MFN (no cited figure: 0)" if mfn is None else f"MFN {mfn:.2%}"
    charged = f"{base} and the measures in force apply: duty {duty:.2%} (day-weighted)"
    if origin.get("domestic"):
        return [
            f"origin: {route} is a domestic lane: no customs border, so no duty and no rule "
            f"of origin apply; duty {duty:.2%}."
        ]
    if origin["agreement"] is None:
        return [
            f"origin: no trade agreement covers {route}: there is no preference to claim "
            f"and no rule of origin to meet; {charged}."
        ]
    deal = f"{origin['agreement']} ({origin['agreement_name']})"
    if origin.get("free_circulation"):
        return [
            f"origin: {route} is inside {deal}, whose goods circulate freely: no rule of "
            f"origin and no customs duty; duty {duty:.2%} (day-weighted)."
        ]
    hs = hs_label(origin["hs"])
    verdict = "MET" if met else "NOT MET"
    lines = [
        f"origin: {deal} preference for {route}, HS {hs} (declared value "
        f"{origin['value_usd']:,.2f} USD/unit): rule {verdict}; "
        f"{_standing(origin['alternatives'], margin, origin['tolerance'])}."
    ]
    alts = origin["alternatives"]
    said = " OR ".join(
        a["plain"] if len(alts) == 1 else f"({i + 1}) {a['plain']}" for i, a in enumerate(alts)
    )
    if origin["fallback"]:
        source = origin["source"].removeprefix("fallback: ")
        lines.append(
            f"  rule applied: {said}: the agreement's general rule ({source}). No "
            "product-specific rule is transcribed for this line, so the engine applies the "
            "general rule in its place."
        )
    else:
        lines.append(f"  rule applied: {said}: the product-specific rule ({origin['source']}).")
    if origin.get("automotive"):
        instead = (
            " (that rule is not transcribed: the general rule above stands in for it)"
            if origin["fallback"] and "held to its product-specific rule" in origin["automotive"]
            else ""
        )
        lines.append(f"  automotive: {origin['automotive']}{instead}.")
    lines.extend(_value_lines(origin))
    extras = []
    if origin["tolerance"]:
        extras.append(f"tolerance (de minimis) {origin['tolerance']:.0%} of value")
    if origin["deductions"]:
        extras.append(f"deductible from non-originating value: {', '.join(origin['deductions'])}")
    if extras:
        lines.append(f"  provisions: {'; '.join(extras)}.")
    for item in origin["inputs"]:
        if item["own_made"]:
            sites = ", ".join(item["own_sites_in_territory"])
            how = (
                f"own-made; originating when made at {sites} (in the territory) and meeting "
                "its own rule"
                if sites
                else "own-made, but at no site in the territory: non-originating"
            )
        elif item["suppliers"]:
            good = ", ".join(item["originating_suppliers"]) or "none of its suppliers"
            how = f"bought; originating from {good} (in a party, origin certified or presumed)"
        else:
            how = "no supplier or site makes it: not costed"
        must = [
            i for i, a in enumerate(alts) if item["component"] in a["inputs_that_must_originate"]
        ]
        need = ""
        if must:
            which = (
                "" if len(alts) == 1 else f" (alternative {', '.join(str(i + 1) for i in must)})"
            )
            need = f"; the rule accepts it only as originating{which}"
        lines.append(f"  input {item['component']} (HS {hs_label(item['hs'])}): {how}{need}.")
    if met:
        how = (
            ", by buying the qualifying (dearer) input mix, which costs less than the duty it saves"
            if qualifying
            else ""
        )
        lines.append(
            f"  then: the {origin['agreement']} preference applies{how}; measures that exempt "
            f"{origin['agreement']}-originating goods are skipped: duty {duty:.2%} "
            "(day-weighted)."
        )
    else:
        lines.append(f"  then: no preference; {charged}.")
    return lines
