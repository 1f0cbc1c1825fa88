"""Tariff shocks of counterfactual specs: a scenario's duties on a date as trade-cost changes.

The additional duty of each (exporter, importer) pair is the scenario's duty in force on
the shock's date minus the duty without the scenario's measures, averaged over the shock's
HS6 codes (equal or trade weights), charged by the landed-cost engine's preference rule
(:func:`shoring.costs.duties.day_rates`); it multiplies the trade-cost term by
``(1 + t) ** (-sigma)``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shoring.errors import ShoringError
from shoring.macro.ge_spec import TariffShock

if TYPE_CHECKING:
    from shoring.scenario import Scenario


class BlockedLaneError(ShoringError):
    """A scenario blocks a lane (ban, sanction): no finite trade cost in the model."""


BASELINE = "no-measures"
"""Name of the measure-free scenario whose duties the baseline trade costs hold."""


def claim_shares(
    countries: tuple[str, ...], hs6: tuple[str, ...], when: date, share: float | None = None
) -> np.ndarray:
    """Share of each pair's trade that claims an agreement's preference, (N, N, H).

    Parameters
    ----------
    countries : tuple of str
        ISO3 codes (N).
    hs6 : tuple of str
        HS6 codes (H).
    when : datetime.date
        Date of the duties (the USMCA table's year, :func:`shoring.data.utilization.table_year`).
    share : float, optional
        One share for every pair. Default: the cited USMCA utilization of Canada and Mexico
        into the United States by HS6, 1 elsewhere (ASSUMPTION; it matters only where an
        agreement covers the lane).

    Returns
    -------
    numpy.ndarray, shape (N, N, H)
        ``s[i, j, h]`` for exporter i, importer j (fraction).

    Raises
    ------
    ShoringError
        A USMCA lane and HS6 code without a figure (not even for its chapter).
    """
    from shoring.data.utilization import IMPORTER, usmca_utilization

    n, h = len(countries), len(hs6)
    out = np.full((n, n, h), 1.0 if share is None else float(share))
    if share is not None or IMPORTER not in countries:
        return out
    j = countries.index(IMPORTER)
    for i, code in enumerate(countries):
        if code in ("CAN", "MEX"):
            cited = usmca_utilization([code], hs6, when.year)[0]
            if np.isnan(cited).any():
                missing = hs6[int(np.argmax(np.isnan(cited)))]
                raise ShoringError(
                    f"no USMCA utilization figure for {code} -> {IMPORTER} on HS6 {missing} "
                    "(nor its chapter): give shock: tariffs: preference_share:"
                )
            out[i, j] = cited
    return out


def duty_rates(
    scenario: Scenario,
    when: date,
    hs6: tuple[str, ...],
    countries: tuple[str, ...],
    label: str | None = None,
    weights: np.ndarray | None = None,
    shares: np.ndarray | None = None,
) -> np.ndarray:
    """Mean additional ad valorem duty ``t_ij`` of a scenario over HS6 codes, shape (N, N).

    Each (pair, HS6) cell is charged by the landed-cost engine's rule
    (:func:`shoring.costs.duties.day_rates`), for the share ``s`` of its trade that claims
    an agreement's preference (rule of origin met) and the rest::

        d = s * met + (1 - s) * not_met

    and ``t = d(scenario) - d(no measures)``: the baseline trade costs already hold the
    MFN and preferential duties.

    Parameters
    ----------
    scenario : Scenario
        The scenario (composed with its parents).
    when : datetime.date
        Date the measures in force are read on.
    hs6 : tuple of str
        HS6 codes (H), averaged with equal weights unless ``weights`` are given.
    countries : tuple of str
        ISO3 codes (N).
    label : str, optional
        Name of the scenario in errors (default: its name).
    weights : numpy.ndarray, shape (N, N, H), optional
        Trade weights of each pair's HS6 codes (:func:`shoring.macro.tariff_weights.read_weights`).
    shares : numpy.ndarray, shape (N, N, H), optional
        Share of each cell's trade that claims the preference (:func:`claim_shares`;
        default: its default).

    Returns
    -------
    numpy.ndarray, shape (N, N)
        ``t[i, j]`` (exporter i, importer j) as a fraction; 0 on the diagonal.

    Raises
    ------
    BlockedLaneError
        A scenario that blocks a lane (ban, sanction) on ``when``: a blocked lane has no
        finite trade cost in this model.
    """
    from shoring.costs.duties import day_rates
    from shoring.scenario import Scenario

    share = claim_shares(countries, hs6, when) if shares is None else shares
    scn = day_rates(scenario, hs6, countries, when)  # (H, N, N): hs, exporter, importer
    if np.any(scn["blocked"] > 0):
        name = label or scenario.name
        raise BlockedLaneError(f"scenario {name} blocks lanes on {when}: not a tariff")
    base = day_rates(Scenario(name=BASELINE, title="No measures"), hs6, countries, when)
    met = (scn["met"] - base["met"]).transpose(1, 2, 0)
    not_met = (scn["not"] - base["not"]).transpose(1, 2, 0)
    cells_rate = share * met + (1.0 - share) * not_met
    if weights is None:
        rate = cells_rate.mean(axis=2)
    else:
        total = weights.sum(axis=2)
        np.fill_diagonal(total, 1.0)  # domestic sales pay no duty
        rate = (cells_rate * weights).sum(axis=2) / total
    np.fill_diagonal(rate, 0.0)
    return rate


def shock_duties(
    shock: TariffShock, countries: tuple[str, ...], folder: Path | None = None
) -> np.ndarray:
    """The additional duty ``t_ij`` of a tariff shock, (N, N), exporter by importer.

    The scenario's duties on ``shock.when`` averaged over ``shock.hs6`` (:func:`duty_rates`)
    with the shock's weights and preference shares; ``folder`` is where a relative scenario
    or weights file name is read from (the spec's).

    Raises
    ------
    ShoringError
        For an unknown scenario, or a scenario that blocks a lane (:func:`duty_rates`);
        a bad weights file (located problems).
    """
    from shoring.scenario import load_scenario

    name: str | Path = shock.scenario
    if name.endswith((".yaml", ".yml")) and folder is not None:
        name = folder / name
    weights = shock_weights(shock, countries, folder)
    shares = claim_shares(countries, shock.hs6, shock.when, shock.preference_share)
    return duty_rates(
        load_scenario(name), shock.when, shock.hs6, countries, shock.scenario, weights, shares
    )


def tariff_factor(
    shock: TariffShock, countries: tuple[str, ...], sigma: float, folder: Path | None = None
) -> np.ndarray:
    """``(1 + t_ij) ** (-sigma)`` for the shock's duties :func:`shock_duties`, (N, N).

    1 on the diagonal; raises as :func:`shock_duties`.
    """
    return (1.0 + shock_duties(shock, countries, folder)) ** (-sigma)


def shock_summary(shock: TariffShock, rate: np.ndarray, countries: tuple[str, ...]) -> dict:
    """What a tariff shock applied: its source and each paying pair's duty.

    Returns
    -------
    dict
        ``{scenario, when, hs6, weighting, preference_share, duties: [{importer, exporter,
        duty_pct}]}``, the duties (percent ad valorem, additional to the baseline's) of
        every pair with a non-zero one, highest first.
    """
    exp, imp = np.nonzero(rate)
    order = np.argsort(-rate[exp, imp], kind="stable")
    weighting = (
        "equal weights"
        if shock.weights is None
        else f"weighted by the trade values of {shock.weights.file} ({shock.weights.source})"
    )
    return {
        "scenario": shock.scenario,
        "when": shock.when.isoformat(),
        "hs6": list(shock.hs6),
        "weighting": weighting,
        "preference_share": shock.preference_share,
        "duties": [
            {
                "importer": countries[imp[k]],
                "exporter": countries[exp[k]],
                "duty_pct": float(rate[exp[k], imp[k]] * 100.0),
            }
            for k in order
        ],
    }


def shock_weights(
    shock: TariffShock, countries: tuple[str, ...], folder: Path | None = None
) -> np.ndarray | None:
    """The trade weights of a tariff shock, (N, N, H), or None for equal weights."""
    if shock.weights is None:
        return None
    from shoring.macro.tariff_weights import read_weights

    path = Path(shock.weights.file)
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return read_weights(path, shock.hs6, countries)
