"""The store file on disk: TinyDB over one JSON document, replaced atomically, never half-written.

TinyDB's own JSONStorage rewrites the file in place (a kill mid-write leaves it truncated) and its
tables cache ids and query results across processes. Here every operation opens the file afresh,
writes are buffered for the length of one locked transaction, and the file is replaced with a
fsynced temporary file in the same folder, so readers need no lock and see before or after.
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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

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
        gc.freeze()  # freeze + unfreeze: every tracked object lands in the oldest generation
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def load_document(path: Path) -> dict[str, Any]:
    """Read and check the whole store file; raise StoreError (naming the path) if unusable."""
    try:
        raw = read_regular_file(path)
    except FileNotFoundError:
        raise
    except NotRegularFile as exc:
        raise StoreError(f"{path}: {exc}; it was left untouched") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store: {exc.strerror or exc}") from None
    if not raw.strip():
        raise StoreDamaged(f"{path}: the store file is empty (damaged?); it was left untouched")
    if raw.startswith(codecs.BOM_UTF8):  # json.loads allowed one (a text editor's); orjson not
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        # orjson: 0.26 s against json's 0.42 s for 100k events; it raises json.JSONDecodeError
        # (a subclass) for bad syntax and for bytes that are not UTF-8 alike.
        data = orjson.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreDamaged(
            f"{path}: the store file is damaged ({exc}); it was left untouched"
        ) from None
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
    for name, table in data.items():
        # Checked here, once, so that no later reader or writer trips over a damaged record.
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreDamaged(f"{path}: table {name!r} is damaged; it was left untouched")
    problem = damage(data)
    if problem:
        raise StoreDamaged(f"{path}: the store is damaged ({problem}); it was left untouched")
    return data


class NotRegularFile(ValueError):
    """A folder, device or pipe where a file was expected."""


def read_regular_file(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file. A FIFO would block forever and /dev/zero never end: they
    (and folders) raise NotRegularFile, a file over `max_bytes` ValueError; OSError as usual."""
    # Non-blocking: opening a FIFO with no writer must not wait; fstat then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotRegularFile("not a regular file (a folder, device or pipe)")
        data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise ValueError(f"larger than {max_bytes} bytes")
    return data


def atomic_write_json(path: Path, data: Any) -> None:
    """Write compact JSON to `path` atomically (see `atomic_write_bytes`)."""
    atomic_write_bytes(path, _dump_compact(data))


def atomic_write_bytes(path: Path, content: bytes) -> None:
    """Write `content` beside `path`, fsync it, rename it over `path`, fsync the folder. A
    symbolic link is written through: its target is replaced, the link stays."""
    path = through_links(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp_name, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)


def through_links(path: Path) -> Path:
    """The file a symbolic link points to (followed to the end), or `path` itself."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def _dump_compact(data: Any) -> bytes:
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
    # mid-write only skips that write.
    own = re.compile(re.escape(f".{path.name}.") + r"(?:view\.)?[a-z0-9_]{8}\.tmp")
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


class BufferedJSONStorage(Storage):
    """A TinyDB storage that reads the file once and keeps writes in memory until `flush`."""

    def __init__(self, path: str | os.PathLike[str], data: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self._data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        """The whole document (loaded on first use)."""
        if self._data is None:
            self._data = load_document(self.path)
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        """Buffer the new document; nothing touches the disk until `flush`."""
        self._data = data
        self.dirty = True

    def flush(self) -> None:
        """Replace the file atomically with the buffered document, if anything changed."""
        if self.dirty and self._data is not None:
            atomic_write_json(self.path, self._data)
            self.dirty = False

    def close(self) -> None:
        """Nothing to release: the file is never held open."""


class KeyedTable(Table):
    """A table whose document ids are the records' own string keys (event id, feed URL).

    TinyDB types document ids as int; the methods here take and give the string keys, so the
    one place that says so is `_doc_id` (and `by_key` for the way back)."""

    document_id_class = str  # type: ignore[assignment]

    def by_key(self) -> dict[str, Document]:
        """Every record, by key."""
        return cast(dict[str, Document], {doc.doc_id: doc for doc in self.all()})

    def record(self, key: str) -> Document | None:
        """The record stored under `key`, if any."""
        return self.get(doc_id=_doc_id(key))

    def has(self, key: str) -> bool:
        """Whether a record is stored under `key`."""
        return self.contains(doc_id=_doc_id(key))

    def remove_keys(self, keys: Iterable[str]) -> list[str]:
        """Delete the records stored under these keys; returns the keys that were present."""
        present = [key for key in keys if self.has(key)]
        if present:
            self.remove(doc_ids=[_doc_id(key) for key in present])
        return present

    def put(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Insert or replace records by key in one batch."""
        # TinyDB has no keyed upsert in bulk: drop the keys present, then insert all at once.
        self.remove_keys(records)
        if records:
            self.insert_multiple(Document(dict(r), doc_id=_doc_id(k)) for k, r in records.items())


def _doc_id(key: str) -> int:
    return cast(int, key)  # a KeyedTable's document ids are strings (document_id_class)


class StoreDB(TinyDB):
    """TinyDB with keyed tables."""

    table_class = KeyedTable

    def table(self, name: str, **kwargs: Any) -> KeyedTable:
        """The keyed table `name`."""
        return cast(KeyedTable, super().table(name, **kwargs))
