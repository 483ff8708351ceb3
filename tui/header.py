"""The one-line header: the pair, counts, what is filtered, when the store was last refreshed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import ClassVar

from amity.store import Feed, Filter, Topic
from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from .cells import cell_text
from .detail import relative_moment
from .output import counted
from .timeline import MILESTONE, ORIGIN_MARKS, ORIGIN_NAMES, tag_of


def ago(stamp: str | None, now: dt.datetime) -> str:
    """'refreshed 5 min ago' style text for an ISO timestamp (None: never)."""
    if not stamp:
        return "never refreshed"
    return "refreshed " + relative_moment(stamp, now, past=True)


def refresh_status(
    checked: str | None, feeds: Sequence[Feed], now: dt.datetime
) -> tuple[str, bool]:
    """The header's word on refreshing, and whether it is bad news: "last refresh failed" when
    every feed that was checked failed, "N feeds failing" beside the time when some did."""
    checked_feeds = [f for f in feeds if f.last_checked]
    failing = sum(1 for f in checked_feeds if f.status == "error")
    if checked_feeds and failing == len(checked_feeds):
        return f"last refresh failed ({counted(failing, 'feed')}; F)", True
    text = ago(checked, now)
    if failing:
        return f"{text} · {counted(failing, 'feed')} failing (F)", True
    return text, False


def progress_text(done: int, total: int, width: int = 10) -> str:
    """'refreshing 3/8 feeds ▰▰▰▱▱▱▱▱▱▱' while `r` works."""
    filled = width * done // max(total, 1)
    return f"refreshing {done}/{total} feeds {'▰' * filled}{'▱' * (width - filled)}"


def describe_filter(query: Filter, topics: tuple[Topic, ...], short: bool = False) -> str:
    """What is filtered, in words ('' when nothing is); `short`: topics as their timeline tags
    and origins as their marks, for a narrow terminal."""
    chosen = [t for t in topics if t.id in query.topics]
    parts = [tag_of(t) if short else cell_text(t.label) for t in chosen]
    if query.milestones_only:
        parts.append(MILESTONE if short else "milestones")
    parts += sorted(query.kinds)
    names = ORIGIN_MARKS if short else ORIGIN_NAMES
    parts += [names.get(o, o) for o in sorted(query.origins)]
    parts += [cell_text(outlet) for outlet in sorted(query.outlets)]
    if query.words:
        parts.append("“" + cell_text(query.search.strip()) + "”")
    return " + ".join(parts)


class StatusHeader(Widget):
    """Pair and counts on the left, filters in the middle, refresh time on the right."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $primary; color: $foreground; text-style: bold; }
    StatusHeader > .header--dim { text-style: not bold; }
    StatusHeader > .header--bad { background: $error; color: $text; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"header--dim", "header--bad"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.left = ""
        self.middle = ""
        self.short = ""
        self.right = ""
        self.bad = False

    def show(self, left: str, middle: str, right: str, bad: bool = False, short: str = "") -> None:
        """Set the three parts and redraw; `bad` marks the right part as an error; `short` is
        the middle in fewer columns, for when the whole does not fit."""
        parts = (left, middle, right, bad, short or middle)
        if parts != (self.left, self.middle, self.right, self.bad, self.short):
            self.left, self.middle, self.right, self.bad, self.short = parts
            self.refresh()

    def render(self) -> Text:
        """Left, middle (what is filtered) and right in the width: without the right part
        when the whole does not fit, then with the middle in short, and only then cut."""
        width = self.size.width
        right = " " + self.right + " "
        # Bad news is never dropped; the filter in words is worth more than the refresh time.
        rights = (right,) if self.bad else (right, "")
        tries = [(middle, shown) for middle in (self.middle, self.short) for shown in rights]
        for middle, shown in tries:
            text = self._left_and_middle(middle, middle is self.middle)
            if cell_len(text.plain) + cell_len(shown) <= width:
                break
        else:
            shown = right if self.bad else ""
            text.truncate(max(0, width - cell_len(shown)), overflow="ellipsis")
        if shown:
            text.append(" " * (width - cell_len(text.plain) - cell_len(shown)))
            style = self.get_component_rich_style("header--bad" if self.bad else "header--dim")
            text.append(shown, style)
        return text

    def _left_and_middle(self, middle: str, whole: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" " + self.left)
        if middle:
            text.append(
                "  ·  filtered: " if whole else " · ", self.get_component_rich_style("header--dim")
            )
            text.append(middle)
        return text
