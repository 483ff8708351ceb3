"""Articles as amity keeps them: plain text, UTC dates, and an identity no feed can split."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from amity.store import ValidationError, clean_text, format_iso, parse_iso
from amity.store.model import check_url
from amity.store.text import strip_orphans

# Query parameters that track the click, not the article.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|ref_src|_ga)$", re.I)
# Both scans are linear in the text, whatever it holds: a lazy `<script.*?</script>` rescans
# to the end for every opener that is never closed (quadratic: 0.4 s for one 20k field).
_DROPPED = re.compile(r"<(script|style|head|template)\b", re.I)
_CLOSERS = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "head", "template")
}
_TAG = re.compile(r"<[^<>]*>")  # a scan from one "<" stops at the next: each character once
# Split by hand: urllib's urlsplit/parse_qsl cost more than the parse of the entry itself.
_URL_PARTS = re.compile(r"^(https?)://([^/?#\s]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$", re.I)
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
_EARLIEST = dt.datetime(1850, 1, 1, tzinfo=dt.UTC)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SUMMARY_EXCERPT = 600  # a feed's summary as kept: an excerpt, not the article


@dataclass(frozen=True, slots=True)
class Article:
    """One feed entry made safe: plain-text title and summary, UTC ISO `published`.

    `dated` is False when the feed gave no usable date and `published` is the first-seen time.
    """

    id: str
    url: str
    title: str
    summary: str
    published: str
    dated: bool = True
    guid: str = ""
    publisher: str = ""

    @property
    def day(self) -> str:
        """The publication date, YYYY-MM-DD (UTC)."""
        return self.published[:10]

    @property
    def digest(self) -> str:
        """Changes whenever what a reader sees of the article changes."""
        text = "\x1f".join((self.url, self.title, self.summary, self.published))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]

    def to_record(
        self, first_seen: str, event: str, feeds: list[str], seen: dict[str, str]
    ) -> dict[str, Any]:
        """The `articles` table form; `seen` maps each feed to the digest it last carried."""
        return {
            "id": self.id,
            "url": self.url,
            "guid": self.guid,
            "title": self.title,
            "summary": self.summary,
            "published": self.published,
            "dated": self.dated,
            "publisher": self.publisher,
            "first_seen": first_seen,
            "event": event,
            "feeds": feeds,
            "digest": self.digest,
            "seen": seen,
        }


# Aggregators whose titles end in " - Publisher" and whose links are redirects to the outlet.
_AGGREGATOR_HOSTS = ("news.google.com",)


def from_aggregator(url: str, title: str, summary: str, publisher: str) -> tuple[str, str, str]:
    """An aggregator's entry as the outlet's article: (title, summary, publisher) with the
    " - Publisher" tail moved from the title to the publisher, and a summary that only repeats
    the headline and the outlet dropped. Other entries are returned unchanged."""
    match = _URL_PARTS.match(url)
    if not match or match.group(2).lower() not in _AGGREGATOR_HOSTS or " - " not in title:
        return title, summary, publisher
    headline, outlet = (part.strip() for part in title.rsplit(" - ", 1))
    if not headline or not outlet:
        return title, summary, publisher
    if summary.startswith(headline) and len(summary) <= len(headline) + len(outlet) + 2:
        summary = ""
    return headline, summary, outlet


def html_to_text(value: str) -> str:
    """Markup to plain single-line text: tags dropped, entities decoded, controls removed."""
    if "<" in value:
        value = _TAG.sub(" ", _drop_elements(value))
    return clean_text(strip_orphans(html.unescape(value)))


def _drop_elements(value: str) -> str:
    # Script, style and the like carry no text to show. An element never closed runs to the
    # end of the text, as a browser reads it; each closer is searched for once.
    kept = []
    start = 0
    while (opener := _DROPPED.search(value, start)) is not None:
        kept.append(value[start : opener.start()])
        closer = _CLOSERS[opener.group(1).lower()].search(value, opener.end())
        if closer is None:
            return " ".join(kept)
        start = closer.end()
    kept.append(value[start:])
    return " ".join(kept)


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or case in the host, and
    with spaces and control/format characters percent-encoded (it is shown and opened)."""
    url = safe_url(url.strip())
    match = _URL_PARTS.match(url)
    if not match:
        return url
    scheme, host, path, query = match.group(1, 2, 3, 4)
    scheme, host = scheme.lower(), host.lower()
    if host.endswith(_DEFAULT_PORTS[scheme]):
        host = host[: -len(_DEFAULT_PORTS[scheme])]
    kept = [p for p in (query or "").split("&") if p and not _TRACKING.match(p.split("=", 1)[0])]
    return f"{scheme}://{host}{path or '/'}" + (f"?{'&'.join(kept)}" if kept else "")


def safe_url(url: str) -> str:
    """The URL with spaces and control/format characters percent-encoded."""
    # A feed's link can carry ESC, C1 or bidi controls (JSON Feed keeps them all): they must not
    # reach a terminal through a source's URL, and a browser would encode them anyway.
    if url.isprintable() and " " not in url:
        return url
    return "".join(c if c.isprintable() and c != " " else quote(c, safe="") for c in url)


def is_web_url(value: str) -> bool:
    """True for a URL the store keeps (its check_url): absolute http(s) with a host, whole,
    without spaces or control characters."""
    try:
        check_url(value, "url")
    except ValidationError:
        return False
    return True


def article_key(url: str) -> str:
    """The article id for a canonical URL (or a guid when there is no URL): a short hash."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:20]


def utc_date(value: Any, now: dt.datetime) -> str | None:
    """An entry's date as UTC ISO seconds, or None when missing, unparseable or absurd
    (before 1850, more than two days in the future, or the Unix epoch itself)."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        moment: dt.datetime | None = value
    else:
        moment = parse_iso(str(value).strip())
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        moment = moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    if not _EARLIEST <= moment <= now + dt.timedelta(days=2) or moment == _EPOCH:
        return None  # the epoch: a CMS that lost the entry's date wrote zero
    return format_iso(moment)
