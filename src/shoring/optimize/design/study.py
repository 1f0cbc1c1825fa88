"""The network-design study: each scenario alone, the robust plan, the cost-risk frontier.

:func:`run_design_study` solves the models a study's design section shows and returns a
:class:`DesignStudy` of finished results, which the report and the CLI only read.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from shoring.optimize.design import DesignData, DesignResult

__all__ = ["REGRET_TOL", "DesignStudy", "run_design_study"]

#: Regrets within this share of a scenario's own optimum are the MIP gap, not a cost.
REGRET_TOL = 1e-4


@dataclass(frozen=True, eq=False)
class DesignStudy:
    """Finished network-design results of a study.

    Parameters
    ----------
    alone : mapping
        Scenario name -> :class:`~shoring.optimize.design.DesignResult` of that scenario
        optimized alone (expected-cost objective, probability 1): its own optimum.
    robust : DesignResult
        All scenarios together (CVaR objective: expected + ``risk_weight`` x CVaR_alpha),
        with its near-optimal ``alternatives``.
    frontier : pandas.DataFrame
        :func:`~shoring.optimize.design.pareto_frame` output (``lambda`` and ``cap``
        sweeps).
    probabilities : mapping
        Scenario -> probability used by the robust plan.
    risk_weight : float
        ``lambda`` of the robust plan's objective.
    within : float
        Largest relative cost increase of an alternative (0.05 = 5 %).
    """

    alone: Mapping[str, DesignResult]
    robust: DesignResult
    frontier: pd.DataFrame
    probabilities: Mapping[str, float]
    risk_weight: float = 1.0
    within: float = 0.05

    @property
    def alpha(self) -> float:
        """CVaR level of the robust plan.

        Returns
        -------
        float
            ``robust.alpha``, e.g. 0.9 for CVaR90.
        """
        return float(self.robust.alpha)

    def own_optimum(self, scenario: str) -> float:
        """Cost of ``scenario``'s own optimum (NaN when it was not optimized alone).

        Parameters
        ----------
        scenario : str
            Scenario name.

        Returns
        -------
        float
            Expected cost of the scenario's alone plan, USD.
        """
        result = self.alone.get(scenario)
        return float("nan") if result is None else float(result.expected_cost)

    def regret(self) -> pd.DataFrame:
        """The robust plan against each scenario's own optimum.

        Returns
        -------
        pandas.DataFrame
            One row per scenario of the robust plan: ``scenario``, ``probability``,
            ``robust_cost`` (the robust plan's cost in that scenario, USD over the
            horizon), ``own_optimum`` (:meth:`own_optimum`), ``regret`` (robust cost minus
            own optimum; 0 within :data:`REGRET_TOL` of the own optimum, the MIP gap) and
            ``regret_share`` (regret / own optimum; 0 where the regret is 0, NaN where
            the own optimum is 0 or unknown).
        """
        import pandas as pd

        rows = []
        for w, cost in self.robust.cost_by_scenario.items():
            own = self.own_optimum(w)
            regret = float(cost) - own
            if abs(regret) <= REGRET_TOL * max(abs(own), 1.0):
                regret = 0.0
            rows.append(
                {
                    "scenario": w,
                    "probability": float(self.probabilities.get(w, float("nan"))),
                    "robust_cost": float(cost),
                    "own_optimum": own,
                    "regret": regret,
                }
            )
        costs = pd.DataFrame(
            rows, columns=["scenario", "probability", "robust_cost", "own_optimum", "regret"]
        )
        own_cost = costs["own_optimum"].where(costs["own_optimum"] != 0)
        costs["regret_share"] = (costs["regret"] / own_cost).where(costs["regret"] != 0, 0.0)
        return costs


POLL_SECONDS = 0.5
"""How often the wait for the frontier's process calls the progress callback."""


