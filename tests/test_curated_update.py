"""A store made by the previous release (38 curated events, dataset version 1) takes the corrected
and extended timeline the first time any command opens it, once, and keeps what the person did:
edited fields, hidden events, notes, removed events, reports attached to a milestone."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from amity.store import Event, Source, Store
from amity.store import database as database_module
from amity.store.curated import CURATED_FIELDS, CuratedSet, bundled_sets
from amity.store.curation import edit, set_hidden, set_note
from amity.store.topics import topic_ids
from storegen import amity

(BUNDLED,) = bundled_sets()
PREVIOUS = CuratedSet("japan-italy", 1, "previous/japan-italy-1.json")
MILESTONES_CSV = Path(__file__).parent / "data" / "japan-italy-milestones.csv"

TREATY = "jp-it-1866-08-25-treaty-of-amity-and-commerce-signed"
ACSA_SIGNED = "jp-it-2024-11-25-acsa-signed"
ACSA_IN_FORCE = "jp-it-2025-09-05-acsa-in-force"
EXPO_AWARD = "jp-it-2025-10-12-italy-pavilion-wins-bie-gold-at-expo-2025"
FLORENCE = "jp-it-2016-05-02-abe-renzi-summit-in-florence"
DIET_VOTE = "jp-it-2024-06-05-diet-approves-gigo-treaty"
COP28 = "jp-it-2023-12-02-kishida-meloni-at-cop28-dubai"
KISHIDA_ROME = "jp-it-2016-03-fm-kishida-in-rome-for-150th-anniversary"
MAGENTA = "jp-it-1866-07-04-corvette-magenta-reaches-yokohama"
REPORT = Source(url="https://example.org/acsa-in-force", title="ACSA takes effect", publisher="X")
EDITED = {TREATY, ACSA_SIGNED, EXPO_AWARD, FLORENCE, ACSA_IN_FORCE}
GONE = {DIET_VOTE, COP28}


def previous_release_store(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store the previous release made, with the person's changes in it."""
    with monkeypatch.context() as patch:
        patch.setattr(database_module, "bundled_sets", lambda: (PREVIOUS,))
        store = Store.open(path)
    assert len(store.events()) == 38
    with store.transaction() as txn:
        edit(txn, TREATY, {"title": "Treaty of 1866 (my title)"}, topic_ids())
        set_hidden(txn, [EXPO_AWARD], True)
        set_note(txn, ACSA_SIGNED, "Check the Italian text.\nSecond line.")
        # An import of an edited export (no edit stamp), and a report a refresh attached.
        events = txn.events()
        florence, in_force = events[FLORENCE], events[ACSA_IN_FORCE]
        txn.put_events(
            [
                florence.with_changes(summary="My own summary of Florence."),
                in_force.with_changes(sources=(*in_force.sources, REPORT)),
            ]
        )
        txn.table("events").remove_keys([DIET_VOTE])
        txn.update_meta(removed=[DIET_VOTE])  # the shared contract's key
        txn.table("events").remove_keys([COP28])
        txn.update_meta(deleted=[COP28])  # the previous release's key


def test_previous_release_store_takes_the_corrections_and_keeps_the_persons_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "amity.json"
    previous_release_store(path, monkeypatch)

    store = Store.open(path)
    (update,) = store.curated_updates
    assert (update.added, update.withheld, update.kept) == (18, 2, 4)
    assert update.revised == 38 - 2
    assert update.message().startswith("curated timeline updated: 18 added, 36 revised")
    events = {e.id: e for e in store.events()}
    curated = [e for e in events.values() if e.origin == "curated"]
    assert len(curated) == 56 - len(GONE)
    assert not GONE & set(events)

    # Corrections reach every event the person left alone, field by field.
    bundled = {e.id: e for e in BUNDLED.events()}
    for event in curated:
        if event.id not in EDITED:
            for name in (*CURATED_FIELDS, "sources"):
                assert getattr(event, name) == getattr(bundled[event.id], name), (event.id, name)
    assert events[KISHIDA_ROME].date == "2016-03-19"
    assert events[MAGENTA].sources[0].url.startswith("http://www.luniversaleditore.it/")

    # The person's changes survive; the dataset's other corrections still apply around them.
    assert events[TREATY].title == "Treaty of 1866 (my title)"
    assert events[TREATY].summary == bundled[TREATY].summary
    assert events[EXPO_AWARD].hidden and events[EXPO_AWARD].kind == "news"
    assert events[ACSA_SIGNED].note == "Check the Italian text.\nSecond line."
    assert "Foreign Minister Iwaya" in events[ACSA_SIGNED].summary
    assert events[FLORENCE].summary == "My own summary of Florence."
    assert events[FLORENCE].terms == bundled[FLORENCE].terms
    assert events[ACSA_IN_FORCE].sources == (*bundled[ACSA_IN_FORCE].sources, REPORT)

    # Once: the version is recorded, and opening again neither updates nor writes.
    assert store.snapshot().meta["seeded"] == {"japan-italy": BUNDLED.version}
    before = path.read_bytes()
    assert Store.open(path).curated_updates == ()
    assert path.read_bytes() == before


