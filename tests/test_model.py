"""The model refuses bad events with an error that names the field, and accepts partial dates."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from amity.store import Event, Source, ValidationError, parse_date, parse_events
from amity.store.topics import topic_ids


def good(**changes: Any) -> dict[str, Any]:
    """A valid event in its JSON form, with some fields changed (None removes a field)."""
    data: dict[str, Any] = {
        "id": "jp-it-test-event",
        "date": "2024-06-14",
        "title": "Action Plan adopted",
        "summary": "Leaders adopt a plan.",
        "kind": "agreement",
        "topics": ["diplomacy"],
        "countries": ["JP", "IT"],
        "milestone": True,
        "origin": "user",
        "sources": [{"url": "https://example.org/a", "title": "A"}],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date": "2024-13-40"}, "date", "2024-13-40"),
        ({"date": "2024-02-30"}, "date", "2024-02-30"),
        ({"date": "14/06/2024"}, "date", "14/06/2024"),
        ({"kind": "party"}, "kind", "party"),
        ({"topics": ["gastronomy"]}, "topics", "gastronomy"),
        ({"sources": [{"url": "ftp://example.org/a"}]}, "sources[0].url", "ftp://"),
        ({"sources": [{"url": "javascript:alert(1)"}]}, "sources[0].url", "javascript"),
        ({"sources": [{"url": "https://exa mple.org/a"}]}, "sources[0].url", "exa mple"),
        ({"sources": [{"url": "https://example.org/\x1b[31mred"}]}, "sources[0].url", "http"),
        ({"title": None}, "title", "required"),
        ({"title": "  \x1b[2J "}, "title", "empty"),
        ({"end_date": "2024-99"}, "end_date", "2024-99"),
        ({"end_date": "2023-01-01"}, "end_date", "before"),
        ({"countries": ["Italy"]}, "countries", "Italy"),
        ({"id": "abc\n"}, "id", "slug"),  # "$" alone let a trailing newline through
    ],
)
def test_bad_field_is_named(changes: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Event.from_dict(good(**changes), topic_ids())
    assert caught.value.field == field
    assert repr(field) in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize("date", ["2024", "2024-06", "2024-06-14", "1585"])
def test_dates_at_known_precision_are_accepted(date: str) -> None:
    event = Event.from_dict(good(date=date, end_date=None), topic_ids())
    assert event.date == date
    assert event.precision == {4: "year", 7: "month", 10: "day"}[len(date)]


def test_end_date_at_coarser_precision_within_the_start_is_fine() -> None:
    event = Event.from_dict(good(date="2024-06-14", end_date="2024-06"), topic_ids())
    assert event.end_date == "2024-06"


def test_round_trip_through_the_json_form() -> None:
    event = Event.from_dict(good(), topic_ids())
    assert event.countries == ("IT", "JP")
    assert Event.from_dict(event.to_dict(), topic_ids()) == event


def test_text_fields_lose_control_characters_and_escapes() -> None:
    event = Event.from_dict(
        good(title="PM \x1b[31mvisit\x1b[0m\x07 Rome", summary="a\u202eb\x9b2Jc"), topic_ids()
    )
    assert event.title == "PM visit Rome"
    assert event.summary == "abc"


def test_lone_surrogates_are_dropped_so_the_event_can_be_saved_and_printed() -> None:
    event = Event.from_dict(good(title="Rome\ud800 talks", summary="a\udfffb"), topic_ids())
    assert event.title == "Rome talks"
    assert event.summary == "ab"
    assert Event.from_dict(event.to_dict(), topic_ids()) == event


def test_parse_events_locates_the_bad_one_by_index_and_id() -> None:
    items = [good(id="first"), good(id="second", kind="bogus")]
    with pytest.raises(ValidationError) as caught:
        parse_events({"amity": 1, "events": items}, topic_ids())
    message = str(caught.value)
    assert "event 1" in message and "second" in message and "'kind'" in message


def test_parse_events_refuses_duplicate_ids() -> None:
    with pytest.raises(ValidationError, match="duplicate"):
        parse_events([good(), good()], topic_ids())


def test_parse_date_names_the_field_it_was_given() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date("2024-1", "--since")
    assert caught.value.field == "--since"


def test_the_trusted_constructor_agrees_with_the_fields() -> None:
    # from_trusted sets slots one by one for speed, so it repeats each field's default: a field
    # added to Event or a default changed there must be changed there too, or stored events
    # would read back different from what was written.
    bare = Event.from_trusted({"id": "e", "date": "2024", "title": "T"})
    assert bare == Event("e", "2024", "T")
    assert {f.name for f in dataclasses.fields(Event)} == set(bare.__slots__)
    for f in dataclasses.fields(Event):
        assert getattr(bare, f.name) == getattr(Event("e", "2024", "T"), f.name), f.name
    full = Event.from_dict(
        good(end_date="2024-06-15", certainty="partial", terms=["ACSA"], note="mine", hidden=True)
    ).with_changes(added="2026-01-01T00:00:00Z", edits={"note": "2026-01-01T00:00:00Z"})
    full = full.with_changes(why={"rule": "pair", "terms": ["Japan", "Italy"]})
    again = Event.from_trusted(full.to_record())
    assert again == full
    assert {f.name: getattr(again, f.name) for f in dataclasses.fields(Event)} == {
        f.name: getattr(full, f.name) for f in dataclasses.fields(Event)
    }


def _every_field_set() -> Event:
    event = Event.from_dict(
        good(
            end_date="2024-06-15",
            kind="summit",
            origin="feed",
            certainty="partial",
            terms=["ACSA", "物品役務相互提供協定"],
            note="mine\nsecond line",
            hidden=True,
            edits={"note": "2026-01-01T00:00:00Z"},
            why={"rule": "pair", "terms": ["Japan", "Italy"], "score": 2.5},
            sources=[
                {
                    "url": "https://example.org/a",
                    "title": "A",
                    "publisher": "Example",
                    "published": "2024-06-14",
                }
            ],
        ),
        topic_ids(),
    )
    return event.with_changes(added="2026-01-01T00:00:00Z")


def fields_of(event: Event) -> dict[str, Any]:
    return {f.name: getattr(event, f.name) for f in dataclasses.fields(Event)}


def test_every_field_survives_the_stored_and_the_json_form() -> None:
    # The trusted constructor and to_dict are derived from the fields: a field they miss, or
    # a conversion that changes a value, shows here.
    full = _every_field_set()
    bare = Event("e", "2024", "T")
    for f in dataclasses.fields(Event):
        assert getattr(full, f.name) != getattr(bare, f.name), f"{f.name} is left at its default"
    for f in dataclasses.fields(Source):
        assert getattr(full.sources[0], f.name) != getattr(Source("u"), f.name), f.name
    assert fields_of(Event.from_trusted(full.to_record())) == fields_of(full)
    from_json = Event.from_dict(full.to_dict(), topic_ids())
    assert fields_of(from_json) == fields_of(full.with_changes(added=None))


def test_the_json_form_keeps_its_key_order() -> None:
    # DESIGN.md's order; the person's fields follow, and only when set: exports and
    # `amity list --json` read the same before and after a change to the model's code.
    always = ["id", "date", "end_date", "title", "summary", "kind", "topics", "countries"]
    always += ["milestone", "origin", "sources", "certainty"]
    full = _every_field_set()
    assert list(full.to_dict()) == [*always, "terms", "note", "hidden", "edits", "why"]
    assert list(full.to_record()) == [*always, "terms", "note", "hidden", "edits", "why", "added"]
    assert list(full.sources[0].to_dict()) == ["url", "title", "publisher", "published"]
    assert list(Event("e", "2024", "T").to_dict()) == always
    json_form = full.to_dict()
    for name in ("topics", "countries", "sources", "terms"):
        assert type(json_form[name]) is list, name
    for name in ("edits", "why"):
        assert type(json_form[name]) is dict, name


def _with(**extra: object) -> dict[str, object]:
    return {"id": "x-1", "date": "2025-09-05", "title": "ACSA in force", **extra}


@pytest.mark.parametrize(
    "why",
    [
        {"rule": 5, "terms": 7},  # crashed the app's detail pane once imported
        {"rule": "pair in title", "terms": "ACSA"},
        {"rule": "x" * 10_000},
        {"terms": ["ACSA"] * 1_000},
        {"score": "high"},
        ["rule"],
    ],
)
def test_an_imported_why_of_the_wrong_shape_is_refused_by_name(why: object) -> None:
    with pytest.raises(ValidationError) as refused:
        Event.from_dict(_with(why=why))
    assert refused.value.field.startswith("why")


def test_a_why_keeps_only_plain_text_and_numbers() -> None:
    why = {"rule": "pair \x1b[31min title", "terms": ["ACSA", "日伊"], "score": 3.5, "x": {}}
    event = Event.from_dict(_with(why=why))
    assert event.why == {"rule": "pair in title", "terms": ["ACSA", "日伊"], "score": 3.5}


@pytest.mark.parametrize(
    ("edits", "field"),
    [
        ({"hidden": "x"}, "edits.hidden"),  # sorts after every time: could never be replaced
        ({"title": "9999-12-31T00:00:00Z"}, "edits.title"),
        ({"\x1b[31mfoo": "2020-01-01T00:00:00Z"}, "edits"),
        ({"title": 5}, "edits.title"),
        (["title"], "edits"),
    ],
)
def test_edit_times_must_name_a_field_and_a_past_moment(edits: object, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Event.from_dict(_with(edits=edits))
    assert refused.value.field == field


def test_edit_times_are_kept_in_the_stores_one_form() -> None:
    event = Event.from_dict(_with(edits={"title": "2025-01-02T03:04:05.678+01:00"}))
    assert event.edits == {"title": "2025-01-02T02:04:05Z"}
