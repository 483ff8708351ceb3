"""What a refresh does with feeds that work: conditional GET, politeness, identity, clustering,
parallelism and caps, cancellation. A real HTTP server on 127.0.0.1 in every test."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import socket
import sys
import zlib

import pytest
from amity.feeds import refresh
from amity.feeds.cluster import event_id_for
from amity.store import Store, parse_iso
from feedserver import (
    FeedServer,
    Gate,
    fast_and_stuck,
    feed_events,
    feeds_by_url,
    item,
    relevant_item,
    response,
    rss,
    short_config,
    store_with,
)


def articles(store: Store) -> dict:
    with store.transaction() as txn:
        return txn.articles()


def in_hours(value: str | None) -> float:
    return (parse_iso(value) - dt.datetime.now(dt.UTC)).total_seconds() / 3600


async def test_conditional_get_and_304_write_nothing(server, tmp_path):
    body = rss(relevant_item(1))

    async def conditional(request, writer):
        if request.headers.get("if-none-match") == '"v1"':
            writer.write(response(304, headers={"ETag": '"v1"'}))
        else:
            writer.write(response(200, body, {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024"}))

    url = server.handle("/feed", conditional)
    store = store_with(tmp_path / "db.json", [url])
    first = await refresh(store, short_config())
    assert first.feeds[0].status == "ok" and first.new_articles == 1
    assert store.snapshot().last_refresh
    signature = store.signature()

    second = await refresh(store, short_config())

    assert second.feeds[0].status == "not-modified" and second.failed == 0
    assert server.hits("/feed")[-1].headers["if-modified-since"] == "Mon, 01 Jan 2024"
    assert store.signature() == signature  # not a byte written: the app does not even reload


async def test_a_200_with_the_same_etag_is_not_modified(server, tmp_path):
    url = server.serve("/feed", rss(relevant_item(1)), ETag='"same"')
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    signature = store.signature()
    report = await refresh(store, short_config())
    assert report.feeds[0].status == "not-modified"
    assert store.signature() == signature


async def test_refetch_never_duplicates_and_a_changed_article_updates_its_event(server, tmp_path):
    url = server.serve("/feed", rss(relevant_item(1), relevant_item(2)))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    before = {e.id: e for e in feed_events(store)}
    again = await refresh(store, short_config())
    assert again.feeds[0].new == 0 and again.new_events == 0
    assert {e.id: e for e in feed_events(store)} == before

    changed = relevant_item(2).replace("2 news</title>", "2 news (corrected)</title>")
    server.serve("/feed", rss(relevant_item(1), changed))
    report = await refresh(store, short_config())

    assert (report.feeds[0].new, report.feeds[0].updated, report.new_events) == (0, 1, 0)
    events = {e.id: e for e in feed_events(store)}
    assert events.keys() == before.keys()
    assert "Japan and Italy volcano2 2 news (corrected)" in {e.title for e in events.values()}
    assert len(articles(store)) == 2


async def test_the_same_article_in_two_feeds_is_one_article(server, tmp_path):
    story = "Japan and Italy open a joint observatory"
    a = server.serve("/a", rss(item(story, "https://n.example/obs?utm_source=a")))
    b = server.serve("/b", rss(item(story, "https://N.example/obs?utm_medium=b#top")))
    store = store_with(tmp_path / "db.json", [a, b])
    report = await refresh(store, short_config())
    assert report.new_articles == 1 and report.new_events == 1
    (record,) = articles(store).values()
    assert sorted(record["feeds"]) == sorted([a, b])
    (event,) = feed_events(store)
    assert [s.url for s in event.sources] == ["https://n.example/obs"]


async def test_an_article_two_feeds_summarise_differently_does_not_flip_flop(server, tmp_path):
    story, link = "Japan and Italy open a joint observatory", "https://n.example/obs"
    a = server.serve("/a", rss(item(story, link, summary="Outlet A: a short note.")))
    b = server.serve("/b", rss(item(story, link + "?utm_source=b", summary="Outlet B: more.")))
    store = store_with(tmp_path / "db.json", [a, b])
    first = await refresh(store, short_config())
    assert first.new_articles == 1 and first.new_events == 1
    (event,) = feed_events(store)
    assert event.summary == "Outlet A: a short note."  # the first feed's words
    signature = store.signature()

    for _ in range(2):  # both servers answer 200 with the same bodies (no validators)
        again = await refresh(store, short_config())
        assert [(r.status, r.new, r.updated) for r in again.feeds] == [("ok", 0, 0)] * 2
        assert store.signature() == signature  # nothing changed, so not a byte written

    # A real change in either feed still updates the article and its event, once.
    server.serve("/b", rss(item(story, link, summary="Outlet B: corrected.")))
    changed = await refresh(store, short_config())
    assert [r.updated for r in changed.feeds] == [0, 1]
    (event,) = feed_events(store)
    assert event.summary == "Outlet B: corrected."
    signature = store.signature()
    settled = await refresh(store, short_config())
    assert [r.updated for r in settled.feeds] == [0, 0] and store.signature() == signature


async def test_gzip_and_deflate_bodies_are_read(server, tmp_path):
    def raw_deflate(data: bytes) -> bytes:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return packer.compress(data) + packer.flush()

    encodings = {
        "gzip": gzip.compress,
        "x-gzip": gzip.compress,
        "deflate": zlib.compress,  # as the spec says: zlib-wrapped
        "Deflate": raw_deflate,  # as some servers send it
    }
    urls = [
        server.serve(f"/{n}", pack(rss(relevant_item(n))), Content_Encoding=name)
        for n, (name, pack) in enumerate(encodings.items())
    ]
    store = store_with(tmp_path / "db.json", urls)
    report = await refresh(store, short_config())
    assert [(r.status, r.new) for r in report.feeds] == [("ok", 1)] * 4


async def test_irrelevant_articles_are_not_kept(server, tmp_path):
    url = server.serve("/feed", rss(item("Tokyo weather: sunny", "https://n.example/w")))
    store = store_with(tmp_path / "db.json", [url])
    report = await refresh(store, short_config())
    assert report.feeds[0].status == "ok" and report.new_articles == 0
    assert articles(store) == {} and feed_events(store) == []


async def test_three_outlets_on_one_happening_make_one_event(server, tmp_path):
    day = "Tue, 10 Mar 2026 0{}:00:00 +0000"
    outlets = [
        item(
            "Japan and Italy launch joint lunar rover programme",
            "https://one.example/rover",
            day.format(8),
            "The Japanese and Italian space agencies will build a lunar rover together.",
        ),
        item(
            "Italy, Japan agree on lunar rover programme",
            "https://two.example/rover",
            day.format(9),
            "JAXA and ASI sign up to a joint rover for the Moon.",
        ),
        item(
            "Tokyo and Rome team up on a Moon rover",
            "https://three.example/rover",
            day.format(7),
            "A lunar rover programme was launched by Japan and Italy.",
        ),
    ]
    other = item(
        "Italian navy frigate makes port call in Tokyo",
        "https://two.example/frigate",
        day.format(9),
        "The Japanese navy welcomed the frigate.",
    )
    urls = [server.serve("/one", rss(outlets[0])), server.serve("/two", rss(outlets[1], other))]
    urls.append(server.serve("/three", rss(outlets[2])))
    store = store_with(tmp_path / "db.json", urls)

    report = await refresh(store, short_config())

    assert report.new_articles == 4 and report.new_events == 2
    by_title = {len(e.sources): e for e in feed_events(store)}
    rover = by_title[3]
    assert {s.url for s in rover.sources} == {
        "https://one.example/rover",
        "https://two.example/rover",
        "https://three.example/rover",
    }
    assert "space-science" in rover.topics
    assert by_title[1].kind == "deployment"


async def test_an_article_about_a_curated_milestone_becomes_its_source(server, tmp_path):
    url = server.serve(
        "/feed",
        rss(
            item(
                "Japan-Italy ACSA enters into force",
                "https://mod.example/acsa",
                "Fri, 05 Sep 2025 10:00:00 +0900",
                "The acquisition and cross-servicing agreement of Japan and Italy takes effect.",
            )
        ),
    )
    store = store_with(tmp_path / "db.json", [url])
    report = await refresh(store, short_config())
    assert report.new_articles == 1 and report.new_events == 0
    acsa = {e.id: e for e in store.snapshot().events}["jp-it-2025-09-05-acsa-in-force"]
    assert acsa.origin == "curated" and acsa.milestone
    assert acsa.sources[-1].url == "https://mod.example/acsa"
    assert acsa.title == "ACSA in force"  # curated wording is kept
    assert feed_events(store) == []


async def test_seed_case_makes_a_summit_event_with_five_topics(server, tmp_path):
    store = store_with(tmp_path / "db.json", [])
    with store.transaction() as txn:  # the curated entry is deleted: the feed must make its own
        txn.remove_events(["jp-it-2026-01-16-special-strategic-partnership"])
    url = server.serve(
        "/feed",
        rss(
            item(
                "Takaichi and Meloni hold summit in Tokyo",
                "https://n.example/summit",
                "Fri, 16 Jan 2026 18:00:00 +0900",
                # Two words of defence: "security" inside "economic security" is not one.
                "The leaders raised ties to a special strategic partnership, with defense "
                "cooperation on GCAP, economic security, a space dialogue and a free and open "
                "Indo-Pacific.",
            )
        ),
    )
    with store.transaction() as txn:
        from amity.store import Feed

        txn.put_feeds([Feed(url)])
    await refresh(store, short_config())
    (event,) = feed_events(store)
    (article_id,) = articles(store)
    assert event.id == event_id_for(article_id)
    assert (event.date, event.kind, event.milestone, event.countries) == (
        "2026-01-16",
        "summit",
        False,
        ("IT", "JP"),
    )
    assert event.topics == (
        "diplomacy",
        "defense",
        "economic-security",
        "space-science",
        "indo-pacific",
    )


async def test_undated_article_keeps_its_first_seen_time(server, tmp_path):
    story = "Japan and Italy undated story"
    url = server.serve("/feed", rss(item(story, "https://n.example/u", None)))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    (key,) = articles(store)
    with store.transaction() as txn:  # pretend it was first seen long ago
        record = txn.articles()[key]
        txn.put_articles({key: {**record, "published": "2020-05-05T05:05:05Z"}})
    server.serve("/feed", rss(item(story + "!", "https://n.example/u", None)))
    report = await refresh(store, short_config())
    assert report.feeds[0].updated == 1
    assert articles(store)[key]["published"] == "2020-05-05T05:05:05Z"


async def test_retry_after_is_honoured_and_force_ignores_it(server, tmp_path):
    url = server.serve("/feed", b"slow down", 429, Retry_After="7200")
    store = store_with(tmp_path / "db.json", [url])
    report = await refresh(store, short_config())
    assert report.feeds[0].status == "error" and "429" in report.feeds[0].error
    assert 1.9 < in_hours(feeds_by_url(store)[url].next_check) <= 2.1

    server.serve("/feed", rss())
    skipped = await refresh(store, short_config())
    assert skipped.feeds[0].status == "skipped" and len(server.hits("/feed")) == 1
    forced = await refresh(store, short_config(), force=True)
    assert forced.feeds[0].status == "ok" and len(server.hits("/feed")) == 2
    assert feeds_by_url(store)[url].failures == 0


@pytest.mark.parametrize(
    ("headers", "extra", "hours"),
    [
        ({"Cache-Control": "public, max-age=3600"}, "", 1.0),
        ({}, "<ttl>180</ttl>", 3.0),
        ({"Cache-Control": "max-age=99999999"}, "", 24.0),
    ],
)
async def test_max_age_and_ttl_set_the_earliest_next_fetch(server, tmp_path, headers, extra, hours):
    url = server.serve(
        "/feed", rss(extra=extra), **{k.replace("-", "_"): v for k, v in headers.items()}
    )
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    assert hours - 0.1 < in_hours(feeds_by_url(store)[url].next_check) <= hours
    assert (await refresh(store, short_config())).feeds[0].status == "skipped"


async def test_failures_back_off_exponentially_but_never_disable_the_feed(server, tmp_path):
    url = server.serve("/feed", b"oops", 500)
    ok = server.serve("/ok", rss())  # one feed answers, so the network is not down
    store = store_with(tmp_path / "db.json", [url, ok])
    waits = []
    for _ in range(12):
        await refresh(store, short_config(max_backoff_hours=24), force=True)
        waits.append(in_hours(feeds_by_url(store)[url].next_check))
    assert feeds_by_url(store)[url].failures == 12
    assert waits[0] == pytest.approx(0.25, abs=0.02) and waits[1] == pytest.approx(0.5, abs=0.02)
    assert waits[-1] == pytest.approx(24, abs=0.02)  # capped
    server.serve("/feed", rss())
    await refresh(store, short_config(), force=True)
    state = feeds_by_url(store)[url]
    assert (state.status, state.failures, state.error) == ("ok", 0, None)


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/feed"


async def test_when_every_feed_fails_to_connect_failures_are_not_counted(tmp_path):
    urls = [closed_url(), closed_url()]
    store = store_with(tmp_path / "db.json", urls)
    report = await refresh(store, short_config())
    assert report.failed == 2
    for url in urls:
        state = feeds_by_url(store)[url]
        assert state.status == "error" and "cannot connect" in state.error
        assert (state.failures, state.next_check) == (0, None)


async def test_feeds_are_fetched_in_parallel(server, tmp_path):
    gate = Gate(parties=6, expected=6, body=rss())
    urls = [server.handle(f"/f{n}", gate) for n in range(6)]
    store = store_with(tmp_path / "db.json", urls)
    # A serial fetcher would hold the first request at the gate until its deadline.
    report = await refresh(store, short_config(deadline=5, per_host=6))
    assert [r.status for r in report.feeds] == ["ok"] * 6
    assert gate.most == 6


async def test_per_host_and_global_caps(tmp_path):
    servers = [await FeedServer().start() for _ in range(2)]
    try:
        gates = [Gate(parties=2, expected=5, body=rss()) for _ in servers]
        urls = [
            s.handle(f"/f{n}", g) for s, g in zip(servers, gates, strict=True) for n in range(5)
        ]
        store = store_with(tmp_path / "db.json", urls)
        report = await refresh(store, short_config(deadline=5, per_host=2, concurrency=16))
        assert report.failed == 0
        assert [g.most for g in gates] == [2, 2]  # each host: two at once, never more

        gate = Gate(parties=3, expected=10, body=rss())
        urls = [s.handle(f"/g{n}", gate) for s in servers for n in range(5)]
        store = store_with(tmp_path / "db2.json", urls)
        report = await refresh(store, short_config(deadline=5, per_host=5, concurrency=3))
        assert report.failed == 0 and gate.most == 3  # the global cap across hosts
    finally:
        for s in servers:
            await s.stop()


async def test_the_host_with_the_most_feeds_waiting_is_asked_first(tmp_path):
    # A host's feeds go one at a time here, so the host with three feeds is the longest
    # chain: listed last, it still gets the first slot (one host with 30 of 100 feeds, 16 at
    # a time, 100 ms answers: 1.73 s when it waited behind the others, 1.53 s now).
    servers = [await FeedServer().start() for _ in range(4)]
    asked: list[str] = []
    answer: dict[str, asyncio.Event] = {}

    def held(server: FeedServer, path: str) -> str:
        url = server.url(path)
        answer[url] = asyncio.Event()

        async def handler(_request, writer: asyncio.StreamWriter) -> None:
            asked.append(url)
            await answer[url].wait()
            writer.write(response(200, rss()))

        return server.handle(path, handler)

    async def asked_for(count: int) -> list[str]:
        async with asyncio.timeout(10):  # a guard against a hang, not a measurement
            while len(asked) < count:
                await asyncio.sleep(0.01)
        return asked[:count]

    try:
        one_each = [held(server, "/only") for server in servers[:3]]
        three = [held(servers[3], f"/f{n}") for n in range(3)]
        store = store_with(tmp_path / "db.json", one_each + three)
        config = short_config(deadline=10, per_host=1, concurrency=2)
        task = asyncio.create_task(refresh(store, config))
        assert sorted(await asked_for(2)) == sorted([three[0], one_each[0]])
        answer[three[0]].set()  # its host's next feed is asked before the other hosts' feeds
        assert (await asked_for(3))[2] == three[1]
        for event in answer.values():
            event.set()
        report = await task
        assert [r.status for r in report.feeds] == ["ok"] * 6
    finally:
        for server in servers:
            await server.stop()


async def test_progress_reports_every_feed_including_skipped(server, tmp_path):
    urls = [server.serve(f"/f{n}", rss()) for n in range(3)]
    store = store_with(tmp_path / "db.json", urls)
    with store.transaction() as txn:
        feeds = txn.feeds()
        from dataclasses import replace

        txn.put_feeds([replace(feeds[urls[0]], next_check="2999-01-01T00:00:00Z")])
    calls = []
    report = await refresh(store, short_config(), progress=lambda *a: calls.append(a))
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert {c[2] for c in calls} == set(urls)
    assert {r.url: r.status for r in report.feeds} == {
        urls[0]: "skipped",
        urls[1]: "ok",
        urls[2]: "ok",
    }


async def test_cancelling_saves_the_feeds_that_completed(server, tmp_path):
    done = asyncio.Event()
    fast, slow = fast_and_stuck(server)
    store = store_with(tmp_path / "db.json", [fast, slow])

    def progress(_done, _total, url):
        if url == fast:
            done.set()

    task = asyncio.create_task(refresh(store, short_config(deadline=30), progress=progress))
    async with asyncio.timeout(10):
        await done.wait()
        while not server.hits("/slow"):
            await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert feeds_by_url(store)[fast].status == "ok"
    assert feeds_by_url(store)[slow].status == "new"
    assert len(feed_events(store)) == 1 and store.snapshot().last_refresh


async def test_a_failing_progress_callback_still_saves_the_feeds_that_completed(server, tmp_path):
    # The app's callback raises once the app has gone (call_from_thread): what finished stays.
    fast, slow = fast_and_stuck(server)
    store = store_with(tmp_path / "db.json", [fast, slow])

    def progress(_done, _total, url):
        raise RuntimeError("the app is not running")

    with pytest.raises(Exception, match="not running"):
        async with asyncio.timeout(10):
            await refresh(store, short_config(deadline=30), progress=progress)

    assert feeds_by_url(store)[fast].status == "ok"
    assert feeds_by_url(store)[slow].status == "new"
    assert len(feed_events(store)) == 1


async def test_feed_title_comes_from_the_feed_when_not_given(server, tmp_path):
    url = server.serve("/feed", rss(title="Ministry &amp; News"))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    assert feeds_by_url(store)[url].title == "Ministry & News"


async def test_refresh_only_the_chosen_feeds(server, tmp_path):
    a = server.serve("/a", rss())
    b = server.serve("/b", rss())
    store = store_with(tmp_path / "db.json", [a, b], tags=("x",))
    report = await refresh(store, short_config(), urls=[b])
    assert [r.url for r in report.feeds] == [b] and not server.hits("/a")
    assert len((await refresh(store, short_config(), tag="x")).feeds) == 2
    assert (await refresh(store, short_config(), tag="nope")).feeds == ()
    with pytest.raises(ValueError, match="not subscribed"):
        await refresh(store, short_config(), urls=["https://elsewhere.example/"])


async def test_absurd_server_hints_are_capped_and_lose_nothing(server, tmp_path):
    # Hints beyond what a timedelta can hold (~2.7 million years) once crashed the save.
    huge = "9" * 15
    throttled = server.serve("/throttled", b"slow down", 503, Retry_After=huge)
    cached = server.serve("/cached", rss(relevant_item(1)), Cache_Control=f"max-age={huge}")
    store = store_with(tmp_path / "db.json", [throttled, cached])
    report = await refresh(store, short_config())
    assert [r.status for r in report.feeds] == ["error", "ok"] and report.new_articles == 1
    assert 23.9 < in_hours(feeds_by_url(store)[throttled].next_check) <= 24
    assert 23.9 < in_hours(feeds_by_url(store)[cached].next_check) <= 24


async def test_overlapping_refreshes_leave_the_switch_interval_alone(server, tmp_path):
    # The switch interval is amity's main()'s to set (tui/tuning.py), never a refresh's: the app
    # runs refreshes in worker threads, and a program using amity.feeds keeps its own setting.
    before = sys.getswitchinterval()
    release = {"/a": asyncio.Event(), "/b": asyncio.Event()}

    async def held(request, writer):
        await release[request.path].wait()
        writer.write(response(200, rss(relevant_item(1))))

    stores = [store_with(tmp_path / f"{p[1]}.json", [server.handle(p, held)]) for p in release]
    first = asyncio.create_task(refresh(stores[0], short_config(deadline=30)))
    async with asyncio.timeout(10):
        while not server.hits("/a"):
            await asyncio.sleep(0.01)
        second = asyncio.create_task(refresh(stores[1], short_config(deadline=30)))
        while not server.hits("/b"):
            await asyncio.sleep(0.01)
        release["/a"].set()
        assert (await first).new_articles == 1
        release["/b"].set()
        assert (await second).new_articles == 1
    assert sys.getswitchinterval() == before


async def test_an_entry_that_loses_its_date_keeps_the_date_it_had(server, tmp_path):
    # A feed that drops an entry's pubDate must not move its event to today.
    story = "Japan and Italy open a joint research lab"
    url = server.serve("/feed", rss(item(story, "https://n.example/lab")))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    server.serve("/feed", rss(item(story, "https://n.example/lab", None)))
    report = await refresh(store, short_config())
    assert report.feeds[0].updated == 0
    assert [e.date for e in feed_events(store)] == ["2026-01-16"]
    assert [a["published"] for a in articles(store).values()] == ["2026-01-16T01:00:00Z"]


async def test_an_event_whose_date_moves_no_longer_gathers_articles_at_its_old_date(
    server, tmp_path
):
    story = "Japan and Italy sign glacier orchestra accord"
    first, moved = "Wed, 01 Jan 2020 09:00:00 GMT", "Mon, 20 Jan 2020 09:00:00 GMT"
    url = server.serve("/feed", rss(item(story, "https://n.example/a", first)))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    server.serve(
        "/feed",
        rss(
            item(story, "https://n.example/a", moved),
            item(story + " in full", "https://n.example/b", first),
        ),
    )
    report = await refresh(store, short_config())
    assert report.new_events == 1
    assert sorted(e.date for e in feed_events(store)) == ["2020-01-01", "2020-01-20"]
