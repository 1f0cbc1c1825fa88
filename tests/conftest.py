"""Shared fixtures.

``shared_data`` gives the folder of real reference data (``../shared/data``). Tests
that need it skip when it is absent on a user's checkout and fail under ``CI=true``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shoring.data.paths import shared_data_dir

REQUIRED_ECONOMIES = (
    "USA", "CAN", "MEX", "BRA", "CHN", "VNM", "IND", "BGD", "IDN", "THA", "MYS", "PHL", "JPN",
    "KOR", "TWN", "DEU", "FRA", "ITA", "ESP", "POL", "CZE", "HUN", "ROU", "TUR", "MAR", "GBR",
)  # fmt: skip
"""The economies issue 2 requires labour costs (and the indices) for."""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("../shared/data is required under CI=true but was not found")
        pytest.skip("../shared/data not present")
    return path


MINI_NETWORK = """\
meta: {name: mini, base_year: 2025}
products:
  - {id: widget, hs_code: '850760', unit_value_usd: 100, weight_kg: 2, labour_hours: 1}
sites:
  - {id: plant-a, country: MEX, status: existing, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000}
  - {id: plant-b, country: CHN, status: candidate, products: [widget], capacity_units: 1000,
     fixed_cost_usd: 1000, opening_capex_usd: 5000}
markets:
  - {id: us, country: USA}
demand:
  - {market: us, product: widget, units: {2025: 500, 2026: 600}}
"""
"""Two sites (Mexico, China) serving one US market: small enough for end-to-end tests."""


@pytest.fixture(scope="session")
def mini_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:data:`MINI_NETWORK` as a YAML file."""
    path = tmp_path_factory.mktemp("mini") / "mini.yaml"
    path.write_text(MINI_NETWORK, encoding="utf-8")
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``shoring ARGS...`` in this process: ``cli(*args) -> (exit code, stdout, stderr)``."""
    from shoring.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
