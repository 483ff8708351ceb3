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
its length and CRC-32), then the parts: one JSON list per column, the lines' start offsets
(native 64-bit integers) and the lines joined by ",\\n".
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import os
import sys
import threading
import weakref
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import orjson

from .document import Document, Table, Value
from .jsontext import compact_json
from .model import Event
from .notices import warn
from .query import search_text, timeline_key
from .storage import CHUNK, atomic_write, dump_compact, paused_gc, read_chunks

SUFFIX = ".view"
MAGIC = b"amity-view 4\n"  # 4: search texts part spaceless runs from other words
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
SEPARATOR = b",\n"
INDENT = b"  "


class ViewDamaged(Exception):
    """The view file cannot be trusted; it is ignored and made again from the store."""


def view_path(store_path: Path) -> Path:
    """Where the view of the store at `store_path` lives."""
    return store_path.with_name(store_path.name + SUFFIX)


class View:
    """One read of the view file: the header in memory, every other part read on first use
    and checked against its CRC-32, from the file the header was read from (kept open: a
    write that replaces the view meanwhile does not mix two versions)."""

    def __init__(self, path: Path, header: dict[str, Any], start: int, handle: BinaryIO) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()  # one seek-and-read at a time (the app reads from two)
        weakref.finalize(self, handle.close)
        self.signature: tuple[int, int, int] = tuple(header["signature"])
        self.meta: dict[str, Any] = header["meta"]
        self.feeds: list[dict[str, Any]] = header["feeds"]
        self.longest_title: int = header["longest_title"]
        self.count: int = header["count"]
        # Whether the store file is laid out one record per line (document.py): then a write
        # may keep its untouched records as text.
        self.by_line: bool = header["by_line"]
        self._parts: dict[str, list[int]] = header["parts"]
        self._start = start
        self._columns: dict[str, list[Any]] = {}
        self._offsets: array[int] | None = None
        self._checked: set[str] = set()  # parts read whole and found to match their CRC-32
        self._kept: dict[str, bytes] = {}  # parts read ahead for a write (see read_ahead)
        self._ahead: threading.Thread | None = None
        self._ahead_lock = threading.Lock()

    def __len__(self) -> int:
        return self.count

    def _pread(self, at: int, length: int) -> bytes:
        # `at` counts from the first part.
        if hasattr(os, "pread"):
            return os.pread(self._handle.fileno(), length, self._start + at)
        with self._lock:
            self._handle.seek(self._start + at)
            return self._handle.read(length)

    def _read(self, name: str) -> bytes:
        at, length, crc = self._parts[name]
        raw = self._pread(at, length)
        if len(raw) != length or zlib.crc32(raw) != crc:
            raise ViewDamaged(f"{self.path}: its {name} do not match their checksum")
        return raw

    def part(self, name: str) -> bytes:
        """One part's bytes, checked."""
        return self._read(name)

    def column(self, name: str, *, keep: bool = True) -> list[Any]:
        """One column (see COLUMNS), newest first; kept for the next call unless `keep` is
        False (the caller keeps its own form of it)."""
        values = self._columns.get(name)
        if values is None:
            try:
                values = orjson.loads(self._read(name))
                if name in CODED:
                    values = _decoded(values)
            except (orjson.JSONDecodeError, LookupError, TypeError):
                raise ViewDamaged(f"{self.path}: its {name} do not parse") from None
            if not isinstance(values, list) or len(values) != self.count:
                raise ViewDamaged(f"{self.path}: its {name} are not one per event")
            if keep:
                self._columns[name] = values
        return values

    def coded(self, name: str) -> dict[str, list[Any]]:
        """A coded column (see CODED) as stored: its distinct values and one code per event."""
        try:
            coded = orjson.loads(self._read(name))
            values, codes = coded["values"], coded["codes"]
        except (orjson.JSONDecodeError, LookupError, TypeError):
            raise ViewDamaged(f"{self.path}: its {name} do not parse") from None
        if not (isinstance(values, list) and isinstance(codes, list) and len(codes) == self.count):
            raise ViewDamaged(f"{self.path}: its {name} are not one per event")
        return {"values": [_hashable(v) for v in values], "codes": codes}

    def part_length(self, name: str) -> int:
        """The length of one part in bytes."""
        return self._parts[name][1]

    def read_ahead(self) -> None:
        """Start reading, on a thread of its own, what a write that reuses this view copies
        (its lines, checked) and takes whole (its search texts): reading and checking let go
        of the GIL, so they go on while a refresh is still downloading and deciding."""
        with self._ahead_lock:  # two threads may ask at once (a cancelled refresh's save)
            if self._ahead is None:
                ahead = threading.Thread(target=self._read_ahead, name="amity-view-ahead")
                ahead.daemon = True  # a process that ends meanwhile only drops the reading
                ahead.start()
                # Seen by other threads only once started: the view's writer may wait for it.
                self._ahead = ahead

    def _read_ahead(self) -> None:
        with contextlib.suppress(ViewDamaged, OSError):  # then the write reads them itself
            self._check("lines")
            self._kept["search"] = self._read("search")

    def _wait_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.join()

    def check(self, name: str) -> None:
        """Read one part in chunks and raise ViewDamaged unless it matches its CRC-32."""
        self._wait_ahead()
        self._check(name)

    def _check(self, name: str) -> None:
        if name in self._checked:
            return
        _at, length, crc = self._parts[name]
        running = 0
        for chunk in self.span(name, 0, length):
            running = zlib.crc32(chunk, running)
        if running != crc:
            raise ViewDamaged(f"{self.path}: its {name} do not match their checksum")
        self._checked.add(name)

    def span(self, name: str, start: int, stop: int) -> Iterator[bytes]:
        """The bytes `start:stop` of one part, in chunks (never all in memory)."""
        at, length, _crc = self._parts[name]
        if not 0 <= start <= stop <= length:
            raise ViewDamaged(f"{self.path}: its {name} are cut short")
        while start < stop:
            chunk = self._pread(at + start, min(stop - start, CHUNK))
            if not chunk:
                raise ViewDamaged(f"{self.path}: its {name} are cut short")
            start += len(chunk)
            yield chunk

    def texts(self) -> Texts:
        """Every event's search text (`search_text`), newest first, as one UTF-8 block: 35 MB
        at 100,000 events, where a list of strings parsed from JSON peaked at twice that."""
        self._wait_ahead()
        block = self._kept.pop("search", None)
        return Texts.of(self._read("search") if block is None else block, self.count, self.path)

    @property
    def offsets(self) -> array[int]:
        """Where each event's line starts in the lines part."""
        if self._offsets is None:
            offsets = array("q")
            offsets.frombytes(self._read("offsets"))
            if len(offsets) != self.count:
                raise ViewDamaged(f"{self.path}: its offsets are not one per event")
            self._offsets = offsets
        return self._offsets

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
        at, length, crc = self._parts["lines"]
        offsets, added, ids = self.offsets, self.column("added"), self.column("id")
        running = 0
        for first in range(0, self.count, batch):
            last = min(first + batch, self.count)
            stop = offsets[last] if last < self.count else length
            raw = self._pread(at + offsets[first], stop - offsets[first])
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
        if running != crc:
            raise ViewDamaged(f"{self.path}: its lines do not match their checksum")

    def lines(self, positions: Sequence[int]) -> list[bytes]:
        """The lines (with their indent) of the events at `positions`."""
        return [self._line(p, indent=True) for p in positions]

    def _line(self, position: int, *, indent: bool) -> bytes:
        offsets = self.offsets
        at, length, _crc = self._parts["lines"]
        start = offsets[position] + (0 if indent else len(INDENT))
        stop = offsets[position + 1] - len(SEPARATOR) if position + 1 < self.count else length
        if not 0 <= start < stop <= length:
            raise ViewDamaged(f"{self.path}: event {position} is out of place")
        return self._pread(at + start, stop - start)

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
    out: BinaryIO, document: Document, stamp: Stamp, previous: View | None = None, *, by_line: bool
) -> None:
    """Write the view of `document` to `out` (a seekable file), naming the store file by what
    `stamp()` returns, asked once every part is written: it may wait for the store's own write
    to end. Events untouched since the document was read from the file `previous` is the view
    of keep their place, lines, texts and column values, taken from it run by run (a write that
    changed a few hundred of 100k events builds those few hundred and copies the rest);
    everything else is built. Each part's CRC-32 is worked out as it is written: the header is
    written first with the widest values it can hold, and again once they are known."""
    with paused_gc():
        runs = _Runs.of(document.table("events"), previous)
        try:
            parts, longest = runs.parts()
        except ViewDamaged:  # the previous view, found damaged midway: everything is built
            runs = _Runs.of(document.table("events"), None)
            parts, longest = runs.parts()
        where, at = {}, 0
        for name, pieces in parts.items():
            length = runs.length(pieces)
            where[name] = [at, length, _WIDEST_CRC]
            at += length
        header = {
            "signature": [_WIDEST_NUMBER] * 3,
            "byteorder": sys.byteorder,
            "meta": document.table("meta").record("meta") or {},
            "feeds": document.table("feeds").all(),
            "count": runs.count,
            "longest_title": longest,
            "by_line": by_line,
            "store_crc": _WIDEST_CRC,
            "parts": where,
        }
        reserved = len(orjson.dumps(header))
        out.write(MAGIC + b" " * reserved + b"\n")
        for name, pieces in parts.items():
            where[name][2] = runs.copy(pieces, out)
        signature, store_crc = stamp()
        if signature == (0, 0, 0):  # no file to name
            raise Abandoned
        header["signature"], header["store_crc"] = list(signature), store_crc
        out.seek(len(MAGIC))
        out.write(orjson.dumps(header).ljust(reserved))  # JSON allows the trailing spaces


