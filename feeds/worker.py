"""Where a refresh reads what it fetched: one thread reads each body as it arrives (parse, then
the facts clustering needs) while other feeds are in flight, and takes the refresh's other work
in the same line (deciding each answer, then saving: refresh.py, decide.py, save.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from amity.store import Config

from .cluster import Facts, facts_for, title_key
from .fetch import Fetched
from .parse import ParsedFeed, load_parser, parse_feed

T = TypeVar("T")


@contextmanager
def worker_for(config: Config) -> Iterator[Worker]:
    """The worker of one refresh: one thread that reads the bodies in turn, then decides."""
    work = Worker(config)
    try:
        yield work
    finally:
        work.executor.shutdown(wait=False, cancel_futures=True)


class Worker:
    """The refresh's reads, in line, and how far they have got: a cancel finishes the read
    that is next in line (under way, or waiting only for the parser to load or for an answer
    being decided) and drops the rest."""

    def __init__(self, config: Config) -> None:
        self.config = config
        # One reader takes every body in turn: reads are mostly Python holding the GIL, so
        # more threads would only fight the event loop (and each other) for it.
        self.executor: Executor = ThreadPoolExecutor(1, thread_name_prefix="amity-parse")
        self.loading = False
        self.submitted = 0
        self.finished = 0  # written by the executor's thread only
        self.headlines: set[str] = set()  # relevant ones read so far (by its one thread)

    def expect_body(self) -> None:
        """Start loading the parser (~20 ms of CPU), once, when the first body is on its way:
        it loads while that body downloads, and a refresh in which every feed answers 304
        never loads it."""
        if not self.loading:
            self.loading = True
            self.executor.submit(load_parser)

    def read(self, fetched: Fetched, name: str) -> tuple[int, Future[Any]]:
        """Queue a body's read; returns its place in line and its future: (parsed, facts)."""
        self.expect_body()
        self.submitted += 1
        job = self.executor.submit(_read, fetched, self.config, name, self.headlines)
        job.add_done_callback(self._done)
        return self.submitted, job

    def later(self, work: Callable[..., T], *args: Any) -> Future[T]:
        """Queue other work on the reader's thread, behind the reads queued so far."""
        return self.executor.submit(work, *args)

    def _done(self, job: Future[Any]) -> None:
        if not job.cancelled():
            self.finished += 1

    def next_in_line(self, place: int) -> bool:
        """Has every read queued before this one finished?"""
        return self.finished >= place - 1


def _read(
    fetched: Fetched, config: Config, name: str, headlines: set[str]
) -> tuple[ParsedFeed, dict[str, Facts]]:
    # Everything about the articles that needs no store, done while other feeds are in flight.
    # The name the person gave the feed is its sources' publisher, before the channel's title.
    body = fetched.content(config.refresh.max_bytes)
    parsed = parse_feed(body, fetched.url, publisher=name, charset=fetched.charset)
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
