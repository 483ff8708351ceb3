"""Untrusted text made safe to store and print: no control characters, no escape sequences."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# CSI/OSC/other ESC sequences first, so their parameters do not survive as visible junk.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]          # CSI ... final byte
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?  # DCS, SOS, PM, APC ... ST
    | \x1b[@-Z\\-_]                  # two-byte ESC sequences
    | \x9b[0-?]*[ -/]*[@-~]          # 8-bit CSI
    """,
    re.VERBOSE,
)
# What is left of an escape sequence whose ESC (and BEL) a feed's XML parser dropped, since XML
# forbids them: "[31m", "[2J", "]52;c;aGVsbG8=". Only feed text is cleaned of these: in text a
# person typed or imported, "[5m]" is just text.
_ORPHANS = re.compile(r"\[\d{1,3}(?:;\d{1,3})*[mKJH]|\]\d{1,3};\S*")

# The most amity keeps of each kind of text, wherever it comes from (a feed, an import, the
# person): one 10 MB field must not swell the store or freeze the screen that shows it.
TITLE_CHARS = 300  # an event's or an article's title
SUMMARY_CHARS = 2000  # an event's summary (feeds keep a shorter excerpt)
NAME_CHARS = 200  # a feed's title, a publisher, a tag, a term, a config label
URL_CHARS = 2048  # a link; longer ones are refused, since a cut URL points elsewhere
NOTE_CHARS = 20_000  # the person's own multi-line note
ERROR_CHARS = 300  # a feed's last error as shown and stored

# Scripts written without spaces between words (kana, kanji and its marks 々〆〇, hangul), as a
# regex character class: a word in them is found inside the text, not only where a word starts.
SPACELESS = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# A letter, digit or _ of a script written with spaces: what a word boundary looks at.
SPACED_LETTER = f"[^\\W{SPACELESS}]"


@cache
def spaceless_run() -> re.Pattern[str]:
    """A run of characters of those scripts. Compiled on first use (the app's start-up need
    not pay it), once for spaceless(), the matcher and clustering alike: its ranges are mapped
    one code point at a time, ~1 ms, and a single-character class `[...]` costs twice that."""
    return re.compile(f"[{SPACELESS}]+")


def spaceless(char: str) -> bool:
    """Whether `char` is of a script written without spaces between words (see SPACELESS)."""
    return bool(spaceless_run().match(char))


def _is_unsafe(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc: C0/C1 controls; Cf includes bidi overrides (U+202E) that can disguise text; Cs: a lone
    # surrogate (JSON's "\ud800") cannot be encoded as UTF-8, so the store write and stdout fail.
    return category in ("Cc", "Cs") or (category == "Cf" and char not in "\u200d")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control/format characters, keeping newlines and tabs out too."""
    # isprintable() is False for every Cc/Cf character (ESC included): nearly all text takes
    # this C-speed path, and the per-character loop below only runs for text that needs it.
    if text.isprintable():
        return text
    text = _ESCAPES.sub("", text)
    return "".join(
        " " if char in "\t\n\r\x0b\x0c" else char
        for char in text
        if char in "\t\n\r\x0b\x0c" or not _is_unsafe(char)
    )


def strip_orphans(text: str) -> str:
    """Feed text without the leftovers of escape sequences whose ESC was dropped upstream."""
    if "[" not in text and "]" not in text:
        return text
    return _ORPHANS.sub("", _ESCAPES.sub("", text))


def clean_text(text: str) -> str:
    """Plain single-line text: escapes and controls removed, whitespace collapsed."""
    # Printable text has no whitespace but " ": most text is already clean (a 100,000-row
    # table cleans half a million cells).
    if text.isprintable() and "  " not in text and text[:1] != " " != text[-1:]:
        return text
    return " ".join(strip_controls(text).split())  # split() is 3x faster than a regex here


def shorten(text: str, limit: int) -> str:
    """Cut long text at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def clip(text: str, limit: int) -> str:
    """Untrusted text as one clean line of at most `limit` characters, cut at a word. Only a
    bounded prefix is cleaned, so a megabyte of input costs no more than a page of it."""
    return shorten(clean_text(text[: limit * 4 + 64]), limit)


def describe_error(exc: BaseException) -> str:
    """What went wrong, in words for people: never a Python repr like `RecursionError(...)`."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, MemoryError):
        return "too large to hold in memory"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = clip(str(exc), ERROR_CHARS)
    if "Exceeds the limit" in text and "digits" in text:  # int() of a huge number
        return "a number with too many digits"
    # No message: the kind of error, "KeyError" as "key error".
    return text or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(exc).__name__).lower()
