"""Example networks of fictional firms, shipped as package data.

Each example is a folder ``<name>/`` with ``network.yaml`` and a ``README.md``
explaining the firm, the figures and their sources:

- ``ev-battery``: EV battery packs for the US and EU (used by ``shoring demo``);
- ``medical-devices``: patient monitors and infusion pumps for the EU;
- ``apparel``: cotton T-shirts and jeans for the US;
- ``wire-harness``: automotive wire harnesses for US car plants.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shoring.errors import ShoringError

if TYPE_CHECKING:
    from shoring.network.model import Network

EXAMPLES_DIR = Path(__file__).parent
"""Folder holding the example folders."""

FIRST_EXAMPLE = "ev-battery"


def list_examples() -> list[str]:
    """Names of the shipped examples, the demo's (``ev-battery``) first.

    Returns
    -------
    list of str
        Folder names holding a ``network.yaml``; the rest sorted alphabetically.
    """
    names = sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/network.yaml"))
    if FIRST_EXAMPLE in names:
        names.remove(FIRST_EXAMPLE)
        names.insert(0, FIRST_EXAMPLE)
    return names


def example_path(name: str) -> Path:
    """Path of an example's ``network.yaml`` (its README.md sits beside it).

    Parameters
    ----------
    name : str
        Example name, e.g. ``"ev-battery"`` (see :func:`list_examples`).

    Returns
    -------
    Path
        The existing ``network.yaml`` file.

    Raises
    ------
    ShoringError
        For an unknown name, listing the known ones.
    """
    path = EXAMPLES_DIR / name / "network.yaml"
    if not path.is_file() or name.startswith((".", "_")):
        raise ShoringError(f"unknown example {name!r}; known: {', '.join(list_examples())}")
    return path


def load_example(name: str) -> Network:
    """Read and validate one example network.

    Parameters
    ----------
    name : str
        Example name, e.g. ``"ev-battery"``.

    Returns
    -------
    Network
        The validated network.

    Raises
    ------
    ShoringError
        For an unknown name.
    """
    from shoring.network.io_yaml import read_yaml

    return read_yaml(example_path(name))
