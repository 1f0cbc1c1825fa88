"""Benchmark of the network-design MILP on seeded synthetic networks (a scale ladder).

Run::

    python benchmarks/network_design.py [--seed 0] [--k 10] [--big] [--mid] [--time-limit 600]
        [--big-k 5] [--big-links] [--log FILE]
        [--method highs|lagrange|subgradient|volume|switch] [--backoff]
        [--local-search] [--parallel] [--fixing] [--moves-per-job N]

The large rung's figure (gap, wall and CPU seconds, peak memory), by the method that
reaches the 0.1 % target (two cores; a fixed schedule: the same plan every run)::

    /usr/bin/time -v python benchmarks/network_design.py --big --skip-median \
        --method switch --local-search --parallel --fixing --moves-per-job 1 \
        --time-limit 600

Idle, session 9 (coordinator, load 0.6-1.5): proven 0.0982 % in 274.7 and 254.5 s of
solve (4:37 and 4:16 wall), peak RSS 3.66 GB, both runs 340 iterations to the same plan
2.625689e10.

Rungs (sites x markets x products x periods x scenarios):

1. 300 x 200 x 30 x 1 x 5 to a 0.1 % gap — the median commercial model size;
2. with ``--mid``: 300 x 200 x 30 x 3 x 5 (k = ``--big-k``) under the time limit;
3. with ``--big``: 1,000 x 700 x 100 x 3 x 5 under a time limit.

Aggregation used on both: each (product, market) keeps only the lanes of its ``k``
cheapest sites by mean landed cost (conversion + delivery over scenarios and periods);
every other (product, site, market) triple is dropped before the model is built. The
arrays are generated directly (not via Network + lane_costs) but the model is built
by the same code as every other run (:func:`shoring.optimize.design.build_design`).
Measured (2 cores, 24 GB, seed 0, ``--big --time-limit 600``, HiGHS; /usr/bin/time -v
peak RSS of the whole process 11.7 GB, the rung's own peak_mb below 11,418)::

    rung           k  links  vars   cons   build_s  solve_s  status    gap    peak_mb
    median/before  10 yes    223k   224k   1.7      24.9     optimal   0      1,242
    large/before   3  yes    3.4M   3.4M   15.0     -        not run   -      14,000 (build)
    large/before   5  yes    -      -      -        -        killed    -      > 21,000
    median         10 yes    202k   204k   1.3      12.9     optimal   0      1,169
    large          5  no     3.95M  801k   5.0      604.8    feasible  2.1 %  11,418

"before" is the code in which every row of ``Site-Product-balance-eq`` was padded to
the longest one (a cheap site is among the k best for up to 242 markets here, so
10k useful rows x 15 scenario-periods were stored 243 terms wide, about 8 GB twice
over). Now the sparse families are added in blocks of rows of similar length
(:func:`shoring.optimize.design.terms.add_sparse_constraints`) and
``Product-Site-make`` exists only where the site has an outlet for the product: the
large model builds in 2.9 s at 0.9 GB (1.9 GB once handed to HiGHS; ``build_mb``
below is the process peak so far, which for the large rung is the median rung's).
The median optimum is unchanged (8.077e8) and solves twice as fast.

On the large rung the redundant ``Lane-open-max`` family (3.2M rows) is left out
(``DesignSpec(lane_links=False)``, same MILP optimum, weaker LP relaxation; pass
``--big-links`` to keep it: presolve then takes 93 s and HiGHS is past 9 GB before
the root LP starts). HiGHS presolve takes 60 s, the root LP (1.06M simplex
iterations) most of the rest; at the 600 s limit the incumbent is 2.647e10 with a
dual bound of 2.592e10 (gap 2.1 %, no branching yet). The 11.4 GB peak is HiGHS'
(cut pool and LP copies), not linopy's.

Valid inequalities (``--cuts``, :mod:`shoring.optimize.design.strength`), median rung,
same seed, 2026-11-29 with the machine shared by about seven other jobs (load average
about 12, so every time is several times the idle one)::

    cuts             solve_s  status   objective
    cover+symmetry   179.4    optimal  8.077e8
    symmetry         143.8    optimal  8.077e8
    none             159.8    optimal  8.077e8

Same optimum; at this load the differences are within the noise (no identical
candidate sites here, so the symmetry family adds no row). The large rung was run
once more with cover+symmetry under the same load (``/usr/bin/time -v``): generation
38 s, build 237 s, HiGHS presolve 663 s of the 600 s limit (probing hit the limit), no
plan within the limit, peak 5.8 GB; the 0.1 % target in 10 minutes was not reached.
HiGHS suggests turning probing off (``presolve_rule_off=32768``) and scaling the
objective (``user_objective_scale=-4``) on this model: both untried here.

Strong linking on a three-period rung (300 x 200 x 30 x 3 x 5, k = 5, seed 0), measured
2026-11-30 with the machine shared by four other jobs (load average 11-15; CPU seconds
are the comparable figures). Linear relaxation (every binary relaxed, HiGHS simplex):

    links                          rows     LP bound     LP CPU s
    none (cover + symmetry)        72,750   2.2092e9     15.6
    market-link (per site, market) 125,865  2.2684e9     56.0
    Lane-open-max (per lane)       338,700  2.2816e9     123.7

The MILP (gap target 0.1 %, 600 s, two threads): without links, bound 2.2753e9 and plan
2.2860e9 (0.47 %) at the limit, 194.5 CPU s with generation and build; with market-link,
bound 2.2740e9 and plan 2.2928e9 (0.82 %), 98.8 CPU s for the solve alone. The market
links lift the root bound by 2.7 % (the 2.2 % root gap without them is mostly the weak
capacity link), but HiGHS' own cuts close the same distance within the limit, so at this
size they do not shorten the search; neither run reached the 0.1 % target. ``market-
link`` stays a switch (``--cuts cover,symmetry,market-link``), off by default (it is
implied by ``Lane-open-max``, which is on for models of ordinary size).

Methods for the large rung (target: 0.1 % gap in 10 minutes under 8 GB), measured
2026-11-30 on the 2-core machine shared with about eight other jobs (load average
6-21): wall times follow the load, so each comes with the CPU seconds and the
process's share of one CPU (CPU / wall)::

    method                          outcome                         wall s  CPU s  share  peak GB
    HiGHS, no cuts (29 Nov,         plan 2.647e10, bound 2.592e10,  605     -      -      11.4
      "large" above)                gap 2.1 % (no branching yet)
    HiGHS, cover+symmetry (29 Nov)  no plan: probing used the       ~940    -      16 %   5.8
                                    600 s limit
    HiGHS, probing off              no plan: presolve 181 s, root   1,355   201    14 %   5.7
      (presolve_rule_off=32768)     LP unfinished, killed at 22.6'
    Lagrangian relaxation           bound 2.5308e10 after 166       1,399   665    47 %   4.1
      (--method lagrange,           iterations; stopped in the
      first pricing at iteration    11th of the first pricing's 15
      150)                          LPs: no plan, no proven gap
    the same, pricing from the      first real pricing unfinished,  800     430    53 %   3.8
      empty footprint's basis       killed
    Lagrangian, chained warm        plan 2.62650e10, bound          1,500   714    48 %   3.5
      starts, full-site start,      2.62342e10: proven gap 0.117 %
      deflection 0.3 (nice 19,      after 711 iterations, 54
      1,500 s limit, load 3-7)      plans (0.205 % at 276 CPU s)
    the same code, final figure     plan 2.62666e10, bound          605     284    47 %   3.6
      at normal priority (600 s     2.6219e10: proven gap 0.181 %
      limit, load 3.2-4.4)          after 270 iterations

Session 6 (superseded: session 9 below meets the target): the closest was a
proven 0.181 % in 10 minutes of wall time (284 CPU s: the process got 47 % of one CPU)
and 0.117 % at 714 CPU s, at 3.6 GB. Memory is not the obstacle. What the CPU went to
(profiled 2026-11-30, CPU s with the machine loaded): before this session the first
pricing solved 15 transportation LPs of 280,880 columns (210,880 lanes, 70,000 lost
sales) and 71,000 rows from scratch, each about 100,000 dual simplex iterations and
25-65 CPU s. Now only LP (period 0, scenario 0) starts cold (80,373 iterations, 28.6 CPU
s); (t, w) starts from the basis of (t, w - 1) (same rows, other costs: 53-2,875
iterations, 0.3-1.4 CPU s) and (t, 0) from (t - 1, 0) (44,940 iterations and 35 CPU s
into period 1, where ramped-up sites change capacity; 1,941 and 1.2 CPU s into period
2); each later footprint re-solves every LP from its own basis (2,000-5,000 iterations,
0.3-1.3 CPU s each, about 8 CPU s a footprint). Tried and dropped: the LP of open sites'
lanes only keeps 199,788 of the 210,880 lanes (the relaxation opens the sites that are
among many markets' five cheapest), so it does not pay; an interior-point LP takes 40
CPU s (42 without crossover) against 48 for dual simplex; a crash basis with each demand
on its cheapest open lane (dual feasible) took 106,561 iterations and 131 CPU s, worse
than the slack start. The iteration itself (3.2 million reduced costs sorted by site,
about 0.7 CPU s) now gathers site, period and demand row once (same iterates; the
three-period rung's run went from 16.2 to 12.9 CPU s). Starting each multiplier at the
cheapest full-site unit cost (lane cost plus the site's fixed cost and capex share per
unit of capacity) instead of the cheapest lane cost, and deflecting each direction by
0.3 of the previous one, brought the three-period rung from 360-501 iterations to 242
(the LP duals of a priced footprint as multipliers gave a lower L(u) than the current
one at every pricing; a Polyak target of min(plan, 1.05 bound) took 992 iterations;
deflection 0.6 did not converge in 600 s). What is left: the bound creeps from 0.2 % to
0.12 % over the last 450 iterations with the step halved down to 0.004 (the subgradient
method's slow tail), and the plans of the relaxation's footprints stop improving at
2.6265e10; a bundle or volume method for the tail, or a local search on the footprint,
would be the next things to measure.

Which side is weak (session 7, 2026-11-30, seed 0, k = 5, CPU seconds under load 4-9):

- a rung HiGHS proves (100 x 60 x 10 x 3 x 5): optimum 1.167473e8 (HiGHS, 27 CPU s);
  the Lagrangian plan equals it from the second priced footprint (0.9 s); the linear
  relaxation with per-lane links (every binary relaxed, HiGHS) is 1.162849e8, 0.40 %
  below: no multiplier method alone proves 0.1 % there. After 3,000 iterations the
  deflected subgradient's bound is 1.160084e8 (0.24 % short of that relaxation), the
  volume algorithm's 1.162882e8 (above it: the site patterns are integral);
- the three-period rung (300 x 200 x 30 x 3 x 5): the run stopped at 0.1 % holds plan
  2.283105e9 and bound 2.280824e9; run on (1,200 iterations) the plan falls to
  2.282810e9 and the bound rises to 2.282239e9 (subgradient) or 2.282285e9 (volume),
  0.023-0.025 %, past the linear relaxation with per-lane links (2.2816e9). Both sides
  move, the bound more;
- the large rung: the plan keeps improving with every few pricings (below), so the
  pricing is not wasted there.

Multiplier methods (``--method subgradient|volume|switch``; ``lagrange`` =
``subgradient``, the default) on the three-period rung, CPU s to each proven gap (one
run per target, load 7-9)::

    method                     0.2 %        0.1 %        0.05 %       0.03 %
    subgradient (deflected)    6.4 (123 it) 10.8 (242)   21.6 (513)   26.3 (625)
    subgradient + backoff      6.8 (123)    11.6 (242)   20.9 (513)   29.5 (855)
    volume + backoff           19.3 (404)   23.0 (496)   29.2 (678)   57.4 (1,494)
    volume + backoff, paper's  19.3 (499)   20.1 (513)   24.6 (642)   26.3 (664)
      step (see below)
    switch                     -            11.6 (242)   21.7 (513)   23.0 (544)

``backoff`` doubles the pricing interval after a footprint that does not improve the
plan; the paper's volume step (divided by the averaged direction's squared norm alone)
stalls 7.8 % below the linear relaxation on a seeded 8-site model (tests/
test_lagrange.py), so the step is bounded by the latest subgradient's norm too. Pricing
the footprint of the volume algorithm's averaged site patterns (each site's most
weighted pattern) besides the relaxation's own gave the same plan with more pricings on
the three-period rung (0.1 %: 26.4 against 25.9 CPU s); dropped.

Large rung, niced, 1,500 s limit, load 7-9 (each run got 17-19 % of one CPU, so the
figures are CPU seconds, not the 10-minute target's wall time)::

    method                 CPU s  iterations  plan        bound       gap      peak GB
    subgradient + backoff  283    327         2.63162e10  2.62196e10  0.377 %  3.2
    volume (bounded step)  341    308         2.63159e10  2.6083e10   0.884 %  3.5
    switch                 719    790         2.62666e10  2.62353e10  0.119 %  3.5
      (0.205 % at 223 CPU s, 0.139 % at 417, 0.121 % at 601; load 2-9, 48 % of a CPU)
    (session 6, subgrad.)  284    270         2.62666e10  2.6219e10   0.181 %  3.6
    (session 6, subgrad.)  714    711         2.62650e10  2.62342e10  0.117 %  3.5

The backoff left the plan 0.19 % above the fixed interval's at the same CPU time (the
bounds agree), so it is off by default; the volume algorithm's bound trails the
subgradient's on this rung (2.74 % against 2.24 % after about 180 iterations, 1.04 %
at 303 CPU s), so the subgradient stays the default (``switch`` enters the volume
algorithm only once the subgradient's step has halved three times: on this rung it
ends where session 6's subgradient ended at the same CPU time, 0.119 % against 0.117 %,
its bound 2.62353e10 against 2.62342e10, creeping by about 1e-6 per iteration after 500
CPU s). Session 7: the 0.1 % target in 10 minutes was not met: with the best plan (2.62650e10) the
bound would have to reach 2.6239e10; neither multiplier method's tail gets there, so
the next step is on the plan side or by branching on the few sites whose Lagrangian
reduced cost is below the gap.

The plan side (session 8, :mod:`shoring.optimize.design.lagrange_plan`). The bound
cannot pass the linear relaxation with per-lane links (each site's subproblem has the
integrality property, see :mod:`shoring.optimize.design.lagrange`), so the plan was
looked at: three changes, each a switch.

- Screening (always on): the last plan's LP values plus its capacity duals times the
  change of capacity bound any footprint's LPs from below (LP duality, convexity in the
  right-hand side); a footprint whose bound reaches the plan is not priced, or its
  pricing stops part way. Never skips a better plan (tests/test_lagrange.py).
- ``--local-search``: change one site's pattern (open, close, open later), then two
  sites', in the order the same bound ranks the moves; moves it rules out are never
  priced.
- ``--parallel``: pricing and local search in a second thread (HiGHS and numpy release
  the interpreter lock), so the multipliers move while plans are priced; the first plan
  is awaited. Run to run the iterates differ (plans arrive when they are priced); every
  bound and plan stays proven.

Large rung, 600 s limit, each run niced (``nice -n 19``) while other helpers ran
(2026-11-30, 19:12-20:13; /usr/bin/time -v for the whole run; CPU s above wall s means
both cores worked)::

    method (switch +)     load     stopped   it   wall s  CPU s  plan        gap      peak GB
    local + parallel (1)  3.2-6.5  0.1 %     293  483     341    2.62492e10  0.093 %  3.71
    local + parallel (2)  2.1-2.9  0.1 %     376  314     418    2.62565e10  0.096 %  3.77
    parallel              2.8-4.5  600 s     663  604     559    2.62650e10  0.110 %  3.64
    (screening only)      2.8-4.8  600 s     318  604     315    2.62666e10  0.175 %  3.48
    local (serial)        2.8-4.8  600 s     293  606     314    2.62666e10  0.178 %  3.50

(run 1 before local-search moves gave way to a waiting footprint of the relaxation; the
last two ran side by side, each on about half a core). Both runs with local search and
the second thread reach the 0.1 % target, within 10 minutes of wall time and under 4
GB. In run 1 a local-search move improved the plan once (2.6437e10 -> 2.6367e10 at
0.87 %), in run 2 none of 40 did; the plans that closed the gap came from the
relaxation's footprints, priced by the second thread while the multipliers moved, and
every run with the second thread ended below the 2.6266e10 where the serial runs'
plans stop (the serial trajectory is deterministic: both serial runs above priced the
same plans). Serial, local search hardly runs (a move only when a pricing is due and
the relaxation's footprint was priced before: no move in 293 iterations). The figures
differ run to run with the second thread; the final figure is to be taken on an idle
machine with the command at the top.

Mid rung (300 x 200 x 30 x 3 x 5, k = 5, seed 0), switch, to the 0.1 % gap, niced at
load about 4, all reaching plan 2.283e9::

    method (switch +)   iterations  plans  screened  moves  wall s  CPU s
    (screening only)    242         6      5         0      23.6    11.9
    local (serial)      241         5      25        17     29.3    15.2
    parallel            123         5      2         0      12.6    7.0
    local + parallel    221         9      28        34     24.9    18.0

The plan side made repeatable (session 9). With the second thread working as it can,
the plan depended on when the relaxation's footprints reached it: idle runs of the
command above without the last two switches gave a proven 0.0993 % at 235 s once and
0.159 % at the 600 s limit once (plan stuck at 2.627808e10). Two switches:

- ``--fixing``: Lagrangian reduced-cost fixing, (2) of
  :mod:`shoring.optimize.design.lagrange_plan`: the relaxation's bound plus the reduced
  costs of the sites' patterns bounds any footprint from below, so footprints and
  local-search moves it rules out are not priced, and moves are ranked by the larger of
  the LP duals' bound and this one. On the mid rung at a 0.1 % gap it fixes 185 of the
  300 sites; on the large rung at the gaps reached (0.1-0.3 %) it fixes almost none
  (the "open in the last period only" patterns cost little more than "never"), so
  there it only re-ranks the moves (no footprint skipped in any run below).
- ``--moves-per-job N``: the second thread on a fixed schedule. When a pricing is due
  (counted in iterations) and at least every 20 iterations, the multiplier iterations
  wait for the second thread's job, read its plan (the Polyak target) and hand it the
  next: the relaxation's footprint if new, then up to N local-search moves. Nothing the
  iterations read depends on timing, so the same input gives the same iterates, bound
  and plan every run (tests/test_lagrange.py runs it twice); the price is the time the
  iterations wait (``waited`` in the progress lines: 37-38 s of the runs below). The
  two final runs below priced the same footprints and ended with the same iterations,
  bound and plan (only their wall times differ, with the load).

Large rung, 600 s limit, niced, 2026-11-30 22:45-23:33 (load average from ``uptime``;
wall s = the rung's solve, /usr/bin/time -v for CPU and peak)::

    switch + local + parallel +   load     stop    it   wall s  CPU s  plan        gap      GB
    - (main e023e11; mid-rung     0.8-6.6  600 s   344  601    398    2.630e10    0.372 %  3.79
      runs beside it)
    fixing                        2.7-4.3  0.1 %   507  520    622    2.625559e10 0.078 %  3.58
    fixing + moves-per-job 1      1.1-2.7  0.1 %   430  463    521    2.625538e10 0.096 %  3.64
      (before the 20-it. sync)
    fixing + moves-per-job 1      1.3-3.1  0.1 %   340  390    385    2.625689e10 0.098 %  3.79
    the same, again (634e928)     0.1-3.4  0.1 %   340  256    366    2.625689e10 0.098 %  3.67
    fixing + moves-per-job 6      1.8-3.0  killed  176  265    275    2.642743e10 1.97 %   -
      (the iterations waited)

Mid rung, the same day, niced beside a large-rung run: fixing + moves-per-job 1, 144
iterations, 10.5 s, 9.8 CPU s; moves-per-job 2, 240 iterations, 20.6 s; fixing alone
(free thread) 226 iterations, 34.2 s (load 6.6); every run plan 2.283e9 at 0.1 %.

``presolve_rule_off=32768`` is bit 15, HiGHS' probing rule: the HiGHS log names it
("Rule 15 (set bit 15 = 32768): Probing") and HiGHS itself suggests it when probing
meets the time limit (HiGHS 1.16 presolve source). HiGHS then spends the limit in the
root LP of 3.7 million columns, so neither a MIP start from LP rounding (it needs that
LP) nor more heuristic effort (``mip_heuristic_effort``: the bound still needs the root
LP) can bring the gap to 0.1 % here; they were not run.

The Lagrangian relaxation of the demand rows (``--method lagrange``) needs no LP of
the whole model: each iteration sorts the lanes of every site by reduced cost (numpy),
and at most every 20 iterations (every 5 within 1 %) the footprint is priced exactly by
one warm-started transportation LP per period and scenario. Its bound is a proven lower
bound of the MILP (weak duality) and its plans are feasible with their exact cost, so
the gap it reports is a proven gap. On the three-period rung 300 x 200 x 30 x 3 x 5
(``--mid --method lagrange``, k = 5, seed 0): plan 2.28311e9, bound 2.28082e9, a
proven gap of 0.0999 % after 242 iterations and 11 plans, in 12.9 CPU s (38.6 s of wall
time niced at load about 6; before this session's changes 360 iterations and 31.8 CPU
s), peak 0.54 GB; HiGHS on the MILP there stopped at 0.47 % after 600 s (194.5 CPU s,
measured 2026-11-30 above).

Printed side by side: build time (linopy model + hand-over to HiGHS), solve time, CPU
time of the whole rung (generation, build, solve), gap, model size and peak resident
memory.

The synthetic data are assumptions, not real figures: 40 countries in a 5,000 km
square split in two trade blocs; wages uniform in [5, 60] USD/h; freight 0.0002
USD/kg-km; scenario w raises tariffs between blocs to (0, 5, 15, 30, 60) % of value
and wages of one bloc by up to 20 %.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from shoring.optimize import SolveOptions, solve
from shoring.optimize.design import DesignData, DesignSpec, build_design
from shoring.optimize.design.lagrange import lagrangian_design
from shoring.optimize.design.spec import DEFAULT_DESIGN_CUTS, DESIGN_CUTS

TARIFFS = np.array([0.0, 0.05, 0.15, 0.30, 0.60])

BEFORE: list[dict] = [
    {
        "rung": "median/before",
        "size": "300x200x30x1x5",
        "k": 10,
        "links": "yes",
        "lanes": 35460,
        "vars": 222820,
        "cons": 224020,
        "build_s": 1.7,
        "solve_s": 24.9,
        "status": "optimal",
        "gap": 0.0,
        "objective": 8.077e8,
        "peak_mb": 1242.1,
    },
    {
        "rung": "large/before",
        "size": "1000x700x100x3x5",
        "k": 3,
        "links": "yes",
        "vars": 3.4e6,
        "cons": 3.4e6,
        "build_s": 15.0,
        "status": "not run",
        "build_mb": 14000.0,
    },
    {
        "rung": "large/before",
        "size": "1000x700x100x3x5",
        "k": 5,
        "links": "yes",
        "status": "killed",
        "peak_mb": 21000.0,
    },
]
"""Figures measured before constraint families were added in blocks (same machine,
seed 0): every production-balance row padded to the longest one."""


def synthetic_design(
    n_sites: int,
    n_markets: int,
    n_products: int,
    n_periods: int = 1,
    n_scenarios: int = 5,
    k: int = 10,
    seed: int = 0,
) -> DesignData:
    """A seeded synthetic network, lanes restricted to each market's k cheapest sites."""
    rng = np.random.default_rng(seed)
    n_c = 40
    centre = rng.uniform(0, 5000, (n_c, 2))
    bloc = rng.integers(0, 2, n_c)
    wage = rng.uniform(5, 60, n_c)
    site_c = rng.integers(0, n_c, n_sites)
    market_c = rng.integers(0, n_c, n_markets)
    site_xy = centre[site_c] + rng.normal(0, 100, (n_sites, 2))
    market_xy = centre[market_c] + rng.normal(0, 100, (n_markets, 2))
    dist = np.linalg.norm(site_xy[:, None] - market_xy[None], axis=-1) + 50.0  # (S, M) km
    cross = bloc[site_c][:, None] != bloc[market_c][None]  # (S, M)

    hours = rng.uniform(0.2, 3.0, n_products)
    weight = rng.uniform(1, 50, n_products)
    value = rng.uniform(50, 500, n_products)
    periods = tuple(range(2026, 2026 + n_periods))
    growth = 1.05 ** np.arange(n_periods)
    wage_up = 1.0 + np.linspace(0, 0.2, n_scenarios)  # bloc 1 wages by scenario
    wage_sw = wage[site_c][:, None] * np.where(bloc[site_c][:, None] == 1, wage_up[None], 1.0)
    made = rng.random((n_products, n_sites)) < 0.6
    conversion = (
        hours[:, None, None, None] * wage_sw[None, :, None, :] * np.ones((1, 1, n_periods, 1))
    )
    conversion = np.where(made[:, :, None, None], conversion, np.nan)

    demand = rng.integers(100, 2000, (n_products, n_markets)).astype(float)
    demand *= rng.random((n_products, n_markets)) < 0.6
    demand = demand[:, :, None] * growth[None, None, :]
    total = demand.sum(axis=(0, 1)).max()
    capacity = np.full(n_sites, np.ceil(2.0 * total / n_sites / 0.6))
    existing = rng.random(n_sites) < 0.3

    tariff = TARIFFS[np.linspace(0, len(TARIFFS) - 1, n_scenarios).round().astype(int)]
    lp, ls, lm = [], [], []
    for p in range(n_products):  # one product at a time keeps memory at S x M
        freight = weight[p] * dist * 0.0002
        landed = hours[p] * wage_sw.mean(axis=1)[:, None] + freight
        landed += value[p] * tariff.mean() * cross
        landed = np.where(made[p][:, None], landed, np.inf)
        markets = np.flatnonzero(demand[p].sum(axis=1) > 0)
        kk = min(k, n_sites)
        best = np.argpartition(landed[:, markets], kk - 1, axis=0)[:kk]  # (k, m)
        ok = np.isfinite(np.take_along_axis(landed[:, markets], best, axis=0))
        lp.append(np.full(ok.sum(), p))
        ls.append(best[ok])
        lm.append(np.broadcast_to(markets[None], best.shape)[ok])
    lane_p, lane_s, lane_m = np.concatenate(lp), np.concatenate(ls), np.concatenate(lm)
    freight = weight[lane_p] * dist[lane_s, lane_m] * 0.0002
    duty = value[lane_p, None] * tariff[None] * cross[lane_s, lane_m][:, None]  # (L, W)
    lane_cost = (freight[:, None] + duty)[:, None, :] * np.ones((1, n_periods, 1))
    penalty = 3.0 * (hours * wage.mean() + value * 0.2)
    countries = np.array([f"C{c:02d}" for c in range(n_c)], dtype=object)
    return DesignData(
        products=tuple(f"p{i}" for i in range(n_products)),
        sites=tuple(f"s{i}" for i in range(n_sites)),
        markets=tuple(f"m{i}" for i in range(n_markets)),
        suppliers=(),
        periods=periods,
        scenarios=tuple(f"tariff{int(100 * t)}" for t in tariff),
        probability=np.full(n_scenarios, 1.0 / n_scenarios),
        period_weight=np.ones(n_periods),
        site_country=countries[site_c],
        initial_open=existing,
        capacity=capacity,
        fixed_cost=rng.uniform(0.5, 1.5, n_sites) * capacity * 20.0,
        opening_capex=np.where(existing, 0.0, rng.uniform(1, 3, n_sites) * capacity * 30.0),
        closing_cost=np.where(existing, capacity * 10.0, 0.0),
        ramp_up_months=np.where(existing, 0, rng.integers(0, 13, n_sites)).astype(float),
        expansion_capacity=np.zeros(n_sites),
        expansion_capex=np.zeros(n_sites),
        product_capacity=np.where(made, np.inf, 0.0),
        conversion=conversion,
        bom=np.zeros((n_products, n_products)),
        demand=demand,
        penalty=penalty,
        market_country=countries[market_c],
        supplier_country=np.zeros(0, dtype=object),
        supplier_component=np.zeros(0, dtype=int),
        supplier_capacity=np.zeros(0),
        lane_product=lane_p,
        lane_site=lane_s,
        lane_market=lane_m,
        lane_cost=lane_cost,
        lane_lead_time=np.zeros(len(lane_p)),
    )


