"""`amity export --format markdown|csv|ics|timelinejs|html`: each parsed by its own library,
filtered as `list` filters, and inert whatever a feed put in the fields."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
from amity.store import DEFAULT_TOPICS, clean_text
from amity.store.exports.webpage import SCRIPT
from exportdata import DEFENCE_ONLY, HOSTILE, SUMMIT, export_store
from markdown_it import MarkdownIt
from storegen import amity

LABELS = {t.id: t.label for t in DEFAULT_TOPICS}
FORMATS = ("markdown", "csv", "ics", "timelinejs", "html")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_store(tmp_path_factory.mktemp("export") / "amity.json")


@pytest.fixture(scope="module")
def events(db: Path) -> dict[str, dict]:
    """Every event as `list --json` shows it, by id."""
    listed = amity("list", "--json", "--oldest-first", db=db)
    return {e["id"]: e for e in json.loads(listed.stdout)}


def export(db: Path, fmt: str, *args: str) -> str:
    """The exported file's text, exactly as written (CRLFs kept)."""
    out = db.parent / f"out-{fmt}-{len(args)}-{abs(hash(args))}"
    result = amity("export", "--format", fmt, *args, "-o", str(out), db=db)
    assert result.returncode == 0, result.stderr
    return out.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def files(db: Path) -> dict[str, str]:
    return {fmt: export(db, fmt) for fmt in FORMATS}


def test_csv_is_one_rfc4180_row_per_event_with_the_sources_in_one_column(files, events) -> None:
    text = files["csv"]
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["id"] for r in rows] == list(events)  # oldest first, none missing
    by_id = {r["id"]: r for r in rows}
    summit = by_id[SUMMIT]
    assert summit["date"] == "2026-01-16" and summit["milestone"] == "yes"
    assert summit["topics"].split("; ")[:2] == ["Diplomacy", "Defense & security"]
    port = by_id[DEFENCE_ONLY]
    assert port["sources"].split(" ") == ["https://example.org/a", "https://example.org/b"]
    assert port["end_date"] == "2025-07-12"
    # Hostile text stays text: quotes survive the round trip, formulas are defused.
    assert by_id["test-hostile-3"]["title"] == '"; DROP headline 3'
    assert by_id["test-hostile-0"]["summary"].startswith("'=HYPERLINK(")
    assert "note" not in rows[0]


def test_ics_parses_with_stable_uids_at_each_dates_precision(db, files, events) -> None:
    cal = icalendar.Calendar.from_ical(files["ics"])
    entries = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(entries) == {f"{event_id}@amity.timeline" for event_id in events}
    # A second export (later, so another DTSTAMP) keeps every UID: a re-import updates.
    again = icalendar.Calendar.from_ical(export(db, "ics"))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(entries)

    summit = entries[f"{SUMMIT}@amity.timeline"]
    assert summit.decoded("DTSTART") == dt.date(2026, 1, 16)
    assert summit.decoded("DTEND") == dt.date(2026, 1, 17)  # one whole day
    assert str(summit["URL"]) == events[SUMMIT]["sources"][0]["url"]
    assert [str(c) for c in summit["CATEGORIES"].cats] == [
        LABELS[t] for t in events[SUMMIT]["topics"]
    ]
    assert str(summit["SUMMARY"]) == "★ Special Strategic Partnership"

    port = entries[f"{DEFENCE_ONLY}@amity.timeline"]
    assert (port.decoded("DTSTART"), port.decoded("DTEND")) == (
        dt.date(2025, 7, 10),
        dt.date(2025, 7, 13),
    )
    year = entries["test-year-only@amity.timeline"]
    assert (year.decoded("DTSTART"), year.decoded("DTEND")) == (
        dt.date(1873, 1, 1),
        dt.date(1874, 1, 1),
    )
    assert "known only to the year" in str(year["DESCRIPTION"])
    month = entries["test-hostile-0@amity.timeline"]
    assert (month.decoded("DTSTART"), month.decoded("DTEND")) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    )
    assert str(entries["test-hostile-3@amity.timeline"]["SUMMARY"]) == '"; DROP headline 3'


