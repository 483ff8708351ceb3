"""Articles into timeline events: one event per happening, however many outlets report it, in
whatever language.

An article joins an event dated a few days around it when they share who and what they are
about (language-independent entities: Meloni, メローニ; ACSA, 物品役務相互提供協定; Cavour) or
enough wording; curated milestones take part with their `terms`, so a report of the ACSA
entering into force becomes a source of that entry. Otherwise it starts a feed event whose id
derives from the article, so no re-fetch duplicates it. The same article met again (a Google
News copy of an outlet's story, under a news.google.com link) is recognised by its headline.

Only what incoming articles touch is worked out: the days around them, the events of those days,
their articles. A refresh into a store of 100k events costs little more than into an empty one.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any

from amity.store import Config, Event, Source, StoredEvents
from amity.store.text import spaceless_run

from .articles import Article
from .classify import (
    Verdict,
    entities_in,
    frame_of,
    joint_entities,
    judge,
    per_config,
    period_entities,
    topics_of,
)
from .matcher import normalise
from .matcher import words as plain_words
from .stated_dates import StatedDay, stated_days

WINDOW_DAYS = 3  # an article may preview its happening or report it days later
LATE_DAYS = 7  # a curated milestone also takes reports a week late that name what it is about
MATCH_SCORE = 0.5
ENTITY_SCORE, ENTITIES_COUNTED = 0.3, 2
SAME_KIND_BONUS, OTHER_KIND_PENALTY = 0.2, 0.3
CURATED_BONUS = 0.2  # a report that fits a curated milestone and a feed event joins the milestone
# A preview or follow-up that states a milestone's day and names it reports it, however far
# outside the window, up to this many days away.
STATED_REACH_DAYS = 60
_SPECIFIC_KINDS = frozenset({"summit", "call", "agreement", "deployment", "visit", "consultation"})
_WORD = re.compile(r"[^\W_]+")
_SPACELESS = spaceless_run()
# Words that say nothing about which happening an article reports.
_STOPWORD_TEXT = """
the and for with from that this its are was were has have had will would into over about
after before their them they his her our who which what when where why how not but also than
then there here two one new says said say more most other some such very can may upon amid
among between during while both each per via all any own same news report reports official
officials minister ministers government today week year yesterday
del della delle dei degli con per una uno che sono nel nella alla alle sul sulla anche come
più tra fra dopo prima oggi ieri anno governo ministro premier
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SUFFIXES = ("ing", "ed", "es", "s")
_TITLE_KEY = re.compile(r"[\W_]+")
_ENTITY = "\x00"  # prefix of entity keys among the words of the postings


@dataclass(frozen=True, slots=True)
class Facts:
    """What clustering needs to know about one article that depends only on the article and the
    config: worked out as each feed is parsed, while other feeds are still on the wire, so the
    locked save at the end only merges."""

    verdict: Verdict
    title_words: frozenset[str] = frozenset()
    all_words: frozenset[str] = frozenset()

    @property
    def relevant(self) -> bool:
        """Kept on the timeline."""
        return self.verdict.relevant


def facts_for(articles: Iterable[Article], config: Config) -> dict[str, Facts]:
    """The Facts of each article, by article id."""
    return {article.id: _facts(article.title, article.summary, config) for article in articles}


def _facts(title: str, summary: str, config: Config) -> Facts:
    verdict = judge(title, summary, config)
    if not verdict.relevant:
        return Facts(verdict)
    words = _wording(config).words
    title_words = words(title)
    return Facts(verdict, title_words, title_words | words(summary))


def event_id_for(article_id: str) -> str:
    """The id of the event an article starts: stable, so the article never makes two events."""
    return "feed-" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:12]


# The parse thread keys every headline it reads and the timeline keys it again when it takes
# the article: remembered, the second costs a lookup. Room for a 200-feed refresh's headlines.
@functools.lru_cache(maxsize=16384)
def title_key(title: str) -> str:
    """A headline as compared across feeds: normalised, punctuation and spacing dropped."""
    return _TITLE_KEY.sub("", normalise(title))


