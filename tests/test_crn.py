"""Common random numbers: footprints compared face the same events at their common nodes."""

from __future__ import annotations

import numpy as np

from shoring.simulate import default_hazards, sim_network, simulate
from shoring.simulate.crn import Universe
from shoring.simulate.model import Footprint
from test_stress import network


def test_common_nodes_share_their_events_and_the_difference_is_sharper() -> None:
    # German sites s0 (120 packs/week, demand 100) and s1 (30), a Polish cell supplier:
    # footprint A opens s0, B opens s0 and the small s1, which softens s0's stoppages
    model = default_hazards()
    net = network([120.0, 30.0], [250.0])
    a = sim_network(net, model, Footprint(open=("s0",)), lanes=False)
    b = sim_network(net, model, Footprint(open=("s0", "s1")), lanes=False)
    universe = Universe.of([a, b], model)
    runs, seed = 600, 11
    ra = simulate(a, model, runs, seed, universe=universe)
    rb = simulate(b, model, runs, seed, universe=universe)
    # s0 and the supplier u0 are down in exactly the same weeks of every draw
    for node in ("s0", "u0"):
        down_a = ra.down_weeks[:, list(a.nodes).index(node)]
        down_b = rb.down_weeks[:, list(b.nodes).index(node)]
        np.testing.assert_array_equal(down_a, down_b)
    # without the universe the two lists of processes differ: draw i of A and of B are
    # unrelated, so the common nodes' events differ
    alone = simulate(b, model, runs, seed)
    assert not np.array_equal(alone.down_weeks[:, 0], ra.down_weeks[:, 0])
    # the variance of the loss difference A - B falls well below independent draws'
    # (about a fifth here: the supplier's, the pandemics' and s0's losses cancel)
    crn = np.var(ra.total_loss - rb.total_loss)
    independent = np.var(ra.total_loss - alone.total_loss)
    assert crn < 0.5 * independent
    # the same footprint twice in one universe: identical results
    again = simulate(a, model, runs, seed, universe=universe)
    np.testing.assert_array_equal(again.total_loss, ra.total_loss)
