"""The timeline's index: every event newest first as columns (ids, dates, topics, search text,
...), and the one place the filter (`Filter`, store/query.py) is run, for `amity list`, `export`
and the app alike.

Built from the store's view (store/view.py) when it has a usable one: then no event is built
until it is shown (the Line API way: only the rows on screen, the detail pane, the rows a
command prints). Without a view, from the events themselves (the plain path). Both give the
same positions for every filter: only where the columns come from differs.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import compress, filterfalse, repeat
from operator import itemgetter
from typing import Any, Protocol, TypeVar

from .database import Store
from .model import Event
from .query import Filter, cut, ordered, word_needles
from .storage import paused_gc
from .subscriptions import Feed
from .topics import Topic
from .view import CODED, Texts, View, ViewDamaged, texts_of

T = TypeVar("T")

# What the filter looks at (the rest of view.COLUMNS is for printing).
FILTERED = (
    "id",
    "date",
    "end_date",
    "kind",
    "topics",
    "milestone",
    "origin",
    "hidden",
    "publishers",
)
# What the index derives from its columns on first use (`warm` names them).
DERIVED = (
    *("texts", "position_of", "masks", "years", "hidden"),
    *("mask_codes", "year_codes", "source_codes"),
)
# Ids looked for at a time by `where`: the ones it is asked for are mostly recent (the first).
_BLOCK = 4096


class Columns(Protocol):
    """Where an index reads its columns (see view.COLUMNS) and builds its events."""

    count: int
    longest_title: int

    def column(self, name: str) -> list[Any]:
        """One column, newest first."""

    def event(self, position: int) -> Event:
        """The event at `position`."""

    def texts(self) -> Texts:
        """Every event's search text."""

    def events(self, positions: Sequence[int]) -> list[Event]:
        """The events at `positions`, in that order."""

    def coded(self, name: str) -> tuple[list[Any], Sequence[int]]:
        """Column `name` as its distinct values and, per event, the index of its value there
        (every index within the values), so what depends on the value is worked out once."""


class EventColumns:
    """Columns of events in memory (the plain path): each computed on first use."""

    def __init__(self, events: Iterable[Event]) -> None:
        self._events = ordered(events)
        self.count = len(self._events)
        self.longest_title = max((len(e.title) for e in self._events), default=0)
        self._columns: dict[str, list[Any]] = {}

    def column(self, name: str) -> list[Any]:
        """One column, newest first (as view.COLUMNS computes it)."""
        if name not in self._columns:
            self._columns[name] = [_value(event, name) for event in self._events]
        return self._columns[name]

    def event(self, position: int) -> Event:
        """The event at `position`."""
        return self._events[position]

    def texts(self) -> Texts:
        """Every event's search text."""
        return texts_of(self._events)

    def events(self, positions: Sequence[int]) -> list[Event]:
        """The events at `positions`, in that order."""
        events = self._events
        return [events[p] for p in positions]

    def coded(self, name: str) -> tuple[list[Any], Sequence[int]]:
        """Column `name` coded (see Columns.coded)."""
        return _coded(self.column(name))


def _coded(column: list[Any]) -> tuple[list[Any], list[int]]:
    code_of = {value: code for code, value in enumerate(dict.fromkeys(column))}
    return list(code_of), list(map(code_of.__getitem__, column))


def _value(event: Event, name: str) -> Any:
    if name == "publishers":
        return tuple(source.publisher for source in event.sources)
    return getattr(event, name)


