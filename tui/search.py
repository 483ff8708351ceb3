"""The search box, imported when it is first mounted (after the first frame: making the class
costs start-up what mounting it would)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class SearchBar(Input):
    """The search box: filters as you type; Enter keeps the search, Esc clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Clear search")]

    def action_cancel(self) -> None:
        """Esc: clear the search and go back to the timeline."""
        self.value = ""
        self.app.call_later(self.app.action_end_search)  # type: ignore[attr-defined]
