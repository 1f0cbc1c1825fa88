"""Reader of the OR-Library capacitated warehouse location files."""

from __future__ import annotations

import numpy as np
import pytest

from shoring.errors import ShoringInputError
from shoring.optimize import parse_orlib_cap, read_orlib_cap

# 3 facilities, 2 customers, capa/capb/capc style ("capacity" word); each customer's three
# costs wrap over two lines (2 + 1), as in the real files (7 values a line).
TINY = """\
 3 2
 capacity 100.5
 capacity 0.
 capacity 7
 4
 10.25 20
 30
 6
 1 2
 3.5
"""


def _problems(excinfo: pytest.ExceptionInfo[ShoringInputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_reads_wrapped_costs_and_capacity_word() -> None:
    inst = parse_orlib_cap(TINY, file="tiny.txt", capacity=9)
    assert (inst.n_facilities, inst.n_customers) == (3, 2)
    np.testing.assert_array_equal(inst.capacity, [9, 9, 9])
    np.testing.assert_array_equal(inst.fixed_cost, [100.5, 0, 7])
    np.testing.assert_array_equal(inst.demand, [4, 6])
    # cost[i, j]: facility i (rows), customer j (columns)
    np.testing.assert_array_equal(inst.cost, [[10.25, 1], [20, 2], [30, 3.5]])
    assert inst.name == "tiny.txt"


def test_numeric_capacities() -> None:
    inst = parse_orlib_cap("2 1\n5 1\n6 2\n3\n7 8\n")
    np.testing.assert_array_equal(inst.capacity, [5, 6])
    np.testing.assert_array_equal(inst.cost, [[7], [8]])


def test_capacity_word_without_value_is_located() -> None:
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap(TINY, file="tiny.txt")
    msgs = _problems(excinfo)
    assert len(msgs) == 3
    assert msgs[0].startswith("tiny.txt:2: facility 1: capacity is the word 'capacity'")
    assert "--capacity" in msgs[0]
    assert msgs[2].startswith("tiny.txt:4: ")


def test_capacity_value_for_numeric_file_is_an_error() -> None:
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap("2 1\n5 1\n6 2\n3\n7 8\n", file="f.txt", capacity=10)
    assert _problems(excinfo)[0].startswith("f.txt:2: facility 1: the file gives a numeric")


def test_truncated_in_customers() -> None:
    text = "\n".join(TINY.splitlines()[:-1]) + "\n"  # drop the last cost line (3.5)
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap(text, file="t.txt", capacity=9)
    (msg,) = _problems(excinfo)
    assert msg.startswith("t.txt:9: file ends in customer 2 of 2")
    assert "expected 8 values" in msg and "found 7" in msg


def test_truncated_in_facilities() -> None:
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap("3 2\n5 1\n6 2\n", file="t.txt")
    (msg,) = _problems(excinfo)
    assert msg == "t.txt:3: file ends after 2 of 3 facility lines ('capacity fixed_cost')"


def test_extra_values() -> None:
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap("2 1\n5 1\n6 2\n3\n7 8\n9\n", file="t.txt")
    (msg,) = _problems(excinfo)
    assert msg.startswith("t.txt:6: unexpected value '9' after the last customer")


def test_bad_numbers_are_each_located() -> None:
    text = "2 2\n5 1\n6 x\n3\n7 8\n4\n-1 abc\n"
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap(text, file="b.txt")
    assert _problems(excinfo) == ["b.txt:3: facility 2: fixed cost is not a number: 'x'"]
    text = "2 2\n5 1\n6 2\n3\n7 8\n4\n-1 abc\n"
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap(text, file="b.txt")
    assert _problems(excinfo) == [
        "b.txt:7: customer 2: cost from facility 1 cannot be negative, got -1",
        "b.txt:7: customer 2: cost from facility 2 is not a number: 'abc'",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "e.txt:1: empty file"),
        ("3\n", "e.txt:1: first line must be 'm n' (two integers), got '3'"),
        ("3 x\n", "e.txt:1: first line must be 'm n' (two integers), got '3 x'"),
        ("0 2\n", "e.txt:1: numbers of facilities and customers must be >= 1, got 0 2"),
        (
            "1 1\n5\n",
            "e.txt:2: facility 1: expected 'capacity fixed_cost' (two values), got 1: '5'",
        ),
        ("1 1\n0 3\n1\n2\n", "e.txt:2: facility 1: capacity must be > 0, got 0"),
    ],
)
def test_header_and_facility_errors(text: str, expected: str) -> None:
    with pytest.raises(ShoringInputError) as excinfo:
        parse_orlib_cap(text, file="e.txt")
    assert _problems(excinfo)[0] == expected


def test_missing_file(tmp_path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(ShoringInputError) as excinfo:
        read_orlib_cap(path)
    assert _problems(excinfo) == [f"{path}: no such file"]


def test_reads_file_and_names_it_by_stem(tmp_path) -> None:
    path = tmp_path / "capx.txt"
    path.write_text(TINY)
    inst = read_orlib_cap(path, capacity=9)
    assert inst.name == "capx"
    assert inst.cost.shape == (3, 2)


def test_cap41_values(shared_data) -> None:
    """Figures read off the published cap41.txt (OR-Library) by eye."""
    inst = read_orlib_cap(shared_data / "benchmarks" / "orlib_cap" / "cap41.txt")
    assert (inst.n_facilities, inst.n_customers) == (16, 50)
    np.testing.assert_array_equal(inst.capacity, np.full(16, 5000.0))
    assert inst.fixed_cost[0] == 7500.0 and inst.fixed_cost[10] == 0.0
    assert inst.demand[:3].tolist() == [146, 87, 672]
    # customer 1: 16 costs over three lines (7 + 7 + 2)
    assert inst.cost[0, 0] == 6739.725
    assert inst.cost[7, 0] == 3847.1
    assert inst.cost[14, 0] == 10349.575
    assert inst.cost[15, 0] == 6051.7
    assert inst.cost[0, 2] == 4914.0