class ViewColumns:
    """Columns of the store's view: read on first use, events built only when asked for."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.count = view.count
        self.longest_title = view.longest_title
        self._built: dict[int, Event] = {}

    def column(self, name: str) -> list[Any]:
        """One column, newest first (the index keeps it; the ids and times added, which
        `View.event` reads too, are one list shared with the view)."""
        return self.view.column(name, keep=name in ("id", "added"))

    def texts(self) -> Texts:
        """Every event's search text, read and checked."""
        return self.view.texts()

    def event(self, position: int) -> Event:
        """The event at `position` (kept: the rows on screen are drawn again and again)."""
        event = self._built.get(position)
        if event is None:
            if len(self._built) >= 4096:
                self._built.clear()
            event = self._built[position] = self.view.event(position)
        return event

    def events(self, positions: Sequence[int]) -> list[Event]:
        """The events at `positions`, in that order (every event: read in checked batches)."""
        if len(positions) == self.count and all(p == n for n, p in enumerate(positions)):
            with paused_gc():
                return list(self.view.events())
        return [self.view.event(p) for p in positions]

    def coded(self, name: str) -> tuple[list[Any], Sequence[int]]:
        """Column `name` coded (see Columns.coded): a column the view keeps coded, as read,
        without building the column (a code past its values: TimelineIndex._codes_checked)."""
        if name not in CODED:
            return _coded(self.column(name))
        coded = self.view.coded(name)
        return coded["values"], coded["codes"]


