"""The frame every dialog shares: a bordered panel centred over the app."""

from __future__ import annotations


def dialog_css(name: str, panel: str, size: str) -> str:
    """CSS for the dialog screen `name`: its `panel` widget centred and framed, sized by `size`
    (CSS declarations such as "width: 44; height: auto;")."""
    return (
        f"{name} {{ align: center middle; }}\n"
        f"{name} > {panel} {{\n"
        f"    {size}\n"
        "    border: round $accent; background: $surface; padding: 0 1;\n"
        "}\n"
    )
