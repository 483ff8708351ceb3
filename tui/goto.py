"""Go to a date: a one-line prompt for a year or a month (`2024`, `2024-06`, `2024-06-14`)."""

from __future__ import annotations

from typing import ClassVar

from amity.store import ValidationError, parse_date
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from .dialog import dialog_css


class GoToDate(ModalScreen[str | None]):
    """Ask for a date; dismisses with it (validated) or None on Esc."""

    DEFAULT_CSS = dialog_css("GoToDate", "Vertical", "width: 44; height: auto;") + (
        "GoToDate Label { width: 100%; }\nGoToDate #goto-error { color: $error; }\n"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        """The prompt, the box and a line for a mistake."""
        with Vertical() as box:
            box.border_title = "Go to date"
            yield Label("A year or a month: 2024, 2024-06, 2024-06-14")
            yield Input(placeholder="YYYY or YYYY-MM", id="goto-date")
            yield Label("", id="goto-error")

    @on(Input.Submitted)
    def _submitted(self, message: Input.Submitted) -> None:
        value = message.value.strip()
        try:
            self.dismiss(parse_date(value, "date"))
        except ValidationError as exc:
            self.query_one("#goto-error", Label).update(Text(exc.message))

    def action_cancel(self) -> None:
        """Esc: back without moving."""
        self.dismiss(None)
