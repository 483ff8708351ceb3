"""The outlet an RSS item names in its `<source>` element (Google News and other aggregators
name the original publisher there), read from the bytes: the feed parser drops the element.

The scan is linear in the body whatever it holds: the document is cut at each `<item` and each
item at each `<source`, and each piece is searched once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urljoin

from amity.store.text import NAME_CHARS, shorten

from .articles import Article, canonical_url, html_to_text

_ITEM = re.compile(rb"<item[\s>]")
# No two parts of a pattern may match the same run of spaces: a long run would backtrack.
_LINK = re.compile(rb"<link\s*>\s*(?:<!\[CDATA\[\s*)?([^<\]\s]+)")
# RSS's <source> has a url attribute (HTML's <source>, met in descriptions, has src), and text.
_URL_ATTRIBUTE = re.compile(rb"\burl\s*=")
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']""")


def outlets(body: bytes, base_url: str) -> dict[str, str]:
    """Each RSS item's canonical link -> the outlet its `<source>` names (plain, capped text)."""
    if b"<source" not in body:
        return {}
    codec = _codec(body)
    found: dict[str, str] = {}
    for piece in _ITEM.split(body)[1:]:
        source, link = _source(piece), _LINK.search(piece)
        if source is None or link is None:
            continue
        name = shorten(html_to_text(source.decode(codec, "replace")), NAME_CHARS)
        url = link.group(1).decode(codec, "replace")
        if "&" in url:
            url = html.unescape(url)
        if not url.startswith(("http://", "https://")):
            url = urljoin(base_url, url)
        if name:
            found[canonical_url(url)] = name
    return found


def with_outlets(articles: Iterable[Article], names: dict[str, str]) -> list[Article]:
    """`articles` with the outlet named by `<source>` as publisher, and a " - Outlet" tail that
    repeats it dropped from the headline."""
    if not names:
        return list(articles)
    named = []
    for article in articles:
        outlet = names.get(article.url)
        if outlet and outlet != article.publisher:
            title = article.title.removesuffix(f" - {outlet}").strip() or article.title
            article = replace(article, title=title, publisher=outlet)
        named.append(article)
    return named


def _source(item: bytes) -> bytes | None:
    # Cut at each "<source", so every byte is looked at once, however the element is broken.
    for piece in item.split(b"<source")[1:]:
        end = piece.find(b">")
        if piece[:1].isspace() and end > 0 and _URL_ATTRIBUTE.search(piece, 0, end):
            return _text(piece[end + 1 :])
    return None


def _text(rest: bytes) -> bytes | None:
    # The element's plain text, or its one CDATA section; None if it holds markup or is cut.
    close = rest.find(b"</source")
    if close < 0:
        return None
    text = rest[:close].strip()
    if text.startswith(b"<![CDATA[") and text.endswith(b"]]>"):
        text = text[9:-3].strip()
    return None if b"<" in text or b"]" in text else text


def _codec(body: bytes) -> str:
    declared = _ENCODING.match(body.lstrip(b"\xef\xbb\xbf \t\r\n"))
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name
