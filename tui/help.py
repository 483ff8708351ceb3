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

from .actions import APP_KEYS, MOVE_KEYS, help_rows
from .dialog import dialog_css


def help_table() -> Table:
    """The keys as a two-column table."""
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for keys, action in help_rows((*MOVE_KEYS, *APP_KEYS)):
        table.add_row(Text(keys), Text(action))
    return table


class HelpScreen(ModalScreen[None]):
    """Every key; Esc, q or ? closes it."""

    DEFAULT_CSS = (
        dialog_css(
            "HelpScreen",
            "VerticalScroll",
            "width: 90%; max-width: 80; height: auto; max-height: 90%;",
        )
        + "HelpScreen Static { width: 100%; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        """Title, key table, the markers legend."""
        with VerticalScroll() as scroll:
            scroll.border_title = "amity — keys"
            # How to close first: a narrow frame cuts the end of its subtitle.
            scroll.border_subtitle = "Esc, q or ? closes · ↑ ↓ scroll"
            yield Static(help_table())
            legend = Text(
                "\n★ milestone  · news  ● new since your last visit  ? date uncertain  ⊘ hidden"
            )
            legend.stylize("dim")
            yield Static(legend)
