"""The optional config file: the country pair and its aliases, topics, refresh settings."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import default_config_path
from .topics import DEFAULT_TOPICS, Topic


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the setting."""


@dataclass(frozen=True, slots=True)
class Country:
    """One side of the pair: its ISO code, display name and the words that mean it in text."""

    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RefreshSettings:
    """Limits of one refresh (see the feeds layer)."""

    concurrency: int = 16
    per_host: int = 2
    deadline: float = 30.0
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 10
    max_backoff_hours: float = 24.0


DEFAULT_PAIR: tuple[Country, Country] = (
    Country(
        "JP",
        "Japan",
        (
            "japan",
            "japanese",
            "giappone",
            "tokyo",
            "takaichi",
            "ishiba",
            "kishida",
            "abe",
            "kantei",
            "iwaya",
            "motegi",
            "nippon",
            "osaka",
        ),
    ),
    Country(
        "IT",
        "Italy",
        (
            "italy",
            "italian",
            "italians",
            "italia",
            "rome",
            "roma",
            "meloni",
            "mattarella",
            "tajani",
            "crosetto",
            "palazzo chigi",
            "farnesina",
            "draghi",
            "gentiloni",
            "renzi",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything configurable, with built-in defaults that make a file unnecessary."""

    pair: tuple[Country, Country] = DEFAULT_PAIR
    topics: tuple[Topic, ...] = DEFAULT_TOPICS
    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    path: Path | None = None

    @property
    def pair_label(self) -> str:
        """'Japan–Italy': the names in the order the pair is configured."""
        return "–".join(country.name for country in self.pair)

    @property
    def country_codes(self) -> tuple[str, ...]:
        """The pair's ISO codes, sorted."""
        return tuple(sorted(country.code for country in self.pair))

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """Topic ids in key order."""
        return tuple(topic.id for topic in self.topics)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config file (`AMITY_CONFIG` or the platform default); missing means defaults."""
    explicit = path or os.environ.get("AMITY_CONFIG")
    config_path = Path(explicit) if explicit else default_config_path()
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"{config_path}: config file not found")
        return Config()
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read config: {exc}") from None
    try:
        return _config_from(data, config_path)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{config_path}: {exc}") from None


def _config_from(data: dict[str, Any], path: Path) -> Config:
    pair = DEFAULT_PAIR
    if "pair" in data:
        sides = data["pair"]
        if not isinstance(sides, list) or len(sides) != 2:
            raise ValueError("[[pair]] must list exactly two countries")
        pair = tuple(  # type: ignore[assignment]
            Country(
                code=str(side["code"]).upper(),
                name=str(side["name"]),
                aliases=tuple(a.lower() for a in side.get("aliases", [side["name"]])),
            )
            for side in sides
        )
    topics = DEFAULT_TOPICS
    if "topics" in data:
        entries = data["topics"]
        if not isinstance(entries, list) or not 1 <= len(entries) <= 10:
            raise ValueError("[[topics]] must list between 1 and 10 topics")
        keys = "1234567890"
        topics = tuple(
            Topic(
                id=str(entry["id"]),
                label=str(entry.get("label", entry["id"])),
                key=keys[index],
                keywords=tuple(k.lower() for k in entry.get("keywords", [])),
            )
            for index, entry in enumerate(entries)
        )
        if len({t.id for t in topics}) != len(topics):
            raise ValueError("topic ids must be unique")
    refresh = RefreshSettings()
    if "refresh" in data:
        allowed = set(RefreshSettings.__dataclass_fields__)
        unknown = set(data["refresh"]) - allowed
        if unknown:
            raise ValueError(f"unknown [refresh] setting(s): {', '.join(sorted(unknown))}")
        refresh = RefreshSettings(**data["refresh"])
    return Config(pair=pair, topics=topics, refresh=refresh, path=path)
