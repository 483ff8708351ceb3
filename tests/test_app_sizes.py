"""Terminal sizes nobody tried and feed text meant to break a layout: what a person sees must
stay in its columns, reachable and readable, from 40×12 to 250×70."""

from __future__ import annotations

import datetime as dt

from amity.store import Config, Event, Feed, Source, Store
from amity.tui.app import AmityApp
from amity.tui.goto import GoToDate
from rich.cells import cell_len
from screen import screen_lines, screen_text
from test_app_keys import NotedApp
from textual.widgets import Button, Footer

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
EMOJI = "Thumbs 👍🏽 planes ✈️ family 👨‍👩‍👧 rainbow 🏳️‍🌈 for Japan and Italy"
# Characters whose width Rich and most terminals (xterm, VTE, tmux) count differently.
UNSTEADY = ("\u200d", "\ufe0f", "\ufe0e", "\U0001f3fd")


def make_app(store: Store) -> AmityApp:
    return AmityApp(store, Config(), clock=lambda: NOW)


def mine(event_id: str, title: str, date: str = "2026-01-20", **fields) -> Event:
    return Event(id=event_id, date=date, title=title, topics=("culture",), **fields)


async def test_emoji_titles_take_the_cells_every_terminal_gives_them(store: Store) -> None:
    # Drawn as Rich measures them, these pushed the detail pane beside the row 2 cells right
    # (👍🏽 is 4 cells in tmux) or left stale cells at its edge (✈️ is 1).
    store.put_events([mine("emoji", EMOJI)])
    app = make_app(store)
    async with app.run_test(size=(200, 20)):
        assert app.timeline.current.id == "emoji"  # the newest: its detail is beside it
        text = screen_text(app)
        steady = "Thumbs 👍 planes ✈ family 👨👩👧 rainbow 🏳🌈"
        assert text.count(steady) == 2  # the row and, beside it, the detail's title
        assert not any(char in text for char in UNSTEADY)


async def test_a_title_cut_after_a_wide_character_ends_at_its_ellipsis(store: Store) -> None:
    store.put_events([mine("wide", "Japan and Italy " + "界" * 80)])
    app = make_app(store)
    async with app.run_test(size=(40, 12)):
        row = next(line for line in screen_lines(app) if "Japan and Italy" in line)
        assert "界…" in row and "界 …" not in row
        assert cell_len(row) == 40


async def test_go_to_date_fits_a_40_column_terminal(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, GoToDate)
        panel = app.screen.query_one("Vertical")
        assert panel.region.x >= 0 and panel.region.right <= 40  # its right side was cut off
        await pilot.press(*"2024", "enter")
        assert app.timeline.current.date.startswith("2024")


async def buttons_reachable(app: AmityApp, pilot) -> list[str]:
    """The labels of the open form's buttons a person can scroll to and see whole."""
    seen = []
    for button in app.screen.query(Button):
        button.scroll_visible(animate=False)
        await pilot.pause()
        frame = button.parent.region
        if button.region.width and frame.contains_region(button.region):
            seen.append(str(button.label))
    return seen


async def test_every_form_button_can_be_reached_at_40_and_60_columns(store: Store) -> None:
    # In one row, the last button ran past the form's right edge: at 40 columns Cancel of the
    # edit form, at 60 Cancel of "Move a source".
    store.put_events(
        [
            mine(
                "two",
                "Two sources",
                sources=(
                    Source(url="https://a.example/1", title="First"),
                    Source(url="https://b.example/2", title="Second"),
                ),
            )
        ]
    )
    app = make_app(store)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("e")
        assert await buttons_reachable(app, pilot) == ["Save (ctrl+s)", "Cancel (Esc)"]
        await pilot.press("escape")
        await pilot.resize_terminal(60, 20)
        await pilot.press("j", "v")
        assert len(await buttons_reachable(app, pilot)) == 3


async def test_tags_stay_beside_titles_when_one_feed_title_is_very_long(store: Store) -> None:
    # One 300-character title made the title column 131 wide at 250×70 and took the topic
    # tags off every row.
    store.put_events([mine("long", "Japan and Italy agree " + "on many things " * 20)])
    app = make_app(store)
    async with app.run_test(size=(250, 70)):
        summit = next(line for line in screen_lines(app) if "Special Strategic" in line)
        assert "dipl defe econ spac cult indo" in summit
        long_row = next(line for line in screen_lines(app) if "2026-01-20  Japan" in line)
        assert "…" in long_row and "cult" in long_row