# Values no signature or CRC-32 is wider than, held in the header until the real ones are known.
_WIDEST_NUMBER, _WIDEST_CRC = 2**64 - 1, 2**32 - 1


@dataclass(frozen=True, slots=True)
class _Span:
    """Bytes of the previous view's lines part, copied without holding them in memory."""

    start: int
    stop: int


_Piece = bytes | memoryview | _Span


def _key_of(new: _New) -> str:
    return new.key


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
        position = dict(zip(ids, range(count), strict=True))
        dropped = sorted(position[key] for key in records.changed if key in position)
        previous.check("lines")  # copied from run by run below: checked whole first
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
            parts[name] = [orjson.dumps(self._column(name))]
        lengths = self._column("title_length")
        parts["title_length"] = [orjson.dumps(lengths)]
        texts = previous.texts() if previous is not None else Texts(b"", array("q"))
        block, bounds = memoryview(texts.block), texts.bounds
        digests = previous.part("digests") if previous is not None else b""
        parts["search"] = [
            _text(s.event) if isinstance(s, _New) else block[bounds[s[0]] : bounds[s[1]]]
            for s in self.segments
        ]
        parts["digests"] = [
            s.digest if isinstance(s, _New) else digests[s[0] * 8 : s[1] * 8] for s in self.segments
        ]
        parts["offsets"], parts["lines"] = self._lines()
        return parts, max(cast(list[int], lengths), default=0)

    def _column(self, name: str) -> list[Any] | dict[str, list[Any]]:
        previous = self.previous
        if name in CODED:
            if previous is None:
                return _coded([_value(s.event, name) for s in self.segments])  # type: ignore
            coded = previous.coded(name)
            values, codes = coded["values"], coded["codes"]
            index = {_hashable(v): code for code, v in enumerate(values)}
            new: list[int] = []
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
            offsets.extend(at + o - start for o in old[first:stop])
            lines.append(_Span(start, finish))
            at += finish - start
        return [offsets.tobytes()], lines

    def length(self, pieces: list[_Piece]) -> int:
        """The length of a part made of `pieces`."""
        return sum(p.stop - p.start if isinstance(p, _Span) else len(p) for p in pieces)

    def copy(self, pieces: list[_Piece], out: BinaryIO) -> int:
        """Write a part made of `pieces`; returns its CRC-32."""
        crc = 0
        for chunk in self._chunks(pieces):
            crc = zlib.crc32(chunk, crc)
            out.write(chunk)
        return crc

    def _chunks(self, pieces: list[_Piece]) -> Iterator[bytes | memoryview]:
        for piece in pieces:
            if isinstance(piece, _Span):
                assert self.previous is not None
                yield from self.previous.span("lines", piece.start, piece.stop)
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


