"""Natural-hazard calibration: the company, not each node, has MGI's disruption frequency.

Hand-worked from the embedded WorldRiskIndex 2020 exposure scores (hazard.csv): DEU
11.52, MEX 14.09, CHN 14.30, JPN 38.67, POL 9.45, TUR 12.29. With elasticity 1 a node's
rate is F x exposure / (sum of the exposures of the plan's nodes), F = 1/3.7 a year
(McKinsey Global Institute 2020: a month-long disruption every 3.7 years per company).
"""

from __future__ import annotations

import numpy as np
import pytest

from shoring.network import Network
from shoring.simulate import default_hazards, sim_network
from shoring.simulate.engine import _processes
from shoring.simulate.events import Events, draw_events
from shoring.simulate.model import Footprint, plan_countries

F = 0.27027  # 1 / 3.7 as written in hazards.yaml
# the plan: existing site in DEU, suppliers needing no qualification in CHN, JPN, POL
PLAN_EXPOSURE = 11.52 + 14.30 + 38.67 + 9.45  # 73.94
RATES = {  # events per year, F x exposure / 73.94
    "s-deu": 0.042108,
    "s-mex": 0.051502,  # a candidate: outside the plan, same rate per unit of exposure
    "cells-chn": 0.052270,
    "cells-jpn": 0.141349,
    "bms-pol": 0.034543,
}


def firm(existing: str = "existing") -> Network:
    """Packs of one cell and one BMS; sites in DEU (``existing``) and MEX (candidate)."""

    def product(pid: str, value: float) -> dict:
        return {"id": pid, "hs_code": "8507.60", "unit_value_usd": value, "weight_kg": 1}

    def site(sid: str, country: str, status: str) -> dict:
        return {
            "id": sid,
            "country": country,
            "status": status,
            "products": ["pack"],
            "capacity_units": 150 * 52,
            "fixed_cost_usd": 0,
        }

    def supplier(sid: str, country: str, component: str, months: float = 0) -> dict:
        return {
            "id": sid,
            "country": country,
            "component": component,
            "capacity_units": 150 * 52,
            "unit_price_usd": 5,
            "qualification_months": months,
        }

    return Network.from_dict(
        {
            "meta": {"name": "firm", "currency": "USD", "base_year": 2025},
            "products": [
                {**product("pack", 100), "labour_hours": 1, "margin": 0.2},
                product("cell", 10),
                product("bms", 10),
            ],
            "bom": [
                {"parent": "pack", "component": "cell", "quantity": 1},
                {"parent": "pack", "component": "bms", "quantity": 1},
            ],
            "sites": [site("s-deu", "DEU", existing), site("s-mex", "MEX", "candidate")],
            "suppliers": [
                supplier("cells-chn", "CHN", "cell"),
                supplier("cells-jpn", "JPN", "cell"),
                supplier("bms-pol", "POL", "bms"),
                supplier("cells-tur", "TUR", "cell", months=12),  # not in the plan
            ],
            "markets": [{"id": "m", "country": "DEU"}],
            "demand": [{"market": "m", "product": "pack", "year": 2025, "units": 100 * 52}],
        }
    )


def natural(sim, model) -> dict[str, float]:
    """Natural-event rate of each node of ``sim`` in the engine's process list."""
    processes, _ = _processes(sim, model)
    return dict(zip(map(str, sim.nodes), processes.rate[: sim.n_nodes], strict=True))


def test_default_company_rate_is_mgi_one_in_3_7_years() -> None:
    model = default_hazards()
    assert model.natural.firm_rate_per_year == pytest.approx(1 / 3.7, abs=1e-5)
    assert model.natural.exposure_elasticity == 1.0


def test_node_rates_split_the_company_rate_by_exposure_by_hand() -> None:
    model, net = default_hazards(), firm()
    countries, counts = plan_countries(net)
    assert dict(zip(countries, counts, strict=True)) == {"CHN": 1, "DEU": 1, "JPN": 1, "POL": 1}
    # the existing site, then the candidate: a node keeps its rate in every footprint
    plan = natural(sim_network(net, model, lanes=False), model)
    both = natural(sim_network(net, model, Footprint(open=("s-deu", "s-mex")), lanes=False), model)
    for node, rate in both.items():
        assert rate == pytest.approx(RATES[node], abs=2e-6), node
        assert node == "s-mex" or plan[node] == rate
    assert sum(plan.values()) == pytest.approx(F, rel=1e-9)  # the firm: once, not 4 times
    # a qualified Turkish supplier joins the footprint at its own share, F x 12.29 / 73.94
    tur = natural(sim_network(net, model, Footprint(qualified=("cells-tur",)), lanes=False), model)
    assert tur["cells-tur"] == pytest.approx(0.044923, abs=2e-6)


def test_a_network_without_existing_site_counts_one_average_candidate() -> None:
    # plan = CHN + JPN + POL suppliers + one site of mean exposure (11.52 + 14.09) / 2
    model = default_hazards()
    sim = sim_network(firm("candidate"), model, Footprint(open=("s-deu",)), lanes=False)
    firm_exposure = 14.30 + 38.67 + 9.45 + (11.52 + 14.09) / 2  # 75.225
    assert natural(sim, model)["s-deu"] == pytest.approx(F * 11.52 / firm_exposure, rel=1e-9)


def test_scale_and_country_override_apply_on_the_split() -> None:
    model = default_hazards()
    scaled = model.model_copy(update={"natural": model.natural.model_copy(update={"scale": 2})})
    rates = natural(sim_network(firm(), scaled, lanes=False), scaled)
    assert rates["cells-jpn"] == pytest.approx(2 * RATES["cells-jpn"], abs=4e-6)
    calm = model.without_hazards()
    assert set(natural(sim_network(firm(), calm, lanes=False), calm).values()) == {0.0}


def test_simulated_firm_frequency_matches_the_company_rate() -> None:
    # Count the natural events of every node of the plan over 2,000 draws x 156 weeks,
    # each draw with its own generator as in the engine. The count is Poisson with mean
    # F x 3 years x 2,000 = 1,621.6; the bound is 4 standard deviations (sqrt(1,621.6) =
    # 40.3, i.e. +-161 events, 10% of the mean). The former per-node reading gave each
    # of the 4 nodes the company's rate: a mean of 4 x 1,621.6 = 6,486, far outside.
    model, draws, weeks = default_hazards(), 2000, 156
    sim = sim_network(firm(), model, lanes=False)
    processes, _ = _processes(sim, model)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(11).spawn(draws)]
    events = Events.concat([draw_events(r, processes, weeks, d) for d, r in enumerate(rngs)])
    count = int((events.source < sim.n_nodes).sum())
    expected = F * weeks / 52 * draws
    assert abs(count - expected) <= 4 * np.sqrt(expected)
    per_company_year = count / (draws * weeks / 52)
    assert per_company_year == pytest.approx(F, rel=0.1)
    # and each node's share is its exposure's share of the plan (China 14.30 / 73.94)
    chn = int((events.source == list(sim.nodes).index("cells-chn")).sum())
    assert chn / count == pytest.approx(14.30 / PLAN_EXPOSURE, abs=4 * np.sqrt(0.19 * 0.81 / count))
