"""A briefing in Markdown: a heading per year, a line per event, milestones in bold with a star."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Event
from ..text import clean_text
from .shared import LEGEND, ExportContext, by_year, date_label, source_label

# Every character CommonMark (or GitHub's dialect) could read as markup or raw HTML; a backslash
# makes each one literal, so a feed's "<script>" or "[/b]" stays text.
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#!|~]|&(?=#?\w+;))")
# At the start of a line these begin a list, a heading underline or a rule.
_LINE_START = re.compile(r"^(\d*)([-+=.)])")
# Inside <...> a link destination may hold no spaces, angle brackets or backslash escapes.
_URL_UNSAFE = {"<": "%3C", ">": "%3E", "\\": "%5C", " ": "%20"}


def escape(text: str) -> str:
    """Plain text made literal in Markdown."""
    return _MARKUP.sub(r"\\\1", clean_text(text))


def _note_line(line: str) -> str:
    return _LINE_START.sub(r"\1\\\2", escape(line))


def _link(label: str, url: str) -> str:
    target = "".join(_URL_UNSAFE.get(char, char) for char in url)
    return f"[{escape(label)}](<{target}>)"


def _line(event: Event, context: ExportContext) -> str:
    title = escape(event.title)
    title = f"★ **{title}**" if event.milestone else title
    facts = "; ".join([event.kind, *map(escape, context.topics(event))])
    parts = [f"- {escape(date_label(event))} · {title} ({facts})"]
    if event.summary:
        parts.append(f" — {escape(event.summary)}")
    if event.sources:
        parts.append(" " + ", ".join(_link(source_label(s), s.url) for s in event.sources))
    lines = ["".join(parts)]
    lines.extend(f"  > {_note_line(line)}" for line in context.note(event))
    return "\n".join(lines)


def render(events: Sequence[Event], context: ExportContext) -> str:
    """The briefing: a title, then each year as a `##` heading over its events."""
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    out = [
        f"# {escape(context.title)}: a timeline",
        "",
        f"{count}, exported {context.generated:%Y-%m-%d}. {LEGEND}",
    ]
    for year, group in by_year(events):
        out += ["", f"## {year}", ""]
        out += [_line(event, context) for event in group]
    return "\n".join(out) + "\n"
