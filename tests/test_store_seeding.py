"""A new store seeds itself; seeding again is a no-op and never undoes what the user did."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from amity.store import DEFAULT_FEEDS, Event, Store
from amity.store import database as database_module
from amity.store.curated import bundled_sets

CURATED = bundled_sets()[0].events()
TREATY = "jp-it-1866-08-25-treaty-of-amity-and-commerce-signed"


@dataclass(frozen=True)
class FakeSet:
    """A bundled dataset as seeding sees it: a name, a version, its events and what the
    previous version shipped."""

    name: str
    version: int
    items: tuple[Event, ...]
    before: tuple[Event, ...] = ()

    def events(self) -> list[Event]:
        return list(self.items)

    def shipped(self, version: int) -> dict[str, Event] | None:
        return {e.id: e for e in self.before} if version == self.version - 1 else None


def test_new_store_holds_the_curated_timeline_and_default_feeds(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "new" / "amity.json")
    snap = store.snapshot()
    assert {e.id for e in snap.events} == {e.id for e in CURATED}
    assert {f.url for f in snap.feeds} == {f.url for f in DEFAULT_FEEDS}
    assert all(e.added for e in snap.events)
    assert snap.meta["schema"] == 1


def test_reopening_does_not_write(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    Store.open(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    Store.open(path)
    Store.open(path).snapshot()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_user_edits_and_deletions_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    store = Store.open(path)
    treaty = next(e for e in store.events() if e.id == TREATY)
    gone = next(e for e in store.events() if e.id != TREATY)
    with store.transaction() as txn:
        txn.put_events([treaty.with_changes(title="My own title", origin="user")])
        txn.remove_events([gone.id])
        txn.remove_feed(DEFAULT_FEEDS[0].url)
    # Even a forced re-seed (as a newer dataset version would cause) keeps the user's choices.
    with Store.open(path).transaction() as txn:
        database_module.seed(txn)
        txn.update_meta(seeded={})
    with Store.open(path).transaction() as txn:
        database_module.seed(txn)
    events = {e.id: e for e in Store.open(path).events()}
    assert events[TREATY].title == "My own title"
    assert gone.id not in events
    assert DEFAULT_FEEDS[0].url not in {f.url for f in Store.open(path).snapshot().feeds}


def test_a_newer_dataset_version_updates_only_what_the_person_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "amity.json"
    first, second, third, fourth = CURATED[:4]
    shipped = (first, second, fourth)
    monkeypatch.setattr(
        database_module, "bundled_sets", lambda: (FakeSet("japan-italy", 1, shipped),)
    )
    store = Store.open(path)
    with store.transaction() as txn:  # as an import of an edited export did: no edit stamp
        txn.put_events([first.with_changes(summary="Edited by me.")])
        txn.remove_events([second.id])
    better = "Improved text."
    bumped = FakeSet(
        "japan-italy",
        2,
        (first.with_changes(summary=better), second, third, fourth.with_changes(summary=better)),
        before=shipped,
    )
    monkeypatch.setattr(database_module, "bundled_sets", lambda: (bumped,))
    updated = Store.open(path)
    (update,) = updated.curated_updates
    assert (update.added, update.revised, update.kept, update.withheld) == (1, 1, 1, 1)
    events = {e.id: e for e in updated.events()}
    assert set(events) == {first.id, third.id, fourth.id}
    assert events[first.id].summary == "Edited by me."
    assert events[fourth.id].summary == better
    assert Store.open(path).snapshot().meta["seeded"] == {"japan-italy": 2}
    assert Store.open(path).curated_updates == ()


def test_same_version_is_not_seeded_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "amity.json"
    monkeypatch.setattr(
        database_module, "bundled_sets", lambda: (FakeSet("japan-italy", 1, (CURATED[0],)),)
    )
    Store.open(path)
    monkeypatch.setattr(
        database_module, "bundled_sets", lambda: (FakeSet("japan-italy", 1, tuple(CURATED)),)
    )
    assert [e.id for e in Store.open(path).events()] == [CURATED[0].id]


def test_feeds_alone_follow_a_write_made_after_open(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    store = Store.open(path)  # holds what it read for the next reader
    urls = {feed.url for feed in store.feeds()}
    assert len(urls) == len(DEFAULT_FEEDS)
    other = Store(path)  # another process's view
    with other.transaction() as txn:
        txn.remove_feed(sorted(urls)[0])
    assert {feed.url for feed in store.feeds()} == urls - {sorted(urls)[0]}
    assert len(store.snapshot().feeds) == len(DEFAULT_FEEDS) - 1
