"""The events of one read of the store, each built when first asked for: a refresh into 100k
events builds the few hundred around its articles, not all of them."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, MutableMapping

from .document import Table
from .model import Event
from .view import View, ViewDamaged

# Events built, removed or changed since the read past which a day's events are no longer
# looked up one day at a time (each lookup sets them right): a refresh builds a few hundred, a
# refresh that judges every stored article again all of them.
ONE_DAY_AT_A_TIME = 4096


class StoredEvents(MutableMapping[str, Event]):
    """Events by id over a store table: read on first use, then kept; set and removed here
    without touching the table (the caller writes what changed)."""

    def __init__(self, table: Table, view: View | None = None) -> None:
        self._table = table
        self._view = view  # the view made from the file the table was read from, if any
        self._built: dict[str, Event] = {}
        self._gone: set[str] = set()  # removed here, still in the table
        self._added: set[str] = set()  # set here, not in the table

    def __getitem__(self, key: str) -> Event:
        event = self._built.get(key)
        if event is not None:
            return event
        if key in self._gone:
            raise KeyError(key)
        record = self._table.record(key)
        if record is None:
            raise KeyError(key)
        event = self._built[key] = Event.from_trusted(record)
        return event

    def get(self, key: str, default: Event | None = None) -> Event | None:  # type: ignore[override]
        """The event under `key`, or `default` (what is built is a lookup away)."""
        event = self._built.get(key)
        if event is not None:
            return event
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, event: Event) -> None:
        self._built[key] = event
        self._gone.discard(key)
        if not self._table.has(key):
            self._added.add(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._built.pop(key, None)
        self._added.discard(key)
        if self._table.has(key):
            self._gone.add(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or key in self._gone:
            return False
        return key in self._built or self._table.has(key)

    def __iter__(self) -> Iterator[str]:
        gone = self._gone
        yield from (key for key in self._table if key not in gone)
        yield from list(self._added)

    def __len__(self) -> int:
        return len(self._table) - len(self._gone) + len(self._added)

    def dates(self) -> Iterable[tuple[str, str]]:
        """(id, date) of every event, in no set order, without building those not built yet:
        from the view's columns for records untouched since the read, else from the records."""
        built, gone, table = self._built, self._gone, self._table
        by_id = self._view_dates()
        if by_id is None:
            return self._dates_from_records()
        # The view names every record of the file read: what changed since is set right.
        for key in table.changed:
            record = table.record(key)
            if record is not None:
                by_id[key] = Event.from_trusted(record).date
            else:
                by_id.pop(key, None)
        for key in gone:
            by_id.pop(key, None)
        for key, event in built.items():
            by_id[key] = event.date
        return by_id.items()

    def _dates_from_records(self) -> Iterator[tuple[str, str]]:
        built, gone = self._built, self._gone
        for key in self._table:
            if key not in gone:
                event = built.get(key)
                yield key, event.date if event is not None else self[key].date
        for key in list(self._added):
            yield key, built[key].date

    def on_day(self, date: str) -> list[str] | None:
        """The ids of the events dated `date`, in no set order, without building any: the
        view's date column lists them side by side (timeline order), and what changed since
        the read is set right. None when there is no view to tell, or when so much changed
        since the read that setting it right costs more than reading every date (then see
        `dates`)."""
        changed, gone, built = self._table.changed, self._gone, self._built
        columns = self._view_columns()
        if columns is None or len(changed) + len(gone) + len(built) > ONE_DAY_AT_A_TIME:
            return None
        ids, dates = columns
        count = len(dates)

        def ascending(at: int) -> str:  # the timeline's order read backwards
            return dates[count - 1 - at]

        first = count - bisect.bisect_right(range(count), date, key=ascending)
        stop = count - bisect.bisect_left(range(count), date, key=ascending)
        found = [
            key
            for key in ids[first:stop]
            if key not in changed and key not in gone and key not in built
        ]
        for key in changed:
            if key in built or key in gone:
                continue
            record = self._table.record(key)
            if record is not None and Event.from_trusted(record).date == date:
                found.append(key)
        found += [key for key, event in built.items() if event.date == date]
        return found

    def _view_dates(self) -> dict[str, str] | None:
        columns = self._view_columns()
        return None if columns is None else dict(zip(*columns, strict=True))

    def _view_columns(self) -> tuple[list[str], list[str]] | None:
        if self._view is None:
            return None
        try:
            # Kept: the write that follows reuses them (view.py _Runs).
            return self._view.column("id"), self._view.column("date")
        except ViewDamaged:  # replaced by another writer meanwhile: read from the records
            return None
