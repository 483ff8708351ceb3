"""Replay the topic step on one quality run's clustering: `python -m bench.topic_replay STORE`.

STORE is the `quality/amity.json` a `python -m bench --only quality --keep` run leaves in its
work folder. Every stored report is judged again with the rules as they are now and each feed
event's topics are pooled as a refresh pools them (feeds/cluster.py), while the clustering stays
the run's: a topic rule or word list can be tried in a second instead of a refresh. Prints
topic micro-F1 of the events amity tags and of every kept report's own topics, per split.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from amity.feeds.articles import canonical_url
from amity.feeds.classify import frame_of, judge, topics_of
from amity.store import Config

from .quality import Outcome, _topic_f1, halves_of, load_corpus, outcome, served_url


def replay(document: dict[str, Any], config: Config) -> dict[str, tuple[float, float]]:
    """(events amity tags, each report's own topics) topic micro-F1 per split."""
    items = load_corpus()
    found = outcome(items, document)
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    own: dict[str, tuple[str, ...]] = {}
    weights: dict[str, dict[str, int]] = {}
    for record in document.get("articles", {}).values():
        if record.get("event"):
            reports[record["event"]].append(record)
            verdict = judge(record["title"], record["summary"], config)
            for url in (record["url"], *record.get("also", ())):
                own[url] = verdict.topic_ids
            weights[record["url"]] = verdict.topics
    events = {}
    for key, event in document.get("events", {}).items():
        event = dict(event)
        mine = reports[key]
        if event.get("origin") == "feed" and mine:
            pooled: Counter[str] = Counter()
            for record in mine:
                pooled.update(weights[record["url"]])
            average = {t: n / len(mine) for t, n in pooled.items()}
            tagged = topics_of(average, frame_of(config))
            event["topics"] = [t for t in config.topic_ids if t in tagged]
        events[key] = event
    again = Outcome(found.event_of, events)
    curated = {k for k, e in events.items() if e.get("origin") == "curated"}
    scores = {}
    for name, part in halves_of(items).items():
        kept = [i for i in part if i["relevant"] and again.event_of[i["id"]]]
        amitys = [i for i in kept if again.event_of[i["id"]] not in curated]
        tp = fp = fn = 0
        for item in kept:
            url = served_url(item)
            got = set(own.get(url) or own.get(canonical_url(url), ()))
            wanted = set(item["topics"])
            tp, fp, fn = tp + len(got & wanted), fp + len(got - wanted), fn + len(wanted - got)
        scores[name] = (_topic_f1(amitys, again), 2 * tp / max(2 * tp + fp + fn, 1))
    return scores


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    document = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    scores = replay(document, Config())
    print("| topic micro-F1 | " + " | ".join(scores) + " |")
    print("|---|" + "---:|" * len(scores))
    for n, row in enumerate(("events amity tags", "every kept report's own topics")):
        print(f"| {row} | " + " | ".join(f"{s[n]:.3f}" for s in scores.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