async def test_feeds_screen_at_60_columns_names_each_feed_and_its_whole_error(
    store: Store,
) -> None:
    # The table squeezed the Feed column to "Host…" and the Error column to a few letters.
    error = "HTTP 503 from the server: Service Unavailable (will try again in 2 h)"
    with store.transaction() as txn:
        txn.put_feeds(
            [
                Feed(
                    url="https://www.governo.it/feed/rss",
                    title="Palazzo Chigi",
                    status="error",
                    error=error,
                    last_checked="2026-02-01T11:00:00Z",
                )
            ]
        )
    app = make_app(store)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("F")
        inside = [line.split("│")[1] for line in screen_lines(app) if line.count("│") == 2]
        text = " ".join(" ".join(inside).split())
        assert "error Palazzo Chigi" in text
        assert "https://www.governo.it/feed/rss" in text
        assert "HTTP 503 from the server: Service Unavailable (will try again in 2 h)" in text


async def test_short_terminals_give_the_timeline_its_rows_and_keep_the_cursor(
    store: Store,
) -> None:
    # At 40×12 the density strip and the detail left the timeline 4 rows (two entries); at
    # 20×5 the detail took every row and the ▶ cursor was nowhere. Timeline rows are entries
    # and year headings.
    app = make_app(store)
    async with app.run_test(size=(250, 70)) as pilot:
        await pilot.press("G")  # the oldest entry, at the bottom
        date = app.timeline.current.date
        for width, height, rows in ((40, 12, 6), (30, 8, 3), (20, 5, 3), (60, 20, 9)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            lines = screen_lines(app)
            cursor = [line for line in lines if line.startswith("▶")]
            assert len(cursor) == 1 and cell_len(cursor[0]) == width, (width, height)
            assert date in cursor[0]
            entry = [line for line in lines if line[3:4] in "◆✎»" and line[5:9].isdigit()]
            year = [line for line in lines if line[1:5].isdigit() and line[5:7] == " ─"]
            assert len(entry) + len(year) >= rows, (width, height)
        density = app.query_one("#density")
        assert density.display and density.region.height == 2  # back at 20 rows


async def test_a_narrow_header_still_says_what_is_filtered(store: Store) -> None:
    # At 60 columns, with no sidebar, the header was the only place naming the topics chosen,
    # and it was cut to "filtered: Defense &".
    app = make_app(store)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("2", "3", "4", "m")
        header = screen_lines(app)[0]
        assert "11 shown · defe + econ + spac + ★" in header
        await pilot.resize_terminal(160, 20)
        await pilot.pause()
        header = screen_lines(app)[0]
        assert "filtered: Defense & security + Economy & economic security" in header


async def test_no_match_hint_is_whole_at_40_by_12(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("m", "slash", *"zzqx", "enter")
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "No events match." in text and "x clears every filter." in text


async def test_hiding_a_very_long_title_says_so_in_a_short_toast(store: Store) -> None:
    # The toast quoted the whole 300-character title, in a 20-column column down a 40×12
    # screen, over the header and the timeline.
    store.put_events([mine("long", "Japan and Italy agree " + "on many things " * 20)])
    app = NotedApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("h")
        await app.workers.wait_for_complete()  # the hide is written to the store first
        await pilot.pause()
        said = app.notes[-1]
        assert said.startswith("Hidden: Japan and Italy agree on many things")
        assert said.endswith("… — u undoes it") and len(said) < 90


async def test_the_search_box_sits_whole_above_the_footer(store: Store) -> None:
    # Its bottom edge was drawn under the footer; at 40×12 it left the timeline two rows.
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"japan")
        box, footer = app.query_one("#search"), app.query_one(Footer)
        assert box.region.height == 3 and box.region.bottom <= footer.region.y
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert box.region.height == 1 and box.region.bottom <= footer.region.y
        assert app.timeline.region.height >= 5
        assert "japan" in screen_lines(app)[box.region.y]


async def test_the_sidebar_asked_for_leaves_the_titles_room(store: Store) -> None:
    # b at 40 columns put the 26-column sidebar beside a 14-column timeline: no title, half
    # a date.
    app = NotedApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert not app.query_one("#sidebar").display
        assert "2026-01-16  Special Strategic" in screen_text(app)
        assert app.notes[-1] == "No room for the topic sidebar at this width."
        await pilot.resize_terminal(64, 20)  # asked for, it comes where titles keep 20
        await pilot.pause()
        assert app.query_one("#sidebar").display
        assert "2026-01-16  Special Strategic" in screen_text(app)


async def test_help_says_how_to_close_it_at_40_columns(store: Store) -> None:
    # Its frame cut "↑ ↓ scroll · Esc, q or ? closes" to "… Esc, q or ? clos…".
    app = make_app(store)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("question_mark")
        assert "Esc, q or ? closes" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_enter_in_a_terminal_too_short_for_the_detail_keeps_the_timeline(
    store: Store,
) -> None:
    # At 20×5 the detail has no rows: Enter moved the focus into it, out of sight, and j went
    # on scrolling what nobody could see.
    app = NotedApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.press("enter", "j")
        assert app.focused is app.timeline and app.timeline.cursor > 1
        assert app.notes[-1] == "No room for the detail at this height."
        await pilot.resize_terminal(40, 12)
        await pilot.press("enter")
        assert app.focused is app.query_one("#detail")
