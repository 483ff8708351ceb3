"""A read-only view of the store, kept beside it (`<store>.view`), for readers that would
otherwise parse the whole store file: `amity list --json`, the app's first paint, a refresh's
plan, `Store.open`.

It holds the events in timeline order (newest first) as the very JSON lines `list --json`
prints, the columns that filtering and the app's index need, and the feeds and meta records.
It is valid only while the store file's signature (mtime, size, inode) is the one it was made
from, or the file is a copy of that one (same time and size, same CRC-32); TinyDB's file stays
the store of record. Every write of the store makes it again from the document in hand (only
what changed is built again); a reader that finds it missing or stale reads the store as before
and writes it again, and one that finds it damaged says so and does the same. It also vouches
for the store file: a write reads a file its view was made from without checking it again.

Layout: a magic line, a header line (JSON: signature, meta, feeds, and where each part is with
its length and CRC-32), then the parts: one JSON list per column, the lines' and the search
texts' start offsets (native 64-bit integers), the search texts and the lines joined by ",\\n".
A column is a JSON list, but for two that the app reads at every start and that decode in C:
a coded column is its codes (32-bit unsigned, little-endian) then its distinct values' JSON
list, and the ids are a newline followed by the ids joined by newlines (a JSON list if an id
holds a newline, which a store's own ids never do).

At a large store, a write does not copy the 100 MB of lines and search texts it did not change:
the view it replaces stays as its base (hard-linked as `<store>.view.<gen>`), and the new view
holds only what changed, its lines and search texts laid as runs over the base's and its own
bytes (`runs` in the header). Once its own bytes grow past a share of the base's, a write makes
the whole view again and the bases no view names any more are removed.
"""

from __future__ import annotations

import bisect
import contextlib
import glob
import itertools
import os
import re
import sys
import threading
import weakref
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, cast

import orjson

from .document import Document, Table, Value
from .jsontext import compact_json
from .model import Event
from .notices import warn
from .query import search_text, timeline_key
from .storage import (
    CHUNK,
    NotRegularFile,
    atomic_write,
    dump_compact,
    open_regular_file,
    paused_gc,
    read_chunks,
)

SUFFIX = ".view"
MAGIC = b"amity-view 6\n"  # 6: codes and ids no longer JSON (see the module's doc)
_FORMAT = b"amity-view "  # a view of another version is made again, silently
# What the timeline's index (store/index.py) filters and prints with, without building events
# (`publishers`: each source's publisher). The search texts are one more part (see `texts`).
COLUMNS = (
    *("id", "date", "end_date", "kind", "topics", "milestone", "origin", "hidden", "added"),
    *("title", "certainty", "publishers"),
)
# Columns whose values repeat, kept as {"values": [each distinct value], "codes": [one index
# into values per event]}: read back, every event shares one object per value (lists become
# tuples), so a column costs 100,000 pointers where parsing 100,000 lists peaked at 20 MB.
CODED = frozenset({"date", "end_date", "kind", "topics", "origin", "added", "certainty"})
CODED |= {"publishers"}
# A coded column's codes: an array typecode of 4 bytes ("I" is, wherever CPython runs).
_CODE = next(typecode for typecode in "IL" if array(typecode).itemsize == 4)
_BIG_ENDIAN = sys.byteorder == "big"
SEPARATOR = b",\n"
INDENT = b"  "
# The parts that a view over a base lays in runs; a run is [source, at, length]: bytes of that
# part in the view's own file (OWN) or in its base's (BASE).
RUN_LAID = ("lines", "search")
# The columns a write over a view takes as lists (the others it takes coded), in the order
# a refresh's decision and the write need them.
_WRITE_READS = ("id", "date", "title", "title_length", "milestone", "hidden")
_READ_AHEAD = (*_WRITE_READS, *(f"coded:{name}" for name in sorted(CODED)), "positions")
OWN, BASE = 0, 1
# A write lays its lines over a base from this many bytes of lines (below, copying is cheap),
# while its own bytes stay under a DELTA_SHARE-th of its base's and its runs are few enough.
DELTA_FROM = 8 << 20
DELTA_SHARE = 4
MAX_RUNS = 4096
_GEN = re.compile(r"[0-9a-f]{16}")


class ViewDamaged(Exception):
    """The view file cannot be trusted; it is ignored and made again from the store."""


def view_path(store_path: Path) -> Path:
    """Where the view of the store at `store_path` lives."""
    return store_path.with_name(store_path.name + SUFFIX)


class _File:
    """One view file as read: its parts, each read from the handle opened when its header was
    read (a write that replaces the file meanwhile does not mix two versions), checked
    against its CRC-32."""

    def __init__(self, path: Path, parts: dict[str, list[int]], start: int, handle: BinaryIO):
        self.path = path
        self.parts = parts
        self._start = start
        self.handle = handle
        self._lock = threading.Lock()  # one seek-and-read at a time (the app reads from two)
        self._checked: set[str] = set()  # parts read whole and found to match their CRC-32
        weakref.finalize(self, handle.close)

    def pread(self, at: int, length: int) -> bytes:
        """`length` bytes from `at`, counted from the first part."""
        if hasattr(os, "pread"):
            return os.pread(self.handle.fileno(), length, self._start + at)
        with self._lock:
            self.handle.seek(self._start + at)
            return self.handle.read(length)

    def read(self, name: str) -> bytes:
        """One part's bytes, checked."""
        at, length, crc = self.parts[name]
        raw = self.pread(at, length)
        if len(raw) != length or zlib.crc32(raw) != crc:
            raise ViewDamaged(f"{self.path}: its {name} do not match their checksum")
        self._checked.add(name)
        return raw

    def check(self, name: str) -> None:
        """Read one part in chunks and raise ViewDamaged unless it matches its CRC-32."""
        if name in self._checked:
            return
        running = 0
        for chunk in self.span(name, 0, self.parts[name][1]):
            running = zlib.crc32(chunk, running)
        if running != self.parts[name][2]:
            raise ViewDamaged(f"{self.path}: its {name} do not match their checksum")
        self._checked.add(name)

    def span(self, name: str, start: int, stop: int) -> Iterator[bytes]:
        """The bytes `start:stop` of one part, in chunks (never all in memory)."""
        at, length, _crc = self.parts[name]
        if not 0 <= start <= stop <= length:
            raise ViewDamaged(f"{self.path}: its {name} are cut short")
        while start < stop:
            chunk = self.pread(at + start, min(stop - start, CHUNK))
            if not chunk:
                raise ViewDamaged(f"{self.path}: its {name} are cut short")
            start += len(chunk)
            yield chunk


