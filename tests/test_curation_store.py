"""The person's edits in the store: each operation, and the rule that nothing automatic undoes
them (a curated update, an import of feed data, two processes editing at once)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from amity.store import Event, Source, Store, ValidationError, curation
from amity.store.curated import bundled_sets
from amity.store.database import seed
from amity.store.mutes import add_mute, mute_rules, remove_mute
from amity.store.topics import topic_ids

TOPICS = topic_ids()
ACSA = "jp-it-2024-11-25-acsa-signed"
ACSA_IN_FORCE = "jp-it-2025-09-05-acsa-in-force"
T1, T2 = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"


def feed_event(n: int, title: str, **fields) -> Event:
    return Event(
        id=f"feed-{n:012d}",
        date="2026-03-0" + str(n),
        title=title,
        origin="feed",
        sources=(Source(url=f"https://news.example/{n}", title=title),),
        **fields,
    )


def stored(store: Store, event_id: str) -> Event:
    return {e.id: e for e in store.events()}[event_id]


def test_an_edit_records_each_changed_field_with_its_time(store: Store) -> None:
    with store.transaction() as txn:
        curation.edit(txn, ACSA, {"title": "ACSA signed", "kind": "summit"}, TOPICS, now=T1)
    event = stored(store, ACSA)
    assert event.kind == "summit"
    assert event.edits == {"kind": T1}  # the title was already that: not an edit


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "  "}, "title", "must not be empty"),
        ({"date": "2024-02-30"}, "date", "not a real date"),
        ({"end_date": "2024-01-01"}, "end_date", "before the date"),
        ({"topics": ["defense", "sports"]}, "topics", "unknown topic 'sports'"),
        ({"kind": "party"}, "kind", "unknown kind"),
        ({"summary": "red \x1b[31malert"}, "summary", "control or escape"),
        ({"origin": "feed"}, "origin", "cannot be edited"),
    ],
)
def test_bad_edits_name_the_field_and_save_nothing(store: Store, changes, field, words) -> None:
    before = store.path.read_bytes()
    with pytest.raises(ValidationError) as caught, store.transaction() as txn:
        curation.edit(txn, ACSA, changes, TOPICS)
    assert caught.value.field == field and words in caught.value.message
    assert store.path.read_bytes() == before


def test_a_note_is_multiline_capped_and_clearable(store: Store) -> None:
    with store.transaction() as txn:
        curation.set_note(txn, ACSA, "Check the Italian text.\n\nAsk MOFA [b]why[/b].", now=T1)
    assert stored(store, ACSA).note == "Check the Italian text.\n\nAsk MOFA [b]why[/b]."
    with pytest.raises(ValidationError, match="at most 20,000"), store.transaction() as txn:
        curation.set_note(txn, ACSA, "x" * 1_000_000)
    with store.transaction() as txn:
        curation.set_note(txn, ACSA, "", now=T2)
    event = stored(store, ACSA)
    assert event.note == "" and event.edits["note"] == T2


def test_add_makes_a_user_event_with_a_readable_unique_id(store: Store) -> None:
    fields = {"date": "2026-04-02", "title": "Embassy reception", "topics": ["culture"]}
    with store.transaction() as txn:
        first = curation.add(txn, fields, ["https://example.org/r"], TOPICS, ["IT", "JP"])
        second = curation.add(txn, fields, [], TOPICS, ["IT", "JP"])
    assert first.id == "user-2026-04-02-embassy-reception"
    assert second.id == "user-2026-04-02-embassy-reception-2"
    assert stored(store, first.id).origin == "user"
    assert stored(store, first.id).sources[0].url == "https://example.org/r"


def test_merge_moves_sources_and_note_and_the_absorbed_id_never_returns(store: Store) -> None:
    with store.transaction() as txn:
        curation.set_note(txn, ACSA_IN_FORCE, "in force note")
        result = curation.merge(txn, ACSA_IN_FORCE, ACSA, now=T1)
    ids = {e.id for e in store.events()}
    assert ACSA_IN_FORCE not in ids
    assert "in force note" in result.note and len(result.sources) >= 2
    # A curated update (seeding again, as a newer amity does) does not bring it back.
    with store.transaction() as txn:
        txn.update_meta(seeded={s.name: 0 for s in bundled_sets()})
        seed(txn)
        txn.put_events([e for e in bundled_sets()[0].events() if e.id == ACSA_IN_FORCE])
    assert ACSA_IN_FORCE not in {e.id for e in store.events()}


def test_a_curated_update_or_an_import_keeps_edits_notes_and_hidden(store: Store) -> None:
    with store.transaction() as txn:
        curation.edit(txn, ACSA, {"title": "ACSA (my wording)"}, TOPICS, now=T1)
        curation.set_note(txn, ACSA, "mine", now=T1)
        curation.set_hidden(txn, [ACSA], True, now=T1)
    original = next(e for e in bundled_sets()[0].events() if e.id == ACSA)
    store.put_events([original.with_changes(summary="A newer curated summary.")])
    event = stored(store, ACSA)
    assert (event.title, event.note, event.hidden) == ("ACSA (my wording)", "mine", True)
    assert event.summary == "A newer curated summary."  # not edited: updates still arrive
    # An export of later edits does restore them.
    later = event.with_changes(title="Later wording", edits={**event.edits, "title": T2})
    store.put_events([later])
    assert stored(store, ACSA).title == "Later wording"


def test_move_a_source_out_and_back(store: Store) -> None:
    pair = feed_event(1, "Japan Italy talks"), feed_event(2, "Volleyball match")
    both = pair[0].with_changes(sources=pair[0].sources + pair[1].sources)
    store.put_events([both])
    url = "https://news.example/2"
    with store.transaction() as txn:
        left, target = curation.move_source(txn, url, None, now=T1)
    assert [s.url for s in stored(store, left.id).sources] == ["https://news.example/1"]
    assert stored(store, target.id).title == "Volleyball match"
    # A refresh handing the old cluster back with the source does not put it back.
    store.put_events([both])
    assert [s.url for s in stored(store, left.id).sources] == ["https://news.example/1"]
    with store.transaction() as txn:
        curation.move_source(txn, url, ACSA, now=T2)
    assert url in [s.url for s in stored(store, ACSA).sources]
    assert target.id not in {e.id for e in store.events()}  # a feed event left empty is gone


def test_move_source_errors(store: Store) -> None:
    with pytest.raises(ValidationError, match="no event has the source"), store.transaction() as t:
        curation.move_source(t, "https://nowhere.example/", None)
    with pytest.raises(ValidationError, match="no event with id"), store.transaction() as t:
        curation.move_source(t, stored(store, ACSA).sources[0].url, "nope")


def test_mute_hides_matching_feed_events_and_removing_it_shows_them(store: Store) -> None:
    events = [feed_event(1, "Italy beats Japan at volleyball"), feed_event(2, "Japan Italy talks")]
    store.put_events(events)
    with store.transaction() as txn:
        rule = add_mute(txn, "Volleyball", now=T1)
    assert rule.hid == (events[0].id,)
    assert stored(store, events[0].id).hidden and not stored(store, events[1].id).hidden
    assert [r.phrase for r in mute_rules(store.snapshot().meta)] == ["Volleyball"]
    with store.transaction() as txn:
        gone, shown = remove_mute(txn, "volleyball")
    assert (len(gone), shown) == (1, 1)
    assert not stored(store, events[0].id).hidden


def test_mute_matches_whole_words_in_spaced_scripts_and_inside_japanese() -> None:
    from amity.store.mutes import MuteRule

    assert not MuteRule("rom").matches("news from tokyo")
    assert MuteRule("rome").matches("talks in rome today")
    assert MuteRule("バレー").matches("日伊女子バレーボール親善試合")
    assert MuteRule("人々").matches("各地の人々は歓迎した")  # 々 is written like kanji
    assert MuteRule("ﾊﾞﾚｰ").matches("日伊ﾊﾞﾚｰ試合")  # half-width kana too
    assert MuteRule("acsa").matches("日伊のacsa協定")  # latin words end where kana starts
    assert MuteRule("ＡＣＳＡ").matches("日伊のａｃｓａが")  # full-width latin alike
    assert not MuteRule("acsa").matches("acsax deal")


EDITOR = """
import sys
from amity.store import Store, curation
store = Store(sys.argv[1])
for n in range(int(sys.argv[3])):
    with store.transaction() as txn:
        curation.edit(txn, sys.argv[2], {sys.argv[4]: f"{sys.argv[4]} {n}"}, [])
