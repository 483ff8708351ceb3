"""Test and bench helpers: synthetic events, stores of any size, and running `amity` for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from amity.store import DEFAULT_TOPICS, KINDS, Event, Source, Store

AMITY = str(Path(sys.executable).with_name("amity"))
# Never created: amity finds no config there and runs on its defaults.
NO_CONFIG_HOME = Path(__file__).parent / "data" / "no-config-home"
TOPIC_IDS = [t.id for t in DEFAULT_TOPICS]


def synthetic_event(n: int, prefix: str = "syn") -> Event:
    """A plausible feed-made event, deterministic in `n`."""
    year = 1990 + n % 36
    date = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    return Event(
        id=f"{prefix}-{n:07d}",
        date=date,
        title=f"Japan and Italy talk about item {n} in Rome",
        summary=f"Synthetic event number {n}: ministers met and agreed on cooperation item {n}.",
        kind=KINDS[n % len(KINDS)],
        topics=(TOPIC_IDS[n % len(TOPIC_IDS)], TOPIC_IDS[(n * 7) % len(TOPIC_IDS)]),
        countries=("IT", "JP"),
        milestone=n % 50 == 0,
        origin="feed",
        sources=(
            Source(
                url=f"https://news.example.org/{year}/article-{n}",
                title=f"Article {n} about Japan and Italy",
                publisher="Example News",
                published=date,
            ),
        ),
    )


def synthetic_events(count: int, prefix: str = "syn", start: int = 0) -> list[Event]:
    """`count` synthetic events numbered from `start`."""
    return [synthetic_event(n, prefix) for n in range(start, start + count)]


def make_store(path: Path, count: int) -> Store:
    """A seeded store holding `count` synthetic events besides the curated ones (one write)."""
    store = Store.open(path)
    store.put_events(synthetic_events(count))
    return store


def export_file(path: Path, events: list[Event] | list[dict[str, Any]]) -> Path:
    """Write an import file in the export format."""
    items = [e.to_dict() if isinstance(e, Event) else e for e in events]
    path.write_text(json.dumps({"amity": 1, "events": items}), encoding="utf-8")
    return path


def isolated_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment for an `amity` process, without the person's config or store (defaults
    only) unless `env` names them."""
    full_env = {**os.environ, "XDG_CONFIG_HOME": str(NO_CONFIG_HOME), **(env or {})}
    for name in ("AMITY_DB", "AMITY_CONFIG"):
        if name not in (env or {}):
            full_env.pop(name, None)
    return full_env


def amity(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `amity` command in a real process; never raises on a non-zero exit."""
    argv = [AMITY, *(["--db", str(db)] if db is not None else []), *args]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=isolated_env(env),
        input=input,
        timeout=60,
    )


def load_document(path: Path) -> dict[str, Any]:
    """The whole store file, read and checked as amity checks it (the plain path)."""
    from amity.store.storage import check_document, read_store

    return check_document(path, read_store(path))