@dataclass
class _Profile:
    """What an event is known by: its words, entities, topic evidence and source URLs."""

    title_words: set[str]
    all_words: set[str]
    entities: set[str]
    topics: Counter[str]
    urls: set[str]
    reports: int = 0
    langs: set[str] = field(default_factory=set)


@dataclass
class Timeline:
    """The events and stored articles of one refresh, changed in memory and saved once.
    `removed` holds ids of events the person deleted or merged away: never made again."""

    config: Config
    events: MutableMapping[str, Event]  # a store's are built on first need (StoredEvents)
    articles: dict[str, dict[str, Any]]
    removed: frozenset[str] = frozenset()
    changed_events: set[str] = field(default_factory=set)
    changed_articles: set[str] = field(default_factory=set)
    dropped_events: set[str] = field(default_factory=set)
    dropped_articles: set[str] = field(default_factory=set)
    new_events: int = 0
    new_articles: int = 0

    def __post_init__(self) -> None:
        self._words = _wording(self.config).words
        # A guid identifies an entry only within its feed (sites number theirs from 1).
        self._by_guid = {
            (feed, r["guid"]): key
            for key, r in self.articles.items()
            if r.get("guid")
            for feed in r.get("feeds", ())
        }
        self._by_day: dict[str, list[str]] | None = None
        self._articles_of: dict[str, list[str]] | None = None
        self._days_by_title: dict[str, dict[str, str]] | None = None
        self._profiles: dict[str, _Profile] = {}
        # Per day, each word and entity to the events of that day known by it: an article is
        # compared only with the events it shares something with (nothing shared cannot reach
        # MATCH_SCORE), not with every event of the week.
        self._postings: dict[str, dict[str, set[str]]] = {}
        self._rebuilt: dict[str, Event] = {}

    def reapply(self) -> None:
        """Judge every stored article again with the current rules (new aliases, keywords or
        languages): kept, dropped, re-tagged and re-clustered. Events the person edited, hid or
        annotated keep their articles and their fields; the others are rebuilt, under the
        same ids where the same article founds them."""
        touched = {eid for eid, event in self.events.items() if _touched(event)}
        urls = {record["url"] for record in self.articles.values()}
        # A feed event no stored article belongs to (imported, or older than the articles kept)
        # cannot be rebuilt: it stays as it is instead of vanishing.
        founded = {record.get("event") for record in self.articles.values()}
        for event in list(self.events.values()):
            if event.id in touched:
                continue
            if event.origin == "feed" and event.id in founded:
                self._rebuilt[event.id] = self.events.pop(event.id)
                self.dropped_events.add(event.id)
            elif any(s.url in urls for s in event.sources):
                self._put(
                    _changed(event, sources=tuple(s for s in event.sources if s.url not in urls))
                )
        self._by_day = self._articles_of = self._days_by_title = None
        self._profiles.clear()
        self._postings.clear()
        order = sorted(
            (r for r in self.articles.values() if r.get("event") not in touched),
            key=lambda r: (r.get("first_seen", ""), r.get("published", ""), r["id"]),
        )
        for record in order:
            facts = _facts(record.get("title", ""), record.get("summary", ""), self.config)
            key = record["id"]
            if not facts.relevant:
                del self.articles[key]
                self.changed_articles.discard(key)
                self.dropped_articles.add(key)
                continue
            event_id = self._attach_or_start(_article_of(record), facts)
            self.articles[key] = {**record, "event": event_id, "why": facts.verdict.why()}
            self.changed_articles.add(key)
        self._articles_of = None

    # -- taking articles -----------------------------------------------------------------------

    def add(self, article: Article, feed_url: str, now: str, facts: Facts | None = None) -> str:
        """Take one parsed article: 'new', 'updated', 'same' or 'irrelevant'. `facts` (from
        facts_for) saves working them out here."""
        key = article.id if article.id in self.articles else None
        if key is None and article.guid:
            key = self._by_guid.get((feed_url, article.guid))
        if key is None:
            key = self._same_headline(article)
        if key is not None:
            return self._revisit(key, article, feed_url, facts)
        if facts is None:
            facts = _facts(article.title, article.summary, self.config)
        if not facts.relevant:
            return "irrelevant"
        event_id = self._attach_or_start(article, facts)
        seen = {feed_url: article.digest}
        record = article.to_record(now, event_id, [feed_url], seen)
        record["why"] = facts.verdict.why()
        self._store_article(record)
        self.new_articles += 1
        return "new"

    def _store_article(self, record: dict[str, Any]) -> None:
        key = record["id"]
        self.articles[key] = record
        self.changed_articles.add(key)
        if record.get("guid"):
            for feed in record.get("feeds", ()):
                self._by_guid[feed, record["guid"]] = key
        if self._days_by_title is not None:
            self._days_by_title.setdefault(title_key(record["title"]), {})[
                record["published"][:10]
            ] = key
        if self._articles_of is not None and record.get("event"):
            self._articles_of.setdefault(record["event"], []).append(key)

    def _same_headline(self, article: Article) -> str | None:
        # The same story under another link (an aggregator's redirect, a re-published copy):
        # the same headline within a day or two. Short headlines ("News") prove nothing.
        wanted = title_key(article.title)
        if len(wanted) < 12:
            return None
        days = self._titles().get(wanted)
        if not days:  # most headlines: no stored article has it on any day
            return None
        center = _ordinal(article.day)
        for ordinal in range(center - 2, center + 3):
            key = days.get(_day(ordinal))
            if key is not None:
                return key
        return None

    def _revisit(
        self, key: str, article: Article, feed_url: str, facts: Facts | None = None
    ) -> str:
        # Each feed's version is compared with what that same feed carried last time, not with
        # the stored text: two feeds that word one article differently would otherwise take
        # turns "updating" it on every refresh.
        record = self.articles[key]
        if key != article.id:  # the same article under another guid or link: first identity stays
            also = record.get("also", [])
            if article.url != record["url"] and article.url not in also:
                record = {**record, "also": [*also, article.url]}
                self.articles[key] = record
                self.changed_articles.add(key)
            article = replace(article, id=key, url=record["url"])
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
        updated = article.to_record(record["first_seen"], record["event"], feeds, seen)
        for kept in ("why", "also"):
            if kept in record:
                updated[kept] = record[kept]
        self.articles[key] = updated
        self.changed_articles.add(key)
        event = self.events.get(record["event"])
        if event is not None:
            self._put(self._updated_event(event, record, article, facts))
        return "updated"

    def _updated_event(
        self, event: Event, record: Mapping[str, Any], article: Article, facts: Facts | None
    ) -> Event:
        source = _source(article)
        sources = tuple(
            source if s.url in (record.get("url"), article.url) else s for s in event.sources
        )
        if event.origin != "feed" or event.id != event_id_for(article.id):
            return _changed(event, sources=sources)
        # The parse thread judged this very title and summary already (facts_for).
        found = facts.verdict if facts else judge(article.title, article.summary, self.config)
        profile = self._profile(event)
        return _changed(
            event,
            date=article.day,
            title=article.title,
            summary=article.summary,
            kind=found.kind if found.kind != "news" else event.kind,
            topics=self._event_topics(profile),
            sources=sources,
        )

    # -- clustering ------------------------------------------------------------------------------

    def _attach_or_start(self, article: Article, facts: Facts) -> str:
        verdict = facts.verdict
        best, best_score = None, MATCH_SCORE
        day = _ordinal(article.day)
        text = f"{article.title}\n{article.summary}"
        stated = _stated_ordinals(stated_days(text, self.config), day)  # days it names
        own, own_score = None, MATCH_SCORE  # the best milestone of the article's own days
        joint, periods = joint_entities(self.config), period_entities(self.config)
        for event, profile, late in self._candidates(day, facts):
            if late and (event.origin == "feed" or not verdict.entities & profile.entities):
                continue
            if event.origin != "feed" and _about_other(verdict, profile, joint):
                continue
            score = _score(event, profile, facts, periods)
            if score >= own_score and event.origin != "feed" and _own_days(event, day, stated):
                own, own_score = event, score
            if score >= best_score:
                best, best_score = event, score
        own_milestone = own is not None
        if own is not None and best is not None and best.origin != "feed":
            best = own  # between milestones, the one the article reports, not a neighbour
        # A preview or follow-up, by the day it states and the milestone's name (one of its
        # terms, or who or what they name: Meloni, ACSA), where no nearer event scores as well.
        # Reports come the day of their happening or the day after, or state its day: a
        # milestone of those days that fits is what the article reports, and a farther day it
        # states is a reference ("in force from 5 September").
        for event, profile in () if own_milestone else self._stated(day, stated):
            if _about_other(verdict, profile, joint):
                continue
            score = _score(event, profile, facts, periods)
            named = verdict.entities & profile.entities or _names(event, article)
            if score > best_score and named:
                best, best_score = event, score
        if best is not None:
            self._join(best, article, facts)
            return best.id
        event_id = event_id_for(article.id)
        if event_id in self.removed:
            return ""  # the person deleted the event this article made: it stays out
        event = Event(
            id=event_id,
            date=article.day,
            title=article.title,
            summary=article.summary,
            kind=verdict.kind,
            topics=verdict.topic_ids,
            countries=self.config.country_codes,
            milestone=False,
            origin="feed",
            sources=(_source(article),),
            why=verdict.why(),
        )
        known = self.events.get(event_id) or self._rebuilt.get(event_id)
        if known is not None:  # made before (re-judged articles): what the person set stays
            event = _changed(known, **{f: getattr(event, f) for f in _FEED_FIELDS})
        else:
            self.new_events += 1
        self._put(event)
        profile = self._profile(event)
        self._learn(event, profile, facts)
        self._post(event, profile.all_words, profile.entities)
        self._put(_changed(event, topics=self._event_topics(profile)))
        return event.id

    def _join(self, event: Event, article: Article, facts: Facts) -> None:
        profile = self._profile(event)
        if event.origin == "feed":  # a curated or user entry is known by its own words
            self._learn(event, profile, facts)
        sources = event.sources
        if article.url not in profile.urls:
            sources = (*sources, _source(article))
            profile.urls.add(article.url)
        if event.origin == "feed":
            why = dict(event.why or facts.verdict.why())
            why["reports"] = profile.reports
            why["langs"] = sorted(profile.langs)
            event = _changed(
                event,
                topics=self._event_topics(profile),
                kind=facts.verdict.kind if event.kind == "news" else event.kind,
                sources=sources,
                why=why,
            )
        else:  # curated and user entries keep their wording and topics; the article is a source
            event = _changed(event, sources=sources)
        self._put(event)

    def _learn(self, event: Event | None, profile: _Profile, facts: Facts) -> None:
        # An event is also known by the words of every article it gathered.
        profile.title_words |= facts.title_words
        profile.all_words |= facts.all_words
        profile.entities |= facts.verdict.entities
        profile.topics.update(facts.verdict.topics)
        profile.reports += 1
        if facts.verdict.lang:
            profile.langs.add(facts.verdict.lang)
        if event is not None:
            self._post(event, facts.all_words, facts.verdict.entities)

    def _post(self, event: Event, words: Iterable[str], entities: Iterable[str]) -> None:
        postings = self._postings.get(event.date)
        if postings is None:  # that day is indexed in full when an article first needs it
            return
        for key in (*words, *(_ENTITY + e for e in entities)):
            postings.setdefault(key, set()).add(event.id)

    def _event_topics(self, profile: _Profile) -> tuple[str, ...]:
        # Topics from the whole evidence of the event's reports, in every language: the event is
        # judged as one report would be, on its reports' average weights. One report of ten
        # mentioning space is not about it; a call's defence side in one of two reports' titles is.
        reports = max(profile.reports, 1)
        average = {t: n / reports for t, n in profile.topics.items()}
        found = topics_of(average, frame_of(self.config))
        return tuple(t for t in self.config.topic_ids if t in found)

    def _profile(self, event: Event) -> _Profile:
        profile = self._profiles.get(event.id)
        if profile is not None:
            return profile
        text = " ".join((event.title, *event.terms))
        title_words = set(self._words(text))
        profile = _Profile(
            title_words,
            title_words | self._words(event.summary),
            set(entities_in(f"{text} {event.summary}", self.config)),
            Counter(),
            {s.url for s in event.sources},
        )
        if event.origin != "feed":
            # A curated entry is known by its own words and terms, not by what reports said.
            self._profiles[event.id] = profile
            return profile
        for key in self._articles_index().get(event.id, ()):
            record = self.articles.get(key)
            if record is not None and record.get("event") == event.id:
                facts = _facts(record.get("title", ""), record.get("summary", ""), self.config)
                self._learn(None, profile, facts)
        self._profiles[event.id] = profile
        return profile

    def _candidates(self, day: int, facts: Facts) -> list[tuple[Event, _Profile, bool]]:
        # Events dated around `day` that share a word or an entity with the article, each with
        # whether it lies beyond the usual window (only curated milestones reach that far).
        keys = facts.all_words.union(_ENTITY + e for e in facts.verdict.entities)
        by_day = self._days()
        found: list[tuple[Event, _Profile, bool]] = []
        for ordinal in range(day - LATE_DAYS, day + WINDOW_DAYS + 1):
            date = _day(ordinal)
            if not by_day.get(date):
                continue
            postings = self._postings_on(date)
            ids: set[str] = set()
            for key in postings.keys() & keys:  # C-speed: a day's postings hold most words
                ids.update(postings[key])
            late = day - ordinal > WINDOW_DAYS
            for event_id in sorted(ids):
                event = self.events.get(event_id)
                if event is not None and event.date == date:
                    found.append((event, self._profile(event), late))
        return found

    def _stated(self, day: int, stated: list[int]) -> list[tuple[Event, _Profile]]:
        # Milestones (not feed events) on the days the article states, beyond the days
        # `_candidates` looks at.
        found = []
        by_day = self._days()
        for ordinal in stated:
            if day - LATE_DAYS <= ordinal <= day + WINDOW_DAYS:
                continue
            date = _day(ordinal)
            for event_id in by_day.get(date, ()):
                event = self.events.get(event_id)
                if event is not None and event.date == date and event.origin != "feed":
                    found.append((event, self._profile(event)))
        return found

    def _postings_on(self, date: str) -> dict[str, set[str]]:
        postings = self._postings.get(date)
        if postings is None:
            postings = self._postings[date] = {}
            for event_id in self._days().get(date, ()):
                event = self.events.get(event_id)
                if event is not None and event.date == date:
                    profile = self._profile(event)
                    self._post(event, profile.all_words, profile.entities)
        return postings

    def _put(self, event: Event) -> None:
        before = self.events.get(event.id) or self._rebuilt.get(event.id)
        self.dropped_events.discard(event.id)
        if before == event:
            self.events[event.id] = event
            return
        self.events[event.id] = event
        self.changed_events.add(event.id)
        by_day = self._by_day
        if by_day is None:
            return
        if before is not None and before.date != event.date:
            # Off its old day, or articles of that day would still join it.
            old_day = by_day.get(before.date)
            if old_day and event.id in old_day:
                old_day.remove(event.id)
        if len(event.date) == 10:
            ids = by_day.setdefault(event.date, [])
            if event.id not in ids:
                ids.append(event.id)
                profile = self._profiles.get(event.id)
                if profile is not None:  # moved to another day: known there by the same words
                    self._post(event, profile.all_words, profile.entities)

    # -- indexes, built on first need (one pass, no tokenising) --------------------------------

    def _days(self) -> dict[str, list[str]]:
        if self._by_day is None:
            self._by_day = _Days(self.events)
        return self._by_day

    def _articles_index(self) -> dict[str, list[str]]:
        if self._articles_of is None:
            index: dict[str, list[str]] = {}
            for key, record in self.articles.items():
                if record.get("event"):
                    index.setdefault(record["event"], []).append(key)
            self._articles_of = index
        return self._articles_of

    def _titles(self) -> dict[str, dict[str, str]]:
        # Headline key -> day -> article: an article looks its headline up once, and the days
        # around its own only when some stored article has that headline.
        if self._days_by_title is None:
            titles: dict[str, dict[str, str]] = {}
            for key, record in self.articles.items():
                days = titles.setdefault(title_key(record.get("title", "")), {})
                days.setdefault(record.get("published", "")[:10], key)
            self._days_by_title = titles
        return self._days_by_title


