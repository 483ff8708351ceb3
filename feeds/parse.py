"""Feed bytes to articles: RSS 0.9x/1.0/2.0 and Atom with fastfeedparser (lxml), JSON Feed 1.x.

fastfeedparser was chosen by measurement (`python -m bench --only refresh`): on 200 feeds of 50
entries feedparser took 3.5 s, fastfeedparser 0.12 s. It runs lxml with `huge_tree=True`, so the
entity guard below refuses every document that declares entities before lxml sees it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from amity.store import format_iso
from amity.store.text import NAME_CHARS, TITLE_CHARS, URL_CHARS, describe_error, shorten

from .articles import (
    SUMMARY_EXCERPT,
    Article,
    article_key,
    canonical_url,
    from_aggregator,
    html_to_text,
    is_web_url,
    safe_url,
    utc_date,
)
from .repair import readable
from .sources import outlets, with_outlets

_ENTITY_DECLARATIONS = tuple(
    "<!ENTITY".encode(codec)
    for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_TTL = re.compile(rb"<(?:\w+:)?ttl>\s*(\d{1,7})\s*</(?:\w+:)?ttl>")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
# Bounded work per feed, whatever it sends within the byte cap: only this many characters of
# a field are read, and only the first MAX_ENTRIES entries are kept (real feeds carry 10-200;
# 8,000 entries of one day kept a refresh busy clustering for two minutes).
_RAW_FIELD_CHARS = 20_000
MAX_ENTRIES = 500


class ParseError(ValueError):
    """The body is not a feed amity can read; the message says why, for the feed's error."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed body held: its title, its RSS `ttl` (seconds) and its usable entries."""

    title: str
    ttl: float | None
    articles: tuple[Article, ...]
    skipped: int = 0


def load_parser() -> None:
    """Import the XML feed parser (fastfeedparser, lxml, dateutil: ~25 ms). parse_feed does it
    when first needed; a refresh calls this in its parse thread once its first body is on its
    way, while that body downloads."""
    import fastfeedparser  # noqa: F401


def parse_feed(
    body: bytes,
    base_url: str,
    now: dt.datetime | None = None,
    publisher: str = "",
    charset: str | None = None,
) -> ParsedFeed:
    """Parse a feed body received from `base_url`; raises ParseError with a clear reason.
    `publisher` (the feed's title as the person set it) names the articles' publisher instead
    of the channel's own title; `charset` is the one the HTTP answer named, if any."""
    import fastfeedparser

    now = now or dt.datetime.now(dt.UTC)
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ParseError("empty response (no feed)")
    if head[:1] in (b"{", b"["):
        title, entries = _json_feed(readable(head, charset, xml=False))
        ttl, outlets_named = None, {}
    else:
        refuse_entities(body)
        repaired = readable(body, charset)
        if repaired is not body:  # as the parser reads it: UTF-7 would hide "<!ENTITY"
            refuse_entities(repaired)
        body = repaired
        if _HTML_START.match(head[:4096]):
            raise ParseError("an HTML page, not a feed")
        try:
            parsed = fastfeedparser.parse(first_entries(body, MAX_ENTRIES))
        except ValueError as exc:
            raise ParseError(f"not a feed: {_short(str(exc))}") from None
        except Exception as exc:  # the parser's internals on hostile input: still one feed's error
            raise ParseError(f"not a readable feed ({describe_error(exc)})") from None
        title = _text(parsed.get("feed", {}).get("title"))
        entries = parsed.get("entries", [])
        if not _closes_its_root(body):
            raise ParseError("the document is cut off (its root element is never closed)")
        match = _TTL.search(body, 0, 65536) if body.find(b"ttl>", 0, 65536) >= 0 else None
        ttl = float(match.group(1)) * 60 if match else None
        outlets_named = outlets(body, base_url)  # <source>, which the parser drops
    title = shorten(html_to_text(title[:_RAW_FIELD_CHARS]), NAME_CHARS)
    articles, skipped = _articles(entries[:MAX_ENTRIES], base_url, publisher or title, now)
    articles = with_outlets(articles, outlets_named)
    skipped += max(0, len(entries) - MAX_ENTRIES)
    return ParsedFeed(title=title, ttl=ttl, articles=tuple(articles), skipped=skipped)


_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_ENTRY_ENDS = (b"</item>", b"</entry>")


def first_entries(body: bytes, limit: int) -> bytes:
    """The document with every entry after the first `limit` cut out before it is parsed, so
    a feed of 100k entries costs the parser what one of `limit` does (two byte scans)."""
    if body.count(b"item") + body.count(b"entry") <= limit:
        return body  # every entry's start tag names one of them: at most `limit` entries
    starts = _ENTRY_START.finditer(body)
    cut = next(itertools.islice(starts, limit, None), None)
    if cut is None:
        return body
    last_end = max(body.rfind(end) for end in _ENTRY_ENDS)
    if last_end < cut.start():  # entries closed some other way: leave it to the parser
        return body
    return body[: cut.start()] + body[body.index(b">", last_end) + 1 :]


_ROOT_START = re.compile(rb"<([A-Za-z_][\w.:-]*)")  # the first element: <? and <! are not


