"""Why an article was kept or dropped: `amity explain`, `list --json` and the detail pane."""

from __future__ import annotations

import json

import pytest
from amity.store import Config
from amity.tui.cli import cli
from amity.tui.detail import describe
from click.testing import CliRunner
from feedserver import FeedServer, item, rss, store_with

KEPT = item(
    "Giappone e Italia firmano l'accordo ACSA",
    "https://kept.example/acsa",
    "Mon, 25 Nov 2024 10:00:00 +0000",
)
DROPPED = item(
    "Volleyball: Italy beat Japan in the Nations League semifinal",
    "https://dropped.example/volley",
    "Mon, 25 Nov 2024 10:00:00 +0000",
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text("[refresh]\ndeadline = 5.0\n", encoding="utf-8")
    monkeypatch.setenv("AMITY_DB", str(tmp_path / "db.json"))
    monkeypatch.setenv("AMITY_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def serve(server: FeedServer, body: bytes) -> str:
    # A threaded server: the CLI runs its own event loop in this thread.
    return server.serve("/feed", body)


def test_a_kept_article_says_why_in_explain_and_list(env, threaded_server):
    url = serve(threaded_server, rss(KEPT, DROPPED))
    store_with(env / "db.json", [url])
    assert run("refresh", "--quiet").exit_code == 0

    shown = json.loads(run("explain", "https://kept.example/acsa", "--json").stdout)
    (row,) = shown
    assert row["kept"] and row["lang"] == "it" and "acsa" in row["terms"]
    assert row["event"] == "jp-it-2024-11-25-acsa-signed"  # it joined the curated milestone
    assert row["stored_why"]["rule"] == row["rule"]

    # The dropped one is not stored; fetching its feed explains it.
    missing = run("explain", "https://dropped.example/volley")
    assert missing.exit_code == 1 and "--feed" in missing.stderr
    dropped = json.loads(
        run("explain", "https://dropped.example/volley", "--feed", url, "--json").stdout
    )
    assert not dropped[0]["kept"] and "sport" in dropped[0]["rule"]
    assert "volleyball" in dropped[0]["against"]
    everything = run("explain", "--feed", url)
    assert "looks like sport" in everything.stdout and "both sides" in everything.stdout


def test_a_feed_event_carries_why_into_list_json_and_the_detail_pane(env, threaded_server):
    lone = item(
        "Italian and Japanese students meet for a robotics contest",
        "https://kept.example/robots",
        "Mon, 02 Mar 2026 10:00:00 +0000",
    )
    store_with(env / "db.json", [serve(threaded_server, rss(lone))])
    run("refresh", "--quiet")
    listed = json.loads(run("list", "--json", "--since", "2026-03").stdout)
    (event,) = [e for e in listed if e["origin"] == "feed"]
    assert event["why"]["terms"] and event["why"]["lang"] == "en"

    from amity.store import Event

    shown = describe(Event.from_dict(event), Config().topics)
    text = shown.renderables[0] if hasattr(shown, "renderables") else shown
    assert "Why kept: " + event["why"]["rule"] in text.plain


def test_a_headline_is_judged_as_text(env):
    result = run("explain", "日伊首脳会談、東京で", "--json")
    (row,) = json.loads(result.stdout)
    assert row["kept"] and row["lang"] == "ja"


def test_explain_with_a_feed_that_is_not_a_url_is_a_usage_error(env):
    result = run("explain", "--feed", "notaurl")
    assert result.exit_code == 2
    assert "--feed" in result.output and "http(s) URL" in result.output


def test_feeds_and_curation_commands_report_a_missing_config_like_every_other(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("AMITY_DB", str(tmp_path / "amity.json"))
    monkeypatch.setenv("AMITY_CONFIG", str(tmp_path / "missing.toml"))
    commands = (["list"], ["feeds", "list"], ["feeds", "add", "https://example.org/feed"])
    for args in (*commands, ["hide", "jp-it-1585"], ["mute", "list"], ["mute", "add", "x"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "config file not found" in result.output
    assert (
        not (tmp_path / "amity.json").exists()
        or "example.org" not in (tmp_path / "amity.json").read_text()
    )
