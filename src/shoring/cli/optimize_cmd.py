"""``shoring optimize NETWORK`` and ``shoring pareto NETWORK``: network design over scenarios."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import typer
from rich.console import Console

from shoring.cli import console, options
from shoring.cli.console import Table, spinner, styled
from shoring.errors import NoPlanError, ShoringError
from shoring.fields import Fraction, Year
from shoring.outputs import OutputFolder, rescue_folder, run_details, write_csv
from shoring.scenario.loader import DEFAULT_SCENARIO
from shoring.textsafe import json_text

SCENARIO_OPT = typer.Option(
    [DEFAULT_SCENARIO],
    "--scenario",
    "-s",
    help=f"Scenario name or YAML file; repeat for several (default: {DEFAULT_SCENARIO}).",
)
PROB_OPT = typer.Option(
    None,
    "--probabilities",
    parser=options.comma_list(Fraction),
    metavar="P,P,...",
    help="Comma-separated probabilities, e.g. 0.5,0.5 (default equal).",
)
YEARS_OPT = typer.Option(
    None,
    "--years",
    parser=options.comma_list(Year),
    metavar="YEAR,YEAR,...",
    help="Comma-separated periods, a subset of the demand years (default all).",
)
ALPHA_OPT = typer.Option(0.9, "--alpha", parser=options.fraction, help="CVaR level (0..1).")
MAX_LOST_OPT = typer.Option(
    1.0,
    "--max-lost-share",
    parser=options.fraction,
    help="Max share of demand left unmet (0 = serve everything; 0.1 or 10%).",
)
TIME_LIMIT_OPT = typer.Option(
    None, "--time-limit", parser=options.positive, help="Solver time limit (s)."
)
MIP_GAP_OPT = typer.Option(
    1e-4, "--mip-gap", parser=options.fraction, help="Relative MIP gap (fraction)."
)
SHARE_BY_OPT = typer.Option(
    "country",
    "--share-by",
    parser=options.choice("country", "bloc"),
    help="Origin: country or bloc.",
)
SHARE_SCOPE_OPT = typer.Option(
    "market",
    "--share-scope",
    parser=options.choice("market", "product"),
    help="Per market or per product.",
)
K_OPT = typer.Option(
    None,
    "--max-sites-per-market",
    parser=options.whole(1, 10_000),
    help="Keep only the k cheapest sites (lanes) per product and market, and the k "
    "cheapest sources per component and using site: shrinks very large models.",
)


@contextmanager
def no_plan_as_json(as_json: bool) -> Iterator[None]:
    """With ``--json``, print a :class:`~shoring.errors.NoPlanError` as JSON on stdout
    (status, solver status, message, gap, bound) before it ends the command (exit 3)."""
    try:
        yield
    except NoPlanError as exc:
        if as_json:
            typer.echo(json_text(exc.to_dict()))
        raise


def _data(
    network: Path,
    scenarios: list[str],
    probabilities: list[float] | None,
    years: list[int] | None,
    progress: Callable[[str], None],
    max_sites_per_market: int | None = None,
    hazards: Any = None,
    folder: OutputFolder | None = None,
) -> Any:
    """The design data of a study; ``folder``'s manifest records how risk was priced."""
    from dataclasses import replace

    from shoring.costs.assemble import risk_model
    from shoring.study import Study

    study = Study.load(
        network,
        scenarios,
        years or None,
        probabilities=probabilities,
        hazards=hazards,
        progress=lambda stage, done, total: progress(
            stage if total is None else f"{stage}: {done} of {total}"
        ),
    )
    progress(f"pricing lanes: {len(study.scenarios)} scenario(s) x {len(study.years)} year(s)")
    data = study.design_data(max_sites_per_market=max_sites_per_market)
    if folder is not None:
        folder.details["risk_model"] = risk_model(
            replace(study.settings, risk=study.site_risk), study.network
        )
    return data


