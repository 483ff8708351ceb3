"""The store file on disk: one TinyDB JSON document, replaced atomically, never half-written.

TinyDB's own JSONStorage rewrites the file in place (a kill mid-write leaves it truncated) and its
tables cache ids and query results across processes. Here every operation opens the file afresh,
writes are buffered for the length of one locked transaction (document.py), and the file is
replaced with a fsynced temporary file in the same folder, so readers need no lock and see before
or after.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import glob
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import orjson

from .records import damage

SCHEMA_VERSION = 1
EVENTS, FEEDS, ARTICLES, META = "events", "feeds", "articles", "meta"  # the tables
SIDE_FILE_BYTES = 16 * 1024 * 1024  # the small state files beside the store, at most


class StoreError(Exception):
    """The store cannot be used (exit code 3); the message names the file."""


class StoreDamaged(StoreError):
    """The file exists but is not a store amity can read; it is left untouched."""


class StoreTooNew(StoreError):
    """The file was written by a newer amity."""


class StoreLocked(StoreError):
    """Another process held the writer lock past the timeout."""


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector while building many acyclic objects.

    Every few hundred allocations the collector walks all young objects; loading 100k events
    made it walk them again and again (half the time of `amity list`). Refcounting still frees.
    On the way out what was built is moved to the oldest generation unscanned: left young, the
    next collection walked all ~1M new objects at once (0.3-0.6 s, landing in the app's first
    paint). Only a full collection looks at them again, as it would at any long-lived data.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        resume_gc(enable=was_enabled)


def resume_gc(*, enable: bool = True) -> None:
    """End a pause of the collector (see `paused_gc`): what was built meanwhile goes to the
    oldest generation unscanned, then the collector works again if `enable`."""
    gc.freeze()  # freeze + unfreeze: every tracked object lands in the oldest generation
    gc.unfreeze()
    if enable:
        gc.enable()


def read_store(path: Path) -> bytes:
    """The store file's bytes; FileNotFoundError when there is none, StoreError (naming the
    path) when it cannot be read."""
    try:
        raw = read_regular_file(path)
    except FileNotFoundError:
        raise
    except NotRegularFile as exc:
        raise StoreError(f"{path}: {exc}; it was left untouched") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store: {exc.strerror or exc}") from None
    if raw.startswith(codecs.BOM_UTF8):  # json.loads allowed one (a text editor's); orjson not
        raw = raw[len(codecs.BOM_UTF8) :]
    return raw


def check_document(path: Path, raw: bytes) -> dict[str, Any]:
    """Parse and check the store file's bytes; raise StoreError (naming the path) if unusable."""
    if not raw.strip():
        raise StoreDamaged(f"{path}: the store file is empty (damaged?); it was left untouched")
    try:
        # orjson: 0.26 s against json's 0.42 s for 100k events; it raises json.JSONDecodeError
        # (a subclass) for bad syntax and for bytes that are not UTF-8 alike.
        data = orjson.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreDamaged(
            f"{path}: the store file is damaged ({exc}); it was left untouched"
        ) from None
    check_schema(path, data)
    for name, table in data.items():
        # Checked here, once, so that no later reader or writer trips over a damaged record.
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreDamaged(f"{path}: table {name!r} is damaged; it was left untouched")
    problem = damage(data)
    if problem:
        raise StoreDamaged(f"{path}: the store is damaged ({problem}); it was left untouched")
    return data


def check_schema(path: Path, data: Any) -> None:
    """Raise StoreError unless `data` holds a meta record with a schema this amity reads."""
    meta_table = data.get("meta") if isinstance(data, dict) else None
    meta = meta_table.get("meta") if isinstance(meta_table, dict) else None
    schema = meta.get("schema") if isinstance(meta, dict) else None
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise StoreDamaged(f"{path}: not an amity store (no schema version); it was left untouched")
    if schema > SCHEMA_VERSION:
        raise StoreTooNew(
            f"{path}: written by a newer amity (schema {schema}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade amity to use it"
        )


class NotRegularFile(ValueError):
    """A folder, device or pipe where a file was expected."""


def open_regular_file(path: Path) -> BinaryIO:
    """A regular file opened for reading. A FIFO would block forever and /dev/zero never end:
    they (and folders) raise NotRegularFile; OSError as usual."""
    # Non-blocking: opening a FIFO with no writer must not wait; fstat then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    handle = os.fdopen(os.open(path, flags), "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise NotRegularFile("not a regular file (a folder, device or pipe)")
    return handle


