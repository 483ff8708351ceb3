"""What the timeline shows and in which order: the one filter of `amity list`, `export` and the
app (run over the timeline's columns by store/index.py), the search and timeline order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import Event, ValidationError, parse_date
from .text import SPACED_LETTER, spaceless, spaceless_run


@dataclass(frozen=True, slots=True)
class Filter:
    """What the user asked to see and in which order; an empty filter shows everything. Each
    set matches any of its values (topics, kinds, origins, outlets: a source's publisher)."""

    topics: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    since: str | None = None
    until: str | None = None
    search: str = ""
    milestones_only: bool = False
    # Hidden events leave the timeline: False shows the others, True only them, None both.
    hidden: bool | None = False
    origins: frozenset[str] = frozenset()
    outlets: frozenset[str] = frozenset()
    newest_first: bool = True

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                parse_date(value, name)
        if self.since and self.until and cut(self.until, self.since) < cut(self.since, self.until):
            raise ValidationError("until", f"{self.until} is before the start, {self.since}")

    @property
    def words(self) -> tuple[str, ...]:
        """The search text as case-folded words."""
        return tuple(self.search.casefold().split())

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered out (the order and showing hidden events too do not
        count)."""
        return not (
            self.topics
            or self.kinds
            or self.since
            or self.until
            or self.words
            or self.milestones_only
            or self.hidden
            or self.origins
            or self.outlets
        )


def cut(value: str, other: str) -> str:
    """`value` at the precision both dates know: "2024" matches any day of 2024."""
    return value[: min(len(value), len(other))]


def _word_pattern(word: str) -> re.Pattern[str]:
    # A word matches where a word starts ("rom" finds "Rome", not "from", and "acsa" finds
    # 日伊のACSA協定); Chinese and Japanese are written without spaces, so a word in those
    # scripts matches anywhere.
    if spaceless(word[0]):
        return re.compile(re.escape(word), re.IGNORECASE)
    return re.compile(f"(?<!{SPACED_LETTER})" + re.escape(word), re.IGNORECASE)


_NON_WORD = re.compile(r"[\W_]+")


def _spaced(text: str) -> str:
    # Case-folded words between single spaces, with a space before the first: " word" is then
    # in the text exactly when a word starts with "word", and plain `in` (C speed) decides. A
    # run of a script written without spaces is a word of its own ("日伊の acsa 協定"), as
    # for the relevance matcher and mute rules.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # ＡＣＳＡ is acsa, as for the matcher
    text = _NON_WORD.sub(" ", text.casefold())
    if not text.isascii():
        text = " ".join(spaceless_run().sub(r" \g<0> ", text).split())
    return " " + text.strip() + " "


def word_needles(words: Sequence[str]) -> list[str]:
    """The one definition of a search, for `list --search` and the app: every needle must be
    in `search_text(event)`. A word must start a word of the text ("rom" finds "Rome", not
    "from"); a word in a script written without spaces (Japanese, Chinese) matches anywhere."""
    needles = []
    for word in words:
        spaced = _spaced(word).strip()
        if spaced:
            needles.append(spaced if spaceless(spaced[0]) else " " + spaced)
    return needles


def word_spans(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the search words match in `text` (start, end), to highlight them."""
    spans = []
    for word in words:
        spans += [m.span() for m in _word_pattern(word).finditer(text)]
    return sorted(spans)


def search_text(event: Event) -> str:
    """The text a search looks in (title, summary, the person's note and source titles), as
    `word_needles` look in it: case-folded words between single spaces."""
    parts = [event.title, event.summary, event.note, *(source.title for source in event.sources)]
    return _spaced("\n".join(parts))


def timeline_key(event: Event) -> str:
    """The sort key of timeline order: date, then id. One flat string sorts 3x faster than a
    (date, id) tuple at 100k events; ids never hold a NUL, so the order is the same."""
    return event.date + "\x00" + event.id


def ordered(events: Iterable[Event], newest_first: bool = True) -> list[Event]:
    """Events in timeline order (newest first by default), stable for equal dates."""
    return sorted(events, key=timeline_key, reverse=newest_first)
