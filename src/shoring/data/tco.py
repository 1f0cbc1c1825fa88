"""Defaults of the total-cost-of-ownership (TCO) components: ``tables/tco_parameters.yaml``.

The Reshoring Initiative's TCO Estimator lists the costs of buying far from the market
beyond price, freight, duty and carrying cost (those are in ``cost_parameters.yaml``):
packaging, customs fees and brokerage, prepayment and its capital cost, quality and
warranty, travel and oversight, intellectual-property risk, obsolescence. This table
holds a default for each, cited or labelled as an assumption (its card says which);
:func:`tco_parameters` loads it into a frozen :class:`TcoParameters`.
"""

from __future__ import annotations

from functools import cache
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shoring.data.transport import MODES, Mode, Provenance, parameter_table

__all__ = ["OVERRIDABLE", "Overridable", "TcoParameters", "tco_parameters"]

Overridable = Literal[
    "packaging_rate",
    "broker_fee_usd_per_entry",
    "units_per_entry",
    "prepayment_share",
    "prepayment_days",
    "capital_rate",
    "quality_rate",
    "oversight_rate",
    "ip_risk_rate",
    "obsolescence_rate",
]
"""TCO parameters a network may set for itself or per product (table ``cost_settings``);
``units_per_entry`` replaces the shipment-size default (shipment kg / unit weight)."""

OVERRIDABLE: tuple[str, ...] = get_args(Overridable)
"""Names of :data:`Overridable`."""

FRACTIONS = frozenset(
    {"packaging_rate", "prepayment_share", "capital_rate", "quality_rate", "oversight_rate",
     "ip_risk_rate", "obsolescence_rate"}
)  # fmt: skip
"""Overridable parameters that are fractions (0..1, or a percentage written with %)."""


class TcoParameters(BaseModel):
    """Defaults of the TCO components (see ``tables/tco_parameters.yaml`` and its card).

    Attributes
    ----------
    us_mpf_rate, us_mpf_min_usd, us_mpf_max_usd : float
        US merchandise processing fee: ad valorem rate and the per-entry minimum and
        maximum (USD, fiscal year 2026).
    us_hmf_rate : float
        US harbor maintenance fee on ocean imports (fraction of value).
    broker_fee_usd_per_entry : float
        Customs broker's fee per entry (USD).
    shipment_kg : dict of Mode to float
        Goods per shipment (one entry), by transport mode (kg).
    packaging_rate, quality_rate, oversight_rate, ip_risk_rate : float
        Fractions of unit value on cross-border lanes (IP risk: sites in
        ``ip_risk_countries`` only).
    prepayment_share, prepayment_days, capital_rate : float
        Share of the ex-works cost prepaid, days from payment to shipment, annual cost of
        capital.
    ip_risk_countries : tuple of str
        ISO3 codes of the USTR Special 301 Priority Watch List.
    obsolescence_rate : float
        Fraction of value lost per year of stock.
    provenance : dict of str to Provenance
        Unit, basis and source of every field above.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    us_mpf_rate: float = Field(ge=0, le=1)
    us_mpf_min_usd: float = Field(ge=0)
    us_mpf_max_usd: float = Field(ge=0)
    us_hmf_rate: float = Field(ge=0, le=1)
    broker_fee_usd_per_entry: float = Field(ge=0)
    shipment_kg: dict[Mode, float]
    packaging_rate: float = Field(ge=0, le=1)
    prepayment_share: float = Field(ge=0, le=1)
    prepayment_days: float = Field(ge=0)
    capital_rate: float = Field(ge=0, le=1)
    quality_rate: float = Field(ge=0, le=1)
    oversight_rate: float = Field(ge=0, le=1)
    ip_risk_rate: float = Field(ge=0, le=1)
    ip_risk_countries: tuple[str, ...]
    obsolescence_rate: float = Field(ge=0, le=1)
    provenance: dict[str, Provenance]

    @model_validator(mode="after")
    def _complete(self) -> TcoParameters:
        missing = set(MODES) - set(self.shipment_kg)
        if missing:
            raise ValueError(f"shipment_kg lacks modes {sorted(missing)}")
        fields = set(type(self).model_fields) - {"provenance"}
        if set(self.provenance) != fields:
            raise ValueError(f"provenance keys {sorted(self.provenance)} != {sorted(fields)}")
        return self


@cache
def tco_parameters() -> TcoParameters:
    """Load the default TCO parameters.

    Returns
    -------
    TcoParameters
        Frozen; make a changed copy with ``params.model_copy(update={...})``.
    """
    return parameter_table("tco_parameters.yaml", TcoParameters)
