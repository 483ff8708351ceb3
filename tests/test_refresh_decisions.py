"""What a refresh decides from each answer, with httpx.MockTransport in place of the network:
no sockets, because no network behaviour is under test here (tests/feedserver.py covers that)."""

from __future__ import annotations

import datetime as dt

import httpx
from amity.feeds import refresh
from amity.feeds.cluster import Timeline, facts_for
from amity.feeds.decide import Outcome, next_state
from amity.feeds.fetch import Fetched, FetchError
from amity.feeds.parse import parse_feed
from amity.feeds.worker import _read
from amity.store import Config, Feed, parse_iso
from feedserver import feeds_by_url, item, relevant_item, rss, short_config, store_with

ANSWERS = {
    "/new": (200, rss(relevant_item(1)), {"ETag": '"v1"'}),
    "/same": (304, b"", {}),
    "/busy": (503, b"", {"Retry-After": "7200"}),
    "/gone": (404, b"no", {}),
}


def answer(request: httpx.Request) -> httpx.Response:
    status, body, headers = ANSWERS[request.url.path]
    # A stream, as the network gives: refresh reads bodies chunk by chunk, within limits.
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


async def test_each_answer_is_decided_as_the_feed_said(tmp_path) -> None:
    urls = {path: f"https://feeds.example{path}" for path in ANSWERS}
    store = store_with(tmp_path / "db.json", list(urls.values()))
    report = await refresh(store, short_config(), transport=httpx.MockTransport(answer))

    status = {r.url: r.status for r in report.feeds}
    assert status == {
        urls["/new"]: "ok",
        urls["/same"]: "not-modified",
        urls["/busy"]: "error",
        urls["/gone"]: "error",
    }
    assert report.new_articles == 1 and report.new_events == 1
    feeds = feeds_by_url(store)
    assert feeds[urls["/new"]].etag == '"v1"'  # the validator is kept for the next ask
    # The busy server asked for two hours: the next check waits at least that long.
    wait = parse_iso(feeds[urls["/busy"]].next_check) - dt.datetime.now(dt.UTC)
    assert wait > dt.timedelta(hours=1, minutes=55)
    assert feeds[urls["/gone"]].failures == 1 and "404" in (feeds[urls["/gone"]].error or "")


NOW = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
FEED = Feed("https://feeds.example/a", failures=2, next_check=None)


def decided(outcome: Outcome, timeline: Timeline | None = None, network_down: bool = False):
    # next_state is the pure step from an answer to the feed's result and next state.
    return next_state(timeline, FEED, outcome, Config(), NOW, "stamp", network_down)


def answered(status: str, body: bytes = b"", **validators: str | None) -> Fetched:
    return Fetched(status, body, validators.get("etag"), None, None, FEED.url)


def test_the_next_state_of_a_failing_feed_is_decided_without_io() -> None:
    failed = Outcome(FEED, error=FetchError("HTTP 500 Internal Server Error"))
    _result, charged = decided(failed)
    assert (charged.status, charged.failures) == ("error", 3)
    assert parse_iso(charged.next_check) > NOW + dt.timedelta(minutes=30)  # backing off
    # When no feed could be reached, the network is at fault, not this feed.
    _result, spared = decided(failed, network_down=True)
    assert (spared.status, spared.failures, spared.next_check) == ("error", 2, None)


def test_a_busy_server_is_asked_again_no_sooner_than_it_said() -> None:
    busy = Outcome(FEED, error=FetchError("HTTP 503", retry_after="86400"))
    result, updated = decided(busy)
    assert result.status == "error" and "503" in (result.error or "")
    assert parse_iso(updated.next_check) >= NOW + dt.timedelta(hours=24)


def test_not_modified_clears_the_failures_and_keeps_the_new_validator() -> None:
    result, updated = decided(Outcome(FEED, answered("not-modified", etag='"v2"')))
    assert result.status == "not-modified" and result.new == 0
    assert (updated.failures, updated.error, updated.etag) == (0, None, '"v2"')


def test_an_answer_with_articles_folds_them_into_the_timeline_once() -> None:
    fetched = answered("ok", rss(relevant_item(1), relevant_item(2), title="Esteri"))
    parsed = parse_feed(fetched.body, FEED.url)
    outcome = Outcome(FEED, fetched, parsed, facts=facts_for(parsed.articles, Config()))
    timeline = Timeline(Config(), {}, {})
    result, updated = decided(outcome, timeline)
    assert (result.status, result.new, result.updated) == ("ok", 2, 0)
    assert len(timeline.events) == 2 and timeline.new_articles == 2
    # The feed had no name of its own: it takes the channel's; its check is recorded.
    assert (updated.title, updated.last_ok, updated.failures) == ("Esteri", "stamp", 0)
    # The same answer again brings nothing new.
    again, _updated = decided(outcome, timeline)
    assert (again.new, again.updated, len(timeline.events)) == (0, 0, 2)


def test_facts_left_to_the_timeline_make_the_same_timeline() -> None:
    # The worker works out facts for a relevant headline once per refresh; a repeat from
    # another feed (an aggregator's copy) gets its facts from the timeline, if it needs them.
    def feed(n: int) -> bytes:
        copies = [
            item(f"Japan and Italy sign space pact {k}", f"https://o{n}.example/{k}")
            for k in range(3)
        ]
        return rss(
            *copies, relevant_item(n), item("Tokyo stocks close higher", f"https://o{n}.example/s")
        )

    bodies = [(f"https://feeds.example/{n}", feed(n)) for n in range(4)]

    def timeline(headlines: set[str] | None) -> Timeline:
        folded = Timeline(Config(), {}, {})
        for url, body in bodies:
            fetched = Fetched("ok", body, None, None, None, url)
            if headlines is None:  # every article's facts worked out where it is read
                parsed = parse_feed(body, url)
                facts = facts_for(parsed.articles, Config())
            else:
                parsed, facts = _read(fetched, Config(), "", headlines)
            for article in parsed.articles:
                folded.add(article, url, "2026-01-20T09:00:00Z", facts.get(article.id))
        return folded

    eager, lazy = timeline(None), timeline(set())
    assert lazy.events == eager.events and lazy.articles == eager.articles
    # Each pact is one article, however many outlets carried it; the stocks story is left out.
    assert eager.new_articles == len(eager.articles) == 3 + 4
