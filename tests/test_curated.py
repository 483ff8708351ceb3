"""The bundled Japan–Italy timeline: sourced, classified, and dated exactly as researched."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from amity.store import KINDS, Event
from amity.store.curated import bundled_sets
from amity.store.topics import topic_ids

MILESTONES_CSV = Path("/work/shared/data/japan-italy-milestones.csv")

REQUIRED = {
    "1866-08-25": "treaty",
    "2023-01-10": "strategic partnership",
    "2024-06-14": "action plan",
    "2024-11-25": "acsa",
    "2025-09-05": "acsa",
    "2022-12-09": "gcap",
    "2023-12-14": "gigo",
    "2026-01-16": "special strategic partnership",
}


@pytest.fixture(scope="module")
def events() -> list[Event]:
    (japan_italy,) = [s for s in bundled_sets() if s.name == "japan-italy"]
    return japan_italy.events()


@pytest.fixture(scope="module")
def researched() -> list[dict[str, str]]:
    if not MILESTONES_CSV.exists():
        pytest.skip(f"{MILESTONES_CSV} is not on this machine")
    with MILESTONES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_event_is_sourced_classified_and_summarised(events: list[Event]) -> None:
    known = set(topic_ids())
    for event in events:
        assert event.sources, event.id
        assert all(s.url.startswith(("https://", "http://")) for s in event.sources), event.id
        assert event.kind in KINDS, event.id
        assert event.topics and set(event.topics) <= known, event.id
        assert len(event.summary.split()) >= 8, event.id
        assert event.origin == "curated", event.id
        assert event.countries == ("IT", "JP"), event.id


def test_ids_are_unique_and_stable_slugs(events: list[Event]) -> None:
    ids = [e.id for e in events]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"jp-it-{e.date}-") for i, e in zip(ids, events, strict=True))


def test_required_milestones_are_present(events: list[Event]) -> None:
    for date, words in REQUIRED.items():
        hits = [e for e in events if e.date == date and words in e.title.casefold()]
        assert hits, f"no {words!r} event on {date}"
        assert any(e.milestone for e in hits), f"{date} {words} is not a milestone"


def test_every_researched_row_is_in_the_timeline_with_its_exact_date(
    events: list[Event], researched: list[dict[str, str]]
) -> None:
    by_title = {(e.date, e.title): e for e in events}
    for row in researched:
        event = by_title.get((row["date"], row["title"]))
        assert event is not None, f"CSV row {row['date']} {row['title']!r} missing or re-dated"
        assert row["source_url"] in [s.url for s in event.sources], event.id
    assert sorted(e.date for e in events) == sorted(r["date"] for r in researched)


def test_partial_rows_are_marked_less_certain(
    events: list[Event], researched: list[dict[str, str]]
) -> None:
    partial = {(r["date"], r["title"]) for r in researched if r["verification"] == "partial"}
    assert partial, "the CSV marks some rows partial"
    for event in events:
        expected = "partial" if (event.date, event.title) in partial else "verified"
        assert event.certainty == expected, event.id
