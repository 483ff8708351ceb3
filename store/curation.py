"""A person's curation of the timeline: hide, promote, edit, add, note, move a source, merge.

Each operation is a pure function over events plus one locked read-modify-write (a Transaction),
so the app and a cron `amity edit` running at once both keep their edits. Every change records
when the person made it in `Event.edits` (field -> UTC ISO time); `keep_edits` is the one rule
that stops a refresh, a curated update or an import from undoing it (Transaction.put_events
applies it to every write).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .clock import utc_now
from .model import Event, Source, ValidationError
from .storage import ARTICLES, EVENTS
from .text import NOTE_CHARS, strip_controls

EDITABLE: tuple[str, ...] = (
    "title",
    "date",
    "end_date",
    "kind",
    "topics",
    "summary",
    "certainty",
    "milestone",
)
# Fields a person's edit protects. A merge or a moved source is stamped as "event" (the key of
# the shared contract for whole-event actions), not "sources": meta "moved" and "removed" keep
# those in place, and new reports must still attach to and update the event's sources.
PROTECTED: tuple[str, ...] = (*EDITABLE, "note", "hidden")


# -- the rule that keeps a person's edits ---------------------------------------------------------


def keep_edits(stored: Event, incoming: Event) -> Event:
    """`incoming` (from a refresh, a curated update or an import) with every field the person
    set on `stored` kept, unless `incoming` carries a later edit of that field (an export of
    later edits). A note or hidden state counts as set even when the store holds no time for it
    (an import of a hand-written file)."""
    protected = set(stored.edits)
    if stored.note:
        protected.add("note")
    if stored.hidden:
        protected.add("hidden")
    kept = {}
    for name in protected.intersection(PROTECTED):
        stored_when, incoming_when = stored.edits.get(name), incoming.edits.get(name)
        if incoming_when is None or (stored_when is not None and incoming_when <= stored_when):
            kept[name] = getattr(stored, name)
    edits = dict(incoming.edits)
    for name, when in stored.edits.items():
        if when > edits.get(name, ""):
            edits[name] = when
    if not kept and edits == dict(incoming.edits):
        return incoming
    return incoming.with_changes(**kept, edits=edits)


def without_moved(event: Event, moved: Mapping[str, str]) -> Event:
    """`event` without the sources the person moved to another event (meta "moved")."""
    sources = tuple(s for s in event.sources if moved.get(s.url, event.id) == event.id)
    return event if len(sources) == len(event.sources) else event.with_changes(sources=sources)


def removed_ids(meta: Mapping[str, Any]) -> frozenset[str]:
    """Events the person removed or merged away: never brought back. Meta "removed" is the
    shared contract; "deleted" is what stores written before it called curated deletions."""
    return frozenset((*meta.get("removed", ()), *meta.get("deleted", ())))


# -- pure edits --------------------------------------------------------------------------------


def stamped(event: Event, fields: Iterable[str], now: str) -> Event:
    """`event` recording that the person set `fields` at `now`."""
    return event.with_changes(edits={**event.edits, **dict.fromkeys(fields, now)})


def refuse_controls(name: str, value: Any, *, keep_lines: bool = False) -> None:
    """Typed text with escape sequences or control characters is refused, naming the field
    (import strips them from files; a person typing them has pasted something unintended)."""
    texts = value if isinstance(value, list | tuple) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        check = text.replace("\r\n", "\n") if keep_lines else text
        parts = check.split("\n") if keep_lines else [check]
        if any(strip_controls(p.replace("\t", " ")) != p.replace("\t", " ") for p in parts):
            raise ValidationError(name, "contains control or escape characters; type plain text")


def edited(event: Event, changes: Mapping[str, Any], topic_ids: Sequence[str], now: str) -> Event:
    """`event` with `changes` (EDITABLE fields, JSON form) validated as `import` validates, and
    the fields that really changed stamped; the same event if nothing changed."""
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValidationError(name, f"cannot be edited; editable: {', '.join(EDITABLE)}")
        refuse_controls(name, value)
    data = {**event.to_dict(), **changes}
    if "topics" in changes and isinstance(changes["topics"], tuple):
        data["topics"] = list(changes["topics"])
    # Topics are checked against the config only when edited: an event stored under an older
    # taxonomy can still have its title fixed.
    fresh = Event.from_dict(data, topic_ids if "topics" in changes else None)
    changed = [name for name in changes if getattr(fresh, name) != getattr(event, name)]
    if not changed:
        return event
    return stamped(fresh.with_changes(added=event.added), changed, now)


def with_note(event: Event, text: str, now: str) -> Event:
    """`event` with the person's note (multi-line; empty clears it)."""
    _check_note_length(text)
    refuse_controls("note", text, keep_lines=True)
    note = Event.from_dict({**event.to_dict(), "note": text}).note
    return event if note == event.note else stamped(event.with_changes(note=note), ["note"], now)


