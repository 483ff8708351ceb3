"""Untrusted text laid out in terminal cells: widths every terminal agrees on, cut to fit.

Rich measures an emoji with a skin tone (👍🏽), a joined family (👨‍👩‍👧) or a symbol asking for
emoji presentation (✈️) as one two-cell picture; most terminals (xterm, VTE, tmux, alacritty)
draw the parts, wider or narrower. A row holding one then moves everything after it on the
same screen line (tags, the detail pane beside the timeline, scrollbars) and leaves stale
cells behind. Drawn without the joiners, selectors and modifiers, the pictures keep their
meaning and take the cells that Rich counts.
"""

from __future__ import annotations

import re

from amity.store import clean_text
from amity.store.text import clip
from rich.cells import cell_len, set_cell_size

NAMED = 60  # the most of a title that a notification quotes

# Zero width joiner, variation selectors 15/16, emoji skin-tone modifiers.
_UNSTEADY = re.compile("[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def steady(text: str) -> str:
    """`text` without the characters whose width terminals disagree on (see above)."""
    return text if text.isascii() else _UNSTEADY.sub("", text)


def cell_text(text: str) -> str:
    """Untrusted text as one line for the screen: cleaned (store.clean_text) and steady."""
    return steady(clean_text(text))


def named(title: str) -> str:
    """A title as a notification quotes it: one steady line of at most NAMED characters, cut
    at a word (a 300-character feed title filled a 40×12 screen with a toast)."""
    return steady(clip(title, NAMED))


def fit(text: str, cells: int) -> str:
    """`text` in exactly `cells` columns: cut with an ellipsis when longer (never a gap where a
    wide character did not fit before it), padded when shorter."""
    if cell_len(text) > cells:
        text = set_cell_size(text, max(0, cells - 1)).rstrip(" ") + "…"
    return set_cell_size(text, cells)
