"""When the user last looked, kept in a small state file beside the store (`<store>.visit.json`).

A state file rather than the store's meta: opening the app must not write the store (that would
take the writer lock and wake every other open app's live reload).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from amity.store.storage import atomic_write_json


@dataclass
class Visits:
    """The previous visit's end time, and new events the user had not seen by then."""

    last_visit: str | None = None
    unseen: set[str] = field(default_factory=set)


def visit_path(store_path: Path) -> Path:
    """The state file beside a store file."""
    return store_path.with_name(store_path.name + ".visit.json")


def load_visits(path: Path) -> Visits:
    """Read the state file; a missing or unreadable one means a first visit."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        last = data.get("last_visit")
        unseen = data.get("unseen", [])
        if not isinstance(last, str) or not isinstance(unseen, list):
            return Visits()
        return Visits(last, {u for u in unseen if isinstance(u, str)})
    except (OSError, ValueError, AttributeError):
        return Visits()


def save_visits(path: Path, visits: Visits) -> None:
    """Write the state file atomically; failing to is not worth an error at exit."""
    with contextlib.suppress(OSError):
        atomic_write_json(path, {"last_visit": visits.last_visit, "unseen": sorted(visits.unseen)})