class View:
    """One read of the view file: the header in memory, every other part read on first use
    and checked against its CRC-32, from the file the header was read from (kept open: a
    write that replaces the view meanwhile does not mix two versions); lines and search texts
    laid in runs (see the module's doc) also from the base it was read with."""

    def __init__(
        self,
        path: Path,
        header: dict[str, Any],
        start: int,
        handle: BinaryIO,
        base: _File | None = None,
    ) -> None:
        self.path = path
        self._file = _File(path, header["parts"], start, handle)
        self._base = base
        self.gen: str = header["gen"]
        self.base_gen: str = header["base"] or ""  # the base's gen ("": none)
        self.signature: tuple[int, int, int] = tuple(header["signature"])
        self.meta: dict[str, Any] = header["meta"]
        self.feeds: list[dict[str, Any]] = header["feeds"]
        self.longest_title: int = header["longest_title"]
        self.count: int = header["count"]
        # Whether the store file is laid out one record per line (document.py): then a write
        # may keep its untouched records as text.
        self.by_line: bool = header["by_line"]
        # Each part laid in runs: its runs, and where each starts in the part as read.
        self._runs: dict[str, list[tuple[int, int, int]]] = {}
        self._run_starts: dict[str, list[int]] = {}
        self._lengths: dict[str, int] = {}
        for name in RUN_LAID if base is not None else ():
            runs = [(source, at, length) for source, at, length in header["runs"][name]]
            self._runs[name] = runs
            ends = list(itertools.accumulate(length for _source, _at, length in runs))
            self._run_starts[name] = [0, *ends[:-1]]
            self._lengths[name] = ends[-1] if ends else 0
        self._columns: dict[str, list[Any]] = {}
        self._coded: dict[str, dict[str, Any]] = {}  # coded columns read ahead
        self._pending: dict[str, threading.Event] = {}  # what is read ahead, set once read
        self._reader = 0  # the read-ahead thread's ident
        self._positions: dict[str, int] | None = None
        self._offsets: dict[str, array[int]] = {}
        self._ahead: threading.Thread | None = None
        self._ahead_lock = threading.Lock()

    def __len__(self) -> int:
        return self.count

    def _read(self, name: str) -> bytes:
        if name in self._runs:
            self._check(name)
            return b"".join(self.span(name, 0, self.part_length(name)))
        return self._file.read(name)

    def part(self, name: str) -> bytes:
        """One part's bytes, checked."""
        return self._read(name)

    def column(self, name: str, *, keep: bool = True) -> list[Any]:
        """One column (see COLUMNS), newest first; kept for the next call unless `keep` is
        False (the caller keeps its own form of it)."""
        values = self._columns.get(name)
        if values is None and self._read_ahead_of(name):  # parsed once is enough
            values = self._columns.get(name)
        if values is None:
            try:
                values = _column_of(name, self._read(name), self.count)
            except (ValueError, LookupError, TypeError):
                raise ViewDamaged(f"{self.path}: its {name} do not parse") from None
            if not isinstance(values, list) or len(values) != self.count:
                raise ViewDamaged(f"{self.path}: its {name} are not one per event")
            if keep:
                self._columns[name] = values
        return values

    def coded(self, name: str) -> dict[str, Any]:
        """A coded column (see CODED) as stored: its distinct values (a list) and one code per
        event (an array)."""
        self._read_ahead_of(f"coded:{name}")
        kept = self._coded.get(name)
        if kept is not None:  # read ahead: the caller may add values to its own list
            return {"values": list(kept["values"]), "codes": kept["codes"]}
        try:
            values, codes = _codes_of(self._read(name), self.count)
        except (ValueError, TypeError):
            raise ViewDamaged(f"{self.path}: its {name} do not parse") from None
        return {"values": [_hashable(v) for v in values], "codes": codes}

    def positions(self) -> dict[str, int]:
        """Each event's position by id (kept)."""
        if self._positions is None:
            self._read_ahead_of("positions")
        if self._positions is None:
            ids = self.column("id")
            self._positions = dict(zip(ids, range(len(ids)), strict=True))
        return self._positions

    def part_length(self, name: str) -> int:
        """The length of one part in bytes."""
        length = self._lengths.get(name)
        return self._file.parts[name][1] if length is None else length

    @property
    def base_length(self) -> int:
        """The bytes of lines and search texts a view over this one would take as its base."""
        source = self._base or self._file
        return sum(source.parts[name][1] for name in RUN_LAID)

    def read_ahead(self) -> None:
        """Start reading, on a thread of its own, what a write that reuses this view takes
        from it: every column, parsed and kept, and each id's position (~0.1 s at 100k
        events, else spent in the save itself), and the lines and search texts it copies,
        checked (reading and checking let go of the GIL); they go on while a refresh is still
        downloading and deciding. The lines and search texts of a view a write will lay over
        as its base are not read."""
        with self._ahead_lock:  # two threads may ask at once (a cancelled refresh's save)
            if self._ahead is None:
                pending = {name: threading.Event() for name in _READ_AHEAD}
                ahead = threading.Thread(
                    target=self._read_ahead, args=(pending,), name="amity-view-ahead"
                )
                ahead.daemon = True  # a process that ends meanwhile only drops the reading
                ahead.start()
                self._pending = pending  # waited on only once there is a thread to set them
                # Seen by other threads only once started: the view's writer may wait for it.
                self._ahead = ahead

    def _read_ahead(self, pending: dict[str, threading.Event]) -> None:
        self._reader = threading.get_ident()  # what it reads, it never waits for
        try:
            with contextlib.suppress(ViewDamaged, OSError):  # the write meets it again, says so
                for name, ready in pending.items():
                    if name == "positions":
                        self.positions()
                    elif name.startswith("coded:"):
                        self._coded[name[6:]] = self.coded(name[6:])
                    else:
                        self.column(name)
                    ready.set()
        finally:
            for ready in pending.values():
                ready.set()
        if self._base is None and self.base_length >= DELTA_FROM:
            return  # the next write lays over this view
        with contextlib.suppress(ViewDamaged, OSError):  # then the write reads them itself
            for name in RUN_LAID:
                self._file.check(name)

    def _read_ahead_of(self, name: str) -> bool:
        # Wait for `name` if the read-ahead has it in hand; whether it had.
        pending = self._pending.get(name)
        if pending is None or threading.get_ident() == self._reader:
            return False
        pending.wait()
        return True

    def _wait_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.join()

    def check(self, name: str) -> None:
        """Read one part in chunks and raise ViewDamaged unless it matches its CRC-32."""
        self._wait_ahead()
        self._check(name)

    def check_own(self, name: str) -> None:
        """Check the bytes of one part that lie in the view's own file."""
        self._wait_ahead()
        self._file.check(name)

    def _check(self, name: str) -> None:
        self._file.check(name)
        if name in self._runs:
            assert self._base is not None
            self._base.check(name)

    def span(self, name: str, start: int, stop: int) -> Iterator[bytes]:
        """The bytes `start:stop` of one part, in chunks (never all in memory)."""
        runs = self._runs.get(name)
        if runs is None:
            yield from self._file.span(name, start, stop)
            return
        if not 0 <= start <= stop <= self.part_length(name):
            raise ViewDamaged(f"{self.path}: its {name} are cut short")
        starts = self._run_starts[name]
        n = max(0, bisect.bisect_right(starts, start) - 1)
        while start < stop:
            source, at, length = runs[n]
            first = start - starts[n]
            last = min(stop - starts[n], length)
            if last > first:
                file = self._file if source == OWN else self._base
                assert file is not None
                yield from file.span(name, at + first, at + last)
                start += last - first
            n += 1

    def piece(self, name: str, start: int, stop: int) -> bytes:
        """The bytes `start:stop` of one part."""
        if name not in self._runs:
            at = self._file.parts[name][0]
            if not 0 <= start <= stop <= self._file.parts[name][1]:
                raise ViewDamaged(f"{self.path}: its {name} are cut short")
            return self._file.pread(at + start, stop - start)
        return b"".join(self.span(name, start, stop))

    @property
    def handle(self) -> BinaryIO:
        """The view file as read (kept open)."""
        return self._file.handle

    def own_span(self, name: str, start: int, stop: int) -> Iterator[bytes]:
        """The bytes `start:stop` of the part of `name` in the view's own file, in chunks."""
        return self._file.span(name, start, stop)

    @property
    def base_file(self) -> tuple[str, BinaryIO] | None:
        """The gen and the open file of the base this view lies over, if any."""
        if self._base is None:
            return None
        return self.base_gen, self._base.handle

    def runs(self, name: str) -> list[tuple[int, int, int]]:
        """One part as runs of [source, at, length] (one run of the own file if not laid)."""
        return self._runs.get(name) or [(OWN, 0, self._file.parts[name][1])]

    def texts(self) -> Texts:
        """Every event's search text (`search_text`), newest first, as one UTF-8 block: 35 MB
        at 100,000 events, where a list of strings parsed from JSON peaked at twice that."""
        self._wait_ahead()
        block = self._read("search")
        bounds = self.search_offsets
        if len(bounds) != self.count + 1 or bounds[0] != 0 or bounds[-1] != len(block):
            raise ViewDamaged(f"{self.path}: its search texts are not one per event")
        return Texts(block, bounds)

    @property
    def offsets(self) -> array[int]:
        """Where each event's line starts in the lines part."""
        return self._offsets_of("offsets", self.count)

    @property
    def search_offsets(self) -> array[int]:
        """Where each event's search text starts in the search part, and where the last ends."""
        return self._offsets_of("search_offsets", self.count + 1)

    def _offsets_of(self, name: str, count: int) -> array[int]:
        offsets = self._offsets.get(name)
        if offsets is None:
            offsets = array("q")
            offsets.frombytes(self._read(name))
            if len(offsets) != count:
                raise ViewDamaged(f"{self.path}: its {name} are not one per event")
            self._offsets[name] = offsets
        return offsets

    def copy_lines(self, out: BinaryIO, before: bytes = b"", after: bytes = b"") -> None:
        """Write every line, newest first, joined by ',\\n' as `list --json` prints them, between
        `before` and `after`: checked whole before the first byte goes out, then streamed (never
        all in memory)."""
        self.check("lines")
        out.write(before)
        for chunk in self.span("lines", 0, self.part_length("lines")):
            out.write(chunk)
        out.write(after)

    def events(self, batch: int = 4096) -> Iterator[Event]:
        """Every event, newest first, read in batches (never all the lines in memory at once)
        and checked against the lines' CRC-32: ViewDamaged is raised, at the latest after the
        last event, when they differ."""
        laid = "lines" in self._runs
        if laid:
            self.check("lines")  # in runs: checked part by part first
        length = self.part_length("lines")
        offsets, added, ids = self.offsets, self.column("added"), self.column("id")
        running = 0
        for first in range(0, self.count, batch):
            last = min(first + batch, self.count)
            stop = offsets[last] if last < self.count else length
            raw = self.piece("lines", offsets[first], stop)
            if not laid:
                running = zlib.crc32(raw, running)
            try:
                records = orjson.loads(b"[" + raw.removesuffix(SEPARATOR) + b"]")
            except orjson.JSONDecodeError:
                raise ViewDamaged(f"{self.path}: its lines do not parse") from None
            if len(records) != last - first:
                raise ViewDamaged(f"{self.path}: its lines are not one per event")
            for position, record in enumerate(records, first):
                if not isinstance(record, dict) or record.get("id") != ids[position]:
                    raise ViewDamaged(f"{self.path}: event {position} is not the one indexed")
                record["added"] = added[position]
                yield Event.from_trusted(record)
        if not laid and running != self._file.parts["lines"][2]:
            raise ViewDamaged(f"{self.path}: its lines do not match their checksum")

    def lines(self, positions: Sequence[int]) -> list[bytes]:
        """The lines (with their indent) of the events at `positions`."""
        return [self._line(p, indent=True) for p in positions]

    def _line(self, position: int, *, indent: bool) -> bytes:
        offsets = self.offsets
        length = self.part_length("lines")
        start = offsets[position] + (0 if indent else len(INDENT))
        stop = offsets[position + 1] - len(SEPARATOR) if position + 1 < self.count else length
        if not 0 <= start < stop <= length:
            raise ViewDamaged(f"{self.path}: event {position} is out of place")
        return self.piece("lines", start, stop)

    def event(self, position: int) -> Event:
        """The event at `position` (its line is checked to be the event the columns index
        there)."""
        try:
            record = orjson.loads(self._line(position, indent=False))
        except orjson.JSONDecodeError:
            raise ViewDamaged(f"{self.path}: event {position} does not parse") from None
        if not isinstance(record, dict) or record.get("id") != self.column("id")[position]:
            raise ViewDamaged(f"{self.path}: event {position} is not the one indexed")
        record["added"] = self.column("added")[position]
        return Event.from_trusted(record)


