"""``shoring cost``, ``shoring compare``, ``shoring breakeven``: landed cost from the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import typer
import xarray as xr

from shoring.cli import options
from shoring.cli.console import Progress, Table
from shoring.cli.console import err as progress_console
from shoring.cli.console import out as console
from shoring.costs import COMPONENTS
from shoring.costs.assemble import risk_notes
from shoring.costs.compare import unserved, unserved_message
from shoring.data.countries import to_iso3
from shoring.data.productivity import LABOUR_NOTE, equal_hours_note, productivity_basis
from shoring.data.wages import wage_basis, wage_method
from shoring.errors import ShoringError
from shoring.network import Network
from shoring.scenario.loader import DEFAULT_SCENARIO
from shoring.study import Study
from shoring.textsafe import json_text

NetworkArg = typer.Argument(..., help=options.NETWORK_HELP)
ScenarioOpt = typer.Option(
    [DEFAULT_SCENARIO],
    "--scenario",
    "-s",
    help="Built-in scenario name or YAML file; repeatable (default: current-law).",
)
AXES = ("product", "site", "market")
"""The dimensions of a lane, which --product, --site and --market filter."""
YearOpt = typer.Option(
    None,
    "--year",
    "-y",
    parser=options.year,
    help="Year to cost; repeatable (default: demand years).",
)


def _run(
    network: Path, scenarios: list[str], years: list[int] | None, quiet: bool, **known: str
) -> Study:
    """The study of the command, costed with a progress bar (``known``: id options checked
    against the network before costing, see :func:`_known`)."""
    study = Study.load(network, scenarios, years or None)
    _known(study.network, **known)
    with Progress(console=progress_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("landed cost", total=None)

        def tick(stage: str, done: int | None, total: int | None) -> None:
            bar.update(task, completed=done or 0, total=total)

        study.progress = tick
        ds = study.landed_costs
    if ds.attrs.get("importers_without_mfn"):
        progress_console.print(
            f"note: no cited MFN tariff for {ds.attrs['importers_without_mfn']}; "
            "their MFN is taken as 0 (see shoring data sources)",
            style="yellow",
        )
    for row in unserved(study.network, ds, study.scenarios).to_dict("records"):
        progress_console.print(f"note: {unserved_message(row)}", style="yellow")
    for note in filter(None, ds.attrs.get("mfn_notes", "").split("\n")):
        progress_console.print(f"note: {note}", style="yellow")
    return study


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


def _known(net: Network, **given: str) -> None:
    """Each id option (``product``, ``site``, ``market``; ``from``/``to``: a site or a
    country) names something in the network, or a usage error names the option."""
    ids = {"product": net.product_ids, "market": net.market_ids}
    for option, value in given.items():
        known = ids.get(option, net.site_ids)
        if value in known:
            continue
        if option in ("from", "to"):
            try:
                to_iso3(value)
                continue
            except ShoringError as exc:
                why = f"neither a site nor a country ({exc})"
        else:
            why = f"unknown {option}"
        raise typer.BadParameter(
            f"{value!r}: {why}; known: {', '.join(known[:20])}", param_hint=f"'--{option}'"
        )


def _in_results(ds: xr.Dataset, chosen: dict[str, str]) -> None:
    """Each chosen id is a coordinate of the landed costs, or a usage error: a product no
    site makes (a bought component) has no landed cost of its own."""
    for axis, value in chosen.items():
        names = [str(x) for x in ds[axis].to_numpy()]
        if value not in names:
            raise typer.BadParameter(
                f"{value!r} has no landed cost of its own (no site makes it; a bought "
                f"component's cost enters the products made from it: see their --explain); "
                f"valid values are {', '.join(names) or 'none'}",
                param_hint=f"'--{axis}'",
            )


def _lanes(ds: xr.Dataset, chosen: dict[str, str]) -> xr.Dataset:
    """The landed costs of the lanes ``chosen`` names (``{"product": id, ...}``), or a usage
    error when no lane matches them all, listing the values that do have lanes."""
    if not chosen:
        return ds
    _in_results(ds, chosen)
    served = (abs(ds["total"]) < np.inf).any([d for d in ds["total"].dims if d not in AXES])
    picked = served.sel({k: [v] for k, v in chosen.items()})
    if bool(picked.any()):
        return ds.sel({k: [v] for k, v in chosen.items()})
    valid = []
    for axis in chosen:
        others = {k: [v] for k, v in chosen.items() if k != axis}
        has = served.sel(others).any([d for d in AXES if d != axis])
        names = [str(x) for x in has[axis].to_numpy()[has.to_numpy()]]
        valid.append(f"--{axis}: {', '.join(names) or 'none'}")
    given = " ".join(f"--{k} {v}" for k, v in chosen.items())
    raise typer.BadParameter(
        f"no lane has a landed cost for {given} (a site makes only the products it "
        f"lists); with the other options kept, valid values are {'; '.join(valid)}"
    )


def _option(site: str, total: float) -> str:
    """``"site total"``, or ``"none"`` where no site can serve."""
    return f"{site} {total:,.0f}" if site else "none"


def _fixed(x: float, spec: str, unit: str = "") -> str:
    """``x`` formatted, or ``"-"`` where it is undefined (never ``nan``)."""
    return "-" if not math.isfinite(x) else f"{x:{spec}}{unit}"


def cost(
    network: Path = NetworkArg,
    scenario: list[str] = ScenarioOpt,
    year: list[int] = YearOpt,
    as_json: bool = typer.Option(False, "--json", help="Print JSON records."),
    explain: bool = typer.Option(
        False, "--explain", help="Explain the duty of one lane: --product, --site, --market."
    ),
    product: str | None = typer.Option(
        None, "--product", "-p", help="Only this product (with --explain: the lane's)."
    ),
    site: str | None = typer.Option(
        None, "--site", help="Only this site (with --explain: the lane's)."
    ),
    market: str | None = typer.Option(
        None, "--market", "-m", help="Only this market (with --explain: the lane's)."
    ),
) -> None:
    """Landed cost per unit of every product, site and market, component by component.

    ``--product``, ``--site`` and ``--market`` keep only the lanes they name, in the table
    and in ``--json``; a value the network lacks, or a combination no lane has (a site
    that does not make the product), is a usage error listing the valid values.

    With ``--explain``, for one product made at one site and sold in one market: every
    trade measure applied or skipped on that lane, and why, for each interval of the year
    on which the rules are constant, and the day-weighted duty rate the engine charges.
    """
    if explain:
        _explain(network, scenario, year, as_json, product, site, market)
        return
    chosen = {k: v for k, v in (("product", product), ("site", site), ("market", market)) if v}
    study = _run(network, scenario, year, quiet=as_json, **chosen)
    ds = _lanes(study.landed_costs, chosen)
    frame = ds["cost"].to_dataframe().reset_index()
    wide = frame.pivot_table(
        index=["product", "site", "site_country", "market", "market_country", "year", "scenario"],
        columns="component",
        values="cost",
    ).reset_index()
    wide = wide.reindex(
        columns=[*wide.columns.drop(list(COMPONENTS), errors="ignore"), *COMPONENTS]
    )
    wide = wide.dropna(subset=list(COMPONENTS), how="all")
    lead = ds["lead_time_days"].to_dataframe().reset_index()
    wide = wide.merge(
        lead[["product", "site", "market", "lead_time_days"]], on=["product", "site", "market"]
    )
    keys = ["product", "site", "market", "year", "scenario"]
    origin = ds[["origin_rule_met", "origin_margin", "origin_qualifying_mix"]]
    wide = wide.merge(origin.to_dataframe().reset_index()[[*keys, *origin.data_vars]], on=keys)
    mfn = ds[["mfn_rate", "duty_basis"]].to_dataframe().reset_index()
    wide = wide.merge(
        mfn[["product", "market", "year", "mfn_rate", "duty_basis"]],
        on=["product", "market", "year"],
    )
    labour = ds[["wage_usd_per_hour", "productivity_index"]].to_dataframe().reset_index()
    per_site = ["site", "year", "scenario"]
    wide = wide.merge(labour[[*per_site, "wage_usd_per_hour", "productivity_index"]], on=per_site)
    own_index = study.network.sites["productivity_index"].notna()
    own_wage = study.network.sites["wage_usd_per_hour"].notna()
    wide["wage_method"] = [
        "site" if own_wage[site] else wage_method(country, int(year))
        for site, country, year in zip(
            wide["site"], wide["site_country"], wide["year"], strict=True
        )
    ]
    factor = study.network.sites["productivity"].astype(float)  # the site's own factor
    wide["productivity_factor"] = wide["site"].map(factor)
    how = json.loads(ds.attrs.get("risk_model", '{"simulated": false}'))
    if as_json:
        (method,) = risk_notes(how, [])
        why = {p: risk_notes(how, [p])[-1] for p in how.get("in_house", {})}
        records = [
            {
                "product": r["product"],
                "site": r["site"],
                "site_country": r["site_country"],
                "market": r["market"],
                "market_country": r["market_country"],
                "year": int(r["year"]),
                "scenario": r["scenario"],
                "total": _num(sum(r[c] for c in COMPONENTS)),
                "components": {c: _num(r[c]) for c in COMPONENTS},
                "lead_time_days": _num(r["lead_time_days"]),
                "labour": {
                    "wage_usd_per_hour": _num(r["wage_usd_per_hour"]),
                    "wage_basis": wage_basis(
                        bool(own_wage[r["site"]]), r["site_country"], int(r["year"])
                    ),
                    "productivity_index": _num(r["productivity_index"]),
                    "productivity_factor": _num(r["productivity_factor"]),
                    "productivity_basis": productivity_basis(
                        bool(own_index[r["site"]]),
                        r["site_country"],
                        int(r["year"]),
                        study.network.meta.labour_productivity == "national",
                    ),
                },
                "origin": {
                    "met": bool(r["origin_rule_met"]),
                    "margin": _num(r["origin_margin"]),
                    "qualifying_mix": bool(r["origin_qualifying_mix"]),
                },
                "mfn_rate": _num(r["mfn_rate"]),
                "duty_basis": r["duty_basis"],
                "risk_note": why.get(r["product"], method),
            }
            for r in wide.to_dict("records")
        ]
        typer.echo(json_text(records, indent=1))
        return
    for (product, market, yr, scn), group in wide.groupby(
        ["product", "market", "year", "scenario"]
    ):
        group = group.assign(total=group[list(COMPONENTS)].sum(axis=1, skipna=False))
        group = group.sort_values("total")
        title = f"{product} -> {market} ({group['market_country'].iloc[0]}), {yr}, {scn}"
        table = Table(title=title, title_justify="left")
        table.add_column("USD/unit")
        for r in group.to_dict("records"):
            table.add_column(f"{r['site']}\n{r['site_country']}", justify="right")
        for c in (*COMPONENTS, "total"):
            style = "bold" if c == "total" else None
            table.add_row(c, *(f"{v:,.2f}" for v in group[c]), style=style)
        table.add_row("lead time, days", *(f"{v:.0f}" for v in group["lead_time_days"]))
        marks = ["*" if m == "extrapolated" else "" for m in group["wage_method"]]
        table.add_row(
            "wage, USD/h",
            *(f"{v:,.2f}{m}" for v, m in zip(group["wage_usd_per_hour"], marks, strict=True)),
        )
        table.add_row("productivity, US=1", *(f"{v:.3f}" for v in group["productivity_index"]))
        if (group["productivity_factor"] != 1.0).any():
            factors = (f"{v:.3f}" for v in group["productivity_factor"])
            table.add_row("site productivity factor", *factors)
        console.print(table)
    console.print(LABOUR_NOTE, style="dim")
    if len(wide) and (wide["wage_method"] == "extrapolated").any():
        console.print(
            "* wage extrapolated after the series' last cited figure at its stated trend "
            "(tables/labour_cost.card.yaml; --json: labour.wage_basis)",
            style="dim",
        )
    sites = study.network.sites
    if study.network.meta.labour_productivity != "national" and len(wide):
        equal = sites.loc[sites["productivity_index"].isna(), "country"]
        note = equal_hours_note(list(equal), int(wide["year"].min()))
        if note:
            console.print(note, style="dim")
    for line in risk_notes(how, set(wide["product"])):
        console.print(line, style="dim")


def _explain(
    network: Path,
    scenarios: list[str],
    years: list[int] | None,
    as_json: bool,
    product: str | None,
    site: str | None,
    market: str | None,
) -> None:
    if not (product and site and market):
        raise typer.BadParameter("--explain needs --product, --site and --market")
    study = _run(network, scenarios, years, quiet=True, product=product, site=site, market=market)
    _in_results(study.landed_costs, {"product": product, "site": site, "market": market})
    out = study.explain_lane(product, site, market)
    if as_json:
        typer.echo(json_text(out, indent=1))
        return
    for item in out:
        title = (
            f"{item['product']} ({item['hs']}) {item['exporter']} -> {item['importer']}, "
            f"{item['year']}, {item['scenario']}: duty {item['rate']:.2%} (day-weighted)"
        )
        console.print(title, style="bold")
        for line in item["origin"]["explanation"]:
            console.print(line)
        for period in item["periods"]:
            lane = period["explanation"]
            table = Table(
                title=f"from {period['start']}, {period['days']} days: {lane['rate']:.2%}"
            )
            for col in ("measure", "status", "rate", "share"):
                table.add_column(col)
            table.add_column("why", ratio=1)  # the rest of the width; wrapped, never cut
            hidden = 0
            for step in lane["steps"]:
                if step["status"] == "not applicable":
                    hidden += 1
                    continue
                rate = "" if step["rate"] is None else f"{step['rate']:.2%}"
                share = "" if step["share"] is None else f"{step['share']:.0%}"
                table.add_row(step["id"], step["status"], rate, share, step["reason"])
            console.print(table)
            console.print(
                f"{hidden} measures not applicable (see --json for each reason)", style="dim"
            )


def compare(
    network: Path = NetworkArg,
    scenario: list[str] = typer.Option(..., "--scenario", "-s", help="Two scenarios: A then B."),
    year: list[int] = YearOpt,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Cheapest site per scenario, ranking change, and the component deltas that explain it.

    Rows (and JSON records) come largest change first: where one scenario has no site
    that can serve, then by the absolute change of the cheapest landed cost; unchanged
    rows last.
    """
    if len(scenario) != 2:
        raise typer.BadParameter("give exactly two --scenario options (A and B)")
    study = _run(network, scenario, year, quiet=as_json)
    a, b = study.scenario_names
    frame = study.compare(a, b)
    if as_json:
        typer.echo(json_text(frame.to_dict("records"), indent=1))
        return
    table = Table(title=f"{a} -> {b}: largest change of the cheapest option first (unchanged last)")
    for col in (
        "product",
        "market",
        "year",
        f"cheapest in {a}",
        f"cheapest in {b}",
        "change",
        "why",
    ):
        table.add_column(col)
    deltas = [f"delta_{c}" for c in COMPONENTS]
    for r in frame.to_dict("records"):
        change = r["total_b"] - r["total_a"]
        if math.isfinite(change):
            top = sorted(deltas, key=lambda d: -abs(r[d]))[:2]
            why = ", ".join(f"{d[6:]} {r[d]:+,.0f}" for d in top if abs(r[d]) > 0.005) or "-"
            moved = f"{change:+,.0f}" + (" (site changes)" if r["changed"] else "")
        else:
            why = "see the notes"
            moved = f"no site can serve under {a if r['site_a'] == '' else b}"
        table.add_row(
            r["product"],
            r["market"],
            str(r["year"]),
            _option(r["site_a"], r["total_a"]),
            _option(r["site_b"], r["total_b"]),
            moved,
            why,
        )
    console.print(table)


