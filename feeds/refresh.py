"""One refresh end to end: fetch the due feeds in parallel, parse, fold articles into the
timeline, and save everything that completed in one atomic write (also when cancelled)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
from amity.store import Config, Event, Feed, Store, Transaction, format_iso
from amity.store.checked import record_check
from amity.store.mutes import MuteRule, mute_rules
from amity.store.text import ERROR_CHARS, clip, describe_error

from .classify import rules_fingerprint
from .cluster import Facts, Timeline, facts_for
from .fetch import Fetched, FetchError, Limiter, fetch, make_client
from .mute import unmuted
from .parse import ParsedFeed, ParseError, load_parser, parse_feed
from .politeness import backoff_next_check, due, hinted_next_check, max_age, retry_after
from .report import FeedResult, RefreshReport

Progress = Callable[[int, int, str], None]


class NotSubscribed(ValueError):
    """A refresh was asked for a feed that is not subscribed (raised before any fetch)."""


DEADLINE_GRACE = 1.0  # seconds past the deadline before the whole refresh stops waiting


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
    transport: httpx.AsyncBaseTransport | None = None,
) -> RefreshReport:
    """Fetch the subscribed feeds (all, or those named by `urls`/`tag`) and save what they
    brought in one write. `force` ignores backoff and server hints. `progress(done, total, url)`
    is called as each feed finishes. If cancelled (or `progress` raises), completed feeds are
    saved, then the error propagates. `transport` replaces the network (tests)."""
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
    # The deadline holds for the whole refresh, not only each download: feeds still waiting
    # for their turn when it passes are reported and tried again next time. The grace lets
    # feeds that started at once end with their own, clearer timeout.
    overall = asyncio.timeout(settings.deadline + DEADLINE_GRACE)
    try:
        with _parse_thread() as parser:
            async with (
                overall,
                make_client(settings, transport) as client,
                asyncio.TaskGroup() as group,
            ):
                for feed in todo:
                    group.create_task(
                        _one(client, limiter, parser, feed, config, completed, finished)
                    )
    except TimeoutError:
        if not overall.expired():
            raise
        completed += _unfinished(todo, completed, settings.deadline)
    except BaseException as exc:
        # Cancelled, or the progress callback failed (the app has gone): the TaskGroup has
        # cancelled the other tasks; keep what finished, then stop.
        _save(store, config, completed, now, complete=False)
        if isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            raise exc.exceptions[0] from None  # the caller's error, not the TaskGroup's wrapper
        raise
    saving = asyncio.ensure_future(asyncio.to_thread(_save, store, config, completed, now))
    try:
        saved = await asyncio.shield(saving)
    except asyncio.CancelledError:
        await saving  # interrupted while writing: finish the write, then stop
        raise
    by_url = {r.url: r for r in saved.results}
    ordered = [by_url.get(f.url) or FeedResult(f.url, "skipped") for f in feeds]
    return RefreshReport(
        feeds=tuple(ordered),
        new_events=saved.new_events,
        new_articles=saved.new_articles,
        seconds=time.monotonic() - started,
    )


def _unfinished(todo: Sequence[Feed], completed: Sequence[_Outcome], deadline: float) -> list:
    done = {o.feed.url for o in completed}
    error = FetchError(
        f"timed out: the refresh's deadline of {deadline:g} s passed before this feed completed",
        answered=False,
        charged=False,
    )
    return [_Outcome(feed, error=error) for feed in todo if feed.url not in done]


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
def _parse_thread() -> Iterator[_Parses]:
    # One thread parses every body in turn: parses are mostly Python holding the GIL, so more
    # threads would only fight the event loop (and each other) for it. Measured at 200 feeds
    # on 2 cores: 1.67-1.80 s with the default pool and 5 ms switches, 1.50-1.59 s with one
    # thread and 1 ms, ~1.50 s with 0.5 ms (the interval amity's main() sets: tui/tuning.py)
    # and decompression moved here too.
    parser = ThreadPoolExecutor(1, thread_name_prefix="amity-parse")
    parser.submit(load_parser)
    try:
        yield _Parses(parser)
    finally:
        parser.shutdown(wait=False, cancel_futures=True)


class _Parses:
    """The parse thread's queue, and how far it has got: a cancel finishes the parse that is
    next in line (under way, or waiting only for the parser to load) and drops the rest."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.submitted = 0
        self.finished = 0  # written by the one parse thread only

    def submit(self, read: Callable[..., Any], *args: Any) -> tuple[int, Future[Any]]:
        """Queue a parse; returns its place in line and its future."""
        self.submitted += 1

        def run() -> Any:
            try:
                return read(*args)
            finally:
                self.finished += 1

        return self.submitted, self.executor.submit(run)

    def next_in_line(self, place: int) -> bool:
        """Has every parse queued before this one finished?"""
        return self.finished >= place - 1


