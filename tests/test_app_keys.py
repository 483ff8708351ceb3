"""The timeline app driven key by key with Pilot, on a real store file seeded with the curated
timeline: what the screen shows and where the cursor is after every key of DESIGN.md."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import webbrowser
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from amity.store import DEFAULT_TOPICS, Config, Event, Source, Store
from amity.store.checked import record_check
from amity.store.view import view_path
from amity.tui.app import AmityApp, run_app
from amity.tui.detail import DetailPane
from amity.tui.help import HelpScreen
from amity.tui.visits import load_visits, visit_path
from screen import screen_text
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input
from textual.worker import WorkerCancelled

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
SUMMIT = "Special Strategic Partnership"


def fixed_clock() -> dt.datetime:
    return NOW


class NotedApp(AmityApp):
    """The app, remembering the message of every notification it shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[str] = []

    def notify(self, message: str, **kwargs: Any) -> None:
        self.notes.append(message)
        super().notify(message, **kwargs)


def make_app(store: Store, clock=fixed_clock) -> NotedApp:
    return NotedApp(store, Config(), clock=clock)


def title(app: AmityApp) -> str | None:
    current = app.timeline.current
    return current.title if current else None


def shown(app: AmityApp) -> list[Event]:
    return [app.index.event(p) for p in app.view.rows if p >= 0]


async def settle(app: AmityApp, pilot) -> None:
    with contextlib.suppress(WorkerCancelled):  # the worker may end the app (exit 3)
        await app.workers.wait_for_complete()
    await pilot.pause()


