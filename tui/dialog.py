"""The frame every dialog shares: a bordered panel centred over the app."""

from __future__ import annotations


def dialog_css(name: str, panel: str, size: str) -> str:
    """CSS for the dialog screen `name`: its `panel` widget centred and framed, sized by `size`
    (CSS declarations such as "width: 44; height: auto;"), never wider or taller than the
    screen (a 40-column terminal cut a 44-column dialog's right side off)."""
    return (
        f"{name} {{ align: center middle; }}\n"
        f"{name} > {panel} {{\n"
        f"    max-width: 100%; max-height: 100%; {size}\n"
        "    border: round $accent; background: $surface; padding: 0 1;\n"
        "}\n"
    )
