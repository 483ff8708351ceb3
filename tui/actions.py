"""Every key of the app, declared once: bindings, the footer, the help screen and the command
palette are all derived from these tuples, so they cannot disagree.

Adding an action (curation keys go here too: hide/undo, promote, edit, add, note, merge, ...):
append a `Key` to `APP_KEYS` (or `DETAIL_KEYS` for keys that act only in the detail pane) and
write `action_<name>` on `AmityApp`. `footer=True` only for the few keys a newcomer needs: the
footer must keep `? Help` and `q Quit` at 60 columns. Give `state` when the palette should say
whether something is on. Keys taken: the ones below; free for curation, e.g. h u p e a i M.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from textual.binding import Binding, BindingType


class Key(NamedTuple):
    """One thing a person can do: its keys, its action, and how footer, help and palette say it.
    A NamedTuple: the class is made at every start, where a frozen dataclass's generated methods
    cost ~5 million instructions to compile (a NamedTuple's, one)."""

    keys: str  # Textual key names, comma-separated: "r", "down,j"
    action: str  # the action run on the node that declares the key: "refresh", "move(1)"
    label: str  # a short name: the footer, the Keys panel, the palette
    help: str  # what it does, in a line: the help screen and the palette
    shown: str = ""  # how help writes the keys, when not just the key ("↑ ↓  j k")
    footer: bool = False
    palette: bool = True
    state: Callable[[Any], bool] | None = None  # the app -> is it on? (shown in the palette)
    name: str = ""  # the palette's name, when longer than the footer's label
    # Run before the focused widget sees the key, so the keys typed after it go where it
    # moved the focus (the app's check_action says where it does not apply).
    priority: bool = False

    @property
    def display(self) -> str:
        """The keys as the help screen shows them."""
        return self.shown or " ".join(_NAMES.get(k, k) for k in self.keys.split(","))

    def palette_name(self, app: Any) -> str:
        """The palette's name for it, with its state now: 'Milestones only (now off)'."""
        if self.state is None:
            return self.name or self.label
        return f"{self.name or self.label} (now {'on' if self.state(app) else 'off'})"


_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "ctrl+p": "ctrl+p",
}

MOVE_KEYS: tuple[Key, ...] = (
    Key("up,k", "move(-1)", "Up", "move up / down", shown="↑ ↓  j k", palette=False),
    Key("down,j", "move(1)", "Down", "", palette=False),
    Key("pageup", "page(-1)", "Page up", "page up / down", shown="PgUp PgDn", palette=False),
    Key("pagedown", "page(1)", "Page down", "", palette=False),
    Key("home,g", "first", "First", "first / last entry", shown="g G  Home End", palette=False),
    Key("end,G", "last", "Last", "", palette=False),
    Key(
        "left_square_bracket", "year(-1)", "Prev year", "previous / next year", "[ ]", False, False
    ),
    Key("right_square_bracket", "year(1)", "Next year", "", palette=False),
    Key(
        "enter",
        "open_detail",
        "Detail",
        "into the detail pane; Esc back",
        "Enter, Esc",
        False,
        False,
    ),
)

# The person's curation (issue 13; actions in curating.py): every one also in help and palette.
CURATION_KEYS: tuple[Key, ...] = (
    Key("h", "hide", "Hide", "hide the entry, u undoes; on a hidden one: show it"),
    Key("u", "undo_hide", "Undo hide", "show again what h just hid"),
    Key(
        "H",
        "show_hidden",
        "Show hidden",
        "show hidden entries too, marked ⊘",
        state=lambda app: app.view_filter.hidden is None,
    ),
    Key("p", "promote", "Milestone / news", "make the entry a milestone, or news again"),
    Key("e", "edit", "Edit", "edit the entry: title, dates, kind, topics, summary"),
    Key("a", "add", "Add entry", "add your own entry, dated in the cursor's year"),
    Key("i", "note", "Note", "write your private note on the entry"),
    Key("M", "merge", "Merge", "merge: M on an entry, M again on the one to keep"),
    Key("v", "move_source", "Move source", "move a source to its own entry or to another"),
    Key("z", "mute", "Mute", "mute entries like this: a phrase, any feed or one"),
)

APP_KEYS: tuple[Key, ...] = (
    Key("question_mark", "help", "Help", "every key (this screen; Esc closes it)", footer=True),
    Key("q", "quit", "Quit", "quit", footer=True, palette=False),
    Key(
        "slash",
        "search",
        "Search",
        "search as you type; Enter keeps it, Esc clears it",
        footer=True,
        priority=True,  # "/meloni" typed at once: every letter after / reaches the box
    ),
    Key("0", "clear_topics", "Clear topics", "clear topics (1–9 toggle topic N)"),
    Key("f", "filter", "Filter", "filter by kind, origin (curated, feed, yours) or outlet"),
    Key("x", "clear_filters", "Clear filters", "clear every filter and the search"),
    Key("d", "go_to_date", "Go to date", "go to a year or month: 2024, 2024-06"),
    Key(
        "n",
        "next_new(1)",
        "Next new",
        "next / previous new event (● new, + new sources); while searching, match",
        shown="n N",
    ),
    Key("N", "next_new(-1)", "Previous new", "", palette=False),
    Key("c", "mark_seen", "Mark all seen", "mark every new event seen"),
    Key(
        "m",
        "milestones",
        "Milestones",
        "milestones only on / off",
        footer=True,
        name="Milestones only",
        state=lambda app: app.view_filter.milestones_only,
    ),
    Key(
        "s",
        "sort",
        "Oldest first",
        "newest first / oldest first",
        state=lambda app: not app.view_filter.newest_first,
    ),
    Key("o", "open_source", "Open source", "open a source in the browser (which, if several)"),
    Key("y", "copy_source", "Copy URL", "copy a source's URL (OSC 52: most terminals)"),
    Key("r", "refresh", "Refresh", "refresh feeds now, in the background", footer=True),
    Key("F", "feeds", "Feeds", "the feeds: status, last success, next check, errors"),
    Key(
        "b",
        "toggle_sidebar",
        "Topic sidebar",
        "hide / show the topic sidebar",
        state=lambda app: app.panes.sidebar,
    ),
    Key(
        "w",
        "widen_detail",
        "Wide detail",
        "widen the detail pane / back",
        state=lambda app: app.wide_detail,
    ),
    *CURATION_KEYS,
    Key("escape", "escape", "Close", "", palette=False),
    Key(
        "ctrl+p",
        "command_palette",
        "Palette",
        "command palette: years, topics, filters, …",
        palette=False,
    ),
)


def bindings(keys: Iterable[Key]) -> list[BindingType]:
    """Textual bindings for these keys (the first of several keys names the footer entry)."""
    return [
        Binding(
            key.keys,
            key.action,
            key.label,
            show=key.footer,
            key_display=_NAMES.get(key.keys.split(",")[0]) if key.footer else None,
            priority=key.priority,
        )
        for key in keys
    ]


def help_rows(keys: Iterable[Key]) -> Iterator[tuple[str, str]]:
    """(keys, what they do) for the help screen; keys that share a line with the previous one
    (an empty `help`) are folded into it."""
    for key in keys:
        if key.help:
            yield key.display, key.help
