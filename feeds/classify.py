"""Keyword rules: does an article concern the pair, which topics does it touch, what kind is it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from amity.store import Config

# First match wins, so the specific kinds come before the general ones.
KIND_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summit", ("summit", "summit meeting", "leaders' meeting", "leaders meeting", "summit talks")),
    ("call", ("phone call", "telephone call", "phone talks", "telephone talks", "video call")),
    (
        "deployment",
        ("port call", "deployment", "deployed", "joint exercise", "drill", "warship", "carrier"),
    ),
    (
        "agreement",
        (
            "agreement",
            "treaty",
            "accord",
            "memorandum",
            "sign",
            "signed",
            "signs",
            "enters into force",
        ),
    ),
    ("consultation", ("consultations", "consultation", "dialogue", "2+2")),
    ("visit", ("visit", "visits", "visiting", "trip to", "arrives in", "official visit")),
    ("anniversary", ("anniversary",)),
    ("statement", ("statement", "declaration", "condolences", "congratulates")),
)


@dataclass(frozen=True, slots=True)
class Classified:
    """An article's topics (in taxonomy order) and kind."""

    topics: tuple[str, ...]
    kind: str


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    terms = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    if not terms:
        return None
    # Word boundaries that also work for terms starting or ending in punctuation ("2+2", "f-35").
    body = "|".join(re.escape(term) for term in terms)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


@cache
def _rules(config: Config) -> tuple[tuple, tuple, tuple]:
    sides = tuple(_pattern((c.name, *c.aliases)) for c in config.pair)
    topics = tuple((t.id, _pattern(t.keywords)) for t in config.topics)
    kinds = tuple((kind, _pattern(words)) for kind, words in KIND_RULES)
    return sides, topics, kinds


def is_relevant(text: str, config: Config) -> bool:
    """True when the text names both sides of the pair (names, adjectives, capitals, leaders)."""
    sides, _, _ = _rules(config)
    return all(side is not None and side.search(text) for side in sides)


def classify(text: str, config: Config) -> Classified:
    """Topics whose keywords appear in the text, and the first kind whose rule matches."""
    _, topics, kinds = _rules(config)
    found = tuple(tid for tid, pattern in topics if pattern is not None and pattern.search(text))
    kind = next((k for k, pattern in kinds if pattern is not None and pattern.search(text)), "news")
    return Classified(topics=found, kind=kind)


def alias_words(config: Config) -> frozenset[str]:
    """Every word of the pair's names and aliases: present in all relevant articles, so they
    say nothing about whether two articles report the same happening."""
    return frozenset(
        word
        for country in config.pair
        for alias in (country.name, *country.aliases)
        for word in re.findall(r"\w+", alias.lower())
    )
