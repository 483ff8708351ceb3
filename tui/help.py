"""The help screen: every key, in a modal over the timeline."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move up / down"),
    ("PgUp PgDn", "page up / down"),
    ("g G  Home End", "first / last entry"),
    ("[ ]", "previous / next year"),
    ("1–9", "toggle topic N (any selected topic matches)"),
    ("0", "clear topics"),
    ("m", "milestones only on / off"),
    ("s", "newest first / oldest first"),
    ("/", "search as you type; Enter keeps it, Esc clears it"),
    ("Enter, Esc", "into the detail pane, and back"),
    ("o", "open the entry's first source in the browser"),
    ("r", "refresh feeds now, in the background"),
    ("?", "this help"),
    ("ctrl+p", "command palette: jump to a year, topics, refresh, …"),
    ("q", "quit"),
)


def help_table() -> Table:
    """The keys as a two-column table."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, action in KEYS:
        table.add_row(Text(key), Text(action))
    return table


class HelpScreen(ModalScreen[None]):
    """Every key; Esc, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: auto; max-width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen Static { width: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        """Title, key table, the markers legend."""
        with VerticalScroll() as scroll:
            scroll.border_title = "amity — keys"
            yield Static(help_table())
            legend = Text("\n★ milestone  · news  ● new since your last visit  ? date uncertain")
            legend.stylize("dim")
            yield Static(legend)
