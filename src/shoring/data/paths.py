"""Where the embedded tables and the optional shared reference data live."""

from __future__ import annotations

import os
from pathlib import Path

TABLES_DIR = Path(__file__).with_name("tables")
"""Folder of the embedded default tables and their data cards."""

SHARED_DATA_ENV = "SHORING_SHARED_DATA"


def shared_data_dir() -> Path | None:
    """Return the folder of downloaded reference data sets, if there is one.

    Looks at ``$SHORING_SHARED_DATA`` first, then ``../shared/data`` relative to
    the working directory and to the source checkout. The folder holds official
    files in their published layouts (CEPII GeoDist, tariff event tables, LPI,
    WorldRiskIndex, OR-Library); the embedded defaults never need it.

    Returns
    -------
    pathlib.Path or None
        The folder, or ``None`` when none is found.
    """
    env = os.environ.get(SHARED_DATA_ENV)
    candidates = [Path(env)] if env else []
    candidates.append(Path.cwd().parent / "shared" / "data")
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    return None