def peak_mb() -> float:
    """Peak resident memory of this process so far (MB; Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rung(
    name: str,
    dims: tuple[int, ...],
    k: int,
    seed: int,
    options: SolveOptions,
    links: bool = True,
    cuts: frozenset[str] = frozenset(DEFAULT_DESIGN_CUTS),
) -> dict:
    cpu, wall = time.process_time(), time.perf_counter()
    t0 = time.perf_counter()
    data = synthetic_design(*dims, k=k, seed=seed)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    dm = build_design(data, DesignSpec(lane_links=links, cuts=cuts))
    build = time.perf_counter() - t0
    build_mb = peak_mb()
    report = solve(dm.model, options, raise_infeasible=False)
    return {
        "rung": name,
        "size": "x".join(map(str, dims)),
        "k": k,
        "links": "yes" if links else "no",
        "lanes": data.sizes["lane"],
        "vars": dm.model.nvars,
        "cons": dm.model.ncons,
        "generate_s": gen,
        "build_s": build + report.transfer_seconds,
        "solve_s": report.solve_seconds,
        "cpu_s": time.process_time() - cpu,
        "cpu_share": (time.process_time() - cpu) / (time.perf_counter() - wall),
        "status": report.status.value,
        "gap": report.mip_gap,
        "objective": report.objective,
        "build_mb": build_mb,
        "peak_mb": peak_mb(),
    }


def lagrange_rung(
    name: str,
    dims: tuple[int, ...],
    k: int,
    seed: int,
    limit: float,
    method: str = "subgradient",
    backoff: bool = False,
    local_search: bool = False,
    parallel: bool = False,
    fixing: bool = False,
    moves_per_job: int | None = None,
) -> dict:
    """The rung by Lagrangian relaxation (:mod:`shoring.optimize.design.lagrange`)."""
    cpu, wall = time.process_time(), time.perf_counter()
    t0 = time.perf_counter()
    data = synthetic_design(*dims, k=k, seed=seed)
    gen = time.perf_counter() - t0
    res = lagrangian_design(
        data,
        time_limit=limit,
        gap=1e-3,
        method=method,
        backoff=backoff,
        local_search=local_search,
        parallel=parallel,
        fixing=fixing,
        moves_per_job=moves_per_job,
        progress=lambda line: print(
            f"  [{time.perf_counter() - wall:7.1f} s, cpu {time.process_time() - cpu:7.1f} s] "
            + line,
            flush=True,
        ),
    )
    cpu_s = time.process_time() - cpu
    return {
        "rung": name,
        "size": "x".join(map(str, dims)),
        "k": k,
        "method": method
        + ("/backoff" if backoff else "")
        + ("/local" if local_search else "")
        + ("/parallel" if parallel else "")
        + ("/fixing" if fixing else "")
        + ("" if moves_per_job is None else f"/jobs{moves_per_job}"),
        "lanes": data.sizes["lane"],
        "generate_s": gen,
        "solve_s": res.seconds,
        "cpu_s": cpu_s,
        "cpu_share": cpu_s / (time.perf_counter() - wall),
        "status": res.status.value,
        "gap": res.gap,
        "objective": res.objective,
        "bound": res.bound,
        "iterations": res.iterations,
        "plans": res.plans,
        "screened": res.screened,
        "moves": res.moves,
        "fixed": res.fixed,
        "peak_mb": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=10, help="candidate sites per (product, market)")
    parser.add_argument("--big", action="store_true", help="also run 1000 x 700 x 100 x 3 x 5")
    parser.add_argument("--big-k", type=int, default=5)
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="for the mid and big rungs (s)"
    )
    parser.add_argument(
        "--big-links",
        action="store_true",
        help="keep Lane-open-max on the big rung (3.2M more rows; see the module notes)",
    )
    parser.add_argument("--log", default=None, help="HiGHS log file of the big rung")
    parser.add_argument(
        "--cuts",
        default=",".join(DEFAULT_DESIGN_CUTS),
        help=f"valid-inequality families (comma list of {', '.join(DESIGN_CUTS)}; 'none')",
    )
    parser.add_argument(
        "--skip-median", action="store_true", help="skip the median rung (run only --mid/--big)"
    )
    parser.add_argument(
        "--mid",
        action="store_true",
        help="also run 300 x 200 x 30 x 3 x 5 (k = --big-k) under --time-limit",
    )
    parser.add_argument(
        "--method",
        choices=("highs", "lagrange", "subgradient", "volume", "switch"),
        default="highs",
        help="HiGHS branch and bound on the MILP, or Lagrangian relaxation with multipliers by "
        "the deflected subgradient, the volume algorithm or the first then the second "
        "(switch; lagrange = subgradient) (every rung)",
    )
    parser.add_argument(
        "--backoff",
        action="store_true",
        help="Lagrangian: double the pricing interval after a footprint that does not "
        "improve the plan (up to 8 times)",
    )
    parser.add_argument(
        "--local-search",
        action="store_true",
        help="Lagrangian: improve the best plan by changing one or two sites' patterns",
    )
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="Lagrangian: price plans and search in a second thread (two cores)",
    )
    parser.add_argument(
        "--fixing",
        action="store_true",
        help="Lagrangian: skip footprints and moves ruled out by reduced-cost fixing",
    )
    parser.add_argument(
        "--moves-per-job",
        type=int,
        default=None,
        metavar="N",
        help="Lagrangian with --parallel: a fixed schedule (same input, same plan): at "
        "every pricing interval wait for the second thread, then hand it the relaxation's "
        "footprint and N local-search moves",
    )
    parser.add_argument(
        "--highs",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a HiGHS option for every rung, e.g. mip_lp_solver=ipm (repeatable)",
    )
    args = parser.parse_args()
    lagrangian_only = {
        "--backoff": args.backoff,
        "--local-search": args.local_search,
        "--parallel": args.parallel,
        "--fixing": args.fixing,
        "--moves-per-job": args.moves_per_job is not None,
    }
    ignored = [flag for flag, given in lagrangian_only.items() if given]
    if args.method == "highs" and ignored:
        parser.error(f"{', '.join(ignored)} apply to the Lagrangian methods: add --method switch")
    if args.moves_per_job is not None and not args.parallel:
        parser.error("--moves-per-job schedules the second thread: add --parallel")
    highs = {}
    for item in args.highs:
        key, _, value = item.partition("=")
        highs[key] = int(value) if value.lstrip("-").isdigit() else value
    cuts = frozenset() if args.cuts == "none" else frozenset(args.cuts.split(","))
    plan = []  # (name, dims, k, time limit, links, log) of each rung asked for
    if not args.skip_median:
        plan.append(("median", (300, 200, 30, 1, 5), args.k, 600.0, True, None))
    if args.mid:
        mid = (300, 200, 30, 3, 5)
        plan.append(("mid", mid, args.big_k, args.time_limit, args.big_links, None))
    if args.big:
        big = (1000, 700, 100, 3, 5)
        plan.append(("large", big, args.big_k, args.time_limit, args.big_links, args.log))
    rows = []
    for name, dims, k, limit, links, log in plan:
        if args.method != "highs":
            dual = "subgradient" if args.method == "lagrange" else args.method
            rows.append(
                lagrange_rung(
                    name,
                    dims,
                    k,
                    args.seed,
                    limit,
                    dual,
                    args.backoff,
                    args.local_search,
                    args.parallel,
                    args.fixing,
                    args.moves_per_job,
                )
            )
            continue
        options = SolveOptions(
            mip_rel_gap=1e-3, time_limit=limit, log_file=log, highs_options=highs
        )
        rows.append(rung(name, dims, k, args.seed, options, links=links, cuts=cuts))
    for r in rows:
        if "method" not in r:
            r["cuts"] = "+".join(sorted(cuts)) or "none"
            r["highs"] = ",".join(args.highs) or "-"
    rows = [*BEFORE, *rows]
    cols = list(dict.fromkeys(c for r in rows[len(BEFORE) :] for c in r))
    width = {c: max(len(c), *(len(_fmt(r.get(c, "-"))) for r in rows)) for c in cols}
    print("  ".join(c.rjust(width[c]) for c in cols))
    for r in rows:
        print("  ".join(_fmt(r.get(c, "-")).rjust(width[c]) for c in cols))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if abs(value) >= 1e5:
            return f"{value:.4g}"
        return f"{value:.3g}" if value < 1 else f"{value:.1f}"
    return str(value)


if __name__ == "__main__":
    main()
