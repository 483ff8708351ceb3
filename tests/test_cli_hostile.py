"""Hostile files, configs and stored text at the command line: a clear message and the right
exit code (2 for bad input or config, 3 for an unusable store), never a traceback, and nothing
lost or overwritten."""

from __future__ import annotations

import json
from pathlib import Path

from amity.store import Feed, Store
from amity.tui.cli import cli
from click.testing import CliRunner

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
