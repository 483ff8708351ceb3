"""An unusable store file is refused by path with exit 3 and left exactly as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from amity.store import Store, StoreDamaged, StoreTooNew
from storegen import amity, export_file, synthetic_events

GOOD_META = {"meta": {"schema": 1, "seeded": {"japan-italy": 1}}}

DAMAGED: dict[str, bytes] = {
    "empty": b"",
    "blank": b"  \n",
    "non-json": b"this is not json\n",
    "binary": b"\x00\xff\xfe garbage",
    "truncated": json.dumps({"meta": GOOD_META, "events": {}}).encode()[:-7],
    "json-list": b"[1, 2, 3]",
    "json-string": b'"amity"',
    "other-app": json.dumps({"_default": {"1": {"name": "x"}}}).encode(),
    "meta-not-object": json.dumps({"meta": [], "events": {}}).encode(),
    "schema-not-number": json.dumps({"meta": {"meta": {"schema": "1"}}}).encode(),
    "table-not-object": json.dumps({"meta": GOOD_META, "events": []}).encode(),
    "event-not-object": json.dumps({"meta": GOOD_META, "events": {"a": 5}}).encode(),
    "event-missing-date": json.dumps({"meta": GOOD_META, "events": {"a": {"id": "a"}}}).encode(),
    "event-numeric-date": json.dumps(
        {"meta": GOOD_META, "events": {"a": {"id": "a", "date": 2024, "title": "t"}}}
    ).encode(),
    "event-garbage-date": json.dumps(
        {"meta": GOOD_META, "events": {"a": {"id": "a", "date": "soon", "title": "t"}}}
    ).encode(),
    "event-numeric-id": json.dumps(
        {"meta": GOOD_META, "events": {"a": {"id": 7, "date": "2024", "title": "t"}}}
    ).encode(),
    "newer-schema": json.dumps({"meta": {"meta": {"schema": 99}}, "events": {}}).encode(),
}


def _fingerprint(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_ino


CASES = [("list", name) for name in DAMAGED] + [
    (command, name)
    for command in ("import", "export", "topics")
    for name in ("empty", "truncated", "meta-not-object", "newer-schema")
]


@pytest.mark.parametrize(("command", "name"), CASES)
def test_unusable_store_exits_3_names_the_path_and_is_untouched(
    tmp_path: Path, command: str, name: str
) -> None:
    path = tmp_path / "amity.json"
    path.write_bytes(DAMAGED[name])
    before = _fingerprint(path)
    importing = export_file(tmp_path / "in.json", synthetic_events(2))
    args = {
        "import": ["import", str(importing)],
        "export": ["export", "-o", str(tmp_path / "out.json")],
    }
    result = amity(*args.get(command, [command]), db=path)
    assert result.returncode == 3, result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    if name == "newer-schema":
        assert "newer" in result.stderr
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "amity.json",
        "in.json",
    ]


def test_damaged_and_too_new_are_distinct_errors(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    path.write_bytes(DAMAGED["truncated"])
    with pytest.raises(StoreDamaged):
        Store.open(path)
    path.write_bytes(DAMAGED["newer-schema"])
    with pytest.raises(StoreTooNew):
        Store.open(path)


HOLD_LOCK = """
import sys, filelock
lock = filelock.FileLock(sys.argv[1], timeout=5)
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_import_gives_up_on_a_lock_held_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    Store.open(path)
    before = _fingerprint(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, f"{path}.lock"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        importing = export_file(tmp_path / "in.json", synthetic_events(3))
        result = amity("import", str(importing), db=path, env={"AMITY_LOCK_TIMEOUT": "0.5"})
        # Readers need no lock: list still works while the writer lock is held.
        listed = amity("list", "--json", db=path, env={"AMITY_LOCK_TIMEOUT": "0.5"})
    finally:
        holder.communicate("")
    assert result.returncode == 3
    assert str(path) in result.stderr and "another amity process" in result.stderr
    assert "Traceback" not in result.stderr
    assert _fingerprint(path) == before
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 56
    # Once the holder is gone, the same import goes through.
    assert amity("import", str(importing), db=path).returncode == 0
    assert len(Store.open(path).events()) == 59


def test_missing_folder_is_created_for_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "amity.json"
    result = amity("list", "--json", db=path)
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_store_in_a_folder_that_cannot_be_made_exits_3_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    path = blocker / "amity.json"
    result = amity("list", db=path)
    assert result.returncode == 3, result.stderr
    assert str(path) in result.stderr and "Traceback" not in result.stderr
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_one_batch_naming_an_event_twice_keeps_the_last(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "amity.json")
    first = synthetic_events(1)[0]
    assert store.put_events([first, first.with_changes(title="Second thoughts")]) == (1, 0)
    assert [e.title for e in store.events() if e.id == first.id] == ["Second thoughts"]


def test_a_large_file_handed_to_the_disk_as_it_is_written_holds_every_byte(tmp_path: Path):
    # Past WRITE_BACK bytes a durable write starts the disk's write-back as it goes (the view
    # also goes back to its header at the end): the file renamed into place is the one written.
    from amity.store.storage import WRITE_BACK, atomic_write

    pieces = [bytes([n]) * (WRITE_BACK // 3 + n) for n in range(10)]
    expected = bytearray(b"".join(pieces))
    expected[4:9] = b"HEAD!"

    def write(handle):
        for piece in pieces:
            handle.write(piece)
        handle.seek(4)
        handle.write(b"HEAD!")

    path = tmp_path / "big.json"
    written = atomic_write(path, write)
    assert path.read_bytes() == expected
    assert written.st_size == len(expected)
