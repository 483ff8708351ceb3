"""The detail pane: everything known about the selected event, as plain text (never markup)."""

from __future__ import annotations

from typing import ClassVar

from amity.store import Event, Topic
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from .timeline import plain


def describe(event: Event | None, topics: tuple[Topic, ...]) -> Text:
    """The detail of one event: title, when, kind, topics, certainty, summary, sources."""
    text = Text(end="")
    if event is None:
        text.append("Nothing selected.", "dim")
        return text
    labels = {topic.id: topic.label for topic in topics}
    text.append(plain(event.title) + "\n", "bold")
    when = event.date + (f" – {event.end_date}" if event.end_date else "")
    text.append(when, "bold")
    text.append(f"  ·  {event.kind}  ·  ")
    if event.milestone:
        text.append("★ milestone", "bold yellow")
    else:
        text.append("news", "dim")
    certain = "partial: details uncertain" if event.certainty == "partial" else "verified"
    text.append(f"  ·  {certain}\n", "italic" if event.certainty == "partial" else "dim")
    if event.topics:
        text.append("Topics: ", "dim")
        text.append(", ".join(labels.get(t, t) for t in event.topics) + "\n")
    if event.countries:
        text.append("Countries: ", "dim")
        text.append(", ".join(event.countries) + f"  ·  {event.origin}\n")
    if event.summary:
        text.append("\n" + plain(event.summary) + "\n")
    text.append("\n")
    if not event.sources:
        text.append("No sources.", "dim")
        return text
    text.append("Sources", "bold")
    text.append("  (o opens the first)\n", "dim")
    for number, source in enumerate(event.sources, 1):
        title = plain(source.title) or plain(source.url)
        text.append(f"{number}. ", "bold")
        text.append(title)
        extra = [plain(source.publisher)] if source.publisher else []
        if source.published:
            extra.append(plain(source.published))
        if extra:
            text.append(" — " + ", ".join(extra), "dim")
        text.append("\n   ")
        text.append(plain(source.url) + "\n", "underline dim")
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
    ]

    class Back(Message):
        """Esc: return to the timeline."""

    def __init__(self, topics: tuple[Topic, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.topics = topics
        self.event: Event | None = None
        self._body = Static(describe(None, topics), id="detail-body")

    def compose(self) -> ComposeResult:
        """One Static holding the text."""
        yield self._body

    def show(self, event: Event | None) -> None:
        """Show this event (or nothing)."""
        self.event = event
        self._body.update(describe(event, self.topics))
        self.scroll_home(animate=False)

    def action_back(self) -> None:
        """Back to the timeline."""
        self.post_message(self.Back())