Stamp = Callable[[], tuple[tuple[int, int, int], int]]  # the store file's signature and CRC-32


def write_stamped(
    out: BinaryIO,
    document: Document,
    stamp: Stamp,
    previous: View | None = None,
    *,
    by_line: bool,
    beside: Path | None = None,
) -> str | None:
    """Write the view of `document` to `out` (a seekable file), naming the store file by what
    `stamp()` returns, asked once every part is written: it may wait for the store's own write
    to end. Events untouched since the document was read from the file `previous` is the view
    of keep their place, lines, texts and column values, taken from it run by run (a write that
    changed a few hundred of 100k events builds those few hundred and copies the rest);
    everything else is built. With `beside` (the view's path), a large view's lines and search
    texts are laid over `previous` (or its base), linked there as a base, instead of copied
    (see the module's doc). Each part's CRC-32 is worked out as it is written: the header is
    written first with the widest values it can hold, and again once they are known. Returns
    the gen of the base the view lies over, if any."""
    with paused_gc():
        runs = _Runs.of(document.table("events"), previous)
        try:
            parts, longest = runs.parts()
            laid = runs.laid(parts, beside)
        except ViewDamaged:  # the previous view, found damaged midway: everything is built
            runs = _Runs.of(document.table("events"), None)
            parts, longest = runs.parts()
            laid = None
        base = laid.base if laid is not None else None
        where, at = {}, 0
        for name, pieces in parts.items():
            length = runs.length(pieces)
            where[name] = [at, length, _WIDEST_CRC]
            at += length
        header = {
            "signature": [_WIDEST_NUMBER] * 3,
            "byteorder": sys.byteorder,
            "gen": os.urandom(8).hex(),  # secrets.token_hex; importing secrets loads hashlib
            "meta": document.table("meta").record("meta") or {},
            "feeds": document.table("feeds").all(),
            "count": runs.count,
            "longest_title": longest,
            "by_line": by_line,
            "store_crc": _WIDEST_CRC,
            "parts": where,
            "base": base,
            "runs": laid.runs if laid is not None else None,
        }
        reserved = len(orjson.dumps(header))
        out.write(MAGIC + b" " * reserved + b"\n")
        for name, pieces in parts.items():
            where[name][2] = runs.copy(name, pieces, out)
        signature, store_crc = stamp()
        if signature == (0, 0, 0):  # no file to name
            raise Abandoned
        header["signature"], header["store_crc"] = list(signature), store_crc
        out.seek(len(MAGIC))
        out.write(orjson.dumps(header).ljust(reserved))  # JSON allows the trailing spaces
        return base


