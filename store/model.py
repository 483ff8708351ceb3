"""The timeline's model: events and their sources, with validation that names the bad field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any

from .clock import format_iso, parse_iso
from .text import (
    NAME_CHARS,
    NOTE_CHARS,
    SUMMARY_CHARS,
    TITLE_CHARS,
    URL_CHARS,
    clean_text,
    clip,
    strip_controls,
)

KINDS: tuple[str, ...] = (
    "summit",
    "visit",
    "call",
    "agreement",
    "statement",
    "deployment",
    "anniversary",
    "consultation",
    "news",
)
ORIGINS: tuple[str, ...] = ("curated", "feed", "user")
CERTAINTIES: tuple[str, ...] = ("verified", "partial")

MAX_TERMS = 200  # identifying terms of one event
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class ValidationError(ValueError):
    """An event (or part of one) that does not fit the model; `field` names what is wrong."""

    def __init__(self, field: str, message: str, *, where: str = "") -> None:
        self.field = field
        self.where = where
        self.message = message
        super().__init__(self._text())

    def _text(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}field {self.field!r}: {self.message}"

    def at(self, where: str) -> ValidationError:
        """The same error, located (e.g. 'event 3 (id jp-it-...)')."""
        return ValidationError(self.field, self.message, where=where)


def parse_date(value: Any, field_name: str = "date") -> str:
    """Check an ISO 8601 date at its known precision (YYYY, YYYY-MM or YYYY-MM-DD)."""
    if not isinstance(value, str):
        raise ValidationError(field_name, f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    match = _DATE_RE.match(value)
    if not match:
        raise ValidationError(field_name, f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValidationError(field_name, f"{value!r} is not a real date ({exc})") from None
    return value


def date_precision(value: str) -> str:
    """'year', 'month' or 'day' for a validated date string."""
    return {4: "year", 7: "month", 10: "day"}[len(value)]


_URL_RE = re.compile(r"https?://[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)


def check_url(value: Any, field_name: str) -> str:
    """`value` if it is an http(s) URL, whole: sources are opened in a browser and shown on
    screen, so spaces, escape sequences and control characters after a valid prefix are
    refused too (ValidationError naming `field_name`)."""
    if isinstance(value, str) and len(value) > URL_CHARS:
        raise _too_long(field_name, value, URL_CHARS)
    if not isinstance(value, str) or not _URL_RE.fullmatch(value) or strip_controls(value) != value:
        raise ValidationError(field_name, f"expected an http(s) URL, got {_shown(value)}")
    return value


def _too_long(name: str, value: str, limit: int) -> ValidationError:
    # Imported or typed text has the same limits as feed text: a 10 MB title froze the app.
    return ValidationError(name, f"is {len(value):,} characters long; at most {limit:,} are kept")


def _shown(value: Any) -> str:
    # A bad value, quoted in the error without flooding the terminal.
    return clip(repr(value), 80)


def _text_field(data: Mapping[str, Any], name: str, *, required: bool, limit: int) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationError(name, "is required")
        return ""
    if not isinstance(value, str):
        raise ValidationError(name, f"expected text, got {type(value).__name__}")
    if len(value) > limit * 4:  # refused before cleaning: no need to clean 10 MB to say so
        raise _too_long(name, value, limit)
    value = clean_text(value)
    if len(value) > limit:
        raise _too_long(name, value, limit)
    if required and not value:
        raise ValidationError(name, "must not be empty")
    return value


@dataclass(frozen=True, slots=True)
class Source:
    """One article or document that backs an event."""

    url: str
    title: str = ""
    publisher: str = ""
    published: str | None = None

    @classmethod
    def from_dict(cls, data: Any, field_name: str = "sources") -> Source:
        """Build a validated source from its JSON form."""
        if not isinstance(data, Mapping):
            raise ValidationError(field_name, f"expected an object, got {type(data).__name__}")
        try:
            url = check_url(data.get("url"), "url")
            title = _text_field(data, "title", required=False, limit=TITLE_CHARS)
            publisher = _text_field(data, "publisher", required=False, limit=NAME_CHARS)
            published = data.get("published")
            if published is not None:
                published = _check_published(published)
        except ValidationError as exc:
            raise ValidationError(f"{field_name}.{exc.field}", exc.message) from None
        return cls(url=url, title=title, publisher=publisher, published=published)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of DESIGN.md."""
        return {name: getattr(self, name) for name in _SOURCE_KEYS}


