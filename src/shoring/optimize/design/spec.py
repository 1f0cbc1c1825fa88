"""What to optimize and under which rules: :class:`DesignSpec`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_DESIGN_CUTS",
    "DESIGN_CUTS",
    "DesignSpec",
    "Objective",
    "ShareBy",
    "ShareScope",
]

DESIGN_CUTS = ("cover", "market-link", "symmetry")
"""Valid-inequality families of the network-design model (see ``DesignSpec.cuts``)."""
DEFAULT_DESIGN_CUTS = ("cover", "symmetry")
"""The default families: ``market-link`` is implied by ``Lane-open-max`` (on by
default), so it pays only where the lane links are left out (very large models)."""

Objective = Literal["expected", "cvar", "regret"]
"""``expected``: expected total cost over the scenarios; ``cvar``: expected cost plus
``risk_weight`` x CVaR at level ``alpha`` of the scenario total cost; ``regret``: the
largest regret against each scenario's own optimum (minimax regret)."""

ShareScope = Literal["market", "product"]
"""Diversification per (product, market), or per product over all markets together."""

ShareBy = Literal["country", "bloc"]
"""Count origins by country, or by customs union (EU members count as one origin)."""


@dataclass(frozen=True)
class DesignSpec:
    """Objective and business rules of a network-design run.

    Parameters
    ----------
    objective : {"expected", "cvar", "regret"}
        See :data:`Objective`.
    alpha : float
        CVaR level in (0, 1): the mean cost of the worst ``1 - alpha`` probability mass.
    risk_weight : float
        ``lambda`` >= 0 of ``expected + lambda * CVaR``.
    max_country_share : float
        Largest share (0..1] of a product's demand in a market (``share_scope="market"``)
        or in all markets (``"product"``) that may be made in one origin (country or
        bloc). 1.0 = no rule.
    share_scope : {"market", "product"}
    share_by : {"country", "bloc"}
        Origin used by ``max_country_share`` and ``local_content``.
    local_content : float
        Smallest share [0..1] of each market's demand for each product that must be made
        in the market's own country (or bloc). 0 = no rule. A hard rule: infeasible when
        no site there can make the product.
    max_lead_time_days : float, optional
        Lanes from a site to a market slower than this are forbidden.
    budget : float, optional
        Cap on the total opening and expansion capex over the horizon (USD).
    max_lost_share : float
        Largest share [0..1] of each demand that may go unmet (1 = any, at the lost-sale
        penalty; 0 = all demand must be served, a hard rule).
    force_open, force_closed : tuple of str
        Sites that must be open by the last period (existing: kept throughout) / may
        never be open.
    groups : mapping, optional
        Country -> origin group, overriding ``share_by``.
    regret_tiebreak : float
        Weight of the expected cost added to the minimax-regret objective so that flows
        in scenarios whose regret is not the largest are still cost-minimal.
    lane_links : bool
        Add ``Lane-open-max`` (ship <= demand x open, one row per lane, scenario and
        period). Implied by the capacity constraints, it does not change the optimum
        but tightens the LP relaxation; turn it off for very large models, where it
        holds most of the rows.
    ttr_days : mapping, optional
        Site id -> time to recover (days, > 0). When given, every site's time to survive
        must be at least its TTR (:mod:`~shoring.optimize.design.survive`); None = no
        rule. ``shoring optimize --survive-ttr`` takes the TTRs from the hazard model
        (:func:`shoring.simulate.hazards.recovery_days`).
    buffer_days : float
        Days of output every node holds, for ``ttr_days`` (0 = just in time).
    survive_from : int, optional
        First period (year) the ``ttr_days`` rule applies; the first period by default.
    cuts : frozenset of str
        Valid-inequality families of :mod:`~shoring.optimize.design.strength` to add:
        ``"cover"`` (aggregate capacity cover per product, scenario and period),
        ``"market-link"`` (shipped from a site to a market <= demand x open, one row per
        site and market; implied by ``lane_links``, so for models built without them)
        and ``"symmetry"`` (order among identical candidate sites). Default
        :data:`DEFAULT_DESIGN_CUTS` (cover and symmetry); none changes the optimum.
    """

    objective: Objective = "expected"
    alpha: float = 0.9
    risk_weight: float = 1.0
    max_country_share: float = 1.0
    share_scope: ShareScope = "market"
    share_by: ShareBy = "country"
    local_content: float = 0.0
    max_lead_time_days: float | None = None
    budget: float | None = None
    max_lost_share: float = 1.0
    force_open: tuple[str, ...] = ()
    force_closed: tuple[str, ...] = ()
    groups: Mapping[str, str] | None = field(default=None, compare=False)
    regret_tiebreak: float = 1e-6
    lane_links: bool = True
    cuts: frozenset[str] = frozenset(DEFAULT_DESIGN_CUTS)
    ttr_days: Mapping[str, float] | None = field(default=None, compare=False)
    buffer_days: float = 0.0
    survive_from: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cuts", frozenset(self.cuts))
        unknown = self.cuts - set(DESIGN_CUTS)
        if unknown:
            raise ValueError(f"unknown cut(s) {sorted(unknown)}; known: {', '.join(DESIGN_CUTS)}")
        if self.objective not in ("expected", "cvar", "regret"):
            raise ValueError(f"objective must be expected, cvar or regret, not {self.objective!r}")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {self.alpha}")
        if self.risk_weight < 0:
            raise ValueError(f"risk_weight must be >= 0, got {self.risk_weight}")
        if not 0.0 < self.max_country_share <= 1.0:
            raise ValueError(f"max_country_share must be in (0, 1], got {self.max_country_share}")
        if not 0.0 <= self.local_content <= 1.0:
            raise ValueError(f"local_content must be in [0, 1], got {self.local_content}")
        if not 0.0 <= self.max_lost_share <= 1.0:
            raise ValueError(f"max_lost_share must be in [0, 1], got {self.max_lost_share}")
        if self.max_lead_time_days is not None and self.max_lead_time_days < 0:
            raise ValueError("max_lead_time_days must be >= 0")
        if self.budget is not None and self.budget < 0:
            raise ValueError("budget must be >= 0")
        if not self.buffer_days >= 0:
            raise ValueError(f"buffer_days must be >= 0, got {self.buffer_days}")
        bad = {s: v for s, v in (self.ttr_days or {}).items() if not float(v) > 0}
        if bad:
            raise ValueError(f"ttr_days must be > 0 days: {bad}")
        if self.share_scope not in ("market", "product"):
            raise ValueError(f"share_scope must be market or product, not {self.share_scope!r}")
        if self.share_by not in ("country", "bloc"):
            raise ValueError(f"share_by must be country or bloc, not {self.share_by!r}")
        object.__setattr__(self, "force_open", tuple(self.force_open))
        object.__setattr__(self, "force_closed", tuple(self.force_closed))
        both = set(self.force_open) & set(self.force_closed)
        if both:
            raise ValueError(f"sites both forced open and closed: {', '.join(sorted(both))}")