# Values no signature or CRC-32 is wider than, held in the header until the real ones are known.
_WIDEST_NUMBER, _WIDEST_CRC = 2**64 - 1, 2**32 - 1


# The writer's records below are NamedTuples, not frozen dataclasses: every start (the app's,
# amity list's) imports this module, and a frozen dataclass's generated methods cost ~3
# million instructions each to compile there.


class _Span(NamedTuple):
    """Bytes of one part of the previous view, copied without holding them in memory."""

    start: int
    stop: int


class _Own(NamedTuple):
    """Bytes of one part in the previous view's own file (it lies over a base), copied."""

    start: int
    stop: int


_Piece = bytes | memoryview | _Span | _Own


class _Laid(NamedTuple):
    """A view's lines and search texts laid over a base: the base's gen and each part's runs."""

    base: str
    runs: dict[str, list[list[int]]]


def _key_of(new: _New) -> str:
    return new.key


def _over_base(
    previous: View, name: str, pieces: list[_Piece]
) -> tuple[list[_Piece], list[list[int]]]:
    """The part `name` made of `pieces` laid over the base of a view over `previous`: its runs,
    and the pieces of its own bytes (built, or copied from `previous`'s own bytes)."""
    laid, starts = previous.runs(name), [0]
    for _source, _at, length in laid:
        starts.append(starts[-1] + length)
    stays = BASE if previous.base_file is not None else OWN  # what becomes the new base
    own: list[_Piece] = []
    runs: list[list[int]] = []
    at = 0

    def run(source: int, start: int, length: int) -> None:
        if runs and runs[-1][0] == source and runs[-1][1] + runs[-1][2] == start:
            runs[-1][2] += length
        elif length:
            runs.append([source, start, length])

    for piece in pieces:
        if not isinstance(piece, _Span):
            own.append(piece)
            run(OWN, at, len(piece))
            at += len(piece)
            continue
        start, n = piece.start, max(0, bisect.bisect_right(starts, piece.start) - 1)
        while start < piece.stop:
            source, first, length = laid[n]
            lo, hi = start - starts[n], min(piece.stop - starts[n], length)
            if hi > lo:
                if source == stays:
                    run(BASE, first + lo, hi - lo)
                else:
                    own.append(_Own(first + lo, first + hi))
                    run(OWN, at, hi - lo)
                    at += hi - lo
                start += hi - lo
            n += 1
    return own, runs