@dataclass(slots=True)
class Shown:
    """One filtered, ordered timeline: rows to draw and what the sidebar and strip count.

    `rows[i] >= 0` is a position in the index; a negative row `~year` is the heading of that
    year.
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
    """Every event, newest first, as columns; what filtering needs is derived on first use."""

    def __init__(self, columns: Columns, topics: Sequence[Topic] = ()) -> None:
        self.columns = columns
        self.topics = tuple(topics)
        self.bit_of = {topic.id: 1 << n for n, topic in enumerate(self.topics)}
        self.longest_title = columns.longest_title
        self._cache: dict[str, Any] = {}
        self._last: tuple[Filter, list[int], dict[str, int]] | None = None  # see show()
        self._found: dict[bytes, array[int]] = {}  # see _holding()

    @classmethod
    def of_events(cls, events: Iterable[Event], topics: Sequence[Topic] = ()) -> TimelineIndex:
        """The index of events in memory."""
        return cls(EventColumns(events), topics)

    def __len__(self) -> int:
        return self.columns.count

    def _derived(self, name: str, make: Callable[[], Any]) -> Any:
        # Thread-safe enough: two threads may both make it; either result is the same.
        value = self._cache.get(name)
        if value is None:
            value = self._cache[name] = make()
        return value

    def column(self, name: str) -> list[Any]:
        """One column (see view.COLUMNS), newest first."""
        return self._derived("column " + name, lambda: self.columns.column(name))

    def event(self, position: int) -> Event:
        """The event at `position`, built when first asked for."""
        return self.columns.event(position)

    def events(self, positions: Sequence[int]) -> list[Event]:
        """The events at `positions`, in that order."""
        return self.columns.events(positions)

    @property
    def ids(self) -> list[str]:
        """Each event's id."""
        return self.column("id")

    @property
    def position_of(self) -> dict[str, int]:
        """Where each id is."""
        return self._derived("position_of", lambda: {id: p for p, id in enumerate(self.ids)})

    def where(self, wanted: Collection[str]) -> dict[str, int]:
        """Where each of the `wanted` ids is (no map of all of them: the ids are read newest
        first, a block at a time, until every wanted one is found)."""
        ids = self.ids
        where: dict[str, int] = {}
        for start in range(0, len(ids) if wanted else 0, _BLOCK):
            block = ids[start : start + _BLOCK]
            hits = list(map(wanted.__contains__, block))
            positions = range(start, start + len(block))
            where.update(zip(compress(block, hits), compress(positions, hits), strict=True))
            if len(where) == len(wanted):
                break
        return where

    @property
    def hidden(self) -> set[int]:
        """The positions of the entries the person hid."""
        return self._derived("hidden", self._hidden)

    def _hidden(self) -> set[int]:
        flags = self.column("hidden")
        # Most timelines hide nothing: any() finds that at C speed, with no pass building a set.
        return set(compress(range(len(self)), flags)) if any(flags) else set()

    @property
    def hidden_count(self) -> int:
        """How many entries the person hid (they leave the timeline and its counts)."""
        return len(self.hidden)

    @property
    def masks(self) -> list[int]:
        """Each event's topics as bits (`bit_of`)."""
        return self._derived("masks", lambda: self._per_event("topics", *self.mask_codes))

    @property
    def mask_codes(self) -> tuple[list[int], Sequence[int]]:
        """Each distinct topic set's bits, and an index into them per event: what the first
        screen needs, without a list of every event's bits (see Columns.coded)."""
        return self._derived("mask_codes", self._mask_codes)

    def _mask_codes(self) -> tuple[list[int], Sequence[int]]:
        values, codes = self.columns.coded("topics")
        return list(map(self._mask, values)), codes

    def _mask(self, topics: Iterable[str]) -> int:
        mask = 0
        for topic in topics:
            mask |= self.bit_of.get(topic, 0)
        return mask

    @property
    def years(self) -> list[int]:
        """Each event's year."""
        return self._derived("years", lambda: self._per_event("date", *self.year_codes))

    @property
    def year_codes(self) -> tuple[list[int], Sequence[int]]:
        """Each distinct date's year, and an index into them per event (see mask_codes)."""
        return self._derived("year_codes", self._year_codes)

    def _year_codes(self) -> tuple[list[int], Sequence[int]]:
        values, codes = self.columns.coded("date")
        return _years_of(values), codes

    def _per_event(self, name: str, per_value: list[T], codes: Sequence[int]) -> list[T]:
        # Each event's value from its code, mapped in C.
        with self._codes_checked(name):
            return list(map(per_value.__getitem__, codes))

    @contextmanager
    def _codes_checked(self, name: str) -> Iterator[None]:
        # A code past its column's values is a damaged view (found where codes are used: a
        # check of every code first cost the first screen 2 ms at 100,000 events).
        try:
            yield
        except IndexError:
            where = getattr(getattr(self.columns, "view", None), "path", "a view")
            raise ViewDamaged(f"{where}: its {name} do not parse") from None

    @property
    def texts(self) -> Texts:
        """Each event's search text (`search_text`), read on first use (the app reads it in the
        background right after the first paint, so start-up does not wait for it)."""
        return self._derived("texts", self.columns.texts)

    @property
    def outlets(self) -> list[str]:
        """Every publisher named by a source, most sources first (the outlet filter's list)."""
        return self._derived(
            "outlets",
            lambda: [
                name
                for name, _ in Counter(
                    p for names in self.column("publishers") for p in names if p
                ).most_common()
            ],
        )

    def warm(self, parts: Iterable[str] = (*FILTERED, *DERIVED)) -> None:
        """Read (and check) now `parts`, each a column (see view.COLUMNS) or a derived part
        (see DERIVED); by default what filtering may need (done off the UI thread)."""
        for part in parts:
            if part in DERIVED:
                getattr(self, part)
            else:
                self.column(part)

    @property
    def source_codes(self) -> tuple[list[int], Sequence[int]]:
        """How many sources each distinct list of publishers names, and an index into them
        per event (see mask_codes): what the marks of a visit need, without the column."""
        return self._derived("source_codes", self._source_codes)

    def _source_codes(self) -> tuple[list[int], Sequence[int]]:
        values, codes = self.columns.coded("publishers")
        return list(map(len, values)), codes

    def source_count(self, position: int) -> int:
        """How many sources the event at `position` has."""
        counts, codes = self.source_codes
        with self._codes_checked("publishers"):
            return counts[codes[position]]

    def source_counts(self, positions: Iterable[int]) -> list[int]:
        """How many sources each event at `positions` has (maps, not a loop: at 100k events a
        visit asks for some 15,000)."""
        counts, codes = self.source_codes
        with self._codes_checked("publishers"):
            return list(map(counts.__getitem__, map(codes.__getitem__, positions)))

    def recent(self, since: str) -> Iterable[int]:
        """The positions of the events dated `since` or later (newest first)."""
        for position, date in enumerate(self.column("date")):
            if date < since:
                return
            yield position

    def select(self, query: Filter) -> list[int]:
        """The positions of the events the filter shows, in its order."""
        positions = self._narrowed(query)
        if query.topics:
            positions = self._with_topics(positions, query.topics)
        return positions if query.newest_first else positions[::-1]

    def show(self, query: Filter) -> Shown:
        """Apply the filter for the app: rows with year headings, and counts for the sidebar
        (each topic's matches under every other part of the filter) and the density strip."""
        # Toggling a topic changes neither the rest of the filter nor the counts: kept.
        rest = replace(query, topics=frozenset(), newest_first=True)
        if self._last is None or self._last[0] != rest:
            candidates = self._narrowed(query)
            if len(candidates) == len(self):  # every event: each topic set's events counted
                value_masks, codes = self.mask_codes
                by_mask: Counter[int] = Counter()
                with self._codes_checked("topics"):
                    for code, n in Counter(codes).items():
                        by_mask[value_masks[code]] += n
            else:
                by_mask = Counter(map(self.masks.__getitem__, candidates))
            counts = {
                topic.id: sum(n for mask, n in by_mask.items() if mask & self.bit_of[topic.id])
                for topic in self.topics
            }
            self._last = (rest, candidates, counts)
        _rest, candidates, topic_counts = self._last
        candidates = list(candidates)
        if query.topics:
            candidates = self._with_topics(candidates, query.topics)
        if not query.newest_first:
            candidates.reverse()
        return self._rows(candidates, topic_counts)

    def _narrowed(self, query: Filter) -> list[int]:
        # Every part of the filter but the topics, cheapest and narrowest first.
        candidates: Sequence[int] = range(len(self))
        if query.milestones_only:
            candidates = self._derived(
                "milestones", lambda: [p for p, m in enumerate(self.column("milestone")) if m]
            )
        if query.hidden is False and self.hidden:
            candidates = list(filterfalse(self.hidden.__contains__, candidates))
        elif query.hidden:
            candidates = list(filter(self.hidden.__contains__, candidates))
        for needle in word_needles(query.words):
            holding = self._holding(needle.encode())
            if len(candidates) == len(self):
                candidates = holding
            else:
                kept = set(candidates)
                candidates = [p for p in holding if p in kept]
        for name, wanted in (("kind", query.kinds), ("origin", query.origins)):
            if wanted:
                values = self.column(name)
                candidates = [p for p in candidates if values[p] in wanted]
        if query.outlets:
            outlets, publishers = query.outlets, self.column("publishers")
            candidates = [p for p in candidates if any(n in outlets for n in publishers[p])]
        if query.since:
            since, dates, ends = query.since, self.column("date"), self.column("end_date")
            candidates = [
                p
                for p in candidates
                if not cut(ends[p] or dates[p], since) < cut(since, ends[p] or dates[p])
            ]
        if query.until:
            until, dates = query.until, self.column("date")
            candidates = [p for p in candidates if not cut(dates[p], until) > cut(until, dates[p])]
        return list(candidates)

    def _holding(self, word: bytes) -> Sequence[int]:
        # Every position whose search text holds `word`, kept for the next keystroke (as 4-byte
        # integers: 400 kB for 100,000 hits): a word one letter longer is looked for only where
        # the shorter one was found.
        found = self._found
        holding = found.get(word)
        if holding is None:
            shorter = [w for w in found if word.startswith(w)]
            within = found[max(shorter, key=len)] if shorter else range(len(self))
            if len(found) >= 16:
                found.clear()
            holding = found[word] = array("i", _containing(self.texts, word, within))
        return holding

    def _with_topics(self, candidates: list[int], topics: frozenset[str]) -> list[int]:
        masks, wanted = self.masks, self._mask(topics)
        unknown = topics - self.bit_of.keys()  # topics no longer configured: by name
        if not unknown:
            shown = {mask for mask in set(masks) if mask & wanted}
            return list(
                compress(candidates, map(shown.__contains__, map(masks.__getitem__, candidates)))
            )
        tags = self.column("topics")
        return [p for p in candidates if masks[p] & wanted or not unknown.isdisjoint(tags[p])]

    def _rows(self, positions: list[int], topic_counts: dict[str, int]) -> Shown:
        # Positions come in date order, so each year is one run: found by bisection, copied
        # whole under its heading. Every event is the index's order or its reverse; every
        # event newest first (the app's first screen) bisects the dates' codes, keyed by their
        # years in C, without a list of every event's year (4 ms at 100,000 events).
        runs: Sequence[int]
        key: Callable[[int], int] | None = int.__neg__  # newest first: ascending as -year
        if positions and len(positions) == len(self) and positions[0] == 0:
            year_of, runs = self.year_codes
            key = [-year for year in year_of].__getitem__
        else:
            if positions and len(positions) == len(self):
                runs = self.years[::-1]
            else:
                runs = list(map(self.years.__getitem__, positions))
            if not (len(runs) > 1 and runs[0] > runs[-1]):
                key = None  # oldest first: ascending as they are
        rows: list[int] = []
        year_counts: dict[int, int] = {}
        start = 0
        with self._codes_checked("date"):
            while start < len(runs):
                value = runs[start] if key is None else key(runs[start])
                end = bisect_right(runs, value, start, key=key)
                year = value if key is None else -value
                rows.append(~year)
                rows += positions[start:end]
                year_counts[year] = end - start
                start = end
        return Shown(
            rows=rows, matched=len(positions), topic_counts=topic_counts, year_counts=year_counts
        )


