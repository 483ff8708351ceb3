"""A refresh into a large store builds only the events around its articles (StoredEvents): it
decides exactly as the plain path that builds every stored event, and `list --json` after it
is byte for byte the list the store file itself gives."""

from __future__ import annotations

import pytest
from amity.feeds.articles import Article, article_key
from amity.feeds.cluster import Timeline
from amity.store import Config, Event, Filter, Store, Transaction, stored_events
from amity.store.index import select
from amity.store.stored_events import ONE_DAY_AT_A_TIME, StoredEvents
from amity.tui.output import json_text
from storegen import amity, make_store, synthetic_event

NOW = "2026-01-17T08:00:00Z"
FEED = "https://wire.example/feed"
ACSA = "The acquisition and cross-servicing agreement of Japan and Italy takes effect."


def articles() -> list[Article]:
    """Reports of stored events (on their day or a few days off), of a curated milestone, of
    new happenings, one seen twice and one reworded."""
    made = []
    for n in range(0, 1500, 37):
        event = synthetic_event(n)
        day = event.date if n % 2 else _shift(event.date, n % 3)
        made.append(_article(f"Japan and Italy talk about item {n} in Rome", day, n))
    made.append(_article("Japan-Italy ACSA enters into force", "2025-09-05", 1, summary=ACSA))
    made += [
        _article(f"Japan-Italy summit on chips number {n} in Tokyo", "2025-05-05", n)
        for n in range(3)
    ]
    made.append(made[0])
    made.append(_article(made[1].title, made[1].published[:10], 1, summary="Reworded summary."))
    return made


def decide(txn: Transaction, events: dict[str, Event] | None, again: bool) -> Timeline:
    """The timeline of the articles over `events` (None: the store's, built on need), after
    judging the stored articles `again`."""
    stored = txn.stored_events() if events is None else events
    timeline = Timeline(Config(), stored, txn.articles(), txn.removed_ids())
    if again:
        timeline.reapply()
    for article in articles():
        timeline.add(article, FEED, NOW)
    return timeline


@pytest.mark.parametrize("day_at_a_time", [ONE_DAY_AT_A_TIME, 40], ids=["days", "then-all"])
def test_a_timeline_over_the_stored_events_decides_as_over_all_of_them(
    tmp_path, monkeypatch, day_at_a_time
):
    # With 40, the days are looked up one at a time until 40 events are built, then all at once.
    monkeypatch.setattr(stored_events, "ONE_DAY_AT_A_TIME", day_at_a_time)
    store = make_store(tmp_path / "db.json", 3000)
    for again in (False, True):  # then the stored articles judged again (new rules)
        with store.transaction() as txn:
            lazy, plain = decide(txn, None, again), decide(txn, txn.events(), again)
            assert lazy.changed_events == plain.changed_events
            assert "jp-it-2025-09-05-acsa-in-force" in plain.changed_events  # a curated one
            assert {i: lazy.events[i] for i in lazy.changed_events} == {
                i: plain.events[i] for i in plain.changed_events
            }
            assert lazy.articles == plain.articles and lazy.changed_articles
            assert (lazy.new_events, lazy.new_articles) == (plain.new_events, plain.new_articles)
            assert lazy.dropped_events == plain.dropped_events
            save(txn, lazy)


def test_list_after_a_refresh_into_a_large_store_is_the_store_files_own(tmp_path):
    store = make_store(tmp_path / "db.json", 3000)
    for again in (False, True):
        with store.transaction() as txn:
            save(txn, decide(txn, None, again))
    listed = amity("list", "--json", db=store.path)
    events = select(_events_of_the_file(store), Filter())
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == json_text([event.to_dict() for event in events])


def test_the_stored_events_tell_their_dates_from_the_view_as_from_the_records(tmp_path):
    store = make_store(tmp_path / "db.json", 300)
    with store.transaction() as txn:
        assert txn.view is not None  # the view vouches for the file: dates come from it
        txn.remove_events(["syn-0000004"])  # changed in the table since the read
        txn.put_events([synthetic_event(5).with_changes(date="1999-01-02")])
        fast, plain = txn.stored_events(), StoredEvents(txn.table("events"))
        for events in (fast, plain):
            assert events["syn-0000007"].date  # built
            events["syn-0000008"] = synthetic_event(8).with_changes(date="2001-03-04")
            events["new-0000001"] = synthetic_event(1, prefix="new")
            del events["syn-0000009"]
        assert (
            dict(fast.dates())
            == dict(plain.dates())
            == {event.id: event.date for event in plain.values()}
        )
        assert dict(fast.dates())["syn-0000005"] == "1999-01-02"
        assert "syn-0000004" not in dict(fast.dates()) and "new-0000001" in dict(fast.dates())
        # A day at a time, from the view's date column, as from every record.
        by_day: dict[str, set[str]] = {}
        for key, date in plain.dates():
            by_day.setdefault(date, set()).add(key)
        assert plain.on_day("1999-01-02") is None  # no view: the caller groups every record
        for date in [*by_day, "1999-01-03", "2001-03-04", "1866"]:
            found = fast.on_day(date)
            assert found is not None and sorted(found) == sorted(by_day.get(date, ())), date


def save(txn: Transaction, timeline: Timeline) -> None:
    """Write what the timeline changed, as a refresh does."""
    txn.remove_events(timeline.dropped_events)
    txn.put_events(timeline.events[i] for i in timeline.changed_events)
    txn.remove_articles(timeline.dropped_articles)
    txn.put_articles({k: timeline.articles[k] for k in timeline.changed_articles})


def _events_of_the_file(store: Store) -> list[Event]:
    from storegen import load_document

    records = load_document(store.path)["events"].values()
    return [Event.from_trusted(record) for record in records]


def _article(title: str, day: str, n: int, summary: str = "") -> Article:
    url = f"https://wire.example/{day}/{n}/{title[:12]}"
    return Article(
        id=article_key(url),
        url=url,
        title=title,
        summary=summary or f"Ministers of Japan and Italy met about item {n}.",
        published=f"{day}T09:00:00Z",
        publisher="Wire",
    )


def _shift(day: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()
