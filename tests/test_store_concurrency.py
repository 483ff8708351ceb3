"""Real processes against one store file: kills mid-write, concurrent writers, readers, caches."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from amity.store import Store
from storegen import AMITY, amity, export_file, isolated_env, make_store, synthetic_events

# Each transaction adds event w-<k> and records generation k, so a reader can tell exactly which
# committed state it is looking at. It prints k only after the write returned.
WRITER = """
import sys
from amity.store import Store
from storegen import synthetic_event
store = Store(sys.argv[1])
start = int(sys.argv[2]); stop = int(sys.argv[3])
for k in range(start, stop):
    with store.transaction() as txn:
        txn.put_events([synthetic_event(k, prefix="w")])
        txn.update_meta(generation=k)
    print(k, flush=True)
"""

BASE = 2000  # synthetic events beside the curated ones: a ~1.3 MB file, so writes take a while


def _writer(
    path: Path, start: int, stop: int, prefix_env: dict[str, str] | None = None, setup: str = ""
):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent), **(prefix_env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", setup + WRITER, str(path), str(start), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _state(path: Path) -> tuple[int, set[str], int]:
    """(generation, ids of w- events, number of events) as a fresh reader sees the store."""
    snap = Store(path).snapshot()
    written = {e.id for e in snap.events if e.id.startswith("w-")}
    return snap.meta.get("generation", 0), written, len(snap.events)


def _expected_ids(generation: int) -> set[str]:
    return {f"w-{k:07d}" for k in range(1, generation + 1)}


def _killed(writer: subprocess.Popen[str], first: str, path: Path, base: int) -> int:
    """Kill `writer` (which printed `first`); check that the store holds the state before or
    after the write it was in, and return that state's generation."""
    assert writer.stdout is not None
    writer.send_signal(signal.SIGKILL)
    reported = [int(line) for line in [first, *writer.stdout.read().split()]]
    writer.wait()
    writer.stdout.close()
    loaded, written, count = _state(path)
    assert loaded in (reported[-1], reported[-1] + 1), (reported[-1], loaded)
    assert written == _expected_ids(loaded)
    assert count == base + loaded
    return loaded


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_the_state_before_or_after(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    base = len(make_store(path, BASE).events())
    rng = random.Random(20260116)
    generation = 0
    kills_mid_run = 0
    for _ in range(30):
        writer = _writer(path, generation + 1, generation + 1000)
        assert writer.stdout is not None
        # Wait for one commit (so the kill lands among writes, not during start-up), then kill
        # the writer at a random point of its following transactions.
        first = writer.stdout.readline()
        assert first.strip() == str(generation + 1), first
        rng_delay = rng.uniform(0, 0.08)
        try:
            writer.wait(timeout=rng_delay)
        except subprocess.TimeoutExpired:
            kills_mid_run += 1
        generation = _killed(writer, first, path, base)
    assert kills_mid_run > 20
    # Temp files of killed writers never break a read, and the next write clears them away.
    assert amity("list", "--json", db=path).returncode == 0
    result = amity(
        "import", str(export_file(tmp_path / "in.json", synthetic_events(1, "x"))), db=path
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


# Every write lays the view over a base, and every few writes make it whole again.
LAID = "import amity.store.view as v; v.DELTA_FROM, v.DELTA_SHARE = 0, 40\n"


def test_views_laid_over_bases_stand_kills_and_readers_meanwhile(tmp_path: Path, capfd) -> None:
    path = tmp_path / "amity.json"
    base = len(make_store(path, 300).events())
    rng = random.Random(20261127)
    generation = reads = 0
    for _ in range(12):
        writer = _writer(path, generation + 1, generation + 1000, setup=LAID)
        assert writer.stdout is not None
        first = writer.stdout.readline()
        assert first.strip() == str(generation + 1), first
        for _read in range(rng.randint(0, 6)):  # read through the view while it is written
            snapshot = Store(path).snapshot()
            generation = snapshot.meta.get("generation", 0)
            assert len(snapshot.events) == base + generation
            reads += 1
        generation = _killed(writer, first, path, base)
    assert reads > 12
    assert "view" not in capfd.readouterr().err  # never found damaged, never made again
    listed = amity("list", "--json", db=path)
    assert listed.returncode == 0 and listed.stderr == ""
    assert {e["id"] for e in json.loads(listed.stdout)} == {e.id for e in Store(path).events()}
    Store(path).put_events(synthetic_events(1, "after"))  # a small store's view: made whole
    assert list(tmp_path.glob("amity.json.view.*")) == []  # and the bases are removed


def test_concurrent_imports_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "amity.json"  # all of them race to create it, too
    files = [
        export_file(tmp_path / f"in-{n}.json", synthetic_events(300, prefix=f"p{n}"))
        for n in range(3)
    ]
    procs = [
        subprocess.Popen(
            [AMITY, "--db", str(path), "import", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=isolated_env(),
        )
        for f in files
    ]
    results = [(*p.communicate(timeout=60), p.returncode) for p in procs]
    assert [r[2] for r in results] == [0, 0, 0], results
    ids = {e.id for e in Store(path).events()}
    for n in range(3):
        assert {f"p{n}-{i:07d}" for i in range(300)} <= ids
    assert len(ids) == 56 + 900


def test_concurrent_writer_loops_interleave_without_losing_writes(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    Store.open(path)
    writers = [_writer(path, 1, 41), _writer(path, 1001, 1041)]
    for writer in writers:
        writer.communicate(timeout=60)
        assert writer.returncode == 0
    ids = {e.id for e in Store(path).events() if e.id.startswith("w-")}
    assert ids == {f"w-{k:07d}" for k in [*range(1, 41), *range(1001, 1041)]}


@pytest.mark.slow
def test_a_reader_never_sees_a_half_written_file(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    base = len(make_store(path, 1000).events())
    writer = _writer(path, 1, 60)
    reads, seen = 0, set()
    while writer.poll() is None or reads == 0:
        data = json.loads(path.read_bytes())  # raw bytes: a partial file would not parse
        generation = data["meta"]["meta"].get("generation", 0)
        assert len(data["events"]) == base + generation
        seen.add(generation)
        reads += 1
    writer.communicate()
    assert writer.returncode == 0
    assert reads > 0 and max(seen) <= 59


def test_an_open_store_sees_other_processes_writes(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    store = Store.open(path)
    before = store.signature()
    with store.transaction() as txn:
        txn.put_articles({"a-1": _article("a-1")})
    result = amity("import", str(export_file(tmp_path / "in.json", synthetic_events(5))), db=path)
    assert result.returncode == 0, result.stderr
    writer = _writer(path, 1, 2)
    writer.communicate(timeout=60)
    # The same Store object, opened before the other processes wrote: no stale cache or ids.
    assert store.signature() != before
    assert {f"syn-{i:07d}" for i in range(5)} | {"w-0000001"} <= {e.id for e in store.events()}
    with store.transaction() as txn:
        txn.put_articles({"a-2": _article("a-2")})
        txn.put_events(synthetic_events(1, prefix="mine"))
    fresh = Store(path)
    ids = {e.id for e in fresh.events()}
    assert {"mine-0000000", "w-0000001", "syn-0000004"} <= ids
    with fresh.transaction() as txn:
        assert set(txn.articles()) == {"a-1", "a-2"}
        assert txn.meta["generation"] == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_process_forked_after_a_write_writes_with_a_lock_of_its_own(tmp_path: Path) -> None:
    # amity refresh forks a process that saves (feeds/worker.py); the Store it inherits may
    # have written already (opening a store can), and filelock refuses an inherited lock.
    store = Store.open(tmp_path / "amity.json")
    with store.transaction() as txn:
        txn.put_events(synthetic_events(1, prefix="parent"))
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's result is its exit code)
        code = 1
        try:
            with store.transaction() as txn:
                txn.put_events(synthetic_events(1, prefix="child"))
            code = 0
        finally:
            os._exit(code)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert {"parent-0000000", "child-0000000"} <= {e.id for e in Store(store.path).events()}
    with store.transaction() as txn:  # and the parent still writes with its own
        txn.put_events(synthetic_events(1, prefix="after"))


def _article(key: str) -> dict[str, str]:
    return {"url": f"https://example.org/{key}"}


HOLDER = """
import sys, time
from amity.store import Store
from storegen import synthetic_event
store = Store(sys.argv[1])
with store.transaction() as txn:
    txn.put_events([synthetic_event(1, prefix="holder")])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))  # a long refresh of a large store, working under the lock
"""


@pytest.mark.slow
def test_a_writer_waits_for_a_live_holder_past_the_lock_timeout(tmp_path: Path) -> None:
    path = tmp_path / "amity.json"
    Store.open(path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), "3"], stdout=subprocess.PIPE, text=True, env=env
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    importing = export_file(tmp_path / "in.json", synthetic_events(3, "waiter"))
    # The holder keeps the lock three times the waiter's timeout, but shows it is alive.
    result = amity("import", str(importing), db=path, env={"AMITY_LOCK_TIMEOUT": "1"})
    holder.wait(timeout=60)
    holder.stdout.close()
    assert result.returncode == 0, result.stderr
    assert "waiting for another amity process" in result.stderr
    ids = {e.id for e in Store(path).events()}
    assert "holder-0000001" in ids and {f"waiter-{i:07d}" for i in range(3)} <= ids
