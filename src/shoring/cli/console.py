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
from rich._ratio import ratio_distribute
from rich.console import Console
from rich.measure import Measurement
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
    """A rich table that never breaks a word or a number across lines.

    Rich squeezes the columns of a table wider than the console and folds or cuts what no
    longer fits (``"changzh" / "ou"``, ``"106,318," / "681"``). Here each column is at
    least as wide as its longest word (a right-justified column, numbers: its widest
    cell) and text wraps at spaces only; the width left over goes to the columns that
    would wrap, in proportion to what they lack. When that does not fit the width (80
    columns on a pipe), the cells lose their padding (the column rules still part them);
    when even that does not fit, the table is folded: one block per row, each cell as
    ``header: value`` wrapped at spaces. Only a word wider than the whole console is
    folded across lines. Every table of the CLI is this one.
    """

    def add_column(self, *args: Any, overflow: Any = "fold", **kwargs: Any) -> None:
        """As :meth:`rich.table.Table.add_column` (a word longer than the whole width
        folds rather than being cut)."""
        super().add_column(*args, overflow=overflow, **kwargs)

    def _unbroken_widths(self, console: Any, options: Any) -> tuple[list[int], list[int]]:
        """Per column, padding included: the least width that breaks no word (a
        right-justified column: no cell) and the natural width."""
        wide = options.update_width(1_000_000)
        least, natural = [], []
        for column in self.columns:
            if column.width is not None:
                fixed = self._measure_column(console, wide, column).maximum
                least.append(fixed)
                natural.append(fixed)
                continue
            low, high = self._measure_column(console, wide, column)
            if column.justify == "right":  # numbers: each cell whole, the header may wrap
                pad = self._get_padding_width(column._index)
                header = Measurement.get(console, wide, column.header).minimum + pad
                cells = (Measurement.get(console, wide, c).maximum for c in column._cells)
                low = max(header, *(width + pad for width in cells))
            least.append(low)
            natural.append(high)
        return least, natural

    def __rich_console__(self, console: Any, options: Any) -> Any:
        """Render with no word or number broken; fold the table where it cannot fit."""
        room = options.max_width - self._extra_width
        least, natural = self._unbroken_widths(console, options)
        if not self.columns or sum(natural) <= room:
            yield from super().__rich_console__(console, options)
            return
        padding, given = self.padding, [c.width for c in self.columns]
        try:
            if sum(least) > room and len(self.columns) > 1:
                self.padding = (0, 0)  # cells still apart: the column rules separate them
                least, natural = self._unbroken_widths(console, options)
                if sum(least) > room:
                    self.padding = padding
                    yield from self._folded(console, options)
                    return
            if sum(least) <= room:  # else one column, a word wider than the console: folds
                spare = room - sum(least)
                lacking = [high - low for low, high in zip(least, natural, strict=True)]
                extra = (
                    lacking
                    if sum(lacking) <= spare
                    else ratio_distribute(spare, lacking)
                    if any(lacking)
                    else [0] * len(lacking)
                )
                for i, column in enumerate(self.columns):
                    pad = self._get_padding_width(column._index)
                    column.width = least[i] - pad + extra[i]
            yield from super().__rich_console__(console, options)
        finally:
            self.padding = padding
            for column, width in zip(self.columns, given, strict=True):
                column.width = width

    def _folded(self, console: Any, options: Any) -> Any:
        """The table as blocks of ``header: value`` lines, one block per row."""
        if self.title is not None:
            title = self.title if isinstance(self.title, Text) else Text(str(self.title))
            yield Text(title.plain, style="bold")
        headers = [_plain(c.header).replace("\n", " ").strip() for c in self.columns]
        rows = zip(*(c._cells for c in self.columns), strict=True)
        for n, cells in enumerate(rows):
            if n:
                yield Text("")
            for header, cell in zip(headers, cells, strict=True):
                value = _plain(cell)
                if not value:
                    continue
                line = Text(f"{header}: {value}" if header else value, overflow="fold")
                yield from console.render(line, options.update(no_wrap=False))


def _plain(cell: Any) -> str:
    """The text of a cell (str or rich Text)."""
    return cell.plain if isinstance(cell, Text) else str(cell)


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
