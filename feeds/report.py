"""What one refresh did, per feed and in total: the shape `amity refresh --json` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

ResultStatus = Literal["ok", "not-modified", "skipped", "error"]
RESULT_STATUSES: tuple[ResultStatus, ...] = get_args(ResultStatus)


@dataclass(frozen=True, slots=True)
class FeedResult:
    """The outcome for one feed: `status` is ok, not-modified, skipped or error."""

    url: str
    status: ResultStatus
    error: str | None = None
    new: int = 0
    updated: int = 0

    def to_json(self) -> dict[str, Any]:
        """DESIGN.md's per-feed form."""
        return {
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "new": self.new,
            "updated": self.updated,
        }


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """Every feed's result and the totals of one refresh."""

    feeds: tuple[FeedResult, ...]
    new_events: int
    new_articles: int
    seconds: float

    @property
    def failed(self) -> int:
        """How many feeds ended in error."""
        return sum(1 for result in self.feeds if result.status == "error")

    def to_json(self) -> dict[str, Any]:
        """The `refresh --json` shape of DESIGN.md."""
        return {
            "feeds": [result.to_json() for result in self.feeds],
            "new_events": self.new_events,
            "new_articles": self.new_articles,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        """One line for people: counts by outcome and what was added."""
        counts = {status: 0 for status in RESULT_STATUSES}
        for result in self.feeds:
            counts[result.status] = counts.get(result.status, 0) + 1
        parts = [f"{len(self.feeds)} feed{'s' if len(self.feeds) != 1 else ''}"]
        words = {"error": "failed", "not-modified": "not modified", "skipped": "backing off"}
        parts += [f"{n} {words.get(status, status)}" for status, n in counts.items() if n]
        return (
            f"refreshed {', '.join(parts)}: {self.new_articles} new article"
            f"{'s' if self.new_articles != 1 else ''}, {self.new_events} new event"
            f"{'s' if self.new_events != 1 else ''} in {self.seconds:.1f} s"
        )
