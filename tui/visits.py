"""When the user last looked, kept in a small state file beside the store (`<store>.visit.json`).

A state file rather than the store's meta: opening the app must not write the store (that would
take the writer lock and wake every other open app's live reload).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from amity.store.database import VISIT_SUFFIX
from amity.store.notices import warn
from amity.store.storage import SIDE_FILE_BYTES, atomic_write_json, read_regular_file
from amity.store.text import describe_error


@dataclass
class Visits:
    """The previous visit's end time, new events the user had not seen by then, how many sources
    recent events had (so a source added later is news too), and the theme chosen."""

    last_visit: str | None = None
    unseen: set[str] = field(default_factory=set)
    sources: dict[str, int] = field(default_factory=dict)
    theme: str | None = None


def visit_path(store_path: Path) -> Path:
    """The state file beside a store file."""
    return store_path.with_name(store_path.name + VISIT_SUFFIX)


def load_visits(path: Path) -> Visits:
    """Read the state file; a missing or unreadable one means a first visit."""
    try:
        data = orjson.loads(read_regular_file(path, SIDE_FILE_BYTES))
        last = data.get("last_visit")
        unseen = data.get("unseen", [])
        sources = data.get("sources", {})
        theme = data.get("theme")
        if not isinstance(last, str) or not isinstance(unseen, list):
            return Visits(theme=theme if isinstance(theme, str) else None)
        return Visits(
            last,
            {u for u in unseen if isinstance(u, str)},
            _counts(sources) if isinstance(sources, dict) else {},
            theme if isinstance(theme, str) else None,
        )
    except FileNotFoundError:
        return Visits()
    except (OSError, ValueError, AttributeError, RecursionError) as exc:
        warn(f"{path}: ignored, it will be rewritten ({describe_error(exc)})")
        return Visits()


def _counts(sources: dict[str, Any]) -> dict[str, int]:
    # 15,000 at 100k events: the types are looked at in C first, as they nearly always hold.
    if set(map(type, sources.values())) <= {int}:
        return sources
    return {k: v for k, v in sources.items() if isinstance(v, int)}


def save_visits(path: Path, visits: Visits) -> None:
    """Write the state file atomically; failing to is not worth an error at exit."""
    with contextlib.suppress(OSError):
        atomic_write_json(
            path,
            {
                "last_visit": visits.last_visit,
                "unseen": sorted(visits.unseen),
                "sources": visits.sources,
                "theme": visits.theme,
            },
        )
