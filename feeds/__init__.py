"""Article feeds into timeline entries: fetch (httpx, async), parse, relevance, topics,
clustering, and one refresh end to end. Never imports textual."""

from .checked import last_checked, sidecar_path
from .opml import OPMLError, read_opml, write_opml
from .parse import ParsedFeed, ParseError, parse_feed
from .refresh import refresh, select_feeds
from .report import FeedResult, RefreshReport

__all__ = [
    "FeedResult",
    "OPMLError",
    "ParseError",
    "ParsedFeed",
    "RefreshReport",
    "last_checked",
    "parse_feed",
    "read_opml",
    "refresh",
    "select_feeds",
    "sidecar_path",
    "write_opml",
]
