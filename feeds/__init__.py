"""Article feeds into timeline entries: fetch (httpx, async), parse, relevance, topics,
clustering, and one refresh end to end. Never imports textual."""

from typing import Any

from .parse import ParsedFeed, ParseError, parse_feed
from .plan import NotSubscribed, select_feeds
from .refresh import refresh
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