def test_cli_says_once_what_the_update_did(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "amity.json"
    previous_release_store(path, monkeypatch)
    first = amity("list", "--json", db=path)
    assert first.returncode == 0
    assert first.stderr.count("curated timeline updated: 18 added, 36 revised") == 1
    assert "your edits kept on 4 events; 2 events you removed left out" in first.stderr
    listed = {e["id"] for e in json.loads(first.stdout) if e["origin"] == "curated"}
    assert len(listed) == 56 - len(GONE) - 1 and EXPO_AWARD not in listed  # hidden
    again = amity("list", "--json", db=path)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == first.stdout


def test_new_store_lists_the_56_researched_milestones_quietly(tmp_path: Path) -> None:
    result = amity("list", "--json", "--oldest-first", db=tmp_path / "new.json")
    assert result.returncode == 0 and result.stderr == ""
    listed = [e for e in json.loads(result.stdout) if e["origin"] == "curated"]
    with MILESTONES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(listed) == len(rows) == 56
    got = sorted((e["date"], e["title"], e["certainty"], e["sources"][0]["url"]) for e in listed)
    want = sorted((r["date"], r["title"], r["verification"], r["source_url"]) for r in rows)
    assert got == want
    assert all(e["terms"] for e in listed)


def test_the_previous_dataset_is_the_one_release_1_shipped() -> None:
    shipped = PREVIOUS.events()
    assert len(shipped) == 38
    assert {e.id for e in shipped} <= {e.id for e in BUNDLED.events()}
    assert BUNDLED.shipped(1) == {e.id: e for e in shipped}
    assert all(isinstance(e, Event) and not e.terms for e in shipped)


async def test_app_notifies_once_what_the_update_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amity.store import Config
    from amity.tui.app import AmityApp

    notes: list[str] = []

    class NotedApp(AmityApp):
        def notify(self, message: str, **kwargs: Any) -> None:
            notes.append(message)
            super().notify(message, **kwargs)

    path = tmp_path / "amity.json"
    previous_release_store(path, monkeypatch)
    app = NotedApp(Store.open(path), Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [n for n in notes if n.startswith("curated timeline updated")] == [
            "curated timeline updated: 18 added, 36 revised; your edits kept on 4 events; "
            "2 events you removed left out"
        ]
    notes.clear()
    again = NotedApp(Store.open(path), Config())
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not [n for n in notes if n.startswith("curated timeline")]


def test_importing_a_backup_made_before_the_update_does_not_undo_it(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    old = {e.id: e for e in PREVIOUS.events()}
    backup = [
        old[ACSA_SIGNED].with_changes(note="Mine."),
        old[TREATY].with_changes(title="Treaty of 1866 (my title)"),
        old[MAGENTA],
    ]
    file = tmp_path / "backup.json"
    file.write_text(json.dumps({"amity": 1, "events": [e.to_dict() for e in backup]}))
    assert amity("list", db=path).returncode == 0  # a store with the current timeline
    result = amity("import", str(file), db=path)
    assert result.returncode == 0, result.stderr
    assert "2 updated, 1 unchanged" in result.stderr  # only the backup's own changes count
    events = {e.id: e for e in Store.open(path).events()}
    bundled = {e.id: e for e in BUNDLED.events()}
    assert events[ACSA_SIGNED].note == "Mine."
    assert events[ACSA_SIGNED].summary == bundled[ACSA_SIGNED].summary
    assert events[TREATY].title == "Treaty of 1866 (my title)"
    assert events[TREATY].summary == bundled[TREATY].summary
    assert events[MAGENTA].sources == bundled[MAGENTA].sources
