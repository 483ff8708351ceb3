"""feeds.cluster.Timeline on its own: what one refresh does with each article it is given."""

from __future__ import annotations

from amity.feeds.articles import Article, article_key
from amity.feeds.cluster import Timeline, event_id_for
from amity.store import Config

NOW = "2026-01-17T08:00:00Z"


def report(url: str, title: str, publisher: str, summary: str = "") -> Article:
    return Article(
        id=article_key(url),
        url=url,
        title=title,
        summary=summary or "The leaders of Japan and Italy met in Tokyo.",
        published="2026-01-16T09:00:00Z",
        publisher=publisher,
    )


SUMMIT = report(
    "https://wire.example/summit",
    "Meloni and Takaichi hold Japan-Italy summit in Tokyo, upgrade ties",
    "Wire",
)
SAME_SUMMIT = report(
    "https://daily.example/tokyo-summit",
    "Japan and Italy upgrade ties as Meloni and Takaichi meet in Tokyo",
    "Daily",
)
FOOTBALL = report(
    "https://sport.example/match",
    "Italy beat Japan 3-1 in friendly football match",
    "Sport",
    "A friendly match in Milan.",
)


def empty(removed: frozenset[str] = frozenset()) -> Timeline:
    return Timeline(Config(), events={}, articles={}, removed=removed)


def test_two_outlets_reporting_one_summit_make_one_event_with_two_sources() -> None:
    timeline = empty()
    assert timeline.add(SUMMIT, "https://wire.example/feed", NOW) == "new"
    assert timeline.add(SAME_SUMMIT, "https://daily.example/feed", NOW) == "new"
    assert timeline.new_articles == 2 and timeline.new_events == 1
    (event,) = timeline.events.values()
    assert event.id == event_id_for(SUMMIT.id)  # named after its first article: stable
    assert {s.publisher for s in event.sources} == {"Wire", "Daily"}
    assert event.origin == "feed" and event.date == "2026-01-16"


def test_an_article_seen_again_is_the_same_and_a_look_alike_is_left_out() -> None:
    timeline = empty()
    timeline.add(SUMMIT, "https://wire.example/feed", NOW)
    assert timeline.add(SUMMIT, "https://wire.example/feed", NOW) == "same"
    assert timeline.add(FOOTBALL, "https://sport.example/feed", NOW) == "irrelevant"
    assert len(timeline.events) == 1 and set(timeline.articles) == {SUMMIT.id}


def test_an_event_the_person_removed_is_never_made_again() -> None:
    timeline = empty(removed=frozenset({event_id_for(SUMMIT.id)}))
    timeline.add(SUMMIT, "https://wire.example/feed", NOW)
    assert timeline.events == {} and timeline.new_events == 0
