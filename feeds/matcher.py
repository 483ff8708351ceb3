"""Every term of every language found in one pass over a text, in any script.

Text is normalised first (NFKC, so ＡＣＳＡ and Ｇ７ read as acsa and g7, then case-folded).
Words of scripts with spaces are looked up in a table built once (whole words, phrases of
consecutive words, and "prefix*" terms for inflected words such as giappone/giapponesi);
terms in scripts without spaces (kana, kanji, hangul) are found as substrings. A word's table
entries are remembered, so a refresh pays one dictionary lookup per word: about ten times
cheaper than the fourteen case-insensitive regular expressions this replaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from amity.store.text import SPACELESS, spaceless_run

_HAS_SPACELESS = spaceless_run()
# Words: letters and digits of scripts that separate words, so "gcapの" still yields "gcap".
_WORD = re.compile(rf"[^\W_{SPACELESS}]+")


class Hit(NamedTuple):
    """One term found: what it signals (`what`, `key`), its language ("*" for any) and term."""

    what: str
    key: str
    lang: str
    term: str


def normalise(text: str) -> str:
    """Text as terms are compared: NFKC (full-width letters and digits made plain), case-folded."""
    if text.isascii():  # NFKC leaves ASCII as it is
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> list[str]:
    """The words of normalised text in scripts that separate words."""
    return _WORD.findall(text)


class Matcher:
    """Finds terms in normalised text. Built from (term, Hit) pairs; each term may signal
    several things (Meloni names Italy and is the entity "meloni")."""

    def __init__(self, entries: Iterable[tuple[str, Hit]]) -> None:
        self._words: dict[str, list[Hit]] = {}
        self._prefixes: dict[str, list[Hit]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], Hit]]] = {}
        substrings: dict[str, list[Hit]] = {}
        for raw, hit in entries:
            term = normalise(raw).strip()
            hit = hit._replace(term=term)
            parts = words(term)
            if _HAS_SPACELESS.search(term):
                substrings.setdefault(term, []).append(hit)
            elif len(parts) == 1 and term.endswith("*"):
                self._prefixes.setdefault(parts[0], []).append(hit)
            elif len(parts) == 1:
                self._words.setdefault(parts[0], []).append(hit)
            elif parts:
                self._phrases.setdefault(parts[0], []).append((tuple(parts[1:]), hit))
        self._substrings = tuple((term, tuple(hits)) for term, hits in substrings.items())
        # A term inside a longer term of the other side of the scale counts only where it
        # stands outside it: the Pope (ローマ教皇) is not Rome (ローマ), and Crosetto
        # (クロセット) is no volleyball set (セット). Within one side both count (イタリア館
        # is still Italy).
        tells = {t for t, hits in substrings.items() if any(h.what == "against" for h in hits)}
        self._within = {
            term: tuple(
                other
                for other in substrings
                if term in other and other != term and (other in tells) != (term in tells)
            )
            for term in substrings
        }
        self._lengths = sorted({len(p) for p in self._prefixes})
        # Filled from several parse threads: a word always maps to the same hits, so a race
        # only computes one twice.
        self._seen: dict[str, tuple[Hit, ...]] = {}

    def find(self, text: str) -> list[Hit]:
        """Every term in normalised `text`, once per distinct word (phrases once per place)."""
        found: list[Hit] = []
        seen, phrases = self._seen, self._phrases
        tokens = _WORD.findall(text)
        distinct = dict.fromkeys(tokens)
        for token in distinct:
            hits = seen.get(token)
            if hits is None:
                hits = seen[token] = self._word_hits(token)
            if hits:
                found.extend(hits)
        if not phrases.keys().isdisjoint(distinct):
            for index, token in enumerate(tokens):
                for rest, hit in phrases.get(token, ()):
                    if tuple(tokens[index + 1 : index + 1 + len(rest)]) == rest:
                        found.append(hit)
        if self._substrings and not text.isascii() and _HAS_SPACELESS.search(text):
            present = [(term, hits) for term, hits in self._substrings if term in text]
            names = {term for term, _hits in present}
            for term, hits in present:
                longer = [other for other in self._within[term] if other in names]
                if longer and term not in without(text, longer):
                    continue
                found.extend(hits)
        return found

    def _word_hits(self, token: str) -> tuple[Hit, ...]:
        hits = list(self._words.get(token, ()))
        for length in self._lengths:
            if length > len(token):
                break
            # An inflected word is explained by itself (giapponesi), not by its pattern.
            hits.extend(h._replace(term=token) for h in self._prefixes.get(token[:length], ()))
        return tuple(hits)


def without(text: str, terms: Iterable[str]) -> str:
    """`text` with each of `terms` blanked out (for terms of scripts without spaces)."""
    for term in terms:
        text = text.replace(term, "\x00")
    return text
