"""The feeds screen: each subscribed feed's status, last success, next check and full error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import ClassVar

from amity.store import Feed
from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .cells import cell_text
from .detail import relative_moment
from .dialog import dialog_css

STATUS_STYLE = {"ok": "green", "not-modified": "green", "error": "bold red", "skipped": "yellow"}


TABLE_WIDTH = 90  # narrower, the table's Feed and Error columns shrank to a few letters


def feeds_table(feeds: Sequence[Feed], now: dt.datetime) -> FeedsTable:
    """Every feed, failing feeds first; errors in full (wrapped, never cut)."""
    return FeedsTable(sorted(feeds, key=lambda f: (f.status != "error", f.title or f.url)), now)


class FeedsTable:
    """A table with a row per feed where there is room; else a block of lines per feed, so a
    narrow terminal still shows each feed's name and error whole."""

    def __init__(self, feeds: Sequence[Feed], now: dt.datetime) -> None:
        self.feeds, self.now = feeds, now

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The table, or the blocks when narrower than TABLE_WIDTH."""
        if options.max_width >= TABLE_WIDTH:
            yield self.table()
            return
        for feed in self.feeds:
            status, name, last_ok, next_check, error = self.cells(feed)
            block = Text.assemble(status, "  ", name, "\n", end="\n")
            block.append_text(Text.assemble("last success ", last_ok, " · next check ", next_check))
            if error:
                block.append("\n")
                block.append_text(error)
            yield Padding(block, (0, 0, 1, 0))

    def table(self) -> Table:
        """One row per feed."""
        table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
        table.add_column("Status", no_wrap=True)
        table.add_column("Feed", ratio=2)
        table.add_column("Last success", no_wrap=True)
        table.add_column("Next check", no_wrap=True)
        table.add_column("Error", ratio=3)
        for feed in self.feeds:
            table.add_row(*self.cells(feed))
        return table

    def cells(self, feed: Feed) -> tuple[Text, Text, Text, Text, Text]:
        """Status, name (and URL), last success, next check, error."""
        name = Text(cell_text(feed.title) or cell_text(feed.url))
        if feed.title:
            name.append("\n" + cell_text(feed.url), "dim")
        return (
            Text(feed.status, STATUS_STYLE.get(feed.status, "")),
            name,
            Text(relative_moment(feed.last_ok, self.now)),
            Text(relative_moment(feed.next_check, self.now) if feed.next_check else "next refresh"),
            Text(cell_text(feed.error or ""), "red"),
        )


class FeedsScreen(ModalScreen[None]):
    """Every feed and how its last fetch went; r refreshes, Esc closes."""

    DEFAULT_CSS = (
        dialog_css("FeedsScreen", "VerticalScroll", "width: 96%; height: auto; max-height: 90%;")
        + "FeedsScreen Static { width: 100%; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,F", "dismiss", "Close"),
    ]

    def __init__(self, feeds: Sequence[Feed], now: dt.datetime) -> None:
        super().__init__()
        self._body = Static(feeds_table(feeds, now))
        self.now = now

    def compose(self) -> ComposeResult:
        """The table of feeds."""
        with VerticalScroll() as scroll:
            scroll.border_title = "Feeds"
            scroll.border_subtitle = "r refreshes · Esc closes"
            yield self._body

    def show(self, feeds: Sequence[Feed], now: dt.datetime) -> None:
        """Redraw with the feeds as they are now (after a refresh)."""
        self._body.update(feeds_table(feeds, now))