# Fields of a feed event that come from its articles (and that the person may have edited).
_FEED_FIELDS = ("date", "title", "summary", "kind", "topics", "sources", "why")


class _Days(dict[str, list[str]]):
    """Day -> the ids of its events. A store's events tell a day's without being built, and
    from the view's dates, a day at a time: only the days incoming articles touch are looked
    up (a few dozen of 100k events' thousands). Others are grouped at once."""

    def __init__(self, events: Mapping[str, Event]) -> None:
        super().__init__()
        self._events: Mapping[str, Event] | None = events
        if not isinstance(events, StoredEvents):
            self._group()

    def _look(self, date: str) -> None:
        events = self._events
        if events is None or len(date) != 10 or super().__contains__(date):
            return
        ids = events.on_day(date) if isinstance(events, StoredEvents) else None
        if ids is None:  # no view to tell, or too much changed since the read
            self._group()
        else:
            super().__setitem__(date, ids)

    def _group(self) -> None:
        # Every day at once, as the events are now: the days looked up so far were kept so.
        events, self._events = self._events, None
        assert events is not None
        super().clear()
        for event_id, date in _dates(events):
            if len(date) == 10:
                super().setdefault(date, []).append(event_id)

    def get(self, date: str, default: Any = None) -> Any:
        """The ids of the events of `date` (looked up first if need be), or `default`."""
        self._look(date)
        return super().get(date, default)

    def setdefault(self, date: str, default: list[str]) -> list[str]:
        """The ids of the events of `date`, `default` set when it has none."""
        self._look(date)
        return super().setdefault(date, default)


