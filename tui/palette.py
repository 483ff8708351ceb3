"""Command palette entries: jump to a year, toggle a topic, refresh, milestones only, …"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, cast

from amity.store import KINDS, ORIGINS, clean_text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from .actions import APP_KEYS
from .output import counted
from .timeline import ORIGIN_NAMES

if TYPE_CHECKING:
    from .app import AmityApp


class ListCommands(Provider):
    """A provider over `commands()`: (name, help, callback); names are matched as plain text."""

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) for every command offered now."""
        raise NotImplementedError

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


class FilterCommands(ListCommands):
    """Filters by kind, origin and outlet (f, or ctrl+p), each saying whether it is on."""

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """A toggle for every kind, origin and outlet, and one to clear them all."""
        app = cast("AmityApp", self.app)
        chosen = app.view_filter
        yield "Clear every filter", "Show everything (x)", app.action_clear_filters
        for field, values, names in (
            ("kinds", KINDS, {}),
            ("origins", ORIGINS, ORIGIN_NAMES),
            ("outlets", app.index.outlets, {}),
        ):
            label = field[:-1].capitalize()
            for value in values:
                state = "on" if value in getattr(chosen, field) else "off"
                yield (
                    f"{label}: {clean_text(names.get(value, value))} (now {state})",
                    f"Show only events of any chosen {field[:-1]}",
                    partial(app.toggle_filter, field, value),
                )


class TimelineCommands(ListCommands):
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
            shortcut = f" {topic.key}" if topic.key else ""
            yield (
                f"Toggle topic{shortcut}: {topic.label} (now {state})",
                "Show events with any selected topic",
                partial(app.toggle_topic, topic.id),
            )
        for year in sorted(app.view.year_counts, reverse=True):
            count = app.view.year_counts[year]
            yield (
                f"Jump to year {year}",
                counted(count, "event"),
                partial(app.jump_to_year, year),
            )


def choices_provider(
    choices: Sequence[tuple[str, str, Callable[[], object]]],
) -> type[ListCommands]:
    """A provider offering just these (name, help, callback) choices, e.g. which source."""

    class Choices(ListCommands):
        def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
            yield from choices

    return Choices


def highlight(matcher: Matcher, name: str) -> Content:
    """`name` with the matched letters lit, as plain text: Matcher.highlight parses markup, and
    topic labels come from the user's config (`R&D [beta]` must show as written)."""
    content = Content(name)
    _, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
