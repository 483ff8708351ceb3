"""An iCalendar file (RFC 5545) through the `icalendar` library: one all-day event per entry.

An event covers its date at the precision known: a day is one day, '2024-05' the whole month,
'2024' the whole year (so the calendar never claims a day the sources do not give); an end date
extends it to the end of the end date's period. UIDs come from event ids, so importing a newer
export updates the entries instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..model import Event
from ..text import clean_text
from .shared import ExportContext, date_label, period, source_label

_PRECISION = {4: "the year", 7: "the month"}


def uid(event: Event) -> str:
    """The event's calendar UID: its id, which never changes, in a domain of amity's own."""
    return f"{event.id}@amity.timeline"


def _description(event: Event, context: ExportContext) -> str:
    lines = [clean_text(event.summary)] if event.summary else []
    if len(event.date) in _PRECISION:
        lines.append(f"Date known only to {_PRECISION[len(event.date)]}: {date_label(event)}.")
    lines.extend(f"{source_label(s)}: {s.url}" for s in event.sources)
    lines.extend(f"Note: {line}" for line in context.note(event))
    return "\n".join(lines)


def _entry(event: Event, context: ExportContext) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", uid(event))
    entry.add("dtstamp", context.generated)
    entry.add("summary", ("★ " if event.milestone else "") + clean_text(event.title))
    first, _ = period(event.date)
    _, last = period(event.end_date or event.date)
    entry.add("dtstart", first)
    entry.add("dtend", last + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
    entry.add("description", _description(event, context))
    if event.topics:
        entry.add("categories", context.topics(event))
    if event.sources:
        entry.add("url", event.sources[0].url)
    return entry


def render(events: Sequence[Event], context: ExportContext) -> str:
    """The calendar as iCalendar text (CRLF line ends, folded lines)."""
    cal = Calendar()
    cal.add("prodid", "-//amity//amity timeline//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean_text(context.title))
    for event in events:
        cal.add_component(_entry(event, context))
    return cal.to_ical().decode("utf-8")
