"""The gather phase of a refresh: fetch the due feeds in parallel over one client, and hand
each body to the refresh's worker (worker.py) to be read as it arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import httpx
from amity.store import Config, Feed
from amity.store.text import describe_error

from .decide import Outcome
from .fetch import FetchError, Limiter, fetch, make_client
from .parse import ParseError
from .worker import Worker

DEADLINE_GRACE = 1.0  # seconds past the deadline before the whole refresh stops waiting


async def gather(
    todo: Sequence[Feed],
    config: Config,
    worker: Worker,
    completed: list[Outcome],
    arrived: Callable[[Outcome], object],
    finished: Callable[[str], None],
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Fetch every feed in `todo` and have `worker` read it, appending each one's outcome to
    `completed` as it ends (a caller cancelled meanwhile keeps what finished) and handing it
    to `arrived`, then calling `finished(url)`. Feeds the refresh's deadline left unfinished
    are appended as timed out."""
    settings = config.refresh
    limiter = Limiter(settings.concurrency, settings.per_host)
    # The deadline holds for the whole refresh, not only each download: feeds still waiting
    # for their turn when it passes are reported and tried again next time. The grace lets
    # feeds that started at once end with their own, clearer timeout.
    overall = asyncio.timeout(settings.deadline + DEADLINE_GRACE)
    try:
        async with (
            overall,
            make_client(settings, transport) as client,
            asyncio.TaskGroup() as group,
        ):
            for feed in todo:
                group.create_task(
                    _one(client, limiter, worker, feed, config, completed, arrived, finished)
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


async def _one(
    client: httpx.AsyncClient,
    limiter: Limiter,
    worker: Worker,
    feed: Feed,
    config: Config,
    completed: list[Outcome],
    arrived: Callable[[Outcome], object],
    finished: Callable[[str], None],
) -> None:
    cancelled = False
    async with limiter.slot(feed.url) as request_done:
        try:
            fetched = await fetch(
                client,
                feed.url,
                config.refresh,
                etag=feed.etag,
                last_modified=feed.last_modified,
                body_coming=worker.expect_body,
            )
            # The next feed's request need not wait for this parse (parses queue for the GIL).
            request_done()
            parsed = facts = None
            if fetched.status == "ok":
                place, job = worker.read(fetched, feed.title)
                parsing = asyncio.wrap_future(job)
                try:
                    parsed, facts = await asyncio.shield(parsing)
                except asyncio.CancelledError:
                    # Still queued behind other parses: drop it, stop now.
                    if not worker.next_in_line(place) and job.cancel():
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
        arrived(outcome)
    if cancelled:
        raise asyncio.CancelledError
    finished(feed.url)
