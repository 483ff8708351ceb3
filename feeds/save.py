"""The save phase of a refresh: decide on an unlocked read, then write the changes in one
transaction under the writer lock (or nothing at all when nothing changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from amity.store import Config, Store, Transaction, format_iso
from amity.store.checked import record_check

from .decide import Changes, Decision, Outcome, all_not_modified, decide, unchanged

_ATTEMPTS = 3  # unlocked decisions made stale by another writer, before deciding under the lock


def save(
    store: Store,
    config: Config,
    outcomes: Sequence[Outcome],
    now: dt.datetime,
    *,
    complete: bool = True,
    decision: Decision | None = None,
) -> Changes:
    """Fold every completed outcome into the store in one transaction (no write if nothing
    changed, e.g. when every feed was not modified). A `complete` refresh in which not every
    fetched feed failed is recorded as a check in the sidecar (see checked.py).

    Clustering is CPU work that grows with the store (13-18 s at 120k events), so it is
    worked out on an unlocked read and the writer lock is held only to write the result; if
    another process wrote the store in between, it is worked out again. A `decision` already
    under way (made as the answers arrived, from an unlocked read) is finished and tried first."""
    stamp = format_iso(now)
    nothing = _unchanged(store, config, outcomes, now, stamp)
    if nothing is not None:
        if complete:
            with store.writer_lock():  # the sidecar's temporary file, away from the sweep
                record_check(store, stamp)
        return nothing
    # When every feed failed and no server answered, the network is down: record the errors
    # but do not count them against the feeds.
    network_down = bool(outcomes) and all(
        o.error is not None and not o.error.answered for o in outcomes
    )
    checked = complete and (not outcomes or any(o.error is None for o in outcomes))
    for attempt in range(_ATTEMPTS):
        if decision is not None and attempt == 0:
            draft, changes = decision.txn, decision.changes(outcomes, network_down)
        else:
            draft = store.draft()
            changes = decide(draft, config, outcomes, now, stamp, network_down)
        with store.transaction(draft) as txn:
            if txn.signature != changes.signature:
                if attempt < _ATTEMPTS - 1:
                    continue
                changes = decide(txn, config, outcomes, now, stamp, network_down)  # locked
            _write(txn, changes, stamp)
            if checked:
                record_check(store, stamp)
            return changes
    raise AssertionError("unreachable: the last attempt decides under the lock")


def _unchanged(
    store: Store, config: Config, outcomes: Sequence[Outcome], now: dt.datetime, stamp: str
) -> Changes | None:
    # Read the feeds and meta alone (no lock, no events, no articles) only when no feed
    # brought anything.
    if not all_not_modified(outcomes):
        return None
    head = store.head()
    nothing = unchanged(head, config, outcomes, now, stamp)
    if nothing is None or store.signature() != head.signature:
        return None  # another process wrote meanwhile: the full decision decides
    return nothing


def _write(txn: Transaction, changes: Changes, stamp: str) -> None:
    if changes.feeds:
        txn.put_feeds(changes.feeds)
    if changes.dropped_events:
        txn.remove_events(changes.dropped_events)
    if changes.events:
        txn.put_events(changes.events)
    if changes.dropped_articles:
        txn.remove_articles(changes.dropped_articles)
    if changes.articles:
        txn.put_articles(changes.articles)
    if changes.rules is not None and (txn.dirty or changes.stored_articles):
        txn.update_meta(rules=changes.rules)
    if txn.dirty:
        txn.update_meta(last_refresh=stamp)