def read_regular_file(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file (see `open_regular_file`); a file over `max_bytes` raises
    ValueError."""
    with open_regular_file(path) as handle:
        data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise ValueError(f"larger than {max_bytes} bytes")
    return data


CHUNK = 1 << 20  # bytes read at a time from a store or view file


def read_chunks(handle: BinaryIO) -> Iterator[bytes]:
    """The rest of `handle`, CHUNK bytes at a time."""
    while chunk := handle.read(CHUNK):
        yield chunk


def atomic_write_json(path: Path, data: Any) -> None:
    """Write compact JSON to `path` atomically (see `atomic_write_bytes`)."""
    atomic_write_bytes(path, dump_compact(data))


def atomic_write_bytes(path: Path, content: bytes) -> None:
    """Write `content` atomically (see `atomic_write`)."""
    atomic_write(path, lambda handle: handle.write(content))


def atomic_write(
    path: Path, write: Callable[[BinaryIO], object], *, durable: bool = True
) -> os.stat_result:
    """Let `write` fill a file beside `path`, fsync it, rename it over `path`, fsync the folder;
    returns the written file's status, taken before the rename (so it is that file's, whatever
    replaces `path` later). A symbolic link is written through: its target is replaced, the
    link stays. Not `durable`: no fsyncs (still whole or absent to readers; a crash may lose it)."""
    path = through_links(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp_name, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            write(cast(BinaryIO, _WritingBack(handle)) if durable and _FADVISE else handle)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
            written = os.fstat(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if durable:
        _fsync_dir(folder)
    return written


# Bytes written between two starts of write-back (see _WritingBack).
WRITE_BACK = 8 << 20
_FADVISE = hasattr(os, "posix_fadvise") and hasattr(os, "POSIX_FADV_DONTNEED")


class _WritingBack:
    """A file being written that hands each WRITE_BACK bytes to the disk as soon as they are
    written, without waiting: the final fsync then waits for the last few instead of all of
    them (an 86 MB store: 0.045 -> 0.008 s of fsync on this machine's ext4, for the same CPU).
    POSIX_FADV_DONTNEED starts the write-back of dirty pages and drops only clean ones, which
    these are not yet (PostgreSQL flushes its files so where sync_file_range is missing)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._started = 0  # where the write-back not yet started begins

    def write(self, data: bytes | memoryview) -> int:
        """Write `data`; start the write-back of what was written since the last start."""
        written = self._handle.write(data)
        at = self._handle.tell()
        if at - self._started >= WRITE_BACK:
            self._handle.flush()
            with contextlib.suppress(OSError):  # only ever a hint
                os.posix_fadvise(
                    self._handle.fileno(), self._started, at - self._started, os.POSIX_FADV_DONTNEED
                )
            self._started = at
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def through_links(path: Path) -> Path:
    """The file a symbolic link points to (followed to the end), or `path` itself."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def dump_compact(data: Any) -> bytes:
    """Compact UTF-8 JSON."""
    # The same compact UTF-8 JSON as json.dump(ensure_ascii=False, separators=(",", ":")),
    # written by orjson in a tenth of the time (0.05 s against 0.43 s for 100k events).
    try:
        return orjson.dumps(data)
    except TypeError:  # what orjson refuses (non-str keys, ints over 64 bits): json's rules
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def remove_leftovers(path: Path) -> None:
    """Delete temporary files that writers killed mid-write left beside `path`.

    Call only while holding the writer lock: then no live writer owns any of them.
    """
    # Only the store's own: ".<name>.<8 random characters>.tmp", as mkstemp names them. The
    # temporary files of "<name>.bak", "<name>.visit.json" or an export to "<name>.old" look
    # alike but carry a dot more, and belong to writers this lock does not stop. The view's
    # (".<name>.view.<8>.tmp", see view.py) are the store's too: a reader that loses one
    # mid-write only skips that write; and so are the check time's (".<name>.refreshed.<8>.tmp",
    # see checked.py), written only under this lock.
    own = re.compile(re.escape(f".{path.name}.") + r"(?:view\.|refreshed\.)?[a-z0-9_]{8}\.tmp")
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        if own.fullmatch(leftover.name):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _mode_for(path: Path) -> int:
    # mkstemp makes 0600 files; keep the store's own mode, or the usual umask default.
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