def _dates(events: Mapping[str, Event]) -> Iterable[tuple[str, str]]:
    # A store's events tell their dates without being built.
    if isinstance(events, StoredEvents):
        return events.dates()
    return ((event.id, event.date) for event in events.values())


def _touched(event: Event) -> bool:
    # The person's: edited, hidden or annotated. Re-judging never moves its articles away.
    return bool(event.edits) or event.hidden or bool(event.note)


def _article_of(record: Mapping[str, Any]) -> Article:
    return Article(
        id=record["id"],
        url=record["url"],
        title=record.get("title", ""),
        summary=record.get("summary", ""),
        published=record["published"],
        dated=record.get("dated", True),
        guid=record.get("guid", ""),
        publisher=record.get("publisher", ""),
    )


def _changed(event: Event, **changes: Any) -> Event:
    """The event with `changes`, except fields the person edited: those are theirs."""
    edits = event.edits
    kept = {k: v for k, v in changes.items() if k not in edits}
    return event.with_changes(**kept) if kept else event


class _Wording:
    """Text to the word stems that say which happening it reports, remembered per word. Runs
    of a script without spaces give their two-character pieces (会談, 首脳)."""

    def __init__(self, config: Config) -> None:
        self._noise = _alias_words(config)
        # Filled from several parse threads at once: each word always maps to the same stem,
        # so a race only computes one twice.
        self._vocabulary: dict[str, str | None] = {}

    def words(self, text: str) -> frozenset[str]:
        """The stems of the words of `text` that can tell happenings apart."""
        vocabulary = self._vocabulary
        words = set()
        folded = text.casefold()
        for word in _WORD.findall(folded):
            stem = vocabulary.get(word, "")
            if stem == "":
                stem = vocabulary[word] = self._stem(word)
            if stem is not None:
                words.add(stem)
        if not folded.isascii():
            for run in _SPACELESS.findall(folded):
                words.update(run[i : i + 2] for i in range(len(run) - 1))
        return frozenset(words - self._noise)

    def _stem(self, word: str) -> str | None:
        # None for words that say nothing; otherwise just enough stemming to meet "launched"
        # and "launch", "talks" and "talk".
        if len(word) < 3 or word in _STOPWORDS or word in self._noise or _SPACELESS.match(word):
            return None
        for suffix in _SUFFIXES:
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                return word[: -len(suffix)]
        return word