class _Background:
    """Run one call in a spawned worker process while this one works, or, when no
    worker can start (or it dies), in this process when the result is asked for."""

    def __init__(self, parallel: bool) -> None:
        self.parallel = parallel
        self.pool: ProcessPoolExecutor | None = None
        self.future: Any = None
        self.call: Callable[[Callable[[str], None]], Any] | None = None
        self.in_process = False

    def __enter__(self) -> _Background:
        if self.parallel:
            try:
                self.pool = ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
            except (OSError, ValueError):
                self.pool = None
        return self

    def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start ``fn(*args)``; ``fn`` also takes a ``progress`` keyword (used in-process)."""
        self.call = lambda progress: fn(*args, progress=progress)
        if self.pool is not None:
            try:
                self.future = self.pool.submit(fn, *args)
            except (OSError, RuntimeError, BrokenProcessPool):
                self.future = None

    def result(self, progress: Callable[[str], None], message: str = "") -> Any:
        """The call's result (waits for the worker, calling ``progress(message)`` every
        :data:`POLL_SECONDS`: a progress callback that raises, e.g. on a cancelled run,
        stops the wait, and leaving the ``with`` block then terminates the worker)."""
        if self.future is not None:
            try:
                while True:
                    try:
                        return self.future.result(timeout=POLL_SECONDS)
                    except FutureTimeout:
                        progress(message)
            except BrokenProcessPool:
                pass  # the worker died (e.g. out of memory): run it here instead
        assert self.call is not None
        self.in_process = True
        return self.call(progress)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.pool is None:
            return
        if exc_type is None:
            self.pool.shutdown(wait=True)
            return
        # an error here: stop the worker we started rather than wait for it
        workers = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()


def run_design_study(
    data: DesignData,
    *,
    points: int = 4,
    alternatives: int = 3,
    within: float = 0.05,
    alpha: float = 0.9,
    risk_weight: float = 1.0,
    mip_gap: float = 1e-4,
    progress: Callable[[str], None] | None = None,
    echo: Callable[[str], None] | None = None,
    parallel: bool = True,
) -> DesignStudy:
    """Solve the design study of already priced model data.

    Solves each scenario alone (expected cost), the robust plan (all scenarios, expected
    + ``risk_weight`` x CVaR_``alpha``, the data's probabilities) with up to
    ``alternatives`` near-optimal footprints within ``within``, and the frontier
    (:func:`~shoring.optimize.design.pareto_frame`, ``points`` per sweep). With
    ``parallel``, the frontier is solved in a second (spawned) process meanwhile; if that
    process cannot start, it is solved here afterwards.

    Parameters
    ----------
    data : DesignData
        Model data (:meth:`shoring.study.Study.design_data`).
    points, alternatives, within, alpha, risk_weight, mip_gap
        Frontier points per sweep; near-optimal footprints of the robust plan and their
        largest relative cost increase (0.05 = 5 %); CVaR level; lambda of the robust
        objective; HiGHS relative MIP gap.
    progress : callable, optional
        Receives a short text whenever a model starts (for a spinner).
    echo : callable, optional
        Receives one line per finished stage, with its time.
    parallel : bool
        Solve the frontier in a second process.

    Returns
    -------
    DesignStudy
        The finished results.
    """
    from shoring.optimize import SolveOptions
    from shoring.optimize.design import DesignSpec, optimize_design, pareto_frame

    say = echo or (lambda _msg: None)
    tell = progress or (lambda _msg: None)
    options = SolveOptions(mip_rel_gap=mip_gap)
    lean = {"shadow_prices": False, "site_deltas": False}
    names = data.scenarios
    start = mark = time.perf_counter()
    with _Background(parallel) as background:
        # the frontier is the longest independent part: a second process solves it
        # while this one solves the scenarios alone and the robust plan
        background.start(pareto_frame, data, DesignSpec(alpha=alpha), points, options)
        alone = {}
        for w, name in enumerate(names):
            tell(f"optimizing {name} alone ({w + 1} of {len(names)})")
            alone[name] = optimize_design(
                data.with_scenarios([w], [1.0]), DesignSpec(alpha=alpha), options, **lean
            )
        say(
            f"  each scenario alone (expected cost): {len(names)} MILPs, "
            f"{time.perf_counter() - mark:.1f} s"
        )
        mark = time.perf_counter()
        tell("robust plan (all scenarios, expected cost + CVaR)")
        robust = optimize_design(
            data,
            DesignSpec(objective="cvar", alpha=alpha, risk_weight=risk_weight),
            options,
            alternatives=alternatives,
            within=within,
            progress=tell,
            **lean,
        )
        say(
            f"  robust plan (expected + {risk_weight:g} x CVaR{alpha * 100:g}, all "
            f"scenarios) and {len(robust.alternatives)} alternative(s) within "
            f"{within:.0%}: {time.perf_counter() - mark:.1f} s"
        )
        second = " (second process)" if background.future is not None else ""
        tell(f"cost-risk frontier{second}")
        frontier = background.result(tell, f"cost-risk frontier{second}")
    say(
        f"  cost-risk frontier: {len(frontier)} points"
        + ("" if background.in_process else ", solved alongside in a second process")
        + f"; network design done in {time.perf_counter() - start:.1f} s"
    )
    return DesignStudy(
        alone=alone,
        robust=robust,
        frontier=frontier,
        probabilities={w: float(p) for w, p in zip(names, data.probability, strict=True)},
        risk_weight=risk_weight,
        within=within,
    )
