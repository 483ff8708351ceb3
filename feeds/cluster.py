"""Articles into timeline events: one event per happening, however many outlets report it.

An article joins an event dated within a few days of it whose wording is similar enough (curated
milestones included, so a report of the ACSA entering into force becomes a source of that entry);
otherwise it starts a feed event whose id derives from the article, so no re-fetch duplicates it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from amity.store import Config, Event, Source

from .articles import Article
from .classify import Classified, alias_words, classify, is_relevant

WINDOW_DAYS = 3
MATCH_SCORE = 0.5
SAME_KIND_BONUS = 0.2
_WORD = re.compile(r"[^\W_]+")
# Words that say nothing about which happening an article reports.
_STOPWORD_TEXT = """
the and for with from that this its are was were has have had will would into over about
after before their them they his her our who which what when where why how not but also than
then there here two one new says said say more most other some such very can may upon amid
among between during while both each per via all any own same news report reports official
officials minister ministers government today week year yesterday
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SUFFIXES = ("ing", "ed", "es", "s")


@dataclass(frozen=True, slots=True)
class Facts:
    """What clustering needs to know about one article that depends only on the article and the
    config: worked out as each feed is parsed, while other feeds are still on the wire, so the
    locked save at the end only merges. `found` and the word sets are None when not relevant."""

    relevant: bool
    found: Classified | None = None
    title_words: frozenset[str] | None = None
    all_words: frozenset[str] | None = None


def facts_for(articles: Iterable[Article], config: Config) -> dict[str, Facts]:
    """The Facts of each article, by article id."""
    words = _wording(config).words
    facts = {}
    for article in articles:
        text = f"{article.title} {article.summary}"
        if not is_relevant(text, config):
            facts[article.id] = Facts(False)
            continue
        title_words = words(article.title)
        facts[article.id] = Facts(
            True, classify(text, config), title_words, title_words | words(article.summary)
        )
    return facts


def event_id_for(article_id: str) -> str:
    """The id of the event an article starts: stable, so the article never makes two events."""
    return "feed-" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:12]


