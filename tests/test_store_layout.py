"""The store file is one TinyDB JSON document laid out one record per line: TinyDB itself reads
it, a write carries every record it did not touch over byte for byte, a store in any other
layout is read as before, and a copy that kept its time keeps its view."""

from __future__ import annotations

import json
import os
import shutil

import orjson
from amity.store import Store
from amity.store.document import Document, index_lines
from storegen import amity, make_store, synthetic_events
from tinydb import TinyDB
from tinydb.table import Table


class KeyedTable(Table):
    document_id_class = str  # type: ignore[assignment]  # amity's keys: event ids, feed URLs


class KeyedTinyDB(TinyDB):
    table_class = KeyedTable


def test_tinydb_reads_the_store_and_sees_every_record(tmp_path):
    store = make_store(tmp_path / "db.json", 50)
    raw = store.path.read_bytes()
    lines = raw.split(b"\n")
    assert len(lines) > 50 and all(len(line) < 2000 for line in lines)  # one record a line

    with KeyedTinyDB(store.path, access_mode="r") as db:
        events = {str(doc.doc_id): dict(doc) for doc in db.table("events").all()}
    with store.transaction() as txn:
        assert events == txn.table("events").by_key()
    assert {e.id for e in store.events()} == set(events)


def test_a_write_keeps_every_untouched_record_byte_for_byte(tmp_path):
    store = make_store(tmp_path / "db.json", 200)
    before = _records(store.path.read_bytes())
    changed = synthetic_events(3)[2].with_changes(title="Changed title")
    with store.transaction() as txn:
        txn.put_events([changed, *synthetic_events(2, prefix="new")])
        txn.remove_events(["syn-0000005"])
    after = _records(store.path.read_bytes())

    assert after.keys() == (before.keys() - {"syn-0000005"}) | {"new-0000000", "new-0000001"}
    touched = {"syn-0000002", "syn-0000005", "new-0000000", "new-0000001"}
    assert all(after[key] == line for key, line in before.items() if key not in touched)
    assert orjson.loads(after["syn-0000002"])["title"] == "Changed title"


def test_untouched_records_copied_as_slices_of_the_file_write_what_laying_out_each_would(
    tmp_path,
):
    # A write copies each run of untouched records as one slice of the file read: the file it
    # writes (and its CRC-32, which the view names) must be the one a write that lays out every
    # record again makes, whichever records around a run's ends were changed or removed.
    store = make_store(tmp_path / "db.json", 40)
    # Keys JSON writes escaped (a quote, a backslash, a control) or not (accents, kana) too.
    odd = ['a "quoted" \\ key\t', "caffè-日伊"]
    document = Document.of(orjson.loads(store.path.read_bytes()))
    document.table("events").put({key: {"id": key} for key in odd})
    with (tmp_path / "odd.json").open("wb") as out:
        document.write_to(out)
    raw = (tmp_path / "odd.json").read_bytes()
    by_line, plain = index_lines(raw), Document.of(orjson.loads(raw))
    assert by_line is not None
    assert all(by_line.table("events").record(key) == {"id": key} for key in odd)
    assert by_line.table("events").by_key() == plain.table("events").by_key()
    for document in (by_line, plain):
        events = document.table("events")
        keys = list(events.keys())
        first, second, last = keys[0], keys[1], keys[-1]
        events.put({second: {**(events.record(second) or {}), "title": "Changed"}})
        events.put({"new-1": {"id": "new-1"}, first: events.record(first) or {}})
        events.remove_keys([last, keys[-4], keys[7], keys[20]])  # keys[-2:] are the odd ones
        events.put({odd[1]: {"id": odd[1], "title": "Changed"}})
        document.table("feeds").put({"https://example.org/new.xml": {"url": "x"}})
        document.table("meta").put({"meta": {**(document.table("meta").record("meta") or {})}})
    written = {}
    for name, document in (("by_line", by_line), ("plain", plain)):
        with (tmp_path / name).open("wb") as out:
            crc = document.write_to(out)
        written[name] = ((tmp_path / name).read_bytes(), crc)
    assert written["by_line"] == written["plain"]
    assert orjson.loads(written["by_line"][0])["events"]["new-1"] == {"id": "new-1"}


