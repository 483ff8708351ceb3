"""`amity import` and `amity export`: merge by id in one write, refuse bad files whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from amity.store import Store
from storegen import amity, export_file, synthetic_event, synthetic_events


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_export_import_export_is_identical(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    mine = export_file(tmp_path / "mine.json", synthetic_events(20, "mine"))
    assert amity("import", str(mine), db=first).returncode == 0
    exported = amity("export", "--format", "json", db=first)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["amity"] == 1 and len(document["events"]) == 56 + 20
    dump = tmp_path / "dump.json"
    dump.write_text(exported.stdout, encoding="utf-8")
    second = tmp_path / "second.json"
    assert amity("import", str(dump), db=second).returncode == 0
    again = amity("export", db=second)
    assert again.stdout == exported.stdout
    # -o writes the same document to a file.
    assert amity("export", "-o", str(tmp_path / "o.json"), db=second).returncode == 0
    assert json.loads((tmp_path / "o.json").read_text(encoding="utf-8")) == document


def test_import_is_idempotent_and_merges_by_id(tmp_path: Path) -> None:
    db = tmp_path / "amity.json"
    batch = export_file(tmp_path / "in.json", synthetic_events(5))
    first = amity("import", str(batch), db=db)
    assert "5 new" in first.stderr
    before = _fingerprint(db)
    second = amity("import", str(batch), db=db)
    assert second.returncode == 0 and "0 new, 0 updated, 5 unchanged" in second.stderr
    assert _fingerprint(db) == before  # nothing changed, so nothing was written
    changed = synthetic_event(3).with_changes(title="A better title")
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([changed.to_dict()]), encoding="utf-8")
    assert "1 updated" in amity("import", str(bare), db=db).stderr
    listed = json.loads(amity("list", "--json", "--search", "better", db=db).stdout)
    assert [e["id"] for e in listed] == ["syn-0000003"]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"date": "2024-13-40"}, ["event 2", "syn-0000002", "'date'"]),
        ({"kind": "party"}, ["event 2", "syn-0000002", "'kind'"]),
        ({"topics": ["gastronomy"]}, ["event 2", "'topics'", "gastronomy"]),
        ({"sources": [{"url": "file:///etc/passwd"}]}, ["event 2", "'sources[0].url'"]),
        ({"title": ""}, ["event 2", "'title'"]),
        ({"id": "has spaces"}, ["event 2", "'id'"]),
    ],
)
def test_one_bad_event_refuses_the_whole_file(tmp_path: Path, bad: dict, words: list[str]) -> None:
    db = tmp_path / "amity.json"
    Store.open(db)
    before = _fingerprint(db)
    items = [e.to_dict() for e in synthetic_events(4)]
    items[2].update(bad)
    result = amity("import", str(export_file(tmp_path / "in.json", items)), db=db)
    assert result.returncode == 2
    for word in words:
        assert word in result.stderr
    assert "nothing was imported" in result.stderr and "Traceback" not in result.stderr
    assert _fingerprint(db) == before


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"amity": 2, "events": []}', b'{"amity": "one", "events": []}', b"{}", b"3"],
)
def test_unusable_import_files_exit_2(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "amity.json"
    Store.open(db)
    before = _fingerprint(db)
    source = tmp_path / "in.json"
    source.write_bytes(content)
    result = amity("import", str(source), db=db)
    assert result.returncode == 2, result.stderr
    assert str(source) in result.stderr and "Traceback" not in result.stderr
    assert _fingerprint(db) == before


def test_missing_import_file_exits_2(tmp_path: Path) -> None:
    result = amity("import", str(tmp_path / "nope.json"), db=tmp_path / "amity.json")
    assert result.returncode == 2 and "nope.json" in result.stderr


@pytest.mark.parametrize("args", [["export", "-o"], ["feeds", "export"]])
def test_an_output_file_that_cannot_be_written_exits_2_naming_it(
    tmp_path: Path, args: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "out"
    result = amity(*args, str(target), db=tmp_path / "amity.json")
    assert result.returncode == 2, result.stderr
    assert str(target) in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_export_to_a_file_writes_what_stdout_prints(tmp_path: Path) -> None:
    db = tmp_path / "amity.json"
    out = tmp_path / "o.json"
    assert amity("export", "-o", str(out), db=db).returncode == 0
    assert out.read_text(encoding="utf-8") == amity("export", db=db).stdout
