"""A refresh in which every feed answers 'not modified' writes nothing, on a store of any size,
and still says what each feed did; anything a 304 does change is saved as before."""

from __future__ import annotations

from amity.feeds import refresh
from amity.store import Config, Country
from feedserver import (
    feed_events,
    feeds_by_url,
    relevant_item,
    response,
    rss,
    short_config,
    store_with,
)
from storegen import synthetic_events


def conditional(body: bytes, etag: str, etag_on_304: str | None = None):
    async def handler(request, writer):
        if request.headers.get("if-none-match") == etag:
            writer.write(response(304, headers={"ETag": etag_on_304 or etag}))
        else:
            writer.write(response(200, body, {"ETag": etag}))

    return handler


async def test_all_304_on_a_large_store_leaves_the_file_untouched_and_records_the_check(
    server, tmp_path
):
    urls = [server.handle(f"/f{n}", conditional(rss(relevant_item(n)), f'"v{n}"')) for n in (1, 2)]
    store = store_with(tmp_path / "db.json", urls)
    store.put_events(synthetic_events(3000))
    first = await refresh(store, short_config())
    assert first.new_articles == 2
    before = (store.path.read_bytes(), store.signature())
    sidecar = tmp_path / "db.json.refreshed"
    checked = sidecar.stat().st_ino

    second = await refresh(store, short_config())

    assert [f.status for f in second.feeds] == ["not-modified", "not-modified"]
    assert (second.new_events, second.new_articles, second.failed) == (0, 0, 0)
    assert (store.path.read_bytes(), store.signature()) == before  # not one byte written
    assert sidecar.stat().st_ino != checked  # the check is recorded, beside the store


async def test_a_304_with_a_new_etag_is_still_saved(server, tmp_path):
    url = server.handle("/feed", conditional(rss(relevant_item(1)), '"v1"', etag_on_304='"v2"'))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())

    report = await refresh(store, short_config())

    assert report.feeds[0].status == "not-modified"
    assert feeds_by_url(store)[url].etag == '"v2"'


async def test_all_304_after_the_rules_changed_still_judges_stored_articles_again(server, tmp_path):
    url = server.handle("/feed", conditional(rss(relevant_item(1)), '"v1"'))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    defaults = short_config()
    # The same pair under other names: the stored article about Japan and Italy no longer is.
    renamed = Config(
        refresh=defaults.refresh,
        pair=(Country("FR", "France", ("france",)), Country("DE", "Germany", ("germany",))),
    )
    signature = store.signature()

    report = await refresh(store, renamed)

    assert report.feeds[0].status == "not-modified"
    assert store.signature() != signature  # the stored article was judged again and dropped
    assert not feed_events(store)
