"""The optional config file: the country pair and its aliases, topics, refresh settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .paths import default_config_path
from .text import NAME_CHARS, clip, describe_error
from .topics import DEFAULT_TOPICS, Topic

if TYPE_CHECKING:  # imported where a config file names languages (the app's start never does)
    from .languages import Language


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
    # Languages added to (or extending) the built-in ones: see store/languages.py.
    languages: tuple[Language, ...] = ()

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
        data = _toml(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # an int of 5,000 digits: ValueError
        import tomllib

        reason = exc if isinstance(exc, tomllib.TOMLDecodeError) else describe_error(exc)
        raise ConfigError(f"{config_path}: cannot read config: {reason}") from None
    try:
        return _config_from(data, config_path)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{config_path}: {exc}") from None


def _toml(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}  # what the parser makes of it: not worth importing it for (the app's start)
    import tomllib

    return tomllib.loads(text)


def _config_from(data: dict[str, Any], path: Path) -> Config:
    pair = DEFAULT_PAIR
    if "pair" in data:
        sides = data["pair"]
        if not isinstance(sides, list) or len(sides) != 2:
            raise ValueError("[[pair]] must list exactly two countries")
        first, second = (_country(side, f"[[pair]] {n}") for n, side in enumerate(sides, 1))
        pair = (first, second)
    topics = DEFAULT_TOPICS
    if "topics" in data:
        entries = data["topics"]
        if not isinstance(entries, list) or not 1 <= len(entries) <= 10:
            raise ValueError("[[topics]] must list between 1 and 10 topics")
        topics = tuple(
            _topic(entry, f"[[topics]] {index + 1}", key)
            # Keys 1-9; a 10th topic has none (0 clears the topics): the palette toggles it.
            for index, (entry, key) in enumerate(zip(entries, [*"123456789", ""], strict=False))
        )
        if len({t.id for t in topics}) != len(topics):
            raise ValueError("topic ids must be unique")
    refresh = RefreshSettings()
    if "refresh" in data:
        refresh = _refresh(_table(data["refresh"], "[refresh]"))
    languages: tuple[Language, ...] = ()
    if "languages" in data:
        from .languages import language_from

        entries = data["languages"]
        if not isinstance(entries, list):
            raise ValueError("[[languages]] must be a list of tables")
        languages = tuple(
            language_from(entry, f"[[languages]] {n}") for n, entry in enumerate(entries, 1)
        )
    return Config(pair=pair, topics=topics, refresh=refresh, path=path, languages=languages)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a table")
    return value


def _text(table: dict[str, Any], name: str, where: str, default: str | None = None) -> str:
    # Config text reaches the header, sidebar and palette: cleaned like feed text, so an
    # escape sequence in a pair name or topic label never reaches the terminal.
    value = table.get(name, default)
    text = clip(value, NAME_CHARS) if isinstance(value, str) else ""
    if not text:
        raise ValueError(f"{where}: {name} must be non-empty text, got {_shown(value)}")
    return text


def _words(table: dict[str, Any], name: str, where: str, default: list[str]) -> tuple[str, ...]:
    value = table.get(name, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {name} must be a list of text, got {_shown(value)}")
    if len(value) > MAX_WORDS:
        raise ValueError(f"{where}: {name} lists {len(value)} words; at most {MAX_WORDS}")
    return tuple(w for w in (clip(v, NAME_CHARS).lower() for v in value) if w)


MAX_WORDS = 1000  # aliases or keywords of one entry


def _shown(value: Any) -> str:
    # A bad value, quoted in the error without flooding the terminal.
    return clip(repr(value), 80)


def _country(value: Any, where: str) -> Country:
    side = _table(value, where)
    name = _text(side, "name", where)
    code = _text(side, "code", where).upper()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise ValueError(f"{where}: code must be an ISO 3166-1 alpha-2 code, got {code!r}")
    return Country(
        code=code,
        name=name,
        aliases=_words(side, "aliases", where, [name]),
    )


def _topic(value: Any, where: str, key: str) -> Topic:
    entry = _table(value, where)
    topic_id = _text(entry, "id", where)
    return Topic(
        id=topic_id,
        label=_text(entry, "label", where, topic_id),
        key=key,
        keywords=_words(entry, "keywords", where, []),
        frame=_flag(entry, "frame", where),
    )


def _flag(entry: dict[str, Any], name: str, where: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: {name} must be true or false, got {value!r}")
    return value


# The most each [refresh] setting may be: beyond these a refresh would overflow a date
# (max_backoff_hours = 1e300), open thousands of sockets or hold gigabytes per feed.
_REFRESH_MOST: dict[str, float] = {
    "concurrency": 256,
    "per_host": 64,
    "deadline": 3600.0,
    "max_bytes": 1024 * 1024 * 1024,
    "max_redirects": 50,
    "max_backoff_hours": 24.0 * 366,
}


def _refresh(table: dict[str, Any]) -> RefreshSettings:
    defaults = RefreshSettings()
    unknown = set(table) - set(RefreshSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown [refresh] setting(s): {', '.join(sorted(unknown))}")
    for name, value in table.items():
        wanted = type(getattr(defaults, name))
        # An int where a float is expected is fine (deadline = 30); a bool is never a number.
        fits = isinstance(value, int | float if wanted is float else int)
        least = 0 if name == "max_redirects" else 1e-9  # 0 redirects means follow none
        most = _REFRESH_MOST[name]
        if isinstance(value, bool) or not fits or not least <= value <= most:
            kind = "a whole number" if wanted is int else "a number"
            above = "of 0 or more" if least == 0 else "above 0"
            raise ValueError(
                f"[refresh] {name} must be {kind} {above} and at most {most:g}, got {value!r}"
            )
    return RefreshSettings(**table)
