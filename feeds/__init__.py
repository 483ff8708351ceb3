"""Article feeds into timeline entries: fetch (httpx, async), parse, relevance, topics,
clustering, and one refresh end to end. Never imports textual."""

import sys
from typing import Any

# Importing httpx also imports its command-line tool and with it rich (measured: `import httpx`
# 76-82 ms, 41-44 ms without); amity never runs that tool, and httpx puts a stub in its place
# when it cannot import it. The block is undone once httpx is in, so a later `import httpx._main`
# elsewhere in the process still works.
if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        del sys.modules["httpx._main"]

from .parse import ParsedFeed, ParseError, parse_feed
from .refresh import NotSubscribed, refresh, select_feeds
from .report import FeedResult, RefreshReport

_OPML = frozenset({"OPMLError", "read_opml", "write_opml"})

__all__ = [
    "FeedResult",
    "NotSubscribed",
    "OPMLError",
    "ParseError",
    "ParsedFeed",
    "RefreshReport",
    "parse_feed",
    "read_opml",
    "refresh",
    "select_feeds",
    "write_opml",
]


def __getattr__(name: str) -> Any:
    # OPML is for `amity feeds import|export` only: a refresh need not import it.
    if name in _OPML:
        from . import opml

        return getattr(opml, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
