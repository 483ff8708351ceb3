"""`r` in the app: the same refresh as `amity refresh`, against a real local HTTP server, with
the store's feeds replaced by it; the timeline keeps its cursor and marks what came in."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from pathlib import Path

import pytest
from amity.store import Config, Feed, Store
from amity.tui.app import AmityApp
from amity.tui.feeds_screen import FeedsScreen, feeds_table
from feedserver import FeedServer, Request, feeds_by_url, store_with
from rich.console import Console
from screen import screen_lines, screen_text

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>http://wire.example/</link>
<description>News</description>
<item>
  <title>Japan and Italy sign a space research agreement in Rome</title>
  <link>http://wire.example/japan-italy-space</link>
  <description>Tokyo and Rome agree on JAXA and ASI satellite cooperation.</description>
  <pubDate>Fri, 30 Jan 2026 09:00:00 GMT</pubDate>
  <guid>http://wire.example/japan-italy-space</guid>
</item>
<item>
  <title>Local weather: rain tomorrow</title>
  <link>http://wire.example/weather</link>
  <description>Nothing about either country.</description>
  <pubDate>Fri, 30 Jan 2026 10:00:00 GMT</pubDate>
</item>
</channel></rss>"""


@pytest.fixture
def store(tmp_path: Path, threaded_server: FeedServer) -> Store:
    threaded_server.serve("/feed.xml", RSS)
    threaded_server.serve("/broken.xml", b"nope", 500)
    store = Store.open(tmp_path / "amity.json")
    with store.transaction() as txn:
        for url in list(txn.feeds()):
            txn.remove_feed(url)
        txn.put_feeds(
            [
                Feed(threaded_server.url("/feed.xml"), "Wire"),
                Feed(threaded_server.url("/broken.xml")),
            ]
        )
    return store


async def test_r_refreshes_in_place_keeps_cursor_and_marks_new(store: Store) -> None:
    config = Config()
    app = AmityApp(store, config, clock=lambda: dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    messages: list[str] = []
    notify = app.notify  # the public hook every notification goes through
    app.notify = lambda message, **kwargs: messages.append(message) or notify(message, **kwargs)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "j")
        kept = app.timeline.current.id
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.refreshing
        assert "1 new, 1 failed; F shows why" in messages
        assert app.timeline.current.id == kept
        titles = [e.title for e in app.index.events(range(len(app.index)))]
        assert any("space research agreement" in t for t in titles)
        assert not any("weather" in t for t in titles)
        fresh = next(
            e for e in app.index.events(range(len(app.index))) if "space research" in e.title
        )
        assert app.is_new(fresh)
        await pilot.press("g")
        text = screen_text(app)
        assert "57 events" in text
        assert "refreshed just now · 1 feed failing (F)" in text
        assert "Japan and Italy sign a space" in text
        await pilot.press("F")  # the feeds screen says which failed and why
        await pilot.pause()
        text = screen_text(app)
        assert "error" in text and "500" in text and "Wire" in text and "just now" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, FeedsScreen)


async def test_a_refresh_where_every_feed_failed_says_so(
    store: Store, threaded_server: FeedServer
) -> None:
    with store.transaction() as txn:
        txn.remove_feed(threaded_server.url("/feed.xml"))
    app = AmityApp(store, Config(), clock=lambda: dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        header = screen_lines(app)[0]
        assert "last refresh failed (1 feed; F)" in header
        assert "refreshed just now" not in header


async def test_quitting_during_a_refresh_keeps_what_finished_and_does_not_wait(
    tmp_path: Path, threaded_server: FeedServer
) -> None:
    async def never(_request: Request, _writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()  # the slow feed never answers

    fast = threaded_server.serve("/feed.xml", RSS)
    slow = threaded_server.handle("/slow.xml", never)
    store = store_with(tmp_path / "amity.json", [])
    with store.transaction() as txn:
        txn.put_feeds([Feed(fast, "Wire"), Feed(slow, "Slow")])
    app = AmityApp(store, Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        for _ in range(1000):  # until the fast feed is in; the slow one never answers
            if app.progress == (1, 2):
                break
            await pilot.pause()
        await pilot.pause()
        header = screen_lines(app)[0]
        assert "refreshing 1/2 feeds ▰▰▰▰▰▱▱▱▱▱" in header  # progress where it is seen
        await pilot.press("q")
    # Joins the refresh thread: without the cancellation it would wait for the slow feed.
    await asyncio.get_running_loop().shutdown_default_executor()
    assert threaded_server.hits("/slow.xml")  # asked, and never answered
    feeds = feeds_by_url(store)
    assert feeds[fast].status == "ok"  # the finished feed was saved
    assert feeds[slow].last_checked is None
    assert any("space research" in e.title for e in store.snapshot().events)


async def test_r_while_another_program_holds_the_store_reports_and_carries_on(
    store: Store,
) -> None:
    import filelock

    locked = Store(store.path, lock_timeout=0.3)
    app = AmityApp(locked, Config(), clock=lambda: dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kwargs: messages.append(message) or notify(message, **kwargs)
    # Held by something that shows no sign of life (not an amity writer): the wait ends.
    with filelock.FileLock(str(store.path) + ".lock"):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and app.store_error is None and not app.refreshing
            assert any("another amity process is writing" in m for m in messages), messages
            await pilot.press("j")  # still browsing


async def test_polls_during_a_slow_reload_wait_for_it_instead_of_cancelling_it(
    store: Store,
) -> None:

    from amity.store import Event

    app = AmityApp(store, Config(), clock=lambda: dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    gate, loads = threading.Event(), []
    load = app._load

    def slow_load():  # a reload of 100k events takes longer than the 2 s poll interval
        loads.append(1)
        gate.wait(30)
        return load()

    app._load = slow_load
    async with app.run_test(size=(120, 40)) as pilot:
        Store(store.path).put_events([Event(id="outside", date="2026-01-20", title="Outside")])
        for _ in range(3):  # the first poll starts the reload; the next two come while it runs
            app.check_store()
            await pilot.pause()
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(loads) == 1
        assert "outside" in app.index.position_of


def test_feeds_screen_writes_times_as_the_detail_pane_does() -> None:
    # Near: how long ago or until; two days away or more: the moment, as sources show theirs.
    now = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    feed = Feed(
        url="https://a.example/rss",
        status="ok",
        last_ok="2026-01-16T09:00:00Z",
        next_check="2026-02-01T12:20:00Z",
    )
    console = Console(width=120, record=True)
    console.print(feeds_table([feed], now))
    text = console.export_text()
    assert "16 Jan 2026 09:00 UTC" in text and "in 20 min" in text


def test_the_header_writes_its_refresh_time_as_the_feeds_screen_does() -> None:
    # One way of writing a time: near, how long ago; two days or more, the moment itself. A
    # time ahead of this machine's clock (another machine refreshed) reads as just now.
    from amity.tui.header import ago

    now = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    assert ago(None, now) == "never refreshed"
    assert ago("2026-02-01T11:55:00Z", now) == "refreshed 5 min ago"
    assert ago("2026-02-01T12:05:00Z", now) == "refreshed just now"
    assert ago("2026-01-31T09:00:00Z", now) == "refreshed 27 h ago"
    assert ago("2026-01-16T09:00:00Z", now) == "refreshed 16 Jan 2026 09:00 UTC"
