"""Labour productivity index (USA = 1): the cited anchors, the filled grid, the engine's
labour per unit, the site override and validate's refusal of an uncovered economy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shoring.costs import landed_cost
from shoring.data.productivity import labour_productivity_table
from shoring.data.wages import labour_cost
from shoring.network import read_network
from shoring.scenario import load_scenario
from test_cost_cli import run  # main() with its exit code, stdout and stderr

# GGDC Productivity Level Database 2023, Data sheet, sector "man", 2011 and 2017: value
# added (M LCU), market exchange rate (LCU per USD), persons engaged (thousands)
PLD = {
    ("CHN", 2011): (15_645_680.0, 6.461462, 155_578.15),
    ("CHN", 2017): (24_050_540.0, 6.758755, 161_236.02),
    ("MEX", 2017): (3_825_592.8, 18.92652, 8_691.338),
    ("USA", 2011): (1_863_738.0, 1.0, 12_041.0),
    ("USA", 2017): (2_192_406.0, 1.0, 12_761.0),
}


def by_hand(iso3: str, year: int) -> float:
    """Value added per person at market rates over the US figure of the same year."""
    va, xr, emp = PLD[iso3, year]
    us_va, _, us_emp = PLD["USA", year]
    return (va / xr / emp) / (us_va / us_emp)


def row(iso3: str, year: int) -> dict:
    table = labour_productivity_table()
    return table[(table["iso3"] == iso3) & (table["year"] == year)].iloc[0].to_dict()


def test_anchors_are_the_published_arithmetic() -> None:
    assert by_hand("CHN", 2017) == pytest.approx(0.12846, abs=5e-6)  # 22.070 / 171.805
    assert by_hand("MEX", 2017) == pytest.approx(0.13536, abs=5e-6)
    for key in (("CHN", 2011), ("CHN", 2017), ("MEX", 2017)):
        got = row(*key)
        assert got["method"] == "derived"
        assert got["index"] == pytest.approx(by_hand(*key), abs=5e-6)
    assert row("USA", 2017)["index"] == 1.0


def test_years_between_anchors_are_interpolated_and_labelled() -> None:
    # China 2014, halfway between 2011 and 2017 at constant growth
    expected = by_hand("CHN", 2011) * (by_hand("CHN", 2017) / by_hand("CHN", 2011)) ** 0.5
    got = row("CHN", 2014)
    assert got["method"] == "interpolated"
    assert got["index"] == pytest.approx(expected, abs=1e-5)  # 0.11365
    assert "2011 (derived) 0.10" in got["derivation"] and "2017 (derived) 0.13" in got["derivation"]
    # after 2017: the series' own cited 2011-2017 trend, named in the row
    growth = (by_hand("CHN", 2017) / by_hand("CHN", 2011)) ** (1 / 6)
    late = row("CHN", 2020)
    assert late["method"] == "extrapolated" and "own cited trend 2011-2017" in late["derivation"]
    assert late["index"] == pytest.approx(by_hand("CHN", 2017) * growth**3, abs=1e-5)


NET = """\
meta: {name: productivity, base_year: 2017, labour_productivity: national}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 2}
sites:
  - {id: plant-cn, country: China, status: existing, products: [widget],
     capacity_units: 100000, fixed_cost_usd: 0}
  - {id: plant-mx, country: Mexico, status: candidate, products: [widget],
     capacity_units: 100000, fixed_cost_usd: 0}
  - {id: plant-own, country: Mexico, status: candidate, products: [widget],
     capacity_units: 100000, fixed_cost_usd: 0, productivity: 2, productivity_index: 0.5}
markets:
  - {id: us, country: United States}
demand:
  - {market: us, product: widget, units: {2017: 1000}}
