"""JSON text for scripts: compact, with every control or format character escaped (never raw).

One definition for what `amity list --json` prints and for the view cache's lines of it.
"""

from __future__ import annotations

import re
from typing import Any

from .storage import dump_compact

# json escapes C0 controls but writes DEL, C1 controls (U+009B is a CSI) and bidi/format
# characters raw; outside strings JSON is pure ASCII, so escaping these keeps the data exact.
_RAW_IN_JSON = re.compile(
    "[\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b\u200c\u200e\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a surrogate pair, as JSON spells characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def compact_json(value: Any) -> str:
    """One value as compact JSON on one line, control and format characters escaped."""
    # orjson encodes 100k events in 0.05 s (json's encoder took 0.7 s). Only text that is not
    # ASCII can hold a character to escape, so the regex runs on those items alone.
    text = dump_compact(value).decode()
    if text.isascii():
        return text
    return _RAW_IN_JSON.sub(_escape, text)
