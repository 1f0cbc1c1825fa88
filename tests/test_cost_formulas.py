"""Landed-cost formulas against hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoring.costs import formulas as f
from shoring.data.valuation import cif_importers, valuation_basis


def test_labour_hand_worked() -> None:
    # 2 h at 6.50 USD/h, 30% automated, site 1.3x as productive: 2*6.5*0.7/1.3 = 7.0
    assert f.labour_cost(2.0, 6.5, 0.3, 1.3) == pytest.approx(7.0)


def test_freight_hand_worked() -> None:
    # 25 kg over a 12,500 km network route at 0.004 USD/t-km with 30 USD/t handling
    # 0.025 t * (12,500*0.004 + 30) = 0.025 * 80 = 2.0
    assert f.freight_cost(0.025, 12_500, 0.004, 30) == pytest.approx(2.0)
    # 12,500 km / 600 km/day + 8 days dwell = 28.83 days
    assert f.transit_days(12_500, 600, 8) == pytest.approx(12_500 / 600 + 8)


def test_chargeable_weight_is_weight_or_volume_whichever_binds() -> None:
    # 10 kg, 0.12 m3 by air (166.7 kg/m3): volumetric 20.0 kg > 10 kg -> 0.020 t
    assert f.chargeable_tonnes(10, 0.12, 166.7) == pytest.approx(0.020004)
    # 30 kg, 0.05 m3 by road (333 kg/m3): volumetric 16.65 kg < 30 kg -> 0.030 t
    assert f.chargeable_tonnes(30, 0.05, 333) == pytest.approx(0.030)
    # unknown volume (0): the weight binds
    assert f.chargeable_tonnes(30, 0.0, 333) == pytest.approx(0.030)


def test_cargo_insurance_on_cif_value() -> None:
    # FOB 1,000, freight 50, premium 0.33% (0.3% x 110% cover) on CIF:
    # CIF = 1,050 / (1 - 0.0033) = 1,053.477; premium = 0.0033 * 1,053.477 = 3.4765
    assert f.cif_value(1000, 50, 0.0033) == pytest.approx(1053.4765, abs=1e-4)
    assert f.cargo_insurance(1000, 50, 0.0033) == pytest.approx(3.47647, abs=1e-5)
    # CIF = FOB + freight + premium
    assert 1000 + 50 + f.cargo_insurance(1000, 50, 0.0033) == pytest.approx(
        f.cif_value(1000, 50, 0.0033)
    )


def test_us_list3_2019_duty_on_fob_value() -> None:
    # A $100 FOB part from China into the US, MFN 2.6%, on Section 301 List 3 at
    # 25% (from 2019-05-10). The US values FOB, so freight is not dutiable: 100 * 27.6% = 27.60
    assert valuation_basis("USA") == "FOB"
    value = f.customs_value(100.0, freight=7.0, insurance_rate=0.005, cif=cif_importers(["USA"])[0])
    assert value == pytest.approx(100.0)
    rate = f.applicable_rate(mfn=0.026, preferential=np.nan, origin_met=False, added=0.25)
    assert f.duty(value, rate) == pytest.approx(27.60)


@pytest.mark.parametrize("sacu", ["ZAF", "BWA", "LSO", "NAM", "SWZ"])
def test_sacu_values_fob(sacu: str) -> None:
    # SACU: South African Customs and Excise Act s.66(1) with s.67(2)(a) deducts transport
    # and insurance from the place of export, and the union harmonizes valuation
    assert valuation_basis(sacu) == "FOB"
    assert not cif_importers([sacu])[0]


def test_zaf_duty_on_fob_value() -> None:
    # R-denominated example in USD: a $100 FOB good shipped to Durban with $7 ocean freight
    # and 0.5% insurance. South Africa levies on FOB: customs value 100 (a CIF importer
    # would levy on 107 / 0.995 = 107.54). At the SACU average tariff of 5.8%: 5.80.
    value = f.customs_value(100.0, freight=7.0, insurance_rate=0.005, cif=cif_importers(["ZAF"])[0])
    assert value == pytest.approx(100.0)
    assert f.duty(value, 0.058) == pytest.approx(5.80)


def test_eu_cif_duty() -> None:
    # $100 FOB into Germany, $7 freight, insurance 0.5% of CIF: CIF = 107 / 0.995 = 107.5377
    assert valuation_basis("DEU") == "CIF"
    value = f.customs_value(100.0, freight=7.0, insurance_rate=0.005, cif=True)
    assert value == pytest.approx(107.0 / 0.995)
    assert value == pytest.approx(100 + 7 + 0.005 * value)  # insurance on the CIF value
    assert f.duty(value, 0.027) == pytest.approx(0.027 * 107.0 / 0.995)


def test_rvc_build_down_and_usmca_preference() -> None:
    # V = 100, non-originating materials 35 -> RVC 65% >= 60%: duty-free under USMCA
    rvc = f.regional_value_content(100.0, 35.0)
    assert rvc == pytest.approx(0.65)
    met = f.regional_value_content(100.0, 35.0) >= 0.60
    assert f.applicable_rate(0.025, 0.0, met) == 0.0
    # VNM 45 -> RVC 55% misses 60%: MFN 2.5% applies
    missed = f.regional_value_content(100.0, 45.0) >= 0.60
    assert f.applicable_rate(0.025, 0.0, missed) == pytest.approx(0.025)


def test_stacking_rules() -> None:
    # replace: 2025 reciprocal rate replaces MFN; max: floor at 15%; add: +10pp
    assert f.applicable_rate(0.03, np.nan, False, replacement=0.34) == pytest.approx(0.34)
    assert f.applicable_rate(0.03, np.nan, False, floor=0.15) == pytest.approx(0.15)
    assert f.applicable_rate(0.20, np.nan, False, floor=0.15) == pytest.approx(0.20)
    assert f.applicable_rate(0.03, 0.0, True, added=0.10) == pytest.approx(0.10)


def test_inventory_carbon_incentives() -> None:
    # $200 held 30 days in transit + 14 days safety stock at 25%/yr: 200*0.25*44/365
    assert f.inventory_cost(200, 0.25, 30, 14) == pytest.approx(200 * 0.25 * 44 / 365)
    # 12 kg CO2 at 80 USD/t = 0.96
    assert f.carbon_cost(12, 80) == pytest.approx(0.96)
    # 2 USD/unit + (20% of 50M capex + 10k/job * 500 jobs) / (1M units * 5 years) = 2 + 3
    assert f.incentive_per_unit(2, 0.2, 50e6, 10_000, 500, 1e6, 5) == pytest.approx(5.0)


rates = st.floats(0, 2, allow_nan=False)


@given(mfn=rates, pref=rates, met=st.booleans(), add=rates, bump=st.floats(0, 1))
def test_preference_never_raises_and_tariff_never_lowers(
    mfn: float, pref: float, met: bool, add: float, bump: float
) -> None:
    with_pref = f.applicable_rate(mfn, pref, met, added=add)
    without = f.applicable_rate(mfn, np.nan, False, added=add)
    assert with_pref <= without + 1e-12
    assert f.applicable_rate(mfn + bump, pref, met, added=add) >= with_pref - 1e-12
    assert f.applicable_rate(mfn, pref, met, added=add + bump) >= with_pref - 1e-12
