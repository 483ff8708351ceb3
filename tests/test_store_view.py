"""The view beside the store (`<store>.view`) gives exactly what reading the store gives: the
same `list --json` bytes for every filter, the same events, the same feeds and meta; it is
never used once the store changed, and a damaged one is reported and made again."""

from __future__ import annotations

import os
import shutil
import zlib
from dataclasses import replace
from itertools import groupby
from pathlib import Path

import pytest
from amity.store import Event, Filter, Source, Store, ordered
from amity.store import view as view_module
from amity.store.document import Document
from amity.store.index import select
from amity.store.view import COLUMNS, View, base_path, bases, read, view_path, write_stamped
from amity.tui.output import json_text
from storegen import amity, load_document, make_store, synthetic_events

FILTERS = {
    (): Filter(),
    ("--topic", "defense"): Filter(topics=frozenset({"defense"})),
    ("--kind", "summit", "--since", "2001", "--until", "2010-06"): Filter(
        kinds=frozenset({"summit"}), since="2001", until="2010-06"
    ),
    ("--milestones",): Filter(milestones_only=True),
    ("--search", "item 12"): Filter(search="item 12"),
    ("--search", "日伊"): Filter(search="日伊"),
    ("--hidden",): Filter(hidden=True),
}


def plain_json(store: Store, query: Filter, oldest_first: bool = False) -> str:
    """What `list --json` prints when it reads the store file itself."""
    events = select(store.events(), replace(query, newest_first=not oldest_first))
    return json_text([event.to_dict() for event in events])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("view") / "db.json"
    store = make_store(path, 600)
    odd = [
        Event(
            id="odd-ja",
            date="2024-07",
            title="日伊首脳会談\u202e 東京で",  # Japanese, with a bidi override to escape
            summary="Line one\nline two\x7f",
            topics=("defense",),
            sources=(Source(url="https://example.jp/a", title="日伊"),),
            note="private",
        ),
        Event(id="odd-hidden", date="2023", title="Hidden one", hidden=True),
        *(e.with_changes(hidden=True) for e in synthetic_events(5, prefix="hid")),
    ]
    store.put_events(odd)
    return store


@pytest.mark.parametrize("args", list(FILTERS), ids=lambda a: " ".join(a) or "all")
@pytest.mark.parametrize("oldest", [False, True], ids=["newest", "oldest"])
def test_list_json_from_the_view_is_byte_identical(store, args, oldest):
    assert read(store.path, store.signature()) is not None  # the view is there to be used
    extra = ["--oldest-first"] if oldest else []

    proc = amity("list", "--json", *args, *extra, db=store.path)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == plain_json(Store(store.path), FILTERS[args], oldest)


def test_the_view_holds_the_same_events_feeds_and_meta(store):
    document = load_document(store.path)  # the store file itself
    plain = ordered(Event.from_trusted(r) for r in document["events"].values())
    view = read(store.path, store.signature())
    one_by_one = [view.event(p) for p in range(len(view))]
    snapshot = Store(store.path).snapshot()  # from the view, batch by batch

    for events in (one_by_one, list(snapshot.events)):
        assert events == plain
        assert [e.added for e in events] == [e.added for e in plain]
    assert [f.to_dict() for f in snapshot.feeds] == list(document["feeds"].values())
    assert snapshot.meta == document["meta"]["meta"] == Store.open(store.path).head().meta


def test_a_write_makes_the_view_again_and_a_stale_one_is_never_used(tmp_path):
    store = make_store(tmp_path / "db.json", 50)
    before = read(store.path, store.signature())
    assert before is not None and len(before) == 50 + len(store.events()) - 50

    store.put_events(synthetic_events(3, prefix="new"))

    assert read(store.path, before.signature) is None  # made from another file
    after = read(store.path, store.signature())
    assert after is not None and "new-0000002" in after.column("id")
    proc = amity("list", "--json", "--search", "item 2", db=store.path)
    assert proc.stdout == plain_json(store, Filter(search="item 2"))


def test_a_view_of_the_previous_format_is_made_again_never_trusted(tmp_path):
    store = make_store(tmp_path / "db.json", 20)
    path = view_path(store.path)
    magic, rest = path.read_bytes().split(b"\n", 1)
    path.write_bytes(b"amity-view 5\n" + rest)  # written by the amity before this one
    assert magic != b"amity-view 5" and read(store.path, store.signature()) is None

    proc = amity("list", "--json", db=store.path)

    assert proc.returncode == 0 and proc.stderr == ""  # silently: not damage
    assert proc.stdout == plain_json(Store(store.path), Filter())
    assert read(store.path, store.signature()) is not None  # made again