async def _one(
    client: httpx.AsyncClient,
    limiter: Limiter,
    parser: _Parses,
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
                place, job = parser.submit(_read, fetched, config, feed.title)
                parsing = asyncio.wrap_future(job)
                try:
                    parsed, facts = await asyncio.shield(parsing)
                except asyncio.CancelledError:
                    # Still queued behind other parses: drop it, stop now.
                    if not parser.next_in_line(place) and job.cancel():
                        raise
                    # Its parse is under way or next (bounded work: capped bytes and entries):
                    # finish it, so a cancel keeps this feed as it keeps every feed it did not
                    # cut. A feed queued only behind the parser's own loading counts as next.
                    cancelled = True
                    parsed, facts = await parsing
            outcome = _Outcome(feed, fetched, parsed, facts=facts)
        except ParseError as exc:
            outcome = _Outcome(feed, error=FetchError(str(exc)))
        except FetchError as exc:
            outcome = _Outcome(feed, error=exc)
        except Exception as exc:  # a bug or a parser surprise must cost one feed, not the refresh
            outcome = _Outcome(
                feed, error=FetchError(f"cannot read this feed: {describe_error(exc)}")
            )
        completed.append(outcome)  # before the slot is released: a cancel after this keeps it
    if cancelled:
        raise asyncio.CancelledError
    finished(feed.url)


def _read(fetched: Fetched, config: Config, name: str = "") -> tuple[ParsedFeed, dict[str, Facts]]:
    # Everything about the articles that needs no store, done while other feeds are in flight.
    # The name the person gave the feed is its sources' publisher, before the channel's title.
    parsed = parse_feed(fetched.content(config.refresh.max_bytes), fetched.url, publisher=name)
    return parsed, facts_for(parsed.articles, config)


@dataclass(frozen=True, slots=True)
class _Plan:
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


def _save(
    store: Store,
    config: Config,
    outcomes: Sequence[_Outcome],
    now: dt.datetime,
    *,
    complete: bool = True,
) -> _Plan:
    """Fold every completed outcome into the store in one transaction (no write if nothing
    changed, e.g. when every feed was not modified). A `complete` refresh in which not every
    fetched feed failed is recorded as a check in the sidecar (see checked.py).

    Clustering is CPU work that grows with the store (13-18 s at 120k events), so it is
    worked out on an unlocked read and the writer lock is held only to write the result; if
    another process wrote the store in between, it is worked out again."""
    stamp = format_iso(now)
    unchanged = _unchanged(store, config, outcomes, now, stamp)
    if unchanged is not None:
        if complete:
            with store.writer_lock():  # the sidecar's temporary file, away from the sweep
                record_check(store, stamp)
        return unchanged
    # When every feed failed and no server answered, the network is down: record the errors
    # but do not count them against the feeds.
    network_down = bool(outcomes) and all(
        o.error is not None and not o.error.answered for o in outcomes
    )
    checked = complete and (not outcomes or any(o.error is None for o in outcomes))
    for attempt in range(_PLAN_ATTEMPTS):
        plan = _plan(store.draft(), config, outcomes, now, stamp, network_down)
        with store.transaction() as txn:
            if txn.signature != plan.signature:
                if attempt < _PLAN_ATTEMPTS - 1:
                    continue
                plan = _plan(txn, config, outcomes, now, stamp, network_down)  # under the lock
            _write(txn, plan, stamp)
            if checked:
                record_check(store, stamp)
            return plan
    raise AssertionError("unreachable: the last attempt plans under the lock")


_PLAN_ATTEMPTS = 3


def _unchanged(
    store: Store, config: Config, outcomes: Sequence[_Outcome], now: dt.datetime, stamp: str
) -> _Plan | None:
    """The plan of a refresh in which every feed answered 'not modified' with the validators
    and hints already stored, worked out from the feeds and meta alone: no lock, no events, no
    articles, no write. None when anything might change, so the full plan decides."""
    if not outcomes or any(
        o.fetched is None or o.fetched.status != "not-modified" for o in outcomes
    ):
        return None
    head = store.head()
    if head.meta.get("rules") != rules_fingerprint(config):
        return None  # stored articles may be judged again
    current = {feed.url: feed for feed in head.feeds}
    position = {url: n for n, url in enumerate(current)}
    results = []
    for outcome in sorted(outcomes, key=lambda o: position.get(o.feed.url, len(position))):
        feed = current.get(outcome.feed.url)
        if feed is None:  # unsubscribed while we fetched
            continue
        result, updated = _apply(None, feed, outcome, config, now, stamp, network_down=False)
        if updated != feed:
            return None
        results.append(result)
    if store.signature() != head.signature:
        return None  # another process wrote meanwhile: the full plan decides
    return _Plan(
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


def _plan(
    txn: Transaction,
    config: Config,
    outcomes: Sequence[_Outcome],
    now: dt.datetime,
    stamp: str,
    network_down: bool,
) -> _Plan:
    current = txn.feeds()
    meta = txn.meta
    removed = txn.removed_ids()
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
        result, updated = _apply(timeline, feed, outcome, config, now, stamp, network_down, mutes)
        results.append(result)
        if updated != feed:
            changed_feeds.append(updated)
    if not (timeline.changed_events or timeline.changed_articles):
        # Feeds that answered 200 with nothing new changed only their check times: like a
        # 304, that is no reason to rewrite the store (the sidecar records the check).
        changed_feeds = [f for f in changed_feeds if not _only_checked(current[f.url], f)]
    return _Plan(
        signature=txn.signature,
        results=results,
        feeds=changed_feeds,
        events=[timeline.events[i] for i in timeline.changed_events],
        articles={k: timeline.articles[k] for k in sorted(timeline.changed_articles)},
        dropped_events=list(timeline.dropped_events),
        dropped_articles=list(timeline.dropped_articles),
        # (With nothing stored there was nothing to judge again: no write for that alone.)
        rules=rules if meta.get("rules") != rules else None,
        stored_articles=bool(timeline.articles),
        new_events=timeline.new_events,
        new_articles=timeline.new_articles,
    )


def _write(txn: Transaction, plan: _Plan, stamp: str) -> None:
    if plan.feeds:
        txn.put_feeds(plan.feeds)
    if plan.dropped_events:
        txn.remove_events(plan.dropped_events)
    if plan.events:
        txn.put_events(plan.events)
    if plan.dropped_articles:
        txn.remove_articles(plan.dropped_articles)
    if plan.articles:
        txn.put_articles(plan.articles)
    if plan.rules is not None and (txn.storage.dirty or plan.stored_articles):
        txn.update_meta(rules=plan.rules)
    if txn.storage.dirty:
        txn.update_meta(last_refresh=stamp)


def _only_checked(before: Feed, after: Feed) -> bool:
    return replace(after, last_checked=before.last_checked, last_ok=before.last_ok) == before


def _apply(
    timeline: Timeline | None,
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