def _check_published(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError("published", f"expected an ISO date, got {value!r}")
    try:
        if len(value) <= 10:
            parse_date(value, "published")
        elif parse_iso(value) is None:
            raise ValueError(value)
    except (ValidationError, ValueError):
        raise ValidationError("published", f"expected an ISO date, got {value!r}") from None
    return value


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the timeline: a happening with its date, kind, topics and sources."""

    id: str
    date: str
    title: str
    summary: str = ""
    kind: str = "news"
    topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    milestone: bool = False
    origin: str = "user"
    sources: tuple[Source, ...] = ()
    end_date: str | None = None
    certainty: str = "verified"
    added: str | None = field(default=None, compare=False)
    # Terms (any language) that identify this happening, so reports of it attach to it:
    # curated milestones carry them ("ACSA", "accordo ACSA", "物品役務相互提供協定").
    terms: tuple[str, ...] = ()
    # The person's own: a private note, hidden from the timeline, and when each field was last
    # set by them (field name -> ISO timestamp). Refreshes, dataset updates and imports of feed
    # data never overwrite a field named in `edits`.
    note: str = ""
    hidden: bool = False
    edits: Mapping[str, str] = field(default_factory=dict, hash=False)
    # For feed events: the evidence that kept them (matched terms and the deciding rule).
    why: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def year(self) -> int:
        """The calendar year the event starts in."""
        return int(self.date[:4])

    @property
    def precision(self) -> str:
        """How precisely the date is known: 'year', 'month' or 'day'."""
        return date_precision(self.date)

    @classmethod
    def from_dict(cls, data: Any, topic_ids: Iterable[str] | None = None) -> Event:
        """Build a validated event from its JSON form; unknown topics are refused when
        `topic_ids` is given."""
        if not isinstance(data, Mapping):
            raise ValidationError("event", f"expected an object, got {type(data).__name__}")
        event_id = data.get("id")
        if not isinstance(event_id, str) or not re.fullmatch(
            r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}", event_id
        ):
            raise ValidationError(
                "id",
                f"expected a slug of up to 200 letters, digits, - . _ :, got {_shown(event_id)}",
            )
        date = parse_date(data.get("date"), "date")
        end_date = data.get("end_date")
        if end_date is not None:
            end_date = parse_date(end_date, "end_date")
            if end_date < date[: len(end_date)]:
                raise ValidationError("end_date", f"{end_date} is before the date {date}")
        title = _text_field(data, "title", required=True, limit=TITLE_CHARS)
        summary = _text_field(data, "summary", required=False, limit=SUMMARY_CHARS)
        kind = data.get("kind", "news")
        if kind not in KINDS:
            raise ValidationError(
                "kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}"
            )
        topics = _string_list(data.get("topics", []), "topics")
        if topic_ids is not None:
            known = list(topic_ids)
            for topic in topics:
                if topic not in known:
                    raise ValidationError(
                        "topics", f"unknown topic {topic!r}; expected some of {', '.join(known)}"
                    )
        countries = _string_list(data.get("countries", []), "countries")
        for code in countries:
            if not _COUNTRY_RE.match(code):
                raise ValidationError(
                    "countries", f"expected ISO 3166-1 alpha-2 codes, got {code!r}"
                )
        milestone = data.get("milestone", False)
        if not isinstance(milestone, bool):
            raise ValidationError("milestone", f"expected true or false, got {milestone!r}")
        origin = data.get("origin", "user")
        if origin not in ORIGINS:
            raise ValidationError(
                "origin", f"unknown origin {origin!r}; expected one of {', '.join(ORIGINS)}"
            )
        raw_sources = data.get("sources", [])
        if not isinstance(raw_sources, list):
            raise ValidationError("sources", "expected a list")
        sources = tuple(
            Source.from_dict(item, f"sources[{i}]") for i, item in enumerate(raw_sources)
        )
        certainty = data.get("certainty", "verified")
        if certainty not in CERTAINTIES:
            raise ValidationError(
                "certainty", f"expected one of {', '.join(CERTAINTIES)}, got {certainty!r}"
            )
        added = data.get("added")
        if added is not None and not isinstance(added, str):
            raise ValidationError("added", f"expected an ISO timestamp, got {added!r}")
        raw_terms = _string_list(data.get("terms", []), "terms")
        if len(raw_terms) > MAX_TERMS:
            raise ValidationError("terms", f"lists {len(raw_terms):,} terms; at most {MAX_TERMS}")
        for term in raw_terms:
            if len(term) > NAME_CHARS:
                raise _too_long("terms", term, NAME_CHARS)
        terms = tuple(dict.fromkeys(t for t in map(clean_text, raw_terms) if t))
        note = _text_block(data, "note")
        hidden = data.get("hidden", False)
        if not isinstance(hidden, bool):
            raise ValidationError("hidden", f"expected true or false, got {hidden!r}")
        edits = _edits(data.get("edits"))
        why = _why(data.get("why"))
        return cls(
            id=event_id,
            date=date,
            end_date=end_date,
            title=title,
            summary=summary,
            kind=kind,
            topics=tuple(dict.fromkeys(topics)),
            countries=tuple(sorted(set(countries))),
            milestone=milestone,
            origin=origin,
            sources=sources,
            certainty=certainty,
            added=added,
            terms=terms,
            note=note,
            hidden=hidden,
            edits=edits,
            why=why,
        )

    @classmethod
    def from_trusted(cls, data: Mapping[str, Any]) -> Event:
        """Rebuild an event the store itself wrote, skipping validation (hot path at 100k)."""
        # Slot by slot, past the frozen __init__ (a slot's own setter per field): 0.24 s
        # against 0.33 s for 100k events. Same values, same defaults as the fields.
        event = _new(cls)
        get = data.get
        for set_slot, key, default in _EVENT_AS_STORED:
            set_slot(event, get(key, default))
        for set_slot, key, default, load in _EVENT_LOADED:
            set_slot(event, load(get(key, default)))
        return event

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of DESIGN.md (plus `certainty`), as list, export and import carry it."""
        data: dict[str, Any] = {}
        for name, dump in _JSON_ALWAYS:
            value = getattr(self, name)
            data[name] = value if dump is None else dump(value)
        # Written only when set, so events without them keep the JSON form of DESIGN.md.
        for name, default, dump in _JSON_WHEN_SET:
            value = getattr(self, name)
            if value != default:
                data[name] = value if dump is None else dump(value)
        return data

    def to_record(self) -> dict[str, Any]:
        """The stored form: the JSON form plus `added`, when this store first saw the event."""
        return {**self.to_dict(), "added": self.added}

    def with_changes(self, **changes: Any) -> Event:
        """A copy with some fields replaced."""
        return replace(self, **changes)


# What `edits` may name: the event's own fields, and "event" for whole-event actions (merges).
_EDITABLE_NAMES = frozenset(f.name for f in fields(Event)) | {"event"}


_new = object.__new__


def _trusted_source(data: Mapping[str, Any]) -> Source:
    source = _new(Source)
    get = data.get
    for set_slot, key, default in _SOURCE_AS_STORED:
        set_slot(source, get(key, default))
    return source


def _trusted_table(
    cls: type, loads: Mapping[str, Callable[[Any], Any]]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    # (slot setter, key, default) for the fields stored as they are held, and the same plus
    # `load` for the others: two plain loops are faster than one that asks. A slot's descriptor
    # sets it directly, which a frozen dataclass's __setattr__ forbids; fields with a
    # default_factory get None and a load that makes a fresh value (as `edits` does).
    rows = [
        (getattr(cls, f.name).__set__, f.name, None if f.default is MISSING else f.default)
        for f in fields(cls)
    ]
    as_stored = tuple(row for row in rows if row[1] not in loads)
    return as_stored, tuple((*row, loads[row[1]]) for row in rows if row[1] in loads)


# How the fields that are not stored as they are held load from and dump to the JSON form.
_LOADS: dict[str, Callable[[Any], Any]] = {
    "topics": tuple,
    "countries": tuple,
    "terms": tuple,
    "sources": lambda items: tuple([_trusted_source(s) for s in items]),
    "edits": lambda edits: edits or {},
}
_DUMPS: dict[str, Callable[[Any], Any]] = {
    "topics": list,
    "countries": list,
    "terms": list,
    "sources": lambda sources: [s.to_dict() for s in sources],
    "edits": dict,
    "why": dict,
}
# The JSON form's keys in DESIGN.md's order; Event's other fields but `added` (the store's
# own) follow in field order, written only when they differ from their default.
_JSON_KEYS: tuple[str, ...] = (
    *("id", "date", "end_date", "title", "summary", "kind", "topics", "countries"),
    *("milestone", "origin", "sources", "certainty"),
)
_JSON_ALWAYS = tuple((name, _DUMPS.get(name)) for name in _JSON_KEYS)
_UNSET = Event(id="", date="", title="")
_JSON_WHEN_SET = tuple(
    (f.name, getattr(_UNSET, f.name), _DUMPS.get(f.name))
    for f in fields(Event)
    if f.name not in _JSON_KEYS and f.name != "added"
)
_EVENT_AS_STORED, _EVENT_LOADED = _trusted_table(Event, _LOADS)
_SOURCE_AS_STORED, _ = _trusted_table(Source, {})
_SOURCE_KEYS = tuple(f.name for f in fields(Source))


def _edits(value: Any) -> dict[str, str]:
    # Edit times decide which of two copies of a field wins (an import of later edits), by
    # string comparison: each must name a field and be a real moment, in the store's one form,
    # and not in the future (a far-future time would make an edit impossible to replace).
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError("edits", "expected an object of field name -> ISO timestamp")
    latest = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    edits = {}
    for name, when in value.items():
        if name not in _EDITABLE_NAMES:
            raise ValidationError("edits", f"{name!r} is not a field a person edits")
        moment = parse_iso(when) if isinstance(when, str) else None
        if moment is None or moment > latest:
            raise ValidationError(f"edits.{name}", f"expected a past ISO timestamp, got {when!r}")
        edits[name] = format_iso(moment)
    return edits


def _why(value: Any) -> dict[str, Any] | None:
    # The evidence shown in the detail pane: plain text and numbers of a known shape only, so
    # an imported file cannot crash the app or carry megabytes through it.
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValidationError("why", f"expected an object, got {type(value).__name__}")
    why: dict[str, Any] = {}
    for name in ("rule", "lang"):
        if name in value:
            text = value[name]
            if not isinstance(text, str) or len(text) > NAME_CHARS:
                raise ValidationError(f"why.{name}", f"expected text of at most {NAME_CHARS}")
            why[name] = clean_text(text)
    for name in ("terms", "against"):
        if name in value:
            items = value[name]
            if (
                not isinstance(items, list)
                or len(items) > MAX_TERMS
                or not all(isinstance(t, str) and len(t) <= NAME_CHARS for t in items)
            ):
                raise ValidationError(f"why.{name}", f"expected at most {MAX_TERMS} short terms")
            why[name] = [clean_text(t) for t in items]
    if "score" in value:
        score = value["score"]
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise ValidationError("why.score", f"expected a number, got {score!r}")
        why["score"] = score
    return why


def _text_block(data: Mapping[str, Any], name: str) -> str:
    # Multi-line text of the person's own (a note): controls removed, line breaks kept.
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(name, f"expected text, got {type(value).__name__}")
    if len(value) > NOTE_CHARS:
        raise _too_long(name, value, NOTE_CHARS)
    lines = (clean_text(line) for line in value.replace("\r\n", "\n").split("\n"))
    return "\n".join(lines).strip()


def _string_list(value: Any, field_name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(field_name, f"expected a list of strings, got {_shown(value)}")
    return value


def parse_events(items: Any, topic_ids: Iterable[str] | None = None) -> list[Event]:
    """Validate a list of event dicts; the first bad one raises, located by index and id."""
    if isinstance(items, Mapping):
        items = items.get("events")
    if not isinstance(items, list):
        raise ValidationError(
            "events", 'expected a list of events or {"amity": 1, "events": [...]}'
        )
    topic_ids = list(topic_ids) if topic_ids is not None else None
    events = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, Mapping) else None
        where = f"event {index}" + (f" (id {ident})" if isinstance(ident, str) else "")
        try:
            event = Event.from_dict(item, topic_ids)
        except ValidationError as exc:
            raise exc.at(where) from None
        if event.id in seen:
            raise ValidationError("id", f"duplicate id {event.id!r}", where=where)
        seen.add(event.id)
        events.append(event)
    return events
