"""shoring: relocating global supply and value chains under deglobalization.

The package is layered; dependencies point one way::

    data -> network -> scenario -> costs -> optimize -> results
                                             store / report / cli read results

Public entry points
-------------------
- :mod:`shoring.data` — reference facts about countries, each with its source.
- :mod:`shoring.network` — the firm's multi-tier network: read, validate, write.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shoring")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