def _alias_words(config: Config) -> frozenset[str]:
    # The pair's names are in every relevant article: they say nothing about which happening.
    from amity.store.languages import all_languages

    names = [alias for country in config.pair for alias in (country.name, *country.aliases)]
    for language in all_languages(config.languages):
        names += [term.rstrip("*") for _code, terms in language.sides for term in terms]
    words = {w for name in names for w in _WORD.findall(name.casefold())}
    words |= {
        run[i : i + 2]
        for name in names
        for run in _SPACELESS.findall(name)
        for i in range(len(run) - 1)
    }
    return frozenset(words)


@per_config
def _wording(config: Config) -> _Wording:
    return _Wording(config)


def _score(event: Event, profile: _Profile, facts: Facts, periods: frozenset[str]) -> float:
    verdict = facts.verdict
    both = verdict.entities & profile.entities
    # Two reports of an anniversary year may be of two of its happenings; its milestone is it.
    shared = len(both - periods if event.origin == "feed" else both)
    score = max(
        _overlap(facts.title_words, profile.title_words),
        _overlap(facts.all_words, profile.all_words),
    )
    score += ENTITY_SCORE * min(shared, ENTITIES_COUNTED)
    if verdict.kind != "news" and verdict.kind == event.kind:
        score += SAME_KIND_BONUS
    elif event.origin == "feed" and {verdict.kind, event.kind} <= _SPECIFIC_KINDS:
        # A phone call is not the summit of the day before. (A curated entry's kind is an
        # editor's choice that reports word differently: "visit" reported as talks.)
        score -= OTHER_KIND_PENALTY
    if event.origin != "feed" and shared:
        score += CURATED_BONUS
    return score


