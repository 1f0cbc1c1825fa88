"""Per-site labour cost and productivity: validation, readers/writers and the engine."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from shoring.costs import landed_cost
from shoring.data.productivity import productivity_matrix
from shoring.data.wages import labour_cost
from shoring.errors import ShoringError, ShoringInputError
from shoring.network import read_network, read_yaml, write_csv_folder, write_excel, write_yaml
from shoring.scenario import load_scenario

NET = """\
meta: {{name: labour, base_year: 2020, labour_productivity: national}}
products:
  - {{id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 10, labour_hours: 2}}
sites:
  - {{id: plant-pl, country: Poland, status: existing, products: [widget],
      capacity_units: 100000, fixed_cost_usd: 0}}
  - {{id: plant-x, country: {country}, status: candidate, products: [widget],
      capacity_units: 100000, fixed_cost_usd: 0{extra}}}
markets:
  - {{id: de, country: Germany}}
demand:
  - {{market: de, product: widget, units: {{2021: 1000}}}}
"""


def write(tmp_path: Path, country: str, extra: str = "") -> Path:
    path = tmp_path / "net.yaml"
    path.write_text(NET.format(country=country, extra=extra), encoding="utf-8")
    return path


def index(iso3: str, year: int) -> float:
    """The country's productivity index (USA = 1) the engine divides labour by."""
    return float(productivity_matrix([iso3], [year], extrapolate=True).item())


def labour(costs, site: str) -> float:
    cell = costs["cost"].sel(product="widget", site=site, market="de", component="labour")
    return float(cell.squeeze())


@pytest.mark.parametrize("country", ["Bolivia", "Nepal", "Uzbekistan"])
def test_validate_names_the_row_and_the_override_column(tmp_path, country) -> None:
    path = write(tmp_path, country)
    with pytest.raises(ShoringInputError) as info:
        read_network(path)
    problem, *other = info.value.problems
    assert (problem.sheet, problem.row, problem.field) == ("sites", 7, "country")
    assert "wage_usd_per_hour" in problem.message
    assert str(problem).startswith(f"{path}:sites:7:country:")
    # Bolivia and Nepal have a cited productivity index (GGDC PLD 2023), Uzbekistan not
    assert [p.message.split(":")[-1].strip() for p in other] == (
        ["give this site's output per hour in the productivity_index column (relative to "
         "a US plant making the same product = 1), or set meta.labour_productivity to equal"]
        if country == "Uzbekistan" else []
    )  # fmt: skip


def test_override_supplies_the_figure_and_sets_labour(tmp_path) -> None:
    path = write(tmp_path, "Ecuador", ", wage_usd_per_hour: 9.5")
    network = read_network(path)
    costs = landed_cost(network, [load_scenario("baseline")], years=[2021])
    # hand-worked: 2 h x USD 9.5/h, no automation, divided by Ecuador's index
    assert labour(costs, "plant-x") == pytest.approx(19.0 / index("ECU", 2021))
    # the Polish plant keeps its table figures (Eurostat-derived POL series)
    expected = 2 * labour_cost("POL", 2021) / index("POL", 2021)
    assert labour(costs, "plant-pl") == pytest.approx(expected, rel=1e-6)


def test_override_beats_the_table_and_productivity_divides(tmp_path) -> None:
    base = landed_cost(
        read_network(write(tmp_path, "Sweden")), [load_scenario("baseline")], years=[2021]
    )
    expected = 2 * labour_cost("SWE", 2021) / index("SWE", 2021)
    assert labour(base, "plant-x") == pytest.approx(expected, rel=1e-6)
    extra = ", wage_usd_per_hour: 30, productivity_index: 1.25"
    over = landed_cost(
        read_network(write(tmp_path, "Sweden", extra)), [load_scenario("baseline")], years=[2021]
    )
    # hand-worked: 2 h x USD 30/h / 1.25 = 48
    assert labour(over, "plant-x") == pytest.approx(48.0)
    wage = over["wage_usd_per_hour"].sel(site="plant-x").squeeze()
    assert float(wage) == pytest.approx(30.0)


def test_new_columns_round_trip_and_are_in_the_template(tmp_path) -> None:
    path = write(tmp_path, "Ecuador", ", wage_usd_per_hour: 2.4, productivity_index: 0.3")
    original = read_yaml(path)
    excel = write_excel(original, tmp_path / "n.xlsx")
    for network in (
        read_network(write_yaml(original, tmp_path / "again.yaml")),
        read_network(excel),
        read_network(write_csv_folder(original, tmp_path / "csv")),
    ):
        assert network.equals(original)
        assert network.sites.loc["plant-x", "wage_usd_per_hour"] == pytest.approx(2.4)
        assert network.sites.loc["plant-x", "productivity_index"] == pytest.approx(0.3)
    header = [c.value for c in openpyxl.load_workbook(excel)["sites"][1]]
    assert {"wage_usd_per_hour", "productivity_index"} <= set(header)
    with pytest.raises(ShoringInputError, match="wage_usd_per_hour: must be greater than 0"):
        read_network(write(tmp_path, "Ecuador", ", wage_usd_per_hour: 0"))


def test_plants_in_newly_covered_countries_get_a_cited_labour_cost(tmp_path) -> None:
    # the handed case's kind: Sweden, Portugal and South Africa were outside the table
    text = NET.format(country="Sweden", extra="").replace(
        "markets:",
        "  - {id: plant-pt, country: Portugal, status: candidate, products: [widget],\n"
        "      capacity_units: 100000, fixed_cost_usd: 0}\n"
        "  - {id: plant-za, country: South Africa, status: candidate, products: [widget],\n"
        "      capacity_units: 100000, fixed_cost_usd: 0}\nmarkets:",
    )
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    costs = landed_cost(read_network(path), [load_scenario("baseline")], years=[2021])
    for site, iso3 in (("plant-x", "SWE"), ("plant-pt", "PRT"), ("plant-za", "ZAF")):
        expected = 2 * labour_cost(iso3, 2021) / index(iso3, 2021)
        assert labour(costs, site) == pytest.approx(expected, rel=1e-6)
        assert labour(costs, site) > 0


def test_a_year_before_the_first_cited_wage_is_caught_with_the_fix(tmp_path) -> None:
    # Chile's first cited labour cost is INE 2024; the network's demand is 2021
    path = write(tmp_path, "Chile")
    with pytest.raises(ShoringInputError) as info:
        read_network(path)
    (problem,) = [p for p in info.value.problems if "labour cost" in p.message]
    assert (problem.sheet, problem.row, problem.field) == ("sites", 7, "country")
    assert "before 2024" in problem.message and "wage_usd_per_hour" in problem.message
    # the site's own figure supplies it: 2 h x USD 8.40/h / Chile's productivity index
    network = read_network(write(tmp_path, "Chile", ", wage_usd_per_hour: 8.4"))
    costs = landed_cost(network, [load_scenario("baseline")], years=[2021])
    assert labour(costs, "plant-x") == pytest.approx(16.8 / index("CHL", 2021))
    # a study year before the figure, asked of the engine directly, names the site
    later = write(tmp_path, "Chile")
    later.write_text(later.read_text().replace("2021: 1000", "2024: 1000"), encoding="utf-8")
    net = read_network(later)  # demand 2024: valid
    with pytest.raises(ShoringError, match=r"plant-x: no manufacturing labour cost for CHL in"):
        landed_cost(net, [load_scenario("baseline")], years=[2021])
