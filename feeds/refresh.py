"""One refresh end to end: fetch the due feeds in parallel, parse, fold articles into the
timeline, and save everything that completed in one atomic write (also when cancelled)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

import httpx
from amity.store import Config, Feed, Store
from amity.store.checked import record_check
from amity.store.mutes import MuteRule, mute_rules
from amity.store.text import ERROR_CHARS, clip

from .classify import rules_fingerprint
from .cluster import Facts, Timeline, facts_for
from .fetch import Fetched, FetchError, Limiter, fetch, make_client
from .mute import unmuted
from .parse import ParsedFeed, ParseError, load_parser, parse_feed
from .politeness import backoff_next_check, due, hinted_next_check, iso, max_age, retry_after
from .report import FeedResult, RefreshReport

Progress = Callable[[int, int, str], None]


class NotSubscribed(ValueError):
    """A refresh was asked for a feed that is not subscribed (raised before any fetch)."""


class _ShortSwitches:
    """While parses run beside the event loop, a thread holding the GIL keeps it for up to the
    switch interval (5 ms by default) before the loop may send the next request or read the next
    answer; this shortens it while any refresh runs. The interval is process-wide and the app
    refreshes in worker threads, so overlapping refreshes share one change: the first one in
    saves the interval, the last one out restores it."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._lock = threading.Lock()
        self._users = 0
        self._saved = 0.0

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, self._seconds))
            self._users += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                sys.setswitchinterval(self._saved)


