"""Mute rules: "hide events like this". A word or phrase, optionally limited to one feed.

Kept in the store's meta ("mutes"). Adding a rule hides the stored feed events it matches (hidden,
not deleted: removing the rule shows them again, unless the person hid them since); future
refreshes drop matching articles before they reach the timeline (feeds/mute.py). Curated events
and the person's own are never muted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .clock import utc_now
from .curation import refuse_controls, with_hidden
from .model import Event, ValidationError, check_url
from .storage import ARTICLES, EVENTS
from .text import SPACED_LETTER, clean_text, spaceless

PHRASE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class MuteRule:
    """One rule: `phrase` matched as whole words, case-insensitively; `feed` limits it."""

    phrase: str
    feed: str | None = None
    added: str = ""
    hid: tuple[str, ...] = ()
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        phrase = re.escape(self.phrase.casefold())
        # Word boundaries where the phrase starts or ends with a letter of a spaced script:
        # "rom" must not mute "from"; Japanese has no spaces, so a Japanese phrase matches
        # inside, and "acsa" matches in "日伊のacsa協定", where kana is no part of the word.
        start = f"(?<!{SPACED_LETTER})" if _spaced_word(self.phrase[:1]) else ""
        end = f"(?!{SPACED_LETTER})" if _spaced_word(self.phrase[-1:]) else ""
        object.__setattr__(self, "_pattern", re.compile(start + phrase + end))

    def matches(self, text: str, feeds: Iterable[str] = ()) -> bool:
        """Does case-folded `text` (from an article of one of `feeds`) fall under this rule?"""
        if self.feed is not None and self.feed not in feeds:
            return False
        return self._pattern.search(text) is not None

    def to_dict(self) -> dict[str, Any]:
        """The stored (and `mute list --json`) form."""
        return {
            "phrase": self.phrase,
            "feed": self.feed,
            "added": self.added,
            "hid": list(self.hid),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MuteRule:
        """A stored rule."""
        return cls(
            data["phrase"], data.get("feed"), data.get("added", ""), tuple(data.get("hid", ()))
        )


def muted_text(event: Event) -> str:
    """The case-folded text a rule looks in: what the feeds said (title, summary, sources),
    never the person's note."""
    parts = [event.title, event.summary, *(source.title for source in event.sources)]
    return "\n".join(parts).casefold()


def _spaced_word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char == "_") and not spaceless(char)


def mute_rules(meta: Mapping[str, Any]) -> tuple[MuteRule, ...]:
    """The rules stored in the meta record."""
    return tuple(MuteRule.from_dict(r) for r in meta.get("mutes", ()))


def check_phrase(phrase: str) -> str:
    """A phrase as typed, checked: one line of plain text, not empty, not too long."""
    refuse_controls("phrase", phrase)
    cleaned = clean_text(phrase)
    if not cleaned:
        raise ValidationError("phrase", "must not be empty")
    if len(cleaned) > PHRASE_LIMIT:
        raise ValidationError("phrase", f"is {len(cleaned)} characters; at most {PHRASE_LIMIT}")
    return cleaned


def add_mute(txn: Any, phrase: str, feed: str | None = None, now: str | None = None) -> MuteRule:
    """Store a rule and hide the stored feed events it matches; returns it (with `hid`)."""
    phrase = check_phrase(phrase)
    if feed is not None:
        feed = check_url(feed, "feed")
    rules = mute_rules(txn.meta)
    if any(_same(r, phrase, feed) for r in rules):
        where = f" for {feed}" if feed else ""
        raise ValidationError("phrase", f"{phrase!r} is already muted{where}")
    now = now or utc_now()
    rule = MuteRule(phrase, feed, now)
    feeds_of = _feeds_of_events(txn) if feed else {}
    hidden = [
        with_hidden(event, True, now)
        for event in _feed_events(txn)
        if not event.hidden and rule.matches(muted_text(event), feeds_of.get(event.id, ()))
    ]
    rule = MuteRule(phrase, feed, now, tuple(sorted(e.id for e in hidden)))
    txn.put_events(hidden, by_person=True)
    txn.update_meta(mutes=[*(r.to_dict() for r in rules), rule.to_dict()])
    return rule


def remove_mute(txn: Any, phrase: str, feed: str | None = None) -> tuple[list[MuteRule], int]:
    """Remove the rules for `phrase` (only the one for `feed`, if given) and show again the
    events they hid that the person has not hidden since; returns (rules removed, shown)."""
    phrase = clean_text(phrase)
    rules = mute_rules(txn.meta)
    gone = [
        r for r in rules if _same(r, phrase, feed) or (feed is None and _same(r, phrase, r.feed))
    ]
    if not gone:
        raise ValidationError("phrase", f"{phrase!r} is not muted; see `amity mute list`")
    table = txn.table(EVENTS)
    shown = []
    for rule in gone:
        for event_id in rule.hid:
            doc = table.record(event_id)
            if doc is None:
                continue
            event = Event.from_trusted(doc)
            if event.hidden and event.edits.get("hidden") == rule.added:
                shown.append(with_hidden(event, False, utc_now()))
    txn.put_events(shown, by_person=True)
    txn.update_meta(mutes=[r.to_dict() for r in rules if r not in gone])
    return gone, len(shown)


def _same(rule: MuteRule, phrase: str, feed: str | None) -> bool:
    return rule.phrase.casefold() == phrase.casefold() and rule.feed == feed


def _feed_events(txn: Any) -> list[Event]:
    return [Event.from_trusted(d) for d in txn.table(EVENTS).all() if d.get("origin") == "feed"]


def _feeds_of_events(txn: Any) -> dict[str, set[str]]:
    # Which feeds brought each event's articles (the feeds layer's records say).
    feeds: dict[str, set[str]] = {}
    for record in txn.table(ARTICLES).all():
        feeds.setdefault(record.get("event", ""), set()).update(record.get("feeds", ()))
    return feeds