"""


def test_two_processes_editing_one_event_at_once_both_keep_their_edits(store: Store) -> None:
    runs = [
        subprocess.Popen([sys.executable, "-c", EDITOR, str(store.path), ACSA, "15", name])
        for name in ("title", "summary")
    ]
    assert [p.wait(timeout=120) for p in runs] == [0, 0]
    event = stored(store, ACSA)
    assert (event.title, event.summary) == ("title 14", "summary 14")
    assert set(event.edits) == {"title", "summary"}


def test_a_merge_keeps_both_notes_whole_or_refuses(store: Store) -> None:
    with store.transaction() as txn:
        curation.set_note(txn, ACSA, "a" * 6_000 + " END-OF-A", now=T1)
        curation.set_note(txn, ACSA_IN_FORCE, "b" * 6_000 + " END-OF-B", now=T1)
    with store.transaction() as txn:
        curation.merge(txn, ACSA, ACSA_IN_FORCE, now=T2)
    note = stored(store, ACSA_IN_FORCE).note
    assert "END-OF-A" in note and "END-OF-B" in note
    other = next(e.id for e in store.events() if e.id != ACSA_IN_FORCE)
    with store.transaction() as txn:
        curation.set_note(txn, ACSA_IN_FORCE, "c" * 15_000, now=T2)
        curation.set_note(txn, other, "d" * 15_000, now=T2)
    before = store.path.read_bytes()
    with pytest.raises(ValidationError, match="notes together"), store.transaction() as txn:
        curation.merge(txn, other, ACSA_IN_FORCE, now=T2)
    assert store.path.read_bytes() == before
