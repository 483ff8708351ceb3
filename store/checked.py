"""When a refresh last checked the feeds. A check that finds nothing new writes nothing to the
store, so the time is kept in a small sidecar file beside it (`<store>.refreshed`), and the
store's own `meta.last_refresh` only says when a refresh last changed something."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from .clock import parse_iso
from .database import CHECKED_SUFFIX, Store
from .notices import warn
from .storage import SIDE_FILE_BYTES, atomic_write, dump_compact, read_regular_file
from .text import describe_error

SUFFIX = CHECKED_SUFFIX


class Read(Protocol):
    """A read of the store that knows when a refresh last changed it (a Snapshot, a Timeline)."""

    @property
    def last_refresh(self) -> str | None:
        """When a refresh last finished, if ever."""


def sidecar_path(store: Store) -> Path:
    """The sidecar file of `store`: stat it to notice a check that did not touch the store."""
    return store.path.with_name(store.path.name + SUFFIX)


def record_check(store: Store, stamp: str) -> None:
    """Remember that a refresh completed its check at `stamp` (UTC ISO), unless a later check
    is already recorded. Call while holding the store's writer lock (inside a transaction):
    that lock also keeps another writer's leftover sweep away from the temporary file."""
    path = sidecar_path(store)
    if _later(_read(path), stamp) != stamp:
        return
    content = dump_compact({"last_checked": stamp})
    try:
        # Not fsynced (~12 ms of a refresh's wall time on this machine's disk, for a refresh
        # that writes nothing else): a crash may lose the time, or leave a file that is then
        # ignored and rewritten; the store itself is untouched either way.
        atomic_write(path, lambda handle: handle.write(content), durable=False)
    except OSError as exc:  # a folder in its place, say: the refresh itself is saved
        warn(f"{path}: cannot record when the feeds were checked: {describe_error(exc)}")


def last_checked(store: Store, snapshot: Read | None = None) -> str | None:
    """When a refresh last completed its check of the feeds (UTC ISO), or None if never: the
    later of the store's `meta.last_refresh` and the sidecar. Pass the `snapshot` you already
    hold to avoid reading the store again; a missing or unreadable sidecar is ignored."""
    if snapshot is None:
        snapshot = store.snapshot()
    return _later(snapshot.last_refresh, _read(sidecar_path(store)))


def _read(path: Path) -> str | None:
    try:
        data = json.loads(read_regular_file(path, SIDE_FILE_BYTES))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        warn(f"{path}: ignored, it will be rewritten ({describe_error(exc)})")
        return None
    value = data.get("last_checked") if isinstance(data, dict) else None
    return value if isinstance(value, str) and parse_iso(value) is not None else None


def _later(a: str | None, b: str | None) -> str | None:
    moment_a, moment_b = parse_iso(a), parse_iso(b)
    if moment_a is None or moment_b is None:
        return a if moment_a is not None else (b if moment_b is not None else None)
    return b if moment_b > moment_a else a
