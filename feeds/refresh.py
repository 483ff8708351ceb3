"""One refresh end to end, in named phases: plan (which feeds are due: plan.py), gather (fetch
and read them in parallel: gather.py), decide (each answer → the feed's next state and the
timeline's: decide.py, worked out as the answers arrive) and save (one atomic write, also when
cancelled: save.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable, Sequence

import httpx
from amity.store import Config, Feed, Store, StoreError, Transaction, format_iso
from amity.store.notices import warn

from .classify import rules_fingerprint
from .decide import Changes, Decision, Outcome, brings_articles
from .gather import gather
from .plan import due_feeds, select_feeds
from .report import FeedResult, RefreshReport
from .save import save
from .worker import Worker, worker_for

Progress = Callable[[int, int, str], None]


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
    todo, skipped = due_feeds(feeds, now, force=force)
    completed: list[Outcome] = []
    total = len(feeds)
    done = 0

    def finished(url: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, url)

    for feed in skipped:
        finished(feed.url)
    with worker_for(config) as worker:
        ahead = _Ahead(store, config, now, todo, worker)
        try:
            await gather(
                todo,
                config,
                worker,
                completed,
                ahead.arrived,
                finished,
                transport,
            )
        except BaseException as exc:
            # Cancelled, or the progress callback failed (the app has gone): the TaskGroup has
            # cancelled the other tasks; keep what finished, then stop. The answers still
            # queued for the worker are not decided ahead: that work would only delay the exit.
            ahead.failed = True
            save(store, config, completed, now, complete=False)
            if isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
                raise exc.exceptions[0] from None  # the caller's error, not the TaskGroup's
            raise
        # On the worker's thread, after every answer it was handed.
        saving = asyncio.wrap_future(worker.later(ahead.save, completed))
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


class _Ahead:
    """The refresh's decision, made on the worker's thread as the answers arrive (see
    decide.Decision) from a read of the store taken when the first articles come, or at once
    when some feed has no validator to answer "not modified" with: a refresh in which no feed
    brings any reads the store only to save."""

    def __init__(
        self, store: Store, config: Config, now: dt.datetime, todo: Sequence[Feed], worker: Worker
    ):
        self.store, self.config, self.now, self.worker = store, config, now, worker
        self.expected = [feed.url for feed in todo]
        self.decision: Decision | None = None
        self.draft: Transaction | None = None
        self.held: list[Outcome] = []
        self.handed = False  # has the worker been handed an answer yet?
        self.failed = False
        if any(feed.etag is None and feed.last_modified is None for feed in todo):
            # A feed that cannot answer "not modified" brings its items if it answers at all:
            # the store is read now, while the first answers are still on the wire, instead of
            # when they come (at 100k events the read is ~0.15 s of the worker's CPU).
            worker.later(self._read_early)

    def arrived(self, outcome: Outcome) -> None:
        """Hand one more answer to the worker's thread, to be taken behind the reads queued
        so far (on the event loop's thread). Answers that bring nothing before the first that
        does are only held, so a refresh in which no feed brings any wakes the worker only to
        save (a hand-over to a thread costs a wake-up, and the GIL, each)."""
        if not self.held and not self.handed:
            # Whatever the answers bring, the save takes the writer lock and compares the rules'
            # fingerprint (~14 ms of CPU, cold): done now, while later answers are still on
            # the wire, not after the last one.
            self.worker.later(self._get_ready)
        if not self.handed and not brings_articles(outcome):
            self.held.append(outcome)  # the worker reads `held` only once handed an answer
            return
        self.handed = True
        self.worker.later(self.take, outcome)

    def _read_early(self) -> None:
        if self.decision is None and not self.failed:
            with contextlib.suppress(StoreError):  # save meets it again and reports it
                self.draft = self.store.draft()

    def _get_ready(self) -> None:
        self.store.ready_to_write()
        rules_fingerprint(self.config)

    def take(self, outcome: Outcome) -> None:
        """Fold one more answer into the decision (on the worker's thread)."""
        if self.failed:
            return
        try:
            if self.decision is None:
                if not brings_articles(outcome):
                    self.held.append(outcome)
                    return
                draft, self.draft = self.draft or self.store.draft(), None
                stamp = format_iso(self.now)
                self.decision = Decision(draft, self.config, self.now, stamp, self.expected)
                for held in self.held:
                    self.decision.take(held)
            self.decision.take(outcome)
        except StoreError:  # damaged or unreadable: save meets it again and reports it
            self.failed, self.decision = True, None
        except Exception as exc:
            # A bug here must not cost the refresh: save decides the plain way, after the
            # downloads, as before deciding ahead existed; but it is not kept quiet.
            self.failed, self.decision = True, None
            warn(f"deciding as the answers came failed ({exc!r}); decided after the downloads")

    def save(self, outcomes: Sequence[Outcome]) -> Changes:
        """Save every outcome, with the decision made so far (on the worker's thread)."""
        decision = None if self.failed else self.decision
        return save(self.store, self.config, outcomes, self.now, decision=decision)