def _link_base(previous: View, beside: Path) -> str | None:
    """The gen of the base a view over `previous` lies over: its own base, or `previous`
    itself, hard-linked as `<view>.<gen>`; None when that file cannot be made or is not the
    one read (then the whole view is written)."""
    base = previous.base_file
    gen, handle = base if base is not None else (previous.gen, previous.handle)
    link = base_path(beside, gen)
    try:
        if base is None:
            with contextlib.suppress(FileExistsError):  # a write killed before its rename
                os.link(previous.path, link)
        made, read = os.stat(link), os.fstat(handle.fileno())
    except OSError:  # no hard links there, or the base is gone
        return None
    if (made.st_dev, made.st_ino) != (read.st_dev, read.st_ino):
        return None  # the view was replaced since it was read
    return gen


def base_path(view: Path, gen: str) -> Path:
    """Where the base with `gen` of the view at `view` lives."""
    return view.with_name(f"{view.name}.{gen}")


def bases(store_path: Path) -> list[Path]:
    """The bases beside the store's view (see the module's doc)."""
    view = view_path(store_path)
    return [
        path
        for path in view.parent.glob(f"{glob.escape(view.name)}.*")
        if _GEN.fullmatch(path.name[len(view.name) + 1 :])
    ]


class _Runs:
    """The events of the new view in timeline order, as runs of the previous view's positions
    (events untouched since the read) and events built again."""

    def __init__(self, previous: View | None, segments: list[tuple[int, int] | _New]) -> None:
        self.previous = previous
        self.segments = segments  # (first, stop) positions of `previous`, or an event built
        self.count = sum(1 if isinstance(s, _New) else s[1] - s[0] for s in segments)

    @classmethod
    def of(cls, records: Table, previous: View | None) -> _Runs:
        """The runs of `records` (a store's events table), reusing `previous` where it holds."""
        if previous is not None:
            with contextlib.suppress(ViewDamaged):
                runs = cls._over(records, previous)
                if runs is not None:
                    return runs
        built = [_New.of(record) for _key, record in records.items()]
        built.sort(key=_key_of, reverse=True)
        return cls(None, list(built))

    @classmethod
    def _over(cls, records: Table, previous: View) -> _Runs | None:
        ids = previous.column("id")  # kept: the new id column copies from it
        dates = previous.column("date", keep=False)
        count = len(ids)
        position = previous.positions()
        dropped = sorted(position[key] for key in records.changed if key in position)
        built = [
            _New.of(record) for key in records.changed if (record := records.value(key)) is not None
        ]
        if len(records) != count - len(dropped) + len(built):
            return None  # the view is not of the file the records were read from
        built.sort(key=_key_of, reverse=True)

        def old_key(ascending: int) -> str:  # the previous order, read backwards: ascending
            p = count - 1 - ascending
            return dates[p] + "\0" + ids[p]

        # Each built event goes before the first previous position whose key is smaller.
        places = [count - bisect.bisect_right(range(count), new.key, key=old_key) for new in built]
        segments: list[tuple[int, int] | _New] = []
        at = taken = 0
        drops = iter([*dropped, count])
        drop = next(drops)
        while True:
            place = places[taken] if taken < len(places) else count
            stop = min(place, drop)
            if stop > at:
                segments.append((at, stop))
                at = stop
            if taken < len(places) and place == at:
                segments.append(built[taken])
                taken += 1
            elif drop == at < count:
                at += 1
                drop = next(drops)
            elif at >= count:
                return cls(previous, segments)

    def parts(self) -> tuple[dict[str, list[_Piece]], int]:
        """Every part of the view, as pieces in order; and the longest title's length."""
        previous = self.previous
        parts: dict[str, list[_Piece]] = {}
        for name in COLUMNS:
            parts[name] = [_column_bytes(name, self._column(name))]
        lengths = self._column("title_length")
        parts["title_length"] = [orjson.dumps(lengths)]
        digests = previous.part("digests") if previous is not None else b""
        parts["digests"] = [
            s.digest if isinstance(s, _New) else digests[s[0] * 8 : s[1] * 8] for s in self.segments
        ]
        parts["search_offsets"], parts["search"] = self._search()
        parts["offsets"], parts["lines"] = self._lines()
        return parts, max(cast(list[int], lengths), default=0)

    def _search(self) -> tuple[list[_Piece], list[_Piece]]:
        old = self.previous.search_offsets if self.previous is not None else array("q", [0])
        offsets, at = array("q"), 0
        texts: list[_Piece] = []
        for s in self.segments:
            offsets.append(at)
            if isinstance(s, _New):
                text = _text(s.event)
                texts.append(text)
                at += len(text)
                continue
            first, stop = s
            start, finish = old[first], old[stop]
            offsets.extend(map((at - start).__add__, old[first + 1 : stop]))
            texts.append(_Span(start, finish))
            at += finish - start
        offsets.append(at)
        return [offsets.tobytes()], texts

    def laid(self, parts: dict[str, list[_Piece]], beside: Path | None) -> _Laid | None:
        """Lay the lines and search texts of `parts` over the previous view's base (or the
        previous view as a new base, linked beside), their own pieces left in `parts`; None
        when the whole view is to be written (small, its own bytes grown, or no link). What
        is copied from the previous view is checked first."""
        previous = self.previous
        if previous is None:
            return None
        laid = self._laid_over(parts, previous, beside) if beside is not None else None
        for name in RUN_LAID:
            if laid is None:
                previous.check(name)
            else:
                previous.check_own(name)
        return laid

    def _laid_over(
        self, parts: dict[str, list[_Piece]], previous: View, beside: Path
    ) -> _Laid | None:
        size = previous.base_length
        if size < DELTA_FROM:
            return None
        runs: dict[str, list[list[int]]] = {}
        own: dict[str, list[_Piece]] = {}
        for name in RUN_LAID:
            own[name], runs[name] = _over_base(previous, name, parts[name])
        grown = sum(self.length(pieces) for pieces in own.values())
        if grown * DELTA_SHARE > size or sum(map(len, runs.values())) > MAX_RUNS:
            return None
        base = _link_base(previous, beside)
        if base is None:
            return None
        parts.update(own)
        return _Laid(base, runs)

    def _column(self, name: str) -> list[Any] | dict[str, Any]:
        previous = self.previous
        if name in CODED:
            if previous is None:
                return _coded([_value(s.event, name) for s in self.segments])  # type: ignore
            coded = previous.coded(name)
            values, codes = coded["values"], coded["codes"]
            index = {_hashable(v): code for code, v in enumerate(values)}
            new = array(_CODE)
            for s in self.segments:
                if isinstance(s, _New):
                    value = _hashable(_value(s.event, name))
                    code = index.get(value)
                    if code is None:
                        code = index[value] = len(values)
                        values.append(value)
                    new.append(code)
                else:
                    new += codes[s[0] : s[1]]
            return {"values": values, "codes": new}
        column = previous.column(name, keep=False) if previous is not None else []
        out: list[Any] = []
        for s in self.segments:
            if isinstance(s, _New):
                out.append(_value(s.event, name))
            else:
                out += column[s[0] : s[1]]
        return out

    def _lines(self) -> tuple[list[_Piece], list[_Piece]]:
        previous = self.previous
        old = previous.offsets if previous is not None else array("q")
        end = previous.part_length("lines") if previous is not None else 0
        offsets, at = array("q"), 0
        lines: list[_Piece] = []
        for s in self.segments:
            if lines:
                lines.append(SEPARATOR)
                at += len(SEPARATOR)
            if isinstance(s, _New):
                line = _line(s.event)
                offsets.append(at)
                lines.append(line)
                at += len(line)
                continue
            first, stop = s
            start = old[first]
            finish = old[stop] - len(SEPARATOR) if stop < len(old) else end
            offsets.extend(map((at - start).__add__, old[first:stop]))
            lines.append(_Span(start, finish))
            at += finish - start
        return [offsets.tobytes()], lines

    def length(self, pieces: list[_Piece]) -> int:
        """The length of a part made of `pieces`."""
        return sum(p.stop - p.start if isinstance(p, _Span | _Own) else len(p) for p in pieces)

    def copy(self, name: str, pieces: list[_Piece], out: BinaryIO) -> int:
        """Write the part `name` made of `pieces`; returns its CRC-32."""
        crc = 0
        for chunk in self._chunks(name, pieces):
            crc = zlib.crc32(chunk, crc)
            out.write(chunk)
        return crc

    def _chunks(self, name: str, pieces: list[_Piece]) -> Iterator[bytes | memoryview]:
        previous = self.previous
        for piece in pieces:
            if isinstance(piece, _Span):
                assert previous is not None
                yield from previous.span(name, piece.start, piece.stop)
            elif isinstance(piece, _Own):
                assert previous is not None
                yield from previous.own_span(name, piece.start, piece.stop)
            else:
                yield piece


