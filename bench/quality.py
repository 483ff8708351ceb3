"""`python -m bench --only quality`: what one real refresh keeps of the labelled corpus.

Every `bench/corpus/*.jsonl` item is served as RSS on 127.0.0.1, one feed per `feed` key;
`gnews-*` feeds look like Google News (news.google.com redirect links, " - Outlet" titles and
`<source>`). One `amity refresh` runs into a fresh store, and the stored articles and events are
scored against the labels (issue 8's table), one column per split the corpus files name: the dev
half, the holdout half, each sealed set (items gathered after the rules were tuned, for an honest
estimate: `sealed` and `sealed-2`, since read while tuning, then `sealed-3`, ...) and all.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# The tests' local feed server (tests/feedserver.py), in a thread: one server for both.
from tests.feedserver import in_thread

from .peers import amity_command

CORPUS = Path(__file__).resolve().parent / "corpus"
# The table's column order; any other split a corpus file names (a later sealed set) follows.
SPLITS = ("dev", "holdout", "sealed", "sealed-2", "sealed-3")
# Column headings that say which sealed sets were read while tuning (no longer an estimate on
# unseen news) and which one has not been.
HEADINGS = {
    "sealed": "sealed (seen)",
    "sealed-2": "sealed-2 (seen)",
    "sealed-3": "sealed-3 (unseen)",
}
Say = Callable[[str], None]


def load_corpus(folder: Path = CORPUS, pattern: str = "*.jsonl") -> list[dict[str, Any]]:
    """Every labelled item of every corpus file."""
    items = []
    for path in sorted(folder.glob(pattern)):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def served_url(item: Mapping[str, Any]) -> str:
    """The link a feed gives for the item: Google News copies get a redirect link."""
    if item["feed"].startswith("gnews-"):
        token = hashlib.sha1(item["id"].encode()).hexdigest()
        return f"https://news.google.com/rss/articles/CBMi{token}?oc=5"
    return item["url"]


def rss(items: Iterable[Mapping[str, Any]], title: str) -> bytes:
    """One RSS 2.0 document; Google News items as Google News writes them."""
    entries = []
    for item in items:
        headline, source = item["title"], ""
        if item["feed"].startswith("gnews-"):
            if not headline.endswith(" - " + item["outlet"]):
                headline += " - " + item["outlet"]
            home = "/".join(item["url"].split("/")[:3])
            source = f"<source url={quoteattr(home)}>{escape(item['outlet'])}</source>"
        entries.append(
            f"<item><title>{escape(headline)}</title><link>{escape(served_url(item))}</link>"
            f'<guid isPermaLink="false">{escape(item["id"])}</guid>'
            f"<pubDate>{_rfc822(item['published'])}</pubDate>"
            f"<description>{escape(item.get('summary') or '')}</description>{source}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.org/</link>"
        f"<description>corpus</description>{''.join(entries)}</channel></rss>\n"
    ).encode()


def _rfc822(day: str) -> str:
    import datetime as dt

    moment = dt.datetime.fromisoformat(day[:10]).replace(hour=9, tzinfo=dt.UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


class CorpusServer:
    """The corpus as feeds on 127.0.0.1, one path per feed key, in a thread."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        by_feed: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            by_feed[item["feed"]].append(item)
        self.bodies = {f"/{key}.xml": rss(group, key) for key, group in sorted(by_feed.items())}
        self.urls: list[str] = []  # every feed's URL, once serving
        self._serving = in_thread()

    def __enter__(self) -> CorpusServer:
        server = self._serving.__enter__()
        kind = "application/rss+xml; charset=utf-8"
        self.urls = [
            server.serve(path, body, Content_Type=kind) for path, body in self.bodies.items()
        ]
        return self

    def __exit__(self, *exc: object) -> None:
        self._serving.__exit__(*exc)


def refresh_into(folder: Path, urls: list[str], config: str = "") -> dict[str, Any]:
    """Subscribe a fresh store to `urls` (defaults removed), run `amity refresh` once, and
    return the store document."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(config)
    env = {**_environ(), "AMITY_CONFIG": str(folder / "config.toml")}
    db = [*amity_command(), "--db", str(folder / "amity.json")]

    def amity(*words: str) -> str:
        proc = subprocess.run([*db, *words], capture_output=True, text=True, env=env)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"amity {' '.join(words)}: {proc.stderr.strip()[-300:]}")
        return proc.stdout

    for feed in json.loads(amity("feeds", "list", "--json")):
        amity("feeds", "remove", feed["url"])
    for url in urls:
        amity("feeds", "add", url)
    amity("refresh", "--quiet")
    return json.loads((folder / "amity.json").read_text(encoding="utf-8"))


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


@dataclass
class Outcome:
    """Where each corpus item ended up: its stored article's event ("" when dropped)."""

    event_of: dict[str, str]
    events: dict[str, dict[str, Any]]


