"""Curation in the app, driven with Pilot on a real store file: each action by its key, from the
palette and from the help screen; what the screen shows, what is stored, where the cursor is."""

from __future__ import annotations

import pytest
from amity.store import Store, curation
from amity.tui.forms import Confirm, EventForm, NoteForm, SourceChoice
from amity.tui.help import HelpScreen
from screen import screen_text
from test_app_keys import make_app, settle, shown, title
from textual.command import CommandPalette
from textual.widgets import Input, SelectionList, TextArea

ACSA = "ACSA signed"
IN_FORCE = "ACSA in force"
SIZE = (120, 40)


def stored(store: Store, event_title: str):
    return next(e for e in store.events() if e.title == event_title)


def keys(text: str) -> list[str]:
    return ["space" if char == " " else char for char in text]


async def go_to(app, pilot, event_title: str) -> None:
    """Put the cursor on the entry with this title, the way a person would: search, Enter."""
    await pilot.press("slash", *keys(event_title), "enter")
    app.action_end_search()
    await pilot.pause()
    # The search kept the cursor on the match; clearing it keeps the cursor there.
    assert title(app) == event_title, title(app)


@pytest.mark.slow
async def test_h_hides_moves_to_the_next_entry_and_u_undoes(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, IN_FORCE)
        row = app.timeline.cursor
        below = shown(app)[[e.title for e in shown(app)].index(IN_FORCE) + 1].title
        total = len(shown(app))
        count = f"{len(store.events()) - 1} events"
        await pilot.press("h")
        await settle(app, pilot)
        assert stored(store, IN_FORCE).hidden
        assert IN_FORCE not in [e.title for e in shown(app)]
        assert len(shown(app)) == total - 1
        assert title(app) == below and app.timeline.cursor == row
        assert count in screen_text(app)  # hidden entries leave the counts
        assert any("u undoes it" in note for note in app.notes)
        await pilot.press("u")
        await settle(app, pilot)
        assert not stored(store, IN_FORCE).hidden
        assert title(app) == IN_FORCE


@pytest.mark.slow
async def test_H_shows_hidden_entries_marked_and_h_shows_one_again(store: Store) -> None:
    with store.transaction() as txn:
        curation.set_hidden(txn, [stored(store, IN_FORCE).id], True)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert IN_FORCE not in screen_text(app)
        await pilot.press("H")
        await pilot.pause()
        assert f"⊘ {IN_FORCE}" in screen_text(app)
        await go_to(app, pilot, IN_FORCE)
        assert "Hidden from the timeline" in screen_text(app)
        await pilot.press("h")
        await settle(app, pilot)
        assert not stored(store, IN_FORCE).hidden
        assert title(app) == IN_FORCE


@pytest.mark.slow
async def test_p_promotes_and_demotes(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        await pilot.press("p")
        await settle(app, pilot)
        assert not stored(store, ACSA).milestone and title(app) == ACSA
        await pilot.press("p")
        await settle(app, pilot)
        assert stored(store, ACSA).milestone and "milestone" in stored(store, ACSA).edits


@pytest.mark.slow
async def test_e_edits_in_a_form_and_refuses_bad_fields_at_the_field(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        before = store.path.read_bytes()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EventForm)
        form.query_one("#field-title", Input).value = "   "
        form.query_one("#field-date", Input).value = "2024-02-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = form.errors()  # every refused field at once, each under its field
        assert app.screen is form and errors["title"] == "must not be empty"
        assert "not a real date" in errors["date"]
        form.query_one("#field-title", Input).value = "ACSA [b]signed[/b] in Rome"
        form.query_one("#field-date", Input).value = "2024-11"
        form.query_one("#field-end_date", Input).value = "2024-10"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "before the date" in form.errors()["end_date"]
        assert store.path.read_bytes() == before  # nothing saved while a field is refused
        form.query_one("#field-end_date", Input).value = ""
        form.query_one("#field-topics", SelectionList).select("indo-pacific")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, EventForm)
        event = stored(store, "ACSA [b]signed[/b] in Rome")
        assert (event.date, event.topics) == ("2024-11", ("defense", "indo-pacific"))
        assert set(event.edits) == {"title", "date", "topics"}
        assert title(app) == "ACSA [b]signed[/b] in Rome"
        assert "ACSA [b]signed[/b] in Rome" in screen_text(app)  # markup shown as typed