@dataclass(frozen=True, slots=True)
class Timeline:
    """One read of the store for showing it: its head (feeds, meta, the file's signature) and
    the index of its events."""

    feeds: tuple[Feed, ...]
    meta: dict[str, Any]
    signature: tuple[int, int, int]
    index: TimelineIndex

    @property
    def last_refresh(self) -> str | None:
        """When a refresh last finished, if ever."""
        return self.meta.get("last_refresh")

    @property
    def view(self) -> View | None:
        """The view the index reads, None on the plain path."""
        columns = self.index.columns
        return columns.view if isinstance(columns, ViewColumns) else None


_FIRST_FOUR = itemgetter(slice(4))


def _years_of(dates: list[str]) -> list[int]:
    # Maps in C and int() once per year: 100,000 events have some 15,000 distinct dates.
    firsts = list(map(_FIRST_FOUR, dates))
    year_of = {first: int(first) for first in set(firsts)}
    return list(map(year_of.__getitem__, firsts))


def _containing(texts: Texts, word: bytes, candidates: Sequence[int]) -> list[int]:
    # bytes.find over each candidate's slice of the one block, mapped in C (no Python loop).
    bounds, find = texts.bounds, texts.block.find
    if len(candidates) == len(bounds) - 1:  # every event: the bounds as they are
        starts, ends = bounds[:-1], bounds[1:]
    else:
        starts = array("q", map(bounds.__getitem__, candidates))
        ends = array("q", map(bounds.__getitem__, map((1).__add__, candidates)))
    found = map(find, repeat(word), starts, ends)
    return list(compress(candidates, map((-1).__lt__, found)))