def _coded(values: list[Any]) -> dict[str, list[Any]]:
    index: dict[Any, int] = {}
    codes = [index.setdefault(tuple(v) if type(v) is list else v, len(index)) for v in values]
    return {"values": list(index), "codes": codes}


def _decoded(coded: dict[str, list[Any]]) -> list[Any]:
    values = [tuple(v) if type(v) is list else v for v in coded["values"]]
    return [values[code] for code in coded["codes"]]  # a bad code: IndexError or TypeError


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
    return hashlib.blake2b(text, digest_size=8).digest()


def write(
    store_path: Path,
    document: Document,
    stamp: Stamp,
    *,
    previous: View | None = None,
    by_line: bool,
) -> None:
    """Make the view of `document` (the store file's content; `stamp` gives that file's
    signature and CRC-32, see `write_stamped`), reusing `previous` (the view of the file it was
    read from) for what did not change. A view that cannot be written is only a slower next
    read: the store is saved. If `stamp` raises `Abandoned`, nothing is written."""
    with contextlib.suppress(OSError, Abandoned):
        atomic_write(
            view_path(store_path),
            lambda out: write_stamped(out, document, stamp, previous, by_line=by_line),
        )


class Abandoned(Exception):
    """The store write a view was being made for did not happen."""


def read(store_path: Path, signature: tuple[int, int, int]) -> View | None:
    """The view of the store file with `signature`, or None when there is none or it was made
    from another version of the file. Raises ViewDamaged when it cannot be trusted."""
    path = view_path(store_path)
    try:
        handle = path.open("rb")
    except OSError:
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
        return View(path, {**header, "signature": signature}, handle.tell(), handle)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ViewDamaged(f"{path}: cannot read the view ({type(exc).__name__})") from None


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
_PARTS = (*COLUMNS, "title_length", "search", "digests", "offsets", "lines")


def _check_header(header: dict[str, Any]) -> None:
    parts = header["parts"]
    if not (
        isinstance(header["meta"], dict)
        and isinstance(header["feeds"], list)
        and all(isinstance(feed, dict) for feed in header["feeds"])
        and all(type(header[name]) is int and header[name] >= 0 for name in _NUMBERS)
        and type(header["by_line"]) is bool
        and isinstance(parts, dict)
        and all(
            isinstance(parts[name], list)
            and len(parts[name]) == 3
            and all(type(n) is int and n >= 0 for n in parts[name])
            for name in _PARTS
        )
    ):
        raise TypeError("header")


def discard(store_path: Path, error: ViewDamaged) -> None:
    """Say that a damaged view is ignored, and remove it: the next open makes it again."""
    warn(f"{error}; ignored, and made again from the store")
    view_path(store_path).unlink(missing_ok=True)
