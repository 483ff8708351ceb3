"""What a running app shows, read through Textual's public screenshot (no private internals)."""

from __future__ import annotations

import html
import re

from rich.cells import cell_len
from textual.app import App

# One run of text in the screenshot: its column (x, in pixels), its row (the clip-path's line)
# and its characters. Runs of spaces are left out of the SVG; the columns place what remains.
_RUN = re.compile(
    r'<text [^>]*?x="([\d.]+)"[^>]*?clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>(.*?)</text>'
)
_CHAR_WIDTH = re.compile(r'textLength="([\d.]+)"[^>]*>(.*?)</text>')


def screen_lines(app: App) -> list[str]:
    """Every row of the current screen as plain text (the cells, not the colours)."""
    svg = app.export_screenshot()
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    first = _CHAR_WIDTH.search(svg)
    if first is None:
        return ["".join(row) for row in rows]
    char_width = float(first.group(1)) / len(html.unescape(first.group(2)))
    for x, line, text in _RUN.findall(svg):
        row, column = rows[int(line)], round(float(x) / char_width)
        for char in html.unescape(text).replace("\xa0", " "):
            if column < width:
                row[column] = char
                if cell_len(char) == 2 and column + 1 < width:
                    row[column + 1] = ""  # the right half of a wide character
            column += cell_len(char)
    return ["".join(row) for row in rows]


def screen_text(app: App) -> str:
    """The current screen as plain text, one line per row."""
    return "\n".join(screen_lines(app))
