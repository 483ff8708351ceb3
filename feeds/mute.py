"""The refresh's side of mute rules: articles a rule matches are dropped before clustering, the
way newsboat's ignore-article drops them (the rules themselves live in store/mutes.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from amity.store.mutes import MuteRule

from .articles import Article


def unmuted(articles: Iterable[Article], feed_url: str, rules: Sequence[MuteRule]) -> list[Article]:
    """The articles of one feed that no rule mutes."""
    if not rules:
        return list(articles)
    feeds = (feed_url,)
    kept = []
    for article in articles:
        text = f"{article.title}\n{article.summary}".casefold()  # once per article, not per rule
        if not any(rule.matches(text, feeds) for rule in rules):
            kept.append(article)
    return kept
