"""The one-line header: the pair, counts, what is filtered, when the store was last refreshed."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from amity.store import Topic
from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from .index import ViewFilter
from .timeline import plain


def ago(stamp: str | None, now: dt.datetime) -> str:
    """'refreshed 5 min ago' style text for an ISO timestamp (None: never)."""
    if not stamp:
        return "never refreshed"
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return "refreshed " + plain(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "refreshed just now"
    if seconds < 3600:
        return f"refreshed {seconds // 60} min ago"
    if seconds < 86400 * 2:
        return f"refreshed {seconds // 3600} h ago"
    return f"refreshed {seconds // 86400} days ago"


def describe_filter(query: ViewFilter, topics: tuple[Topic, ...]) -> str:
    """What is filtered, in words ('' when nothing is)."""
    parts = [t.label for t in topics if t.id in query.topics]
    if query.milestones_only:
        parts.append("milestones")
    if query.words:
        parts.append("“" + plain(query.search.strip()) + "”")
    return " + ".join(parts)


class StatusHeader(Widget):
    """Pair and counts on the left, filters in the middle, refresh time on the right."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $primary; color: $foreground; text-style: bold; }
    StatusHeader > .header--dim { text-style: not bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"header--dim"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.left = ""
        self.middle = ""
        self.right = ""

    def show(self, left: str, middle: str, right: str) -> None:
        """Set the three parts and redraw."""
        if (left, middle, right) != (self.left, self.middle, self.right):
            self.left, self.middle, self.right = left, middle, right
            self.refresh()

    def render(self) -> Text:
        """Left, middle (what is filtered) and right, cut to the width."""
        width = self.size.width
        dim = self.get_component_rich_style("header--dim")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" " + self.left)
        if self.middle:
            text.append("  ·  filtered: ", dim)
            text.append(self.middle)
        gap = width - cell_len(text.plain) - cell_len(self.right) - 1
        if gap >= 2:
            text.append(" " * gap)
            text.append(self.right + " ", dim)
        return text
