"""A slice of the labelled corpus (tests/data/quality-slice.jsonl: dev items in three languages,
look-alikes of every kind, Google News copies) through one real refresh: what `python -m bench
--only quality` measures on the whole corpus, kept from sliding back."""

from __future__ import annotations

import sys
from pathlib import Path

from amity.feeds import refresh
from feedserver import short_config, store_with

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import (  # noqa: E402
    CorpusServer,
    Outcome,
    halves_of,
    load_corpus,
    misses,
    outcome,
    score,
)


async def test_the_slice_is_kept_clustered_and_tagged_as_labelled(tmp_path):
    items = load_corpus(Path(__file__).parent / "data", "quality-slice.jsonl")
    with CorpusServer(items) as server:
        store = store_with(tmp_path / "db.json", server.urls)
        await refresh(store, short_config())
    with store.transaction() as txn:
        document = {"articles": txn.articles(), "events": {}}
    document["events"] = {e.id: e.to_dict() for e in store.snapshot().events}
    row = score(items, outcome(items, document))

    assert row["precision"] >= 0.92 and row["recall"] >= 0.9, row
    assert min(row["recall_ja"], row["recall_it"], row["recall_en"]) >= 0.85, row
    assert row["bcubed_f1"] >= 0.85 and row["milestone_join"] >= 0.85, row
    assert row["topic_f1"] >= 0.82 and row["topic_f1_all"] >= 0.6, row
    assert row["gn_strays"] == 0, row


def test_the_misses_are_counted_by_category_for_each_half():
    summit = "2026-01-16"
    items = [
        {"id": "en-1", "lang": "en", "relevant": False, "lookalike": "sport", "milestone": None},
        {"id": "ja-1", "lang": "ja", "relevant": True, "lookalike": None, "milestone": None},
        {"id": "it-1", "lang": "it", "relevant": True, "lookalike": None, "milestone": summit},
        # a report of another happening that joined the curated summit: a misjoin
        {"id": "en-2", "lang": "en", "relevant": True, "lookalike": None, "milestone": None},
    ]
    events = {"e1": {"origin": "feed", "date": summit}, "c1": {"origin": "curated", "date": summit}}
    result = Outcome({"en-1": "e1", "ja-1": "", "it-1": "e1", "en-2": "c1"}, events)

    table = misses({"sealed": items}, result)

    assert "| sealed | sport 1 | ja 1 | it 1 | en 1 |" in table


def test_the_table_has_a_column_for_each_split_the_corpus_names():
    splits = ["sealed-3", "sealed-2", "dev", "sealed", "holdout", "dev"]
    items = [
        {"id": f"en-{n}", "lang": "en", "split": split, "relevant": False}
        for n, split in enumerate(splits)
    ]

    halves = halves_of(items)

    assert list(halves) == [
        "dev",
        "holdout",
        "sealed (seen)",
        "sealed-2 (seen)",
        "sealed-3 (unseen)",
        "all",
    ]
    assert [len(part) for part in halves.values()] == [2, 1, 1, 1, 1, 6]