def _spec(**kwargs: Any) -> Any:
    from shoring.optimize.design import DesignSpec

    try:
        return DesignSpec(**kwargs)
    except ValueError as exc:
        raise ShoringError(str(exc)) from None


def _options(time_limit: float | None, mip_gap: float) -> Any:
    from shoring.optimize import SolveOptions

    try:
        return SolveOptions(time_limit=time_limit, mip_rel_gap=mip_gap)
    except ValueError as exc:
        raise ShoringError(f"invalid solver option: {exc}") from None


def _money(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 0.5 else "0"  # never "-0"


def status_line(out: dict[str, Any]) -> str:
    """The solve outcome in words, with the gap and bound when not proven optimal.

    Parameters
    ----------
    out : dict
        A result dict with ``status``, ``solver_status``, ``gap``/``mip_gap``, ``bound``.

    Returns
    -------
    str
        E.g. ``"optimal (gap 0.00e+00)"`` or ``"a plan, stopped at the time limit
        before proving it optimal: gap 2.10%, best bound 1,234 USD"``.
    """
    from shoring.optimize.solve import SolveStatus

    status = SolveStatus(out["status"])
    gap = out.get("gap", out.get("mip_gap"))
    words = status.describe(out.get("solver_status") or "")
    if status is SolveStatus.OPTIMAL:
        return f"{words} (gap {gap or 0:.2e})"
    gap_text = "unknown" if gap is None else f"{gap:.2%}"
    return f"{words}: gap {gap_text}, best bound {_money(out.get('bound'))} USD"


def print_lost_sales(con: Console, out: dict[str, Any]) -> None:
    """Print one line per product with lost sales (units, share, penalty, why).

    Parameters
    ----------
    con : rich.console.Console
        Where to print.
    out : dict
        A result dict with ``lost_sales_summary``.
    """
    from shoring.optimize.design.lost import lost_sentence

    for summary in out.get("lost_sales_summary") or ():
        con.print(lost_sentence(summary))


def _print_result(out: dict[str, Any]) -> None:
    con = console.out
    con.print(
        styled(
            (str(out["objective_kind"]), "bold"),
            f" objective {_money(out['objective'])} USD ({status_line(out)}); expected cost "
            f"{_money(out['expected_cost'])}, CVaR{out['alpha'] * 100:g} {_money(out['cvar'])}",
        )
    )
    print_lost_sales(con, out)
    table = Table(title="Footprint")
    for col in ("site", "country", "action", "period"):
        table.add_column(col)
    for a in out["footprint"]:
        table.add_row(a["site"], a["country"], a["action"], str(a["period"]))
    con.print(table)
    table = Table(title="Cost by scenario (USD over the horizon)")
    table.add_column("scenario")
    table.add_column("total", justify="right")
    for name, value in out["cost_by_scenario"].items():
        table.add_row(name, _money(value))
    con.print(table)
    table = Table(title="Expected cost by component (USD)")
    table.add_column("component")
    table.add_column("cost", justify="right")
    for name, value in out["cost_by_component"].items():
        table.add_row(name, _money(value))
    con.print(table)
    if out["status"] != "optimal" and (
        out["site_deltas"] or out["alternatives"] or out["binding_constraints"]
    ):
        con.print(
            "Note: this plan is not proven optimal (stopped at a limit), so the comparisons "
            "below are against it, not against the optimum: a negative extra cost or an "
            "alternative below 0% is a cheaper plan the re-solves found; rerun with a longer "
            "--time-limit before reading them."
        )
    if out["site_deltas"]:
        table = Table(title="Cost of doing without each chosen site (re-solved)")
        for col in ("site", "extra cost", "best alternative"):
            table.add_column(col)
        for s in out["site_deltas"]:
            extra = _money(s["delta"]) if s["delta"] is not None else s.get("status", "-")
            table.add_row(s["site"], extra, s["replacement"] or "-")
        con.print(table)
    if out["binding_constraints"]:
        table = Table(title="Binding constraints (shadow price, USD per unit)")
        for col in ("constraint", "where", "dual"):
            table.add_column(col)
        for b in out["binding_constraints"][:10]:
            where = ", ".join(f"{k}={v}" for k, v in b["coords"].items())
            table.add_row(b["constraint"], where, f"{b['dual']:,.2f}")
        con.print(table)
    for alt in out["alternatives"]:
        con.print(
            f"alternative {alt['rank']}: "
            f"{' + '.join(alt['open_sites']) or 'no site open (every sale lost)'} "
            f"({alt['gap']:+.2%}, {_money(alt['objective'])} USD)"
        )


@contextmanager
def _owned(
    out: Path | None, command: str, network: Path, scenarios: list[str]
) -> Iterator[OutputFolder | None]:
    """The ``--out`` folder, taken before solving (a busy, foreign or unwritable folder
    fails fast) and replaced as a whole with the new files when the block ends."""
    if out is None:
        yield None
        return
    from shoring.scenario import load_scenario

    with OutputFolder(out, command, inputs=[network, *scenarios]) as folder:
        folder.details.update(run_details([load_scenario(s) for s in scenarios]))
        yield folder


def _write(folder: Path, name: str, payload: dict[str, Any], frames: dict[str, Any]) -> None:
    """``<name>.json`` and one CSV per frame into ``folder``."""
    (folder / f"{name}.json").write_text(json_text(payload), encoding="utf-8")
    for table, frame in frames.items():
        write_csv(frame, folder / f"{table}.csv")


def _rescue(
    command: str, name: str, payload: dict[str, Any], frames: dict[str, Any], error: Exception
) -> NoReturn:
    """Save a finished result that ``--out`` could not take in a new temporary folder,
    and say where; the solve is never lost to an unwritable or full folder."""
    reason = str(error) if isinstance(error, ShoringError) else f"{error.strerror or error}"
    try:
        with rescue_folder(command) as spare:
            _write(spare.path, name, payload, frames)
    except (OSError, ShoringError):
        raise ShoringError(
            f"{reason}; the result could not be saved elsewhere either: it is printed above"
        ) from None
    raise ShoringError(f"{reason}; the finished result is saved in {spare.target} instead")


def optimize(
    network: Path = typer.Argument(..., help=options.NETWORK_HELP),
    scenario: list[str] = SCENARIO_OPT,
    probabilities: Any = PROB_OPT,
    objective: str = typer.Option(
        "expected",
        "--objective",
        parser=options.choice("expected", "cvar", "regret"),
        help="expected, cvar or regret.",
    ),
    alpha: float = ALPHA_OPT,
    risk_weight: float = typer.Option(
        1.0, "--risk-weight", parser=options.amount, help="lambda of expected + lambda x CVaR."
    ),
    max_country_share: float = typer.Option(
        1.0,
        "--max-country-share",
        parser=options.fraction,
        help="Max share of a product's demand in a market from one origin (0.4 or 40%).",
    ),
    share_by: str = SHARE_BY_OPT,
    share_scope: str = SHARE_SCOPE_OPT,
    local_content: float = typer.Option(
        0.0,
        "--local-content",
        parser=options.fraction,
        help="Min share made in the market's country (0.5 or 50%).",
    ),
    max_lead_time: float | None = typer.Option(
        None, "--max-lead-time", parser=options.positive, help="Max lead time in days."
    ),
    budget: float | None = typer.Option(
        None, "--budget", parser=options.amount, help="Max total opening capex (USD)."
    ),
    max_lost_share: float = MAX_LOST_OPT,
    years: Any = YEARS_OPT,
    max_sites_per_market: int | None = K_OPT,
    alternatives: int = typer.Option(
        3, "--alternatives", parser=options.whole(0, 50), help="Near-optimal footprints to find."
    ),
    within: float = typer.Option(
        0.05,
        "--within",
        parser=options.fraction,
        help="Alternatives within this share of the optimum: 0.05 or 5% (a fraction, like "
        "every share; a plain number above 1 is refused, write 5% for five percent).",
    ),
    explain: bool = typer.Option(
        True, "--explain/--no-explain", help="Shadow prices and site deltas."
    ),
    survive_ttr: bool = typer.Option(
        False,
        "--survive-ttr",
        help="Require a footprint that survives the loss of any one site for its time to "
        "recover (TTS >= TTR, as in 'shoring stress'; TTR from the hazard model).",
    ),
    buffer_days: float = typer.Option(
        0.0,
        "--buffer-days",
        parser=options.amount,
        help="With --survive-ttr: days of output every node holds (default 0, JIT).",
    ),
    survive_from: int | None = typer.Option(
        None,
        "--survive-from",
        parser=options.whole(1900, 2200),
        help="With --survive-ttr: first year the rule applies (default: the first period).",
    ),
    hazards: Path | None = typer.Option(
        None,
        "--hazards",
        help="YAML laid over the default hazard model (data/tables/hazards.yaml): prices "
        "the risk component and gives each site's TTR.",
    ),
    time_limit: float | None = TIME_LIMIT_OPT,
    mip_gap: float = MIP_GAP_OPT,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for result.json, the CSV tables and manifest.json (replaced as a whole; "
        "a folder of another command's outputs is refused).",
    ),
) -> None:
    """Choose which sites to open, keep or close, and when, over policy scenarios.

    Exit codes: 0 a plan (optimal, or stopped at a limit: status 'feasible' with its gap
    and bound); 2 bad input; 3 no plan (infeasible, no plan within the time limit,
    unbounded, numerical trouble; with --json the outcome is printed as JSON).
    """
    from dataclasses import replace

    from shoring.optimize.design import optimize_design
    from shoring.simulate import load_hazards
    from shoring.simulate.hazards import recovery_days

    if (buffer_days or survive_from is not None) and not survive_ttr:
        raise ShoringError("--buffer-days and --survive-from apply to --survive-ttr: add it")
    model = load_hazards(hazards)
    spec = _spec(
        objective=objective,
        alpha=alpha,
        risk_weight=risk_weight,
        max_country_share=max_country_share,
        share_by=share_by,
        share_scope=share_scope,
        local_content=local_content,
        max_lead_time_days=max_lead_time,
        budget=budget,
        max_lost_share=max_lost_share,
        buffer_days=buffer_days,
        survive_from=survive_from,
    )
    options = _options(time_limit, mip_gap)
    payload: dict[str, Any] | None = None
    try:
        with _owned(out, "optimize", network, scenario) as folder:
            with no_plan_as_json(as_json), spinner() as progress:
                data = _data(
                    network, scenario, probabilities, years, progress, max_sites_per_market,
                    model if hazards is not None else None, folder,
                )  # fmt: skip
                if survive_ttr:
                    ttr = recovery_days(model, data.sites, data.site_country)
                    spec = replace(spec, ttr_days=dict(zip(data.sites, ttr, strict=True)))
                result = optimize_design(
                    data,
                    spec,
                    options,
                    shadow_prices=explain,
                    site_deltas=explain,
                    alternatives=alternatives,
                    within=within,
                    progress=progress,
                )
            payload = result.to_dict()
            frames = {
                "flows": result.flows_frame(),
                "footprint": result.footprint_frame(),
                "lost_sales": pd.DataFrame(payload["lost_sales"]),
            }
            # shown first: the result is on screen whatever happens to the files
            if as_json:
                typer.echo(json_text(payload))
            else:
                _print_result(payload)
            if folder is not None:
                _write(folder.path, "result", payload, frames)
    except (OSError, ShoringError) as exc:
        if payload is None:
            raise
        _rescue("optimize", "result", payload, frames, exc)


def pareto(
    network: Path = typer.Argument(..., help=options.NETWORK_HELP),
    scenario: list[str] = SCENARIO_OPT,
    probabilities: Any = PROB_OPT,
    points: int = typer.Option(
        5, "--points", parser=options.whole(1, 100), help="Points per sweep."
    ),
    sweep: str = typer.Option("both", "--sweep", help="lambda, cap or both."),
    alpha: float = ALPHA_OPT,
    lambda_max: float = typer.Option(
        20.0, "--lambda-max", parser=options.amount, help="Largest risk weight swept."
    ),
    share_by: str = SHARE_BY_OPT,
    max_lost_share: float = MAX_LOST_OPT,
    years: Any = YEARS_OPT,
    max_sites_per_market: int | None = K_OPT,
    time_limit: float | None = TIME_LIMIT_OPT,
    mip_gap: float = MIP_GAP_OPT,
    as_json: bool = typer.Option(False, "--json", help="Print the frontier as JSON on stdout."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for pareto.json, pareto.csv and manifest.json (replaced as a whole; "
        "a folder of another command's outputs is refused).",
    ),
) -> None:
    """Frontier of expected cost vs CVaR (sweep lambda) and vs max single-country share.

    A point whose solve ends without a plan is listed with its status (infeasible, no
    plan within the time limit...); lost sales are listed whenever a point has any.
    """
    from shoring.optimize.design.pareto import pareto_points, points_frame

    sweeps = {"both": ("lambda", "cap"), "lambda": ("lambda",), "cap": ("cap",)}.get(sweep)
    if sweeps is None:
        raise ShoringError(f"--sweep must be lambda, cap or both, not {sweep!r}")
    spec = _spec(alpha=alpha, share_by=share_by, max_lost_share=max_lost_share)
    options = _options(time_limit, mip_gap)
    payload: dict[str, Any] | None = None
    try:
        with _owned(out, "pareto", network, scenario) as folder:
            with spinner() as progress:
                data = _data(
                    network, scenario, probabilities, years, progress, max_sites_per_market,
                    folder=folder,
                )  # fmt: skip
                rows = pareto_points(data, spec, points, options, sweeps, lambda_max, progress)
            payload = {"points": [p.to_dict() for p in rows]}
            frames = {"pareto": points_frame(rows)}
            # shown first: the frontier is on screen whatever happens to the files
            _print_frontier(payload, as_json)
            if folder is not None:
                _write(folder.path, "pareto", payload, frames)
    except (OSError, ShoringError) as exc:
        if payload is None:
            raise
        _rescue("pareto", "pareto", payload, frames, exc)


def _print_frontier(payload: dict[str, Any], as_json: bool) -> None:
    from shoring.optimize.design.lost import lost_sentence

    if as_json:
        typer.echo(json_text(payload))
        return
    table = Table(title="Cost-risk frontier (USD over the horizon)")
    cols = ("sweep", "lambda", "cap", "status", "expected", "CVaR", "max share", "lost", "sites")
    for col in cols:
        table.add_column(col)
    for p in payload["points"]:
        lost = p.get("lost_units") or 0.0
        table.add_row(
            p["sweep"],
            f"{p['lambda']:g}",
            f"{p['cap']:.2f}",
            p["status"],
            _money(p["expected_cost"]),
            _money(p["cvar"]),
            "-" if p["max_country_share"] is None else f"{p['max_country_share']:.0%}",
            f"{lost:,.0f} units" if lost > 1e-6 else "0",
            " + ".join(p["open_sites"]) or "-",
        )
    con = console.out
    con.print(table)
    seen: set[str] = set()
    for p in payload["points"]:
        for summary in p.get("lost_sales_summary") or ():
            if summary["product"] not in seen:  # the penalty note once per product
                seen.add(summary["product"])
                con.print(f"{p['sweep']} sweep: " + lost_sentence(summary))


def register(app: typer.Typer) -> None:
    """Add ``optimize`` and ``pareto`` to the root app."""
    app.command("optimize")(optimize)
    app.command("pareto")(pareto)
