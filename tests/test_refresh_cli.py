"""`amity feeds ...` and `amity refresh` as people and cron run them: output, exit codes,
signals, and no textual import."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest
from amity.feeds import refresh
from amity.store import DEFAULT_FEEDS, Store, load_config
from amity.tui.cli import cli
from click.testing import CliRunner
from feedserver import FeedServer, fast_and_stuck, relevant_item, rss, store_with
from storegen import AMITY


@pytest.fixture
def env(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("[refresh]\ndeadline = 5.0\nconcurrency = 1\n", encoding="utf-8")
    values = {"AMITY_DB": str(tmp_path / "db.json"), "AMITY_CONFIG": str(config)}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def feed_url(server: FeedServer, path: str, body: bytes, status: int = 200) -> str:
    return server.serve(path, body, status)


def subscribe(env, *urls: str) -> Store:
    return store_with(env["AMITY_DB"], list(urls))


def test_feeds_add_refuses_an_empty_tag(env):
    result = run("feeds", "add", "https://example.org/feed.xml", "--tag", " ")
    assert result.exit_code == 2
    assert "tag must not be empty" in result.output
    feeds = run("feeds", "list", "--json")
    assert "https://example.org/feed.xml" not in feeds.output


def test_feeds_add_list_remove(env):
    result = run("feeds", "add", "https://a.example/rss", "--title", "A \x1b[31m", "--tag", "it")
    assert result.exit_code == 0
    listed = json.loads(run("feeds", "list", "--json").stdout)
    added = next(f for f in listed if f["url"] == "https://a.example/rss")
    assert added == {
        "url": "https://a.example/rss",
        "title": "A",
        "tags": ["it"],
        "status": "new",
        "error": None,
        "last_ok": None,
        "next_check": None,
    }
    assert any("default" in f["tags"] for f in listed)  # a new store has the default feeds
    table = run("feeds", "list").stdout
    assert "https://a.example/rss" in table and "\x1b" not in table
    assert run("feeds", "remove", "https://a.example/rss").exit_code == 0
    assert run("feeds", "remove", "https://a.example/rss").exit_code == 2
    assert run("feeds", "add", "file:///etc/passwd").exit_code == 2
    assert run("feeds", "add", "ftp://x.example/").exit_code == 2


def test_feeds_add_refuses_a_url_with_a_space_or_an_escape(env):
    # The store's own URL check: such a feed was kept before, its URL unusable and unsafe.
    for url in ("https://a.example/a b", "https://a.example/rss\x1b[2J"):
        result = CliRunner().invoke(cli, ["feeds", "add", url])
        assert result.exit_code == 2 and "expected an http(s) URL" in result.output
    listed = json.loads(run("feeds", "list", "--json").stdout)
    assert not any(f["url"].startswith("https://a.example/") for f in listed)


def test_opml_export_then_import_into_another_store(env, tmp_path, monkeypatch):
    run("feeds", "add", "https://a.example/rss", "--title", "A & B", "--tag", "x", "--tag", "y")
    out = tmp_path / "subs.opml"
    assert run("feeds", "export", str(out)).exit_code == 0
    assert run("feeds", "export").stdout == out.read_text(encoding="utf-8")
    monkeypatch.setenv("AMITY_DB", str(tmp_path / "other.json"))
    for url in [f["url"] for f in json.loads(run("feeds", "list", "--json").stdout)]:
        run("feeds", "remove", url)
    result = run("feeds", "import", str(out))
    assert result.exit_code == 0
    feeds = {f["url"]: f for f in json.loads(run("feeds", "list", "--json").stdout)}
    assert feeds["https://a.example/rss"]["title"] == "A & B"
    assert feeds["https://a.example/rss"]["tags"] == ["x", "y"]
    assert len(feeds) == len(DEFAULT_FEEDS) + 1
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<html>nope</html>")
    assert run("feeds", "import", str(bad)).exit_code == 2


def test_refresh_json_and_exit_codes(env, threaded_server):
    good = feed_url(threaded_server, "/good", rss(relevant_item(1)))
    bad = feed_url(threaded_server, "/bad", b"nope", 404)
    subscribe(env, good, bad)

    result = run("refresh", "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"feeds", "new_events", "new_articles", "seconds"}
    by_url = {f["url"]: f for f in report["feeds"]}
    assert by_url[good] == {"url": good, "status": "ok", "error": None, "new": 1, "updated": 0}
    assert by_url[bad]["status"] == "error" and "404" in by_url[bad]["error"]
    assert report["new_events"] == 1 and report["new_articles"] == 1
    # Everything else was saved.
    assert any(e.origin == "feed" for e in Store(env["AMITY_DB"]).events())

    only_good = run("refresh", "--feed", good, "--json")
    assert only_good.exit_code == 0
    assert json.loads(only_good.stdout)["feeds"][0]["status"] == "ok"
    assert run("refresh", "--feed", "https://not.subscribed/").exit_code == 2


def test_refresh_quiet_prints_only_errors(env, threaded_server):
    good = feed_url(threaded_server, "/good", rss())
    subscribe(env, good)
    quiet = run("refresh", "--quiet")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    loud = run("refresh")
    assert loud.stdout == "" and loud.stderr.startswith("refreshed 1 feed")
    assert "\r" not in loud.stderr  # no progress bar when stderr is not a terminal

    bad = feed_url(threaded_server, "/bad", b"x", 500)
    subscribe(env, good, bad)
    failing = run("refresh", "--quiet")
    assert failing.exit_code == 1
    assert failing.stderr.strip() == f"amity: {bad}: HTTP 500 Internal Server Error"


def test_refresh_does_not_import_textual(env, threaded_server):
    subscribe(env, feed_url(threaded_server, "/good", rss()))
    out = refresh_in_a_process(
        env, "--quiet", shows="any(m == 'textual' or m.startswith('textual.') for m in sys.modules)"
    )
    assert out.stdout.split() == ["0", "False"], out.stderr


def refresh_in_a_process(env, *args: str, shows: str) -> subprocess.CompletedProcess[str]:
    """`amity refresh ARGS` in a fresh Python process that then prints its exit code and
    the value of the expression `shows` (on sys.modules, say)."""
    code = (
        "import sys\n"
        "from amity.tui.cli import main\n"
        f"sys.argv = ['amity', 'refresh', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"print(code, {shows})\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}
    )


def test_a_refresh_in_which_nothing_changed_never_loads_the_feed_parser(env, threaded_server):
    # Every feed answers 304: there is nothing to parse, so the parser's ~20 ms of imports
    # (fastfeedparser, lxml, dateutil) are never paid, and the store is not written.
    urls = [threaded_server.serve(f"/same{n}", b"", 304) for n in range(3)]
    store_with(env["AMITY_DB"], urls, etag='"v1"', status="ok")
    before = os.stat(env["AMITY_DB"]).st_mtime_ns
    out = refresh_in_a_process(
        env, "--force", shows="'fastfeedparser' in sys.modules, 'lxml' in sys.modules"
    )
    assert out.stdout.split() == ["0", "False", "False"], out.stderr
    assert "3 not modified: 0 new articles, 0 new events" in out.stderr
    assert os.stat(env["AMITY_DB"]).st_mtime_ns == before


def test_a_command_line_refresh_gives_the_timeline_of_a_refresh_inside_another_program(
    env, threaded_server, tmp_path
):
    # The command and the app run the same refresh(): same feeds, same timeline, byte for
    # byte, errors and the exit status included.
    urls = [
        feed_url(threaded_server, f"/feed{n}", rss(*(relevant_item(n * 5 + k) for k in range(5))))
        for n in range(4)
    ]
    urls.append(feed_url(threaded_server, "/broken", b"<rss><channel><item><title>x"))
    urls.append(feed_url(threaded_server, "/gone", b"", 404))
    subscribe(env, *urls)
    command = subprocess.run(
        [AMITY, "refresh", "--json"], env={**os.environ, **env}, capture_output=True, text=True
    )
    threaded = store_with(tmp_path / "threaded.json", urls)
    report = asyncio.run(refresh(threaded, load_config(env["AMITY_CONFIG"])))

    assert command.returncode == 1, command.stderr  # the broken and the gone feed
    command_report = json.loads(command.stdout)
    assert [f["status"] for f in command_report["feeds"]] == ["ok"] * 4 + ["error", "error"]
    assert command_report["feeds"] == [f.to_json() for f in report.feeds]
    assert command_report["new_events"] == report.new_events == 20
    listed = [
        run("--db", str(db), "list", "--json").stdout
        for db in (env["AMITY_DB"], tmp_path / "threaded.json")
    ]
    assert listed[0] == listed[1] and json.loads(listed[0])


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
async def test_a_signal_mid_refresh_exits_130_and_keeps_completed_feeds(env, signum):
    server = await FeedServer().start()
    try:
        fast, slow = fast_and_stuck(server)
        subscribe(env, fast, slow)
        proc = await asyncio.create_subprocess_exec(
            AMITY,
            "refresh",
            env={**os.environ, **env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # A shell that started this run in the background ignores SIGINT, and children
            # inherit that (as Unix intends); give the child the default a terminal user has.
            preexec_fn=_default_sigint,
        )
        # concurrency = 1: the slow feed is requested only once the fast one has completed.
        async with asyncio.timeout(30):
            while not server.hits("/slow"):
                await asyncio.sleep(0.02)
            proc.send_signal(signum)
            _, stderr = await proc.communicate()
    finally:
        await server.stop()
    assert proc.returncode == 130, stderr
    assert b"interrupted" in stderr
    feeds = {f.url: f for f in Store(env["AMITY_DB"]).snapshot().feeds}
    assert feeds[fast].status == "ok" and feeds[slow].status == "new"
    assert any(e.origin == "feed" for e in Store(env["AMITY_DB"]).events())


def test_the_command_line_skips_rich_and_a_library_user_keeps_httpx_whole():
    # amity's main() tunes its own process (tui/tuning.py): a refresh never loads httpx's
    # command-line tool and rich with it. A program that imports amity.feeds keeps httpx as is.
    tuned = (
        "import sys\n"
        "from amity.tui.tuning import tune_process\n"
        "tune_process()\n"
        "import amity.feeds\n"
        "print('rich' in sys.modules)\n"
    )
    library = "import sys, amity.feeds, httpx._main\nprint(callable(httpx._main.main))\n"
    runs = [
        subprocess.run([sys.executable, "-c", c], capture_output=True, text=True)
        for c in (tuned, library)
    ]
    assert [run.stdout.split() for run in runs] == [["False"], ["True"]], runs