_SHORT_SWITCHES = _ShortSwitches(0.0005)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What happened to one feed before anything is saved."""

    feed: Feed
    fetched: Fetched | None = None
    parsed: ParsedFeed | None = None
    error: FetchError | None = None
    facts: dict[str, Facts] | None = None


async def refresh(
    store: Store,
    config: Config,
    *,
    urls: Sequence[str] | None = None,
    tag: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RefreshReport:
    """Fetch the subscribed feeds (all, or those named by `urls`/`tag`) and save what they
    brought in one write. `force` ignores backoff and server hints. `progress(done, total, url)`
    is called as each feed finishes. If cancelled (or `progress` raises), completed feeds are
    saved, then the error propagates."""
    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    feeds = select_feeds(store.feeds(), urls=urls, tag=tag)
    todo: list[Feed] = []
    skipped: list[Feed] = []
    for feed in feeds:
        (todo if force or due(feed.next_check, now) else skipped).append(feed)
    completed: list[_Outcome] = []
    total = len(feeds)
    done = 0

    def finished(url: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, url)

    for feed in skipped:
        finished(feed.url)
    settings = config.refresh
    limiter = Limiter(settings.concurrency, settings.per_host)
    try:
        with _parse_thread() as parser:
            async with make_client(settings) as client, asyncio.TaskGroup() as group:
                for feed in todo:
                    group.create_task(
                        _one(client, limiter, parser, feed, config, completed, finished)
                    )
    except BaseException as exc:
        # Cancelled, or the progress callback failed (the app has gone): the TaskGroup has
        # cancelled the other tasks; keep what finished, then stop.
        _save(store, config, completed, now, complete=False)
        if isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            raise exc.exceptions[0] from None  # the caller's error, not the TaskGroup's wrapper
        raise
    results, timeline = await asyncio.to_thread(_save, store, config, completed, now)
    by_url = {r.url: r for r in results}
    ordered = [by_url.get(f.url) or FeedResult(f.url, "skipped") for f in feeds]
    return RefreshReport(
        feeds=tuple(ordered),
        new_events=timeline.new_events,
        new_articles=timeline.new_articles,
        seconds=time.monotonic() - started,
    )


def select_feeds(
    feeds: Sequence[Feed], *, urls: Sequence[str] | None = None, tag: str | None = None
) -> list[Feed]:
    """The subscribed feeds a refresh covers; raises NotSubscribed naming unsubscribed URLs."""
    chosen = list(feeds)
    if urls:
        known = {f.url: f for f in feeds}
        missing = [u for u in urls if u not in known]
        if missing:
            raise NotSubscribed(f"not subscribed: {', '.join(missing)}")
        chosen = [known[u] for u in dict.fromkeys(urls)]
    if tag:
        chosen = [f for f in chosen if tag in f.tags]
    return chosen


@contextmanager
def _parse_thread() -> Iterator[Executor]:
    # One thread parses every body in turn: parses are mostly Python holding the GIL, so more
    # threads would only fight the event loop (and each other) for it. Measured at 200 feeds
    # on 2 cores: 1.67-1.80 s with the default pool and 5 ms switches, 1.50-1.59 s with one
    # thread and 1 ms, ~1.50 s with 0.5 ms and decompression moved here too.
    with _SHORT_SWITCHES:
        parser = ThreadPoolExecutor(1, thread_name_prefix="amity-parse")
        parser.submit(load_parser)
        try:
            yield parser
        finally:
            parser.shutdown(wait=False, cancel_futures=True)


async def _one(
    client: httpx.AsyncClient,
    limiter: Limiter,
    parser: Executor,
    feed: Feed,
    config: Config,
    completed: list[_Outcome],
    finished: Callable[[str], None],
) -> None:
    cancelled = False
    async with limiter.slot(feed.url) as request_done:
        try:
            fetched = await fetch(
                client, feed.url, config.refresh, etag=feed.etag, last_modified=feed.last_modified
            )
            # The next feed's request need not wait for this parse (parses queue for the GIL).
            request_done()
            parsed = facts = None
            if fetched.status == "ok":
                loop = asyncio.get_running_loop()
                parsing = loop.run_in_executor(parser, _read, fetched, config)
                try:
                    parsed, facts = await asyncio.shield(parsing)
                except asyncio.CancelledError:
                    # The body is in hand and its parse takes milliseconds: finish it, so that
                    # a cancel keeps this feed as it keeps every feed it did not interrupt.
                    cancelled = True
                    parsed, facts = await parsing
            outcome = _Outcome(feed, fetched, parsed, facts=facts)
        except ParseError as exc:
            outcome = _Outcome(feed, error=FetchError(str(exc)))
        except FetchError as exc:
            outcome = _Outcome(feed, error=exc)
        except Exception as exc:  # a bug or a parser surprise must cost one feed, not the refresh
            outcome = _Outcome(feed, error=FetchError(f"cannot read this feed ({exc!r:.120})"))
        completed.append(outcome)  # before the slot is released: a cancel after this keeps it
    if cancelled:
        raise asyncio.CancelledError
    finished(feed.url)


def _read(fetched: Fetched, config: Config) -> tuple[ParsedFeed, dict[str, Facts]]:
    # Everything about the articles that needs no store, done while other feeds are in flight.
    parsed = parse_feed(fetched.content(config.refresh.max_bytes), fetched.url)
    return parsed, facts_for(parsed.articles, config)


def _save(
    store: Store,
    config: Config,
    outcomes: Sequence[_Outcome],
    now: dt.datetime,
    *,
    complete: bool = True,
) -> tuple[list[FeedResult], Timeline]:
    """Fold every completed outcome into the store in one transaction (no write if nothing
    changed, e.g. when every feed was not modified). A `complete` refresh in which not every
    fetched feed failed is recorded as a check in the sidecar (see checked.py)."""
    stamp = iso(now)
    # When every feed failed and no server answered, the network is down: record the errors
    # but do not count them against the feeds.
    network_down = bool(outcomes) and all(
        o.error is not None and not o.error.answered for o in outcomes
    )
    with store.transaction() as txn:
        current = txn.feeds()
        meta = txn.meta
        removed = txn.removed_ids() | frozenset(meta.get("removed", ()))
        timeline = Timeline(config, txn.events(), txn.articles(), removed)
        rules = rules_fingerprint(config)
        if meta.get("rules") != rules:
            # New words or rules: judge the stored articles again before taking new ones.
            timeline.reapply()
        mutes = mute_rules(meta)
        results, changed_feeds = [], []
        # In subscription order, not completion order: the same fetches cluster the same way.
        position = {url: n for n, url in enumerate(current)}
        for outcome in sorted(outcomes, key=lambda o: position.get(o.feed.url, len(position))):
            feed = current.get(outcome.feed.url)
            if feed is None:  # unsubscribed while we fetched
                continue
            result, updated = _apply(
                timeline, feed, outcome, config, now, stamp, network_down, mutes
            )
            results.append(result)
            if updated != feed:
                changed_feeds.append(updated)
        if not (timeline.changed_events or timeline.changed_articles):
            # Feeds that answered 200 with nothing new changed only their check times: like a
            # 304, that is no reason to rewrite the store (the sidecar records the check).
            changed_feeds = [f for f in changed_feeds if not _only_checked(current[f.url], f)]
        if changed_feeds:
            txn.put_feeds(changed_feeds)
        if timeline.dropped_events:
            txn.remove_events(timeline.dropped_events)
        if timeline.changed_events:
            txn.put_events(timeline.events[i] for i in timeline.changed_events)
        if timeline.dropped_articles:
            txn.remove_articles(timeline.dropped_articles)
        if timeline.changed_articles:
            txn.put_articles({k: timeline.articles[k] for k in sorted(timeline.changed_articles)})
        if meta.get("rules") != rules and (txn.storage.dirty or timeline.articles):
            # (With nothing stored there was nothing to judge again: no write for that alone.)
            txn.update_meta(rules=rules)
        if txn.storage.dirty:
            txn.update_meta(last_refresh=stamp)
        if complete and (not outcomes or any(o.error is None for o in outcomes)):
            record_check(store, stamp)
    return results, timeline


def _only_checked(before: Feed, after: Feed) -> bool:
    return replace(after, last_checked=before.last_checked, last_ok=before.last_ok) == before


def _apply(
    timeline: Timeline,
    feed: Feed,
    outcome: _Outcome,
    config: Config,
    now: dt.datetime,
    stamp: str,
    network_down: bool,
    mutes: Sequence[MuteRule] = (),
) -> tuple[FeedResult, Feed]:
    if outcome.error is not None:
        error = clip(str(outcome.error), ERROR_CHARS)  # it may quote what a server sent
        failures = feed.failures if network_down else feed.failures + 1
        hint = retry_after(outcome.error.retry_after, now)
        next_check = (
            feed.next_check
            if network_down
            else backoff_next_check(now, failures, config.refresh.max_backoff_hours)
        )
        if hint is not None and not network_down:
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
    assert parsed is not None
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
