"""The timeline's view index: events sorted once, with per-event search text and topic bitmasks,
so that every filter, search and sort is a pass over flat lists (well under 50 ms at 100,000).

Kept free of Textual so it can be measured and tested on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from amity.store import Event, Topic, ordered, search_text, word_needles


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """What the app shows: topics (any of), milestones only, search words, kinds, origins and
    outlets (any of each), and the order."""

    topics: frozenset[str] = frozenset()
    milestones_only: bool = False
    search: str = ""
    newest_first: bool = True
    kinds: frozenset[str] = frozenset()
    origins: frozenset[str] = frozenset()
    outlets: frozenset[str] = frozenset()
    show_hidden: bool = False  # the entries the person hid, shown again (marked)

    @property
    def words(self) -> tuple[str, ...]:
        """The search text as case-folded words."""
        return tuple(self.search.casefold().split())

    @property
    def narrows(self) -> bool:
        """True when something is filtered out (order alone does not count)."""
        return bool(
            self.topics
            or self.milestones_only
            or self.words
            or self.kinds
            or self.origins
            or self.outlets
        )


@dataclass(slots=True)
class View:
    """One filtered, ordered timeline: rows to draw and what the sidebar and strip count.

    `rows[i] >= 0` is a position in `TimelineIndex.events`; a negative row `~year` is the
    heading of that year.
    """

    rows: list[int]
    matched: int
    topic_counts: dict[str, int]
    year_counts: dict[int, int]
    row_of: dict[int, int] = field(default_factory=dict)

    def row_of_event(self, position: int) -> int | None:
        """The row showing the event at `position` in the index, if it is shown."""
        if not self.row_of:
            self.row_of = {p: r for r, p in enumerate(self.rows) if p >= 0}
        return self.row_of.get(position)


class TimelineIndex:
    """Every event of a snapshot, newest first, with what filtering needs precomputed."""

    def __init__(self, events: Sequence[Event], topics: Sequence[Topic]) -> None:
        self.events: list[Event] = ordered(events)
        self.topics = tuple(topics)
        self.bit_of = {topic.id: 1 << n for n, topic in enumerate(self.topics)}
        self.masks: list[int] = []
        self.years: list[int] = []
        self.milestones: list[int] = []
        self.position_of: dict[str, int] = {}
        self.hidden: set[int] = set()  # positions of the entries the person hid
        # One pass with everything local: four comprehensions over 100k events took 0.18 s.
        mask_of: dict[tuple[str, ...], int] = {}
        masks, years, milestones, position_of = (
            self.masks.append,
            self.years.append,
            self.milestones.append,
            self.position_of,
        )
        prefix, year = "-", 0  # no date starts with "-"
        for position, event in enumerate(self.events):
            tags = event.topics  # not `topics`: that is the config's list
            mask = mask_of.get(tags)
            if mask is None:
                mask = mask_of[tags] = self._mask(tags)
            masks(mask)
            if not event.date.startswith(prefix):  # sorted by date: the year rarely changes
                prefix = event.date[:4]
                year = int(prefix)
            years(year)
            if event.milestone:
                milestones(position)
            if event.hidden:
                self.hidden.add(position)
            position_of[event.id] = position
        self._texts: list[str] | None = None
        self._longest: int | None = None
        self._outlets: list[str] | None = None

    def _mask(self, topics: Sequence[str]) -> int:
        mask = 0
        for topic in topics:
            mask |= self.bit_of.get(topic, 0)
        return mask

    @property
    def texts(self) -> list[str]:
        """Each event's case-folded search text, built on first use (the app builds it in the
        background right after the first paint, so start-up does not wait for it)."""
        if self._texts is None:
            self._texts = [search_text(e) for e in self.events]
        return self._texts

    @property
    def longest_title(self) -> int:
        """Characters in the longest title: the title column need be no wider (the topic tags
        line up right after it)."""
        if self._longest is None:
            self._longest = max((len(e.title) for e in self.events), default=0)
        return self._longest

    @property
    def outlets(self) -> list[str]:
        """Every publisher named by a source, most sources first (the outlet filter's list)."""
        if self._outlets is None:
            counts = Counter(s.publisher for e in self.events for s in e.sources if s.publisher)
            self._outlets = [name for name, _ in counts.most_common()]
        return self._outlets

    @property
    def hidden_count(self) -> int:
        """How many entries the person hid (they leave the timeline and its counts)."""
        return len(self.hidden)

    def __len__(self) -> int:
        return len(self.events)

    def view(self, query: ViewFilter) -> View:
        """Apply the filter: rows with year headings, and counts for sidebar and density."""
        candidates: Sequence[int] = (
            self.milestones if query.milestones_only else range(len(self.events))
        )
        if self.hidden and not query.show_hidden:
            hidden = self.hidden
            candidates = [p for p in candidates if p not in hidden]
        if query.words:
            texts = self.texts
            for needle in word_needles(query.words):  # a plain `in` per word: C speed
                candidates = [p for p in candidates if needle in texts[p]]
        events = self.events
        if query.kinds:
            candidates = [p for p in candidates if events[p].kind in query.kinds]
        if query.origins:
            candidates = [p for p in candidates if events[p].origin in query.origins]
        if query.outlets:
            outlets = query.outlets
            candidates = [
                p for p in candidates if any(s.publisher in outlets for s in events[p].sources)
            ]
        masks = self.masks
        by_mask = Counter(masks[p] for p in candidates)
        topic_counts = {
            topic.id: sum(n for mask, n in by_mask.items() if mask & self.bit_of[topic.id])
            for topic in self.topics
        }
        if query.topics:
            wanted = self._mask(tuple(query.topics))
            candidates = [p for p in candidates if masks[p] & wanted]
        positions = list(candidates)
        if not query.newest_first:
            positions.reverse()
        return self._rows(positions, topic_counts)

    def _rows(self, positions: list[int], topic_counts: dict[str, int]) -> View:
        years = self.years
        rows: list[int] = []
        year_counts: dict[int, int] = {}
        append = rows.append
        current = None
        start = 0
        for position in positions:
            year = years[position]
            if year != current:
                if current is not None:
                    year_counts[current] = len(rows) - start
                append(~year)
                start = len(rows)
                current = year
            append(position)
        if current is not None:
            year_counts[current] = len(rows) - start
        return View(
            rows=rows, matched=len(positions), topic_counts=topic_counts, year_counts=year_counts
        )
