"""When a feed may be fetched again: server hints (Retry-After, max-age, ttl) and backoff."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from amity.store import format_iso, parse_iso

MAX_HINT = dt.timedelta(hours=24)
BACKOFF_BASE = dt.timedelta(minutes=15)
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.I | re.A)
# ASCII digits only: str.isdigit() also accepts "²" and "①", which float() then refuses.
_SECONDS = re.compile(r"\d+", re.A)


def max_age(cache_control: str | None) -> float | None:
    """Seconds from `Cache-Control: max-age=N`, if given."""
    match = _MAX_AGE.search(cache_control or "")
    return float(match.group(1)) if match else None


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds from a `Retry-After` header (delta seconds or an HTTP date), if usable; None
    for anything else, whatever the server sent."""
    if not value:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value[:100])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def hinted_next_check(now: dt.datetime, *seconds: float | None) -> str | None:
    """The earliest next fetch the server asked for (the longest hint, capped at 24 h)."""
    hints = [s for s in seconds if s is not None and s > 0]
    if not hints:
        return None
    # Capped before it becomes a timedelta: a header may name more seconds than one can hold.
    return format_iso(now + dt.timedelta(seconds=min(max(hints), MAX_HINT.total_seconds())))


def backoff_next_check(now: dt.datetime, failures: int, max_hours: float) -> str:
    """After `failures` failures in a row: 15 min, 30 min, 1 h, ... capped at `max_hours`."""
    delay = BACKOFF_BASE * (2 ** min(max(failures - 1, 0), 20))
    return format_iso(now + min(delay, dt.timedelta(hours=max_hours)))


def due(next_check: str | None, now: dt.datetime) -> bool:
    """Whether a feed may be fetched now."""
    when = parse_iso(next_check)
    return when is None or when <= now
