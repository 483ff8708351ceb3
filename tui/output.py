"""Plain-text output for the headless commands: tables for people, JSON for scripts.

Kept free of Rich and Textual so that `amity list` under cron starts in a few tens of ms.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from amity.store import Store, clean_text
from amity.store.jsontext import compact_json
from amity.store.storage import atomic_write_bytes


def counted(n: int, noun: str) -> str:
    """ "1 event", "2 events"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def display_width(text: str) -> int:
    """Columns the text takes in a terminal (wide East Asian characters count two, combining
    marks and joiners none: each of "Z̷̢̛̮" took five in a table row, and the row's topics moved)."""
    if text.isascii():
        return len(text)
    return sum(_cells(c) for c in text)


def _cells(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


# Zero width joiner, variation selectors 15/16, emoji skin-tone modifiers.
_UNSTEADY = re.compile("[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def steady(text: str) -> str:
    """`text` without the characters whose width terminals disagree on: most (xterm, VTE,
    tmux) draw the parts of 👍🏽, 👨‍👩‍👧 or ✈️, which Rich and wcwidth count as one picture; drawn
    without them, the pictures keep their meaning and take the cells counted for them."""
    return text if text.isascii() else _UNSTEADY.sub("", text)


def cell_text(text: str) -> str:
    """Untrusted text as one line for a terminal: cleaned (store.clean_text) and steady."""
    return steady(clean_text(text))


def fit(text: str, width: int) -> str:
    """Cut text to `width` columns (with an ellipsis) and pad it to exactly that width."""
    used = display_width(text)
    if used > width:
        out, used = [], 0
        for char in text:
            w = display_width(char)
            if used + w > width - 1:
                break
            out.append(char)
            used += w
        text = "".join(out) + "…"
        used += 1
    return text + " " * (width - used)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    flex: int,
    shrink: Sequence[int] = (),
    wrap: bool = False,
    out: TextIO | None = None,
) -> None:
    """Print aligned columns that fit the terminal (COLUMNS, or 200 when not a terminal).

    Column `flex` (the title, the error) gets the room: the `shrink` columns give up theirs
    first, down to a few characters, then the flex column down to FLEX_MIN, then the rest.
    With `wrap`, a long flex cell continues on the next lines instead of being cut.
    """
    out = out or sys.stdout
    rows = [[cell_text(cell) for cell in row] for row in rows]
    # Each cell measured once (a 100,000-row `amity list` has half a million of them).
    used = [[display_width(cell) for cell in row] for row in rows]
    widths = [max([display_width(h), *(u[i] for u in used)]) for i, h in enumerate(headers)]
    widths = fit_widths(widths, headers, _columns(out), flex, shrink)
    lines, rule = [headers, *rows], "  ".join("─" * w for w in widths) + "\n"
    text: list[str] = []
    for index, row in enumerate(lines):
        if wrap and index and display_width(row[flex]) > widths[flex]:
            parts = [[cell] for cell in row]
            parts[flex] = _wrapped(row[flex], widths[flex])
            for n in range(max(len(p) for p in parts)):
                cells = [fit(p[n] if n < len(p) else "", widths[i]) for i, p in enumerate(parts)]
                text.append("  ".join(cells).rstrip() + "\n")
        else:
            sizes = used[index - 1] if index else [display_width(h) for h in headers]
            cells = [
                cell + " " * (width - size) if size <= width else fit(cell, width)
                for cell, size, width in zip(row, sizes, widths, strict=True)
            ]
            text.append("  ".join(cells).rstrip() + "\n")
        if index == 0:
            text.append(rule)
        if len(text) >= 4096:
            out.write("".join(text))
            text.clear()
    out.write("".join(text))


FLEX_MIN, SHRUNK_MIN = 20, 6


def fit_widths(
    widths: list[int], headers: Sequence[str], total: int, flex: int, shrink: Sequence[int]
) -> list[int]:
    """Column widths that fit `total` columns (two-space gaps), taken in the order above."""
    widths = list(widths)
    room = total - 2 * (len(widths) - 1)
    others = [i for i in range(len(widths)) if i != flex and i not in shrink]
    floor = {i: min(widths[i], max(SHRUNK_MIN, display_width(headers[i]))) for i in shrink}
    floor[flex] = min(widths[flex], FLEX_MIN)
    floor.update({i: min(widths[i], max(4, display_width(headers[i]))) for i in others})
    for group in (list(shrink), [flex], others):
        while sum(widths) > room:
            spare = [i for i in group if widths[i] > floor[i]]
            if not spare:
                break
            widest = max(spare, key=lambda i: widths[i] - floor[i])
            widths[widest] -= 1
    return widths


def _columns(out: TextIO) -> int:
    # COLUMNS wins (shutil reads it first), so a pipe or a test can ask for a width too.
    if out.isatty() or os.environ.get("COLUMNS"):
        return shutil.get_terminal_size((120, 24)).columns
    return 200


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(1, width), break_long_words=True) or [""]


def print_json(data: Any, out: TextIO | None = None) -> None:
    """JSON for scripts, with every control or format character escaped (never raw)."""
    out = out or sys.stdout
    out.write(json_text(data))


def json_text(data: Any) -> str:
    """The text `print_json` prints, ending in a newline."""
    return _layout(data) + "\n"


def write_output(text: str, path: Path | None, what: str) -> None:
    """`text` on stdout, or written atomically to the file the person named, saying "exported
    <what> to <path>". A file that cannot be written is a usage error (exit 2) naming it, and
    whatever was there is left whole. The store and the files beside it are refused: an export
    onto them would overwrite every event."""
    if path is None:
        sys.stdout.write(text)
        return
    import click  # here: the app imports this module, and opens without click (start.py)

    context = click.get_current_context(silent=True)
    session = context.find_root().obj if context is not None else None
    if Store(getattr(session, "db_path", None)).owns(path):
        raise click.UsageError(
            f"{path}: that is the amity store or a file kept beside it; choose another file"
        )
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise click.UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    say(f"exported {what} to {path}")


def _layout(data: Any, indent: str = "") -> str:
    # One list item per line (and one key per line at the top) stays readable and streams.
    inner = indent + "  "
    if isinstance(data, list) and data:
        return "[\n" + ",\n".join(inner + compact_json(i) for i in data) + f"\n{indent}]"
    if isinstance(data, dict) and data and not indent:
        keys = [f"{inner}{compact_json(k)}: {_layout(v, inner)}" for k, v in data.items()]
        return "{\n" + ",\n".join(keys) + "\n}"
    return compact_json(data)


def say(message: str) -> None:
    """Narration for people, on stderr (never mixed into --json output)."""
    sys.stderr.write(clean_text(message) + "\n")
