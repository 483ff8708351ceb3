"""`amity explain`: why an article was kept or dropped, headless (no textual).

A stored article (by its URL, or a Google News link of it) shows the evidence recorded when it
was kept and today's verdict under the current rules; `--feed URL` fetches that feed now and
explains each of its entries (or only the one named), so a dropped article can be explained
too; plain text is judged as a headline (with `--lead`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import click
from amity.feeds.articles import Article, canonical_url, is_web_url
from amity.feeds.classify import Verdict, judge
from amity.feeds.fetch import FetchError, fetch, make_client
from amity.feeds.parse import ParseError, parse_feed
from amity.store import clean_text

from .output import print_json, say, table
from .session import session_of


@click.command("explain")
@click.argument("target", required=False)
@click.option("--lead", default="", help="With a headline as TARGET: its lead or summary.")
@click.option("--feed", "feed_url", metavar="URL", help="Fetch this feed now and explain it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def explain_command(
    ctx: click.Context, target: str | None, lead: str, feed_url: str | None, as_json: bool
) -> None:
    """Why an article is kept or dropped: TARGET is an article's URL or a headline."""
    session = session_of(ctx)
    config = session.config
    if feed_url:
        if not is_web_url(feed_url):
            raise click.BadParameter(
                f"expected an http(s) URL, got {feed_url!r}", param_hint="--feed"
            )
        rows = [_row(a, judge(a.title, a.summary, config)) for a in _fetched(feed_url, config)]
        if target:
            wanted = canonical_url(target)
            rows = [r for r in rows if r["url"] == wanted]
            if not rows:
                raise click.UsageError(f"{target}: not an entry of {feed_url}")
        _show(rows, as_json)
        return
    if not target:
        raise click.UsageError("give an article URL or a headline (or --feed URL)")
    if not is_web_url(target):
        _show([_row(None, judge(target, lead, config), title=target)], as_json)
        return
    record = _stored(session.store(), canonical_url(target))
    if record is None:
        say(
            f"amity: {target} is not stored: amity keeps only articles about the pair. "
            "Add --feed FEED_URL to fetch its feed and see the decision."
        )
        raise SystemExit(1)
    verdict = judge(record.get("title", ""), record.get("summary", ""), config)
    row = _row(None, verdict, title=record.get("title", ""), url=record["url"])
    row["event"] = record.get("event") or None
    row["stored_why"] = record.get("why")
    _show([row], as_json)


def _stored(store: Any, url: str) -> dict[str, Any] | None:
    with store.transaction() as txn:
        for record in txn.articles().values():
            if record.get("url") == url or url in record.get("also", ()):
                return record
    return None


def _fetched(url: str, config: Any) -> tuple[Article, ...]:
    async def get() -> tuple[Article, ...]:
        async with make_client(config.refresh) as client:
            fetched = await fetch(client, url, config.refresh)
        body = fetched.content(config.refresh.max_bytes)
        return parse_feed(body, fetched.url, charset=fetched.charset).articles

    try:
        return asyncio.run(get())
    except (FetchError, ParseError) as exc:
        raise click.ClickException(f"{url}: {exc}") from None


def _row(article: Article | None, verdict: Verdict, **known: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "url": article.url if article else known.get("url"),
        "title": article.title if article else known.get("title", ""),
        "kept": verdict.relevant,
    }
    row.update(verdict.why())
    row["topics"] = list(verdict.topic_ids)
    return row


def _show(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    if len(rows) == 1:
        row = rows[0]
        say(f"{'kept' if row['kept'] else 'dropped'}: {clean_text(row['rule'])}")
        for key in ("title", "url", "lang", "score", "terms", "against", "topics", "event"):
            value = row.get(key)
            if value not in (None, "", []):
                shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                print(f"{key}: {clean_text(shown)}")
        return
    table(
        ["kept", "score", "rule", "title"],
        [["yes" if r["kept"] else "no", f"{r['score']:g}", r["rule"], r["title"]] for r in rows],
        flex=3,
    )
