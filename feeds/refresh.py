"""One refresh end to end, in named phases: plan (which feeds are due: plan.py), gather (fetch
and read them in parallel: gather.py), decide (each answer → the feed's next state and the
timeline's: decide.py) and save (one atomic write, also when cancelled: save.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Sequence

import httpx
from amity.store import Config, Store

from .decide import Outcome
from .gather import gather
from .plan import due_feeds, select_feeds
from .report import FeedResult, RefreshReport
from .save import save
from .worker import worker_for

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
        try:
            await gather(todo, config, worker, completed, finished, transport)
        except BaseException as exc:
            # Cancelled, or the progress callback failed (the app has gone): the TaskGroup has
            # cancelled the other tasks; keep what finished, then stop.
            save(store, config, completed, now, complete=False)
            if isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
                raise exc.exceptions[0] from None  # the caller's error, not the TaskGroup's
            raise
        saving = asyncio.ensure_future(asyncio.to_thread(save, store, config, completed, now))
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
