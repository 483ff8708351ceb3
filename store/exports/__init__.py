"""The timeline in other people's formats: pure functions from events to the text of a file.

Each format is its own module with one `render(events, context) -> str`; `render` here picks it.
Every field is treated as untrusted: controls and escape sequences are dropped and the format's
own markup is escaped, so a feed's text never becomes markup, script or a spreadsheet formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the formats' shared helpers load with a format, not with the command line
    from ..model import Event
    from .shared import ExportContext

# format name -> (module, usual file suffix); `json` is the CLI's own round-trip format.
FORMATS: dict[str, tuple[str, str]] = {
    "markdown": ("markdown", ".md"),
    "csv": ("csv_table", ".csv"),
    "ics": ("ics", ".ics"),
    "timelinejs": ("timelinejs", ".json"),
    "html": ("webpage", ".html"),
}


def render(fmt: str, events: Sequence[Event], context: ExportContext) -> str:
    """The events (in the order given) as a file in format `fmt` (a key of FORMATS)."""
    module = import_module(f".{FORMATS[fmt][0]}", __name__)  # icalendar loads only for ics
    return module.render(events, context)


__all__ = ["FORMATS", "render"]