@dataclass(frozen=True, slots=True)
class _New:
    """An event built again from its stored record, with the digest of the record's text."""

    event: Event
    digest: bytes

    @classmethod
    def of(cls, record: Value) -> _New:
        """Built from a stored record (its text or itself)."""
        text = dump_compact(record) if isinstance(record, dict) else record
        return cls(Event.from_trusted(orjson.loads(text)), _digest(text))

    @property
    def key(self) -> str:
        """Its place in timeline order."""
        return timeline_key(self.event)


def _hashable(value: Any) -> Any:
    return tuple(value) if type(value) is list else value


def _text(event: Event) -> bytes:
    return search_text(event).encode() + b"\n"


class Texts:
    """Search texts, each ending in a newline, in one block of UTF-8: event `p`'s text is
    `block[bounds[p]:bounds[p + 1]]`. A case-folded needle found in the UTF-8 bytes is exactly
    one found in the text (UTF-8 never matches inside a character)."""

    def __init__(self, block: bytes, bounds: array[int]) -> None:
        self.block, self.bounds = block, bounds

    @classmethod
    def of(cls, block: bytes, count: int, where: object) -> Texts:
        """The texts of `count` events in `block`; ViewDamaged if it holds another number."""
        bounds, at, find = array("q", [0]), 0, block.find
        for _ in range(count):
            at = find(b"\n", at) + 1
            if at == 0:
                break
            bounds.append(at)
        if len(bounds) != count + 1 or at != len(block):
            raise ViewDamaged(f"{where}: its search texts are not one per event")
        return cls(block, bounds)

    def line(self, position: int) -> bytes:
        """The text of the event at `position`, with its newline."""
        return self.block[self.bounds[position] : self.bounds[position + 1]]

    def text(self, position: int) -> str:
        """The text of the event at `position`."""
        return self.line(position)[:-1].decode()