def test_ids_with_a_newline_in_a_hand_edited_store_read_back_whole(tmp_path):
    # Ids the store makes or imports never hold one; a store file edited by hand may.
    store = make_store(tmp_path / "db.json", 5)
    store.put_events([Event(id="two\nlines", date="2020", title="Edited by hand")])
    view = read(store.path, store.signature())

    assert view is not None and "two\nlines" in view.column("id")
    assert view.column("id") == [e.id for e in ordered(Store(store.path).events())]


def test_a_store_changed_behind_the_views_back_is_read_itself(tmp_path):
    store = make_store(tmp_path / "db.json", 20)
    view = view_path(store.path).read_bytes()
    other = make_store(tmp_path / "other.json", 30)
    store.path.write_bytes(other.path.read_bytes())  # an editor, a restore from backup
    view_path(store.path).write_bytes(view)

    proc = amity("list", "--json", db=store.path)

    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == plain_json(Store(store.path), Filter())
    assert len(read(store.path, store.signature())) == len(Store(store.path).events())


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short
        lambda raw: raw[:-40] + bytes(b ^ 0x20 for b in raw[-40:]),  # the last lines changed
        lambda raw: b"not a view at all\n",
        lambda raw: raw.replace(b'"count":', b'"count":"x","c":', 1),
    ],
    ids=["truncated", "flipped", "garbage", "bad-header"],
)
def test_a_damaged_view_is_reported_ignored_and_made_again(tmp_path, damage):
    store = make_store(tmp_path / "db.json", 40)
    path = view_path(store.path)
    path.write_bytes(damage(path.read_bytes()))

    proc = amity("list", "--json", db=store.path)

    assert proc.returncode == 0
    assert str(path) in proc.stderr and "made again" in proc.stderr
    assert proc.stdout == plain_json(Store(store.path), Filter())
    assert amity("list", "--json", db=store.path).stderr == ""  # made again, trusted again


def test_a_view_updated_write_by_write_is_the_view_made_afresh(tmp_path):
    store = make_store(tmp_path / "db.json", 300)
    changed = [e.with_changes(title=f"Changed {e.id}") for e in synthetic_events(5)]
    store.put_events([*changed, *synthetic_events(5, prefix="more")])
    with store.transaction() as txn:
        txn.remove_events(["syn-0000010", "syn-0000011", "more-0000001"])
        record = txn.table("events").record("syn-0000020")
        txn.table("events").put({"syn-0000020": {**record, "summary": "edited in place"}})
        txn.put_events([synthetic_events(400)[-1], synthetic_events(1, prefix="zzz")[0]])

    updated = read(store.path, store.signature())
    assert updated is not None
    _same_view(updated, _made_afresh(store, tmp_path / "afresh"))
    assert amity("list", "--json", db=store.path).stdout == plain_json(store, Filter())


