"""Timestamps as the store keeps them: UTC, ISO 8601, seconds, with a Z."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    """The current time as a UTC ISO timestamp (seconds precision)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(value: str | None) -> dt.datetime | None:
    """A stored UTC ISO time as an aware datetime, or None if absent or malformed."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
