"""Outcomes of a disruption simulation: per draw, aggregated, by node and by country.

Risk measures (Rockafellar & Uryasev, "Optimization of conditional value-at-risk",
Journal of Risk 2(3), 2000): ``VaR_a`` is the a-quantile of the loss per draw and
``CVaR_a = VaR_a + E[(L - VaR_a)+] / (1 - a)``, the mean of the worst ``1 - a`` tail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shoring.simulate.hazards import WEEKS_PER_YEAR, HazardModel
from shoring.simulate.model import SimNetwork

BY_NODE_QUESTION = (
    "expected loss by node: each node's share of the expected loss over the horizon, with "
    "every hazard drawn at its frequency and duration (many disruptions, short and long); "
    "shoring stress instead takes each node out once for its time to recover (TTS vs TTR, "
    "risk exposure index), so the rankings differ."
)
"""What the loss by node answers, against the stress test's (one line)."""


def var_cvar(loss: np.ndarray, alpha: float = 0.95) -> tuple[float, float]:
    """Value-at-risk and conditional value-at-risk of a sample of losses.

    Parameters
    ----------
    loss : ndarray, shape (D,)
        Loss per draw (USD).
    alpha : float
        Confidence level in (0, 1).

    Returns
    -------
    tuple of float
        ``(VaR, CVaR)``; CVaR >= VaR >= min(loss).
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    var = float(np.quantile(loss, alpha, method="inverted_cdf"))
    return var, var + float(np.maximum(loss - var, 0.0).mean()) / (1.0 - alpha)


@dataclass(frozen=True)
class SimResult:
    """Per-draw outcomes (D draws) of :func:`~shoring.simulate.simulate`.

    Attributes
    ----------
    lost_units : ndarray, shape (D, P)
        Lost sales per finished product over the horizon (units).
    lost_value : ndarray, shape (D,)
        Lost units x loss per unit (USD).
    expedite, reallocation, reroute : ndarray, shape (D,)
        Extra cost (USD): air-expedited pipeline gaps, units made off-plan and flown,
        rerouted freight around closed chokepoints.
    recovery_weeks : ndarray, shape (D,)
        Longest run of weeks with lost sales (time to recover from the worst episode).
    service_level : ndarray, shape (D,)
        Units sold / units demanded.
    node_loss : ndarray, shape (D, N)
        Lost value attributed to each node (impaired share of planned supply).
    down_weeks : ndarray, shape (D, N)
        Weeks each node was impaired.
    buffer_cost : float
        Carrying cost of the buffers over the horizon (USD; the same in every draw).
    """

    sim: SimNetwork
    model: HazardModel
    seed: int
    lost_units: np.ndarray
    lost_value: np.ndarray
    expedite: np.ndarray
    reallocation: np.ndarray
    reroute: np.ndarray
    recovery_weeks: np.ndarray
    service_level: np.ndarray
    node_loss: np.ndarray
    down_weeks: np.ndarray
    buffer_cost: float

    @classmethod
    def concat(
        cls, parts: list[dict[str, np.ndarray]], sim: SimNetwork, model: HazardModel, seed: int
    ) -> SimResult:
        """Join batches (in draw order) into one result."""
        from shoring.data.transport import cost_parameters

        def cat(name: str) -> np.ndarray:
            return np.concatenate([p[name] for p in parts])

        weeks = model.horizon_weeks
        lost = cat("lost_units")
        demanded = sim.demand.sum() * weeks
        stock = (sim.pair_base * sim.buffer_weeks[sim.pair_node]) @ sim.item_matrix()
        carrying = cost_parameters().inventory_carrying_rate
        return cls(
            sim=sim,
            model=model,
            seed=seed,
            lost_units=lost,
            lost_value=lost @ sim.penalty[: sim.n_products],
            expedite=cat("expedite"),
            reallocation=cat("reallocation"),
            reroute=cat("reroute"),
            recovery_weeks=cat("recovery_weeks"),
            service_level=1.0 - lost.sum(axis=1) / demanded if demanded > 0 else np.ones(len(lost)),
            node_loss=cat("node_loss"),
            down_weeks=cat("down_weeks"),
            buffer_cost=float(stock @ sim.value) * carrying * weeks / WEEKS_PER_YEAR,
        )

    @property
    def runs(self) -> int:
        return int(self.lost_value.size)

    @property
    def extra_cost(self) -> np.ndarray:
        """Expedite + reallocation + reroute, per draw (USD)."""
        return self.expedite + self.reallocation + self.reroute

    @property
    def total_loss(self) -> np.ndarray:
        """Lost value + extra cost per draw (USD); buffers' carrying cost excluded."""
        return self.lost_value + self.extra_cost

    def summary(self, alpha: float = 0.95) -> dict[str, Any]:
        """Aggregates over draws (USD over the horizon unless stated).

        Returns
        -------
        dict
            ``runs``, ``seed``, ``weeks``, ``expected_lost_units``, ``expected_lost_value``,
            ``expected_extra_cost`` (with its parts), ``expected_total_loss``,
            ``var``/``cvar`` of the total loss at ``alpha``, ``service_level`` (mean
            and 5th percentile), ``recovery_weeks`` (mean and 95th percentile over draws
            with a shortfall), ``p_any_loss``, ``buffer_cost``, ``annual_expected_loss``,
            ``demanded_units`` (finished units demanded over the horizon) and
            ``expected_loss_per_unit`` (expected total loss / units demanded, USD per unit
            of demand).
        """
        loss = self.total_loss
        demanded = float(self.sim.demand.sum() * self.model.horizon_weeks)
        var, cvar = var_cvar(loss, alpha)
        hit = self.recovery_weeks > 0
        years = self.model.horizon_weeks / WEEKS_PER_YEAR
        return {
            "runs": self.runs,
            "seed": self.seed,
            "weeks": self.model.horizon_weeks,
            "alpha": alpha,
            "expected_lost_units": float(self.lost_units.sum(axis=1).mean()),
            "expected_lost_value": float(self.lost_value.mean()),
            "expected_extra_cost": float(self.extra_cost.mean()),
            "expected_expedite": float(self.expedite.mean()),
            "expected_reallocation": float(self.reallocation.mean()),
            "expected_reroute": float(self.reroute.mean()),
            "expected_total_loss": float(loss.mean()),
            "annual_expected_loss": float(loss.mean() / years),
            "var": var,
            "cvar": cvar,
            "service_level_mean": float(self.service_level.mean()),
            "service_level_p05": float(np.quantile(self.service_level, 0.05)),
            "p_any_loss": float(hit.mean()),
            "recovery_weeks_mean": float(self.recovery_weeks[hit].mean()) if hit.any() else 0.0,
            "recovery_weeks_p95": float(np.quantile(self.recovery_weeks[hit], 0.95))
            if hit.any()
            else 0.0,
            "buffer_cost": self.buffer_cost,
            "demanded_units": demanded,
            "expected_loss_per_unit": float(loss.mean() / demanded) if demanded > 0 else 0.0,
        }

    def penalties(self) -> list[dict[str, Any]]:
        """The lost-sale penalty of each finished product and where it comes from.

        Returns
        -------
        list of dict
            ``product``, ``usd_per_unit`` (loss per unit of demand not served) and
            ``basis`` (the network's figure, or the default unit value x (1 + margin)).
        """
        sim = self.sim
        return [
            {"product": str(p), "usd_per_unit": float(v), "basis": b}
            for p, v, b in zip(
                sim.items[: sim.n_products],
                sim.penalty[: sim.n_products],
                sim.penalty_basis,
                strict=True,
            )
        ]

    def by_node(self) -> pd.DataFrame:
        """Per node: kind, country, expected lost value attributed, weeks impaired, TTR."""
        return pd.DataFrame(
            {
                "kind": self.sim.kind,
                "country": self.sim.country,
                "expected_loss": self.node_loss.mean(axis=0),
                "expected_down_weeks": self.down_weeks.mean(axis=0),
                "ttr_days": self.sim.recovery_days,
            },
            index=pd.Index(self.sim.nodes, name="node"),
        ).sort_values("expected_loss", ascending=False)

    def by_country(self) -> pd.DataFrame:
        """Expected lost value attributed to the nodes of each country."""
        nodes = self.by_node()
        return (
            nodes.groupby("country")[["expected_loss"]]
            .sum()
            .sort_values("expected_loss", ascending=False)
        )

    def to_dict(self, alpha: float = 0.95) -> dict[str, Any]:
        """JSON-ready: the summary, the lost-sale penalties, by node and by country."""
        nodes = self.by_node().reset_index()
        return {
            **self.summary(alpha),
            "lost_sale_penalty": self.penalties(),
            "by_node": nodes.to_dict(orient="records"),
            "by_country": self.by_country().reset_index().to_dict(orient="records"),
        }
