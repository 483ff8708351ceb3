"""The curated timelines bundled with amity (researched, sourced, in our own words), and how a
newer version of one reaches a store made with an older one.

Raising a dataset's `version` makes every store update once, the next time any command opens it.
Before raising it, copy the current file to `data/previous/<name>-<version>.json`: an update
compares what a store holds with what that version shipped, so changes a person made before
edits were recorded (an `amity import` of an edited export) are recognised and kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import orjson

from .model import Event, Source, parse_events
from .paths import DATA
from .topics import topic_ids

# The fields a dataset supplies; the rest (note, hidden, edits, added, why) are the store's own.
CURATED_FIELDS: tuple[str, ...] = (
    "date",
    "end_date",
    "title",
    "summary",
    "kind",
    "topics",
    "countries",
    "milestone",
    "certainty",
    "terms",
)


@dataclass(frozen=True, slots=True)
class CuratedSet:
    """One bundled dataset; raising `version` makes existing stores pick up its changes."""

    name: str
    version: int
    resource: str

    def events(self) -> list[Event]:
        """The dataset's events, validated against the default taxonomy."""
        return list(_read(self.resource))

    def shipped(self, version: int) -> dict[str, Event] | None:
        """The events an earlier `version` of this dataset shipped, by id (None if unknown)."""
        resource = f"previous/{self.name}-{version}.json"
        if not (DATA / resource).is_file():
            return None
        return {event.id: event for event in _read(resource, checked=False)}


@dataclass(frozen=True, slots=True)
class CuratedUpdate:
    """What updating one store to a newer dataset version did, for a one-line notice."""

    name: str
    version: int
    added: int
    revised: int
    kept: int  # curated events on which the person's own changes were kept
    withheld: int  # curated events the person removed, left out

    def message(self) -> str:
        """E.g. 'curated timeline updated: 18 added, 38 revised; your edits kept on 2 events'."""
        text = f"curated timeline updated: {self.added} added, {self.revised} revised"
        notes = []
        if self.kept:
            notes.append(f"your edits kept on {_count(self.kept, 'event')}")
        if self.withheld:
            notes.append(f"{_count(self.withheld, 'event')} you removed left out")
        return text + ("; " + "; ".join(notes) if notes else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def updated(stored: Event, incoming: Event, shipped: Event | None) -> Event:
    """`incoming`, a newer curated version of `stored`, keeping what is not the dataset's:
    fields the person edited (named in `edits`, or differing from what the older version
    `shipped`: an import of an edited export leaves no stamp), sources the dataset never had
    (reports a refresh attached), and the note, hidden state, edits and evidence. Transaction.
    put_events applies curation.keep_edits on top, as for every writer."""
    own = {
        name: getattr(stored, name)
        for name in CURATED_FIELDS
        if name in stored.edits
        or (shipped is not None and getattr(stored, name) != getattr(shipped, name))
    }
    return incoming.with_changes(
        **own,
        sources=_sources(stored, incoming, shipped),
        note=stored.note,
        hidden=stored.hidden,
        edits=stored.edits,
        why=stored.why,
    )


def _sources(stored: Event, incoming: Event, shipped: Event | None) -> tuple[Source, ...]:
    # The dataset's sources replace the ones it shipped before; any other source stays, after
    # them. Without the shipped version every stored source stays (better a stale link than a
    # lost report).
    dataset = {s.url for s in (*incoming.sources, *(shipped.sources if shipped else ()))}
    return (*incoming.sources, *(s for s in stored.sources if s.url not in dataset))


def has_own_changes(stored: Event, shipped: Event | None) -> bool:
    """Whether the person changed this curated event (stamped edits, a note, hidden, or fields
    that differ from what the dataset shipped)."""
    if stored.edits or stored.note or stored.hidden:
        return True
    return shipped is not None and any(
        getattr(stored, name) != getattr(shipped, name) for name in CURATED_FIELDS
    )


def plan_update(
    curated: CuratedSet,
    from_version: int,
    stored: Mapping[str, Event],
    removed: frozenset[str],
) -> tuple[list[Event], int, int]:
    """The events to write to bring a store seeded with `from_version` of `curated` up to date,
    with how many were kept as the person left them and how many the person had removed.

    Events the person made their own (origin no longer "curated") are not touched."""
    shipped = (curated.shipped(from_version) if from_version else None) or {}
    writes, kept, withheld = [], 0, 0
    for event in curated.events():
        if event.id in removed:
            withheld += 1
            continue
        old = stored.get(event.id)
        if old is None:
            writes.append(event)
        elif old.origin == "curated":
            before = shipped.get(event.id)
            kept += has_own_changes(old, before)
            writes.append(updated(old, event, before))
    return writes, kept, withheld


def brought_up_to_date(events: Iterable[Event]) -> list[Event]:
    """`events` with any curated one that an older dataset version shipped (an export made
    before an update, imported now) carrying the bundled corrections, the way a store update
    applies them, so an import of an old backup does not undo them; the person's changes in
    it stay. Other events are returned as they are."""
    current = {e.id: (s, e) for s in bundled_sets() for e in s.events()}
    result = []
    for event in events:
        found = current.get(event.id) if event.origin == "curated" else None
        if found is None:
            result.append(event)
            continue
        curated, newest = found
        result.append(updated(event, newest, _closest_shipped(curated, event)))
    return result


def _closest_shipped(curated: CuratedSet, event: Event) -> Event | None:
    # The earlier version of this event that the given one agrees with most (None if none).
    shipped = (curated.shipped(v) or {} for v in range(1, curated.version))
    candidates = [old[event.id] for old in shipped if event.id in old]
    return max(candidates, key=lambda old: _agreement(event, old), default=None)


def _agreement(event: Event, other: Event) -> int:
    return sum(getattr(event, name) == getattr(other, name) for name in CURATED_FIELDS)


@cache
def _read(resource: str, *, checked: bool = True) -> tuple[Event, ...]:
    text = (DATA / resource).read_text(encoding="utf-8")
    return tuple(parse_events(json.loads(text), topic_ids() if checked else None))


@cache
def bundled_sets() -> tuple[CuratedSet, ...]:
    """Every curated dataset amity ships, with its version."""
    sets = []
    for resource in sorted(DATA.iterdir(), key=lambda r: r.name):
        if resource.name.endswith(".json"):
            # Every process asks (is the store seeded with this version?): orjson reads the
            # 56 KB file in a tenth of json's time.
            header = orjson.loads(resource.read_bytes())
            sets.append(CuratedSet(header["name"], int(header["version"]), resource.name))
    return tuple(sets)