def outcome(items: list[dict[str, Any]], document: Mapping[str, Any]) -> Outcome:
    """Map each item (by id) to the event its article joined, from the store document."""
    by_url: dict[str, str] = {}
    for record in document.get("articles", {}).values():
        for url in (record["url"], *record.get("also", ())):
            by_url[url] = record.get("event", "")
    event_of = {}
    for item in items:
        url = served_url(item)
        event_of[item["id"]] = by_url.get(url) or by_url.get(_canonical(url), "")
    return Outcome(event_of, dict(document.get("events", {})))


def _canonical(url: str) -> str:
    from amity.feeds.articles import canonical_url

    return canonical_url(url)


def score(items: list[dict[str, Any]], result: Outcome) -> dict[str, float]:
    """Issue 8's measures over `items`."""
    event_of, events = result.event_of, result.events
    kept = [i for i in items if event_of[i["id"]]]
    relevant = [i for i in items if i["relevant"]]
    hits = [i for i in kept if i["relevant"]]
    row: dict[str, float] = {
        "items": len(items),
        "kept": len(kept),
        "precision": _ratio(len(hits), len(kept)),
        "recall": _ratio(len(hits), len(relevant)),
    }
    for lang in ("ja", "it", "en"):
        mine = [i for i in relevant if i["lang"] == lang]
        row[f"recall_{lang}"] = _ratio(sum(1 for i in mine if event_of[i["id"]]), len(mine))
    # Topics: each kept report's labels against its event's topics. Curated milestones keep
    # their curated topics (issue 8), so only events amity tags measure the rules; reports of
    # milestones are scored on their own row, and all together on a third.
    curated = {key for key, event in events.items() if event.get("origin") == "curated"}
    row["topic_f1"] = _topic_f1([i for i in hits if event_of[i["id"]] not in curated], result)
    row["topic_f1_curated"] = _topic_f1([i for i in hits if event_of[i["id"]] in curated], result)
    row["topic_f1_all"] = _topic_f1(hits, result)
    originals = [i for i in hits if not i.get("gn_copy") and i.get("happening")]
    row.update(_bcubed(originals, event_of))
    reports = [i for i in hits if i.get("milestone")]
    joined = sum(1 for i in reports if _is_milestone(events.get(event_of[i["id"]]), i))
    row["milestone_join"] = _ratio(joined, len(reports))
    row["milestone_reports"] = len(reports)
    by_id = {i["id"]: i for i in items}
    strays = 0
    for item in kept:
        original = by_id.get(item.get("copy_of") or "")
        if item.get("gn_copy") and original and event_of[original["id"]]:
            strays += event_of[item["id"]] != event_of[original["id"]]
    row["gn_strays"] = strays
    return row


def _topic_f1(items: list[dict[str, Any]], result: Outcome) -> float:
    tp = fp = fn = 0
    for item in items:
        got = set(result.events.get(result.event_of[item["id"]], {}).get("topics", ()))
        wanted = set(item["topics"])
        tp, fp, fn = tp + len(got & wanted), fp + len(got - wanted), fn + len(wanted - got)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _is_milestone(event: Mapping[str, Any] | None, item: Mapping[str, Any]) -> bool:
    return event is not None and _curated(event) and event["date"] == item["milestone"]


def _curated(event: Mapping[str, Any] | None) -> bool:
    return event is not None and event.get("origin") == "curated"


