"""A spreadsheet: RFC 4180 CSV, one row per event, the sources' addresses in one column."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..model import Event
from ..text import clean_text
from .shared import ExportContext

HEADER = (
    "id",
    "date",
    "end_date",
    "title",
    "kind",
    "topics",
    "milestone",
    "origin",
    "certainty",
    "summary",
    "sources",
)
# A cell starting with one of these is a formula to a spreadsheet: `=HYPERLINK(...)` in a feed's
# title would run when the file is opened. A leading apostrophe keeps it text (OWASP's advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Plain text that a spreadsheet shows as text, never evaluates."""
    text = clean_text(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(event: Event, context: ExportContext) -> list[str]:
    row = [
        event.id,
        event.date,
        event.end_date or "",
        cell(event.title),
        event.kind,
        cell("; ".join(context.topics(event))),
        "yes" if event.milestone else "",
        event.origin,
        event.certainty,
        cell(event.summary),
        # Addresses hold no spaces (the model refuses them), so a space separates them.
        " ".join(source.url for source in event.sources),
    ]
    if context.notes:
        row.append(cell(" / ".join(context.note(event))))
    return row


def render(events: Sequence[Event], context: ExportContext) -> str:
    """The header row and one row per event, CRLF line ends, quoted where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*HEADER, "note"] if context.notes else HEADER)
    writer.writerows(_row(event, context) for event in events)
    return buffer.getvalue()
