"""Plain-text output for the headless commands: tables for people, JSON for scripts.

Kept free of Rich and Textual so that `amity list` under cron starts in a few tens of ms.
"""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from amity.store import strip_controls


def safe(text: str) -> str:
    """Data made printable: no escape sequences, no control characters, one line."""
    return " ".join(strip_controls(text).split())


def display_width(text: str) -> int:
    """Columns the text takes in a terminal (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, width: int) -> str:
    """Cut text to `width` columns (with an ellipsis) and pad it to exactly that width."""
    if display_width(text) > width:
        out, used = [], 0
        for char in text:
            w = display_width(char)
            if used + w > width - 1:
                break
            out.append(char)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - display_width(text))


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, flex: int, out: TextIO | None = None
) -> None:
    """Print aligned columns; column `flex` takes the width left over in the terminal."""
    out = out or sys.stdout
    rows = [[safe(cell) for cell in row] for row in rows]
    widths = [
        max([display_width(h), *(display_width(r[i]) for r in rows)]) for i, h in enumerate(headers)
    ]
    total = shutil.get_terminal_size((120, 24)).columns if out.isatty() else 200
    fixed = sum(w for i, w in enumerate(widths) if i != flex) + 2 * (len(headers) - 1)
    widths[flex] = max(12, min(widths[flex], total - fixed))
    lines = [headers, *rows]
    for index, row in enumerate(lines):
        cells = [fit(cell, widths[i]) for i, cell in enumerate(row)]
        out.write("  ".join(cells).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("─" * w for w in widths) + "\n")


def print_json(data: Any, out: TextIO | None = None) -> None:
    """JSON for scripts; json escapes control characters, so none reach the terminal raw."""
    out = out or sys.stdout
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def say(message: str) -> None:
    """Narration for people, on stderr (never mixed into --json output)."""
    sys.stderr.write(safe(message) + "\n")