def read_timeline(
    store: Store, topics: Sequence[Topic] = (), parts: Sequence[str] = ()
) -> Timeline:
    """The store's timeline, from its view when it has a usable one (only `parts` are read
    and checked now, the rest on first use: see TimelineIndex.warm), else from the store file
    itself."""
    view = store.view()
    if view is not None:
        try:
            index = TimelineIndex(ViewColumns(view), topics)
            index.warm(parts)
            feeds = tuple(Feed.from_dict(doc) for doc in view.feeds)
            return Timeline(feeds, dict(view.meta), view.signature, index)
        except ViewDamaged as exc:
            store.discard_view(exc)
    snapshot = store.snapshot()
    index = TimelineIndex.of_events(snapshot.events, topics)
    return Timeline(snapshot.feeds, snapshot.meta, snapshot.signature, index)


def use_timeline(
    store: Store,
    use: Callable[[Timeline], T],
    topics: Sequence[Topic] = (),
    parts: Sequence[str] = (),
) -> T:
    """`use` the store's timeline (see `read_timeline`); when its view proves damaged on the
    way (a column read later, an event built from it), again from the store file itself."""
    try:
        return use(read_timeline(store, topics, parts))
    except ViewDamaged as exc:
        store.discard_view(exc)
        return use(read_timeline(store, topics))


def select(events: Iterable[Event], query: Filter) -> list[Event]:
    """The events the filter shows, in its order (the plain path, for events in hand)."""
    index = TimelineIndex.of_events(events)
    return index.events(index.select(query))
