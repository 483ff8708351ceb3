"""The topic sidebar: each topic's key, label and count under the current filters."""

from __future__ import annotations

from typing import ClassVar

from amity.store import Topic
from rich.text import Text
from textual.events import Click
from textual.message import Message
from textual.widget import Widget

from .cells import cell_text, fit


class TopicList(Widget):
    """Topics with their keys and counts; the selected ones are filled in. Click to toggle."""

    DEFAULT_CSS = """
    TopicList { background: $panel; padding: 0 1; }
    TopicList > .topics--heading { color: $text-muted; text-style: bold; }
    TopicList > .topics--key { color: $accent; text-style: bold; }
    TopicList > .topics--on { color: $text; text-style: bold; }
    TopicList > .topics--off { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "topics--heading",
        "topics--key",
        "topics--on",
        "topics--off",
    }

    class Toggled(Message):
        """A topic line was clicked."""

        def __init__(self, topic: Topic) -> None:
            super().__init__()
            self.topic = topic

    def __init__(self, topics: tuple[Topic, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.topics = topics
        self.selected: frozenset[str] = frozenset()
        self.counts: dict[str, int] = {}
        self.milestones_only = False
        self.newest_first = True

    def show(
        self,
        selected: frozenset[str],
        counts: dict[str, int],
        milestones_only: bool,
        newest_first: bool,
    ) -> None:
        """Redraw with this selection and these counts."""
        self.selected, self.counts = selected, counts
        self.milestones_only, self.newest_first = milestones_only, newest_first
        self.refresh()

    def render(self) -> Text:
        """Heading, one line per topic, then the milestone and order switches."""
        get = self.get_component_rich_style
        width = max(8, self.size.width)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        heading = "Topics" + ("  0 clears" if self.selected else "")
        text.append(heading + "\n", get("topics--heading"))
        for topic in self.topics:
            on = topic.id in self.selected
            count = f"{self.counts.get(topic.id, 0):>4}"
            label_room = max(1, width - 4 - len(count))
            style = get("topics--on" if on else "topics--off")
            text.append("■ " if on else "□ ", style)
            text.append(topic.key or " ", get("topics--key"))
            text.append(" " + fit(cell_text(topic.label), label_room) + count + "\n", style)
        text.append("\n")
        text.append("m", get("topics--key"))
        text.append(
            (" ■" if self.milestones_only else " □") + " milestones only\n",
            get("topics--on" if self.milestones_only else "topics--off"),
        )
        text.append("s", get("topics--key"))
        order = "newest first" if self.newest_first else "oldest first"
        text.append(" " + order, get("topics--off"))
        return text

    def on_click(self, event: Click) -> None:
        """A click on a topic line toggles it."""
        line = event.y - 1
        if 0 <= line < len(self.topics):
            self.post_message(self.Toggled(self.topics[line]))
