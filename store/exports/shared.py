"""What every export format shares: its context, plain text, and dates as periods and years."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from ..model import Event, Source
from ..text import clean_text

LEGEND = "★ marks a milestone, ? a date the sources leave uncertain."


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What a format needs besides the events: the pair's name, topic labels, and options."""

    title: str
    topic_labels: Mapping[str, str] = field(default_factory=dict)
    notes: bool = False  # include the person's private notes
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def topics(self, event: Event) -> list[str]:
        """The event's topics as their labels (the id when the config no longer has one)."""
        return [clean_text(self.topic_labels.get(topic, topic)) for topic in event.topics]

    def note(self, event: Event) -> list[str]:
        """The event's note as plain lines, or nothing unless notes were asked for."""
        if not self.notes or not event.note:
            return []
        lines = (clean_text(line) for line in event.note.splitlines())
        return [line for line in lines if line]


def source_label(source: Source) -> str:
    """What a link to the source says: its title, else its publisher, else its address."""
    return clean_text(source.title) or clean_text(source.publisher) or source.url


def period(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day a date at its precision covers ('2024' is the whole year)."""
    year = int(value[:4])
    if len(value) == 4:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(value[5:7])
    if len(value) == 7:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = dt.date(year, month, int(value[8:10]))
    return day, day


def date_label(event: Event) -> str:
    """The event's date as people read it: '2024-05-01', '2024-05-01 – 2024-05-03', and a '?'
    after a date the sources leave uncertain (as `amity list` shows it)."""
    mark = "?" if event.certainty == "partial" else ""
    if event.end_date and event.end_date != event.date:
        return f"{event.date} – {event.end_date}{mark}"
    return event.date + mark


def by_year(events: Sequence[Event]) -> Iterator[tuple[int, list[Event]]]:
    """Consecutive events grouped under the year they start in, in the order given."""
    for year, group in groupby(events, key=lambda event: event.year):
        yield year, list(group)