"""


def test_labour_per_unit_is_hours_times_wage_over_the_index(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(NET, encoding="utf-8")
    costs = landed_cost(read_network(path), [load_scenario("baseline")], years=[2017])

    def labour(site: str) -> float:
        cell = costs["cost"].sel(product="widget", site=site, market="us", component="labour")
        return float(cell.squeeze())

    # 2 h at US productivity x wage (labour-cost table: CHN 4.770 derived, MEX 3.545
    # derived) / index: China 2 x 4.770 / 0.12846 = 74.26; Mexico 2 x 3.545 / 0.13536 = 52.38
    assert labour_cost("CHN", 2017) == pytest.approx(4.770)
    assert labour_cost("MEX", 2017) == pytest.approx(3.545)
    assert labour("plant-cn") == pytest.approx(2 * 4.770 / by_hand("CHN", 2017), rel=1e-4)
    assert labour("plant-mx") == pytest.approx(2 * 3.545 / by_hand("MEX", 2017), rel=1e-4)
    # the site's own index wins over the country's, and sites.productivity multiplies it
    assert labour("plant-own") == pytest.approx(2 * 3.545 / (0.5 * 2), rel=1e-4)
    index = costs["productivity_index"].squeeze()
    assert float(index.sel(site="plant-own")) == 0.5
    assert float(index.sel(site="plant-cn")) == pytest.approx(by_hand("CHN", 2017), abs=5e-6)


def test_the_default_is_equal_hours_and_national_is_asked_for(tmp_path: Path) -> None:
    # Without meta.labour_productivity a site without its own index makes the unit in the
    # product's hours (index 1): China 2017 = 2 h x USD 4.770 = 9.54, not 2 x 4.770 / 0.128.
    path = tmp_path / "net.yaml"
    path.write_text(NET.replace(", labour_productivity: national", ""), encoding="utf-8")
    costs = landed_cost(read_network(path), [load_scenario("baseline")], years=[2017])
    cell = costs["cost"].sel(product="widget", site="plant-cn", market="us", component="labour")
    assert float(cell.squeeze()) == pytest.approx(2 * 4.770, rel=1e-4)
    index = costs["productivity_index"].squeeze()
    assert float(index.sel(site="plant-cn")) == 1.0 and float(index.sel(site="plant-own")) == 0.5
    # and an economy without a cited index (Saudi Arabia) needs none
    path.write_text(
        NET.replace(", labour_productivity: national", "").replace(
            "country: Mexico, status: candidate", "country: Saudi Arabia, status: candidate", 1
        ),
        encoding="utf-8",
    )
    assert "SAU" in set(read_network(path).sites["country"])


def test_an_uncovered_economy_is_refused_with_the_fix(tmp_path, capsys) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(
        NET.replace(
            "country: Mexico, status: candidate", "country: Saudi Arabia, status: candidate", 1
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    assert (
        f"{path}:sites:7:country: no cited manufacturing productivity index for SAU in the "
        "embedded table (84 economies): give this site's output per hour in the "
        "productivity_index column (relative to a US plant making the same product = 1), or "
        "set meta.labour_productivity to equal"
    ) in out + err
    assert "Traceback" not in out + err
    # the fix the message names makes it valid and costs the site at the given index
    path.write_text(
        NET.replace(
            "country: Mexico, status: candidate",
            "country: Saudi Arabia, status: candidate, productivity_index: 0.4, productivity: 0.8",
            1,
        ),
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "cost", str(path), "-y", "2017", "-s", "baseline", "--json", "--site", "plant-mx"
    )
    assert code == 0
    (record,) = json.loads(out)
    assert record["labour"]["productivity_index"] == 0.4
    assert record["labour"]["productivity_basis"] == "site's productivity_index"
    assert record["labour"]["productivity_factor"] == 0.8
    # hand-worked: 2 h x SAU 2017 wage / (index 0.4 x the site's factor 0.8)
    assert record["components"]["labour"] == pytest.approx(
        2 * labour_cost("SAU", 2017) / (0.4 * 0.8), rel=1e-4
    )
    code, out, _ = run(
        capsys, "cost", str(path), "-y", "2017", "-s", "baseline", "--site", "plant-mx"
    )
    assert code == 0 and "site productivity factor" in out


def test_the_reference_economy_is_one_by_definition_in_every_year() -> None:
    from shoring.data.productivity import productivity_basis, productivity_matrix

    # USA = 1 is the index's definition (GGDC PLD relative levels), not a trend
    assert float(productivity_matrix(["USA"], [2031], extrapolate=True).item()) == 1.0
    basis = productivity_basis(False, "USA", 2031)
    assert "1 by definition" in basis and "extrapolated" not in basis
    assert "extrapolated beyond" in productivity_basis(False, "MEX", 2031)


def test_equal_hours_note_names_economies_far_below_the_us() -> None:
    from shoring.data.productivity import equal_hours_note

    # GGDC PLD 2023 (card): Mexico 0.135 of the US in 2017; the US is 1, Germany above 0.25
    note = equal_hours_note(["MEX", "USA", "DEU", "UZB"], 2017)
    assert "MEX 0.135" in note and "USA" not in note and "DEU" not in note
    assert "productivity_index" in note
    assert equal_hours_note(["USA", "DEU"], 2017) is None
