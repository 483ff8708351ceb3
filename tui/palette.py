"""Command palette entries: jump to a year, toggle a topic, refresh, milestones only, …"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from .actions import APP_KEYS

if TYPE_CHECKING:
    from .app import AmityApp


class TimelineCommands(Provider):
    """The app's own commands, for ctrl+p."""

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) for every command the timeline offers now."""
        app = cast("AmityApp", self.app)
        for key in APP_KEYS:
            if key.palette:
                keys = key.display
                yield (
                    key.palette_name(app),
                    f"{key.help} ({keys})",
                    partial(app.run_action, key.action),
                )
        for topic in app.config.topics:
            state = "on" if topic.id in app.view_filter.topics else "off"
            key = f" {topic.key}" if topic.key else ""
            yield (
                f"Toggle topic{key}: {topic.label} (now {state})",
                "Show events with any selected topic",
                partial(app.action_toggle_topic, topic.key),
            )
        for year in sorted(app.view.year_counts, reverse=True):
            count = app.view.year_counts[year]
            yield (
                f"Jump to year {year}",
                f"{count} event{'s' if count != 1 else ''}",
                partial(app.jump_to_year, year),
            )

    async def discover(self) -> Hits:
        """Everything, before anything is typed."""
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match the names."""
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlight(matcher, name), callback, text=name, help=help_text)


def highlight(matcher: Matcher, name: str) -> Content:
    """`name` with the matched letters lit, as plain text: Matcher.highlight parses markup, and
    topic labels come from the user's config (`R&D [beta]` must show as written)."""
    content = Content(name)
    _, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