def _closes_its_root(body: bytes) -> bool:
    # A connection cut mid-document still parses (the parser recovers) to a feed with fewer
    # or no items: that is the feed's error, not "ok, nothing new". Whatever trails the root's
    # end tag (a host's comment or script) does not matter. Two byte scans, at C speed.
    if b"\x00" in body[:4]:  # UTF-16/32: look at it as UTF-8
        for codec in ("utf-32", "utf-16"):
            with contextlib.suppress(UnicodeError):
                body = body.decode(codec).encode()
                break
    root = _ROOT_START.search(body, 0, 65536)
    if root is None:
        return False
    end = body.rfind(b"</" + root.group(1))
    return end > root.end() and body[
        end + 2 + len(root.group(1)) : end + 3 + len(root.group(1))
    ] in (b">", b" ", b"\t", b"\r", b"\n")


def refuse_entities(body: bytes) -> None:
    """Refuse any XML that declares entities: external entities, "billion laughs" and quadratic
    blowup all need a declaration, and no real feed does. A scan of the bytes costs microseconds
    and allocates nothing, so the attack fails before a parser expands anything."""
    if any(pattern in body for pattern in _ENTITY_DECLARATIONS):
        raise ParseError("refused: the document declares XML entities (a known attack)")


def _json_feed(body: bytes) -> tuple[str, list[Mapping[str, Any]]]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ParseError(f"not valid JSON ({describe_error(exc)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("JSON, but not a JSON Feed (no items list)")
    entries: list[Mapping[str, Any]] = []
    for item in data["items"][:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        entries.append(
            {
                "id": _text(item.get("id")),
                "link": _text(item.get("url")) or _text(item.get("external_url")),
                "title": _text(item.get("title")),
                "description": _text(item.get("summary"))
                or _text(item.get("content_html"))
                or _text(item.get("content_text")),
                "published": _text(item.get("date_published")) or _text(item.get("date_modified")),
            }
        )
    return _text(data.get("title")), entries


def _articles(
    entries: Iterable[Mapping[str, Any]], base_url: str, publisher: str, now: dt.datetime
) -> tuple[list[Article], int]:
    first_seen = format_iso(now)
    articles: dict[str, Article] = {}
    skipped = 0
    for entry in entries:
        article = _article(entry, base_url, publisher, now, first_seen)
        if article is None:
            skipped += 1
        else:
            articles.setdefault(article.id, article)
    # A guid that two of the feed's articles carry identifies neither (a feed that gives every
    # item its home page as guid): it would make each an update of the other.
    guids = Counter(a.guid for a in articles.values() if a.guid)
    if any(count > 1 for count in guids.values()):
        articles = {k: replace(a, guid="") if guids[a.guid] > 1 else a for k, a in articles.items()}
    return list(articles.values()), skipped


def _article(
    entry: Mapping[str, Any], base_url: str, publisher: str, now: dt.datetime, first_seen: str
) -> Article | None:
    # A link or guid over the cap is dropped, not cut: cut, it would point elsewhere.
    guid = _capped_url(entry.get("id"))
    link = _capped_url(entry.get("link"))
    if link and not link.startswith(("http://", "https://")):
        link = urljoin(base_url, link)
    # Spaces and controls in a link are percent-encoded, as a browser would, before the check.
    link = safe_url(link)
    if not is_web_url(link):
        guid_link = safe_url(guid)
        link = guid_link if is_web_url(guid_link) else ""
    if not link:
        return None  # nothing to cite or open: an entry without a link cannot back an event
    raw_summary = _text(entry.get("description"))
    if not raw_summary:
        content = entry.get("content")
        if isinstance(content, list) and content and isinstance(content[0], Mapping):
            raw_summary = _text(content[0].get("value"))
    summary = shorten(html_to_text(raw_summary[:_RAW_FIELD_CHARS]), SUMMARY_EXCERPT)
    title = shorten(html_to_text(_text(entry.get("title"))[:_RAW_FIELD_CHARS]), TITLE_CHARS)
    if not title:
        title = shorten(summary, 120)
    if not title:
        return None
    published = utc_date(entry.get("published") or entry.get("updated"), now)
    url = canonical_url(link)
    if len(url) > URL_CHARS:  # percent-encoding made it longer
        return None
    title, summary, publisher = from_aggregator(url, title, summary, publisher)
    if _names_nothing(title, publisher):  # "ANSA", "- ANSA": the outlet, not a headline
        title = shorten(summary, 120)
        if not title:
            return None
    return Article(
        id=article_key(url),
        url=url,
        title=title,
        summary=summary if summary != title else "",
        published=published or first_seen,
        dated=published is not None,
        guid=guid,
        publisher=publisher,
    )


def _names_nothing(title: str, publisher: str) -> bool:
    core = title.strip(" -–—|:·•.")
    return not core or core.casefold() == publisher.strip().casefold()


def _capped_url(value: Any) -> str:
    text = _text(value)
    return "" if len(text) > URL_CHARS else text.strip()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _short(message: str) -> str:
    return shorten(html_to_text(message[:_RAW_FIELD_CHARS]), 160)