# Dates and day numbers are converted for every article and every day around it: a few
# hundred distinct days a refresh, remembered.
@functools.lru_cache(maxsize=4096)
def _ordinal(day: str) -> int:
    return dt.date.fromisoformat(day).toordinal()


@functools.lru_cache(maxsize=4096)
def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _stated_ordinals(days: Iterable[StatedDay], around: int) -> list[int]:
    """The day numbers of the stated days that lie within STATED_REACH_DAYS of `around`; a day
    stated without its year is taken in the year before, of, or after `around`."""
    year = dt.date.fromordinal(around).year
    found = set()
    for stated in days:
        for candidate in (stated.year,) if stated.year else (year - 1, year, year + 1):
            try:
                ordinal = dt.date(candidate, stated.month, stated.day).toordinal()
            except ValueError:  # 30 February, or a year out of range
                continue
            if abs(ordinal - around) <= STATED_REACH_DAYS:
                found.add(ordinal)
    return sorted(found)


def _own_days(event: Event, day: int, stated: list[int]) -> bool:
    """Whether `day` is one of the event's own days (its date to its end date) or the day
    after, or the article states its date."""
    start = _ordinal(event.date)
    end = _ordinal(event.end_date) if event.end_date and len(event.end_date) == 10 else start
    return start <= day <= end + 1 or start in stated


