"""The decide phase of a refresh: from each feed's answer to the feed's next state and the
timeline's, worked out from a read of the store without writing anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from amity.store import Config, Event, Feed, Transaction
from amity.store.database import Head
from amity.store.mutes import MuteRule, mute_rules
from amity.store.text import ERROR_CHARS, clip

from .classify import rules_fingerprint
from .cluster import Facts, Timeline
from .fetch import Fetched, FetchError
from .mute import unmuted
from .parse import ParsedFeed
from .politeness import backoff_next_check, hinted_next_check, max_age, retry_after
from .report import FeedResult


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one feed before anything is decided or saved."""

    feed: Feed
    fetched: Fetched | None = None
    parsed: ParsedFeed | None = None
    error: FetchError | None = None
    facts: dict[str, Facts] | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """Everything one refresh will write, worked out from one read of the store."""

    signature: tuple[int, int, int]
    results: list[FeedResult]
    feeds: list[Feed]
    events: list[Event]
    articles: dict[str, dict[str, Any]]
    dropped_events: list[str]
    dropped_articles: list[str]
    rules: str | None  # the rules' fingerprint to record, when they changed
    stored_articles: bool  # any article stored (else there was nothing to judge again)
    new_events: int
    new_articles: int


def decide(
    txn: Transaction,
    config: Config,
    outcomes: Sequence[Outcome],
    now: dt.datetime,
    stamp: str,
    network_down: bool,
) -> Changes:
    """What the outcomes change in the store `txn` read: every feed's next state, the articles
    folded into the timeline (and, when the rules changed, the stored ones judged again)."""
    return Decision(txn, config, now, stamp).changes(outcomes, network_down)


class Decision:
    """`decide`, one answer at a time: a refresh hands each feed's outcome to `take` as it
    arrives, and its articles are folded into the timeline while later feeds are still on the
    wire, so little is left for `changes` once the last one is in. The timeline takes the
    feeds in subscription order whatever order they end in (the same fetches cluster the same
    way): an outcome waits for those of the feeds `expected` before it."""

    def __init__(
        self,
        txn: Transaction,
        config: Config,
        now: dt.datetime,
        stamp: str,
        expected: Iterable[str] = (),
    ) -> None:
        self.txn, self.config, self.now, self.stamp = txn, config, now, stamp
        self.current = txn.feeds()
        self.timeline = Timeline(config, txn.stored_events(), txn.articles(), txn.removed_ids())
        self.rules = rules_fingerprint(config)
        self.rejudge = txn.meta.get("rules") != self.rules
        if self.rejudge:
            # New words or rules: judge the stored articles again before taking new ones.
            self.timeline.reapply()
        self.mutes = mute_rules(txn.meta)
        # The subscribed feeds still to come, in subscription order, and the answers in hand.
        wanted = set(expected)
        self._due = [url for url in self.current if url in wanted]
        self._next = 0
        self._arrived: dict[str, Outcome] = {}
        self._folded: dict[str, tuple[FeedResult, Feed]] = {}

    def take(self, outcome: Outcome) -> None:
        """One more feed's outcome: folded now if every feed before it has answered."""
        self._arrived[outcome.feed.url] = outcome
        due = self._due
        while self._next < len(due) and due[self._next] in self._arrived:
            self._fold(self._arrived.pop(due[self._next]))
            self._next += 1

    def _fold(self, outcome: Outcome) -> None:
        # Only answers that bring articles touch the timeline; an error's next state waits
        # for `changes`, which alone knows whether the whole network was down.
        feed = self.current.get(outcome.feed.url)
        if feed is not None and brings_articles(outcome):
            self._folded[feed.url] = self._next_state(feed, outcome, network_down=False)

    def _next_state(
        self, feed: Feed, outcome: Outcome, network_down: bool
    ) -> tuple[FeedResult, Feed]:
        return next_state(
            self.timeline, feed, outcome, self.config, self.now, self.stamp, network_down,
            self.mutes,
        )  # fmt: skip

    def changes(self, outcomes: Sequence[Outcome], network_down: bool) -> Changes:
        """Every feed's next state and the timeline's, once `outcomes` (all of them, those
        already taken included) are in."""
        timeline, current = self.timeline, self.current
        results, changed_feeds = [], []
        for outcome, feed in _in_subscription_order(outcomes, current):
            folded = self._folded.get(feed.url)
            result, updated = folded or self._next_state(feed, outcome, network_down)
            results.append(result)
            if updated != feed:
                changed_feeds.append(updated)
        if not (timeline.changed_events or timeline.changed_articles):
            # Feeds that answered 200 with nothing new changed only their check times: like a
            # 304, that is no reason to rewrite the store (the sidecar records the check).
            changed_feeds = [f for f in changed_feeds if not _only_checked(current[f.url], f)]
        return Changes(
            signature=self.txn.signature,
            results=results,
            feeds=changed_feeds,
            events=[timeline.events[i] for i in timeline.changed_events],
            articles={k: timeline.articles[k] for k in sorted(timeline.changed_articles)},
            dropped_events=list(timeline.dropped_events),
            dropped_articles=list(timeline.dropped_articles),
            # (With nothing stored there was nothing to judge again: no write for that alone.)
            rules=self.rules if self.rejudge else None,
            stored_articles=bool(timeline.articles),
            new_events=timeline.new_events,
            new_articles=timeline.new_articles,
        )


