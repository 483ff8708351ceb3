"""The store: open (creating and seeding a new one), read a snapshot, write in one transaction."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from . import view as views
from .clock import utc_now
from .config import ConfigError
from .curated import CuratedUpdate, bundled_sets, plan_update
from .curation import keep_edits, removed_ids, without_moved
from .document import Document, Table, index_lines
from .model import Event
from .notices import warn
from .paths import default_db_path
from .storage import (
    ARTICLES,
    EVENTS,
    FEEDS,
    META,
    SCHEMA_VERSION,
    StoreError,
    StoreLocked,
    atomic_write,
    check_document,
    check_schema,
    paused_gc,
    read_chunks,
    read_store,
    remove_leftovers,
    through_links,
)
from .stored_events import StoredEvents
from .subscriptions import DEFAULT_FEEDS, Feed

DEFAULT_LOCK_TIMEOUT = 10.0
# The files kept beside the store: its writer lock, when feeds were last checked (checked.py)
# what the app last showed (tui/visits.py) and the read-only view of the events (view.py).
LOCK_SUFFIX, CHECKED_SUFFIX, VISIT_SUFFIX = ".lock", ".refreshed", ".visit.json"
SIDE_SUFFIXES = (LOCK_SUFFIX, CHECKED_SUFFIX, VISIT_SUFFIX, views.SUFFIX)
_LOCK_SETUP = threading.Lock()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The store as one read saw it: enough for `list`, the app and a refresh to plan."""

    events: tuple[Event, ...]
    feeds: tuple[Feed, ...]
    meta: dict[str, Any]
    signature: tuple[int, int, int] = (0, 0, 0)

    @property
    def last_refresh(self) -> str | None:
        """When a refresh last finished, if ever."""
        return self.meta.get("last_refresh")


@dataclass(frozen=True, slots=True)
class Head:
    """The store without its events and articles: what a refresh plans and decides with."""

    feeds: tuple[Feed, ...]
    meta: dict[str, Any]
    signature: tuple[int, int, int]