def breakeven_cmd(
    network: Path = NetworkArg,
    product: str = typer.Option(..., "--product", "-p", help="Product id."),
    market: str = typer.Option(..., "--market", "-m", help="Market id."),
    from_: str = typer.Option(..., "--from", help="Site id or country of the current option."),
    to: str = typer.Option(..., "--to", help="Site id or country of the alternative."),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario", "-s", help="Scenario."),
    year: list[int] = YearOpt,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Tariff and wage at which two options cost the same, per year."""
    study = Study.load(network, [scenario], year or None)
    _known(study.network, product=product, market=market, **{"from": from_, "to": to})
    (chosen,) = study.scenarios
    frame = study.breakeven(product, market, from_, to).drop(columns="scenario")
    if (frame["unserved"] != "").all():
        reasons = "; ".join(dict.fromkeys(frame["unserved"]))
        raise ShoringError(f"no break-even under scenario {chosen.name}: {reasons}")
    if as_json:
        typer.echo(json_text(frame.to_dict("records"), indent=1))
        return
    first = frame.iloc[0]
    table = Table(
        title=f"{product} for {market}: {first['from_site']} vs {first['to_site']} ({chosen.name})"
    )
    for col in (
        "year",
        "cost from",
        "cost to",
        "tariff break-even",
        "wage from",
        "wage break-even",
    ):
        table.add_column(col, justify="right")
    for r in frame.to_dict("records"):
        table.add_row(
            str(r["year"]),
            _fixed(r["cost_from"], ",.2f"),
            _fixed(r["cost_to"], ",.2f"),
            _fixed(r["tariff_breakeven"], "+.1%"),
            _fixed(r["wage_from"], ",.2f", " USD/h"),
            _fixed(r["wage_breakeven"], ",.2f", " USD/h"),
        )
    console.print(table)
    for r in frame[frame["unserved"] != ""].to_dict("records"):
        progress_console.print(f"{r['year']}: no break-even: {r['unserved']}")
    console.print(
        "tariff break-even: extra ad valorem duty on the 'from' lane that equalizes the two "
        "(negative: 'from' is already dearer); wage break-even: hourly labour cost in the "
        "'from' country that equalizes them.",
        style="dim",
    )


def register(app: typer.Typer) -> None:
    """Add ``cost``, ``compare`` and ``breakeven`` to the root app."""
    app.command("cost")(cost)
    app.command("compare")(compare)
    app.command("breakeven")(breakeven_cmd)