def brings_articles(outcome: Outcome) -> bool:
    """Did the feed answer with articles to fold into the timeline?"""
    return outcome.error is None and outcome.parsed is not None


def all_not_modified(outcomes: Sequence[Outcome]) -> bool:
    """Did every feed answer 'not modified' (and was there any)?"""
    return bool(outcomes) and all(
        o.fetched is not None and o.fetched.status == "not-modified" for o in outcomes
    )


def unchanged(
    head: Head, config: Config, outcomes: Sequence[Outcome], now: dt.datetime, stamp: str
) -> Changes | None:
    """The changes of a refresh in which every feed answered 'not modified' (see
    `all_not_modified`) with the validators and hints already stored: none, decided from the
    feeds and meta alone. None when anything might change, so `decide` must look at the events
    and articles."""
    if head.meta.get("rules") != rules_fingerprint(config):
        return None  # stored articles may be judged again
    results = []
    current = {feed.url: feed for feed in head.feeds}
    for outcome, feed in _in_subscription_order(outcomes, current):
        result, updated = next_state(None, feed, outcome, config, now, stamp, network_down=False)
        if updated != feed:
            return None
        results.append(result)
    return Changes(
        signature=head.signature,
        results=results,
        feeds=[],
        events=[],
        articles={},
        dropped_events=[],
        dropped_articles=[],
        rules=None,
        stored_articles=False,
        new_events=0,
        new_articles=0,
    )


def _in_subscription_order(
    outcomes: Sequence[Outcome], current: Mapping[str, Feed]
) -> Iterator[tuple[Outcome, Feed]]:
    # In subscription order, not completion order: the same fetches cluster the same way.
    # Each outcome comes with its feed as stored now; feeds unsubscribed while we fetched are
    # left out.
    position = {url: n for n, url in enumerate(current)}
    for outcome in sorted(outcomes, key=lambda o: position.get(o.feed.url, len(position))):
        feed = current.get(outcome.feed.url)
        if feed is not None:
            yield outcome, feed


def _only_checked(before: Feed, after: Feed) -> bool:
    return replace(after, last_checked=before.last_checked, last_ok=before.last_ok) == before


def next_state(
    timeline: Timeline | None,
    feed: Feed,
    outcome: Outcome,
    config: Config,
    now: dt.datetime,
    stamp: str,
    network_down: bool,
    mutes: Sequence[MuteRule] = (),
) -> tuple[FeedResult, Feed]:
    """One answer → the feed's result and next state (status, error, backoff or the server's
    hint, validators); a feed's new articles are folded into `timeline` (None is enough for
    an answer that brought none). No I/O: `now` and `stamp` are the refresh's clock."""
    if outcome.error is not None:
        error = clip(str(outcome.error), ERROR_CHARS)  # it may quote what a server sent
        charged = outcome.error.charged and not network_down
        failures = feed.failures + 1 if charged else feed.failures
        hint = retry_after(outcome.error.retry_after, now)
        next_check = feed.next_check
        if charged:
            next_check = backoff_next_check(now, failures, config.refresh.max_backoff_hours)
            if hint is not None:
                next_check = max(next_check, hinted_next_check(now, hint) or next_check)
        updated = replace(
            feed,
            status="error",
            error=error,
            last_checked=stamp,
            failures=failures,
            next_check=next_check,
        )
        return FeedResult(feed.url, "error", error), updated
    fetched = outcome.fetched
    assert fetched is not None
    parsed = outcome.parsed
    ttl = parsed.ttl if parsed else None
    next_check = hinted_next_check(now, max_age(fetched.cache_control), ttl)
    if fetched.status == "not-modified":
        # Nothing new: only validators or hints that changed are worth a write.
        updated = replace(
            feed,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            next_check=next_check,
            status=feed.status if feed.status == "ok" else "not-modified",
            error=None,
            failures=0,
        )
        return FeedResult(feed.url, "not-modified"), updated
    assert parsed is not None and timeline is not None
    new = changed = 0
    facts = outcome.facts or {}
    for article in unmuted(parsed.articles, feed.url, mutes):
        verdict = timeline.add(article, feed.url, stamp, facts.get(article.id))
        new += verdict == "new"
        changed += verdict == "updated"
    updated = replace(
        feed,
        title=feed.title or parsed.title,
        status="ok",
        error=None,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        last_checked=stamp,
        last_ok=stamp,
        next_check=next_check,
        failures=0,
    )
    return FeedResult(feed.url, "ok", None, new, changed), updated
