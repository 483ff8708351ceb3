"""Hostile feeds cost bounded work and fail alone: odd headers, huge feeds, huge fields.

Against a real HTTP server on 127.0.0.1 (tests/feedserver.py). Resource tests count entries,
bytes and characters, never time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib

import pytest
from amity.feeds import refresh
from amity.feeds.articles import html_to_text
from amity.feeds.cluster import Timeline
from amity.feeds.parse import MAX_ENTRIES, first_entries
from amity.feeds.politeness import retry_after
from amity.store import Event, Store, clean_text
from amity.store.text import ERROR_CHARS, NAME_CHARS, URL_CHARS
from feedserver import feed_events, feeds_by_url, item, relevant_item, rss, short_config, store_with

NOW = dt.datetime(2026, 1, 16, tzinfo=dt.UTC)
# The refresh's parts (the worker reads the bodies, decide builds the Timeline), as modules.
worker_module = importlib.import_module("amity.feeds.worker")
decide_module = importlib.import_module("amity.feeds.decide")


@pytest.mark.parametrize(
    "value",
    ["²", "①", "٣", "9" * 5000, "1e9", "-5", "Mon, 99 Foo 99999 99:99:99 GMT", "x" * 100_000],
)
def test_any_retry_after_value_is_a_hint_or_nothing(value):
    hint = retry_after(value, NOW)
    assert hint is None or hint >= 0


@pytest.mark.parametrize("status", [429, 503])
async def test_a_non_ascii_retry_after_is_that_feeds_error_and_the_rest_is_saved(
    server, tmp_path, status
):
    good = server.serve("/good", rss(relevant_item(1)))
    odd = server.serve("/odd", b"slow down", status, Retry_After="²")
    store = store_with(tmp_path / "db.json", [good, odd])

    report = await refresh(store, short_config())

    results = {r.url: r for r in report.feeds}
    assert results[good].status == "ok" and results[good].new == 1
    assert results[odd].status == "error" and f"HTTP {status}" in results[odd].error
    feeds = feeds_by_url(store)
    # The feed's state is recorded, so the next cron refresh does not trip over it again.
    assert feeds[odd].failures == 1 and feeds[odd].next_check is not None
    assert feeds[good].status == "ok"


def same_day_item(n: int) -> str:
    return item(
        f"Japan and Italy sign pact number {n}",
        f"https://flood.example/{n}",
        "Fri, 16 Jan 2026 10:00:00 +0900",
        f"Italian and Japanese officials sign pact {n}.",
    )


async def test_a_feed_of_thousands_of_entries_keeps_a_bounded_number(server, tmp_path):
    flood = server.serve("/flood", rss(*(same_day_item(n) for n in range(3 * MAX_ENTRIES))))
    store = store_with(tmp_path / "db.json", [flood])

    report = await refresh(store, short_config())

    assert report.feeds[0].status == "ok"
    assert report.new_articles == MAX_ENTRIES  # the first ones, in the feed's order
    assert 0 < len(feed_events(store)) <= MAX_ENTRIES


async def test_a_huge_channel_title_is_capped_and_cleaned_everywhere_it_is_copied(server, tmp_path):
    title = "\x9b2JEvil \u202e" + "wide " * 200_000  # 1 MB; XML cannot carry ESC, but C1 CSI
    items = [relevant_item(n) for n in range(100)]
    url = server.serve("/wide", rss(*items, title=title))
    store = store_with(tmp_path / "db.json", [url])
    size_before = store.path.stat().st_size

    report = await refresh(store, short_config())

    assert report.feeds[0].status == "ok" and report.new_articles == 100
    snapshot = store.snapshot()
    [feed] = snapshot.feeds
    assert feed.title.startswith("Evil wide") and len(feed.title) <= NAME_CHARS
    publishers = {s.publisher for e in snapshot.events for s in e.sources if e.origin == "feed"}
    assert publishers == {feed.title}
    # A hundred articles of a few hundred bytes each, not a hundred copies of the title.
    assert store.path.stat().st_size - size_before < 200_000


async def test_fields_built_to_defeat_html_stripping_become_plain_text(server, tmp_path):
    hostile = [
        "&lt;script&gt;" * 2500,
        "&lt;style " * 2500,
        "&lt;" * 20_000,
        "&lt;a " * 7000,
        "&lt;template&gt;&lt;/b" * 1000,
    ]
    items = [
        item(f"Japan Italy hostile {n} {field[:40]}", f"https://h.example/{n}", summary=field)
        for n, field in enumerate(hostile * 50)
    ]
    url = server.serve("/hostile", rss(*items))
    report = await refresh(store_with(tmp_path / "db.json", [url]), short_config())
    assert report.feeds[0].status == "ok" and report.new_articles == len(items)


@pytest.mark.parametrize(
    "text",
    [
        "<script>x" + "<script>" * 2500,
        "<style " * 2500 + "</style>visible",
        "<" * 20_000 + "visible",
        "<a " * 7000 + ">visible",
    ],
    ids=["unclosed-scripts", "unclosed-styles", "lone-brackets", "unclosed-tags"],
)
def test_html_stripping_drops_markup_and_keeps_text(text):
    stripped = html_to_text(text)
    assert "script" not in stripped and "style" not in stripped
    assert "visible" in stripped or not stripped.replace("<", "").strip()


async def test_overlong_links_and_guids_are_not_stored(server, tmp_path):
    long_link = "https://l.example/" + "a" * URL_CHARS
    items = [
        item("Japan Italy long link", long_link),
        "<title>Japan Italy long guid</title><link>https://l.example/ok</link>"
        f"<guid isPermaLink='false'>{'g' * 1_000_000}</guid>",
    ]
    url = server.serve("/links", rss(*items))
    store = store_with(tmp_path / "db.json", [url])
    report = await refresh(store, short_config())
    assert report.feeds[0].status == "ok" and report.new_articles == 1
    assert store.path.stat().st_size < 100_000


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti',
        rss(relevant_item(1), relevant_item(2))[:-30],
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><title>Jap",
    ],
    ids=["in-title", "mid-items", "atom"],
)
async def test_a_truncated_document_is_that_feeds_error(server, tmp_path, body):
    cut = server.serve("/cut", body)
    good = server.serve("/good", rss(relevant_item(3)) + b"<!-- served by a host -->\n")
    store = store_with(tmp_path / "db.json", [cut, good])
    report = await refresh(store, short_config())
    results = {r.url: r for r in report.feeds}
    assert results[cut].status == "error" and "cut off" in results[cut].error
    assert results[good].status == "ok" and results[good].new == 1


async def test_what_a_server_says_about_itself_is_capped_and_cleaned(server, tmp_path):
    async def loud(_request, writer) -> None:
        writer.write(
            b"HTTP/1.1 500 \x9b2J" + b"Oops " * 5000 + b"\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n"
        )

    body = rss(relevant_item(1))
    tagged = server.serve("/tagged", body, ETag='"' + "e" * 8000 + '"', Last_Modified="\x9b")
    failing = server.handle("/loud", loud)
    store = store_with(tmp_path / "db.json", [tagged, failing])
    await refresh(store, short_config())
    feeds = feeds_by_url(store)
    assert feeds[tagged].etag is None and feeds[tagged].last_modified is None
    error = feeds[failing].error
    assert error.startswith("HTTP 500") and "Oops" in error and len(error) <= ERROR_CHARS
    assert clean_text(error) == error


@pytest.mark.slow
async def test_the_deadline_holds_for_the_whole_refresh(server, tmp_path):
    async def hang(_request, _writer) -> None:
        await asyncio.Event().wait()

    # One at a time: the first times out on its own at the deadline; the second started then
    # and is cut by the refresh's deadline (plus its grace); the third never had its turn.
    urls = [server.handle(f"/hang{n}", hang) for n in range(3)]
    good = server.serve("/good", rss(relevant_item(1)))
    store = store_with(tmp_path / "db.json", [good, *urls])

    report = await refresh(store, short_config(deadline=2.0, concurrency=1))

    results = {r.url: r for r in report.feeds}
    assert results[good].status == "ok"
    assert all(results[u].status == "error" and "timed out" in results[u].error for u in urls)
    assert sum(len(server.hits(f"/hang{n}")) for n in range(3)) == 2
    feeds = feeds_by_url(store)
    assert feeds[urls[0]].failures == 1  # its own timeout counts against it
    # Cut short by the refresh, not by their own fault: no backoff, tried again next time.
    assert feeds[urls[1]].failures == 0 and feeds[urls[2]].failures == 0
    assert "deadline" in feeds[urls[2]].error


async def test_clustering_is_worked_out_before_the_writer_lock(server, tmp_path, monkeypatch):
    url = server.serve("/feed", rss(*(relevant_item(n) for n in range(20))))
    store = store_with(tmp_path / "db.json", [url])
    built_while_locked = []

    class Spy(Timeline):
        def __post_init__(self) -> None:
            built_while_locked.append(store._lock.is_locked)
            super().__post_init__()

    monkeypatch.setattr(decide_module, "Timeline", Spy)
    report = await refresh(store, short_config())
    assert report.new_articles == 20
    assert built_while_locked == [False]


async def test_a_write_by_another_process_while_clustering_is_kept(server, tmp_path, monkeypatch):
    url = server.serve("/feed", rss(*(relevant_item(n) for n in range(5))))
    store = store_with(tmp_path / "db.json", [url])
    other = Store(store.path)
    mine = Event(id="mine", date="2026-01-01", title="My own entry")

    class Meddler(Timeline):
        def __post_init__(self) -> None:
            if not other.snapshot().meta.get("meddled"):
                with other.transaction() as txn:  # lands between the read and the lock
                    txn.put_events([mine])
                    txn.update_meta(meddled=True)
            super().__post_init__()

    monkeypatch.setattr(decide_module, "Timeline", Meddler)
    report = await refresh(store, short_config())
    events = {e.id for e in store.snapshot().events}
    assert report.new_articles == 5 and "mine" in events
    assert sum(e.startswith("feed-") for e in events) == 5


async def test_a_deeply_nested_json_feed_is_a_clear_error_in_words(server, tmp_path):
    deep = b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    url = server.serve("/deep", deep, Content_Type="application/feed+json")
    report = await refresh(store_with(tmp_path / "db.json", [url]), short_config())
    assert report.feeds[0].status == "error"
    assert report.feeds[0].error == "not valid JSON (nested too deeply)"


def test_entries_past_the_cap_are_cut_before_the_parser_sees_them():
    body = rss(*(relevant_item(n) for n in range(MAX_ENTRIES * 3)))
    kept = first_entries(body, MAX_ENTRIES)
    assert kept.count(b"<item>") == MAX_ENTRIES and len(kept) < len(body) / 2
    assert kept.endswith(b"</channel></rss>")
    assert first_entries(rss(relevant_item(1)), MAX_ENTRIES) == rss(relevant_item(1))


async def test_a_cancelled_refresh_drops_parses_still_queued(server, tmp_path, monkeypatch):
    import threading

    paths = [f"/feed{n}" for n in range(5)]
    urls = [server.serve(p, rss(relevant_item(n))) for n, p in enumerate(paths)]
    store = store_with(tmp_path / "db.json", urls)
    parsing, release, parsed = threading.Event(), threading.Event(), []
    read = worker_module._read

    def slow_read(fetched, *args):  # the first parse is under way when the signal comes
        parsed.append(fetched.url)
        parsing.set()
        release.wait(30)
        return read(fetched, *args)

    monkeypatch.setattr(worker_module, "_read", slow_read)
    task = asyncio.create_task(refresh(store, short_config(deadline=30.0, per_host=8)))
    async with asyncio.timeout(30):  # a guard against a hang, not a measurement
        while not (parsing.is_set() and all(server.hits(p) for p in paths)):
            await asyncio.sleep(0.01)
    for _ in range(200):  # loop turns: the other bodies are read and queued for parsing
        await asyncio.sleep(0)
    task.cancel()  # what Ctrl-C and SIGTERM do
    for _ in range(200):  # loop turns: every feed's task takes the cancel while parse 1 runs
        await asyncio.sleep(0)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The parse under way finished and was saved; the queued ones never ran.
    assert parsed == parsed[:1]
    statuses = sorted(f.status for f in store.snapshot().feeds)
    assert statuses == ["new", "new", "new", "new", "ok"]


async def test_a_cancel_keeps_a_feed_whose_parse_waited_only_for_the_parser_to_load(
    server, tmp_path, monkeypatch
):
    # The parser loads in the parse thread beside the first downloads; on a busy machine a
    # feed can finish downloading before it has loaded. Ctrl-C then must not drop that feed.
    import threading

    url = server.serve("/fast", rss(relevant_item(1)))
    store = store_with(tmp_path / "db.json", [url])
    loading, release = threading.Event(), threading.Event()
    load = worker_module.load_parser

    def slow_load():
        loading.set()
        release.wait(30)
        return load()

    monkeypatch.setattr(worker_module, "load_parser", slow_load)
    task = asyncio.create_task(refresh(store, short_config(deadline=30.0)))
    async with asyncio.timeout(30):  # a guard against a hang, not a measurement
        while not (loading.is_set() and server.hits("/fast")):
            await asyncio.sleep(0.01)
    for _ in range(200):  # loop turns: the body is read and queued behind the loading
        await asyncio.sleep(0)
    task.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [f.status for f in store.snapshot().feeds] == ["ok"]
    assert any(e.origin == "feed" for e in store.events())
