"""Rules that change judge the stored articles again, but never lose an event that no stored
article belongs to (imported feed events, events older than the articles kept)."""

from __future__ import annotations

from amity.feeds import refresh
from feedserver import relevant_item, rss, short_config, store_with
from storegen import synthetic_events


async def test_feed_events_without_stored_articles_survive_a_refresh_under_new_rules(
    server, tmp_path
):
    url = server.serve("/feed", rss(relevant_item(1)))
    store = store_with(tmp_path / "db.json", [url])
    imported = synthetic_events(20)  # origin "feed", as an import of an export brings them
    store.put_events(imported)
    assert "rules" not in store.snapshot().meta  # never refreshed: every rule is new to it

    report = await refresh(store, short_config())

    assert report.feeds[0].status == "ok"
    ids = {e.id for e in store.snapshot().events}
    assert {e.id for e in imported} <= ids
