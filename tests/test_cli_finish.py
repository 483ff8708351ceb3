"""The command line's rough edges (issue 12, defects 11 and 12): tables that fit the terminal,
feeds add that adds, a feed's title on its sources, OPML entries skipped by name, a tenth
topic without a key, and an unwritable store folder said at once."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from amity.feeds import refresh
from amity.store import Event, Feed, Store, StoreError, load_config
from amity.tui.output import display_width
from feedserver import relevant_item, rss, short_config, store_with
from storegen import amity


def widest(text: str) -> int:
    return max(display_width(line) for line in text.splitlines())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "amity.json"
    store = Store.open(path)
    with store.transaction() as txn:
        txn.put_feeds(
            [
                Feed(
                    "https://broken.example/feed.xml",
                    "Broken",
                    status="error",
                    error="HTTP 503 Service Unavailable from broken.example after 3 tries; "
                    "backing off until tomorrow morning",
                )
            ]
        )
    return path


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_list_fits_the_terminal_and_titles_keep_the_room(db: Path, columns: int) -> None:
    result = amity("list", db=db, env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    assert widest(result.stdout) <= columns
    line = next(li for li in result.stdout.splitlines() if "2026-01-16" in li)
    title = "Special Strategic Partnership"
    assert title[:20] in line  # the title keeps its room; the topics give theirs up
    as_json = amity("list", "--json", db=db, env={"COLUMNS": "40"})
    assert json.loads(as_json.stdout) == json.loads(amity("list", "--json", db=db).stdout)


def test_feeds_list_wraps_the_error_in_full(db: Path) -> None:
    result = amity("feeds", "list", db=db, env={"COLUMNS": "80"})
    assert widest(result.stdout) <= 80
    words = " ".join(result.stdout.split())
    assert "backing off until tomorrow morning" in words


def test_feeds_add_tag_adds_and_says_so(db: Path) -> None:
    url = "https://a.example/rss"
    assert amity("feeds", "add", url, "--tag", "it", db=db).returncode == 0
    result = amity("feeds", "add", url, "--tag", "news", db=db)
    assert result.returncode == 0
    assert "tag news added" in result.stderr and "tags: it, news" in result.stderr
    feeds = {f.url: f for f in Store.open(db).feeds()}
    assert feeds[url].tags == ("it", "news")


async def test_a_feed_title_given_is_what_its_sources_show(server, tmp_path: Path) -> None:
    url = server.serve("/feed", rss(relevant_item(1), title="Channel Name From The Feed"))
    store = store_with(tmp_path / "db.json", [url])
    with store.transaction() as txn:
        feed = txn.feeds()[url]
        txn.put_feeds([Feed(url, "My Wire", feed.tags)])
    await refresh(store, short_config())
    publishers = {s.publisher for e in store.events() if e.origin == "feed" for s in e.sources}
    assert publishers == {"My Wire"}


def test_opml_import_counts_and_names_what_it_skipped(db: Path, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><head/><body>
        <outline text="Good" xmlUrl="https://good.example/rss"/>
        <outline text="Local file" xmlUrl="file:///etc/passwd"/>
        <outline text="Again" xmlUrl="https://good.example/rss"/>
        </body></opml>""",
        encoding="utf-8",
    )
    result = amity("feeds", "import", str(opml), db=db)
    assert result.returncode == 0
    assert "1 new, 2 skipped" in result.stderr
    assert "skipped Local file (file:///etc/passwd): not an http(s) feed URL" in result.stderr
    assert "skipped Again (https://good.example/rss): listed twice" in result.stderr


def test_a_tenth_topic_gets_no_key_and_zero_still_clears(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "".join(f'[[topics]]\nid = "t{n}"\nlabel = "Topic {n}"\n' for n in range(1, 11)),
        encoding="utf-8",
    )
    topics = load_config(config).topics
    assert [t.key for t in topics] == [*"123456789", ""]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to drop privileges")
def test_an_unwritable_store_folder_is_said_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    Store.open(folder / "amity.json")
    (folder / "amity.json.lock").unlink(missing_ok=True)
    folder.chmod(0o555)
    tmp_path.chmod(0o755)
    import filelock  # noqa: F401 - imported before privileges drop

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.close(read)
        if os.geteuid() == 0:  # root writes anywhere: be nobody, as a user would be
            os.setgid(65534)
            os.setuid(65534)
        started = time.monotonic()
        try:
            with Store.open(folder / "amity.json").transaction() as txn:
                txn.put_feeds([Feed("https://x.example/rss")])
            message = "written"
        except StoreError as exc:
            message = str(exc)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
        os.write(write, f"{time.monotonic() - started:.1f}|{message}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    answer = os.read(read, 4096).decode()
    seconds, message = answer.split("|", 1) if "|" in answer else ("0", answer)
    folder.chmod(0o755)
    assert "Permission denied" in message and "another amity process" not in message
    assert str(folder) in message
    assert float(seconds) < 5  # not the 10 s lock timeout (a bound, not a speed measure)


def test_list_keeps_its_columns_with_combining_marks_and_emoji(db: Path) -> None:
    # Each combining mark of "Z̷̢̛̮algo" counted a column, and 👍🏽 or 👨‍👩‍👧 as many as their parts:
    # those rows' topics stood columns left or right of every other row's.
    from rich.cells import cell_len  # a second, independent measure of terminal columns

    Store.open(db).put_events(
        [
            Event(id="z", date="2025-04-04", title="Z̷̢̛̮a̸̡͓l̶͎̈g̵̣̈́o̴̱͝ talks, café", topics=("culture",)),
            Event(
                id="e", date="2025-04-05", title="Thumbs 👍🏽 family 👨‍👩‍👧 ✈️", topics=("culture",)
            ),
            Event(id="p", date="2025-04-06", title="Plain title", topics=("culture",)),
        ]
    )
    result = amity("list", "--since", "2025-04", "--until", "2025-04", db=db, env={"COLUMNS": "80"})
    rows = [line for line in result.stdout.splitlines() if line.endswith("  culture")]
    starts = {cell_len(line[: line.rindex("  culture")]) for line in rows}
    assert len(rows) == 3 and len(starts) == 1, result.stdout
    assert "Thumbs 👍 family 👨👩👧 ✈" in result.stdout
