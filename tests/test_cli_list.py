"""`amity list` and `amity topics`, run as a real process against a real store file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from amity.store import Store
from storegen import amity, export_file, synthetic_event

ACSA_SIGNED = "jp-it-2024-11-25-acsa-signed"
ACSA_IN_FORCE = "jp-it-2025-09-05-acsa-in-force"
TREATY = "jp-it-1866-08-25-treaty-of-amity-and-commerce-signed"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("list") / "amity.json"
    Store.open(path).put_events(
        [
            synthetic_event(1, "m").with_changes(date="2024-03", kind="news", topics=("culture",)),
            synthetic_event(2, "y").with_changes(date="2023", kind="news", topics=("culture",)),
        ]
    )
    return path


def listed(db: Path, *args: str) -> list[dict]:
    result = amity("list", "--json", *args, db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def ids(db: Path, *args: str) -> list[str]:
    return [e["id"] for e in listed(db, *args)]


def test_defense_since_2024_shows_acsa_not_the_treaty(db: Path) -> None:
    result = amity("list", "--topic", "defense", "--since", "2024", db=db)
    assert result.returncode == 0, result.stderr
    assert "ACSA signed" in result.stdout and "ACSA in force" in result.stdout
    assert "Treaty of Amity" not in result.stdout
    assert result.stdout.startswith("DATE")
    found = ids(db, "--topic", "defense", "--since", "2024")
    assert {ACSA_SIGNED, ACSA_IN_FORCE} <= set(found) and TREATY not in found


def test_search_acsa_json_holds_the_acsa_events(db: Path) -> None:
    events = listed(db, "--search", "acsa")
    assert {ACSA_SIGNED, ACSA_IN_FORCE} <= {e["id"] for e in events}
    assert all("acsa" in (e["title"] + e["summary"]).casefold() for e in events)
    assert set(events[0]) >= {"id", "date", "title", "summary", "kind", "topics", "sources"}


def test_search_needs_every_word_case_insensitively(db: Path) -> None:
    found = listed(db, "--search", "ACSA FORCE")
    assert ACSA_IN_FORCE in [e["id"] for e in found] and ACSA_SIGNED not in found
    for event in found:
        text = (event["title"] + event["summary"]).casefold()
        assert "acsa" in text and "force" in text
    assert ids(db, "--search", "acsa zebra") == []


def test_a_latin_word_inside_japanese_text_is_found_as_a_word(tmp_path: Path) -> None:
    # Japanese has no spaces: "acsa" starts a word in 日伊のＡＣＳＡ協定, as the relevance
    # matcher and mute rules see it; full-width letters are the same letters. From the view
    # and from the store file alike.
    db = tmp_path / "amity.json"
    added = amity("add", "--date", "2025-09-05", "--title", "日伊のＡＣＳＡ協定が発効", db=db)
    assert added.returncode == 0, added.stderr
    new_id = added.stdout.strip()
    for search in ("acsa", "ACSA", "ＡＣＳＡ", "協定", "acsa 発効"):
        assert new_id in ids(db, "--search", search), search
    assert new_id not in ids(db, "--search", "csa")  # not where a word starts
    Path(f"{db}.view").unlink()
    assert new_id in ids(db, "--search", "acsa")


def test_newest_first_by_default(db: Path) -> None:
    dates = [e["date"] for e in listed(db)]
    assert dates == sorted(dates, reverse=True)
    assert [e["date"] for e in listed(db, "--oldest-first")] == sorted(dates)


def test_kind_milestones_and_topics_combine(db: Path) -> None:
    assert {e["kind"] for e in listed(db, "--kind", "deployment")} == {"deployment"}
    both = listed(db, "--kind", "deployment", "--kind", "visit")
    assert {e["kind"] for e in both} == {"deployment", "visit"}
    assert all(e["milestone"] for e in listed(db, "--milestones"))
    mixed = listed(db, "--topic", "space-science", "--topic", "indo-pacific")
    assert all({"space-science", "indo-pacific"} & set(e["topics"]) for e in mixed)


@pytest.mark.parametrize(
    ("args", "inside", "outside"),
    [
        (
            ["--since", "2024-11-25"],
            [ACSA_SIGNED],
            ["jp-it-2024-11-13-italy-completes-gcap-treaty-ratification"],
        ),
        (["--until", "2024-11-25"], [ACSA_SIGNED, TREATY], [ACSA_IN_FORCE]),
        (
            ["--until", "1866"],
            [TREATY, "jp-it-1585-tensho-embassy-reaches-rome"],
            ["jp-it-1867-01-01-treaty-enters-into-force"],
        ),
        (["--since", "2024-03", "--until", "2024-03"], ["m-0000001"], [ACSA_SIGNED]),
        (["--since", "2024-03-15", "--until", "2024-03-15"], ["m-0000001"], []),
        (["--since", "2023-06-30", "--until", "2023-07"], ["y-0000002"], ["m-0000001"]),
        (
            ["--since", "2016", "--until", "2016"],
            ["jp-it-2016-03-fm-kishida-in-rome-for-150th-anniversary"],
            [],
        ),
    ],
)
def test_since_until_are_inclusive_at_every_precision(
    db: Path, args: list[str], inside: list[str], outside: list[str]
) -> None:
    found = set(ids(db, *args))
    assert set(inside) <= found
    assert not set(outside) & found


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--since", "2024-13"], "--since"),
        (["--until", "yesterday"], "--until"),
        (["--since", "2025", "--until", "2024"], "--until"),
        (["--topic", "gastronomy"], "gastronomy"),
        (["--kind", "party"], "party"),
    ],
)
def test_bad_filters_exit_2_with_a_message(db: Path, args: list[str], words: str) -> None:
    result = amity("list", *args, db=db)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_no_match_says_so_on_stderr(db: Path) -> None:
    result = amity("list", "--search", "zebra", db=db)
    assert result.returncode == 0 and result.stdout == ""
    assert "no events match" in result.stderr
    assert amity("list", "--search", "zebra", "--json", db=db).stdout.strip() == "[]"


def test_topics_json_counts_events(db: Path) -> None:
    result = amity("topics", "--json", db=db)
    topics = json.loads(result.stdout)
    assert [t["id"] for t in topics] == [
        "diplomacy",
        "defense",
        "economic-security",
        "space-science",
        "culture",
        "indo-pacific",
    ]
    assert [t["key"] for t in topics] == ["1", "2", "3", "4", "5", "6"]
    defense = next(t for t in topics if t["id"] == "defense")
    assert defense["events"] == len(listed(db, "--topic", "defense"))
    assert "Defense" in amity("topics", db=db).stdout


HOSTILE = "PM \x1b[31mvisit\x1b[0m \x1b]0;owned\x07[/b] Rome\x07\x9b2J\u202eevil\x00"


def test_control_characters_never_reach_stdout(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    imported = export_file(
        tmp_path / "in.json",
        [{**synthetic_event(1, "imp").to_dict(), "title": HOSTILE, "summary": HOSTILE}],
    )
    assert amity("import", str(imported), db=path).returncode == 0
    # And one that reached the file raw (an older amity, a hand edit): output still cleans it.
    with Store(path).transaction() as txn:
        raw = {**synthetic_event(2, "raw").to_record(), "title": HOSTILE, "summary": HOSTILE}
        txn.table("events").put({raw["id"]: raw})
    table = amity("list", "--search", "rome", db=path)
    as_json = amity("list", "--json", "--search", "rome", db=path)
    exported = amity("export", db=path)
    for result in (table, as_json, exported):
        assert result.returncode == 0, result.stderr
        assert not CONTROL.search(result.stdout), repr(result.stdout[:300])
    assert "imp-0000001" in table.stdout or "PM visit [/b] Rome" in table.stdout
    assert table.stdout.count("PM visit [/b] Rome") == 2
    events = {e["id"]: e for e in json.loads(as_json.stdout)}
    assert events["imp-0000001"]["title"] == "PM visit [/b] Romeevil"
