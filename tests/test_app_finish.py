"""What a new user must be able to see and reach (issue 12): where the cursor and the focus are,
titles given the width, the palette and help telling the truth, the basics at 60×20."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from amity.store import Config, Event, Source, Store
from amity.tui import layout
from amity.tui.app import AmityApp
from amity.tui.help import HelpScreen
from rich.style import Style
from screen import screen_text
from textual.command import CommandPalette
from textual.geometry import Region
from textual.strip import Strip

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
LONG = "Japan and Italy agree to deepen cooperation on semiconductors, space and defence"


def make_app(store: Store) -> AmityApp:
    return AmityApp(store, Config(), clock=lambda: NOW)


def painted(app: AmityApp) -> list[Strip]:
    """The timeline's rows as the terminal receives them: after the app's line filters (NO_COLOR,
    the ANSI theme), which Textual applies as each widget renders its lines."""
    timeline = app.timeline
    return timeline.render_lines(Region(0, 0, *timeline.region.size))


def look(segments: Strip, text: str) -> Style:
    """The style of the segment where `text` starts in a row."""
    at = 0
    line = segments.text
    start = line.index(text)
    for segment in segments:
        if at <= start < at + len(segment.text):
            return segment.style or Style()
        at += len(segment.text)
    raise AssertionError(text)


def row_of(app: AmityApp, text: str) -> Strip:
    for segments in painted(app):
        if text in segments.text:
            return segments
    raise AssertionError(f"{text!r} not on screen")


def differs(a: Style, b: Style) -> bool:
    """Would a person see these two styles as different?"""
    return a.reverse != b.reverse or (a.bgcolor != b.bgcolor and a.bgcolor is not None)


def themes(quick: list[str], rest: list[str]) -> list[object]:
    """Themes to test: `quick` ones in every run, the `rest` only in the full suite (slow)."""
    return [*quick, *(pytest.param(theme, marks=pytest.mark.slow) for theme in rest)]


# A truecolor and an ANSI theme in the quick run; every theme in the full suite.
@pytest.mark.parametrize(
    "theme",
    themes(
        ["textual-dark", "ansi-dark"], ["textual-light", "ansi-light", "nord", "solarized-light"]
    ),
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
        assert "▶  ◆ 2025-11-05" in cursor.text  # a mark even without colour
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


@pytest.mark.slow
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


@pytest.mark.slow
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


def feed_event(n: int, **changes) -> Event:
    values = {
        "id": f"feed-{n}",
        "date": f"2026-01-2{n}",
        "title": f"Wire report {n} from Rome",
        "kind": "news",
        "origin": "feed",
        "topics": ("diplomacy",),
        "sources": tuple(
            Source(
                url=f"https://wire.example/{n}/{k}?utm=long-tracking-parameter-{k}",
                title=f"Report {n}.{k}",
                publisher="ANSA" if k == 1 else "Kyodo",
                published="2026-01-20T09:30:00Z",
            )
            for k in (1, 2)
        ),
    }
    return Event(**{**values, **changes})


@pytest.mark.slow
async def test_origin_is_marked_and_filterable_and_certainty_only_where_it_means_something(
    store: Store,
) -> None:
    store.put_events([feed_event(1), Event(id="mine", date="2026-01-25", title="My own note")])
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        text = screen_text(app)
        assert "» 2026-01-21  Wire report 1" in text  # from a feed
        assert "✎ 2026-01-25  My own note" in text  # yours
        assert "★◆ 2026-01-16  Special Strategic" in text  # curated
        await pilot.press("home", "j")  # the feed event's detail: no "verified", no "news"
        detail = screen_text(app).split("▔▔▔", 1)[-1]
        assert "» from a feed" in detail
        assert "verified" not in detail and "news  ·" not in detail
        await pilot.press("f", *"origin: from a feed")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert {e.origin for e in shown_events(app)} == {"feed"}
        assert "filtered: from a feed" in screen_text(app)
        await pilot.press("x", "f", *"kind: anniversary")  # feed events are news: none left
        await pilot.pause(0.3)
        await pilot.press("enter", "f", *"origin: from a feed")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert "f changes the kind, origin and outlet filters; x clears every filter." in (
            screen_text(app)
        )
        await pilot.press("x")
        assert len(shown_events(app)) == len(app.index)


def shown_events(app: AmityApp) -> list[Event]:
    return [app.index.event(p) for p in app.view.rows if p >= 0]


async def test_new_events_counted_n_jumps_c_marks_seen_and_new_sources_count(
    store: Store, tmp_path: Path
) -> None:
    from amity.tui.visits import Visits, save_visits, visit_path

    store.put_events([feed_event(1), feed_event(2)])
    # The last visit saw feed-1 with one source (it has two now) and feed-2 with both.
    state = visit_path(store.path)
    save_visits(state, Visits("2999-01-01T00:00:00Z", set(), {"feed-1": 1, "feed-2": 2}))
    later = "2999-06-01T00:00:00Z"  # added after that visit
    store.put_events([Event(id="fresh", date="2020-01-26", title="Fresh talks", added=later)])
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "2 new (n)" in header  # "fresh" (arrived) and feed-1 (a new source)
        assert "+ » 2026-01-21  Wire report 1" in screen_text(app)  # + new sources
        await pilot.press("n")
        assert app.timeline.current.id in {"fresh", "feed-1"}
        await pilot.press("c")
        await pilot.pause()
        assert app.new_count == 0
        assert "new (n)" not in screen_text(app).splitlines()[0]


@pytest.mark.slow
async def test_any_numbered_source_opens_urls_copy_unbroken_dates_readable(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    store.put_events([feed_event(1, date="2030-01-01")])
    app = make_app(store)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("enter", "2")  # in the detail, 2 opens the second source
        assert opened == ["https://wire.example/1/2?utm=long-tracking-parameter-2"]
        text = screen_text(app)
        assert "20 Jan 2026 09:30 UTC" in text  # a readable publication date
        assert "1 January 2030" in text
        url_lines = [line for line in text.splitlines() if "wire.example/1/1" in line]
        assert len(url_lines) == 1 and "tracking-parameter-1" in url_lines[0]  # not wrapped
        await pilot.press("escape", "y")  # two sources: which one?
        await pilot.pause(0.3)
        assert CommandPalette.is_open(app)
        await pilot.press(*"2. Report", "enter")
        await pilot.pause()
        assert app.clipboard == "https://wire.example/1/2?utm=long-tracking-parameter-2"


@pytest.mark.slow
async def test_filters_by_kind_outlet_and_date_jump(store: Store) -> None:
    store.put_events([feed_event(1)])
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", *"kind: summit")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert {e.kind for e in shown_events(app)} == {"summit"}
        await pilot.press("x", "f", *"outlet: ansa")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        events = shown_events(app)
        assert "feed-1" in {e.id for e in events}
        assert all(any(s.publisher == "ANSA" for s in e.sources) for e in events)
        await pilot.press("x", "d", *"2024-06", "enter")
        await pilot.pause()
        assert app.timeline.current.date.startswith("2024-06")
        await pilot.press("d", *"2024-13", "enter")  # not a month: said at the field
        await pilot.pause()
        assert "not a real date" in screen_text(app) or "expected" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("d", *"1700", "enter")  # nothing then: the nearest after it
        await pilot.pause()
        assert app.timeline.current.date == "1585"


async def test_search_matches_word_starts_lights_them_and_n_moves(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"rom", "enter")
        titles = [e.title for e in shown_events(app)]
        assert titles and all("rom" in (e.title + e.summary).lower() for e in shown_events(app))
        assert not any(
            "from" in e.summary.lower() and "rom" not in e.summary.lower().replace("from", "")
            for e in shown_events(app)
        )
        first = app.timeline.current.id
        await pilot.press("n")
        assert app.timeline.current.id != first  # n: the next match
        await pilot.press("N")
        assert app.timeline.current.id == first
        row = row_of(app, "Rome")
        assert look(row, "Rome").reverse  # lit


def test_cli_search_uses_the_same_word_start_rule(tmp_path: Path) -> None:
    from amity.store import Filter
    from amity.store.index import select

    events = [
        Event(id="a", date="2024", title="Talks in Rome"),
        Event(id="b", date="2024", title="Report from Tokyo"),
        Event(id="c", date="2024", title="東京での会談"),
    ]
    assert [e.id for e in select(events, Filter(search="rom"))] == ["a"]
    assert [e.id for e in select(events, Filter(search="会談"))] == ["c"]


def contrast(fg, bg) -> float:
    def luminance(color) -> float:
        def channel(v: int) -> float:
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = color.triplet
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    high, low = sorted([luminance(fg), luminance(bg)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    "theme", themes(["textual-dark", "textual-light"], ["nord", "gruvbox", "dracula"])
)
async def test_topic_tags_are_readable(store: Store, theme: str) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await pilot.pause()
        style = look(row_of(app, "Meloni–Takaichi first phone call"), "dipl")
        assert contrast(style.color, style.bgcolor) >= 4.5


async def test_density_strip_is_a_time_axis_with_the_cursor_year(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("G")  # the oldest entry, 1585
        await pilot.pause()
        lines = screen_text(app).splitlines()
        axis = next(line for line in lines if "┴1700" in line)
        assert "▲1585" in axis and "┴1800" in axis and "┴1900" in axis
        bars = lines[lines.index(axis) - 1]
        start = axis.index("┴1700")
        # the 18th century had fewer events than the 20th: the axis is time, not event years
        assert bars[axis.index("▲1585")] != " "
        assert bars[start : axis.index("┴1800")].count(" ") > 0
        await pilot.press("g")
        await pilot.pause()
        assert "2026▲" in screen_text(app) or "▲2026" in screen_text(app)


async def test_theme_chosen_is_kept_for_next_time(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    app.record_visit()
    again = make_app(store)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_feed_title_whose_escape_a_parser_dropped_shows_no_residue(store: Store) -> None:
    from amity.feeds.parse import parse_feed

    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        b"<title>Japan and Italy \x1b[31mred\x1b[0m talks</title>"
        b"<link>https://x.example/a</link></item></channel></rss>"
    )
    (article,) = parse_feed(body, "https://x.example/").articles
    assert article.title == "Japan and Italy red talks"


def test_only_the_detail_title_is_bold() -> None:
    from amity.tui.detail import describe

    event = Event(id="e", date="2024-06-14", title="Action Plan", summary="A plan for 2024–2027.")
    text = describe(event, Config().topics)
    summary = text.plain.index("A plan")
    assert not any(span.style == "bold" and span.start <= summary < span.end for span in text.spans)
    assert not text.style  # no base style that would cover every line
