"""Disruption simulation: hand-worked weekly flows, seeds, statistics, lanes, errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from shoring.cli import main
from shoring.errors import ShoringInputError
from shoring.network import Network, read_network
from shoring.simulate import (
    Closures,
    default_hazards,
    parse_hazards,
    run,
    sim_network,
    simulate,
    var_cvar,
)
from shoring.simulate.engine import _padded, _segments, flow_weeks
from shoring.simulate.events import Processes, active_weeks, draw_events
from shoring.simulate.hazards import CountryHazard, Duration
from test_stress import network

EXAMPLES = Path(__file__).parents[1] / "src" / "shoring" / "examples"


def chain(site_caps=(150.0,), supplier_cap=150.0) -> Network:
    """Packs (100/week) from one cell each: German sites and one German supplier."""
    return network(list(site_caps), [supplier_cap], supplier_country="DEU")


def run_states(sim, model, down: dict[int, list[int]], weeks: int = 10) -> dict:
    """Flow model with node ``n`` fully down in the listed weeks (one draw)."""
    r = len(model.geopolitics.ruptures)
    k, g = sim.chokepoints.size, sim.countries.size
    active = np.zeros((weeks, 1, sim.n_nodes + r + k + g), dtype=bool)
    for node, ws in down.items():
        active[ws, 0, node] = True
    lock = np.zeros((weeks, 1, g), dtype=np.float32)
    cut = np.zeros((r, sim.n_nodes))
    return flow_weeks(sim, model, active, lock, cut, None, sim.n_nodes, r, k)


def test_supplier_outage_drains_the_buffer_then_loses_sales() -> None:
    # supplier down weeks 2-4 (3 weeks); 7 days of its output (100 cells) held in stock:
    # week 2 uses the stock, weeks 3 and 4 lose 100 packs each -> 200 lost, 2 weeks short
    model = default_hazards().without_hazards()
    sim = sim_network(chain(), model, lanes=False)
    sim = sim.with_buffers(np.array([0.0, 7.0]))  # nodes: s0, u
    out = run_states(sim, model, {1: [2, 3, 4]})
    assert out["lost_units"].sum() == pytest.approx(200.0)
    assert out["recovery_weeks"][0] == 2
    # without the buffer the three weeks are lost
    jit = run_states(sim.with_buffers(0.0), model, {1: [2, 3, 4]})
    assert jit["lost_units"].sum() == pytest.approx(300.0)


def test_finished_goods_buffer_refills_from_spare_capacity() -> None:
    # site (150/week) down weeks 1 and 4, 7 days of packs (100) in stock: week 1 sells
    # the stock; weeks 2-3 refill 50 + 50; week 4 sells the refilled 100 -> nothing lost
    model = default_hazards().without_hazards()
    sim = sim_network(chain(), model, lanes=False).with_buffers(np.array([7.0, 0.0]))
    assert run_states(sim, model, {0: [1, 4]})["lost_units"].sum() == pytest.approx(0.0)
    # down in weeks 1 and 2: only 50 refilled by week 2 -> none; 100 lost in week 2
    assert run_states(sim, model, {0: [1, 2]})["lost_units"].sum() == pytest.approx(100.0)


def test_demand_moves_to_the_qualified_second_site_at_the_air_premium() -> None:
    # two sites of 100/week each plan 50; s0 down 4 weeks: s1 makes 100, 50 of them
    # off-plan and flown at 3 USD/unit -> 4 x 50 x 3 = 600 USD, nothing lost
    model = default_hazards().without_hazards()
    sim = sim_network(chain(site_caps=(100.0, 100.0)), model, lanes=False)
    sim = replace(sim, premium=np.array([5.0, 3.0, 0.0]))
    out = run_states(sim, model, {0: [0, 1, 2, 3]})
    assert out["lost_units"].sum() == pytest.approx(0.0)
    assert out["reallocation"][0] == pytest.approx(600.0)


def test_no_hazard_loses_nothing_and_costs_nothing() -> None:
    model = default_hazards().without_hazards()
    sim = sim_network(chain(), model, lanes=False)
    result = simulate(sim, model, runs=50, seed=1)
    assert result.lost_value.max() == 0.0
    assert result.extra_cost.max() == 0.0
    assert result.service_level.min() == 1.0


def test_same_seed_same_result_and_other_seeds_differ() -> None:
    model = default_hazards()
    sim = sim_network(chain(), model, lanes=False)
    a = simulate(sim, model, runs=300, seed=7, batch=128)
    b = simulate(sim, model, runs=300, seed=7, batch=300)  # batching changes nothing
    c = simulate(sim, model, runs=300, seed=8)
    np.testing.assert_array_equal(a.lost_units, b.lost_units)
    assert not np.array_equal(a.lost_units, c.lost_units)


def test_event_frequency_duration_and_downtime_match_the_configuration() -> None:
    # 4,000 draws x 3 years of a process at 2 events/year, lognormal mean 20 days, cv 0.8
    rate, duration, weeks, draws = 2.0, Duration(mean_days=20, cv=0.8), 156, 4000
    proc = Processes.build(np.array([rate]), [duration])
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(11).spawn(draws)]
    from shoring.simulate.events import Events

    ev = Events.concat([draw_events(r, proc, weeks, d) for d, r in enumerate(rngs)])
    # count per draw ~ Poisson(6): the mean within 4 standard errors
    expected = rate * weeks / 52
    assert abs(ev.draw.size / draws - expected) < 4 * np.sqrt(expected / draws)
    # durations: mean and sd of a lognormal with mean 20, sd 16
    assert abs(ev.days.mean() - 20.0) < 4 * 16.0 / np.sqrt(ev.days.size)
    # share of weeks active (away from the start): 1 - exp(-rate/52 * E[weeks]),
    # E[weeks] = 1 + sum_k P(days > 7k) (durations rounded up to whole weeks)
    sigma, mu = duration.sigma_mu()
    tail = stats.lognorm(s=sigma, scale=np.exp(mu)).sf(7.0 * np.arange(1, 400))
    p_active = 1 - np.exp(-rate / 52 * (1 + tail.sum()))
    share = active_weeks(ev, draws, 1, weeks)[78:].mean()
    n = 78 * draws
    assert abs(share - p_active) < 4 * np.sqrt(p_active * (1 - p_active) / n) * 4  # weeks correlate


def test_natural_downtime_in_the_engine_matches_the_rate() -> None:
    # only the site's country has hazards: 1 event/year of exactly 14 days (2 weeks)
    model = default_hazards().without_hazards()
    natural = model.natural.model_copy(
        update={
            "countries": {
                "DEU": CountryHazard(rate_per_year=1.0, duration=Duration(mean_days=14, cv=0))
            }
        }
    )
    model = model.model_copy(update={"natural": natural})
    sim = sim_network(chain(), model, lanes=False)
    sim = replace(sim, hazard_multiplier=np.array([1.0, 0.0]))  # the supplier never fails
    result = simulate(sim, model, runs=2000, seed=3)
    # P(week down) = 1 - exp(-2/52) away from the start; the first week only 1 - exp(-1/52)
    p = 1 - np.exp(-2 / 52)
    expected = (155 * p + (1 - np.exp(-1 / 52))) / 156
    share = result.down_weeks[:, 0].mean() / 156
    assert abs(share - expected) < 4 * np.sqrt(p * (1 - p) / (2000 * 156)) * 2
    assert result.down_weeks[:, 1].max() == 0
    # JIT: lost sales = weeks down x 100 (the site is the only one)
    np.testing.assert_allclose(result.lost_units[:, 0], 100.0 * result.down_weeks[:, 0])


def test_var_cvar_hand_worked() -> None:
    var, cvar = var_cvar(np.arange(1.0, 101.0), 0.95)
    assert var == 95.0
    assert cvar == pytest.approx(98.0)  # mean of 96..100


@pytest.fixture(scope="module")
def harness():
    network = read_network(EXAMPLES / "wire-harness" / "network.yaml")
    model = default_hazards().without_hazards()
    return network, model, sim_network(network, model)


def test_closing_a_chokepoint_reroutes_with_extra_days(harness) -> None:
    _, model, sim = harness
    assert "panama" in list(sim.chokepoints)
    k = list(sim.chokepoints).index("panama")
    crossing = sim.choke_share[:, k] > 0
    assert crossing.any() and (sim.choke_days[crossing, k] > 0).all()
    # panama closed all the time: the gap ceil(days / 7) weeks is flown at the premium
    fixed = np.zeros((model.horizon_weeks, sim.chokepoints.size), dtype=bool)
    fixed[:, k] = True
    closed = Closures(fixed, np.zeros((model.horizon_weeks, sim.countries.size)))
    result = simulate(sim, model, runs=2, seed=0, fixed_closures=closed)
    assert result.lost_value.max() == 0.0
    flow = np.bincount(sim.pair_node, weights=sim.pair_base, minlength=sim.n_nodes)
    gap_weeks = sim.choke_days[:, k] / 7.0
    expected = (flow * sim.choke_share[:, k] * gap_weeks * sim.premium).sum()
    assert result.expedite[0] == pytest.approx(expected, rel=1e-9)
    reroute = (flow * sim.choke_share[:, k] * sim.choke_cost[:, k]).sum() * model.horizon_weeks
    assert result.reroute[0] == pytest.approx(reroute, rel=1e-9)
    # without air expedite the pipeline gap is lost instead
    slow = simulate(
        sim, model.model_copy(update={"expedite": False}), runs=1, seed=0, fixed_closures=closed
    )
    assert slow.lost_units.sum() > 0 and slow.expedite.sum() == 0


def test_hazard_file_errors_are_located(tmp_path) -> None:
    text = "chokepoints:\n  suez:\n    rate_per_year: -1\n"
    with pytest.raises(ShoringInputError) as info:
        parse_hazards(text, "h.yaml")
    problem = info.value.problems[0]
    assert (problem.row, problem.field) == (3, "chokepoints.suez.rate_per_year")
    with pytest.raises(ShoringInputError) as info:
        parse_hazards("natural:\n  countries:\n    Atlantis: {rate_per_year: 2}\n", "h.yaml")
    assert "unknown country 'Atlantis'" in str(info.value.problems[0])
    named = parse_hazards("natural:\n  countries:\n    Germany: {rate_per_year: 2}\n")
    assert list(named.natural.countries) == ["DEU"]
    # a misspelled key lists the keys allowed where it stands
    with pytest.raises(ShoringInputError) as info:
        parse_hazards("nodes:\n  s0: {recovery_day: 10}\n", "h.yaml")
    assert [str(p) for p in info.value.problems] == [
        "h.yaml:2:nodes.s0.recovery_day: unknown field (allowed here: hazard_multiplier, "
        "recovery_days, buffer_days)"
    ]
    # a misspelled chokepoint is named with the known ones (not "duration missing")
    with pytest.raises(ShoringInputError) as info:
        parse_hazards("chokepoints:\n  suezz: {rate_per_year: 0.1}\n", "h.yaml")
    (problem,) = info.value.problems
    assert "unknown chokepoint(s) suezz; known: suez, bab_el_mandeb" in str(problem)
    bad = tmp_path / "h.yaml"
    bad.write_text(
        "geopolitics:\n  ruptures:\n    - {blocs: [west, mars], rate_per_year: 1,\n"
        "       duration: {mean_days: 9, cv: 1}}\n"
    )
    network = EXAMPLES / "wire-harness" / "network.yaml"
    with pytest.raises(SystemExit) as code:
        main(["simulate", str(network), "--hazards", str(bad), "--runs", "2"])
    assert code.value.code == 2


def test_item_sums_cover_items_without_nodes() -> None:
    # groups 0 and 2 have members, 1 and 3 none: they read the padding column (0)
    index, starts = _segments(np.array([0, 0, 2]), 4, 3)
    values = np.array([[1.0, 2.0, 3.0]])
    sums = np.add.reduceat(_padded(values, 0.0)[:, index], starts, axis=1)
    np.testing.assert_array_equal(sums, [[3.0, 0.0, 3.0, 0.0]])


def test_risk_component_is_zero_without_hazards_and_positive_with_them() -> None:
    from shoring.simulate.risk import site_risk

    network = chain(site_caps=(150.0, 150.0))
    calm = site_risk(network, default_hazards().without_hazards(), runs=20, seed=1)
    assert calm.sel(product="pack").values.tolist() == [0.0, 0.0]
    assert np.isnan(calm.sel(product="cell").values).all()  # not made at a site
    # one event a year of exactly 7 days at each German node: a JIT site alone loses
    # the week
    model = default_hazards().without_hazards()
    natural = model.natural.model_copy(
        update={
            "countries": {
                "DEU": CountryHazard(rate_per_year=1.0, duration=Duration(mean_days=7, cv=0))
            }
        }
    )
    risky = site_risk(network, model.model_copy(update={"natural": natural}), runs=400, seed=2)
    # the supplier is also German: a week is lost when either node has an event that
    # week, P = 1 - exp(-2/52) = 0.0377, x 120 USD penalty = 4.53 USD per unit
    expected = (1 - np.exp(-2 / 52)) * 120.0
    assert risky.sel(product="pack").values == pytest.approx([expected] * 2, rel=0.15)


def test_scenario_plant_closure_replays_on_its_dates() -> None:
    from shoring.scenario.loader import parse_scenario

    scenario = parse_scenario(
        "name: march\ntitle: half of German plants shut in March 2025\nmeasures:\n"
        "  - {id: m, type: closure, country: DEU, capacity_lost: 0.5, scope: plants,\n"
        "     start: 2025-03-01, end: 2025-03-31}\n"
    )
    model = default_hazards().without_hazards()
    # site and supplier both exactly at demand (100/week), JIT: the weeks starting
    # 5, 12, 19 and 26 March 2025 (horizon from 1 January) make 50 -> 4 x 50 lost
    result = run(
        chain(site_caps=(100.0,), supplier_cap=100.0), model, runs=3, seed=0, scenarios=[scenario]
    )
    np.testing.assert_allclose(result.lost_units[:, 0], 200.0)


def test_cli_simulate_json(tmp_path, capsys) -> None:
    import json

    import yaml

    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(chain().to_dict()))
    main(["simulate", str(path), "--runs", "5", "--seed", "3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["runs"] == 5 and out["weeks"] == 156
    assert {r["node"] for r in out["by_node"]} == {"s0", "u0"}
    assert 0.0 <= out["service_level_mean"] <= 1.0 and out["cvar"] >= out["var"]