@dataclass
class Timeline:
    """The events and stored articles of one refresh, changed in memory and saved once."""

    config: Config
    events: dict[str, Event]
    articles: dict[str, dict[str, Any]]
    changed_events: set[str] = field(default_factory=set)
    changed_articles: set[str] = field(default_factory=set)
    new_events: int = 0
    new_articles: int = 0

    def __post_init__(self) -> None:
        self._words = _wording(self.config).words
        self._by_guid = {r["guid"]: key for key, r in self.articles.items() if r.get("guid")}
        self._by_day: dict[int, list[str]] = {}
        self._tokens: dict[str, tuple[set[str], set[str]]] = {}
        for event in self.events.values():
            self._index(event)
        # An event is also known by the words of every article it gathered.
        for record in self.articles.values():
            if record.get("event", "") in self._tokens:
                title_words = self._words(record.get("title", ""))
                self._learn(record["event"], title_words, self._words(record.get("summary", "")))

    def add(self, article: Article, feed_url: str, now: str, facts: Facts | None = None) -> str:
        """Take one parsed article: 'new', 'updated', 'same' or 'irrelevant'. `facts` (from
        facts_for) saves working them out here."""
        key = article.id if article.id in self.articles else self._by_guid.get(article.guid or "")
        if key is not None:
            return self._revisit(key, article, feed_url)
        if facts is None:
            facts = facts_for((article,), self.config)[article.id]
        if not facts.relevant:
            return "irrelevant"
        event_id = self._attach_or_start(article, facts)
        seen = {feed_url: article.digest}
        self.articles[article.id] = article.to_record(now, event_id, [feed_url], seen)
        if article.guid:
            self._by_guid[article.guid] = article.id
        self.changed_articles.add(article.id)
        self.new_articles += 1
        return "new"

    def _revisit(self, key: str, article: Article, feed_url: str) -> str:
        # Each feed's version is compared with what that same feed carried last time, not with
        # the stored text: two feeds that word one article differently would otherwise take
        # turns "updating" it on every refresh.
        record = self.articles[key]
        if key != article.id:  # same guid under another URL: the first identity stays
            article = replace(article, id=key)
        if not article.dated:
            # The first-seen time is kept, and so is a date the feed gave before and dropped.
            article = replace(
                article, published=record["published"], dated=record.get("dated", True)
            )
        digest = article.digest
        feeds = record.get("feeds", [])
        seen = record.get("seen")
        if seen is None:  # stored before feeds were told apart: each carried the stored text
            seen = dict.fromkeys(feeds, record.get("digest"))
        last = seen.get(feed_url)
        if last == digest and feed_url in feeds and "seen" in record:
            return "same"
        seen = {**seen, feed_url: digest}
        feeds = feeds if feed_url in feeds else [*feeds, feed_url]
        if last is None or digest == record.get("digest"):
            # A feed's first sight of an article another feed brought: the first words stay.
            self.articles[key] = {**record, "feeds": feeds, "seen": seen}
            self.changed_articles.add(key)
            return "same"
        self.articles[key] = article.to_record(record["first_seen"], record["event"], feeds, seen)
        self.changed_articles.add(key)
        event = self.events.get(record["event"])
        if event is not None:
            self._put(self._updated_event(event, record, article), reindex=True)
        return "updated"

    def _updated_event(self, event: Event, record: Mapping[str, Any], article: Article) -> Event:
        source = _source(article)
        sources = tuple(
            source if s.url in (record.get("url"), article.url) else s for s in event.sources
        )
        if event.origin != "feed" or event.id != event_id_for(article.id):
            return event.with_changes(sources=sources)
        found = classify(f"{article.title} {article.summary}", self.config)
        return event.with_changes(
            date=article.day,
            title=article.title,
            summary=article.summary,
            kind=found.kind,
            topics=_merge_topics(self.config, found.topics, event.topics),
            sources=sources,
        )

    def _attach_or_start(self, article: Article, facts: Facts) -> str:
        found, title_words, all_words = facts.found, facts.title_words, facts.all_words
        assert found is not None and title_words is not None and all_words is not None
        best, best_score = None, MATCH_SCORE
        for event in self._near(article.day):
            event_title, event_all = self._tokens[event.id]
            score = max(_overlap(title_words, event_title), _overlap(all_words, event_all))
            if found.kind != "news" and found.kind == event.kind:
                score += SAME_KIND_BONUS
            if score >= best_score:
                best, best_score = event, score
        if best is not None:
            self._learn(best.id, title_words, all_words)
            sources = best.sources
            if all(s.url != article.url for s in sources):
                sources = (*sources, _source(article))
            if best.origin == "feed":
                best = best.with_changes(
                    topics=_merge_topics(self.config, best.topics, found.topics),
                    kind=found.kind if best.kind == "news" else best.kind,
                    sources=sources,
                )
            else:  # curated and user entries keep their wording; the article becomes a source
                best = best.with_changes(sources=sources)
            self._put(best)
            return best.id
        event = Event(
            id=event_id_for(article.id),
            date=article.day,
            title=article.title,
            summary=article.summary,
            kind=found.kind,
            topics=found.topics,
            countries=self.config.country_codes,
            milestone=False,
            origin="feed",
            sources=(_source(article),),
        )
        if event.id not in self.events:
            self.new_events += 1
        self._put(event)
        return event.id

    def _near(self, day: str) -> list[Event]:
        center = _ordinal(day)
        return [
            self.events[event_id]
            for ordinal in range(center - WINDOW_DAYS, center + WINDOW_DAYS + 1)
            for event_id in self._by_day.get(ordinal, ())
            if event_id in self.events
        ]

    def _put(self, event: Event, *, reindex: bool = False) -> None:
        before = self.events.get(event.id)
        if before != event:
            self.events[event.id] = event
            self.changed_events.add(event.id)
            if reindex and before is not None and before.date != event.date:
                # Off its old day, or articles of that day would still join it.
                old_day = (
                    self._by_day.get(_ordinal(before.date)) if len(before.date) == 10 else None
                )
                if old_day and event.id in old_day:
                    old_day.remove(event.id)
            if reindex or event.id not in self._tokens:
                self._index(event)

    def _index(self, event: Event) -> None:
        # Whole-event tokenising happens once per event; attaching an article only adds its
        # words (see _learn), so a story with hundreds of sources stays linear.
        if len(event.date) != 10:
            return
        title_words = set(self._words(" ".join([event.title, *(s.title for s in event.sources)])))
        self._tokens[event.id] = (title_words, title_words | self._words(event.summary))
        ids = self._by_day.setdefault(_ordinal(event.date), [])
        if event.id not in ids:
            ids.append(event.id)

    def _learn(self, event_id: str, title_words: frozenset[str], words: frozenset[str]) -> None:
        if event_id in self._tokens:
            event_title, event_all = self._tokens[event_id]
            event_title |= title_words
            event_all |= title_words | words


class _Wording:
    """Text to the word stems that say which happening it reports, remembered per word."""

    def __init__(self, config: Config) -> None:
        self._noise = alias_words(config)
        # Filled from several parse threads at once: each word always maps to the same stem,
        # so a race only computes one twice.
        self._vocabulary: dict[str, str | None] = {}

    def words(self, text: str) -> frozenset[str]:
        """The stems of the words of `text` that can tell happenings apart."""
        vocabulary = self._vocabulary
        words = set()
        for word in _WORD.findall(text.casefold()):
            stem = vocabulary.get(word, "")
            if stem == "":
                stem = vocabulary[word] = self._stem(word)
            if stem is not None:
                words.add(stem)
        return frozenset(words)

    def _stem(self, word: str) -> str | None:
        # None for words that say nothing; otherwise just enough stemming to meet "launched"
        # and "launch", "talks" and "talk".
        if len(word) < 3 or word in _STOPWORDS or word in self._noise:
            return None
        for suffix in _SUFFIXES:
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                return word[: -len(suffix)]
        return word


@cache
def _wording(config: Config) -> _Wording:
    return _Wording(config)


def _ordinal(day: str) -> int:
    return dt.date.fromisoformat(day).toordinal()


def _overlap(a: frozenset[str], b: set[str]) -> float:
    # Shared words over the smaller set, damped so that two or three words in common between
    # short texts are not enough on their own.
    if not a or not b:
        return 0.0
    return len(a & b) / (min(len(a), len(b)) + 2)


def _merge_topics(config: Config, *groups: tuple[str, ...]) -> tuple[str, ...]:
    present = {topic for group in groups for topic in group}
    return tuple(tid for tid in config.topic_ids if tid in present)


def _source(article: Article) -> Source:
    return Source(
        url=article.url,
        title=article.title,
        publisher=article.publisher,
        published=article.published,
    )