def texts_of(events: Sequence[Event]) -> Texts:
    """The search texts of `events` (in memory: the index's plain path)."""
    return Texts.of(b"".join(_text(event) for event in events), len(events), "events")


def _coded(values: list[Any]) -> dict[str, Any]:
    index: dict[Any, int] = {}
    codes = [index.setdefault(tuple(v) if type(v) is list else v, len(index)) for v in values]
    return {"values": list(index), "codes": array(_CODE, codes)}


def _column_bytes(name: str, column: Any) -> bytes:
    # A column as the view keeps it (see the module's doc).
    if name in CODED:
        codes = column["codes"]
        if _BIG_ENDIAN:
            codes = array(_CODE, codes)
            codes.byteswap()
        return codes.tobytes() + orjson.dumps(column["values"])
    if name == "id":
        text = "\n".join(column)
        if column and text.count("\n") == len(column) - 1:
            return b"\n" + text.encode()
    return orjson.dumps(column)


def _column_of(name: str, raw: bytes, count: int) -> list[Any]:
    # A column as read: ValueError, LookupError or TypeError when it does not parse.
    if name in CODED:
        values, codes = _codes_of(raw, count)
        shared = [_hashable(v) for v in values]
        return [shared[code] for code in codes]  # a bad code: IndexError
    if name == "id" and raw[:1] == b"\n":
        return raw[1:].decode().split("\n")
    return cast(list[Any], orjson.loads(raw))


def _codes_of(raw: bytes, count: int) -> tuple[list[Any], array[int]]:
    # A coded column's distinct values and codes (ValueError or TypeError when cut short).
    size = count * array(_CODE).itemsize
    if len(raw) < size:
        raise ValueError("codes cut short")
    codes = array(_CODE)
    codes.frombytes(memoryview(raw)[:size])
    if _BIG_ENDIAN:
        codes.byteswap()
    values = orjson.loads(memoryview(raw)[size:])
    if not isinstance(values, list):
        raise TypeError("values are not a list")
    return values, codes


def _line(event: Event) -> bytes:
    return INDENT + compact_json(event.to_dict()).encode()


def _value(event: Event, name: str) -> Any:
    if name == "title_length":
        return len(event.title)
    if name == "publishers":
        return [source.publisher for source in event.sources]
    return getattr(event, name)


def _digest(text: bytes | memoryview) -> bytes:
    # What tells an unchanged stored record from a changed one between two writes.
    import hashlib  # here: importing it loads OpenSSL, 1-2 ms of every app start

    return hashlib.blake2b(text, digest_size=8).digest()


def write(
    store_path: Path,
    document: Document,
    stamp: Stamp,
    *,
    previous: View | None = None,
    by_line: bool,
    locked: bool = False,
) -> None:
    """Make the view of `document` (the store file's content; `stamp` gives that file's
    signature and CRC-32, see `write_stamped`), reusing `previous` (the view of the file it was
    read from) for what did not change. A writer holding the store's lock (`locked`) may lay
    the view over a base, and removes the bases no view names any more. A view that cannot be
    written is only a slower next read: the store is saved. If `stamp` raises `Abandoned`,
    nothing is written."""
    path = view_path(store_path)
    base: list[str | None] = []

    def write_view(out: BinaryIO) -> None:
        def flushed_then_stamp() -> tuple[tuple[int, int, int], int]:
            # The parts go to the disk while the store's own write is still being flushed,
            # not after it: the fsync that ends this write then has only the header left.
            out.flush()
            getattr(os, "fdatasync", os.fsync)(out.fileno())
            return stamp()

        beside = path if locked else None
        base.append(
            write_stamped(
                out, document, flushed_then_stamp, previous, by_line=by_line, beside=beside
            )
        )

    with contextlib.suppress(OSError, Abandoned):
        atomic_write(path, write_view)
        if locked:
            for stale in bases(store_path):
                if stale != base_path(path, base[0] or ""):
                    stale.unlink(missing_ok=True)


