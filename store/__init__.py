"""amity's headless core: the model, the store file, queries and the curated timelines.

Never imports textual or httpx.
"""

from typing import Any

from .checked import last_checked, sidecar_path
from .clock import format_iso, parse_iso, utc_now
from .config import Config, ConfigError, Country, RefreshSettings, load_config
from .database import Snapshot, Store, Transaction
from .model import KINDS, ORIGINS, Event, Source, ValidationError, parse_date, parse_events
from .query import Filter, ordered, search_text, word_needles, word_spans
from .storage import StoreDamaged, StoreError, StoreLocked, StoreTooNew
from .stored_events import StoredEvents
from .subscriptions import DEFAULT_FEEDS, Feed
from .text import clean_text, strip_controls
from .topics import DEFAULT_TOPICS, Topic


def __getattr__(name: str) -> Any:
    # __version__ on first use: importlib.metadata costs every start-up ~15 ms otherwise.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("amity")
    except PackageNotFoundError:  # running from a checkout that was never installed
        found = "0.0.0"
    globals()["__version__"] = found
    return found


__all__ = [
    "DEFAULT_FEEDS",
    "DEFAULT_TOPICS",
    "KINDS",
    "ORIGINS",
    "Config",
    "ConfigError",
    "Country",
    "Event",
    "Feed",
    "Filter",
    "RefreshSettings",
    "Snapshot",
    "Source",
    "Store",
    "StoreDamaged",
    "StoreError",
    "StoreLocked",
    "StoreTooNew",
    "StoredEvents",
    "Topic",
    "Transaction",
    "ValidationError",
    "__version__",
    "clean_text",
    "format_iso",
    "last_checked",
    "load_config",
    "ordered",
    "parse_date",
    "parse_events",
    "parse_iso",
    "search_text",
    "sidecar_path",
    "strip_controls",
    "utc_now",
    "word_needles",
    "word_spans",
]
