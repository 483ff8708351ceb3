"""A refresh decides each feed's answer as it arrives (decide.Decision, while other feeds are
still downloading): whatever order the answers come in, the store it writes is the one that
deciding every answer at once, after the last download, writes."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from amity.feeds.decide import Changes, Decision, Outcome, decide
from amity.feeds.fetch import Fetched, FetchError
from amity.feeds.refresh import refresh
from amity.feeds.save import save
from amity.feeds.worker import _read
from amity.store import Config, Feed, Store, format_iso
from feedserver import store_with

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.feedserver import FeedServer
from bench.synth import make_feeds

NOW = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
STAMP = format_iso(NOW)
URLS = [f"https://feeds{n % 3}.example/feed{n}.xml" for n in range(14)]


def outcomes(bodies: list[bytes], config: Config) -> list[Outcome]:
    """Each feed's answer, read as the refresh's worker reads it; one feed failed and one
    answered 'not modified'."""
    headlines: set[str] = set()
    found = []
    for url, body in zip(URLS, bodies, strict=True):
        feed = Feed(url)
        if url.endswith("feed3.xml"):
            found.append(Outcome(feed, error=FetchError("HTTP 500 Internal Server Error")))
        elif url.endswith("feed8.xml"):
            found.append(Outcome(feed, Fetched("not-modified", b"", None, None, None, url)))
        else:
            fetched = Fetched("ok", body, None, None, None, url)
            parsed, facts = _read(fetched, config, "", headlines)
            found.append(Outcome(feed, fetched, parsed, facts=facts))
    return found


def as_written(changes: Changes) -> dict[str, Any]:
    """What save writes from the changes, in an order that does not depend on set order."""
    fields = dataclasses.asdict(changes)
    fields["events"] = sorted(fields["events"], key=lambda e: e["id"])
    fields["dropped_events"] = sorted(fields["dropped_events"])
    fields["dropped_articles"] = sorted(fields["dropped_articles"])
    return fields


@pytest.fixture
def store(tmp_path) -> Store:
    # Stored articles from an earlier refresh of half the feeds, which the new ones meet again
    # (same links, same headlines, the same happenings on other outlets).
    config = Config()
    store = store_with(tmp_path / "db.json", URLS)
    earlier = [doc.body for doc in make_feeds(len(URLS), 20, seed=5, relevant=0.6)]
    save(store, config, outcomes(earlier, config)[::2], NOW - dt.timedelta(hours=3))
    return store


@pytest.mark.parametrize("rules_changed", [False, True], ids=["same rules", "rules changed"])
def test_answers_decided_as_they_arrive_make_the_store_deciding_all_at_once_makes(
    store, rules_changed
) -> None:
    config = Config()
    if rules_changed:  # the stored articles are judged again before the new ones are taken
        with store.transaction() as txn:
            txn.update_meta(rules="rules of an earlier amity")
    bodies = [doc.body for doc in make_feeds(len(URLS), 20, seed=9, relevant=0.6)]
    answers = outcomes(bodies, config)
    at_once = decide(store.draft(), config, answers, NOW, STAMP, network_down=False)
    assert at_once.new_articles > 0 and at_once.events

    for seed in range(4):  # the order the downloads end in varies from refresh to refresh
        arriving = answers[:]
        random.Random(seed).shuffle(arriving)
        decision = Decision(store.draft(), config, NOW, STAMP, expected=URLS)
        for outcome in arriving:
            decision.take(outcome)
        assert decision.timeline.new_articles > 0  # decided before the last answer was in
        assert as_written(decision.changes(arriving, False)) == as_written(at_once)


def test_a_refresh_without_every_answer_decides_the_rest_at_the_end(store) -> None:
    # A feed the refresh's deadline cut is added as timed out after the others: the answers
    # that waited for it are taken then, in subscription order.
    config = Config()
    bodies = [doc.body for doc in make_feeds(len(URLS), 20, seed=9, relevant=0.6)]
    answers = outcomes(bodies, config)
    cut = Outcome(answers[1].feed, error=FetchError("timed out", answered=False))
    answers[1] = cut
    at_once = decide(store.draft(), config, answers, NOW, STAMP, network_down=False)
    decision = Decision(store.draft(), config, NOW, STAMP, expected=URLS)
    for outcome in answers[2:] + answers[:1]:
        decision.take(outcome)
    arrived = answers[2:] + answers[:1] + [cut]
    assert as_written(decision.changes(arrived, False)) == as_written(at_once)


def test_a_refresh_over_the_network_decides_ahead_without_falling_back(tmp_path, caplog) -> None:
    # Deciding as answers arrive falls back to deciding after the downloads on an unexpected
    # error, with a warning; a real refresh of real feeds must never need it.
    with FeedServer(30, entries=20, hosts=4, latency=0.01, relevant=0.6) as server:
        store = store_with(tmp_path / "db.json", server.urls)
        report = asyncio.run(refresh(store, Config()))
    assert [feed.status for feed in report.feeds] == ["ok"] * 30
    assert not [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(event.origin == "feed" for event in store.snapshot().events)