def test_a_store_in_another_layout_is_read_and_laid_out_again(tmp_path):
    store = make_store(tmp_path / "db.json", 30)
    plain = amity("list", "--json", db=store.path).stdout
    document = json.loads(store.path.read_text(encoding="utf-8"))
    for layout in (
        {"separators": (",", ":")},  # compact on one line, as the previous amity wrote it
        {"indent": 2},  # a person's pretty-printed edit
    ):
        store.path.write_text(json.dumps(document, ensure_ascii=False, **layout), "utf-8")
        assert index_lines(store.path.read_bytes()) is None
        assert amity("list", "--json", db=store.path).stdout == plain
        feed = f"https://example.org/{len(layout)}.xml"
        assert amity("feeds", "add", feed, db=store.path).returncode == 0
        assert index_lines(store.path.read_bytes()) is not None  # laid out again
        assert amity("list", "--json", db=store.path).stdout == plain


def test_a_copy_that_kept_its_time_keeps_its_view_and_a_changed_copy_does_not(tmp_path):
    make_store(tmp_path / "db.json", 30)
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("db.json", "db.json.view"):
        shutil.copy2(tmp_path / name, copy / name)
    assert Store(copy / "db.json").view() is not None

    path = copy / "db.json"
    stat = path.stat()
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"Japan and Italy talk", b"Japon and Italy talk", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    assert Store(path).view() is None
    listed = json.loads(amity("list", "--json", db=path).stdout)
    assert any("Japon" in event["title"] for event in listed)


def test_a_hand_edit_that_splits_a_record_over_lines_is_read_as_json_reads_it(tmp_path):
    # A record spread over lines, one of them shaped like another record's line: the lines are
    # not the records, so the whole parse is what counts, and a later write keeps its values.
    store = make_store(tmp_path / "db.json", 5)
    raw = store.path.read_bytes()
    first = _records(raw)["syn-0000000"]
    record = orjson.loads(first)
    decoy = orjson.dumps({**record, "title": "SHOWN BUT NOT STORED"})
    split = first[:-1] + b',"nest":{},\n"syn-0000000":' + decoy + b"}"
    store.path.write_bytes(raw.replace(first, split, 1))
    stored = json.loads(store.path.read_text(encoding="utf-8"))["events"]["syn-0000000"]
    assert stored["title"] == record["title"]  # JSON reads the first title

    assert index_lines(store.path.read_bytes()) is None
    listed = amity("list", "--json", db=store.path)
    assert listed.returncode == 0, listed.stderr
    titles = {event["id"]: event["title"] for event in json.loads(listed.stdout)}
    assert titles["syn-0000000"] == record["title"]
    assert amity("hide", "syn-0000001", db=store.path).returncode == 0
    after = _records(store.path.read_bytes())
    assert orjson.loads(after["syn-0000000"])["title"] == record["title"]


def _records(raw: bytes) -> dict[str, bytes]:
    document = index_lines(raw)
    assert document is not None
    return {key: bytes(value) for key, value in document.table("events").items()}  # type: ignore


def test_a_draft_is_the_locked_read_only_while_the_file_holds_the_bytes_it_read(tmp_path):
    store = make_store(tmp_path / "db.json", 30)
    draft = store.draft()
    with store.transaction(draft) as txn:  # nothing written since: no second read
        assert txn.document is draft.document
        txn.put_events(synthetic_events(1, prefix="mine"))

    stale = store.draft()
    Store(store.path).put_events(synthetic_events(1, prefix="other"))  # another process
    with store.transaction(stale) as txn:
        assert txn.document is not stale.document
        assert txn.table("events").has("other-0000000") and txn.table("events").has("mine-0000000")
