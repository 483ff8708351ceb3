"""Process-wide settings of amity's own process, made once by `main()` and nowhere else.

The library leaves the interpreter alone (a program importing amity.feeds keeps httpx whole);
the command line owns its process and tunes it for what amity does. A setting stays here only
while `python -m bench` shows it pays.
"""

from __future__ import annotations

import atexit
import gc
import signal
import sys


def tune_process() -> None:
    """Apply amity's process-wide settings (first thing in `main()`)."""
    # Importing httpx imports its command-line tool and with it rich: 30 ms of CPU and 3-4 MiB
    # of peak RSS for every `amity refresh` (bench, 200 feeds: 63 MiB against 66-67 MiB).
    # amity never runs that tool, and httpx puts a stub in its place when the import fails.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    # At exit the interpreter collects cycles among every object it still holds (the modules,
    # their functions and classes), ~25-40 ms of CPU after a refresh, only to free memory the
    # process is about to give back. Frozen objects are left out; files are still closed and
    # flushed as their last reference goes, and atexit handlers registered later run first.
    atexit.register(gc.freeze)
    # Under a pipe that closes early (`amity list | head`), exit quietly like other tools.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