@pytest.mark.slow
async def test_esc_leaves_the_edit_form_without_saving(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-title", Input).value = "Changed"
        await pilot.press("escape")
        await settle(app, pilot)
        assert stored(store, ACSA).edits == {}
        assert title(app) == ACSA


@pytest.mark.slow
async def test_a_adds_an_entry_dated_in_the_cursors_year(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EventForm)
        assert form.query_one("#field-date", Input).value == "2024"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors() == {"title": "must not be empty"}
        await pilot.press(*keys("Reception"))
        form.query_one("#field-sources", Input).value = "not-a-url"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "URL" in form.errors()["sources"]
        form.query_one("#field-sources", Input).value = "https://example.org/reception"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        mine = [e for e in store.events() if e.origin == "user"]
        assert [(e.title, e.date) for e in mine] == [("Reception", "2024")]
        assert title(app) == "Reception"
        assert "✎" in screen_text(app)


@pytest.mark.slow
async def test_i_writes_a_note_shown_in_the_detail_and_found_by_search(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, NoteForm)
        area = app.screen.query_one(TextArea)
        area.text = "x" * 20_001
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "at most 20,000" in app.screen.errors()["note"]
        area.text = "Ask Zanzibar for the text.\nThen compare."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert stored(store, ACSA).note == "Ask Zanzibar for the text.\nThen compare."
        text = screen_text(app)
        assert "Your note" in text and "Then compare." in text
        await pilot.press("slash", *"zanzibar", "enter")
        await pilot.pause()
        assert [e.title for e in shown(app)] == [ACSA]


@pytest.mark.slow
async def test_M_then_M_merges_after_a_confirmation(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, IN_FORCE)
        await pilot.press("M")
        await go_to(app, pilot, ACSA)
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(app, pilot)
        assert IN_FORCE not in [e.title for e in store.events()]
        assert len(stored(store, ACSA).sources) == 2
        assert title(app) == ACSA


@pytest.mark.slow
async def test_esc_clears_a_search_first_then_cancels_a_pending_merge(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, IN_FORCE)
        await pilot.press("M", "slash", *keys("ACSA"), "enter", "escape")
        await pilot.pause()
        assert app.pending is not None and not app.view_filter.search
        await pilot.press("escape")
        assert app.pending is None
        await go_to(app, pilot, ACSA)
        await pilot.press("M")  # starts a new merge instead of finishing the cancelled one
        await pilot.pause()
        assert not isinstance(app.screen, Confirm)
        assert app.pending == ("merge", stored(store, ACSA).id, "")


@pytest.mark.slow
async def test_v_moves_a_source_out_or_to_another_entry(store: Store) -> None:
    with store.transaction() as txn:
        curation.merge(txn, stored(store, IN_FORCE).id, stored(store, ACSA).id)
    url = stored(store, ACSA).sources[1].url
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, SourceChoice)
        await pilot.press("down", "n")
        await settle(app, pilot)
        assert [s.url for s in stored(store, ACSA).sources] != [] and url not in [
            s.url for s in stored(store, ACSA).sources
        ]
        [moved] = [e for e in store.events() if e.id.startswith("moved-")]
        assert [s.url for s in moved.sources] == [url]
        assert app.timeline.current.id == moved.id  # the cursor follows the source
        await pilot.press("v", "t")
        await go_to(app, pilot, ACSA)
        await pilot.press("v")
        await settle(app, pilot)
        assert url in [s.url for s in stored(store, ACSA).sources]


@pytest.mark.slow
async def test_every_curation_action_is_in_the_palette_and_the_help(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in (
            "hide the entry",
            "show again what h",
            "edit the entry",
            "add your own entry",
        ):
            assert words in text, words
        await pilot.press("escape")
        await go_to(app, pilot, ACSA)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*keys("Undo hide"))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        # From the palette: hide runs as the key does.
        await pilot.press("ctrl+p", *"Hide", "enter")
        await settle(app, pilot)
        assert stored(store, ACSA).hidden


@pytest.mark.slow
async def test_curation_keys_do_nothing_under_a_form(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "tab", "h", "p")
        await settle(app, pilot)
        assert not stored(store, ACSA).hidden and stored(store, ACSA).milestone


@pytest.mark.slow
async def test_an_edit_from_another_process_while_the_app_edits_keeps_both(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, ACSA)
        from storegen import amity

        done = amity("note", stored(store, ACSA).id, "from cron", db=store.path)
        assert done.returncode == 0
        await pilot.press("p")
        await settle(app, pilot)
        event = stored(store, ACSA)
        assert event.note == "from cron" and not event.milestone


@pytest.mark.slow
async def test_z_mutes_entries_like_this_one(store: Store) -> None:
    from amity.store import Event, Source
    from amity.store.mutes import mute_rules

    look_alike = Event(
        id="feed-000000000001",
        date="2025-09-10",
        title="Italy beat Japan at volleyball in Rome",
        origin="feed",
        sources=(Source(url="https://news.example/volley", title="Volleyball"),),
    )
    store.put_events([look_alike])
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, look_alike.title)
        await pilot.press("z")
        await pilot.pause()
        form = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors() == {"phrase": "must not be empty"}
        await pilot.press(*keys("volleyball"), "ctrl+s")
        await settle(app, pilot)
        assert stored(store, look_alike.title).hidden
        assert [r.phrase for r in mute_rules(store.snapshot().meta)] == ["volleyball"]
        assert look_alike.title not in [e.title for e in shown(app)]
        assert title(app) != look_alike.title


async def test_keys_typed_fast_after_slash_never_run_curation_actions(store: Store) -> None:
    from textual import events

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # A burst, as a terminal delivers a paste or fast typing: all queued before "/" runs.
        for key in ("slash", "h", "p", "e"):
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await settle(app, pilot)
        assert not isinstance(app.screen, EventForm)
        assert not any(e.hidden for e in store.events())
        assert all(not e.edits for e in store.events())
