"""Fixtures shared by the refresh tests."""

from __future__ import annotations

import pytest
from feedserver import FeedServer


@pytest.fixture
async def server():
    """A real HTTP server on 127.0.0.1 for one test."""
    srv = await FeedServer().start()
    yield srv
    await srv.stop()