async def test_first_screen_shows_header_topics_timeline_detail(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Japan–Italy  56 events" in text
        assert "never refreshed" in text
        assert "□ 1 Diplomacy" in text and "27" in text
        assert " 2026 ─" in text and "1 event" in text
        assert "★◆ 2026-01-16  Special Strategic Partner" in text
        assert "2024-12-10?" in text  # a partial date is marked uncertain
        assert "1585" in text  # year-precision date in the density strip and timeline
        assert title(app) == SUMMIT
        detail = app.query_one(DetailPane)
        assert detail.event is not None and detail.event.date == "2026-01-16"
        assert app.focused is app.timeline


@pytest.mark.slow
async def test_movement_keys(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        events = shown(app)
        await pilot.press("down")
        assert title(app) == events[1].title == "Meloni–Takaichi first phone call"
        await pilot.press("j", "j")
        assert title(app) == events[3].title
        await pilot.press("k")
        assert title(app) == events[2].title
        await pilot.press("up")
        assert title(app) == events[1].title
        await pilot.press("pagedown")
        after_page = shown(app).index(app.timeline.current)
        assert after_page > 10
        assert app.timeline.scroll_offset.y > 0  # the cursor stayed on screen
        await pilot.press("pageup")
        assert shown(app).index(app.timeline.current) < after_page
        await pilot.press("G")
        assert title(app) == "Tensho embassy reaches Rome"
        await pilot.press("g")
        assert title(app) == SUMMIT
        await pilot.press("end")
        assert app.timeline.current.date == "1585"
        assert "1585" in screen_text(app)
        await pilot.press("home")
        assert title(app) == SUMMIT
        assert app.query_one(DetailPane).event.title == SUMMIT


async def test_year_keys_jump_between_year_headings(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        assert app.timeline.current.date == "2025-11-05"
        await pilot.press("right_square_bracket")
        assert app.timeline.current.date == "2024-12-10"
        await pilot.press("left_square_bracket")
        assert app.timeline.current.date == "2025-11-05"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.timeline.current.date == "2026-01-16"


async def test_topic_keys_filter_count_and_clear(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        events = shown(app)
        assert len(events) == 27
        assert all("defense" in e.topics for e in events)
        text = screen_text(app)
        assert "■ 2 Defense & secur" in text
        assert "filtered: Defense & security" in text
        assert "56 events, 27 shown" in text
        await pilot.press("5")  # any selected topic matches
        events = shown(app)
        assert {e.id for e in events} == {
            e.id
            for e in app.index.events(range(len(app.index)))
            if {"defense", "culture"} & set(e.topics)
        }
        assert app.view_filter.topics == {"defense", "culture"}
        await pilot.press("2")
        assert app.view_filter.topics == {"culture"}
        await pilot.press("0")
        assert app.view_filter.topics == frozenset()
        assert len(shown(app)) == 56
        assert "filtered" not in screen_text(app)
        await pilot.press("9")  # no ninth topic: says so, changes nothing
        assert len(shown(app)) == 56


async def test_topic_counts_follow_the_other_filters(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        milestones = [e for e in app.index.events(range(len(app.index))) if e.milestone]
        defense = sum(1 for e in milestones if "defense" in e.topics)
        assert app.view.topic_counts["defense"] == defense == 10
        line = next(li for li in screen_text(app).splitlines() if "2 Defense" in li)
        assert line.split("│")[0].split()[-1] == "10" or " 10 " in line


async def test_milestones_and_sort(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        events = shown(app)
        assert events and all(e.milestone for e in events)
        assert "■ milestones only" in screen_text(app)
        assert title(app) == SUMMIT
        await pilot.press("s")
        events = shown(app)
        assert events[0].date == "1585"
        assert [e.date for e in events] == sorted(e.date for e in events)
        assert "oldest first" in screen_text(app)
        assert title(app) == SUMMIT  # the cursor kept its event
        await pilot.press("g")
        assert title(app) == "Tensho embassy reaches Rome"
        await pilot.press("m", "s")
        assert len(shown(app)) == 56 and shown(app)[0].title == SUMMIT


@pytest.mark.slow
async def test_search_as_you_type_enter_keeps_esc_clears(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press("g", "c", "a", "p")
        events = shown(app)
        assert events and all(
            "gcap" in app.index.texts.text(app.index.position_of[e.id]) for e in events
        )
        assert "“gcap”" in screen_text(app)
        await pilot.press("enter")
        assert app.focused is app.timeline
        assert app.view_filter.search == "gcap"
        await pilot.press("j")  # keys drive the timeline again; the search stays
        assert app.view_filter.search == "gcap"
        await pilot.press("slash", "escape")
        assert app.view_filter.search == ""
        assert len(shown(app)) == 56
        assert app.focused is app.timeline


async def test_search_typed_right_at_launch_gets_every_letter(store: Store) -> None:
    from textual import events

    # `/meloni` typed as amity starts: the terminal delivers the keys before the first frame,
    # and every letter after / used to go to the timeline (m e l o n i are keys there too).
    app = make_app(store)
    for key in ("slash", *"meloni"):
        app.post_message(events.Key(key, "/" if key == "slash" else key))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.query_one(Input).value == "meloni"
        assert app.view_filter.search == "meloni"
        assert app.focused is app.query_one(Input)  # the next letter goes there too
        assert not app.view_filter.milestones_only and app.screen is app.screen_stack[0]


async def test_slash_is_text_in_the_search_box_and_under_a_dialog(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "g", "slash", "c")
        assert app.query_one(Input).value == "g/c"
        await pilot.press("escape", "ctrl+p", "slash")
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).value == "/"
        await pilot.press("escape", "question_mark", "slash")
        assert isinstance(app.screen, HelpScreen)
        assert "searching" not in app.screen_stack[0].classes


async def test_search_enter_on_blanks_closes_the_box_empty(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "space", "space", "enter")
        assert app.focused is app.timeline
        assert not app.query_one(Input).display
        assert app.view_filter.search == "" and len(shown(app)) == 56
        await pilot.press("slash")
        assert app.query_one(Input).value == ""  # no leftover blanks before the cursor


async def test_search_with_no_match_says_how_to_clear(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "slash", *"zzqx", "enter")
        text = screen_text(app)
        assert "No events match." in text
        assert "0 clears the topics; esc clears the search" in text.lower()
        assert app.timeline.current is None
        await pilot.press("o", "enter", "j", "right_square_bracket")  # nothing to act on: no crash
        await pilot.press("escape")  # Esc in the timeline clears the search
        assert app.view_filter.search == ""
        assert len(shown(app)) == 27


@pytest.mark.slow
async def test_enter_into_detail_and_esc_back(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "enter")
        detail = app.query_one(DetailPane)
        assert app.focused is detail
        assert "Meloni–Takaichi first phone call" in screen_text(app)
        await pilot.press("end")  # the detail pane scrolls to its numbered sources
        await pilot.pause()
        assert "1. " in screen_text(app) and "https://" in screen_text(app)
        await pilot.press("escape")
        assert app.focused is app.timeline
        assert title(app) == "Meloni–Takaichi first phone call"


async def test_o_opens_the_first_source(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        first = app.timeline.current.sources[0].url
        assert opened == [first]
        await pilot.pause()
        assert any(f"Opened {first}" in n for n in app.notes)


async def test_o_says_when_nothing_can_be_opened(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put_events([Event(id="no-source", date="2030", title="Sourceless")])
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert any("no source to open" in n for n in app.notes)
        await pilot.press("j", "o")
        await pilot.pause()
        assert any("No browser could open" in n for n in app.notes)


@pytest.mark.slow
async def test_help_shows_every_key_and_closes(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in ("j k", "PgUp PgDn", "Home End", "[ ]", "1–9", "ctrl+p", "Enter, Esc"):
            assert key in text
        assert "open a source in the browser" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark", "question_mark")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.slow
async def test_palette_jumps_to_year_and_toggles_topics(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        assert CommandPalette.is_open(app)
        await pilot.press(*"Jump to year 2016")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert not CommandPalette.is_open(app)
        assert app.timeline.current.year == 2016
        await pilot.press("ctrl+p", *"milestones only", "enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.view_filter.milestones_only


async def test_q_quits(store: Store) -> None:
    app = make_app(store)
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
        assert not app.is_running


async def test_untrusted_text_renders_literally(store: Store) -> None:
    nasty = [
        "PM visit [/b] Rome",
        "[bold red]x[/]",
        "[@click=app.quit]click me[/]",
        "Japan [Italy] relations",
    ]
    events = [
        Event(
            id=f"nasty-{n}",
            date=f"2030-01-0{n + 1}",
            title=text,
            summary=f"summary {text} \x1b[31mred\x07",
            sources=(Source(url="https://example.org/a", title=f"[b]{text}"),),
        )
        for n, text in enumerate(nasty)
    ]
    events.append(Event(id="esc", date="2029", title="bell\x07 and \x1b]0;pwned\x07 title"))
    store.put_events(events)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            await pilot.pause()
            text = screen_text(app)
            assert app.timeline.current.title in {e.title for e in events}
            await pilot.press("j")
        text = screen_text(app)
        for item in nasty:
            assert item in text
        assert "\x1b" not in text and "\x07" not in text
        assert "bell and title" in text
        await pilot.press("g")
        assert "summary [@click=app.quit]click me[/] red" not in text
        await pilot.click("TimelineView", offset=(20, 2))  # clicking the "link" does nothing
        await pilot.pause()
        assert app.is_running
        detail = screen_text(app)
        assert "[b][@click=app.quit]click me[/]" in detail or "[@click=app.quit]" in detail


async def test_mouse_selects_rows_and_toggles_topics(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("TimelineView", offset=(20, 3))  # row 3: 2025-11-05
        assert title(app) == "Meloni–Takaichi first phone call"
        await pilot.click("TopicList", offset=(5, 2))  # the second topic line
        assert app.view_filter.topics == {"defense"}


async def test_empty_store_has_a_sensible_screen(store: Store) -> None:
    with store.transaction() as txn:
        txn.remove_events(list(txn.events()))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = screen_text(app)
        assert "The timeline is empty." in text
        assert "Press r to fetch the feeds" in text
        await pilot.press("j", "G", "right_square_bracket", "enter", "o", "1", "m", "s")
        assert app.timeline.current is None


async def test_year_precision_only_events(store: Store) -> None:
    with store.transaction() as txn:
        txn.remove_events(list(txn.events()))
        txn.put_events([Event(id=f"y{n}", date="2024", title=f"Year only {n}") for n in range(3)])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = screen_text(app)
        assert " 2024 ─" in text and "3 events" in text
        assert "✎ 2024        Year only" in text
        await pilot.press("j", "j", "j", "G", "left_square_bracket")
        assert app.timeline.current.date == "2024"


async def test_layout_wide_narrow_and_tiny(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(200, 50)) as pilot:
        detail, timeline = app.query_one(DetailPane), app.timeline
        assert detail.region.x > timeline.region.x  # detail on the right
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert detail.region.y > timeline.region.y  # detail below
        assert detail.region.width == 80
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert not app.query_one("#sidebar").display or app.query_one("#sidebar").region.width == 0
        assert "Special Strategic" in screen_text(app)
        await pilot.press("j", "G", "pageup")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert (
            timeline.region.y <= timeline.cursor + 1 or timeline.scroll_offset.y <= timeline.cursor
        )


async def test_live_reload_keeps_cursor_and_filters(store: Store, tmp_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "j", "j")
        kept = app.timeline.current.id
        other = Store.open(tmp_path / "amity.json")  # another process's view of the file
        other.put_events(
            [
                Event(id="cron-1", date="2026-01-30", title="New talks", topics=("diplomacy",)),
                Event(id="cron-2", date="2026-01-31", title="Expo news", topics=("culture",)),
            ]
        )
        app.check_store()
        await settle(app, pilot)
        assert app.timeline.current.id == kept
        assert app.view_filter.topics == {"diplomacy"}
        ids = [e.id for e in shown(app)]
        assert "cron-1" in ids and "cron-2" not in ids
        text = screen_text(app)
        assert "● ✎ 2026-01-30  New talks" in text  # new since the visit began, not yet seen
        assert "58 events, 28 shown" in text
        app.check_store()  # unchanged file: nothing to do
        assert not app.workers


async def test_header_follows_a_refresh_elsewhere_that_found_nothing_new(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "never refreshed" in screen_text(app)
        signature = store.signature()
        with store.transaction():  # what a cron refresh does when every feed answers 304
            record_check(store, "2026-02-01T11:55:00Z")
        assert store.signature() == signature  # the store itself was not rewritten
        app.check_store()
        await pilot.pause()
        assert "refreshed 5 min ago" in screen_text(app)


async def test_new_since_last_visit_marked_until_seen(store: Store) -> None:
    state = visit_path(store.path)
    state.write_text(json.dumps({"last_visit": "2000-01-01T00:00:00Z", "unseen": []}))
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # after the store stamped the events
    app = make_app(store, clock=lambda: later)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.is_new(app.timeline.current)  # the cursor is on it: seen
        second = shown(app)[1]
        assert app.is_new(second)
        assert "● ◆ 2025-11-05" in screen_text(app)
        await pilot.press("j")
        assert not app.is_new(second)
        assert "● ◆ 2025-11-05" not in screen_text(app)
        app.record_visit()
    visits = load_visits(state)
    assert visits.last_visit == "2100-01-01T00:00:00Z"
    assert len(visits.unseen) == 54 and second.id not in visits.unseen
    again = make_app(store, clock=lambda: later)
    async with again.run_test(size=(120, 40)):
        assert again.is_new(shown(again)[2]) and not again.is_new(second)


async def test_store_damaged_while_open_exits_3(store: Store) -> None:
    app = make_app(store)
    async with app.run_test() as pilot:
        store.path.write_text("{ not json")
        app.check_store()
        await settle(app, pilot)
    assert app.return_code == 3
    assert str(store.path) in app.store_error and "damaged" in app.store_error


async def test_a_view_damaged_while_open_is_read_from_the_store_file(store: Store) -> None:
    # Events are read from the view as they are drawn; the view goes bad after start-up.
    path = view_path(store.path)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        first_shown = app.index
        path.write_bytes(path.read_bytes().replace(b'"summary":', b'"summary"!'))
        app.jump_to_year(min(app.view.year_counts))  # rows not drawn yet
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.return_code is None  # still running
        assert app.index is not first_shown
        assert any("damaged" in note for note in app.notes)
        events = {event.id: event for event in Store(store.path).events()}
        assert shown(app) and all(event == events[event.id] for event in shown(app))
        assert title(app) in {event.title for event in events.values()}


def test_run_app_on_a_damaged_store_exits_3(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store.path.write_text("{ not json")
    assert run_app(store, Config()) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"amity: {store.path}") and "damaged" in err
    assert gc.isenabled()  # held off for start-up only


@pytest.mark.slow
async def test_palette_shows_config_topic_labels_literally(store: Store) -> None:
    topics = (replace(DEFAULT_TOPICS[0], label="Talks [/b] [bold red]x[/]"), *DEFAULT_TOPICS[1:])
    app = AmityApp(store, Config(topics=topics), clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"talks")
        await pilot.pause(0.3)
        assert "Toggle topic 1: Talks [/b] [bold red]x[/] (now off)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.view_filter.topics == {DEFAULT_TOPICS[0].id}


async def test_detail_follows_the_cursor_when_a_highlight_arrives_after_a_filter(
    store: Store,
) -> None:
    # On a first start, `j` then `2` typed at once left the detail on the event `j` reached
    # (its highlight arrived after the filter had moved the cursor to another event).
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        stale = app.timeline.current
        await pilot.press("2")
        assert stale is not None and app.timeline.current is not None
        assert app.timeline.current.id != stale.id
        app.timeline.post_message(app.timeline.Highlighted(stale))
        await pilot.pause()
        detail = app.query_one(DetailPane)
        assert detail.event is not None and detail.event.id == app.timeline.current.id


async def test_a_search_typed_in_one_go_reaches_the_box_and_runs_no_other_key(
    store: Store,
) -> None:
    # A terminal hands over "/osc" typed fast (or pasted) in one read, and the driver posts the
    # keys to the app one after the other, as here. The letters behind "/" were sent to the
    # timeline before "/" had moved the focus, and were lost there: the box came up empty, and
    # a letter bound to the timeline could run instead (o opens, s sorts, c marks all seen).
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        for key, character in [("slash", "/"), *((c, c) for c in "gcaps"), ("enter", "\r")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.view_filter.search == "gcaps"
        assert app.view_filter.newest_first  # "s" was typed into the box, not run as sort
        assert app.focused is app.timeline  # Enter kept the search and left the box