def test_timelinejs_has_the_documented_shape(files, events) -> None:
    document = json.loads(files["timelinejs"])
    assert document["title"]["text"]["headline"] == "Japan–Italy"
    slides = {s["unique_id"]: s for s in document["events"]}
    assert list(slides) == list(events)
    for slide in document["events"]:
        event = events[slide["unique_id"]]
        parts = event["date"].split("-")
        assert slide["start_date"] == dict(
            zip(("year", "month", "day"), map(int, parts), strict=False)
        )
        assert set(slide["text"]) == {"headline", "text"} and slide["text"]["headline"]
        if event["topics"]:
            assert slide["group"] == LABELS[event["topics"][0]].replace("&", "&amp;")
    summit = slides[SUMMIT]
    assert summit["start_date"] == {"year": 2026, "month": 1, "day": 16}
    assert summit["media"]["url"] == events[SUMMIT]["sources"][0]["url"]
    assert summit["media"]["credit"] == "Japan Today"
    assert slides[DEFENCE_ONLY]["end_date"] == {"year": 2025, "month": 7, "day": 12}
    assert slides["test-year-only"]["start_date"] == {"year": 1873}


class Tags(HTMLParser):
    """Every start tag with its attributes, the text of each <script>, and all the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag) -> None:
        self._in_script = False

    def handle_data(self, data) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse_html(text: str) -> Tags:
    parser = Tags()
    parser.feed(text)
    parser.close()
    return parser


def assert_inert_html(parser: Tags) -> None:
    """No element, event handler or script came from data."""
    assert {tag for tag, _ in parser.tags} <= {
        *("html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p"),
        *("fieldset", "legend", "label", "input", "span", "button", "output", "main", "section"),
        *("ol", "ul", "li", "div", "time", "a", "script", "em", "strong", "blockquote"),
    }
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs)
        assert all(not (v or "").lower().startswith("javascript:") for v in attrs.values())


def test_html_page_is_escaped_and_its_only_script_is_its_own(files, events) -> None:
    page = parse_html(files["html"])
    assert_inert_html(page)
    assert page.scripts == [SCRIPT]  # no data ever inside a script
    items = [a for tag, a in page.tags if tag == "li" and "event" in (a.get("class") or "")]
    assert [a["id"] for a in items] == list(events)
    years = sorted({int(e["date"][:4]) for e in events.values()})
    headings = [a["id"] for tag, a in page.tags if tag == "section"]
    assert headings == [f"y{year}" for year in years]
    links = [a["href"] for tag, a in page.tags if tag == "a"]
    assert links == [s["url"] for e in events.values() for s in e["sources"]]
    text = "".join(page.text)
    for hostile in HOSTILE[:2]:  # shown as text, exactly
        assert f"{hostile} headline" in text
    assert "\x1b" not in files["html"] and "\x07" not in files["html"]
    csp = next(a["content"] for tag, a in page.tags if a.get("http-equiv"))
    assert csp.startswith("default-src 'none'")


def test_markdown_has_a_heading_per_year_and_a_link_per_source(files, events) -> None:
    tokens = MarkdownIt("commonmark").parse(files["markdown"])
    inline = [t for t in tokens if t.type == "inline"]
    h2 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.tag == "h2" and t.nesting == 1]
    assert h2 == [str(y) for y in sorted({int(e["date"][:4]) for e in events.values()})]
    children = [c for t in inline for c in (t.children or [])]
    hrefs = [c.attrs["href"] for c in children if c.type == "link_open"]
    expected = [s["url"] for e in events.values() for s in e["sources"]]
    assert len(hrefs) == len(expected)
    assert hrefs[expected.index("https://example.org/a")] == "https://example.org/a"
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [c for c in children if c.type == "html_inline"]
    html = MarkdownIt("commonmark").render(files["markdown"])
    assert "<script" not in html and "<img" not in html
    assert "<strong>Special Strategic Partnership</strong>" in html  # a milestone stands out


def test_hostile_text_is_inert_in_every_format(files) -> None:
    for fmt, text in files.items():
        assert "\x1b" not in text and "\x07" not in text, fmt
        if fmt in ("html", "timelinejs"):
            assert text.count("<script>") == (fmt == "html") and "<img" not in text, fmt
    # TimelineJS shows its text fields as HTML: parsed, they hold no element from data.
    for slide in json.loads(files["timelinejs"])["events"]:
        for field in (slide["text"]["headline"], slide["text"]["text"], slide.get("group", "")):
            assert_inert_html(parse_html(field))
            assert {tag for tag, _ in parse_html(field).tags} <= {"p", "a", "em"}
    markdown = MarkdownIt("commonmark").render(files["markdown"])
    assert_inert_html(parse_html(markdown))
    assert "<script" not in markdown and "<img" not in markdown
    assert "[/b] headline 1" in markdown  # a BBCode-ish tag is only text


def exported_ids(fmt: str, text: str, events: dict[str, dict]) -> list[str]:
    """The events a file holds, read back with the format's own parser."""
    if fmt == "csv":
        return [row["id"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    if fmt == "ics":
        cal = icalendar.Calendar.from_ical(text)
        return [str(e["UID"]).removesuffix("@amity.timeline") for e in cal.walk("VEVENT")]
    if fmt == "timelinejs":
        return [slide["unique_id"] for slide in json.loads(text)["events"]]
    if fmt == "html":
        tags = parse_html(text).tags
        return [a["id"] for tag, a in tags if tag == "li" and "event" in (a.get("class") or "")]
    titles = {clean_text(e["title"]): event_id for event_id, e in events.items()}
    lines = [
        "".join(c.content for c in token.children or [] if c.type == "text")
        for token in MarkdownIt("commonmark").parse(text)
        if token.type == "inline" and token.level == 3  # a list item's paragraph
    ]
    return [titles[t] for line in lines for t in titles if f" · {t} (" in line.replace("★ ", "")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_takes_lists_filters(db: Path, events: dict[str, dict], fmt: str) -> None:
    args = ("--topic", "defense", "--since", "2025", "--kind", "deployment", "--kind", "summit")
    listed = [
        e["id"] for e in json.loads(amity("list", "--json", "--oldest-first", *args, db=db).stdout)
    ]
    assert SUMMIT in listed and DEFENCE_ONLY in listed and "test-year-only" not in listed
    assert exported_ids(fmt, export(db, fmt, *args), events) == listed
    assert exported_ids(fmt, export(db, fmt), events) == list(events)


@pytest.mark.slow
def test_notes_only_when_asked(db: Path) -> None:
    for fmt in FORMATS:
        assert "second line" not in export(db, fmt), fmt
        with_notes = export(db, fmt, "--notes")
        assert "second line" in with_notes and "\x1b" not in with_notes, fmt
    rows = list(csv.DictReader(io.StringIO(export(db, "csv", "--notes"), newline="")))
    note = next(r["note"] for r in rows if r["id"] == "test-hostile-0")
    assert note.startswith("first line <script>") and "'=SUM" not in note  # one cell, not split
    markdown = MarkdownIt("commonmark").parse(export(db, "markdown", "--notes"))
    assert not [t for t in markdown if t.type in ("bullet_list_open",) and t.level > 1]


def test_export_to_stdout_and_a_file_that_cannot_be_written(db: Path, tmp_path: Path) -> None:
    shown = amity("export", "--format", "markdown", "--milestones", db=db)
    assert shown.returncode == 0 and shown.stdout.startswith("# Japan–Italy: a timeline")
    assert "## 2026" in shown.stdout and "Iwakura" not in shown.stdout
    target = tmp_path / "keep.html"
    target.write_text("mine", encoding="utf-8")
    missing = amity("export", "--format", "html", "-o", str(target / "x.html"), db=db)
    assert missing.returncode == 2 and "cannot write" in missing.stderr
    bad = amity("export", "--format", "csv", "--topic", "gastronomy", "-o", str(target), db=db)
    assert bad.returncode == 2 and "gastronomy" in bad.stderr
    assert target.read_text(encoding="utf-8") == "mine"
