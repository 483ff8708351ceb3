"""The plan phase of a refresh: which subscribed feeds it covers, and which of those are due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from amity.store import Feed

from .politeness import due


class NotSubscribed(ValueError):
    """A refresh was asked for a feed that is not subscribed (raised before any fetch)."""


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


def due_feeds(
    feeds: Sequence[Feed], now: dt.datetime, *, force: bool = False
) -> tuple[list[Feed], list[Feed]]:
    """The feeds to fetch now and those to skip (their next check has not come), in order;
    `force` fetches every one, ignoring backoff and server hints."""
    todo: list[Feed] = []
    skipped: list[Feed] = []
    for feed in feeds:
        (todo if force or due(feed.next_check, now) else skipped).append(feed)
    return todo, skipped