def with_hidden(event: Event, hidden: bool, now: str) -> Event:
    """`event` hidden from (or back on) the timeline."""
    if event.hidden == hidden:
        return event
    return stamped(event.with_changes(hidden=hidden), ["hidden"], now)


def merged(target: Event, absorbed: Event, now: str) -> Event:
    """`target` holding `absorbed`'s sources, terms and note as well (its own wording stays)."""
    urls = {s.url for s in target.sources}
    sources = (*target.sources, *(s for s in absorbed.sources if s.url not in urls))
    terms = tuple(dict.fromkeys((*target.terms, *absorbed.terms)))
    note = "\n\n".join(n for n in (target.note, absorbed.note) if n)
    fields = ["event"] + (["note"] if note != target.note else [])
    _check_note_length(note, "the two notes together ")
    result = target.with_changes(sources=sources, terms=terms, note=note)
    return stamped(result, fields, now)


def _check_note_length(text: str, what: str = "") -> None:
    # One limit for every way a note arrives (typed, merged, imported): merging never cuts one.
    if len(text) > NOTE_CHARS:
        raise ValidationError(
            "note", f"{what}is {len(text):,} characters; a note holds at most {NOTE_CHARS:,}"
        )


def new_event_id(date: str, title: str, taken: Iterable[str]) -> str:
    """A stable, readable id for an event of the person's own: user-DATE-slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:40].strip("-")
    if not slug:  # a title in Japanese, say
        import hashlib  # here, as in view.py: it loads OpenSSL, 1-2 ms of every app start

        slug = hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
    base = f"user-{date}-{slug}"
    taken = set(taken)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def new_event(
    fields: Mapping[str, Any],
    sources: Sequence[str],
    topic_ids: Sequence[str],
    countries: Sequence[str],
    taken: Iterable[str],
) -> Event:
    """An event of the person's own (origin "user"), validated as `import` validates."""
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError(
                name, f"is not a field of a new event; use: {', '.join(EDITABLE)}"
            )
        refuse_controls(name, value)
    for n, url in enumerate(sources):
        refuse_controls(f"sources[{n}].url", url)
    data = {
        "kind": "news",
        **fields,
        "id": "user-new",
        "countries": list(countries),
        "origin": "user",
        "sources": [{"url": url} for url in sources],
    }
    if isinstance(data.get("topics"), tuple):
        data["topics"] = list(data["topics"])
    draft = Event.from_dict(data, topic_ids)
    return draft.with_changes(id=new_event_id(draft.date, draft.title, taken))


# -- one transaction each ------------------------------------------------------------------------


def get_event(txn: Any, event_id: str) -> Event:
    """The stored event `event_id`; a clear error naming it if there is none."""
    doc = txn.table(EVENTS).record(event_id)
    if doc is None:
        raise ValidationError("id", f"no event with id {event_id!r}")
    return Event.from_trusted(doc)


def edit(
    txn: Any,
    event_id: str,
    changes: Mapping[str, Any],
    topic_ids: Sequence[str],
    now: str | None = None,
) -> Event:
    """Edit fields of one stored event; returns it as saved."""
    event = get_event(txn, event_id)
    result = edited(event, changes, topic_ids, now or utc_now())
    txn.put_events([result], by_person=True)
    return result


def set_hidden(txn: Any, ids: Sequence[str], hidden: bool, now: str | None = None) -> list[Event]:
    """Hide (or show again) events; every id must exist, else nothing changes."""
    now = now or utc_now()
    events = [with_hidden(get_event(txn, event_id), hidden, now) for event_id in ids]
    txn.put_events(events, by_person=True)
    return events


def set_note(txn: Any, event_id: str, text: str, now: str | None = None) -> Event:
    """Write (or, with "", clear) the note of one event."""
    result = with_note(get_event(txn, event_id), text, now or utc_now())
    txn.put_events([result], by_person=True)
    return result


