"""The report's "Network design" section: optimized footprints, the robust plan, the
cost-vs-risk frontier and near-optimal alternatives.

Everything here reads finished optimizer results (a :class:`DesignStudy`); no model is
built or solved in the report package: :meth:`shoring.study.Study.design_study` solves
the models and hands the results over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from shoring.optimize.design.study import REGRET_TOL, DesignStudy
from shoring.report.charts import chart_text
from shoring.report.layout import esc, figure, money, table

__all__ = ["DesignStudy", "design_findings", "design_section", "design_tables", "frontier_chart"]

DESIGN_SECTION = ("design", "Network design")
"""(anchor, heading) of the section, shown only when design results are given."""

_ACTION_ORDER = {"keep": 0, "close": 1, "open": 2, "expand": 3}


# ---------------------------------------------------------------------- words


def _zero(value: float, tol: float) -> float:
    """``value``, or 0.0 when it rounds to zero at ``tol`` (no "-0.0" in print)."""
    return 0.0 if abs(value) < tol else float(value)


def _pct(value: float, signed: bool = True) -> str:
    """A share as a percentage with two decimals (``+1.25%``); "" when undefined."""
    if not np.isfinite(value):
        return ""
    return f"{_zero(value, 5e-5):{'+' if signed else ''}.2%}"


def _cvar_name(alpha: float) -> str:
    return f"CVaR{alpha * 100:g}"


def footprint_words(actions: Sequence[Any]) -> str:
    """A footprint in words: ``keep changzhou (CHN); open monterrey (MEX) in 2026``.

    Parameters
    ----------
    actions : sequence
        Footprint actions with ``action``, ``site``, ``country`` and ``period``
        attributes; ordered keep, close, open, expand, then by period and site.

    Returns
    -------
    str
        Actions joined by ``"; "``, or ``"no site"`` when empty.
    """
    parts = []
    for a in sorted(actions, key=lambda a: (_ACTION_ORDER.get(a.action, 9), a.period, a.site)):
        when = "" if a.action == "keep" else f" in {a.period}"
        parts.append(f"{a.action} {a.site} ({a.country}){when}")
    return "; ".join(parts) or "no site"


def _sites(result: Any) -> tuple[str, ...]:
    return tuple(sorted(str(s) for s in result.open_sites))


def _lambda_rows(frontier: pd.DataFrame) -> pd.DataFrame:
    if frontier.empty or "sweep" not in frontier:
        return frontier
    rows = frontier[(frontier["sweep"] == "lambda") & frontier["feasible"].astype(bool)]
    return rows.sort_values("lambda")


def design_findings(study: DesignStudy) -> list[str]:
    """The design conclusions in a few sentences (used by the report and the demo).

    Parameters
    ----------
    study : DesignStudy
        Robust plan, scenario-alone plans and frontier.

    Returns
    -------
    list of str
        Plain-text sentences: the robust footprint, each scenario's own choice, the
        cost and worst regret against own optima, the lambda trade-off and the
        near-optimal alternatives (each only when the data allow).
    """
    robust, alpha = study.robust, study.alpha
    cvar_name = _cvar_name(alpha)
    n = len(study.probabilities)
    probs = np.array(list(study.probabilities.values()), dtype=float)
    equal = n > 0 and np.allclose(probs, 1.0 / n)
    out = [
        f"Robust plan ({n} scenario{'s' if n != 1 else ''}"
        f"{(' equally likely' if equal else ' weighted') if n > 1 else ''}, objective "
        f"expected cost + {study.risk_weight:g} x {cvar_name}): "
        f"{footprint_words(robust.footprint)}."
    ]
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, result in study.alone.items():
        groups.setdefault(_sites(result), []).append(name)
    if groups:
        robust_sites = _sites(robust)
        parts = []
        for sites, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            same = " (the robust set)" if sites == robust_sites else ""
            who = f"{len(names)} of {len(study.alone)} scenarios" if len(names) > 2 else ""
            who = who or " and ".join(names)
            parts.append(
                f"{who} {'choose' if len(names) > 1 else 'chooses'} {' + '.join(sites)}{same}"
            )
        out.append("Each scenario optimized alone: " + "; ".join(parts) + ".")
    own = {name: study.own_optimum(name) for name in study.alone}
    if own:
        out.append(_regret_sentence(study, own, cvar_name))
    lam = _lambda_rows(study.frontier)
    if len(lam) >= 2:
        first = lam.iloc[0]
        gain = float(first["cvar"]) - robust.cvar
        premium = robust.expected_cost - float(first["expected_cost"])
        same = set(str(first["open_sites"]).split("+")) == set(map(str, robust.open_sites))
        small = 1e-3 * max(abs(robust.expected_cost), 1.0)
        if same and abs(premium) <= small:
            out.append("The plan of least expected cost uses the same sites as the robust plan.")
        elif premium > small and gain > small:
            sites = str(first["open_sites"]).replace("+", " + ")
            out.append(
                f"Against the plan of least expected cost ({sites}), the robust plan pays "
                f"{money(premium)} more in expectation to cut {cvar_name} by {money(gain)}: "
                f"{gain / premium:.1f} dollars of tail cost saved per dollar."
            )
    out.extend(lost_findings(study))
    if robust.alternatives:
        alts = "; ".join(f"{' + '.join(a.open_sites)} ({a.gap:+.1%})" for a in robust.alternatives)
        out.append(
            f"Structurally different plans within {study.within:.0%} of the robust "
            f"objective: {alts}."
        )
    elif study.within > 0:
        out.append(f"No other set of sites comes within {study.within:.0%} of the robust plan.")
    return out


def _regret_sentence(study: DesignStudy, own: Mapping[str, float], cvar_name: str) -> str:
    """Cost of the robust plan against the scenarios' own optima; no premium is claimed
    where there is none (regrets within :data:`REGRET_TOL` count as zero)."""
    robust = study.robust
    cheapest = min(own, key=own.__getitem__)
    extra = robust.expected_cost - own[cheapest]
    table = study.regret()
    regrets = {
        w: r for w, r in zip(table["scenario"], table["regret"], strict=True) if w in own and r > 0
    }
    text = (
        f"The robust plan costs {money(robust.expected_cost)} in expectation over the "
        f"horizon ({cvar_name} {money(robust.cvar)})"
    )
    if extra > REGRET_TOL * max(abs(own[cheapest]), 1.0):
        share = f" ({_pct(extra / own[cheapest])})" if own[cheapest] else ""
        text += (
            f", {money(extra)}{share} over the cheapest single-scenario plan "
            f"({cheapest}'s own optimum, {money(own[cheapest])})"
        )
    if not regrets:
        return text + ", and matches each scenario's own optimum: no regret in any scenario."
    worst = max(regrets, key=regrets.__getitem__)
    share = f" ({_pct(regrets[worst] / own[worst])})" if own[worst] else ""
    return text + (
        f". Its largest regret is under {worst}: {money(regrets[worst])}{share} above that "
        "scenario's own optimum."
    )


def lost_findings(study: DesignStudy) -> list[str]:
    """One sentence per product with lost sales in the robust plan (units, share,
    penalty and why), and one naming the scenarios whose own optimum loses sales.

    Parameters
    ----------
    study : DesignStudy
        Robust plan and scenario-alone plans.

    Returns
    -------
    list of str
        Empty when no plan leaves demand unmet.
    """
    from shoring.optimize.design.lost import lost_sentence

    out = [
        "Robust plan: " + lost_sentence(x.to_dict()) + "."
        for x in getattr(study.robust, "lost_summary", ())
    ]
    losing = [w for w, r in study.alone.items() if getattr(r, "lost_summary", ())]
    if losing:
        out.append(
            "Plans optimized for one scenario also leave demand unmet under: "
            + ", ".join(losing)
            + "."
        )
    return out


# ---------------------------------------------------------------------- tables


def _cell(actions: Sequence[Any], site: str) -> str:
    hits = sorted(
        (a for a in actions if a.site == site), key=lambda a: (a.period, _ACTION_ORDER[a.action])
    )
    return ", ".join(a.action if a.action == "keep" else f"{a.action} {a.period}" for a in hits)


def design_tables(study: DesignStudy) -> dict[str, pd.DataFrame]:
    """CSV tables of the network-design section.

    Parameters
    ----------
    study : DesignStudy
        Robust plan, scenario-alone plans and frontier.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``design_footprints`` (one row per plan and action: ``plan, kind, rank, site,
        country, action, period, plan_cost``), ``design_costs`` (per scenario:
        ``probability, robust_cost, own_optimum, regret, regret_share``) and
        ``design_frontier`` (a copy of the frontier points).
    """
    rows: list[dict[str, Any]] = []

    def add(plan: str, kind: str, rank: int, actions: Sequence[Any], cost: float) -> None:
        for a in actions:
            rows.append(
                {
                    "plan": plan,
                    "kind": kind,
                    "rank": rank,
                    "site": a.site,
                    "country": a.country,
                    "action": a.action,
                    "period": int(a.period),
                    "plan_cost": cost,
                }
            )

    for name, result in study.alone.items():
        add(name, "scenario_alone", 0, result.footprint, result.expected_cost)
    add("robust", "robust", 0, study.robust.footprint, study.robust.expected_cost)
    for alt in study.robust.alternatives:
        add(f"alternative-{alt.rank}", "alternative", alt.rank, alt.footprint, alt.objective)
    footprints = pd.DataFrame(
        rows, columns=["plan", "kind", "rank", "site", "country", "action", "period", "plan_cost"]
    )
    costs = study.regret()
    return {
        "design_footprints": footprints,
        "design_costs": costs,
        "design_frontier": study.frontier.copy(),
    }


# ---------------------------------------------------------------------- chart


def frontier_chart(frontier: pd.DataFrame, robust: Any | None = None) -> go.Figure:
    """Two-panel frontier chart, costs in millions of USD.

    Left: expected cost against CVaR (``lambda`` sweep); right: expected cost against
    the largest single-country share reached (``cap`` sweep). Infeasible points are
    dropped.

    Parameters
    ----------
    frontier : pandas.DataFrame
        :func:`~shoring.optimize.design.pareto_frame` output.
    robust : DesignResult, optional
        Marked with a star on the left panel; its ``alpha`` names the CVaR (else 0.9).

    Returns
    -------
    plotly.graph_objects.Figure
        The figure.
    """
    alpha = float(robust.alpha) if robust is not None else 0.9
    cvar_name = _cvar_name(alpha)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=(
            f"Expected cost vs {cvar_name} (risk weight λ swept)",
            "Expected cost vs largest single-country share (cap swept)",
        ),
    )
    ok = frontier[frontier["feasible"].astype(bool)] if not frontier.empty else frontier
    lam = ok[ok["sweep"] == "lambda"].sort_values("lambda") if not ok.empty else ok
    cap = ok[ok["sweep"] == "cap"].sort_values("cap", ascending=False) if not ok.empty else ok
    if not lam.empty:
        lam = merge_coincident(
            lam.assign(x=_num(lam["cvar"]) / 1e6, y=_num(lam["expected_cost"]) / 1e6),
            [f"{v:g}" for v in lam["lambda"]],
            "λ=",
        )
    if not cap.empty:
        cap = merge_coincident(
            cap.assign(x=_num(cap["max_country_share"]) * 100, y=_num(cap["expected_cost"]) / 1e6),
            [f"{v:.0%}" for v in cap["cap"]],
            "cap ",
        )
    if not lam.empty:
        fig.add_trace(
            go.Scatter(
                x=lam["x"],
                y=lam["y"],
                mode="lines+markers+text",
                text=lam["label"],
                textposition="top right",
                customdata=[[chart_text(v)] for v in lam["open_sites"]],
                hovertemplate=(
                    f"{cvar_name} %{{x:,.1f}} M<br>expected %{{y:,.1f}} M<br>"
                    "%{text}<br>sites: %{customdata[0]}<extra></extra>"
                ),
                name="λ sweep",
                marker={"size": 9, "color": "#1f77b4"},
            ),
            row=1,
            col=1,
        )
    if robust is not None:
        fig.add_trace(
            go.Scatter(
                x=[robust.cvar / 1e6],
                y=[robust.expected_cost / 1e6],
                mode="markers",
                marker={"symbol": "star", "size": 16, "color": "#d62728"},
                name="robust plan",
                hovertemplate="robust plan<br>%{x:,.1f} M / %{y:,.1f} M<extra></extra>",
            ),
            row=1,
            col=1,
        )
    if not cap.empty:
        fig.add_trace(
            go.Scatter(
                x=cap["x"],
                y=cap["y"],
                mode="lines+markers+text",
                text=cap["label"],
                textposition="top left",
                customdata=[[chart_text(v)] for v in cap["open_sites"]],
                hovertemplate=(
                    "largest share %{x:.0f}%<br>expected %{y:,.1f} M<br>%{text}<br>"
                    "sites: %{customdata[0]}<extra></extra>"
                ),
                name="cap sweep",
                marker={"size": 9, "color": "#2ca02c"},
            ),
            row=1,
            col=2,
        )
    fig.update_xaxes(title_text=f"{cvar_name} of total cost (USD M)", row=1, col=1)
    fig.update_xaxes(title_text="largest single-country share reached (%)", row=1, col=2)
    fig.update_yaxes(title_text="expected total cost (USD M)", row=1, col=1)
    fig.update_layout(
        template="plotly_white",
        height=460,
        margin={"l": 70, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    )
    return fig


def _num(column: pd.Series) -> pd.Series:
    """Floats, with None (undefined, e.g. a share without demand) as NaN."""
    return pd.to_numeric(column, errors="coerce").astype(float)


def merge_coincident(points: pd.DataFrame, values: Sequence[str], prefix: str) -> pd.DataFrame:
    """One marker per distinct (x, y): coincident points share one label.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``x`` and ``y`` (chart units) and ``open_sites``, in drawing order.
    values : sequence of str
        The swept value of each row, e.g. ``["0", "0.05"]``.
    prefix : str
        Put before the values in the label, e.g. ``"λ="``.

    Returns
    -------
    pandas.DataFrame
        Columns ``x, y, label, open_sites``; rows with undefined x or y dropped; the
        label of merged points lists their values (``"λ=0, 0.05"``).
    """
    frame = points.assign(value=list(values))
    frame = frame[np.isfinite(frame["x"].astype(float)) & np.isfinite(frame["y"].astype(float))]
    key = list(zip(frame["x"].round(6), frame["y"].round(6), strict=True))
    rows: dict[tuple[float, float], dict[str, Any]] = {}
    for k, (_, r) in zip(key, frame.iterrows(), strict=True):
        row = rows.setdefault(
            k, {"x": r["x"], "y": r["y"], "values": [], "open_sites": r["open_sites"]}
        )
        row["values"].append(r["value"])
    return pd.DataFrame(
        [
            {
                "x": r["x"],
                "y": r["y"],
                "label": prefix + ", ".join(r["values"]),
                "open_sites": r["open_sites"],
            }
            for r in rows.values()
        ],
        columns=["x", "y", "label", "open_sites"],
    )


# ---------------------------------------------------------------------- section


def _share_text(share: float) -> str:
    return f"{share:.0%}" if np.isfinite(share) else "n/a (no demand)"


def design_section(
    study: DesignStudy, sites: pd.DataFrame, reconciliation: Sequence[str] = ()
) -> str:
    """HTML body of the "Network design" section.

    Parameters
    ----------
    study : DesignStudy
    sites : pandas.DataFrame
        The network's sites (index: site id; column ``country``), for the table columns.
    reconciliation : sequence of str
        Why the robust plan does or does not serve each market from its cheapest site per
        unit (:func:`shoring.report.reconcile.reconcile_sentences`).

    Returns
    -------
    str
        HTML fragment: findings, footprint and cost tables, and the frontier chart.
    """
    robust, alpha = study.robust, study.alpha
    cvar_name = _cvar_name(alpha)
    out = ['<div class="finding">', *(f"<p>{esc(s)}</p>" for s in design_findings(study))]
    out.append("</div>")

    out.append("<h3>Optimized footprint per scenario (each scenario alone)</h3>")
    out.append(
        '<p class="note">Each scenario optimized on its own (expected-cost objective, as if '
        "it were certain): which sites are kept, opened or closed and in which period, and "
        "the total cost over the horizon (capex, closing, fixed and operating costs, "
        "lost-sale penalties).</p>"
    )
    site_ids = [str(s) for s in sites.index]
    header = ["scenario", *[f"{s} ({sites.loc[s, 'country']})" for s in site_ids]]
    rows = [
        [name, *[_cell(r.footprint, s) or "–" for s in site_ids], money(r.expected_cost)]
        for name, r in study.alone.items()
    ]
    out.append(table([*header, "total cost"], rows, numeric=[len(header)]))

    if reconciliation:
        out.append("<h3>Per-unit ranking and the plan</h3>")
        out.append(
            '<p class="note">The landed cost per unit ranks the sites; the plan also pays '
            "fixed costs and capex, respects capacity and ramp-up, and weighs the worst "
            "scenarios. Where the two differ, this says why (robust plan, last period, "
            "costs weighted by scenario probability).</p>"
        )
        out.append("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in reconciliation) + "</ul>")
    out.append(f"<h3>Robust footprint (all scenarios, {cvar_name})</h3>")
    out.append(
        f'<p class="note">All {len(study.probabilities)} scenarios together; objective: '
        f"expected cost + {study.risk_weight:g} x {cvar_name} (the mean cost of the worst "
        f"{1 - alpha:.0%} of probability). Regret: the plan's cost in a scenario minus that "
        "scenario's own optimum.</p>"
    )
    out.append(
        table(
            ["site", "country", "action", "period"],
            [[a.site, a.country, a.action, a.period] for a in robust.footprint],
        )
    )
    out.append(
        f"<p>Expected cost <b>{esc(money(robust.expected_cost))}</b>, {cvar_name} "
        f"<b>{esc(money(robust.cvar))}</b>, largest single-country share "
        f"{_share_text(robust.max_origin_share)}.</p>"
    )
    costs = design_tables(study)["design_costs"]
    out.append(
        table(
            ["scenario", "probability", "robust plan", "own optimum", "regret", "regret %"],
            [
                [
                    r.scenario,
                    f"{r.probability:.0%}" if np.isfinite(r.probability) else "",
                    money(r.robust_cost),
                    money(r.own_optimum),
                    money(r.regret),
                    _pct(r.regret_share),
                ]
                for r in costs.itertuples()
            ],
            numeric=[1, 2, 3, 4, 5],
        )
    )
    if robust.site_deltas:
        out.append(
            table(
                ["site", "extra cost without it", "replaced by"],
                [
                    [
                        d.site,
                        money(d.delta)
                        if np.isfinite(d.delta)
                        else getattr(d, "status", "") or "infeasible",
                        d.replacement or "–",
                    ]
                    for d in robust.site_deltas
                ],
                numeric=[1],
            )
        )

    out.append("<h3>Cost-vs-risk frontier</h3>")
    if study.frontier.empty:
        out.append("<p>No frontier was computed.</p>")
    else:
        out.append(figure(frontier_chart(study.frontier, robust), "design-frontier"))
        dropped = int((~study.frontier["feasible"].astype(bool)).sum())
        out.append(
            '<p class="note">Left: each point minimizes expected cost + λ x '
            f"{cvar_name} for one λ (λ=0: expected cost alone); moving left buys a lower "
            "tail cost with a higher expected cost. The star is the robust plan. Right: "
            "expected cost when no country may supply more than the cap of any product's "
            "demand in a market."
            + (f" {dropped} point(s) had no feasible plan." if dropped else "")
            + "</p>"
        )

    out.append(f"<h3>Near-optimal alternatives (within {study.within:.0%})</h3>")
    if robust.alternatives:
        out.append(
            table(
                [
                    "rank",
                    "sites",
                    "footprint",
                    "objective (expected + λ x CVaR)",
                    "above the robust optimum",
                ],
                [
                    [
                        a.rank,
                        " + ".join(a.open_sites),
                        footprint_words(a.footprint),
                        money(a.objective),
                        f"{a.gap:+.2%}",
                    ]
                    for a in robust.alternatives
                ],
                numeric=[3, 4],
            )
        )
        out.append(
            '<p class="note">Other sets of sites whose objective (expected + λ x '
            f"{cvar_name}) is within {study.within:.0%} of the robust plan's, best first: "
            "options to discuss when a site is hard to get.</p>"
        )
    else:
        out.append(f"<p>No other set of sites comes within {study.within:.0%}.</p>")
    return "".join(out)
