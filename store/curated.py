"""The curated timelines bundled with amity (researched, sourced, in our own words)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .model import Event, parse_events
from .topics import topic_ids


@dataclass(frozen=True, slots=True)
class CuratedSet:
    """One bundled dataset; raising `version` makes existing stores pick up new events."""

    name: str
    version: int
    resource: str

    def events(self) -> list[Event]:
        """The dataset's events, validated against the default taxonomy."""
        return list(_read(self.resource))


@cache
def _read(resource: str) -> tuple[Event, ...]:
    text = resources.files("amity.store.data").joinpath(resource).read_text(encoding="utf-8")
    return tuple(parse_events(json.loads(text), topic_ids()))


@cache
def bundled_sets() -> tuple[CuratedSet, ...]:
    """Every curated dataset amity ships, with its version."""
    sets = []
    for resource in sorted(resources.files("amity.store.data").iterdir(), key=lambda r: r.name):
        if resource.name.endswith(".json"):
            header = json.loads(resource.read_text(encoding="utf-8"))
            sets.append(CuratedSet(header["name"], int(header["version"]), resource.name))
    return tuple(sets)