@dataclass
class Transaction:
    """One locked read-modify-write of the store; everything is saved in a single write."""

    document: Document
    # Which file was read: (mtime_ns, size, inode), as Store.signature() gives it.
    signature: tuple[int, int, int] = (0, 0, 0)
    # The view that vouched for the file read (see Store._read_document), if one did.
    view: views.View | None = None

    @property
    def dirty(self) -> bool:
        """Whether anything changed since the read (then the store is written at the end)."""
        return self.document.dirty

    @property
    def meta(self) -> dict[str, Any]:
        """The meta record (a copy; change it with `update_meta`)."""
        return self.document.table(META).record("meta") or {}

    def update_meta(self, **changes: Any) -> None:
        """Set keys of the meta record."""
        self.table(META).put({"meta": {**self.meta, **changes}})

    def events(self) -> dict[str, Event]:
        """Every event, by id."""
        with paused_gc():  # 100k acyclic objects: the collector would walk them again and again
            return {
                key: Event.from_trusted(doc) for key, doc in self.table(EVENTS).by_key().items()
            }

    def stored_events(self) -> StoredEvents:
        """Every event by id, each built when first asked for (see stored_events.py)."""
        return StoredEvents(self.table(EVENTS), self.view)

    def put_events(self, events: Iterable[Event], *, by_person: bool = False) -> tuple[int, int]:
        """Insert or replace events by id in one pass; returns (new, updated). Unchanged events
        are not counted and do not make the store dirty. Unless the write is the person's own
        (`by_person`, store/curation.py), their edits are kept (curation.keep_edits), sources
        they moved stay moved, and events they removed or merged away are not written."""
        table = self.table(EVENTS)
        now = utc_now()
        new, changed = [], []
        meta = self.meta
        removed, moved = removed_ids(meta), meta.get("moved", {})
        # The last of several with one id wins: TinyDB refuses a batch that repeats an id.
        for event in {event.id: event for event in events}.values():
            if event.id in removed:  # merged away or removed by the person: never back
                continue
            old = table.record(event.id)
            if not by_person:
                if old is not None and ("edits" in old or "note" in old or "hidden" in old):
                    event = keep_edits(Event.from_trusted(old), event)
                if moved:
                    event = without_moved(event, moved)
            added = (old.get("added") if old else None) or event.added or now
            record = event.with_changes(added=added).to_record()
            if old is None:
                new.append(record)
            elif old != record:
                changed.append(record)
        table.put({r["id"]: r for r in [*new, *changed]})
        return len(new), len(changed)

    def remove_events(self, ids: Iterable[str]) -> int:
        """Delete events by id, remembering curated ones so seeding never brings them back."""
        table = self.table(EVENTS)
        records = {i: doc for i in ids if (doc := table.record(i)) is not None}
        if not records:
            return 0
        curated = [i for i, doc in records.items() if doc.get("origin") == "curated"]
        table.remove_keys(records)
        if curated:
            self.update_meta(removed=sorted(self.removed_ids() | set(curated)))
        return len(records)

    def removed_ids(self) -> frozenset[str]:
        """Ids of events the person deleted or merged away: never brought back."""
        return removed_ids(self.meta)

    def articles(self) -> dict[str, dict[str, Any]]:
        """Every stored feed article record, by article id (the feeds layer's bookkeeping)."""
        return self.table(ARTICLES).by_key()

    def put_articles(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Insert or replace article records by id."""
        self.table(ARTICLES).put(records)

    def remove_articles(self, ids: Iterable[str]) -> None:
        """Delete article records by id (those no longer kept once the rules changed)."""
        self.table(ARTICLES).remove_keys(ids)

    def feeds(self) -> dict[str, Feed]:
        """Every subscribed feed, by URL."""
        feeds = self.table(FEEDS).by_key()
        return {url: Feed.from_dict(doc) for url, doc in feeds.items()}

    def put_feeds(self, feeds: Iterable[Feed]) -> None:
        """Insert or replace feeds by URL."""
        self.table(FEEDS).put({f.url: f.to_dict() for f in feeds})

    def remove_feed(self, url: str) -> bool:
        """Unsubscribe; False if the URL was not subscribed."""
        return bool(self.table(FEEDS).remove_keys([url]))

    def table(self, name: str) -> Table:
        """A raw table, for store-internal callers."""
        return self.document.table(name)


class Store:
    """The amity store file: readers take a snapshot, writers a locked transaction."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, lock_timeout: float | None = None
    ) -> None:
        # A symbolic link is written through: the lock, the sweep and every write are the
        # target's, so two links to one store share one lock and the link is never replaced.
        self.path = through_links(Path(path) if path else default_db_path())
        if lock_timeout is None:
            lock_timeout = _lock_timeout_from_env()
        self.lock_timeout = lock_timeout
        self._file_lock: Any = None  # made on the first write (see _lock)
        self._lock_pid = 0  # the process that made it
        # The document ensure_ready just read, kept for the first snapshot if the file is still
        # the same one: reading 100k events twice doubled the start-up of `amity list`.
        self._preloaded: tuple[tuple[int, int, int], Document] | None = None
        self._view: views.View | None = None
        # What opening this store updated to a newer curated dataset, for a one-time notice.
        self.curated_updates: tuple[CuratedUpdate, ...] = ()

    @property
    def _lock(self) -> Any:
        # filelock costs every reader ~20 ms of imports; only writers need it. A process forked
        # after a write makes its own: filelock refuses an inherited one.
        if self._file_lock is None or self._lock_pid != os.getpid():
            import filelock

            with _LOCK_SETUP:
                if self._file_lock is None or self._lock_pid != os.getpid():
                    self._file_lock = filelock.FileLock(
                        str(self.path) + LOCK_SUFFIX, timeout=self.lock_timeout
                    )
                    self._lock_pid = os.getpid()
        return self._file_lock

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, lock_timeout: float | None = None
    ) -> Store:
        """Open the store, creating and seeding it if the file does not exist yet, and updating
        it to a newer curated dataset (see `curated_updates`); raises StoreError if it cannot be
        used."""
        store = cls(path, lock_timeout=lock_timeout)
        store.ensure_ready()
        return store

    def ensure_ready(self) -> None:
        """Create a missing store; apply a newer curated dataset once; refuse unusable files."""
        signature = self.signature()
        view = self.view()
        if view is not None and not _needs_seeding({META: {"meta": view.meta}}):
            return  # the view was made from this very file, after it was checked
        try:
            with paused_gc():
                raw = read_store(self.path)
                data = check_document(self.path, raw)
        except FileNotFoundError:
            data = None
        if data is not None and not _needs_seeding(data):
            lines = _laid_out(raw, data)
            document = lines or Document.of(data)
            del data
            if self.signature() == signature:  # the file read is the one the view names
                crc = zlib.crc32(raw)
                views.write(
                    self.path, document, lambda: (signature, crc), by_line=lines is not None
                )
            if self.view() is None:
                # No view vouches for the file (it could not be written): the first read takes
                # this document. With a view, every read goes through it: kept, it would only
                # hold the whole file in memory for nothing.
                self._preloaded = (signature, document)
            return
        with self.transaction() as txn:
            self.curated_updates = tuple(seed(txn))

    def view(self) -> views.View | None:
        """The read-only view of the store file as it is now (see view.py), or None when there
        is none; a damaged one is reported on stderr and left to be made again."""
        signature = self.signature()
        cached = self._view
        if cached is not None and cached.signature == signature:
            return cached
        try:
            self._view = views.read(self.path, signature)
        except views.ViewDamaged as exc:
            self.discard_view(exc)
        return self._view

    def discard_view(self, error: views.ViewDamaged) -> None:
        """Say that the view is damaged and remove it; the next open makes it again."""
        views.discard(self.path, error)
        self._view = None

    def signature(self) -> tuple[int, int, int]:
        """(mtime_ns, size, inode) of the file: changes whenever any process writes it."""
        try:
            st = self.path.stat()
        except OSError:  # missing, or unreachable: reading it says why, naming the file
            return (0, 0, 0)
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def snapshot(self) -> Snapshot:
        """Read the whole store once, without a lock (writes are atomic replaces): from its view
        when that was made from this very file (no articles parsed, the events built batch by
        batch instead of after the whole document), else from the file itself."""
        view = self.view()
        if view is not None:
            try:
                with paused_gc():
                    events = tuple(view.events())
                feeds = tuple(Feed.from_dict(doc) for doc in view.feeds)
                return Snapshot(events, feeds, dict(view.meta), view.signature)
            except views.ViewDamaged as exc:
                self.discard_view(exc)
        signature = self.signature()
        with paused_gc():
            txn = Transaction(self._document(signature, keep=False), signature)
            events = tuple(txn.events().values())
            feeds = tuple(txn.feeds().values())
        return Snapshot(events=events, feeds=feeds, meta=txn.meta, signature=signature)

    def feeds(self) -> tuple[Feed, ...]:
        """The subscribed feeds alone, without building every event (refresh plans with this)."""
        return self.head().feeds

    def head(self) -> Head:
        """The feeds and the meta record as one read saw them, without building any event."""
        view = self.view()
        if view is not None:
            feeds = tuple(Feed.from_dict(doc) for doc in view.feeds)
            return Head(feeds, dict(view.meta), view.signature)
        signature = self.signature()
        txn = Transaction(self._document(signature, keep=True), signature)
        return Head(tuple(txn.feeds().values()), txn.meta, signature)

    def _document(self, signature: tuple[int, int, int], *, keep: bool) -> Document:
        # The document `open` read, while the file is still that one (a write replaces the
        # inode and changes mtime and size), else a fresh read. `keep` leaves it for the
        # next reader; snapshots and transactions take it, so no process holds two copies.
        preloaded = self._preloaded
        if not keep:
            self._preloaded = None
        if preloaded is not None and preloaded[0] == signature:
            return preloaded[1]
        self._preloaded = None
        return self._read_document(signature)[0]

    def events(self) -> list[Event]:
        """Every event (unordered)."""
        return list(self.snapshot().events)

    def ready_to_write(self) -> None:
        """Load what taking the writer lock needs (filelock: ~8 ms of imports) ahead of time,
        from a thread that would otherwise wait."""
        _ = self._lock

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the writer lock (for side files written beside the store without a transaction);
        raises StoreLocked past the timeout."""
        try:
            self._wait_for_lock()
        except OSError as exc:  # e.g. a folder that cannot be created or written
            raise StoreError(
                f"{self.path}: cannot take the writer lock {self._lock.lock_file}: "
                f"{exc.strerror or exc}"
            ) from None
        heartbeat = _Heartbeat(self._lock.lock_file)
        try:
            yield
        finally:
            heartbeat.stop()
            self._lock.release()

    @contextmanager
    def transaction(self, draft: Transaction | None = None) -> Iterator[Transaction]:
        """Take the writer lock, read the file fresh, and save once at the end if anything
        changed. An exception inside leaves the file as it was. A `draft` (see `draft`) left
        unchanged is taken as the read when the file holds the very bytes it was read from."""
        with self.writer_lock():
            remove_leftovers(self.path)
            # Always a fresh read under the lock: a signature match could, in theory, miss
            # a rewrite (inode reused within one mtime tick, same size) and lose a write.
            self._preloaded = None
            txn = self._read_transaction(draft)
            yield txn
            if not txn.dirty:
                return
            # The view is made on a thread while the store is written (the bulk of either is
            # CRC-32 and file writes, which let go of the GIL): it names the file written, so
            # it waits for the store's write to end before writing its header.
            store_written: Future[tuple[tuple[int, int, int], int]] = Future()
            view = _Background(
                lambda: views.write(
                    self.path,
                    txn.document,
                    store_written.result,
                    previous=txn.view,
                    by_line=True,
                    locked=True,
                )
            )
            try:
                store_written.set_result(self._write(txn.document))
            finally:
                if not store_written.done():  # whatever came between, the view must not wait on
                    store_written.set_exception(views.Abandoned())
                # Still under the lock, so no other amity write can come between; and the view
                # names the file written, not whatever another program may have put there since.
                # When the store was not written, its error is the one to tell, not the view's;
                # when it was, a view left behind only makes the next read slower (it no longer
                # names the store file, so it is not trusted): the write stands.
                failure = view.wait()
                if store_written.exception() is None and failure is not None:
                    reason = f"the view was not updated ({failure})"
                    warn(f"{self.path}: {reason}; the next read makes it")

    def _write(self, document: Document) -> tuple[tuple[int, int, int], int]:
        # Replace the store file with `document`; returns the file's signature and CRC-32.
        crc = 0

        def write(handle: BinaryIO) -> None:
            nonlocal crc
            crc = document.write_to(handle)

        try:
            written = atomic_write(self.path, write)
        except OSError as exc:  # disk full, read-only folder: the old file is still whole
            reason = exc.strerror or exc
            raise StoreError(f"{self.path}: cannot write the store: {reason}") from None
        return (written.st_mtime_ns, written.st_size, written.st_ino), crc

    def _wait_for_lock(self) -> None:
        # A writer waits as long as the holder shows it is alive and working (its heartbeat
        # touches the lock file): a refresh of a large store may hold the lock longer than the
        # timeout, and the work of a waiting import or refresh must not be thrown away. The
        # timeout counts from the holder's last sign of life, so a stopped or stuck holder
        # (or another program holding the file) still ends the wait.
        import filelock

        lock, patience = self._lock, self.lock_timeout
        started = time.monotonic()
        told = False
        while True:
            quiet = min(time.monotonic() - started, _silence(lock.lock_file))
            try:
                lock.acquire(timeout=max(0.0, min(patience - quiet, HEARTBEAT * 2)))
                return
            except filelock.Timeout:
                pass
            quiet = min(time.monotonic() - started, _silence(lock.lock_file))
            if quiet >= patience:
                raise StoreLocked(
                    f"{self.path}: another amity process is writing the store "
                    f"(lock {lock.lock_file} held for over {patience:g} s without a sign of life)"
                ) from None
            if not told and time.monotonic() - started >= patience:
                warn(f"{self.path}: waiting for another amity process that is writing the store")
                told = True

    def own_files(self) -> tuple[Path, ...]:
        """The store file and the files kept beside it (lock, check time, visit state, the
        view and its bases)."""
        beside = (self.path.with_name(self.path.name + s) for s in SIDE_SUFFIXES)
        return (self.path, *beside, *views.bases(self.path))

    def owns(self, path: str | os.PathLike[str]) -> bool:
        """Whether `path` is the store or one of its side files (through links and all), so
        an export or any other output never overwrites them."""
        target = os.path.realpath(path)
        for own in self.own_files():
            if os.path.realpath(own) == target:
                return True
            with contextlib.suppress(OSError):  # hard links, or another path to one file
                if os.path.samefile(own, path):
                    return True
        return False

    def draft(self) -> Transaction:
        """The store as it is now, without the lock, as a Transaction that is never saved: for
        working out a write's changes (CPU work) before taking the lock. Compare its
        `signature` with the locked transaction's to know whether the file changed since.
        What the write will take from the view is read meanwhile (see View.read_ahead)."""
        txn = self._read_transaction()
        if txn.view is not None:
            txn.view.read_ahead()
        return txn

    def _read_transaction(self, draft: Transaction | None = None) -> Transaction:
        signature = self.signature()  # before the read: a write in between makes them differ
        if draft is not None and _unchanged_since(self.path, draft, signature):
            # Read and compared afresh: indexing the same 100k records again is all it saves.
            return Transaction(draft.document, signature, draft.view)
        try:
            document, view = self._read_document(signature)
        except FileNotFoundError:
            document, view = Document.of(_empty_document(), fresh=True), None
        return Transaction(document, signature, view)

    def _read_document(self, signature: tuple[int, int, int]) -> tuple[Document, views.View | None]:
        # A file its view vouches for (made from this very file, after it was checked, and laid
        # out one record per line) is only indexed: its records stay text until something
        # reads or replaces them. Any other is parsed and checked whole.
        with paused_gc():
            raw = read_store(self.path)
            view = self.view() if self.signature() == signature else None
            if view is not None and view.signature == signature and view.by_line:
                document = index_lines(raw)
                if document is not None:
                    check_schema(self.path, {META: {"meta": document.table(META).record("meta")}})
                    return document, view
            return Document.of(check_document(self.path, raw)), None

    def put_events(self, events: Iterable[Event]) -> tuple[int, int]:
        """Merge events by id in one write; returns (new, updated)."""
        with self.transaction() as txn:
            return txn.put_events(events)


class _Background:
    """One call run on a thread of its own; `wait` waits for it and returns what it raised."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="amity-view")
        self._thread.start()

    def _run(self, work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as exc:
            self._failure = exc

    def wait(self) -> BaseException | None:
        """Wait for the call to end; return what it raised, if anything."""
        self._thread.join()
        return self._failure


HEARTBEAT = 0.25  # seconds between the lock holder's signs of life


class _Heartbeat:
    """While a writer holds the lock, touch the lock file every HEARTBEAT seconds: waiting
    writers see the holder is alive and working (see Store._wait_for_lock)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._stopped = threading.Event()
        self._beat()
        threading.Thread(target=self._run, name="amity-lock-heartbeat", daemon=True).start()

    def _run(self) -> None:
        while not self._stopped.wait(HEARTBEAT):
            self._beat()

    def _beat(self) -> None:
        with contextlib.suppress(OSError):
            os.utime(self._path)

    def stop(self) -> None:
        """No more beats (the lock is about to be released)."""
        self._stopped.set()


def _silence(lock_file: str) -> float:
    """Seconds since the lock file was last touched (a holder's heartbeat); 0 if unknown."""
    try:
        return max(0.0, time.time() - os.stat(lock_file).st_mtime)
    except OSError:
        return 0.0


def _lock_timeout_from_env() -> float:
    raw = os.environ.get("AMITY_LOCK_TIMEOUT")
    if raw is None:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise ConfigError(f"AMITY_LOCK_TIMEOUT must be a number of seconds >= 0, got {raw!r}")
    return value


def _empty_document() -> dict[str, Any]:
    return {
        META: {"meta": {"schema": SCHEMA_VERSION, "created": utc_now(), "seeded": {}}},
        EVENTS: {},
        FEEDS: {},
        ARTICLES: {},
    }


def _unchanged_since(path: Path, draft: Transaction, signature: tuple[int, int, int]) -> bool:
    """Whether the store file holds, byte for byte, what `draft` indexed and left untouched
    (compared chunk by chunk: the file is never held twice)."""
    source = draft.document.source
    if source is None or draft.dirty or draft.view is None or draft.signature != signature:
        return False
    at = 0
    try:
        with path.open("rb") as handle:
            for chunk in read_chunks(handle):
                if source[at : at + len(chunk)] != chunk:
                    return False
                at += len(chunk)
    except OSError:
        return False
    return at == len(source)


def _laid_out(raw: bytes, data: dict[str, Any]) -> Document | None:
    """The document indexed by line when the file is laid out one record per line (the very
    tables and keys the whole parse found), else None."""
    document = index_lines(raw)
    if document is None or document.tables.keys() != data.keys():
        return None
    for name, table in document.tables.items():
        if table.keys() != data[name].keys():
            return None
    return document


def _needs_seeding(data: dict[str, Any]) -> bool:
    seeded = data.get(META, {}).get("meta", {}).get("seeded", {})
    return any(seeded.get(s.name, 0) < s.version for s in bundled_sets())


def seed(txn: Transaction) -> list[CuratedUpdate]:
    """Add the bundled curated events (and, in a new store, the default feeds), or bring a store
    seeded with an older dataset version up to date; returns what each update did (nothing for
    a new store). Once per version: the version is recorded in meta "seeded". A person's edits,
    notes, hidden events and removed ids survive (curated.plan_update, put_events)."""
    meta = txn.meta
    seeded: dict[str, int] = dict(meta.get("seeded", {}))
    removed = removed_ids(meta)
    first_time = not seeded
    updates = []
    stored = txn.events()
    for curated in bundled_sets():
        from_version = seeded.get(curated.name, 0)
        if from_version >= curated.version:
            continue
        writes, kept, withheld = plan_update(curated, from_version, stored, removed)
        added, revised = txn.put_events(writes)
        seeded[curated.name] = curated.version
        if from_version:
            updates.append(
                CuratedUpdate(curated.name, curated.version, added, revised, kept, withheld)
            )
    if first_time and not len(txn.table(FEEDS)):
        txn.put_feeds(DEFAULT_FEEDS)
    if seeded != meta.get("seeded"):
        txn.update_meta(seeded=seeded)
    return updates
