"""The gather phase of a refresh: fetch the due feeds in parallel over one client, and read
each body (parse, then the facts clustering needs) in one parse thread as it arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from amity.store import Config, Feed
from amity.store.text import describe_error

from .cluster import Facts, facts_for
from .fetch import Fetched, FetchError, Limiter, fetch, make_client
from .parse import ParsedFeed, ParseError, load_parser, parse_feed

DEADLINE_GRACE = 1.0  # seconds past the deadline before the whole refresh stops waiting


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one feed before anything is decided or saved."""

    feed: Feed
    fetched: Fetched | None = None
    parsed: ParsedFeed | None = None
    error: FetchError | None = None
    facts: dict[str, Facts] | None = None


async def gather(
    todo: Sequence[Feed],
    config: Config,
    completed: list[Outcome],
    finished: Callable[[str], None],
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Fetch and read every feed in `todo`, appending each one's outcome to `completed` as it
    ends (a caller cancelled meanwhile keeps what finished) and calling `finished(url)`.
    Feeds the refresh's deadline left unfinished are appended as timed out."""
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
        completed.extend(_unfinished(todo, completed, settings.deadline))


def _unfinished(
    todo: Sequence[Feed], completed: Sequence[Outcome], deadline: float
) -> list[Outcome]:
    done = {o.feed.url for o in completed}
    error = FetchError(
        f"timed out: the refresh's deadline of {deadline:g} s passed before this feed completed",
        answered=False,
        charged=False,
    )
    return [Outcome(feed, error=error) for feed in todo if feed.url not in done]


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
    completed: list[Outcome],
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
            outcome = Outcome(feed, fetched, parsed, facts=facts)
        except ParseError as exc:
            outcome = Outcome(feed, error=FetchError(str(exc)))
        except FetchError as exc:
            outcome = Outcome(feed, error=exc)
        except Exception as exc:  # a bug or a parser surprise must cost one feed, not the refresh
            outcome = Outcome(
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
