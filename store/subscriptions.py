"""Feed subscriptions as stored: the URL, how the user labelled it, and its fetch state."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

# What the last fetch of a feed came to; "new" until the first one.
FeedStatus = Literal["new", "ok", "not-modified", "skipped", "error"]


@dataclass(frozen=True, slots=True)
class Feed:
    """One subscribed feed and what the last fetches learned about it."""

    url: str
    title: str = ""
    tags: tuple[str, ...] = ()
    status: FeedStatus = "new"
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_checked: str | None = None
    last_ok: str | None = None
    next_check: str | None = None
    failures: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Feed:
        """Rebuild a stored feed; unknown keys are kept in `extra` so newer fields survive."""
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in data.items() if k in names}
        known["tags"] = tuple(known.get("tags", ()))
        extra = {k: v for k, v in data.items() if k not in names}
        return cls(**known, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        data = asdict(self)
        data["tags"] = list(self.tags)
        extra = data.pop("extra")
        return {**extra, **data}


DEFAULT_FEEDS: tuple[Feed, ...] = (
    Feed(
        "https://japan.kantei.go.jp/index-e2.rdf", "Prime Minister's Office of Japan", ("default",)
    ),
    Feed("https://www.governo.it/feed/rss", "Palazzo Chigi — Governo italiano", ("default",)),
    Feed("https://japannews.yomiuri.co.jp/feed/", "The Japan News", ("default",)),
    Feed("https://www.ansa.it/english/english_rss.xml", "ANSA English", ("default",)),
    Feed("https://asia.nikkei.com/rss/feed/nar", "Nikkei Asia", ("default",)),
    Feed(
        "https://news.google.com/rss/search?q=Japan+Italy&hl=en-US&gl=US&ceid=US:en",
        "Google News: Japan Italy",
        ("default",),
    ),
    # Much of the relationship is reported only in Italian or Japanese.
    Feed(
        "https://news.google.com/rss/search?q=Giappone+Italia&hl=it&gl=IT&ceid=IT:it",
        "Google News: Giappone Italia",
        ("default",),
    ),
    Feed(
        "https://news.google.com/rss/search?q=%E6%97%A5%E6%9C%AC+%E3%82%A4%E3%82%BF%E3%83%AA%E3%82%A2"
        "&hl=ja&gl=JP&ceid=JP:ja",
        "Google News: 日本 イタリア",
        ("default",),
    ),
)