@pytest.fixture(scope="module")
def plain(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A copy of `store` that can have no view (a folder stands where it would be written), so
    every command reads the store file itself: the plain path."""
    path = tmp_path_factory.mktemp("plain") / "db.json"
    shutil.copy2(store.path, path)
    view_path(path).mkdir()
    return Store(path)


COMMANDS = [
    ("list",),
    ("list", "--ids", "--oldest-first"),
    ("list", "--search", "item 12"),
    ("list", "--search", "日伊"),
    ("list", "--topic", "defense", "--since", "2001", "--until", "2010-06"),
    ("list", "--kind", "summit", "--milestones", "--ids"),
    ("list", "--hidden", "--origin", "feed"),
    ("list", "--search", "no such words anywhere"),
    ("export",),
    ("export", "--format", "markdown", "--topic", "economic-security"),
    ("export", "--format", "csv", "--search", "rome", "--notes"),
    ("topics", "--json"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_commands_print_the_same_from_the_view_and_from_the_store_file(store, plain, args):
    assert read(store.path, store.signature()) is not None
    env = {"COLUMNS": "100"}

    fast = amity(*args, db=store.path, env=env)
    slow = amity(*args, db=plain.path, env=env)

    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert read(plain.path, plain.signature()) is None  # the plain path was taken
    assert fast.stdout == slow.stdout
    assert fast.stderr == slow.stderr
    assert fast.stdout.strip() or "no events match" in fast.stderr


def test_the_apps_index_is_the_same_from_the_view_and_from_the_store_file(store, plain):
    from amity.store import DEFAULT_TOPICS
    from amity.store.index import FILTERED, read_timeline

    fast, slow = (read_timeline(s, DEFAULT_TOPICS).index for s in (store, plain))
    assert fast.columns.__class__ is not slow.columns.__class__  # one view, one plain

    for name in FILTERED:
        assert fast.column(name) == slow.column(name), name
    everything = range(len(fast))
    assert [fast.texts.text(p) for p in everything] == [slow.texts.text(p) for p in everything]
    assert fast.outlets == slow.outlets
    counts = [len(event.sources) for event in slow.events(everything)]  # the visit's marks
    assert fast.source_counts(everything) == slow.source_counts(everything) == counts
    assert [fast.source_count(p) for p in everything] == counts
    for query in [*FILTERS.values(), Filter(hidden=None, newest_first=False)]:
        a, b = fast.show(query), slow.show(query)
        assert (a.rows, a.topic_counts, a.year_counts) == (b.rows, b.topic_counts, b.year_counts)
        shown = [p for p in a.rows if p >= 0]
        assert fast.events(shown) == slow.events(shown)
    # Every event newest first (hidden ones too, or none hidden: the first screen) finds its
    # years from the dates' codes: the same rows as each event's own year gives.
    for index in (fast, slow):
        for query in (Filter(), Filter(hidden=None)):
            expected: list[int] = []
            for year, positions in groupby(index.select(query), key=index.years.__getitem__):
                expected += [~year, *positions]
            assert index.show(query).rows == expected


def test_a_search_typed_letter_by_letter_finds_what_a_fresh_one_finds(store):
    from amity.store import search_text, word_needles
    from amity.store.index import read_timeline

    index = read_timeline(store).index  # one index, as the app keeps it between keystrokes
    events = index.events(range(len(index)))
    for typed in ("i", "it", "ite", "item", "item 1", "item 12", "item 1", "it", "日", "日伊", "i"):
        needles = word_needles(typed.split())
        fresh = [
            p
            for p, e in enumerate(events)
            if not e.hidden and all(n in search_text(e) for n in needles)
        ]
        assert index.select(Filter(search=typed)) == fresh, typed


def _made_afresh(store: Store, where: Path) -> View:
    """The view of `store`'s file as made whole from its document alone (the plain path)."""
    document = Document.of(load_document(store.path))
    crc = zlib.crc32(store.path.read_bytes())
    afresh = where / "db.json"
    where.mkdir()
    with view_path(afresh).open("wb") as out:
        write_stamped(out, document, lambda: (store.signature(), crc), by_line=True)
    made = read(afresh, store.signature())
    assert made is not None
    return made


def _same_view(updated: View, made: View) -> None:
    assert (updated.count, updated.longest_title, updated.meta, updated.feeds) == (
        made.count,
        made.longest_title,
        made.meta,
        made.feeds,
    )
    for name in (*COLUMNS, "title_length"):  # coded columns may number their values apart
        assert updated.column(name) == made.column(name), name
    for name in ("search", "search_offsets", "digests", "offsets", "lines"):
        assert updated.part(name) == made.part(name), name
    everything = range(len(made))
    assert [updated.event(p) for p in everything] == list(made.events())
    assert list(updated.events()) == list(made.events())
    assert updated.lines(everything[::7]) == made.lines(everything[::7])
    texts, fresh = updated.texts(), made.texts()
    assert (texts.block, texts.bounds) == (fresh.block, fresh.bounds)


@pytest.mark.parametrize("laid", [False, True], ids=["copied", "laid over a base"])
def test_a_write_from_a_draft_whose_view_was_read_ahead_is_the_view_made_afresh(
    tmp_path, monkeypatch, laid
):
    # A refresh's draft reads its view's columns ahead, on a thread, and its write takes them
    # from there: new kinds, topics and publishers are added to the write's own lists only.
    store = make_store(tmp_path / "db.json", 300)
    if laid:
        monkeypatch.setattr(view_module, "DELTA_FROM", 0)
        monkeypatch.setattr(view_module, "DELTA_SHARE", 1)
    for n in range(3):
        draft = store.draft()
        view = draft.view
        assert view is not None
        before = {name: list(view.coded(name)["values"]) for name in view_module.CODED}
        event = synthetic_events(40)[10 * n + 3]
        source = Source(url=f"https://example.org/new-{n}", publisher=f"New outlet {n}")
        changed = [
            event.with_changes(kind="deployment", topics=("culture",), sources=(source,)),
            *synthetic_events(2, prefix=f"more{n}"),
        ]
        with store.transaction(draft) as txn:
            assert txn.document is draft.document  # the draft is the read
            txn.put_events(changed)
            txn.remove_events([f"syn-00000{20 + n}"])
        assert {name: view.coded(name)["values"] for name in view_module.CODED} == before

        updated = read(store.path, store.signature())
        assert updated is not None and (updated.base_file is not None) == laid
        _same_view(updated, _made_afresh(store, tmp_path / f"afresh-{n}"))
        assert amity("list", "--json", db=store.path).stdout == plain_json(store, Filter())


def test_a_view_laid_over_a_base_write_by_write_is_the_view_made_afresh(tmp_path, monkeypatch):
    store = make_store(tmp_path / "db.json", 300)
    monkeypatch.setattr(view_module, "DELTA_FROM", 0)  # a small store lays its views over a base
    monkeypatch.setattr(view_module, "DELTA_SHARE", 1)
    base = None
    for n in range(6):
        with store.transaction() as txn:
            changed = [e.with_changes(title=f"Changed {n} {e.id}") for e in synthetic_events(9)]
            txn.put_events([*changed[n::3], *synthetic_events(2, prefix=f"more{n}")])
            txn.remove_events([f"syn-00000{20 + n}", f"more{n - 1}-0000001"])
            record = txn.table("events").record("syn-0000050")
            txn.table("events").put({"syn-0000050": {**record, "summary": f"edited {n}"}})

        updated = read(store.path, store.signature())
        assert updated is not None and updated.base_file is not None  # laid over a base
        assert base in (None, updated.base_gen)  # the same base, write after write
        base = updated.base_gen
        assert bases(store.path) == [base_path(view_path(store.path), base)]
        assert store.owns(bases(store.path)[0])  # never an export's target
        _same_view(updated, _made_afresh(store, tmp_path / f"afresh-{n}"))
        assert amity("list", "--json", db=store.path).stdout == plain_json(store, Filter())
        assert amity("list", "--json", "--search", "item 2", db=store.path).stdout == (
            plain_json(store, Filter(search="item 2"))
        )

    monkeypatch.setattr(view_module, "DELTA_SHARE", 10**6)  # its own bytes outgrow the base
    store.put_events([synthetic_events(1, prefix="last")[0]])
    whole = read(store.path, store.signature())
    assert whole is not None and whole.base_file is None and bases(store.path) == []
    _same_view(whole, _made_afresh(store, tmp_path / "afresh-whole"))


def test_a_view_whose_base_is_gone_or_damaged_is_not_used(tmp_path, monkeypatch):
    store = make_store(tmp_path / "db.json", 60)
    monkeypatch.setattr(view_module, "DELTA_FROM", 0)
    store.put_events(synthetic_events(2, prefix="more"))
    (base,) = bases(store.path)
    raw = base.read_bytes()
    base.write_bytes(raw[:-30] + bytes(b ^ 0x20 for b in raw[-30:]))  # its last lines

    proc = amity("list", "--json", db=store.path)

    assert proc.returncode == 0
    assert str(base) in proc.stderr and "made again" in proc.stderr
    assert proc.stdout == plain_json(Store(store.path), Filter())
    assert amity("list", "--json", db=store.path).stderr == ""  # made again, trusted again

    store.put_events(synthetic_events(2, prefix="again"))
    for gone in bases(store.path):
        gone.unlink()
    assert read(store.path, store.signature()) is None  # not damaged: only stale
    proc = amity("list", "--json", db=store.path)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == plain_json(Store(store.path), Filter())


def test_a_pipe_in_place_of_the_view_or_its_base_is_no_view_and_never_waited_on(
    tmp_path, monkeypatch
):
    # Opening a FIFO waits for a writer that never comes: a read must not hang on one where
    # the view or its base should be (the store itself is refused the same way).
    store = make_store(tmp_path / "db.json", 60)
    monkeypatch.setattr(view_module, "DELTA_FROM", 0)
    store.put_events(synthetic_events(2, prefix="more"))
    (base,) = bases(store.path)
    base.unlink()
    os.mkfifo(base)

    listed = amity("list", "--json", db=store.path)  # its 60 s timeout guards against a hang

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == plain_json(Store(store.path), Filter())
    view = view_path(store.path)
    view.unlink()
    os.mkfifo(view)
    listed = amity("list", "--json", db=store.path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == plain_json(Store(store.path), Filter())
    assert view.is_file()  # made again in its place
