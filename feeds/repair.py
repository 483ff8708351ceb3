"""A feed body made fit for the XML parser before it parses it.

The parser (lxml, libxml2 2.14, in its recovering mode) reads a document with one fault in it
in a way that loses text far from the fault: after its first error it drops every entity
reference that follows, so one `&nbsp;`, a bare `&` ("Q&A") or a stray control character
anywhere turned every later "AT&amp;T" into "ATT" and "&lt;b&gt;" into "b", and a surrogate
pair written as two references (`&#xD83D;&#xDE00;`, as some publishing tools write an emoji)
failed the whole feed. So the faults real feeds carry are mended first: every `&` that starts
no XML reference is escaped (the text then reads as the HTML it is), a reference to a character
XML forbids is dropped (a surrogate pair becomes its character), and so is a control byte.

It also decodes what libxml2 cannot: encoding names it does not know (Windows-31J, x-sjis),
Shift_JIS with Windows' extensions (①), a body in the charset only its HTTP header names, and
stray Windows-1252 bytes in a document that is otherwise UTF-8; and it rewrites the dates the
parser cannot read, in Italian ("Ven, 16 Gen 2026") or Japanese ("2026年1月16日"), in English,
and Atom text in XHTML as the HTML it is.
"""

from __future__ import annotations

import codecs
import re

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 (little-endian) start so
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""")
_REDECLARED = re.compile(r"""^(\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["'])[A-Za-z0-9._:-]+""")
# The names real feeds use that Python does not know, and the supersets that browsers read
# their names as (a page declared Shift_JIS or ISO-8859-1 is written by Windows' code pages).
_CODECS = {
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-euc-jp": "euc_jp",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
}
# A document can only be in these if it starts with a byte-order mark or a NUL (the parser reads
# those): one that merely says so is in UTF-8, as the parser reads it too.
_UTF8 = frozenset({"utf_8", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"})
# Bytes XML 1.0 forbids (tab, newline and carriage return are allowed).
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13))
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE and U+FFFF in UTF-8
# An "&" that starts no XML reference, or a reference that may name a character XML forbids
# (a control, a surrogate, U+FFFE, U+FFFF, beyond U+10FFFF); what it finds is looked at closer.
_FAULT = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)"
    rb"|&#0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5[5-7][0-9]{3}|6553[45]|[0-9]{7,});"
    rb"|&#[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]|[0-9a-fA-F]{6,});"
)
# The mending is done by regular expressions with fixed replacements (no Python call per fault).
_BARE_AMPERSAND = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,10}|#[xX][0-9a-fA-F]{1,8});)")
# A CDATA section: its "&" is text, left as it is. One never closed holds the rest, as the
# parser reads it (and is searched for its end once: many were quadratic).
_CDATA = re.compile(rb"(<!\[CDATA\[(?:.*?\]\]>|.*))", re.S)
# References to a control, U+FFFE, U+FFFF or a code point beyond U+10FFFF: dropped.
_FORBIDDEN = re.compile(
    rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|6553[45]|111411[2-9]|11141[2-9][0-9]"
    rb"|1114[2-9][0-9]{2}|111[5-9][0-9]{3}|11[2-9][0-9]{4}|1[2-9][0-9]{5}|[2-9][0-9]{6}"
    rb"|[1-9][0-9]{7,})|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF]|1[1-9a-fA-F][0-9a-fA-F]{4}"
    rb"|[2-9a-fA-F][0-9a-fA-F]{5}|[1-9a-fA-F][0-9a-fA-F]{6,}));"
)
_SURROGATE = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}"
    rb"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));"
)
_SURROGATE_PAIR = re.compile(
    rb"&#(?:[xX]0*([dD][89abAB][0-9a-fA-F]{2})|0*(5529[6-9]|55[3-9][0-9]{2}|56[0-2][0-9]{2}"
    rb"|563[01][0-9]));&#(?:[xX]0*([dD][c-fC-F][0-9a-fA-F]{2})|0*(5[67][0-9]{3}));"
)
_PAIRS_JOINED = 10_000  # by a call each; any further pair is two U+FFFD, as lone halves are
# More "&" than a body under the cap holds as news (500 entries of long HTML content hold a
# few hundred thousand): a hostile body, left as it is to the parser (mending 15 MB of "&"
# took 2 s, where the parser takes 0.3; a million, 0.15 s).
_MOST_REFERENCES = 1_000_000


