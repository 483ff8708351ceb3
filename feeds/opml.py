"""OPML 1.0/2.0 import and export: the subscription list every feed reader speaks."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

from amity.store import Feed, clean_text
from amity.store.text import NAME_CHARS, clip
from lxml import etree

from .articles import is_web_url, safe_url
from .parse import ParseError, refuse_entities
from .repair import readable


class OPMLError(ValueError):
    """The file is not OPML amity can read; the message says why."""


def read_opml(data: bytes) -> list[Feed]:
    """The feeds of an OPML document; nested outlines' texts become tags (as do `category`s)."""
    return read_opml_report(data)[0]


def read_opml_report(data: bytes) -> tuple[list[Feed], list[str]]:
    """The feeds of an OPML document, and each entry skipped, named with the reason."""
    try:
        refuse_entities(data)
    except ParseError as exc:
        raise OPMLError(str(exc)) from None
    # As a feed is: a bare "&" in an address ("?q=Japan+Italy&hl=en") made the whole file
    # "not valid XML", and a file in Shift_JIS or with stray Windows-1252 bytes is read too.
    data = readable(data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise OPMLError(f"not valid XML ({exc})") from None
    if root is None or root.tag != "opml":
        raise OPMLError("not an OPML document (no <opml> root)")
    body = root.find("body")
    if body is None:
        raise OPMLError("not an OPML document (no <body>)")
    feeds: dict[str, Feed] = {}
    skipped: list[str] = []
    _walk(body, (), feeds, skipped)
    return list(feeds.values()), skipped


def _walk(
    node: etree._Element, tags: tuple[str, ...], feeds: dict[str, Feed], skipped: list[str]
) -> None:
    for outline in node.iterchildren("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        label = clip(outline.get("title") or outline.get("text") or "", NAME_CHARS)
        categories = (c.strip("/ ") for c in (outline.get("category") or "").split(","))
        own = tuple(clip(c, NAME_CHARS) for c in categories if c)
        if url:
            label = "" if label == url else label
            name = f"{label} ({clean_text(url)})" if label else clean_text(url)
            if not is_web_url(url):
                skipped.append(f"{name}: not an http(s) feed URL")
            elif url in feeds:
                skipped.append(f"{name}: listed twice")
            else:
                all_tags = tuple(dict.fromkeys(t for t in (*tags, *own) if t))
                feeds[url] = Feed(url=url, title=label, tags=all_tags)
        else:
            _walk(outline, (*tags, label) if label else tags, feeds, skipped)


def write_opml(feeds: Iterable[Feed], title: str = "amity subscriptions") -> str:
    """An OPML 2.0 document of the feeds, with tags as `category`."""
    stamp = email.utils.format_datetime(dt.datetime.now(dt.UTC), usegmt=True)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(clip(title, NAME_CHARS))}</title>",
        f"    <dateCreated>{stamp}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        # Whatever a feed's title once held (stored before titles were cleaned, or by an older
        # amity): no escape sequences on stdout, and no character XML cannot carry.
        url = safe_url(feed.url)
        title = clip(feed.title, NAME_CHARS)
        tags = [tag for tag in (clip(t, NAME_CHARS) for t in feed.tags) if tag]
        attrs = {"type": "rss", "text": title or url, "xmlUrl": url}
        if title:
            attrs["title"] = title
        if tags:
            attrs["category"] = ",".join(tags)
        rendered = " ".join(f"{key}={quoteattr(value)}" for key, value in attrs.items())
        lines.append(f"    <outline {rendered}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]