def _bcubed(items: list[dict[str, Any]], event_of: Mapping[str, str]) -> dict[str, float]:
    if not items:
        return {"bcubed_f1": float("nan"), "events_per_happening": float("nan")}
    clusters: dict[str, set[str]] = defaultdict(set)
    golds: dict[str, set[str]] = defaultdict(set)
    for item in items:
        clusters[event_of[item["id"]]].add(item["id"])
        golds[item["happening"]].add(item["id"])
    precision = recall = 0.0
    for item in items:
        cluster, gold = clusters[event_of[item["id"]]], golds[item["happening"]]
        both = len(cluster & gold)
        precision += both / len(cluster)
        recall += both / len(gold)
    precision, recall = precision / len(items), recall / len(items)
    spread = [len({event_of[i] for i in ids}) for ids in golds.values()]
    return {
        "bcubed_f1": _ratio(2 * precision * recall, precision + recall),
        "events_per_happening": sum(spread) / len(spread),
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


# (row label, key, target, higher is better)
ROWS = (
    ("relevance precision", "precision", 0.92, True),
    ("relevance recall, all languages", "recall", 0.88, True),
    ("recall, Japanese", "recall_ja", 0.85, True),
    ("recall, Italian", "recall_it", 0.9, True),
    ("recall, English", "recall_en", 0.9, True),
    ("topic micro-F1, events amity tags", "topic_f1", 0.82, True),
    ("topic micro-F1, curated milestones (curated topics)", "topic_f1_curated", None, True),
    ("topic micro-F1, every kept report", "topic_f1_all", None, True),
    ("clustering B-cubed F1", "bcubed_f1", 0.85, True),
    ("events per happening", "events_per_happening", None, False),
    ("milestone reports joining the milestone", "milestone_join", 0.85, True),
    ("Google News copies in another event", "gn_strays", 0, False),
)


def table(rows: Mapping[str, Mapping[str, float]]) -> str:
    """Issue 8's table, one column per half."""
    names = list(rows)
    out = [
        "| measure | " + " | ".join(names) + " | target |",
        "|---|" + "---:|" * len(names) + "---|",
    ]
    for label, key, target, higher in ROWS:
        cells = [_cell(rows[n][key], key) for n in names]
        aim = "" if target is None else (f"≥ {target:g}" if higher else f"= {target:g}")
        mark = ""
        if target is not None:
            missed = [n for n in _judged(names) if not _meets(rows[n][key], target, higher)]
            mark = f" **not met** ({', '.join(missed)})" if missed else ""
        out.append(f"| {label} | " + " | ".join(cells) + f" | {aim}{mark} |")
    counts = ", ".join(f"{n}: {int(rows[n]['items'])} items" for n in names)
    judged = " and ".join(_judged(names))
    out.append(f"\n({counts}; targets judged on {judged})")
    return "\n".join(out)


def _judged(names: list[str]) -> list[str]:
    """The halves whose numbers the targets are judged on: the held-out ones, else the first."""
    held = [n for n in names if n not in ("dev", "all")]
    return held or names[:1]


def _meets(value: float, target: float, higher: bool) -> bool:
    return value >= target if higher else value <= target


def _cell(value: float, key: str) -> str:
    if value != value:  # nan: nothing to measure in this half
        return "–"
    if key in ("gn_strays",):
        return str(int(value))
    return f"{value:.2f}"


def run(work: Path, say: Say) -> str:
    """Serve the corpus, refresh once, score: the Markdown table."""
    items = load_corpus()
    if not items:
        return "no corpus items in bench/corpus/"
    say(f"quality: {len(items)} corpus items, one refresh")
    with CorpusServer(items) as server:
        document = refresh_into(work / "quality", server.urls)
    result = outcome(items, document)
    halves = halves_of(items)
    rows = {name: score(part, result) for name, part in halves.items()}
    return table(rows) + "\n\n" + misses(halves, result)


def halves_of(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The items of each split present, named as the table's columns, in its order, then all."""
    present = {item["split"] for item in items}
    order = [s for s in SPLITS if s in present] + sorted(present - set(SPLITS))
    halves = {HEADINGS.get(s, s): [i for i in items if i["split"] == s] for s in order}
    return {**halves, "all": items}


def misses(halves: Mapping[str, list[dict[str, Any]]], result: Outcome) -> str:
    """What each half got wrong, by category only (look-alike kind, language), so a half can be
    diagnosed without reading its items one by one."""
    out = [
        "| half | look-alikes kept | reports dropped | milestone reports elsewhere "
        "| reports on a milestone they do not report |",
        "|---|---|---|---|---|",
    ]
    for name, items in halves.items():
        kept = [i for i in items if result.event_of[i["id"]]]
        wrong = _counts(i["lookalike"] for i in kept if not i["relevant"])
        lost = _counts(i["lang"] for i in items if i["relevant"] and not result.event_of[i["id"]])
        # Each kept report with its event, and whether that event is the milestone it reports.
        joined = [
            (i, event, _is_milestone(event, i))
            for i in kept
            if i["relevant"]
            for event in [result.events.get(result.event_of[i["id"]])]
        ]
        elsewhere = _counts(i["lang"] for i, _, ok in joined if i.get("milestone") and not ok)
        misjoined = _counts(i["lang"] for i, event, ok in joined if _curated(event) and not ok)
        out.append(f"| {name} | {wrong} | {lost} | {elsewhere} | {misjoined} |")
    return "\n".join(out)


def _counts(keys: Iterable[str]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(Counter(keys).items())) or "–"
