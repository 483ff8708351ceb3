"""A real refresh (a local HTTP feed server) after every kind of edit: the edit survives, while
the feed's new versions and new reports still arrive where the person put them."""

from __future__ import annotations

import pytest
from amity.feeds import refresh
from amity.feeds.cluster import event_id_for
from amity.feeds.parse import article_key
from amity.store import Store, curation
from amity.store.mutes import add_mute
from amity.store.topics import topic_ids
from feedserver import FeedServer, item, rss, short_config, store_with

DAY = "Fri, 16 Jan 2026 10:00:00 +0900"
LATER = "Sat, 17 Jan 2026 10:00:00 +0900"
MARCH = "Mon, 02 Mar 2026 10:00:00 +0900"
ACSA = "jp-it-2024-11-25-acsa-signed"


def story(n: int, title: str, summary: str, date: str = DAY) -> str:
    return item(title, f"https://news.example/story/{n}", date, summary)


FIRST = story(1, "Japan and Italy sign orchestra accord in Rome", "The orchestra accord is signed.")
SECOND = story(
    2, "Japan and Italy sign orchestra accord in Rome, ministers say", "Ministers sign it."
)
FIRST_V2 = story(
    1,
    "Japan and Italy sign orchestra accord in Rome (updated)",
    "The orchestra accord was signed by both governments on Friday.",
    LATER,
)
SAKE = story(3, "Japan and Italy sign sake export accord in Tokyo", "The sake accord is signed.")


async def clustered(server: FeedServer, tmp_path) -> tuple[Store, str, str]:
    """A store whose feed brought FIRST and SECOND, clustered into one feed event."""
    url = server.serve("/feed", rss(FIRST, SECOND))
    store = store_with(tmp_path / "amity.json", [url])
    await refresh(store, short_config())
    event_id = feed_id("https://news.example/story/1")
    assert len(stored(store, event_id).sources) == 2, "the two reports should cluster"
    return store, url, event_id


def feed_id(url: str) -> str:
    """The id of the feed event the article at `url` starts."""
    return event_id_for(article_key(url))


def stored(store: Store, event_id: str):
    return {e.id: e for e in store.events()}.get(event_id)


async def refresh_again(server: FeedServer, store: Store, *items: str) -> None:
    server.serve("/feed", rss(*items))
    report = await refresh(store, short_config(), force=True)
    assert report.failed == 0


def _edit(txn, event_id):
    changes = {
        "title": "Orchestra accord (my title)",
        "date": "2026-01",
        "kind": "agreement",
        "topics": ["culture"],
        "summary": "My own summary.",
        "certainty": "partial",
    }
    curation.edit(txn, event_id, changes, topic_ids())


EDITS = {
    "edit": _edit,
    "promote": lambda txn, i: curation.edit(txn, i, {"milestone": True}, topic_ids()),
    "hide": lambda txn, i: curation.set_hidden(txn, [i], True),
    "note": lambda txn, i: curation.set_note(txn, i, "Ask the embassy.\nSecond line."),
}


@pytest.mark.parametrize("kind", list(EDITS))
async def test_an_edit_survives_a_refresh_bringing_a_new_version(server, tmp_path, kind) -> None:
    store, _url, event_id = await clustered(server, tmp_path)
    with store.transaction() as txn:
        EDITS[kind](txn, event_id)
    edited = stored(store, event_id)

    await refresh_again(server, store, FIRST_V2, SECOND)

    after = stored(store, event_id)
    for name in edited.edits:
        assert getattr(after, name) == getattr(edited, name), name
    assert (after.note, after.hidden) == (edited.note, edited.hidden)
    assert after.edits == edited.edits
    # The feed's new version still reached the source it updates.
    assert "(updated)" in next(s.title for s in after.sources if s.url.endswith("/1"))


async def test_a_hidden_event_stays_hidden_when_more_reports_arrive(server, tmp_path) -> None:
    url = server.serve("/feed", rss(FIRST))
    store = store_with(tmp_path / "amity.json", [url])
    await refresh(store, short_config())
    event_id = feed_id("https://news.example/story/1")
    with store.transaction() as txn:
        curation.set_hidden(txn, [event_id], True)
    await refresh_again(server, store, FIRST, SECOND)
    event = stored(store, event_id)
    assert event.hidden and len(event.sources) == 2


async def test_a_moved_source_stays_where_the_person_put_it(server, tmp_path) -> None:
    store, _url, event_id = await clustered(server, tmp_path)
    second = "https://news.example/story/2"
    with store.transaction() as txn:
        _left, target = curation.move_source(txn, second, None)

    await refresh_again(server, store, FIRST, SECOND.replace("Ministers sign it.", "Revised."))

    assert [s.url for s in stored(store, event_id).sources] == ["https://news.example/story/1"]
    moved = stored(store, target.id)
    assert [s.url for s in moved.sources] == [second]


async def test_a_merged_event_never_comes_back(server, tmp_path) -> None:
    store, _url, event_id = await clustered(server, tmp_path)
    with store.transaction() as txn:
        curation.merge(txn, event_id, ACSA)

    await refresh_again(server, store, FIRST_V2, SECOND)

    assert stored(store, event_id) is None
    acsa = stored(store, ACSA)
    first = next(s for s in acsa.sources if s.url.endswith("/story/1"))
    assert "(updated)" in first.title  # the new version updated the source where it now lives


async def test_a_user_event_keeps_its_wording_when_reports_attach(server, tmp_path) -> None:
    url = server.serve("/feed", rss())
    store = store_with(tmp_path / "amity.json", [url])
    fields = {"date": "2026-01-16", "title": "Japan and Italy sign orchestra accord in Rome"}
    with store.transaction() as txn:
        mine = curation.add(txn, fields, [], topic_ids(), ["IT", "JP"])

    await refresh_again(server, store, FIRST)

    event = stored(store, mine.id)
    assert event.title == fields["title"] and event.origin == "user"


async def test_a_mute_hides_what_is_stored_and_drops_what_comes(server, tmp_path) -> None:
    url = server.serve("/feed", rss(SAKE))
    store = store_with(tmp_path / "amity.json", [url])
    await refresh(store, short_config())
    muted = feed_id("https://news.example/story/3")
    with store.transaction() as txn:
        add_mute(txn, "sake")
    assert stored(store, muted).hidden

    later = story(4, "Italy and Japan agree sake tariff cut in Rome", "Sake trade grows.", LATER)
    unmuted = story(5, "Japan and Italy open a space research centre", "A centre opens.", MARCH)
    await refresh_again(server, store, SAKE, later, unmuted)

    assert stored(store, feed_id("https://news.example/story/4")) is None
    assert stored(store, feed_id("https://news.example/story/5")) is not None
    assert stored(store, muted).hidden


async def test_a_mute_for_another_feed_drops_nothing_here(server, tmp_path) -> None:
    url = server.serve("/feed", rss())
    store = store_with(tmp_path / "amity.json", [url])
    with store.transaction() as txn:
        add_mute(txn, "sake", "https://elsewhere.example/feed")
    await refresh_again(server, store, SAKE)
    assert stored(store, feed_id("https://news.example/story/3")) is not None
