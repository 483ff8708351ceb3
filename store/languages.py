"""Per-language wording of the relationship, as data: how each language names the two sides,
signals a relationship, names topics and kinds, and what look-alikes say (negative evidence).

The built-in languages live in `store/data/lang-*.toml`; a config file adds more, or more terms
to a built-in one, with `[[languages]]` tables of the same shape (see README, "Languages").
Terms are lower case; "word*" matches every word starting with "word"; terms holding kana or
kanji match anywhere in the text (scripts without spaces).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .paths import DATA

Terms = tuple[str, ...]
Groups = tuple[tuple[str, Terms], ...]

_GROUPS = ("sides", "entities", "topics", "context", "kinds", "negative", "months")
_LISTS = ("markers", "cues", "joint", "people", "leaders", "periods")
BUILTIN = ("en", "it", "ja")


@dataclass(frozen=True, slots=True)
class Language:
    """One language's terms. `sides` maps a country code to the words naming it; `entities`
    maps a language-independent id (meloni, acsa, cavour) to its spellings here; `joint` lists
    the entity ids whose mention alone ties a report to the relationship (joint programmes);
    `people` lists "CODE:entity" for people of each side (leaders, ministers); `leaders` the
    entity ids of heads of state and government and foreign ministers, whose acts are the
    frame topic's (diplomacy's) evidence; `periods` the entity ids that name a span of many
    happenings (an anniversary year), which tie a report to a curated milestone, not to another
    report; `context` maps a topic to words that set its scene
    (an embassy, relations) and add to its evidence only where one of its own `topics` words
    is found; `negative` maps a look-alike kind (sport, market, ...) to its tell-tale words, with
    "others" naming third countries; `markers` are common words that identify the language;
    `months` maps a month's number ("1".."12") to its names, for the days an article states."""

    code: str
    markers: Terms = ()
    cues: Terms = ()
    joint: Terms = ()
    people: Terms = ()
    leaders: Terms = ()
    periods: Terms = ()
    sides: Groups = ()
    entities: Groups = ()
    topics: Groups = ()
    context: Groups = ()
    kinds: Groups = ()
    negative: Groups = ()
    months: Groups = ()

    def merged(self, other: Language) -> Language:
        """This language with `other`'s terms added (a config extending a built-in one)."""
        lists = {name: _union(getattr(self, name), getattr(other, name)) for name in _LISTS}
        groups = {name: _merge(getattr(self, name), getattr(other, name)) for name in _GROUPS}
        fields: dict[str, Any] = {**lists, **groups}
        return Language(self.code, **fields)


def language_from(data: Any, where: str) -> Language:
    """A Language from its TOML table; ValueError naming `where` and the setting if malformed."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where} must be a table")
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"{where}: code must be non-empty text, got {code!r}")
    unknown = set(data) - {"code", *_LISTS, *_GROUPS}
    if unknown:
        raise ValueError(f"{where}: unknown setting(s): {', '.join(sorted(unknown))}")
    lists = {name: _terms(data.get(name, []), f"{where}: {name}") for name in _LISTS}
    groups = {}
    for name in _GROUPS:
        table = data.get(name, {})
        if not isinstance(table, Mapping):
            raise ValueError(f"{where}: {name} must be a table of lists")
        groups[name] = tuple(
            (str(key), _terms(value, f"{where}: {name}.{key}")) for key, value in table.items()
        )
    months = {key for key, _names in groups["months"]} - {str(n) for n in range(1, 13)}
    if months:
        raise ValueError(f"{where}: months are numbered 1 to 12, got {', '.join(sorted(months))}")
    fields: dict[str, Any] = {**lists, **groups}
    return Language(code.strip().lower(), **fields)


@cache
def builtin_languages() -> tuple[Language, ...]:
    """The languages amity ships with (English, Italian, Japanese)."""
    return tuple(
        language_from(tomllib.loads((DATA / f"lang-{code}.toml").read_text("utf-8")), code)
        for code in BUILTIN
    )


def all_languages(extra: Iterable[Language] = ()) -> tuple[Language, ...]:
    """The built-in languages with a config's languages merged in (same code) or added."""
    by_code = {language.code: language for language in builtin_languages()}
    for language in extra:
        known = by_code.get(language.code)
        by_code[language.code] = known.merged(language) if known else language
    return tuple(by_code.values())


def _terms(value: Any, where: str) -> Terms:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of text, got {value!r}")
    return tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))


def _union(a: Terms, b: Terms) -> Terms:
    return tuple(dict.fromkeys((*a, *b)))


def _merge(a: Groups, b: Groups) -> Groups:
    merged = dict(a)
    for key, terms in b:
        merged[key] = _union(merged.get(key, ()), terms)
    return tuple(merged.items())
