"""Hostile files, configs and stored text at the command line: a clear message and the right
exit code (2 for bad input or config, 3 for an unusable store), never a traceback, and nothing
lost or overwritten."""

from __future__ import annotations

from pathlib import Path

from amity.store import Feed, Store, load_config
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