def _cp1252_for_stray_bytes(error: UnicodeError) -> tuple[str, int]:
    # A byte that is no UTF-8 in a UTF-8 document is most often Windows-1252 ("caff\xe8").
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return bytes(stray).decode("cp1252", "replace"), error.end


codecs.register_error("amity-cp1252", _cp1252_for_stray_bytes)


def readable(body: bytes, charset: str | None = None, xml: bool = True) -> bytes:
    """`body` as the parser should read it: in UTF-8 (unless it is UTF-16 or UTF-32, which the
    parser reads by their byte-order marks), and for XML (`xml`) with the faults above mended.
    `charset` is the one the HTTP answer named, trusted only for a body that is no UTF-8."""
    if body.startswith(_WIDE_BOMS) or b"\0" in body[:4]:
        return body
    declared = _DECLARED.match(body, 0, 256) if xml and body[:64].lstrip()[:5] == b"<?xml" else None
    codec = _codec(declared.group(1).decode()) if declared is not None else "utf_8"
    if codec not in _UTF8:
        text = _decoded(body, codec) if codec is not None else None
        if text is None:
            return body  # a name Python cannot read text in either: the parser's to read
        body = _REDECLARED.sub(r"\g<1>utf-8", text, count=1).encode()
    elif not body.isascii() or (charset and b"\x1b" in body):
        body = _utf8(body, charset)
    return _mended(body) if xml else body


def _utf8(body: bytes, charset: str | None) -> bytes:
    codec = _codec(charset) if charset else None
    if codec is not None and codec.startswith("iso2022"):  # 7-bit, its escapes are its text
        text = _decoded(body, codec)
        if text is not None:
            return text.encode()
    try:
        body.decode()
    except UnicodeDecodeError:
        text = None
        if codec is not None and codec not in _UTF8 and not _mostly_utf8(body):
            text = _decoded(body, codec)
        if text is None:
            return body.decode("utf-8", "amity-cp1252").encode()
        return text.encode()
    return body


def _decoded(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec, "replace")
    except (LookupError, UnicodeError):  # no text encoding ("base64"), or one that cannot
        return None  # replace what it cannot read ("idna")


def _mostly_utf8(body: bytes) -> bool:
    # UTF-8 with a few stray bytes, under a header naming a server's default (ISO-8859-1):
    # read in that charset, every character of the UTF-8 would turn to mojibake. Text in
    # another encoding holds few or no valid UTF-8 sequences by chance.
    text = body.decode("utf-8", "replace")
    stray = text.count("\ufffd")
    return len(text) - len(text.encode("ascii", "ignore")) - stray > stray


def _codec(name: str) -> str | None:
    name = name.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_CODECS.get(name, name)).name.replace("-", "_")
    except LookupError:
        return None


# A date element's text, and the dates the parser does not read: Italian day and month names
# (an Italian CMS's locale: "Ven, 16 Gen 2026 10:00:00 +0100") and Japanese ("2026年1月16日").
# Each entry left undated took the day it was first seen, so a new subscription put its whole
# backlog on one day, clustered together.
_DATE_ELEMENT = re.compile(
    rb"<((?:[\w.-]+:)?(?:pubDate|date|published|updated|issued|modified|created))>"
    rb"([^<]{6,80})</\1>"
)
# Italian day names and the month names English does not share ("3 Mar" reads either way).
_FOREIGN_DATE = re.compile(
    r"^\s*(?:lun|mar|mer|gio|ven|sab|dom)[a-zì]*\.?,|年|\d\s+(?:gen|mag|giu|lug|ago|set|ott|dic|"
    r"febbraio|marzo|aprile|novembre)",
    re.I,
)
_ITALIAN_DAY = re.compile(r"^\s*(?:lun|mar|mer|gio|ven|sab|dom)[a-zì]*\.?,?\s*", re.I)
_ITALIAN_MONTH = re.compile(
    r"(\d{1,2})\s+(gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic)[a-z]*\.?\s+(\d{4})", re.I
)
_ITALIAN = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")
_ENGLISH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_JAPANESE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\D{0,6}?(\d{1,2})\s*[時:：]\s*(\d{1,2}))?"
)


