"""The detail pane: everything known about the selected event, as plain text (never markup)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import ClassVar

from amity.store import Event, Topic, parse_iso, word_spans
from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from .cells import cell_text
from .timeline import ORIGIN_MARKS, ORIGIN_NAMES

HIGHLIGHT = "bold reverse"


def readable_date(value: str) -> str:
    """An event date at its precision, for people: '14 June 2024', 'June 2024', '2024'."""
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).strftime("%-d %B %Y")
        if len(value) == 7:
            return dt.date.fromisoformat(value + "-01").strftime("%B %Y")
    except ValueError:
        pass
    return cell_text(value)


def readable_moment(value: str) -> str:
    """A publication date or time: '14 Jun 2024', '14 Jun 2024 09:30 UTC'."""
    if len(value) <= 10:
        return readable_date(value)
    moment = parse_iso(value)
    if moment is None:
        return cell_text(value)
    return moment.astimezone(dt.UTC).strftime("%-d %b %Y %H:%M UTC")


def relative_moment(stamp: str | None, now: dt.datetime, *, past: bool = False) -> str:
    """A stored UTC time for people: '5 min ago', 'in 2 h', or, when two days away or more,
    the moment as `readable_moment` writes it: '14 Jun 2024 09:30 UTC'. `past`: a time ahead
    of `now` (another machine's clock) reads as 'just now'."""
    if not stamp:
        return "never"
    moment = parse_iso(stamp)
    if moment is None:
        return cell_text(stamp)
    seconds = int((moment - now).total_seconds())
    if past:
        seconds = min(seconds, 0)
    span = abs(seconds)
    if span < 60:
        return "just now" if seconds <= 0 else "in under a minute"
    if span >= 86400 * 2:
        return readable_moment(stamp)
    amount = f"{span // 3600} h" if span >= 3600 else f"{span // 60} min"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def marked(text: str, words: Sequence[str], style: str = "") -> Text:
    """Plain text with the search words lit where they match."""
    out = Text(text)
    if style:  # a span, not the Text's base style, which would cover all appended later
        out.stylize(style, 0, len(text))
    for start, end in word_spans(text, words):
        out.stylize(HIGHLIGHT, start, end)
    return out


def describe(
    event: Event | None, topics: tuple[Topic, ...], words: Sequence[str] = ()
) -> RenderableType:
    """The detail of one event: title, when, kind, origin, topics, summary, numbered sources
    (each URL on one line of its own, never broken, and a link where the terminal has them)."""
    if event is None:
        return Text("Nothing selected.", "dim")
    labels = {topic.id: topic.label for topic in topics}
    text = marked(cell_text(event.title), words, "bold")
    text.append("\n")
    when = readable_date(event.date)
    if event.end_date:
        when += f" – {readable_date(event.end_date)}"
    text.append(when, "bold")
    if event.kind != "news":
        text.append(f"  ·  {event.kind}")
    if event.milestone:
        text.append("  ·  ")
        text.append("★ milestone", "bold yellow")
    origin = event.origin
    text.append(f"  ·  {ORIGIN_MARKS.get(origin, '')} {ORIGIN_NAMES.get(origin, origin)}", "dim")
    if event.certainty == "partial":  # only where it means something: a curated doubt
        text.append("  ·  ")
        text.append("details uncertain", "italic")
    text.append("\n")
    if event.topics:
        text.append("Topics: ", "dim")
        text.append(", ".join(labels.get(t, t) for t in event.topics) + "\n")
    if event.countries:
        text.append("Countries: ", "dim")
        text.append(", ".join(event.countries) + "\n")
    if event.why:
        text.append("Why kept: ", "dim")
        terms = ", ".join(cell_text(str(t)) for t in event.why.get("terms", ())[:8])
        text.append(
            cell_text(str(event.why.get("rule", ""))) + (f" ({terms})" if terms else "") + "\n"
        )
    if event.summary:
        text.append("\n")
        text.append_text(marked(cell_text(event.summary), words))
        text.append("\n")
    text.append_text(personal(event))
    text.append("\n")
    if not event.sources:
        text.append("No sources.", "dim")
        return text
    text.append("Sources", "bold")
    text.append("  (o opens, y copies a URL; here 1–9 open source N)", "dim")
    parts: list[RenderableType] = [text]
    for number, source in enumerate(event.sources, 1):
        line = Text()
        line.append(f"{number}. ", "bold")
        line.append_text(marked(cell_text(source.title) or cell_text(source.url), words))
        extra = [cell_text(source.publisher)] if source.publisher else []
        if source.published:
            extra.append(readable_moment(source.published))
        if extra:
            line.append(" — " + ", ".join(extra), "dim")
        url = cell_text(source.url)
        link = Text("   " + url, no_wrap=True, overflow="ellipsis", end="\n")
        link.stylize(Style(underline=True, dim=True, link=url), 3)
        parts += [line, link]
    return Group(*parts)


def personal(event: Event) -> Text:
    """What is the person's own: hidden state and their note (its lines kept)."""
    text = Text(end="")
    if event.hidden:
        text.append("\n⊘ Hidden", "bold")
        text.append(" from the timeline; h shows it again\n", "dim")
    if event.note:
        text.append("\nYour note", "bold")
        text.append("  (i edits it)\n", "dim")
        text.append("\n".join(cell_text(line) for line in event.note.split("\n")) + "\n")
    return text


class DetailPane(VerticalScroll, can_focus=True):
    """Scrollable detail of the selected event; Esc goes back to the timeline."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; background: $surface-lighten-1; }
    DetailPane:focus { background-tint: $foreground 5%; }
    DetailPane > Static { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("j", "scroll_down", show=False),
        Binding("k", "scroll_up", show=False),
        *(
            Binding(str(n), f"open_source({n})", f"Open source {n}", show=False)
            for n in range(1, 10)
        ),
    ]

    class Back(Message):
        """Esc: return to the timeline."""

    class OpenSource(Message):
        """A digit in the pane: open that numbered source."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, topics: tuple[Topic, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.topics = topics
        self.event: Event | None = None
        self._body = Static(id="detail-body")  # filled by show()

    def compose(self) -> ComposeResult:
        """One Static holding the text."""
        yield self._body

    def show(self, event: Event | None, words: Sequence[str] = ()) -> None:
        """Show this event (or nothing), with the search words lit."""
        self.event = event
        self._body.update(describe(event, self.topics, words))
        self.scroll_home(animate=False)

    def action_back(self) -> None:
        """Back to the timeline."""
        self.post_message(self.Back())

    def action_open_source(self, number: int) -> None:
        """Open source `number` of the shown event."""
        self.post_message(self.OpenSource(number))
