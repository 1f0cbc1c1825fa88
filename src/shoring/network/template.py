"""The Excel template: instructions plus the example rows of the first example network."""

from __future__ import annotations

from pathlib import Path

from shoring.network.io_excel import write_excel

TEMPLATE_EXAMPLE = "ev-battery"
"""Example whose rows fill the template."""


def write_template(path: str | Path) -> Path:
    """Write the Excel template: an Instructions sheet and one sheet per table.

    The sheets hold the rows of the ``ev-battery`` example, so a user sees what a
    valid record looks like; overwrite them with the firm's own data.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        The file written.
    """
    from shoring.examples import load_example

    return write_excel(load_example(TEMPLATE_EXAMPLE), path)