_DATE_ENDS = (b"ate>", b"published>")  # pubDate, dc:date, updated, created; published


def _dates_read(body: bytes) -> bytes:
    # A feed writes all its dates one way: its first says which (found by byte scans of the
    # document's start, cheaper than a regex search through every tag before it).
    starts = [at for at in (body.find(end, 0, 8192) for end in _DATE_ENDS) if at >= 0]
    if not starts:
        return body
    first = body[min(starts) : body.find(b"<", min(starts))]
    if not _FOREIGN_DATE.search(first.decode("utf-8", "replace")):
        return body
    return _DATE_ELEMENT.sub(_date_read, body)


def _date_read(match: re.Match[bytes]) -> bytes:
    text = match.group(2).decode("utf-8", "replace")
    if (japanese := _JAPANESE.search(text)) is not None:
        year, month, day, hour, minute = japanese.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}"
        if hour is not None:  # a time given in Japanese is Japan's
            text += f"T{int(hour):02d}:{int(minute):02d}:00+09:00"
    elif (italian := _ITALIAN_MONTH.search(text)) is not None:
        month = _ENGLISH[_ITALIAN.index(italian.group(2).lower())]
        english = f"{italian.group(1)} {month} {italian.group(3)}"
        text = _ITALIAN_DAY.sub("", text[: italian.start()] + english + text[italian.end() :])
    else:
        return match.group()
    name = match.group(1)
    return b"<%s>%s</%s>" % (name, text.encode(), name)


# An Atom text construct in XHTML (RFC 4287 3.1.1.3): the parser reads none of them, so an
# entry titled so had no title and was skipped (a feed of them was "ok" with nothing in it).
# It is handed over as the escaped HTML it is instead (type="html"), which the parser reads.
_XHTML = re.compile(
    rb"<((?:[\w.-]+:)?(?:title|subtitle|summary|content|rights))\s[^>]*?"
    rb"\btype\s*=\s*[\"']xhtml[\"'][^>]*>(?:(.*?)</\1\s*>|.*)",  # never closed: the rest
    re.S,  # is left as it is (searched for its end once, where each of many took a whole scan)
)


def _as_html(match: re.Match[bytes]) -> bytes:
    name, markup = match.group(1, 2)
    if markup is None:
        return match.group()
    escaped = markup.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
    return b'<%s type="html">%s</%s>' % (name, escaped, name)


def _mended(body: bytes) -> bytes:
    body = _dates_read(body)
    if b"xhtml" in body:
        body = _XHTML.sub(_as_html, body)
    if len(body.translate(None, _CONTROLS)) != len(body):
        body = body.translate(None, _CONTROLS)
    for noncharacter in _NONCHARACTERS:
        if noncharacter in body:
            body = body.replace(noncharacter, "\ufffd".encode())
    if body.count(b"&") > _MOST_REFERENCES or _FAULT.search(body) is None:
        return body
    body = _SURROGATE_PAIR.sub(_joined, body, count=_PAIRS_JOINED)
    body = _FORBIDDEN.sub(b"", _SURROGATE.sub(b"&#xFFFD;", body))
    if b"<![CDATA[" not in body:
        return _BARE_AMPERSAND.sub(b"&amp;", body)
    parts = _CDATA.split(body)  # the sections at odd places
    return b"".join(p if i % 2 else _BARE_AMPERSAND.sub(b"&amp;", p) for i, p in enumerate(parts))


def _joined(match: re.Match[bytes]) -> bytes:
    # A character beyond U+FFFF written as its two UTF-16 halves: one reference to it.
    high_hex, high, low_hex, low = match.groups()
    first = int(high_hex, 16) if high_hex else int(high)
    second = int(low_hex, 16) if low_hex else int(low)
    if 0xD800 <= first < 0xDC00 <= second < 0xE000:
        return b"&#%d;" % (0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    return match.group()
