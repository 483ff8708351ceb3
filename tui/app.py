"""The timeline app (placeholder until the TUI lands)."""

from __future__ import annotations

from amity.store import Config, Store
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class AmityApp(App[None]):
    """Placeholder screen: the store opened, the timeline app is still being built."""

    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, store: Store, config: Config) -> None:
        super().__init__()
        self.store = store
        self.config = config

    def compose(self) -> ComposeResult:
        """Header, a line of text, footer."""
        yield Header()
        yield Static(
            f"{self.config.pair_label}: {len(self.store.events())} events. Try `amity list`.",
            markup=False,
        )
        yield Footer()


def run_app(store: Store, config: Config) -> int:
    """Run the app until the user quits; returns the exit code."""
    AmityApp(store, config).run()
    return 0
