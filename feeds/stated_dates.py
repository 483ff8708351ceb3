"""Days an article states in its text ("16 January", "January 16", "il 5 settembre", "1月16日",
"dal 3 al 9 marzo", "1月15〜17日"), so that a preview or a follow-up dated weeks away from its
happening can still be told to report it.

Month names are per-language data (`months` in store/data/lang-*.toml; a config adds them for
another language). Scripts written without spaces (Japanese, Chinese) write the month as a
number, "1月16日": that form is read in any text. Text is normalised first, so full-width digits
(１月１６日) read as plain ones. A year is kept where the text gives one next to the day.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from amity.store import Config

from .classify import per_config
from .matcher import normalise

_DIGIT = re.compile(r"\d")
RANGE_DAYS = 10  # "from the 3rd to the 9th": every day between, for a span no longer than this
_DAY = r"(\d{1,2})(?!\d)(?:st|nd|rd|th|°|º)?"
_TO = r"\s*(?:-|–|—|/|&|,|to|and|al|e|ed)\s*"
_YEAR = r"(?:,?\s+(\d{4})(?!\d))?"
_CJK = re.compile(
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})(?:日|(?=[〜~\-–]|から))"
    r"(?:(?:[〜~\-–]|から)(?:\d{1,2}月)?(\d{1,2})日)?"
)


class StatedDay(NamedTuple):
    """A day named in a text: month and day, and the year where the text gives it."""

    month: int
    day: int
    year: int | None = None


def stated_days(text: str, config: Config) -> frozenset[StatedDay]:
    """Every day `text` names with its month, in any configured language or as 1月16日."""
    folded = normalise(text)
    found: set[StatedDay] = set()
    if not _DIGIT.search(folded):  # most headlines and leads: no day to read
        return frozenset()
    if "月" in folded:
        for year, month, first, last in _CJK.findall(folded):
            found.update(_span(int(month), first, last, year))
    day_first, month_first, months, shortest = _patterns(config)
    if any(name in folded for name in shortest):  # a month named, or a word holding one
        for first, last, name, year in day_first.findall(folded):
            found.update(_span(months[name], first, last, year))
        for name, first, last, year in month_first.findall(folded):
            found.update(_span(months[name], first, last, year))
    return frozenset(found)


def _span(month: int, first: str, last: str, year: str) -> list[StatedDay]:
    start = int(first)
    end = int(last or first)
    if not start <= end <= start + RANGE_DAYS:  # "5, 30 September" is two days, not a span
        end = start
    if not (1 <= month <= 12 and start >= 1 and end <= 31):
        return []
    return [StatedDay(month, day, int(year) if year else None) for day in range(start, end + 1)]


@per_config
def _patterns(
    config: Config,
) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int], tuple[str, ...]]:
    from amity.store.languages import all_languages

    months: dict[str, int] = {}
    for language in all_languages(config.languages):
        for number, spellings in language.months:
            months.update(dict.fromkeys((normalise(n) for n in spellings), int(number)))
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True)) or "(?!)"
    day_first = re.compile(
        rf"(?<![\d.]){_DAY}(?:{_TO}{_DAY})?\s+(?:of\s+|di\s+)?({names})\b{_YEAR}"
    )
    month_first = re.compile(rf"\b({names})\.?\s+{_DAY}(?:{_TO}{_DAY})?{_YEAR}")
    # The month names no other name holds ("jan", not "january"): looked for before searching.
    shortest = tuple(n for n in months if not any(o != n and o in n for o in months))
    return day_first, month_first, months, shortest
