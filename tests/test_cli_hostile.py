"""Hostile files, configs and stored text at the command line: a clear message and the right
exit code (2 for bad input or config, 3 for an unusable store), never a traceback, and nothing
lost or overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

from amity.feeds import refresh
from amity.store import Feed, Store, last_checked, load_config
from amity.store.text import SUMMARY_CHARS, TITLE_CHARS
from amity.tui.cli import cli
from amity.tui.visits import Visits, load_visits, visit_path
from click.testing import CliRunner
from feedserver import relevant_item, rss, short_config, store_with
from storegen import amity

ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]0;pwned\x07\u202e"


def run(db: Path, *args: str, config: Path | None = None):
    """The command in this process; an uncaught exception is exit 1 with `exception` set."""
    env = {"AMITY_DB": str(db), "AMITY_CONFIG": str(config) if config else None}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)


def assert_clear(result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output and "Error(" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


def test_feeds_export_prints_no_escapes_and_feeds_import_reads_it_back(tmp_path):
    db = tmp_path / "db.json"
    store = Store.open(db)
    hostile = [
        Feed(url="https://a.example/rss", title=f"{ESCAPES}Nice title", tags=(f"x{ESCAPES}",)),
        Feed(url="https://b.example/p\x1b[2Jath", title="B\x00\x0b"),
        Feed(url="https://c.example/rss", title="wide " * 100_000),
    ]
    with store.transaction() as txn:
        txn.put_feeds(hostile)
    exported = run(db, "feeds", "export")
    assert_clear(exported, 0)
    assert not any(c in exported.stdout for c in "\x1b\x07\x00\x0b\u202e")
    opml = tmp_path / "subs.opml"
    assert_clear(run(db, "feeds", "export", str(opml)), 0)

    other = tmp_path / "other.json"
    imported = run(other, "feeds", "import", str(opml))
    assert_clear(imported, 0)
    feeds = {f.url: f for f in Store(other).snapshot().feeds}
    assert feeds["https://a.example/rss"].title == "Nice title"
    assert feeds["https://a.example/rss"].tags == ("x",)
    assert "https://b.example/p%1B[2Jath" in feeds
    assert len(feeds["https://c.example/rss"].title) <= 200


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_huge_backoff_is_refused_with_the_setting_named(tmp_path):
    config = write_config(tmp_path, "[refresh]\nmax_backoff_hours = 1e300\n")
    result = run(tmp_path / "db.json", "refresh", config=config)
    assert_clear(result, 2, "max_backoff_hours", "at most")


def test_every_refresh_setting_has_an_upper_bound(tmp_path):
    for name, value in [("concurrency", 10**9), ("deadline", 1e12), ("max_bytes", 2**62)]:
        config = write_config(tmp_path, f"[refresh]\n{name} = {value}\n")
        assert_clear(run(tmp_path / "db.json", "list", config=config), 2, name)


def test_config_text_is_cleaned_when_it_is_read(tmp_path):
    config = write_config(
        tmp_path,
        '[[pair]]\ncode = "JP"\nname = "\\u001b]0;pwned\\u0007Japan\\u202e"\n'
        'aliases = ["japan\\u001b[2J"]\n'
        '[[pair]]\ncode = "IT"\nname = "Italy"\n'
        '[[topics]]\nid = "talks"\nlabel = "Talks \\u001b[31m[b]"\n',
    )
    loaded = load_config(config)
    assert [c.name for c in loaded.pair] == ["Japan", "Italy"]
    assert loaded.pair[0].aliases == ("japan",)
    assert loaded.topics[0].label == "Talks [b]"
    shown = run(tmp_path / "db.json", "topics", config=config)
    assert_clear(shown, 0, "Talks [b]")


def test_deeply_nested_or_oversized_toml_is_a_config_error(tmp_path):
    for text in ["x = " + "[" * 100_000 + "]" * 100_000, "x = " + "9" * 5000]:
        config = write_config(tmp_path, text)
        result = run(tmp_path / "db.json", "list", config=config)
        assert_clear(result, 2, "cannot read config")


def damaged_copy(tmp_path: Path, change) -> Path:
    db = tmp_path / "db.json"
    Store.open(db)
    data = json.loads(db.read_text(encoding="utf-8"))
    change(data)
    db.write_text(json.dumps(data), encoding="utf-8")
    return db


def first_event(data):
    return next(iter(data["events"].values()))


def test_valid_json_with_wrong_types_is_a_damaged_store_never_rewritten(tmp_path):
    damages = {
        "seeded": lambda d: d["meta"]["meta"].update(seeded=[]),
        "topics": lambda d: first_event(d).update(topics=5),
        "sources": lambda d: first_event(d).update(sources=[{"url": 7}]),
        "summary": lambda d: first_event(d).update(summary=None),
        "tags": lambda d: next(iter(d["feeds"].values())).update(tags=5),
    }
    events = tmp_path / "in.json"
    events.write_text('[{"id": "x", "date": "2026", "title": "X"}]', encoding="utf-8")
    for name, change in damages.items():
        folder = tmp_path / name
        folder.mkdir()
        db = damaged_copy(folder, change)
        before = db.read_bytes()
        for args in (["list"], ["import", str(events)], ["feeds", "list"], ["export"]):
            result = run(db, *args)
            assert_clear(result, 3, str(db), "damaged", name)
        assert db.read_bytes() == before, name


def test_side_files_that_do_not_parse_are_ignored_with_a_warning(tmp_path, server):
    db = tmp_path / "db.json"
    store = store_with(db, [server.serve("/feed", rss(relevant_item(1)))])
    (tmp_path / "db.json.refreshed").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "db.json.visit.json").write_text("[" * 100_000 + "]" * 100_000)
    assert load_visits(visit_path(db)) == Visits()
    assert last_checked(store) is None


async def test_a_folder_in_place_of_the_check_time_file_costs_no_refresh(tmp_path, server):
    db = tmp_path / "db.json"
    store = store_with(db, [server.serve("/feed", rss(relevant_item(1)))])
    (tmp_path / "db.json.refreshed").mkdir()
    report = await refresh(store, short_config())
    assert report.new_articles == 1 and report.failed == 0
    assert any(e.origin == "feed" for e in store.snapshot().events)


def test_deeply_nested_or_oversized_json_import_is_a_usage_error(tmp_path):
    db = tmp_path / "db.json"
    for name, text in {
        "deep": "[" * 100_000 + "]" * 100_000,
        "digits": '[{"id": "x", "date": "2026", "title": "X", "n": ' + "9" * 5000 + "}]",
    }.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        assert_clear(run(db, "import", str(path)), 2, "not valid JSON")
    assert "nested too deeply" in run(db, "import", str(tmp_path / "deep.json")).output


def test_the_sweep_leaves_other_files_temporary_files_alone(tmp_path):
    db = tmp_path / "db.json"
    store = Store.open(db)
    others = [tmp_path / f".db.json.{kind}.abcd1234.tmp" for kind in ("bak", "visit.json", "old")]
    own = tmp_path / ".db.json.abcd1234.tmp"
    for path in [*others, own]:
        path.write_text("half-written")
    with store.transaction() as txn:
        txn.update_meta(touched=True)
    assert all(path.exists() for path in others)
    assert not own.exists()


def test_special_files_as_the_store_are_refused_with_their_path(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    locked = tmp_path / "locked.json"
    Store.open(locked)
    locked.chmod(0)
    unreadable = [locked] if os.geteuid() != 0 else []  # root reads a mode-000 file
    for path in (fifo, Path("/dev/zero"), tmp_path, *unreadable):
        result = amity("list", db=path)
        assert result.returncode == 3, (path, result.stderr)
        assert str(path) in result.stderr and "Traceback" not in result.stderr
    locked.chmod(0o600)


def test_exports_never_overwrite_the_store_or_its_side_files(tmp_path):
    db = tmp_path / "db.json"
    Store.open(db)
    before = db.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(db)
    for target in (
        db,
        link,
        tmp_path / "db.json.lock",
        tmp_path / "db.json.refreshed",
        tmp_path / "db.json.view",
    ):
        assert_clear(run(db, "export", "-o", str(target)), 2, "store")
        assert_clear(run(db, "feeds", "export", str(target)), 2, "store")
    assert db.read_bytes() == before
    assert_clear(run(db, "list"), 0)


def test_a_symlinked_store_is_written_through(tmp_path):
    real = tmp_path / "data" / "real.json"
    real.parent.mkdir()
    Store.open(real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    events = tmp_path / "in.json"
    events.write_text('[{"id": "mine", "date": "2026", "title": "Mine"}]', encoding="utf-8")
    assert_clear(run(link, "import", str(events)), 0)
    assert link.is_symlink()
    assert "mine" in {e.id for e in Store(real).events()}


def test_imported_titles_and_summaries_have_length_limits(tmp_path):
    db = tmp_path / "db.json"
    Store.open(db)
    before = db.read_bytes()
    oversized = {
        "title": {"title": "t" * 10_000_000},
        "summary": {"title": "ok", "summary": "s " * (SUMMARY_CHARS // 2 + 1)},
        "sources[0].title": {
            "title": "ok",
            "sources": [{"url": "https://a.example/", "title": "x" * 5000}],
        },
        "note": {"title": "ok", "note": "n" * 1_000_000},
        "terms": {"title": "ok", "terms": ["ACSA"] * 10_000},
    }
    for name, fields in oversized.items():
        path = tmp_path / "in.json"
        path.write_text(json.dumps([{"id": "big", "date": "2026", **fields}]), encoding="utf-8")
        result = run(db, "import", str(path))
        assert_clear(result, 2, f"field '{name}'", "nothing was imported")
        assert len(result.output) < 500  # the value is not echoed back whole
    assert db.read_bytes() == before
    fits = tmp_path / "fits.json"
    fits.write_text(json.dumps([{"id": "fits", "date": "2026", "title": "t" * TITLE_CHARS}]))
    assert_clear(run(db, "import", str(fits)), 0)


def test_add_and_edit_share_the_length_limits(tmp_path):
    db = tmp_path / "db.json"
    long_title = "t" * (TITLE_CHARS + 1)
    assert_clear(run(db, "add", "--date", "2026", "--title", long_title), 2, "title")
    assert_clear(run(db, "add", "--date", "2026", "--title", "Mine"), 0)
    [mine] = [e for e in Store(db).events() if e.origin == "user"]
    assert_clear(run(db, "edit", mine.id, "--title", long_title), 2, "title")
    assert [e.title for e in Store(db).events() if e.id == mine.id] == ["Mine"]