def add(
    txn: Any,
    fields: Mapping[str, Any],
    sources: Sequence[str],
    topic_ids: Sequence[str],
    countries: Sequence[str],
) -> Event:
    """Add an event of the person's own; returns it with its new id."""
    taken = txn.table(EVENTS).by_key().keys() | txn.removed_ids()
    event = new_event(fields, sources, topic_ids, countries, taken)
    txn.put_events([event], by_person=True)
    return event


def merge(txn: Any, absorbed_id: str, into_id: str, now: str | None = None) -> Event:
    """Fold event `absorbed_id` into `into_id`: its sources and note move over, and its id is
    remembered as removed so no refresh or curated update brings it back."""
    if absorbed_id == into_id:
        raise ValidationError("id", f"cannot merge {into_id!r} into itself")
    absorbed, target = get_event(txn, absorbed_id), get_event(txn, into_id)
    result = merged(target, absorbed, now or utc_now())
    _forget(txn, absorbed_id)
    txn.put_events([result], by_person=True)
    moved = txn.meta.get("moved", {})
    if absorbed_id in moved.values():
        txn.update_meta(moved={u: into_id if e == absorbed_id else e for u, e in moved.items()})
    _repoint_articles(txn, lambda record: record.get("event") == absorbed_id, into_id)
    return result


def move_source(
    txn: Any,
    url: str,
    to_id: str | None,
    *,
    from_id: str | None = None,
    now: str | None = None,
) -> tuple[Event, Event]:
    """Move the source `url` to event `to_id`, or (None) out into an event of its own; returns
    (the event it left, the event that holds it now). A feed event left with no source is
    removed. The move is remembered, so refreshes and curated updates do not put it back."""
    now = now or utc_now()
    holders = [e for e in txn.events().values() if any(s.url == url for s in e.sources)]
    if from_id is not None:
        holders = [e for e in holders if e.id == from_id]
    if not holders:
        where = f" in event {from_id!r}" if from_id else ""
        raise ValidationError("url", f"no event has the source {url!r}{where}")
    if len(holders) > 1:
        ids = ", ".join(e.id for e in holders)
        raise ValidationError("url", f"{len(holders)} events have this source ({ids}); name one")
    origin = holders[0]
    source = next(s for s in origin.sources if s.url == url)
    if to_id == origin.id:
        raise ValidationError("to", f"the source is already in {to_id!r}")
    left = stamped(
        origin.with_changes(sources=tuple(s for s in origin.sources if s.url != url)),
        ["event"],
        now,
    )
    target = _split_out(origin, source) if to_id is None else get_event(txn, to_id)
    if all(s.url != url for s in target.sources):
        target = target.with_changes(sources=(*target.sources, source))
    target = stamped(target, ["event"], now)
    moved = {**txn.meta.get("moved", {}), url: target.id}
    txn.update_meta(moved=moved)
    if origin.origin == "feed" and not left.sources:
        _forget(txn, origin.id)
    else:
        txn.put_events([left], by_person=True)
    txn.put_events([target], by_person=True)
    _repoint_articles(txn, lambda record: record.get("url") == url, target.id)
    return left, target


def _split_out(origin: Event, source: Source) -> Event:
    # Dated by the article when it has a date, otherwise by the event it came from.
    date = source.published[:10] if source.published else origin.date
    import hashlib  # see new_event_id

    return Event(
        id="moved-" + hashlib.sha1(source.url.encode("utf-8")).hexdigest()[:12],
        date=date,
        title=source.title or origin.title,
        kind="news",
        topics=origin.topics,
        countries=origin.countries,
        origin=origin.origin,
        sources=(source,),
    )


def _forget(txn: Any, event_id: str) -> None:
    txn.table(EVENTS).remove_keys([event_id])
    txn.update_meta(removed=sorted(txn.removed_ids() | {event_id}))


def _repoint_articles(txn: Any, which: Any, event_id: str) -> None:
    # The feeds layer finds an article's event through its record: point moved articles at
    # their new event, so a later version of the article updates that one.
    table = txn.table(ARTICLES)
    moved = {
        key: {**doc, "event": event_id}
        for key, doc in table.by_key().items()
        if which(doc) and doc.get("event") != event_id
    }
    table.put(moved)
