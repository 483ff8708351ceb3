"""TimelineJS 3's JSON format: a title slide and a slide per event, grouped by first topic.

TimelineJS shows `headline`, `text`, `caption` and `credit` as HTML, so each is escaped here;
dates carry only the parts known (year; year and month; or a day).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from ..model import Event
from ..text import clean_text
from .shared import ExportContext, date_label, source_label


def date_object(value: str) -> dict[str, int]:
    """A TimelineJS date at the precision of an ISO date: {year[, month[, day]]}."""
    names = ("year", "month", "day")
    return {name: int(part) for name, part in zip(names, value.split("-"), strict=False)}


def _html(text: str) -> str:
    return escape(clean_text(text), quote=True)


def _text(event: Event, context: ExportContext) -> str:
    parts = [f"<p>{_html(event.summary)}</p>"] if event.summary else []
    links = [
        f'<a href="{escape(s.url, quote=True)}">{_html(source_label(s))}</a>' for s in event.sources
    ]
    if links:
        parts.append(f"<p>Sources: {', '.join(links)}</p>")
    parts.extend(f"<p><em>Note:</em> {_html(line)}</p>" for line in context.note(event))
    return "".join(parts)


def _slide(event: Event, context: ExportContext) -> dict[str, Any]:
    topics = context.topics(event)
    slide: dict[str, Any] = {
        "unique_id": event.id,
        "start_date": date_object(event.date),
        "text": {
            "headline": ("★ " if event.milestone else "") + _html(event.title),
            "text": _text(event, context),
        },
        "display_date": _html(date_label(event)),
        # Links are written as <a> above; TimelineJS's own linking would read text as markup.
        "autolink": False,
    }
    if event.end_date:
        slide["end_date"] = date_object(event.end_date)
    if topics:
        slide["group"] = _html(topics[0])
    if event.sources:
        first = event.sources[0]
        slide["media"] = {
            "url": first.url,
            "caption": _html(source_label(first)),
            "credit": _html(first.publisher),
        }
    return slide


def render(events: Sequence[Event], context: ExportContext) -> str:
    """The TimelineJS document as JSON text."""
    document = {
        "title": {
            "text": {
                "headline": _html(context.title),
                "text": f"<p>{len(events)} events, exported {context.generated:%Y-%m-%d}.</p>",
            }
        },
        "events": [_slide(event, context) for event in events],
    }
    # ensure_ascii keeps every character that a browser or editor could misread as \\uXXXX.
    return json.dumps(document, ensure_ascii=True, indent=1) + "\n"
