"""When a refresh last checked the feeds: advanced by every completed refresh, also one that
finds nothing new and so writes nothing to the store. A real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys

from amity.feeds import refresh
from amity.store import last_checked, parse_iso, sidecar_path
from feedserver import relevant_item, rss, short_config, store_with
from storegen import amity

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


# A check killed while its file is half written: the check-time file is written by a refresh
# holding the writer lock, so its temporary file is the store's own leftover.
KILLED_CHECK = """
import sys
from pathlib import Path
from amity.store import Store, sidecar_path
from amity.store.storage import atomic_write
store = Store(sys.argv[1])
def half(handle):
    handle.write(b'{"last_checked": "2026-')
    handle.flush()
    print("mid-write", flush=True)
    sys.stdin.read()  # killed here
with store.writer_lock():
    atomic_write(sidecar_path(store), half, durable=False)
"""


def test_a_check_killed_mid_write_leaves_no_file_for_good(tmp_path):
    store = store_with(tmp_path / "db.json", [])
    sidecar_path(store).write_text(json.dumps({"last_checked": LONG_AGO}))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHECK, str(store.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "mid-write\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert [p.name.startswith(".db.json.refreshed.") for p in tmp_path.glob(".*.tmp")] == [True]
    assert last_checked(store) == LONG_AGO  # the time before, whole

    result = amity("add", "--date", "2026-11-27", "--title", "A note of mine", db=store.path)

    assert result.returncode == 0, result.stderr
    assert list(tmp_path.glob(".*.tmp")) == []  # the next write sweeps it away
    assert last_checked(store) == LONG_AGO
