"""`amity add|edit|hide|unhide|note|merge|move-source|mute` and `list --hidden/--origin/--ids`:
each command, what it stores, and its errors (exit 2 naming the option, nothing saved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from amity.store import Store
from amity.tui.cli import cli
from click.testing import CliRunner, Result
from storegen import amity

ACSA = "jp-it-2024-11-25-acsa-signed"
IN_FORCE = "jp-it-2025-09-05-acsa-in-force"


def run(db: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)


def events(db: Path) -> dict:
    return {e.id: e for e in Store(db).events()}


def listed(db: Path, *args: str) -> list[dict]:
    return json.loads(run(db, "list", "--json", *args).stdout)


def test_add_prints_the_new_id_and_lists_it_as_yours(db: Path) -> None:
    result = run(
        db,
        *("add", "--date", "2026-04-02", "--title", "Embassy reception in Rome"),
        *("--topic", "culture", "--source", "https://example.org/reception", "--kind", "visit"),
    )
    assert result.exit_code == 0
    new_id = result.stdout.strip()
    assert new_id == "user-2026-04-02-embassy-reception-in-rome"
    [mine] = listed(db, "--origin", "user")
    assert mine["id"] == new_id and mine["origin"] == "user" and mine["kind"] == "visit"
    assert mine["sources"][0]["url"] == "https://example.org/reception"


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--date", "2024-02-03", "--title", ""], "--title", "must not be empty"),
        (["--date", "2024-02-30", "--title", "x"], "--date", "not a real date"),
        (["--date", "2024-02", "--end-date", "2024-01", "--title", "x"], "--end-date", "before"),
        (["--date", "2024", "--title", "x", "--topic", "sports"], "--topic", "unknown topic"),
        (["--date", "2024", "--title", "a\x1b]0;pwned\x07b"], "--title", "escape characters"),
        (["--date", "2024", "--title", "x", "--source", "javascript:alert(1)"], "--source", "URL"),
    ],
)
def test_add_refuses_bad_input_naming_the_option(db: Path, args, option, words) -> None:
    before = db.read_bytes()
    result = run(db, "add", *args)
    assert result.exit_code == 2
    assert option in result.stderr and words in result.stderr
    assert db.read_bytes() == before


def test_edit_changes_fields_and_says_which(db: Path) -> None:
    result = run(
        db,
        *("edit", ACSA, "--title", "ACSA signed in Rome", "--topic", "diplomacy"),
        *("--date", "2024-11", "--certainty", "partial", "--milestone"),
    )
    assert result.exit_code == 0
    assert "title" in result.stderr and "topics" in result.stderr
    event = events(db)[ACSA]
    assert (event.title, event.topics, event.date, event.certainty) == (
        "ACSA signed in Rome",
        ("diplomacy",),
        "2024-11",
        "partial",
    )
    assert set(event.edits) == {"title", "topics", "date", "certainty"}  # milestone: already


def test_promote_and_demote(db: Path) -> None:
    assert run(db, "edit", ACSA, "--no-milestone").exit_code == 0
    assert not events(db)[ACSA].milestone
    assert ACSA not in {e["id"] for e in listed(db, "--milestones")}
    assert run(db, "edit", ACSA, "--milestone").exit_code == 0
    assert events(db)[ACSA].milestone


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--title", " "], "--title", "must not be empty"),
        (["--date", "2024-02-30"], "--date", "not a real date"),
        (["--end-date", "2023-01-01"], "--end-date", "before the date"),
        (["--topic", "volleyball"], "--topic", "unknown topic"),
        (["--summary", "x\x9b31m"], "--summary", "escape characters"),
    ],
)
def test_edit_refuses_bad_input_and_saves_nothing(db: Path, args, option, words) -> None:
    before = db.read_bytes()
    result = run(db, "edit", ACSA, *args)
    assert result.exit_code == 2
    assert option in result.stderr and words in result.stderr
    assert db.read_bytes() == before


def test_edit_errors_without_changes_or_with_an_unknown_id(db: Path) -> None:
    assert run(db, "edit", ACSA).exit_code == 2
    result = run(db, "edit", "no-such-event", "--title", "x")
    assert result.exit_code == 2 and "no event with id 'no-such-event'" in result.stderr


def test_markup_in_a_title_is_stored_and_listed_as_typed(db: Path) -> None:
    assert run(db, "edit", ACSA, "--title", "ACSA [bold]signed[/bold] <b>&amp;</b>").exit_code == 0
    assert events(db)[ACSA].title == "ACSA [bold]signed[/bold] <b>&amp;</b>"
    [shown] = listed(db, "--search", "signed amp")
    assert shown["title"] == "ACSA [bold]signed[/bold] <b>&amp;</b>"


def test_hide_and_unhide_leave_and_rejoin_the_timeline(db: Path) -> None:
    result = run(db, "hide", ACSA, IN_FORCE)
    assert result.exit_code == 0 and "hid 2 events" in result.stderr
    visible = {e["id"] for e in listed(db)}
    assert ACSA not in visible and IN_FORCE not in visible
    assert {e["id"] for e in listed(db, "--hidden")} == {ACSA, IN_FORCE}
    assert all(e["hidden"] for e in listed(db, "--hidden"))
    assert "already hidden" in run(db, "hide", ACSA).stderr
    assert run(db, "unhide", ACSA).exit_code == 0
    assert {e["id"] for e in listed(db, "--hidden")} == {IN_FORCE}
    topics = json.loads(run(db, "topics", "--json").stdout)
    before = {t["id"]: t["events"] for t in topics}
    run(db, "hide", ACSA)
    after = {t["id"]: t["events"] for t in json.loads(run(db, "topics", "--json").stdout)}
    assert after["defense"] == before["defense"] - 1  # hidden events leave the counts


def test_hide_with_one_unknown_id_hides_nothing(db: Path) -> None:
    result = run(db, "hide", ACSA, "nope")
    assert result.exit_code == 2 and "nope" in result.stderr
    assert not events(db)[ACSA].hidden


def test_note_set_from_stdin_searched_and_cleared(db: Path) -> None:
    assert (
        run(db, "note", ACSA, "-", input="Ask Zanzibar for the text.\nSecond line.\n").exit_code
        == 0
    )
    assert events(db)[ACSA].note == "Ask Zanzibar for the text.\nSecond line."
    assert [e["id"] for e in listed(db, "--search", "zanzibar")] == [ACSA]
    assert run(db, "note", ACSA, "--clear").exit_code == 0
    assert events(db)[ACSA].note == ""


def test_note_errors(db: Path) -> None:
    before = db.read_bytes()
    huge = run(db, "note", ACSA, "-", input="x" * 1_000_000)
    assert huge.exit_code == 2 and "1,000,000 characters" in huge.stderr
    assert "at most 20,000" in huge.stderr
    assert run(db, "note", ACSA).exit_code == 2  # neither TEXT nor --clear
    assert run(db, "note", ACSA, "text", "--clear").exit_code == 2
    assert db.read_bytes() == before


def test_merge_and_its_errors(db: Path) -> None:
    assert run(db, "merge", ACSA, ACSA).exit_code == 2
    assert run(db, "merge", "nope", ACSA).exit_code == 2
    result = run(db, "merge", IN_FORCE, ACSA)
    assert result.exit_code == 0 and "merged" in result.stderr
    assert IN_FORCE not in events(db)
    # Importing an old export that still has it does not bring it back, and says so.
    old = db.parent / "old.json"
    old.write_text(json.dumps({"amity": 1, "events": [*listed(db), _curated(IN_FORCE)]}))
    imported = run(db, "import", str(old))
    assert "1 skipped" in imported.stderr and IN_FORCE not in events(db)


def _curated(event_id: str) -> dict:
    from amity.store.curated import bundled_sets

    return next(e for e in bundled_sets()[0].events() if e.id == event_id).to_dict()


def test_move_source_to_another_event_or_out(db: Path) -> None:
    url = "https://news.example/acsa-report"
    run(db, "add", "--date", "2025-09-05", "--title", "ACSA report", "--source", url)
    assert run(db, "move-source", url).exit_code == 2  # neither --to nor --new
    result = run(db, "move-source", url, "--new")
    assert result.exit_code == 0
    new_id = result.stdout.strip()
    assert [s.url for s in events(db)[new_id].sources] == [url]
    assert run(db, "move-source", url, "--to", ACSA).exit_code == 0
    assert url in [s.url for s in events(db)[ACSA].sources]
    missing = run(db, "move-source", "https://nowhere.example/x", "--new")
    assert missing.exit_code == 2 and "no event has the source" in missing.stderr


def test_mute_add_list_remove(db: Path) -> None:
    added = run(db, "mute", "add", "volleyball", "--feed", "https://feeds.example/sport.xml")
    assert added.exit_code == 0 and "muted 'volleyball'" in added.stderr
    [rule] = json.loads(run(db, "mute", "list", "--json").stdout)
    assert (rule["phrase"], rule["feed"]) == ("volleyball", "https://feeds.example/sport.xml")
    assert "volleyball" in run(db, "mute", "list").stdout
    assert (
        run(db, "mute", "add", "volleyball", "--feed", "https://feeds.example/sport.xml").exit_code
        == 2
    )
    assert run(db, "mute", "add", "  ").exit_code == 2
    assert run(db, "mute", "add", "x", "--feed", "not a url").exit_code == 2
    assert run(db, "mute", "remove", "VOLLEYBALL").exit_code == 0
    assert json.loads(run(db, "mute", "list", "--json").stdout) == []
    assert run(db, "mute", "remove", "volleyball").exit_code == 2


def test_a_locked_store_exits_3(db: Path) -> None:
    import filelock

    with filelock.FileLock(str(db) + ".lock"):
        result = amity("hide", ACSA, db=db, env={"AMITY_LOCK_TIMEOUT": "0.1"})
    assert result.returncode == 3 and "another amity process" in result.stderr


def test_curation_commands_never_import_textual(db: Path) -> None:
    import subprocess
    import sys

    from test_cli_basics import HEADLESS

    for args in (
        ["hide", ACSA],
        ["note", ACSA, "n"],
        ["mute", "list"],
        ["edit", ACSA, "--milestone"],
    ):
        done = subprocess.run(
            [sys.executable, "-c", HEADLESS, "--db", str(db), *args],
            capture_output=True,
            text=True,
        )
        assert "TEXTUAL-ABSENT" in done.stderr, (args, done.stderr)


def test_an_export_carries_edits_notes_and_hidden_and_import_restores_them(
    db: Path, tmp_path: Path
) -> None:
    run(db, "edit", ACSA, "--title", "ACSA, my wording")
    run(db, "note", ACSA, "my note")
    run(db, "hide", IN_FORCE)
    backup = tmp_path / "backup.json"
    assert run(db, "export", "-o", str(backup)).exit_code == 0
    other = tmp_path / "other.json"
    Store.open(other)
    assert run(other, "import", str(backup)).exit_code == 0
    restored = events(other)
    assert restored[ACSA].title == "ACSA, my wording" and restored[ACSA].note == "my note"
    assert restored[ACSA].edits == events(db)[ACSA].edits
    assert restored[IN_FORCE].hidden
    # The markdown report is the timeline as shown: without what the person hid.
    report = run(db, "export", "--format", "markdown").stdout
    assert "ACSA, my wording" in report and "ACSA in force" not in report


def test_brackets_that_look_like_escape_leftovers_are_kept_when_typed(db: Path) -> None:
    # "[5m]" is five million, not a colour code whose ESC was lost: only feed text drops those.
    title = "Italy pledges [5m] euros; ref [2J]"
    result = run(db, "add", "--date", "2025-05", "--title", title)
    assert result.exit_code == 0, result.stderr
    [mine] = listed(db, "--origin", "user")
    assert mine["title"] == title
