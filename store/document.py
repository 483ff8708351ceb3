"""The store document one record per line, so a write parses and serialises only what it touches.

The file stays one TinyDB JSON document (TinyDB itself opens it); only its layout is chosen:

    {
    "meta":{
    "meta":{"schema":1,...}
    },
    "events":{
    "<id>":{...},
    "<id>":{...}
    }
    }

A record read from a file in this layout is kept as the bytes of its line until something reads
or replaces it; a write carries every untouched record over as those very bytes. A file in any
other layout (an older amity's, or one a person edited) is read whole, and the next write lays
it out again.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from .storage import dump_compact

# A stored record as read: its JSON text (a slice of the file), or the record itself once read
# or replaced.
Raw = memoryview | bytes
Value = Raw | dict[str, Any]
# Where a record read from a file lies in it: its line's (start, end), the end after the comma
# that follows all but the last record of a table, before the newline.
Line = tuple[int, int]

# One line of the layout: a JSON string (the table's name or the record's key), a colon, and
# the rest of the line: "{" (a table opens) or the record, with a comma unless it is the last.
# Keys never hold a raw newline (JSON escapes it). Unrolled and greedy: 0.06 s for 100k lines.
_LINE = re.compile(rb'^("[^"\\\n]*(?:\\.[^"\\\n]*)*"):(.*)$', re.MULTILINE)
# The same, first for the usual record line: a key with nothing escaped (group 1, without its
# quotes) and a record, {...} (group 2). Half the time of _LINE over 100k records: the checks
# a record's line needs are the pattern's, and the key is the bytes matched.
_RECORD_OR_LINE = re.compile(
    rb'^(?:"([^"\\\n]*)":(\{.*\}),?|("[^"\\\n]*(?:\\.[^"\\\n]*)*"):(.*))$', re.MULTILINE
)


class Table:
    """One table of the store: records by key, each kept as where its line lies in the file
    read until it is read or replaced (then as a dict)."""

    def __init__(
        self, records: dict[str, Line | dict[str, Any]] | None = None, source: bytes = b""
    ) -> None:
        self._records: dict[str, Line | dict[str, Any]] = records if records is not None else {}
        self._source = source  # the file read (index_lines)
        self.changed: set[str] = set()  # keys put or removed since the read
        self.dirty = False

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def keys(self) -> Iterable[str]:
        """Every key, in stored order."""
        return self._records.keys()

    def has(self, key: str) -> bool:
        """Whether a record is stored under `key`."""
        return key in self._records

    def record(self, key: str) -> dict[str, Any] | None:
        """The record stored under `key` (a fresh dict), if any."""
        value = self._records.get(key)
        if value is None:
            return None
        return dict(value) if isinstance(value, dict) else _parse(self._text(value))

    def value(self, key: str) -> Value | None:
        """The record under `key` as kept: its text as read, or itself once put."""
        value = self._records.get(key)
        return value if value is None or isinstance(value, dict) else self._text(value)

    def by_key(self) -> dict[str, dict[str, Any]]:
        """Every record, by key (each read: the whole table's cost)."""
        return {key: self.record(key) for key in self._records}  # type: ignore[misc]

    def all(self) -> list[dict[str, Any]]:
        """Every record, in stored order."""
        return list(self.by_key().values())

    def items(self) -> Iterator[tuple[str, Value]]:
        """(key, the record as text or dict) in stored order: for writers of the file and view."""
        text = self._text
        for key, value in self._records.items():
            yield key, value if isinstance(value, dict) else text(value)

    def untouched(self, key: str) -> bool:
        """Whether the record under `key` is still the text that was read."""
        return key not in self.changed

    def put(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Insert or replace records by key."""
        for key, record in records.items():
            self._records[key] = dict(record)
            self.changed.add(key)
        self.dirty = self.dirty or bool(records)

    def remove_keys(self, keys: Iterable[str]) -> list[str]:
        """Delete the records stored under these keys; returns the keys that were present."""
        present = [key for key in keys if self._records.pop(key, None) is not None]
        self.changed.update(present)
        self.dirty = self.dirty or bool(present)
        return present

    def _text(self, line: Line) -> memoryview:
        # The record on a line index_lines checked: what follows its key's colon, no comma.
        match = _LINE.match(self._source, *line)
        assert match is not None
        start, end = match.span(2)
        return memoryview(self._source)[start : end - (self._source[end - 1] == _COMMA)]


class Document:
    """The store's tables by name, as one read found them and one write will lay them out."""

    def __init__(
        self, tables: dict[str, Table], *, fresh: bool = False, source: bytes | None = None
    ) -> None:
        self.tables = tables
        self.fresh = fresh  # not read from a file: written even if nothing is put
        self.source = source  # the file's bytes its records are slices of (index_lines)

    @classmethod
    def of(cls, data: Mapping[str, Mapping[str, Any]], *, fresh: bool = False) -> Document:
        """A document from parsed tables (records as dicts)."""
        return cls({name: Table(dict(table)) for name, table in data.items()}, fresh=fresh)

    @property
    def dirty(self) -> bool:
        """Whether anything was put or removed since the read (or it was never written)."""
        return self.fresh or any(table.dirty for table in self.tables.values())

    def table(self, name: str) -> Table:
        """The table `name` (an empty one is made, and written only once it holds a record)."""
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = Table()
        return table

    def write_to(self, out: BinaryIO) -> int:
        """Write the whole document in the one-record-per-line layout; returns its CRC-32.
        Untouched records that lay next to each other in the file read go out as one slice of
        it: at 100k records, a few hundred writes instead of 200,000."""
        crc = 0

        def write(text: bytes | memoryview) -> None:
            nonlocal crc
            crc = zlib.crc32(text, crc)
            out.write(text)

        source = memoryview(self.source) if self.source is not None else None
        names = [name for name, table in self.tables.items() if len(table) or name != "_default"]
        write(b"{")
        for n, name in enumerate(names):
            write(b"\n" + dump_compact(name) + b":{")
            separator = b"\n"
            table = self.tables[name]
            run_start = run_end = -1  # the run of the file's lines still to copy
            for key, value in table._records.items():
                if not isinstance(value, dict) and value[0] == run_end + 1:
                    run_end = value[1]  # the file's next line: the run grows
                    continue
                if run_end >= 0:
                    write(separator)
                    write(_run(source, run_start, run_end))  # type: ignore[arg-type]
                    separator, run_end = b",\n", -1
                if not isinstance(value, dict):
                    run_start, run_end = value
                    continue
                write(separator + dump_compact(key) + b":" + dump_compact(value))
                separator = b",\n"
            if run_end >= 0:
                write(separator)
                write(_run(source, run_start, run_end))  # type: ignore[arg-type]
            write(b"\n}," if n < len(names) - 1 else b"\n}")
        write(b"\n}\n")
        return crc


def index_lines(raw: bytes) -> Document | None:
    """The document of a file in the layout above, its records left as text; None when the file
    is laid out otherwise. This only finds where each record is: the caller knows the file is
    a checked store (see `Store`), and that it is in this layout or compares the keys found."""
    if not (raw.startswith(b"{\n") and raw.endswith(b"\n}\n")):
        return None
    tables: dict[str, Table] = {}
    records: dict[str, Line | dict[str, Any]] | None = None
    at = 2  # where the next line starts: every line is a table's opening, a record or a closing
    for match in _RECORD_OR_LINE.finditer(raw, 2):
        line = match.span()
        if line[0] != at:  # only a table's closing lies between two matched lines
            if records is None or raw[at : line[0]] != b"},\n":
                return None
            records = None
        plain = match[1]  # a record's key with nothing escaped
        if records is None:  # a table opens
            start, end = match.span(4)
            if plain is not None or end != start + 1 or raw[start] != _OPEN:
                return None
            name = _key(match[3])
            if name in tables:
                return None
            records = {}
            tables[name] = Table(records, raw)
        else:  # a whole record, on its line
            if plain is not None:
                key = plain.decode()
            else:
                start, end = match.span(4)
                if raw[end - 1] == _COMMA:
                    end -= 1
                if raw[start] != _OPEN or raw[end - 1] != _CLOSE or end - start < 2:
                    return None
                key = _key(match[3])
            # A key met twice means a line lies inside a record that spans lines (a hand
            # edit): its lines are not the records the parse found.
            if key in records:
                return None
            records[key] = line
        at = line[1] + 1
    closing = b"}\n}\n" if tables else b"}\n"
    if raw[at:] != closing:
        return None
    return Document(tables, source=raw)


_OPEN, _CLOSE, _COMMA = b"{},"


def _run(source: memoryview, start: int, end: int) -> memoryview:
    # Lines start:end of the file, without the comma after the last one's record.
    return source[start : end - 1 if source[end - 1] == _COMMA else end]


def _key(quoted: bytes) -> str:
    if b"\\" in quoted:
        return str(orjson.loads(quoted))
    return quoted[1:-1].decode()


def _parse(raw: Raw) -> dict[str, Any]:
    record = orjson.loads(raw)
    if not isinstance(record, dict):  # never for a checked store
        raise TypeError("a stored record is not an object")
    return record
