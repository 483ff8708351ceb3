"""Where a refresh's CPU work runs: reading each body (parse, then the facts clustering needs)
and, at the end, deciding and saving.

In a thread of this process (the app, whose other threads a fork would copy), the parses share
one core with the event loop that fetches. On the command line the process has nothing else
running, so a process forked for the refresh reads the bodies on the other core; it then also
decides and saves, so the parsed articles never travel back (pickling them cost as much as half
the parse)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from amity.store import Config, Store

from .classify import judge
from .cluster import Facts, facts_for, title_key
from .decide import Changes, Outcome
from .fetch import Fetched, FetchError
from .parse import ParsedFeed, load_parser, parse_feed
from .save import save


@contextmanager
def worker_for(store: Store, config: Config, *, fork: bool = False) -> Iterator[Worker]:
    """The worker of one refresh of `store`: a process forked at the first body if `fork` and
    this process has no other thread then (a fork copies none of them), else one thread."""
    work = Worker(store, config, fork=fork and "fork" in multiprocessing.get_all_start_methods())
    try:
        yield work
    finally:
        if work.executor is not None:
            work.executor.shutdown(wait=False, cancel_futures=True)


class Worker:
    """The refresh's reads, in line, and how far they have got: a cancel finishes the read
    that is next in line (under way, or waiting only for the parser to load) and drops the
    rest; and the save."""

    def __init__(self, store: Store, config: Config, *, fork: bool) -> None:
        self.store = store
        self.config = config
        self.fork = fork
        self.forked = False
        self.executor: Executor | None = None
        self.submitted = 0
        self.finished = 0  # written by the executor's thread only
        self.headlines: set[str] = set()  # relevant ones read so far (by its one thread)
        if not fork:
            self._start()

    def _start(self) -> Executor:
        # One reader takes every body in turn: reads are mostly Python holding the GIL, so
        # more threads would only fight the event loop (and each other) for it.
        if self.fork and threading.active_count() == 1:
            self.forked = True
            self.executor = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_process,
                initargs=(self.store, self.config),
            )
            self.executor.submit(_loaded)
        else:
            self.executor = ThreadPoolExecutor(1, thread_name_prefix="amity-parse")
            self.executor.submit(load_parser)  # while the first requests are on the wire
        return self.executor

    def read(self, fetched: Fetched, feed_url: str, name: str) -> tuple[int, Future[Any]]:
        """Queue a body's read; returns its place in line and its future: (parsed, facts), or
        (None, None) in a forked worker, which keeps them for `save`."""
        executor = self.executor or self._start()
        self.submitted += 1
        job: Future[Any]
        if self.forked:
            job = executor.submit(_read_and_keep, fetched, feed_url, name)
        else:
            job = executor.submit(_read, fetched, self.config, name, self.headlines)
        job.add_done_callback(self._done)
        return self.submitted, job

    def _done(self, job: Future[Any]) -> None:
        if not job.cancelled():
            self.finished += 1

    def next_in_line(self, place: int) -> bool:
        """Has every read queued before this one finished?"""
        return self.finished >= place - 1

    def save(
        self, outcomes: Sequence[Outcome], now: dt.datetime, *, complete: bool = True
    ) -> Changes:
        """`save` the outcomes where they were read (blocks until it is done)."""
        if self.forked and self.executor is not None:
            try:
                return self.executor.submit(_save_kept, outcomes, now, complete).result()
            except BrokenProcessPool:  # the process died (killed?): what it read is lost
                outcomes = [_whole(outcome, {}) for outcome in outcomes]
        return save(self.store, self.config, outcomes, now, complete=complete)


def _read(
    fetched: Fetched, config: Config, name: str = "", headlines: set[str] | None = None
) -> tuple[ParsedFeed, dict[str, Facts]]:
    # Everything about the articles that needs no store, done while other feeds are in flight.
    # The name the person gave the feed is its sources' publisher, before the channel's title.
    parsed = parse_feed(fetched.content(config.refresh.max_bytes), fetched.url, publisher=name)
    if headlines is None:
        return parsed, facts_for(parsed.articles, config)
    # Facts only save the decide step working them out. A relevant headline already read in
    # this refresh is most likely the same story from another feed, which the timeline takes
    # once: its facts are worked out there, and only if they are needed.
    facts: dict[str, Facts] = {}
    for article in parsed.articles:
        headline = title_key(article.title)
        if headline not in headlines:
            facts.update(facts_for((article,), config))
            if facts[article.id].relevant:
                headlines.add(headline)
    return parsed, facts


# -- the forked process: what it inherited, and what it has read ------------------------------

_store: Store | None = None
_config: Config | None = None
_kept: dict[str, tuple[ParsedFeed, dict[str, Facts]]] = {}  # by feed URL
_headlines: set[str] = set()


def _start_process(store: Store, config: Config) -> None:
    global _store, _config
    _store, _config = store, config
    # Ctrl-C and SIGTERM are for the refresh to handle (it finishes the read under way, then
    # saves here): this process must not die of them first. Nor may a signal here wake the
    # event loop it was forked from (asyncio's wakeup descriptor is shared).
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _loaded() -> None:
    assert _config is not None
    load_parser()
    judge("", "", _config)  # builds the rules


def _read_and_keep(fetched: Fetched, feed_url: str, name: str) -> tuple[None, None]:
    assert _config is not None
    _kept[feed_url] = _read(fetched, _config, name, _headlines)
    return None, None


def _whole(outcome: Outcome, kept: dict[str, tuple[ParsedFeed, dict[str, Facts]]]) -> Outcome:
    # An outcome as the process that read its body knows it: with what was read.
    if outcome.fetched is None or outcome.fetched.status != "ok" or outcome.parsed is not None:
        return outcome
    read = kept.pop(outcome.feed.url, None)
    if read is None:
        error = FetchError("cannot read this feed: the process reading it stopped")
        return replace(outcome, fetched=None, error=error)
    return replace(outcome, parsed=read[0], facts=read[1])


def _save_kept(outcomes: Sequence[Outcome], now: dt.datetime, complete: bool) -> Changes:
    assert _store is not None and _config is not None
    whole = [_whole(outcome, _kept) for outcome in outcomes]
    changes = save(_store, _config, whole, now, complete=complete)
    # What the refresh reports: the written events and articles need not travel back.
    return replace(changes, feeds=[], events=[], articles={})
