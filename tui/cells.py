"""Untrusted text laid out in terminal cells: widths every terminal agrees on, cut to fit.

Rich measures an emoji with a skin tone (👍🏽), a joined family (👨‍👩‍👧) or a symbol asking for
emoji presentation (✈️) as one two-cell picture; most terminals (xterm, VTE, tmux, alacritty)
draw the parts, wider or narrower. A row holding one then moved everything after it on the
same screen line (tags, the detail pane beside the timeline, scrollbars) and left stale cells
behind; the app draws such text `steady` (tui/output.py, shared with the command line's tables).
"""

from __future__ import annotations

from amity.store.text import clip
from rich.cells import cell_len, set_cell_size

from .output import cell_text

__all__ = ["NAMED", "cell_text", "fit", "named"]

NAMED = 60  # the most of a title that a notification quotes


def named(title: str) -> str:
    """A title as a notification quotes it: one steady line of at most NAMED characters, cut
    at a word (a 300-character feed title filled a 40×12 screen with a toast)."""
    return cell_text(clip(title, NAMED))


def fit(text: str, cells: int) -> str:
    """`text` in exactly `cells` columns: cut with an ellipsis when longer (never a gap where a
    wide character did not fit before it), padded when shorter."""
    if cell_len(text) > cells:
        text = set_cell_size(text, max(0, cells - 1)).rstrip(" ") + "…"
    return set_cell_size(text, cells)
