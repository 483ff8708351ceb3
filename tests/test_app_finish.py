"""What a new user must be able to see and reach (issue 12): where the cursor and the focus are,
titles given the width, the palette and help telling the truth, the basics at 60×20."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from amity.store import Config, Event, Store
from amity.tui import layout
from amity.tui.app import AmityApp
from amity.tui.help import HelpScreen
from rich.segment import Segment
from rich.style import Style
from textual.command import CommandPalette

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
LONG = "Japan and Italy agree to deepen cooperation on semiconductors, space and defence"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "amity.json")


def make_app(store: Store) -> AmityApp:
    return AmityApp(store, Config(), clock=lambda: NOW)


def screen_text(app: AmityApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def painted(app: AmityApp) -> list[list[Segment]]:
    """Every row as the terminal receives it: after the app's filters (NO_COLOR, ANSI)."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        segments = list(strip)
        for line_filter in app._filters:
            segments = line_filter.apply(segments, app.screen.styles.background)
        rows.append(segments)
    return rows


def look(segments: list[Segment], text: str) -> Style:
    """The style of the segment where `text` starts in a row."""
    at = 0
    line = "".join(s.text for s in segments)
    start = line.index(text)
    for segment in segments:
        if at <= start < at + len(segment.text):
            return segment.style or Style()
        at += len(segment.text)
    raise AssertionError(text)


def row_of(app: AmityApp, text: str) -> list[Segment]:
    for segments in painted(app):
        if text in "".join(s.text for s in segments):
            return segments
    raise AssertionError(f"{text!r} not on screen")


def differs(a: Style, b: Style) -> bool:
    """Would a person see these two styles as different?"""
    return a.reverse != b.reverse or (a.bgcolor != b.bgcolor and a.bgcolor is not None)


@pytest.mark.parametrize(
    "theme", ["textual-dark", "textual-light", "ansi-dark", "ansi-light", "nord", "solarized-light"]
)
@pytest.mark.parametrize("no_color", [False, True])
async def test_cursor_row_and_focused_pane_stand_out_in_every_theme(
    store: Store, theme: str, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = theme
        await pilot.press("j")
        await pilot.pause()
        cursor = row_of(app, "Meloni–Takaichi first phone call")
        other = row_of(app, "Political consultations Tokyo")
        title_style = look(cursor, "Meloni–Takaichi")
        assert differs(title_style, look(other, "Political consultations"))
        assert "▶  ◆ 2025-11-05" in "".join(s.text for s in cursor)  # a mark even without colour
        before = screen_text(app)
        await pilot.press("enter")  # the focus moves to the detail pane: its edge changes
        await pilot.pause()
        after = screen_text(app)
        assert "▀" in after and "▀" not in before  # the detail's top edge thickens
        assert "▷" in row_of_text(after, "Meloni–Takaichi")  # the cursor says "not focused"


def row_of_text(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


def test_layout_title_room_never_shrinks_as_the_terminal_widens() -> None:
    for height in (20, 24, 40, 50):
        seen = 0
        for width in range(40, 260):
            room = layout.choose(width, height).title_room
            assert room >= seen, (width, height)
            seen = room


async def test_titles_get_the_width_and_tags_go_first(store: Store) -> None:
    store.put_events(
        [Event(id="long", date="2030-01-01", title=LONG, topics=("diplomacy", "defense"))]
    )
    shown: dict[int, str] = {}
    app = make_app(store)
    async with app.run_test(size=(60, 20)) as pilot:
        for width in (58, 59, 60, 61, 80, 99, 100, 120, 160, 200):
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            line = row_of_text(screen_text(app), "2030-01-01  Japan and Italy")
            shown[width] = line.split("2030-01-01", 1)[1].strip()
        titles = [len(text.split("…")[0]) for text in shown.values()]
        assert titles == sorted(titles)  # monotonic in width
        assert shown[200].startswith(LONG)  # whole at 200 columns, tags after it
        assert "dipl defe" in shown[200]
        assert "dipl" not in shown[60]  # the tags went before the title was cut


async def test_b_hides_the_sidebar_and_w_widens_the_detail(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        sidebar, detail = app.query_one("#sidebar"), app.query_one("#detail")
        assert sidebar.display
        rows = detail.region.height
        await pilot.press("b")
        await pilot.pause()
        assert not sidebar.display
        await pilot.press("w")
        await pilot.pause()
        assert detail.region.height > rows or detail.region.width < 120
        await pilot.press("b", "w")
        await pilot.pause()
        assert sidebar.display and detail.region.height == rows


async def test_palette_says_what_is_on_and_keys_panel_names_every_key(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"milestones")
        await pilot.pause(0.3)
        assert "Milestones only (now off)" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("m", "ctrl+p", *"milestones")
        await pilot.pause(0.3)
        assert "Milestones only (now on)" in screen_text(app)
        await pilot.press("escape")
        assert not CommandPalette.is_open(app)
        descriptions = {k: b.binding.description for k, b in app.screen.active_bindings.items()}
        assert descriptions["2"] == "Topic: Defense & security"
        assert descriptions["6"] == "Topic: Indo-Pacific & regional order"
        app.action_show_help_panel()
        await pilot.pause()
        assert app.screen.query("HelpPanel").nodes
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query("HelpPanel").nodes


@pytest.mark.parametrize(("width", "height"), [(60, 20), (80, 24)])
async def test_small_terminals_keep_help_and_quit(store: Store, width: int, height: int) -> None:
    app = make_app(store)
    async with app.run_test(size=(width, height)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "q Quit" in footer
        await pilot.press("enter")  # the detail focused adds its keys: the basics stay
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "q Quit" in footer
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Esc, q or ? closes" in text
        assert "search as you type; Enter keeps" in text  # wrapped, not cut
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
