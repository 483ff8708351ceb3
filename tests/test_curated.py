"""The bundled Japan–Italy timeline: every researched row, dated exactly as researched, sourced,
classified, and free of the errors a fact-check found.

The research file is tests/data/japan-italy-milestones.csv, a copy of the project's shared
research data (see tests/data/README.md), so a clean clone checks against it too.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from amity.store import KINDS, Event
from amity.store.config import DEFAULT_PAIR
from amity.store.curated import bundled_sets
from amity.store.topics import topic_ids

MILESTONES_CSV = Path(__file__).parent / "data" / "japan-italy-milestones.csv"

# The CSV's topic spellings -> DESIGN's topic ids. "agreements_treaties" is not a topic: it makes
# the event's kind "agreement" (checked below).
CSV_TOPICS = {
    "diplomacy": "diplomacy",
    "defense_security": "defense",
    "economy_econsec": "economic-security",
    "space_science": "space-science",
    "culture_people": "culture",
    "indo_pacific": "indo-pacific",
}
# End dates the rows give in their description; every other event has none.
END_DATES = {
    ("2023-06-21", "21–27 June"): "2023-06-27",
    ("2024-08-22", "until 27 Aug"): "2024-08-27",
    ("2024-08-25", "until 30 Aug"): "2024-08-30",
    ("2025-03-03", "end_date 2025-03-09"): "2025-03-09",
}
# Ids of the previous release are kept so that existing stores update in place, even where the
# research refined the date (2016-03 -> 2016-03-19).
REFINED_DATE_IDS = {"jp-it-2016-03-fm-kishida-in-rome-for-150th-anniversary": "2016-03-19"}

REQUIRED = {
    "1866-08-25": "treaty",
    "2023-01-10": "strategic partnership",
    "2024-06-14": "action plan",
    "2024-11-25": "acsa",
    "2025-09-05": "acsa",
    "2022-12-09": "gcap",
    "2023-12-14": "gigo",
    "2026-01-16": "special strategic partnership",
    "2025-03-03": "mattarella",
}


@pytest.fixture(scope="module")
def events() -> list[Event]:
    (japan_italy,) = [s for s in bundled_sets() if s.name == "japan-italy"]
    return japan_italy.events()


@pytest.fixture(scope="module")
def researched() -> list[dict[str, str]]:
    with MILESTONES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def pairs(events: list[Event], researched: list[dict[str, str]]) -> list[tuple[dict, Event]]:
    """Each CSV row with its event (matched by date and title; two rows share 2025-09-12)."""
    by_key = {(e.date, e.title): e for e in events}
    matched = []
    for row in researched:
        event = by_key.get((row["date"], row["title"]))
        assert event is not None, f"CSV row {row['date']} {row['title']!r} missing or re-dated"
        matched.append((row, event))
    return matched


def by_date(events: list[Event], date: str) -> Event:
    (event,) = [e for e in events if e.date == date]
    return event


def test_every_row_is_one_event_and_nothing_else(
    events: list[Event], researched: list[dict[str, str]], pairs: list[tuple[dict, Event]]
) -> None:
    assert len(researched) == 56
    assert len(events) == 56
    assert len({e.id for _, e in pairs}) == 56


def test_dates_end_dates_certainty_and_source_are_the_researched_ones(
    pairs: list[tuple[dict, Event]],
) -> None:
    for row, event in pairs:
        assert event.date == row["date"], event.id
        expected_end = next(
            (end for (date, text), end in END_DATES.items() if date == row["date"]), None
        )
        if expected_end:
            assert any(text in row["description"] for d, text in END_DATES if d == row["date"])
        assert event.end_date == expected_end, event.id
        assert event.certainty == row["verification"], event.id
        (source,) = event.sources
        assert (source.url, source.title) == (row["source_url"], row["source_title"]), event.id


def test_topics_and_kinds_follow_the_research(pairs: list[tuple[dict, Event]]) -> None:
    for row, event in pairs:
        tags = row["topics"].split(";")
        assert set(event.topics) == {CSV_TOPICS[t] for t in tags if t in CSV_TOPICS}, event.id
        if "agreements_treaties" in tags:
            assert event.kind == "agreement", event.id


def test_kinds_the_fact_check_corrected(events: list[Event]) -> None:
    assert by_date(events, "2025-10-12").kind == "news"  # an award, not an anniversary
    # Parliamentary votes on the GIGO convention: steps of the agreement, not statements.
    for date in ("2024-06-05", "2024-11-13"):
        assert by_date(events, date).kind == "agreement"
    assert "completes ratification" not in by_date(events, "2024-11-13").summary
    assert "Law 184" in by_date(events, "2024-11-13").summary


def test_every_event_is_sourced_classified_and_summarised(events: list[Event]) -> None:
    known = set(topic_ids())
    for event in events:
        assert event.sources, event.id
        assert all(s.url.startswith(("https://", "http://")) for s in event.sources), event.id
        assert event.kind in KINDS, event.id
        assert event.topics and set(event.topics) <= known, event.id
        assert len(event.summary.split()) >= 8, event.id
        sentences = re.findall(r"[.!?](?:\s|$)", event.summary)
        assert 1 <= len(sentences) <= 3, event.id
        assert event.origin == "curated", event.id
        assert event.countries == ("IT", "JP"), event.id


def test_summaries_are_written_not_copied(pairs: list[tuple[dict, Event]]) -> None:
    def runs(text: str, n: int = 7) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.casefold())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    for row, event in pairs:
        copied = runs(row["description"]) & runs(event.summary)
        assert not copied, f"{event.id} repeats the CSV: {' '.join(sorted(copied)[0])}"


def test_notes_conflicts_are_surfaced(events: list[Event]) -> None:
    magenta = by_date(events, "1866-07-04").summary
    assert "27 May" in magenta and "4 July" in magenta
    war = by_date(events, "1945-07-15").summary
    assert "13 or 14" in war
    mattarella = by_date(events, "2025-03-03").summary
    assert "official working visit" in mattarella and "state visit" in mattarella


def test_every_milestone_carries_specific_terms_in_three_languages(events: list[Event]) -> None:
    generic = {a.casefold() for side in DEFAULT_PAIR for a in (side.name, *side.aliases)}
    generic |= {"日本", "イタリア", "日伊", "東京", "ローマ", "summit", "treaty"}
    for event in events:
        assert event.terms, event.id
        assert not [t for t in event.terms if t.casefold() in generic], event.id
        assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t) for t in event.terms), event.id
        assert any(t.isascii() for t in event.terms), event.id


def test_named_terms_reach_their_milestones(events: list[Event]) -> None:
    expected = {
        "2024-11-25": {"ACSA", "accordo ACSA", "物品役務相互提供協定", "日伊ACSA"},
        "2025-09-05": {"ACSA", "accordo ACSA", "物品役務相互提供協定", "日伊ACSA"},
        "2022-12-09": {"GCAP", "Global Combat Air Programme", "次期戦闘機"},
        "2025-03-03": {"マッタレッラ大統領"},
        "2025-04-13": {"Expo 2025", "Padiglione Italia", "イタリア館"},
        "2024-08-25": {"Amerigo Vespucci", "アメリゴ・ヴェスプッチ"},
    }
    for date, terms in expected.items():
        assert terms <= set(by_date(events, date).terms), date


def test_ids_are_unique_and_stable_slugs(events: list[Event]) -> None:
    ids = [e.id for e in events]
    assert len(ids) == len(set(ids))
    for event in events:
        if event.id in REFINED_DATE_IDS:
            assert event.date == REFINED_DATE_IDS[event.id]
            continue
        assert re.fullmatch(rf"jp-it-{event.date}-[a-z0-9]+(-[a-z0-9]+)*", event.id), event.id


def test_required_milestones_are_present(events: list[Event]) -> None:
    for date, words in REQUIRED.items():
        hits = [e for e in events if e.date == date and words in e.title.casefold()]
        assert hits, f"no {words!r} event on {date}"
        assert any(e.milestone for e in hits), f"{date} {words} is not a milestone"


def test_relations_date_from_the_1866_treaty(events: list[Event]) -> None:
    treaty = by_date(events, "1866-08-25")
    assert treaty.kind == "agreement" and treaty.milestone
    assert "start of diplomatic relations" in treaty.summary
    assert not [e for e in events if e.date.startswith("1913")]
    first_agreement = min((e for e in events if e.kind == "agreement"), key=lambda e: e.date)
    assert first_agreement.id == treaty.id


def test_the_2023_partnership_was_agreed_in_rome(events: list[Event]) -> None:
    partnership = by_date(events, "2023-01-10")
    assert partnership.summary.startswith("Meeting in Rome")
    assert "strategic partnership" in partnership.summary


def test_the_action_plan_was_adopted_at_apulia_not_hiroshima(events: list[Event]) -> None:
    plans = [e for e in events if "action plan" in e.title.casefold()]
    assert [e.date for e in plans] == ["2024-06-14"]
    assert "Apulia" in plans[0].summary
    assert "Action Plan" not in by_date(events, "2023-05-18").summary


def test_acsa_signed_in_rome_by_the_foreign_and_defence_ministers(events: list[Event]) -> None:
    signed = by_date(events, "2024-11-25")
    assert "acsa signed" in signed.title.casefold()
    assert "Rome" in signed.summary
    assert "Foreign Minister Iwaya Takeshi" in signed.summary
    assert "Defence Minister Guido Crosetto" in signed.summary
    assert "defence ministers" not in signed.summary.casefold()
    in_force = by_date(events, "2025-09-05")
    assert "in force" in in_force.title.casefold() and in_force.milestone


def test_political_military_dialogue_was_not_launched_at_hiroshima(events: list[Event]) -> None:
    hiroshima = by_date(events, "2023-05-18").summary
    assert "not a new one" in hiroshima
    assert "launch" not in hiroshima.casefold()


def test_2026_summit_claims_only_what_the_sources_say(events: list[Event]) -> None:
    summit = by_date(events, "2026-01-16").summary
    assert "deployment" not in summit.casefold()
    for words in ("2024–2027 Action Plan", "critical-mineral", "space", "Mediterranean"):
        assert words in summit
