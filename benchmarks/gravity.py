"""Benchmark of structural gravity (PPML, pyfixest) and the GE solver against baselines.

Run::

    pip install -e ".[bench,macro]"
    python benchmarks/gravity.py [--rows 1000000] [--seed 7] [--sm-countries 20]

Measured in one run:

1. the book's panel (Yotov et al. 2016, ``../shared/data/trade/yotov2016_agtpa_applications.csv``,
   1986-2006 every 4 years with domestic flows, 28,566 rows): PPML of trade on RTA with its
   lags and border dummies by year, exporter-year, importer-year and pair effects, pyfixest
   ``fepois`` (skipped when the file is absent);
2. a seeded synthetic panel of about ``rows`` observations (``np.random.default_rng(seed)``;
   countries x countries x years, trade drawn from a Poisson with exporter-year,
   importer-year and pair effects, ln distance and an RTA dummy; figures invented for
   timing only): the same PPML;
3. statsmodels GLM Poisson with explicit dummy variables (the textbook way, what the
   book's Stata ``ppml`` with ``tabulate, gen()`` dummies does) against pyfixest on the
   same synthetic subsample of ``sm-countries`` countries x 6 years (pairs that never
   trade left out), the coefficients compared;
4. a full-endowment GE counterfactual on 69 countries (``trade_without_borders.yaml``,
   estimation excluded), when the data is present.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from shoring.data.paths import shared_data_dir

warnings.simplefilter("ignore")  # pyfixest notes dropped rows; the counts are printed


def _timed(fn, *args, **kw):
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def synthetic_panel(countries: int, years: int, seed: int) -> pd.DataFrame:
    """Seeded gravity panel: ``countries ** 2 * years`` rows (domestic flows included).

    Parameters
    ----------
    countries, years : int
        Panel size.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        ``exporter, importer, year, pair, trade, ln_dist, rta``; true coefficients
        ln_dist -0.8, rta 0.3.
    """
    rng = np.random.default_rng(seed)
    n, t = countries, years
    xy = rng.uniform(0, 100, (n, 2))
    dist = 1 + np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    ex, im, yr = np.meshgrid(np.arange(n), np.arange(n), np.arange(t), indexing="ij")
    ex, im, yr = ex.ravel(), im.ravel(), yr.ravel()
    pair_fe = rng.normal(0, 0.5, (n, n))
    pair_fe = (pair_fe + pair_fe.T) / 2
    blocs = rng.integers(0, 8, n)
    rta = ((blocs[ex] == blocs[im]) & (ex != im) & (yr >= rng.integers(0, t, n)[ex])).astype(float)
    eta = (
        5.0
        + rng.normal(0, 1, (n, t))[ex, yr]
        + rng.normal(0, 1, (n, t))[im, yr]
        + pair_fe[ex, im]
        - 0.8 * np.log(dist[ex, im])
        + 0.3 * rta
    )
    low, high = np.minimum(ex, im), np.maximum(ex, im)
    return pd.DataFrame(
        {
            "exporter": ex.astype(str),
            "importer": im.astype(str),
            "year": yr,
            "pair": (low * n + high).astype(str),
            "trade": rng.poisson(np.exp(eta)).astype(float),
            "ln_dist": np.log(dist[ex, im]),
            "rta": rta,
        }
    )


def pyfixest_ppml(frame: pd.DataFrame, rhs: str, effects: str):
    import pyfixest as pf

    frame = frame.assign(
        ey=frame["exporter"] + "|" + frame["year"].astype(str),
        iy=frame["importer"] + "|" + frame["year"].astype(str),
    )
    return pf.fepois(f"trade ~ {rhs} | {effects}", data=frame, vcov={"CRV1": "pair"})


def statsmodels_dummies(frame: pd.DataFrame, rhs: list[str]):
    """GLM Poisson with explicit exporter-year, importer-year and pair dummies."""
    import statsmodels.api as sm

    ey = frame["exporter"] + "|" + frame["year"].astype(str)
    iy = frame["importer"] + "|" + frame["year"].astype(str)
    dummies = pd.concat(
        [
            pd.get_dummies(ey, prefix="ey", dtype=float),
            pd.get_dummies(iy, prefix="iy", dtype=float).iloc[:, 1:],
            pd.get_dummies(frame["pair"], prefix="p", dtype=float).iloc[:, 1:],
        ],
        axis=1,
    )
    design = pd.concat([frame[rhs].reset_index(drop=True), dummies.reset_index(drop=True)], axis=1)
    model = sm.GLM(frame["trade"].to_numpy(), design.to_numpy(), family=sm.families.Poisson())
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["pair"])[0]})
    return dict(zip(rhs, fit.params[: len(rhs)], strict=True)), design.shape


def book_panel(data: Path) -> None:
    frame = pd.read_csv(data)
    frame = frame[frame["year"].isin(range(1986, 2007, 4))].copy()
    frame["pair"] = frame["pair_id"].astype(str)
    border = frame["exporter"] != frame["importer"]
    years = [1986, 1990, 1994, 1998, 2002]
    for y in years:
        frame[f"b{y}"] = (border & (frame["year"] == y)).astype(float)
    rhs = "rta + rta_lag4 + rta_lag8 + rta_lag12 + " + " + ".join(f"b{y}" for y in years)
    fit, seconds = _timed(pyfixest_ppml, frame, rhs, "ey + iy + pair")
    print(
        f"book panel: {len(frame):,} rows ({fit._N:,} used), "
        f"{frame['pair'].nunique():,} pairs: pyfixest {seconds:.2f} s, "
        f"rta {fit.coef()['rta']:.3f} (book 0.116)"
    )


def ge_timing(data: Path) -> None:
    from shoring.cli.gravity_cmd import example_specs
    from shoring.macro import ge
    from shoring.macro.ge_run import run_counterfactual
    from shoring.macro.ge_spec import CounterfactualSpec
    from shoring.macro.gravity_spec import load_spec

    spec_path = example_specs()["trade_without_borders"]
    result, total = _timed(
        run_counterfactual, load_spec(CounterfactualSpec, spec_path), spec_path, data
    )
    base = result.base
    _, again = _timed(ge.solve_full, result.full.cost, base, result.sigma, 0)
    print(
        f"GE, 69 countries (trade without borders): baseline + conditional + full "
        f"{result.seconds:.3f} s ({result.full.iterations} price iterations); full alone "
        f"{again:.3f} s; with the PPML and reading the CSV {total:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sm-countries", type=int, default=20)
    args = parser.parse_args()

    shared = shared_data_dir()
    if shared is not None:
        book_panel(shared / "trade" / "yotov2016_agtpa_applications.csv")
    else:
        print("book panel: ../shared/data not found, skipped")

    years = 10
    countries = round((args.rows / years) ** 0.5)
    frame, build = _timed(synthetic_panel, countries, years, args.seed)
    fit, seconds = _timed(pyfixest_ppml, frame, "ln_dist + rta", "ey + iy + pair")
    b = fit.coef()
    print(
        f"synthetic panel: {len(frame):,} rows ({countries} countries x {years} years, "
        f"{frame['pair'].nunique():,} pairs; built in {build:.1f} s): pyfixest {seconds:.1f} s, "
        f"rta {b['rta']:.4f} (true 0.3)"
    )

    small = synthetic_panel(args.sm_countries, 6, args.seed)
    small = small[small.groupby("pair")["trade"].transform("sum") > 0]  # estimable pairs
    ours, t_ours = _timed(pyfixest_ppml, small, "ln_dist + rta", "ey + iy + pair")
    (theirs, shape), t_sm = _timed(statsmodels_dummies, small, ["rta"])
    ours_rta = float(ours.coef()["rta"])
    print(
        f"subsample {len(small):,} rows, {shape[1]:,} dummy columns: pyfixest {t_ours:.2f} s, "
        f"statsmodels GLM {t_sm:.2f} s ({t_sm / t_ours:.0f}x); rta {ours_rta:.6f} vs "
        f"{theirs['rta']:.6f}"
    )
    if shared is not None:
        ge_timing(shared / "trade" / "yotov2016_trade_without_borders_2006.csv")


if __name__ == "__main__":
    main()
