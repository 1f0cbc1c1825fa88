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
