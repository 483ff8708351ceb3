"""Synthetic but realistic inputs: article feeds (RSS 2.0, RSS 1.0, Atom) and timeline events.

Everything is derived from a seed, so two runs serve byte-identical feeds (stable ETags) and build
identical stores.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from amity.store import DEFAULT_TOPICS, Event, Source

BASE_TIME = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
FORMATS = ("rss2", "rss2", "rss2", "atom", "atom", "rss1")  # half RSS 2.0, a third Atom

_BOTH = [
    "Japan and Italy agree to deepen defence cooperation on the GCAP fighter",
    "Meloni and Takaichi hold summit in Tokyo, upgrade ties to special strategic partnership",
    "Italian navy frigate makes port call in Yokosuka as Japan–Italy ACSA takes effect",
    "Japan, Italy sign memorandum on critical minerals and supply chains",
    "ASI and JAXA extend space science dialogue between Italy and Japan",
    "Tokyo and Rome mark 160 years of diplomatic relations with cultural festival",
    "Italian and Japanese foreign ministers discuss Indo-Pacific in phone call",
]
_ONE = [
    "Japan's parliament passes record budget amid yen weakness",
    "Italy's government approves new energy decree",
    "Tokyo stocks close higher on chip rally",
    "Rome hosts Mediterranean dialogue on migration",
    "Bank of Japan holds rates, signals patience",
    "Italian exports to the United States rise for third month",
    "Typhoon disrupts flights across western Japan",
    "Milan fashion week opens with record attendance",
    "Germany and France outline joint industrial strategy",
    "Commodity prices fall as demand slows in Asia",
]
_PROSE = (
    "officials said the agreement would take effect next year after ratification by both "
    "parliaments while analysts pointed to growing cooperation in defence industry trade energy "
    "security research and culture as well as exchanges between universities and companies"
)
_WORDS = _PROSE.split()
_AUTHORS = ["Staff reporter", "Aiko Tanaka", "Marco Rossi", "Giulia Bianchi", "Kenji Sato"]
_CATEGORIES = ["Politics", "World", "Business", "Defence", "Science", "Culture"]


@dataclass(frozen=True, slots=True)
class FeedDoc:
    """One synthetic feed: where it is served and the exact bytes served."""

    index: int
    path: str
    kind: str
    body: bytes

    @property
    def content_type(self) -> str:
        """The MIME type a real server would send for this format."""
        return {
            "atom": "application/atom+xml; charset=utf-8",
            "rss1": "application/rdf+xml; charset=utf-8",
        }.get(self.kind, "application/rss+xml; charset=utf-8")


# What makes headlines about the pair differ from outlet to outlet and day to day, so that an
# all-relevant feed (a news search for the pair, a ministry's feed) is many distinct articles.
_ANGLES = [
    "officials say",
    "analysts weigh the impact",
    "what it means for the region",
    "talks continue",
    "a first in decades",
    "details emerge",
    "opposition asks questions",
    "business leaders welcome move",
]


def _article(rng: random.Random, feed: int, n: int, relevant: float) -> dict[str, str]:
    if rng.random() < relevant:
        title = f"{rng.choice(_BOTH)}: {rng.choice(_ANGLES)}"
    else:
        title = rng.choice(_ONE)
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 12)))
    when = BASE_TIME - dt.timedelta(hours=feed * 3 + n * 7, minutes=rng.randint(0, 59))
    slug = "-".join(title.lower().split()[:6]).replace(",", "").replace("'", "")
    return {
        "title": title,
        "link": f"https://news{feed}.example.org/{when:%Y/%m/%d}/{slug}-{n}"
        "?utm_source=rss&utm_medium=feed",
        "guid": f"news{feed}-{n}",
        "when": when,
        "author": rng.choice(_AUTHORS),
        "category": rng.choice(_CATEGORIES),
        "html": f"<p>{title}. <b>{words.capitalize()}</b>.</p>"
        f'<p>Read <a href="https://news{feed}.example.org/more">more</a>.</p>',
    }


def _rss2(feed: int, articles: list[dict[str, str]]) -> str:
    items = "".join(
        f"<item><title>{escape(a['title'])}</title><link>{escape(a['link'])}</link>"
        f'<guid isPermaLink="false">{a["guid"]}</guid>'
        f"<pubDate>{a['when']:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        f"<dc:creator>{a['author']}</dc:creator><category>{a['category']}</category>"
        f"<description><![CDATA[{a['html']}]]></description></item>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>World news {feed}</title><link>https://news{feed}.example.org/</link>"
        f"<description>Latest stories from desk {feed}</description><language>en</language>"
        f"<lastBuildDate>{BASE_TIME:%a, %d %b %Y %H:%M:%S} +0000</lastBuildDate>\n"
        f"{items}</channel></rss>\n"
    )


def _atom(feed: int, articles: list[dict[str, str]]) -> str:
    entries = "".join(
        f'<entry><title type="html">{escape(a["title"])}</title>'
        f'<link rel="alternate" type="text/html" href={quoteattr(a["link"])}/>'
        f"<id>tag:news{feed}.example.org,2026:{a['guid']}</id>"
        f"<published>{a['when']:%Y-%m-%dT%H:%M:%SZ}</published>"
        f"<updated>{a['when']:%Y-%m-%dT%H:%M:%SZ}</updated>"
        f"<author><name>{a['author']}</name></author>"
        f'<category term="{a["category"]}"/>'
        f'<summary type="html">{escape(a["html"])}</summary></entry>\n'
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
        f"<title>World news {feed}</title><id>tag:news{feed}.example.org,2026:feed</id>"
        f'<link rel="alternate" href="https://news{feed}.example.org/"/>'
        f"<updated>{BASE_TIME:%Y-%m-%dT%H:%M:%SZ}</updated>\n{entries}</feed>\n"
    )


def _rss1(feed: int, articles: list[dict[str, str]]) -> str:
    seq = "".join(f"<rdf:li rdf:resource={quoteattr(a['link'])}/>" for a in articles)
    items = "".join(
        f"<item rdf:about={quoteattr(a['link'])}><title>{escape(a['title'])}</title>"
        f"<link>{escape(a['link'])}</link>"
        f"<description>{escape(a['html'])}</description>"
        f"<dc:date>{a['when']:%Y-%m-%dT%H:%M:%S}+00:00</dc:date>"
        f"<dc:creator>{a['author']}</dc:creator></item>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="https://news{feed}.example.org/">'
        f"<title>Government news {feed}</title><link>https://news{feed}.example.org/</link>"
        f"<description>Press releases {feed}</description><items><rdf:Seq>{seq}</rdf:Seq>"
        f"</items></channel>\n{items}</rdf:RDF>\n"
    )


RELEVANT_SHARE = 0.15


def make_feeds(
    count: int, entries: int = 50, seed: int = 1866, relevant: float = RELEVANT_SHARE
) -> list[FeedDoc]:
    """`count` feeds of `entries` articles each, formats mixed; a `relevant` share of the
    articles concern both Japan and Italy (by default about 15%: the rest are the noise a real
    news feed carries; 1.0 is a news search for the pair)."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        kind = FORMATS[i % len(FORMATS)]
        articles = [_article(rng, i, n, relevant) for n in range(entries)]
        text = {"rss2": _rss2, "atom": _atom, "rss1": _rss1}[kind](i, articles)
        ext = "atom" if kind == "atom" else ("rdf" if kind == "rss1" else "xml")
        docs.append(FeedDoc(i, f"/feeds/{i:04d}.{ext}", kind, text.encode()))
    return docs


_KINDS = ("summit", "visit", "call", "agreement", "statement", "news", "news", "news")


def make_events(count: int, seed: int = 1866) -> Iterator[Event]:
    """`count` feed-origin events spread over 1866–2026, denser in recent years, each with one to
    three topics and sources, like a store after years of refreshes."""
    rng = random.Random(seed)
    topics = [t.id for t in DEFAULT_TOPICS]
    for i in range(count):
        year = 2026 - int(rng.expovariate(1 / 12)) % 160
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        title = rng.choice(_BOTH + _ONE) + f" ({i})"
        summary = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(15, 30))).capitalize()
        sources = tuple(
            Source(
                url=f"https://news{rng.randint(0, 99)}.example.org/{date}/{i}-{s}",
                title=title,
                publisher=f"News {s}",
                published=date,
            )
            for s in range(rng.randint(1, 3))
        )
        yield Event(
            id=f"bench-{i:06d}",
            date=date,
            title=title,
            summary=summary + ".",
            kind=rng.choice(_KINDS),
            topics=tuple(rng.sample(topics, rng.randint(1, 3))),
            countries=("IT", "JP"),
            milestone=rng.random() < 0.01,
            origin="feed",
            sources=sources,
            added="2026-01-20T09:00:00Z",
        )