def _about_other(verdict: Verdict, profile: _Profile, joint: frozenset[str]) -> bool:
    """Whether the headline is about a joint programme, treaty or ship the curated entry is
    not, and names nothing the entry is about: the Italy Pavilion's plans presented on board
    the Vespucci are the pavilion's news, a GCAP meeting on the day the ACSA was agreed is
    GCAP's, however much the lead mentions the ship or the agreement."""
    headline = verdict.headline
    return bool((headline & joint) - profile.entities) and not headline & profile.entities


def _names(event: Event, article: Article) -> bool:
    """Whether the article names the event by one of its terms: a run of whole words, or a
    substring in a script without spaces (映画共同製作協定)."""
    text = normalise(f"{article.title}\n{article.summary}")
    tokens = plain_words(text)
    for raw in event.terms:
        term = normalise(raw)
        if _SPACELESS.search(term):
            if term in text:
                return True
            continue
        parts = plain_words(term)
        size = len(parts)
        if parts and any(tokens[i : i + size] == parts for i in range(len(tokens) - size + 1)):
            return True
    return False


def _overlap(a: frozenset[str], b: set[str]) -> float:
    # Shared words over the smaller set, damped so that two or three words in common between
    # short texts are not enough on their own.
    size_a, size_b = len(a), len(b)
    if not size_a or not size_b:
        return 0.0
    return len(a & b) / ((size_a if size_a < size_b else size_b) + 2)


def _source(article: Article) -> Source:
    return Source(
        url=article.url,
        title=article.title,
        publisher=article.publisher,
        published=article.published,
    )
