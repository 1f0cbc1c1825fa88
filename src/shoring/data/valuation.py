"""Customs valuation basis by importer: FOB (USA, Canada, Australia, New Zealand, SACU) or CIF."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from shoring.data.paths import TABLES_DIR

ValuationBasis = Literal["FOB", "CIF"]


@cache
def _table() -> pd.DataFrame:
    return pd.read_csv(TABLES_DIR / "customs_valuation.csv").set_index("importer")


def valuation_basis(importer: str) -> ValuationBasis:
    """Return ``"FOB"`` or ``"CIF"``: the value an importer levies ad valorem duty on.

    Parameters
    ----------
    importer : str
        ISO3 code of the importer.

    Returns
    -------
    {"FOB", "CIF"}
        FOB for importers listed in the embedded table, CIF otherwise.
    """
    table = _table()
    return "FOB" if importer in table.index else "CIF"


def cif_importers(importers: Sequence[str]) -> np.ndarray:
    """Vectorized: ``True`` where the importer values imports CIF.

    Parameters
    ----------
    importers : sequence of str
        ISO3 codes (any shape numpy accepts).

    Returns
    -------
    numpy.ndarray of bool
        False where the importer is listed as valuing FOB.
    """
    return ~np.isin(np.asarray(importers, dtype=object), _table().index.to_numpy())
