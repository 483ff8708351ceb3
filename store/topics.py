"""The topic taxonomy as data: ids, keys, labels and the keywords that recognise them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    """A theme of the relationship; `key` is the digit that toggles it in the app. A `frame`
    topic is the frame of nearly every report (diplomacy: talks, visits, ties): a report is
    about it only when it weighs at least as much as the report's strongest other topic, or
    is strong on its own (feeds/classify.py, FRAME_ENOUGH)."""

    id: str
    label: str
    key: str
    keywords: tuple[str, ...] = ()
    frame: bool = False


DEFAULT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "diplomacy",
        "Diplomacy",
        "1",
        (
            "summit",
            "prime minister",
            "foreign minister",
            "talks",
            "meeting",
            "phone call",
            "telephone",
            "strategic partnership",
            "joint statement",
            "consultation",
            "g7",
            "state visit",
            "leaders",
        ),
        frame=True,
    ),
    Topic(
        "defense",
        "Defense & security",
        "2",
        (
            "defence",
            "defense",
            "security",
            "military",
            "navy",
            "naval",
            "air force",
            "army",
            "acsa",
            "cross-servicing",
            "gcap",
            "fighter",
            "tempest",
            "exercise",
            "drill",
            "port call",
            "deployment",
            "warship",
            "carrier",
            "frigate",
            "f-35",
            "jsdf",
            "jmsdf",
            "jasdf",
            "gigo",
            "cavour",
        ),
    ),
    Topic(
        "economic-security",
        "Economy & economic security",
        "3",
        (
            "economic security",
            "economy",
            "economic",
            "trade",
            "investment",
            "supply chain",
            "critical minerals",
            "rare earth",
            "energy",
            "semiconductor",
            "export",
            "import",
            "business",
            "industry",
            "tariff",
            "lng",
            "hydrogen",
        ),
    ),
    Topic(
        "space-science",
        "Space, science & technology",
        "4",
        (
            "space",
            "jaxa",
            "asi",
            "satellite",
            "science",
            "research",
            "technology",
            "artificial intelligence",
            " ai ",
            "quantum",
            "innovation",
            "scientific",
        ),
    ),
    Topic(
        "culture",
        "Culture & people",
        "5",
        (
            "culture",
            "cultural",
            "anniversary",
            "film",
            "cinema",
            "expo",
            "exhibition",
            "exchange",
            "tourism",
            "students",
            "art",
            "museum",
            "festival",
            "language",
            "sport",
        ),
    ),
    Topic(
        "indo-pacific",
        "Indo-Pacific & regional order",
        "6",
        (
            "indo-pacific",
            "free and open",
            "foip",
            "mediterranean",
            "regional order",
            "south china sea",
            "east china sea",
            "taiwan strait",
            "north korea",
            "rules-based",
            "rule of law",
            "ukraine",
        ),
    ),
)


def topic_ids(topics: tuple[Topic, ...] = DEFAULT_TOPICS) -> tuple[str, ...]:
    """The ids of a taxonomy, in key order."""
    return tuple(topic.id for topic in topics)