class Abandoned(Exception):
    """The store write a view was being made for did not happen."""


def read(store_path: Path, signature: tuple[int, int, int]) -> View | None:
    """The view of the store file with `signature`, or None when there is none or it was made
    from another version of the file. Raises ViewDamaged when it cannot be trusted."""
    path = view_path(store_path)
    try:
        handle = open_regular_file(path)  # a pipe there would never answer
    except (OSError, NotRegularFile):
        return None
    try:
        view = _open(store_path, handle, signature)
    except BaseException:
        handle.close()
        raise
    if view is None:
        handle.close()
    return view  # which keeps the handle open


def _open(store_path: Path, handle: BinaryIO, signature: tuple[int, int, int]) -> View | None:
    path = view_path(store_path)
    magic = handle.readline(len(MAGIC))
    if magic != MAGIC:
        if magic.startswith(_FORMAT):
            return None  # made by another version of amity: made again
        raise ViewDamaged(f"{path}: not an amity view")
    try:
        header = orjson.loads(handle.readline())
        if header["byteorder"] != sys.byteorder:
            return None
        made_from = tuple(header["signature"])
        if made_from != signature and not _copied(store_path, made_from, signature, header):
            return None
        _check_header(header)
        start = handle.tell()
        base = _open_base(path, header) if header["base"] is not None else None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ViewDamaged(f"{path}: cannot read the view ({type(exc).__name__})") from None
    if header["base"] is not None and base is None:
        return None  # its base was removed since (by a write that made the view whole)
    return View(path, {**header, "signature": signature}, start, handle, base)


def _open_base(path: Path, header: dict[str, Any]) -> _File | None:
    # The base a view's runs lie over, opened now (kept open: a write that removes it meanwhile
    # does not take it from this read); None when it is gone.
    where = base_path(path, header["base"])
    try:
        handle = open_regular_file(where)
    except (FileNotFoundError, NotRegularFile):
        return None
    try:
        if handle.readline(len(MAGIC)) != MAGIC:
            raise ViewDamaged(f"{where}: not an amity view")
        made = orjson.loads(handle.readline())
        _check_header(made)
        if made["gen"] != header["base"] or made["base"] is not None:
            raise ValueError("not the base named")
        for name in RUN_LAID:
            limits = (header["parts"][name][1], made["parts"][name][1])
            if not all(
                at + length <= limits[source] for source, at, length in header["runs"][name]
            ):
                raise ValueError("runs out of place")
        return _File(where, made["parts"], handle.tell(), handle)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        handle.close()
        raise ViewDamaged(f"{where}: cannot read the view ({type(exc).__name__})") from None
    except BaseException:
        handle.close()
        raise


def _copied(
    store_path: Path,
    made_from: tuple[int, ...],
    signature: tuple[int, int, int],
    header: dict[str, Any],
) -> bool:
    # A copy that kept the modification time (cp -p, rsync -t, a restored backup) is another
    # file (inode) with the same time and size: the view holds if the bytes are the same.
    if made_from[:2] != signature[:2] or signature == (0, 0, 0):
        return False
    try:
        with store_path.open("rb") as handle:
            crc = 0
            for chunk in read_chunks(handle):
                crc = zlib.crc32(chunk, crc)
    except OSError:
        return False
    return crc == header["store_crc"]


_NUMBERS = ("count", "longest_title", "store_crc")
_PARTS = (*COLUMNS, "title_length", "search", "search_offsets", "digests", "offsets", "lines")


def _check_header(header: dict[str, Any]) -> None:
    parts = header["parts"]
    if not (
        isinstance(header["meta"], dict)
        and isinstance(header["feeds"], list)
        and all(isinstance(feed, dict) for feed in header["feeds"])
        and all(type(header[name]) is int and header[name] >= 0 for name in _NUMBERS)
        and type(header["by_line"]) is bool
        and isinstance(header["gen"], str)
        and _GEN.fullmatch(header["gen"])
        and (header["base"] is None or _laid_out(header))
        and isinstance(parts, dict)
        and all(
            isinstance(parts[name], list)
            and len(parts[name]) == 3
            and all(type(n) is int and n >= 0 for n in parts[name])
            for name in _PARTS
        )
    ):
        raise TypeError("header")


def _laid_out(header: dict[str, Any]) -> bool:
    # A view over a base: the base's gen, and its lines and search texts as runs.
    runs = header["runs"]
    return (
        isinstance(header["base"], str)
        and _GEN.fullmatch(header["base"]) is not None
        and isinstance(runs, dict)
        and all(
            isinstance(runs[name], list)
            and all(
                isinstance(run, list)
                and len(run) == 3
                and run[0] in (OWN, BASE)
                and all(type(n) is int and n >= 0 for n in run)
                for run in runs[name]
            )
            for name in RUN_LAID
        )
    )


def discard(store_path: Path, error: ViewDamaged) -> None:
    """Say that a damaged view is ignored, and remove it: the next open makes it again."""
    warn(f"{error}; ignored, and made again from the store")
    view_path(store_path).unlink(missing_ok=True)
