"""Fixtures shared across the tests: a fresh store, its path, and the local feed server."""

from __future__ import annotations

from pathlib import Path

import pytest
from amity.store import Store
from feedserver import FeedServer, in_thread


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A new store in the test's own folder, seeded with the bundled curated timeline."""
    return Store.open(tmp_path / "amity.json")


@pytest.fixture
def db(store: Store) -> Path:
    """The path of that store, for commands run with --db."""
    return store.path


@pytest.fixture
async def server():
    """A real HTTP server on 127.0.0.1 for one test, in the test's event loop."""
    srv = await FeedServer().start()
    yield srv
    await srv.stop()


@pytest.fixture
def threaded_server():
    """The same server on a loop of its own, for tests that run the CLI or the app."""
    with in_thread() as srv:
        yield srv
