"""When a refresh last checked the feeds: advanced by every completed refresh, also one that
finds nothing new and so writes nothing to the store. A real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import socket

from amity.feeds import refresh
from amity.store import last_checked, parse_iso, sidecar_path
from feedserver import relevant_item, rss, short_config, store_with

LONG_AGO = "2020-01-01T00:00:00Z"


def now_seconds() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


async def test_a_refresh_that_changes_nothing_still_advances_last_checked(server, tmp_path):
    url = server.serve("/feed", rss(relevant_item(1)), ETag='"v1"')
    store = store_with(tmp_path / "db.json", [url])
    assert last_checked(store) is None  # never refreshed
    await refresh(store, short_config())
    snapshot = store.snapshot()
    assert last_checked(store) == last_checked(store, snapshot) == snapshot.last_refresh
    with store.transaction() as txn:  # as if that refresh had been long ago
        txn.update_meta(last_refresh=LONG_AGO)
    sidecar_path(store).write_text(json.dumps({"last_checked": LONG_AGO}))
    signature = store.signature()
    before = now_seconds()

    report = await refresh(store, short_config())

    assert report.feeds[0].status == "not-modified"
    assert store.signature() == signature  # the store is not rewritten...
    assert store.snapshot().last_refresh == LONG_AGO
    assert parse_iso(last_checked(store)) >= before  # ...but the check is recorded beside it
    assert sidecar_path(store).name == "db.json.refreshed"
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind


async def test_last_checked_is_the_later_of_store_and_sidecar(tmp_path):
    store = store_with(tmp_path / "db.json", [])
    with store.transaction() as txn:
        txn.update_meta(last_refresh="2024-05-01T10:00:00Z")
    sidecar = sidecar_path(store)
    sidecar.write_text(json.dumps({"last_checked": "2024-04-01T10:00:00Z"}))
    assert last_checked(store) == "2024-05-01T10:00:00Z"
    sidecar.write_text(json.dumps({"last_checked": "2024-06-01T10:00:00Z"}))
    assert last_checked(store) == "2024-06-01T10:00:00Z"
    for junk in (b"", b"not json", b"[1, 2]", b'{"last_checked": "yesterday"}'):
        sidecar.write_bytes(junk)  # a damaged sidecar is ignored, never an error
        assert last_checked(store) == "2024-05-01T10:00:00Z"


async def test_a_refresh_where_every_feed_fails_records_no_check(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = store_with(tmp_path / "db.json", [f"http://127.0.0.1:{port}/feed"])
    report = await refresh(store, short_config())
    assert report.failed == 1
    assert not sidecar_path(store).exists()
    assert last_checked(store) == store.snapshot().last_refresh
