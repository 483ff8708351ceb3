"""Telling the person about something amity worked around, such as a side file it ignored."""

from __future__ import annotations

import logging

from .text import clean_text

# Without a handler configured, logging prints warnings to stderr as they are: under the app
# (which captures stderr) and in tests (caplog) alike, no extra plumbing.
_LOG = logging.getLogger("amity")


def warn(message: str) -> None:
    """One line on stderr: 'amity: warning: <message>'."""
    _LOG.warning("amity: warning: %s", clean_text(message))
