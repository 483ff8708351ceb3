"""What a refresh decides from each answer, with httpx.MockTransport in place of the network:
no sockets, because no network behaviour is under test here (tests/feedserver.py covers that)."""

from __future__ import annotations

import datetime as dt

import httpx
from amity.feeds import refresh
from amity.feeds.fetch import FetchError
from amity.feeds.refresh import _apply, _Outcome
from amity.store import Config, Feed, parse_iso
from feedserver import relevant_item, rss, short_config, store_with

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
    feeds = {f.url: f for f in store.snapshot().feeds}
    assert feeds[urls["/new"]].etag == '"v1"'  # the validator is kept for the next ask
    # The busy server asked for two hours: the next check waits at least that long.
    wait = parse_iso(feeds[urls["/busy"]].next_check) - dt.datetime.now(dt.UTC)
    assert wait > dt.timedelta(hours=1, minutes=55)
    assert feeds[urls["/gone"]].failures == 1 and "404" in (feeds[urls["/gone"]].error or "")


def test_the_next_state_of_a_failing_feed_is_decided_without_io() -> None:
    # _apply is the pure step from an answer to the feed's next state.
    now = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
    feed = Feed("https://feeds.example/a", failures=2, next_check=None)
    failed = _Outcome(feed, error=FetchError("HTTP 500 Internal Server Error"))

    def next_state(outcome: _Outcome, network_down: bool) -> Feed:
        _result, updated = _apply(None, feed, outcome, Config(), now, "stamp", network_down)
        return updated

    charged = next_state(failed, network_down=False)
    assert (charged.status, charged.failures) == ("error", 3)
    assert parse_iso(charged.next_check) > now + dt.timedelta(minutes=30)  # backing off
    # When no feed could be reached, the network is at fault, not this feed.
    spared = next_state(failed, network_down=True)
    assert (spared.status, spared.failures, spared.next_check) == ("error", 2, None)
