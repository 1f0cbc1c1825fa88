"""``shoring gravity estimate|counterfactual|report|examples``: gravity from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from shoring.cli.console import Table, spinner
from shoring.cli.console import err as console_err
from shoring.cli.console import out as console
from shoring.errors import ShoringError
from shoring.textsafe import json_text

GRAVITY_EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "gravity"
"""Folder of the shipped gravity and GE specs."""


def example_specs() -> dict[str, Path]:
    """Shipped specs, name (file stem) -> path, sorted by name."""
    return {p.stem: p for p in sorted(GRAVITY_EXAMPLES.glob("*.yaml"))}


def resolve_spec(spec: str) -> Path:
    """A spec file path, or the shipped example of that name (``traditional_gravity``).

    Raises
    ------
    ShoringError
        When the path does not exist and no example has that name.
    """
    path = Path(spec)
    if path.exists():
        return path
    known = example_specs()
    stem = path.name.removesuffix(".yaml")
    if stem in known and path.parent == Path("."):
        return known[stem]
    raise ShoringError(f"spec {spec!r} not found; shipped examples: {', '.join(known)}")


def _first_line(path: Path) -> str:
    from shoring import safeyaml

    _, data = safeyaml.load(safeyaml.read_text(path, str(path)), str(path))
    return str(data.get("title", "")) if isinstance(data, dict) else ""


def _coef_table(title: str, rows: dict[str, dict[str, float]]) -> Table:
    table = Table(title=title)
    for col in ("variable", "estimate", "std. error"):
        table.add_column(col, justify="left" if col == "variable" else "right")
    for name, v in rows.items():
        table.add_row(name, f"{v['estimate']:.3f}", f"({v['std_error']:.3f})")
    return table


def _print_estimate(result: dict[str, Any], title: str) -> None:
    console.print(_coef_table(title or "PPML estimates", result["coefficients"]))
    if "sums" in result:
        console.print(_coef_table("Sums of coefficients (delta method)", result["sums"]))
    sample = result["sample"]
    console.print(
        f"N = {result['n_obs']:,}   pseudo R2 = {result['pseudo_r2']:.3f}   "
        f"fixed effects: {', '.join(result['fixed_effects']) or 'none'}   "
        f"years: {', '.join(map(str, sample['years']))}"
        + ("   international flows only" if sample["international_only"] else "")
    )


def register(app: typer.Typer) -> None:
    """Add the ``gravity`` command group to the root app."""
    group = typer.Typer(help="Structural gravity (PPML) and general-equilibrium counterfactuals.")
    app.add_typer(group, name="gravity")

    @group.command("examples")
    def examples(
        as_json: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
    ) -> None:
        """List the shipped gravity specs (run one by name or copy it)."""
        rows = [
            {"name": name, "path": str(path), "title": _first_line(path)}
            for name, path in example_specs().items()
        ]
        if as_json:
            typer.echo(json_text(rows))
            return
        from shoring.data.paths import shared_data_dir

        shared = shared_data_dir()
        folder = "not found: set SHORING_SHARED_DATA" if shared is None else str(shared / "trade")
        table = Table(title=f"Gravity examples (data: {folder}, or your own CSV with --data)")
        for col in ("name", "title"):
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(row["name"], row["title"])
        console.print(table)

    @group.command("estimate")
    def estimate_cmd(
        spec: str = typer.Argument(..., help="Spec YAML file or a shipped example name."),
        data: Path | None = typer.Option(None, "--data", help="Trade CSV (overrides data:)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
    ) -> None:
        """Estimate a structural gravity equation by PPML with fixed effects."""
        from shoring.macro.gravity import estimate
        from shoring.macro.gravity_spec import GravitySpec, load_spec

        path = resolve_spec(spec)
        model = load_spec(GravitySpec, path)
        with spinner("reading the spec") as update:
            result = estimate(model, path, data, progress=update).to_dict()
        if as_json:
            typer.echo(json_text(result))
        else:
            _print_estimate(result, model.title)

    @group.command("counterfactual")
    def counterfactual_cmd(
        spec: str = typer.Argument(..., help="Spec YAML file or a shipped example name."),
        data: Path | None = typer.Option(None, "--data", help="Trade CSV (overrides data:)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON to stdout."),
        scenario_out: Path | None = typer.Option(
            None,
            "--scenario-out",
            help=(
                "Write the factory-gate price changes, baseline -> counterfactual, as a "
                "scenario YAML for the firm model (for an agreement: the world without it, "
                "the opposite sign of the agreement effects shown)."
            ),
        ),
        start_year: int = typer.Option(
            2027, "--start-year", help="Year the written scenario changes labour costs."
        ),
        parent: list[str] = typer.Option(
            [], "--parent", help="Parent scenario of the written one (repeatable)."
        ),
    ) -> None:
        """General-equilibrium effects of a change in trade costs (GEPPML)."""
        from shoring.macro.ge_run import run_counterfactual
        from shoring.macro.ge_spec import CounterfactualSpec
        from shoring.macro.gravity_spec import load_spec

        path = resolve_spec(spec)
        model = load_spec(CounterfactualSpec, path)
        with spinner("reading the spec") as update:
            result = run_counterfactual(model, path, data, progress=update)
        if scenario_out is not None:
            from shoring.macro.ge_scenario import price_scenario_text, write_price_scenario

            name = scenario_out.stem.lower().replace("_", "-")
            title = f"GE prices, baseline -> counterfactual: {model.title or path.stem}"
            text = price_scenario_text(result, name, start_year, title, tuple(parent))
            write_price_scenario(scenario_out, text)
            note = " (opposite in sign to the agreement effects)" * (result.report == "agreement")
            console_err.print(
                f"wrote {scenario_out}: price changes from the baseline to the counterfactual{note}"
            )
        if as_json:
            typer.echo(json_text(result.to_dict()))
        else:
            _print_counterfactual(result, model.title)

    @group.command("report")
    def report_cmd(
        spec: str = typer.Argument(..., help="Spec YAML file or a shipped example name."),
        data: Path | None = typer.Option(None, "--data", help="Trade CSV (overrides data:)."),
        out: Path = typer.Option(Path("gravity-report.html"), "--out", help="HTML file."),
    ) -> None:
        """Solve a counterfactual and write an offline HTML report (maps, diversion)."""
        from shoring.macro.ge_run import run_counterfactual
        from shoring.macro.ge_spec import CounterfactualSpec
        from shoring.macro.gravity_spec import load_spec
        from shoring.outputs import write_text_atomic
        from shoring.report.gravity import gravity_report

        path = resolve_spec(spec)
        model = load_spec(CounterfactualSpec, path)
        with spinner("reading the spec") as update:
            result = run_counterfactual(model, path, data, progress=update)
            update("writing the report")
            write_text_atomic(out, gravity_report(result, model.title, model.description))
        console.print(f"wrote {out}")


COUNTRY_COLUMNS = {
    "exports_change_pct_conditional": "exports % (cond.)",
    "exports_change_pct_full": "exports % (full)",
    "producer_price_change_pct": "price %",
    "omr_change_pct": "OMR %",
    "imr_change_pct": "IMR %",
    "real_gdp_change_pct": "real GDP %",
}


def _print_counterfactual(result: Any, title: str) -> None:
    table = Table(title=title or "General-equilibrium effects")
    table.add_column("country")
    for label in COUNTRY_COLUMNS.values():
        table.add_column(label, justify="right")
    frame = result.country_table().sort_values("real_gdp_change_pct", ascending=False)
    for row in frame.itertuples(index=False):
        values = [getattr(row, k) for k in COUNTRY_COLUMNS]
        table.add_row(row.country, *(f"{v:.2f}" for v in values))
    console.print(table)
    basis = (
        "counterfactual -> baseline"
        if result.report == "agreement"
        else "baseline -> counterfactual"
    )
    console.print(f"changes {basis}; sigma = {result.sigma:g}; GE solved in {result.seconds:.2f} s")
    if result.tariffs is not None:
        shock = result.tariffs
        duties = shock["duties"]
        shown = ", ".join(
            f"{d['importer']} on {d['exporter']} {d['duty_pct']:.2f}%" for d in duties[:10]
        )
        more = f" and {len(duties) - 10} more pairs (--json)" if len(duties) > 10 else ""
        console.print(
            f"tariff shock: duties of scenario {shock['scenario']} in force on {shock['when']} "
            f"beyond the baseline, mean over {len(shock['hs6'])} HS6 codes, "
            f"{shock['weighting']}: "
            f"{shown or 'no pair pays a duty'}{more}"
        )
    for market in result.diversion():
        rows = market["suppliers"]
        gains = ", ".join(f"{r['exporter']} {r['change_pp']:+.2f}" for r in rows[:5])
        losses = ", ".join(f"{r['exporter']} {r['change_pp']:+.2f}" for r in rows[-3:])
        console.print(f"import shares in {market['market']} (pp): {gains} ... {losses}")
