"""What the benchmark ran on: CPU, cores, OS, and the versions of everything compared."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version

from .peers import amity_version, newsboat_version, reader_version


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _dist(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, str]:
    """One line per thing, in the order the README shows them."""
    return {
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores",
        "OS": platform.platform(terse=True),
        "Python": platform.python_version(),
        "amity": amity_version(),
        "textual": _dist("textual"),
        "httpx": _dist("httpx"),
        "newsboat": newsboat_version() or "not installed",
        "reader": reader_version() or "not installed",
        "feedparser": _dist("feedparser"),
        "fastfeedparser": _dist("fastfeedparser"),
    }
