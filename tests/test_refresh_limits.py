"""Hostile feeds cost bounded work and fail alone: odd headers, huge feeds, huge fields.

Against a real HTTP server on 127.0.0.1 (tests/feedserver.py). Resource tests count entries,
bytes and characters, never time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from amity.feeds import refresh
from amity.feeds.politeness import retry_after
from feedserver import relevant_item, rss, short_config, store_with

NOW = dt.datetime(2026, 1, 16, tzinfo=dt.UTC)


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
    feeds = {f.url: f for f in store.snapshot().feeds}
    # The feed's state is recorded, so the next cron refresh does not trip over it again.
    assert feeds[odd].failures == 1 and feeds[odd].next_check is not None
    assert feeds[good].status == "ok"
