"""Network tables, dtypes, defaults and helpers, checked against hand-worked values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shoring.examples import list_examples, load_example
from shoring.network import LAYOUT, Network, read_yaml

TINY = """\
meta: {name: tiny, base_year: 2025}
products:
  - {id: A, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 1}
  - {id: B, hs_code: 850790, unit_value_usd: 30, weight_kg: 2, margin: 0.5}
  - {id: C, hs_code: 010121, unit_value_usd: 5, weight_kg: 1, lost_sale_penalty_usd: 9}
bom:
  - {parent: A, component: B, quantity: 2}
  - {parent: B, component: C, quantity: 3}
  - {parent: A, component: C, quantity: 1}
sites:
  - {id: s1, country: China, status: existing, products: [A, B], capacity_units: 1000,
     fixed_cost_usd: 1e6}
  - {id: s2, country: mexico, status: candidate, products: B, capacity_units: 500,
     fixed_cost_usd: 0}
site_capacities:
  - {site: s1, product: A, capacity_units: 300}
suppliers:
  - {id: sup, country: NO, component: C, capacity_units: 5000, unit_price_usd: 4}
markets:
  - {id: us, country: United States}
  - {id: de, country: DEU}
demand:
  - {market: us, product: A, units: {2025: 100, 2026: 200}}
  - {market: de, product: A, year: 2026, units: 50}
"""


@pytest.fixture
def tiny(tmp_path) -> Network:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return read_yaml(path)


def test_total_requirements_hand_worked(tiny: Network) -> None:
    # A = 2 B + 1 C and B = 3 C, so one A holds 2 B and 1 + 2 x 3 = 7 C.
    total = tiny.total_requirements()
    assert total.dims == ("product", "component")
    assert total.sel(product="A", component="B").item() == pytest.approx(2.0)
    assert total.sel(product="A", component="C").item() == pytest.approx(7.0)
    assert total.sel(product="B", component="C").item() == pytest.approx(3.0)
    assert total.sel(product="C", component="A").item() == pytest.approx(0.0)
    np.testing.assert_allclose(np.diag(total.to_numpy()), 1.0)
    direct = tiny.bom_matrix()
    assert direct.sel(product="A", component="C").item() == 1.0
    assert float(direct.sum()) == 6.0


def test_example_pack_needs_200_cells() -> None:
    total = load_example("ev-battery").total_requirements()
    assert total.sel(product="pack-75kwh", component="cell-nmc-prismatic").item() == 200.0


def test_levels_and_summary(tiny: Network) -> None:
    assert tiny.bom_levels().to_dict() == {"A": 0, "B": 1, "C": 2}


def test_defaults_and_conversions(tiny: Network) -> None:
    products = tiny.products
    assert products.loc["A", "lost_sale_penalty_usd"] == pytest.approx(100 * 1.2)
    assert products.loc["B", "lost_sale_penalty_usd"] == pytest.approx(30 * 1.5)
    assert products.loc["C", "lost_sale_penalty_usd"] == 9
    assert products.loc["A", "overhead_rate"] == 0.15
    assert products.loc["A", "name"] == "A"
    # unquoted HS codes keep their leading zeros (not YAML octal/int)
    assert list(products["hs_code"]) == ["850760", "850790", "010121"]
    assert list(tiny.sites["country"]) == ["CHN", "MEX"]
    assert tiny.suppliers.loc["sup", "country"] == "NOR"  # NO is Norway, not false
    assert tiny.sites.loc["s2", "products"] == ("B",)
    assert tiny.countries == ("CHN", "DEU", "MEX", "NOR", "USA")
    assert tiny.years == (2025, 2026)


def test_layout_and_dtypes(tiny: Network) -> None:
    for name, layout in LAYOUT.items():
        frame = tiny.table(name)
        assert list(frame.columns) == list(layout), name
        assert {c: str(t) for c, t in frame.dtypes.items()} == layout, name
    assert tiny.products.index.name == "product"
    assert tiny.sites.index.name == "site"
    assert tiny.suppliers.index.name == "supplier"
    assert tiny.markets.index.name == "market"
    assert tiny.modes.index.name == "mode"
    assert isinstance(tiny.bom.index, pd.RangeIndex)


def test_arrays(tiny: Network) -> None:
    can = tiny.can_make
    assert can.dims == ("site", "product")
    assert can.sel(site="s1").to_numpy().tolist() == [True, True, False]
    assert can.sel(site="s2").to_numpy().tolist() == [False, True, False]
    cap = tiny.site_product_capacity()
    assert cap.sel(site="s1", product="A").item() == 300  # per-product cap
    assert cap.sel(site="s1", product="B").item() == 1000  # site total
    assert cap.sel(site="s2", product="A").item() == 0  # cannot make
    demand = tiny.demand_array()
    assert demand.dims == ("market", "product", "year")
    assert demand.sel(market="us", product="A", year=2026).item() == 200
    assert demand.sel(market="de", product="A", year=2025).item() == 0
    assert demand.sel(market="de", product="A", year=2026).item() == 50
    assert float(demand.sum()) == 350


def test_tables_are_read_only_copies(tiny: Network) -> None:
    products = tiny.products
    products.loc["A", "unit_value_usd"] = -1
    assert tiny.products.loc["A", "unit_value_usd"] == 100
    with pytest.raises(AttributeError):
        tiny.products = products  # type: ignore[misc]


def test_equals_ignores_row_order(tiny: Network) -> None:
    shuffled = tiny.replace(
        products=tiny.products.iloc[::-1],
        demand=tiny.demand.iloc[::-1],
        sites=tiny.sites.assign(products=[p[::-1] for p in tiny.sites["products"]]),
    )
    assert shuffled.equals(tiny)
    changed = tiny.replace(demand=tiny.demand.assign(units=tiny.demand["units"] + 1))
    assert not changed.equals(tiny)
    assert not tiny.equals("tiny")


def test_from_dict_round_trip(tiny: Network) -> None:
    assert Network.from_dict(tiny.to_dict()).equals(tiny)


@pytest.mark.parametrize("name", list_examples())
def test_examples_are_valid_and_multi_tier(name: str) -> None:
    network = load_example(name)
    assert network.bom_levels().max() >= 2  # at least 3 levels: two BOM tiers
    assert len(network.years) >= 3
    assert (network.products["unit_value_usd"] > 0).all()


def test_list_examples() -> None:
    names = list_examples()
    assert names[0] == "ev-battery"
    assert {"medical-devices", "apparel", "wire-harness"} <= set(names)
