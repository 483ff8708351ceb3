"""Timestamps as the store keeps them: UTC, ISO 8601, seconds, with a Z."""

from __future__ import annotations

import datetime as dt


def format_iso(moment: dt.datetime) -> str:
    """A moment in the store's form: UTC ISO 8601 to the second, with a Z."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(value: str | None) -> dt.datetime | None:
    """An ISO time as an aware datetime (UTC when it names no zone), or None if absent or
    malformed."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def utc_now() -> str:
    """The current time in the store's form."""
    return format_iso(dt.datetime.now(dt.UTC))
