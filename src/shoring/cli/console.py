"""The consoles every command prints through: user text is shown as written.

Site ids, names, scenario titles and measure citations come from user files, so the
rich consoles here never read console markup (``"[/x]"`` would raise, ``"Plant [old]"``
would lose ``[old]``), never turn ``":warning:"`` into an emoji and never colour
numbers by guesswork. Styling is given explicitly (``style=``, :func:`styled`), never
by markup inside a string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich import progress as rich_progress
from rich import table as rich_table
from rich.console import Console
from rich.text import Text


def plain_console(stderr: bool = False) -> Console:
    """A rich console that prints strings literally (no markup, emoji or highlighting).

    Parameters
    ----------
    stderr : bool
        Print to standard error instead of standard output.

    Returns
    -------
    rich.console.Console
        Soft-wrapping console; tables and text are rendered, strings never parsed.
    """
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)


out = plain_console()
"""Standard output."""
err = plain_console(stderr=True)
"""Standard error: progress, notes and error messages."""


class Table(rich_table.Table):
    """A rich table whose cells wrap and never lose text.

    Rich cuts a cell that does not fit its column with an ellipsis by default
    (``"ieepa-fentan…"``); here every column wraps at spaces and folds a longer word
    onto the next line, so a narrow terminal (80 columns) still shows every character.
    A right-justified column (numbers) never wraps: ``-12.34`` is never split over two
    lines; the text columns give way first. Every table of the CLI is this one.
    """

    def add_column(self, *args: Any, overflow: Any = "fold", **kwargs: Any) -> None:
        """As :meth:`rich.table.Table.add_column`, folding text, numbers unbroken."""
        super().add_column(*args, overflow=overflow, **kwargs)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        """Render with every right-justified column at least as wide as its widest cell."""
        for column in self.columns:
            if column.justify == "right":
                cells = [c.plain if isinstance(c, Text) else str(c) for c in column._cells]
                widest = max((len(c) for c in cells), default=0)
                column.min_width = max(column.min_width or 0, widest)
        return super().__rich_console__(console, options)


class Progress(rich_progress.Progress):
    """A rich progress display that leaves nothing behind when stderr is not a terminal.

    Rich prints an empty line when a progress display stops on a non-interactive console
    (a pipe, a log file), so an error that follows starts with a blank line. Every
    progress display of the CLI is this one.
    """

    def stop(self) -> None:
        """Stop the display (no trailing empty line on a non-interactive console)."""
        if not self.disable:
            self.live.stop()


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from literal pieces, each plain or ``(text, style)``.

    Parameters
    ----------
    *parts : str or (str, str)
        Literal text, or literal text with a rich style name (``"bold"``, ``"dim"``).

    Returns
    -------
    rich.text.Text
        Nothing in the pieces is read as markup or emoji.
    """
    return Text.assemble(*parts)


@contextmanager
def spinner(first: str = "starting") -> Iterator[Callable[[str], None]]:
    """A spinner on standard error whose line the caller updates with literal text.

    Parameters
    ----------
    first : str
        The first line shown.

    Yields
    ------
    callable
        ``update(message)``; the message is shown as written (a scenario or site name
        with brackets in it stays as it is).
    """
    with err.status(Text(first)) as status:
        yield lambda message: status.update(Text(message))
