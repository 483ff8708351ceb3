"""Parsing feed bodies: formats, hostile markup and dates, XML attacks, identity, keyword rules."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc

import pytest
from amity.feeds import ParseError, parse_feed, read_opml, write_opml
from amity.feeds.articles import canonical_url
from amity.feeds.classify import judge
from amity.feeds.opml import OPMLError
from amity.feeds.repair import readable
from amity.store import Config, Feed
from feedserver import BILLION_LAUGHS, QUADRATIC, XXE, item, rss

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
BASE = "https://feeds.example/rss"


def only(body: bytes):
    parsed = parse_feed(body, BASE, NOW)
    assert len(parsed.articles) == 1, parsed
    return parsed.articles[0]


def test_rss_entry_becomes_plain_text_with_utc_date_and_clean_url():
    article = only(
        rss(
            item(
                "Meloni &lt;b&gt;meets&lt;/b&gt; Takaichi [/b] &amp;amp; more",
                "https://news.example/a?utm_source=rss&amp;id=7#comments",
                "Fri, 16 Jan 2026 10:00:00 +0900",
                "&lt;p&gt;Two &lt;script&gt;alert(1)&lt;/script&gt;leaders&lt;/p&gt;",
            )
        )
    )
    # RSS titles are HTML: the XML text "&amp;" is an escaped ampersand, shown as "&".
    assert article.title == "Meloni meets Takaichi [/b] & more"
    assert article.summary == "Two leaders"
    assert article.published == "2026-01-16T01:00:00Z"
    assert article.url == "https://news.example/a?id=7"


def test_escape_sequences_and_controls_never_survive():
    article = only(
        rss(
            item(
                "Rome \x1b[31mRED\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x07 end",
                "https://n.example/1",
            )
        )
        .replace(b"\x1b", b"&#x1b;")
        .replace(b"\x07", b"&#x7;")
    )
    assert "\x1b" not in article.title and "\x07" not in article.title
    assert "RED" in article.title and "[31m" not in article.title


def test_raw_escape_bytes_in_a_title_are_removed():
    article = only(rss(item("Rome \x1b[2J\x9b31m\u202eevil", "https://n.example/1")))
    assert all(c not in article.title for c in "\x1b\x9b\u202e")


def test_controls_in_a_link_are_percent_encoded_not_kept():
    link = "https://n.example/a\x1b[31mb c\u202ed\x9bq\x07"
    from_rss = only(rss(item("Rome news", link))).url
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [{"title": "t", "url": link}]}
    from_json = only(json.dumps(feed).encode()).url
    assert from_json == "https://n.example/a%1B[31mb%20c%E2%80%AEd%C2%9Bq%07"
    for url in (from_rss, from_json):
        assert url.isprintable() and " " not in url, url


def test_atom_feed():
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><title type="html">&lt;i&gt;Italy&lt;/i&gt; and Japan</title><id>urn:x:1</id>
    <link href="/news/1"/><updated>2026-01-16T09:00:00+09:00</updated><summary>s</summary>
    </entry></feed>"""
    article = only(body)
    assert (article.title, article.url, article.published) == (
        "Italy and Japan",
        "https://feeds.example/news/1",
        "2026-01-16T00:00:00Z",
    )


@pytest.mark.parametrize(
    "version", ["https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1"]
)
def test_json_feed(version):
    body = json.dumps(
        {
            "version": version,
            "title": "J",
            "items": [
                {
                    "id": "1",
                    "url": "https://j.example/1",
                    "title": "Rome <b>and</b> Tokyo",
                    "content_html": "<p>hi</p>",
                    "date_published": "2026-01-16T09:00:00+09:00",
                },
                "not an object",
                {"id": "2", "title": "no url at all"},
            ],
        }
    ).encode()
    parsed = parse_feed(body, BASE, NOW)
    assert [a.title for a in parsed.articles] == ["Rome and Tokyo"]
    assert parsed.articles[0].summary == "hi"
    assert parsed.skipped == 1


def test_undated_and_absurdly_dated_entries_take_first_seen_time():
    parsed = parse_feed(
        rss(
            item("no date", "https://n.example/1", None),
            item("far future", "https://n.example/2", "Mon, 01 Jan 2200 00:00:00 +0000"),
            item("ancient", "https://n.example/3", "Mon, 01 Jan 1066 00:00:00 +0000"),
            item("garbage date", "https://n.example/4", "the day after tomorrow"),
            # A CMS that lost an entry's date writes the Unix epoch: it would have put the
            # entry on the timeline as news of 1 January 1970.
            item("epoch", "https://n.example/5", "Thu, 01 Jan 1970 00:00:00 +0000"),
            item("epoch in Tokyo", "https://n.example/6", "Thu, 01 Jan 1970 09:00:00 +0900"),
        ),
        BASE,
        NOW,
    )
    assert len(parsed.articles) == 6
    assert {a.published for a in parsed.articles} == {"2026-02-01T12:00:00Z"}
    assert not any(a.dated for a in parsed.articles)


def test_entries_without_link_or_title_are_skipped_not_fatal():
    parsed = parse_feed(
        rss(
            "<title>no link</title>",
            "<link>https://n.example/notitle</link>",
            "<title>bad scheme</title><link>javascript:alert(1)</link>",
            item("good", "https://n.example/good"),
        ),
        BASE,
        NOW,
    )
    assert [a.title for a in parsed.articles] == ["good"]
    assert parsed.skipped == 3


def test_guid_that_is_a_url_stands_in_for_a_missing_link():
    article = only(rss("<title>x</title><guid>https://n.example/g</guid>"))
    assert article.url == "https://n.example/g"


def test_identity_ignores_tracking_parameters_fragment_and_host_case():
    a = only(rss(item("x", "https://News.Example:443/a?id=1&amp;utm_medium=rss#top")))
    b = only(rss(item("x", "https://news.example/a?id=1&amp;fbclid=zzz")))
    assert a.id == b.id
    assert canonical_url("http://n.example:80/p?utm_campaign=c") == "http://n.example/p"


def test_ttl_is_read():
    parsed = parse_feed(rss(item("x", "https://n.example/1"), extra="<ttl>90</ttl>"), BASE, NOW)
    assert parsed.ttl == 90 * 60


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><head><title>Hi</title></head><body>x</body></html>", "HTML page"),
        (b"<html><body><p>Sorry, we moved</p></body></html>", "HTML"),
        (b"this is not xml at all <<<>>>", "not a feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "not valid JSON"),
        (b'{"hello": "world"}', "not a JSON Feed"),
        (b"<note><to>x</to></note>", "not a feed"),
    ],
)
def test_non_feeds_get_a_clear_error(body, reason):
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, BASE, NOW)


def test_empty_feed_is_fine():
    assert parse_feed(rss(), BASE, NOW).articles == ()


@pytest.mark.parametrize(
    "attack", [BILLION_LAUGHS, XXE, QUADRATIC], ids=["laughs", "xxe", "quadratic"]
)
def test_xml_attacks_are_refused_without_a_memory_spike(attack):
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match="declares XML entities"):
            parse_feed(attack, BASE, NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(attack) + 1_000_000


def test_attack_hidden_in_utf16_is_refused_too():
    with pytest.raises(ParseError, match="entities"):
        parse_feed(XXE.decode().replace("utf-8", "utf-16").encode("utf-16"), BASE, NOW)


def test_wrong_and_other_encodings():
    latin1 = rss(item("Città di Roma e Giappone", "https://n.example/1")).replace(
        b'encoding="utf-8"', b'encoding="iso-8859-1"'
    )
    assert only(latin1.decode("utf-8").encode("latin-1")).title == "Città di Roma e Giappone"
    utf16 = rss(item("Tōkyō", "https://n.example/1")).decode().replace("utf-8", "utf-16")
    assert only(utf16.encode("utf-16")).title == "Tōkyō"
    # Declared UTF-8 but sent Windows-1252 (old Italian sites): each byte that is no UTF-8 is
    # read as Windows-1252, and the UTF-8 around it stays as it is.
    mislabelled = rss(item("Città “Roma” – Tōkyō", "https://n.example/1")).decode()
    mislabelled = mislabelled.replace("à “Roma” –", "à “Roma” –".encode("cp1252").decode("latin-1"))
    assert only(
        mislabelled.encode("latin-1", "replace").replace(b"T?ky?", "Tōkyō".encode())
    ).title == ("Città “Roma” – Tōkyō")
    # A raw control character (not even legal XML) is dropped, not fatal.
    assert only(rss(item("Città \x01 x", "https://n.example/1"))).title == "Città x"


SUMMIT = (
    "Takaichi and Meloni hold summit in Tokyo, raise ties to special strategic partnership. "
    "The leaders agreed on defense cooperation including GCAP, economic security and critical "
    "minerals supply chains, a new space dialogue and a free and open Indo-Pacific."
)


def test_seed_case_topics_and_kind():
    title, lead = SUMMIT.split(". ", 1)
    found = judge(title, lead, Config())
    assert found.relevant and found.kind == "summit"
    assert {"diplomacy", "defense", "economic-security", "space-science", "indo-pacific"} <= set(
        found.topics
    )


@pytest.mark.parametrize(
    ("text", "relevant"),
    [
        (SUMMIT, True),
        ("Italian carrier Cavour calls at Yokosuka, Japan", True),
        ("Japan's economy grows in Asia", False),
        ("Meloni speaks in Brussels", False),
        ("Abenomics and Romeo: an italianate Japanesque style", False),
    ],
)
def test_relevance_needs_both_sides_as_whole_words(text, relevant):
    assert judge(text, "", Config()).relevant is relevant


def test_opml_round_trip_keeps_titles_and_tags():
    feeds = [
        Feed("https://a.example/rss", "A & <B>", ("news", "jp")),
        Feed("https://b.example/atom?x=1&y=2", "", ()),
    ]
    back = read_opml(write_opml(feeds).encode())
    assert [(f.url, f.title, f.tags) for f in back] == [
        ("https://a.example/rss", "A & <B>", ("news", "jp")),
        ("https://b.example/atom?x=1&y=2", "", ()),
    ]


def test_opml_1_nested_folders_become_tags():
    doc = b"""<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
      <outline text="Italy"><outline text="ANSA" type="rss" xmlUrl="https://ansa.example/rss"/>
        <outline text="bad" type="rss" xmlUrl="file:///etc/passwd"/></outline>
      <outline text="Loose" xmlUrl="https://loose.example/feed"/></body></opml>"""
    assert [(f.url, f.title, f.tags) for f in read_opml(doc)] == [
        ("https://ansa.example/rss", "ANSA", ("Italy",)),
        ("https://loose.example/feed", "Loose", ()),
    ]


def test_opml_with_a_bare_ampersand_in_an_address_is_read():
    # Hand-written or exported by a lax reader: the whole file was "not valid XML".
    url = "https://news.google.com/rss/search?q=Japan+Italy&hl=en-US&gl=US&ceid=US:en"
    doc = f"""<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="News & politics"><outline text="Google" xmlUrl="{url}"/></outline>
      </body></opml>""".encode()
    assert [(f.url, f.title, f.tags) for f in read_opml(doc)] == [
        (url, "Google", ("News & politics",))
    ]


@pytest.mark.parametrize(
    "doc",
    [b"<opml><body>", b"<html/>", XXE.replace(b"<rss", b"<opml").replace(b"</rss>", b"</opml>")],
)
def test_bad_opml_is_refused(doc):
    with pytest.raises(OPMLError):
        read_opml(doc)


def test_leftovers_of_escapes_a_parser_dropped_leave_feed_text() -> None:
    # An XML parser drops ESC and BEL (XML forbids them) and keeps what followed them.
    from amity.feeds.articles import html_to_text

    assert html_to_text("Japan and Italy ]52;c;aGVsbG8= sign [31mpact[0m") == (
        "Japan and Italy sign pact"
    )


JAPANESE = "日本とイタリアが首脳会談、①防衛協力"


@pytest.mark.parametrize("name", ["Shift_JIS", "Windows-31J", "x-sjis", "MS932", "x-euc-jp"])
def test_japanese_encodings_by_every_name_real_sites_declare(name):
    # libxml2 knows neither Java's name for Windows' Shift_JIS (Windows-31J) nor x-sjis, and
    # its Shift_JIS has no ①: each title came out as mojibake, kept for good.
    codec = "euc_jp" if "euc" in name else "cp932"
    title = JAPANESE if codec == "cp932" else JAPANESE.replace("①", "")
    doc = rss(item(title, "https://n.example/1")).decode().replace("utf-8", name)
    assert only(doc.encode(codec)).title == title


def test_a_charset_named_only_by_the_http_header_is_read():
    doc = rss(item(JAPANESE, "https://n.example/1")).replace(b' encoding="utf-8"', b"")
    parsed = parse_feed(doc.decode().encode("cp932"), BASE, NOW, charset="Shift_JIS")
    assert [a.title for a in parsed.articles] == [JAPANESE]
    # ISO-2022-JP is 7-bit: its escape sequences are its text, not controls to drop.
    plain = JAPANESE.replace("①", "")
    mail = doc.decode().replace(JAPANESE, plain).encode("iso2022_jp")
    parsed = parse_feed(mail, BASE, NOW, charset="ISO-2022-JP")
    assert [a.title for a in parsed.articles] == [plain]
    # Nor one that is wrong about a body in UTF-8 with a stray Windows-1252 byte in it.
    stray = doc.decode().replace("防衛", "caff\udce8 防衛").encode("utf-8", "surrogateescape")
    parsed = parse_feed(stray, BASE, NOW, charset="iso-8859-1")
    assert [a.title for a in parsed.articles] == [JAPANESE.replace("防衛", "caffè 防衛")]
    # A header that is wrong about a body in UTF-8 (a server's default) is not believed.
    parsed = parse_feed(doc, BASE, NOW, charset="iso-8859-1")
    assert [a.title for a in parsed.articles] == [JAPANESE]


@pytest.mark.parametrize(
    "fault",
    [b"Q&A", b"caff&egrave; &nbsp;", b"tab\x0bbed \x1b[31m", b"&#xD800; &#0;", b"\xef\xbf\xbe"],
    ids=["bare-ampersand", "html-entities", "control-bytes", "forbidden-references", "U+FFFE"],
)
def test_one_fault_in_a_feed_costs_no_other_text(fault):
    # libxml2's recovering parser drops every entity after its first error: one "&nbsp;" in
    # one entry turned every later "AT&amp;T" into "ATT" and "&lt;b&gt;" into "b".
    faulty = item("Japan Italy first FAULT", "https://n.example/1")
    later = item(
        "Japan &amp;amp; Italy: R&amp;D &amp;lt;3 &lt;i&gt;", "https://n.example/2?a=1&amp;b=2"
    )
    body = rss(faulty, later).replace(b"FAULT", fault)
    articles = parse_feed(body, BASE, NOW).articles
    assert [a.title for a in articles][1:] == ["Japan & Italy: R&D <3"]
    assert articles[1].url == "https://n.example/2?a=1&b=2"
    assert articles[0].title.startswith("Japan Italy first")
    assert not any(c in articles[0].title for c in "\x1b\x0b\ufffe")


def test_an_emoji_written_as_a_surrogate_pair_keeps_its_feed():
    # Some publishing tools write a character beyond U+FFFF as two UTF-16 references, which
    # XML forbids: the whole feed failed ("'utf-8' codec can't decode byte 0xed").
    body = rss(
        item(
            "Japan Italy &#xD83C;&#xDDEF;&#xD83C;&#xDDF5; &#55357;&#56832; talks",
            "https://n.example/1",
        ),
        item("Japan Italy lone &#xDE00; half", "https://n.example/2"),
        item("Japan Italy CDATA <![CDATA[Q&A &#xD800; &eacute;]]>", "https://n.example/3"),
    )
    titles = [a.title for a in parse_feed(body, BASE, NOW).articles]
    assert titles == [
        "Japan Italy 🇯🇵 😀 talks",
        "Japan Italy lone \ufffd half",
        "Japan Italy CDATA Q&A \ufffd é",
    ]


@pytest.mark.parametrize("name", ["base64", "hex", "rot13", "idna", "undefined"])
def test_an_encoding_name_that_is_no_text_encoding_is_read_as_an_unknown_one(name):
    # Python knows these names, but they decode no bytes to text (or refuse to replace what
    # they cannot read): the parse raised LookupError, a traceback under `amity explain --feed`.
    # Like a name nobody knows, the document is left to the parser.
    doc = rss(item("Caffè Giappone", "https://n.example/1")).decode().replace("utf-8", name)
    parsed = parse_feed(doc.encode("latin-1"), BASE, NOW)
    assert [a.title for a in parsed.articles] == ["Caff\ufffd Giappone"]
    # Named only by the HTTP header, it is not believed: the bytes read as Windows-1252.
    plain = rss(item("Caffè Giappone", "https://n.example/1")).replace(b' encoding="utf-8"', b"")
    parsed = parse_feed(plain.decode().encode("latin-1"), BASE, NOW, charset=name)
    assert [a.title for a in parsed.articles] == ["Caffè Giappone"]


def test_an_unclosed_cdata_section_holds_the_rest_of_the_document():
    # As the parser reads it: the rest is the section's text, mended no further. Each of many
    # unclosed sections was searched for its end to the end of the body: a feed of 1 MB of
    # them held the refresh for hours.
    rest = b"<![CDATA[ Q&A <![CDATA[ &nbsp; </title>" * 3
    body = b'<?xml version="1.0"?><rss><channel><title>A & B' + rest
    assert readable(body) == body.replace(b"A & B", b"A &amp; B")


def test_a_surrogate_pair_after_another_reference_is_still_its_character():
    # Tools that write a surrogate pair as two references write every character so: the pair
    # was looked for two references at a time from the first, and one before it split it.
    body = rss(
        item("Japan Italy &#26085;&#55357;&#56832;&#26412;", "https://n.example/1"),
        item("Japan Italy &#x201C;&#xD83D;&#xDE00;&#x201D;", "https://n.example/2"),
    )
    titles = [a.title for a in parse_feed(body, BASE, NOW).articles]
    assert titles == ["Japan Italy 日😀本", "Japan Italy “😀”"]


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("Ven, 16 Gen 2026 10:00:00 +0100", "2026-01-16T09:00:00Z"),
        ("venerdì, 16 gennaio 2026", "2026-01-16T00:00:00Z"),
        ("Mar, 20 Gen 2026 08:30:00 GMT", "2026-01-20T08:30:00Z"),
        ("2026年1月16日 10時30分", "2026-01-16T01:30:00Z"),
        ("2026年01月16日(金) 10:30", "2026-01-16T01:30:00Z"),
        ("2026年1月16日", "2026-01-16T00:00:00Z"),
    ],
)
def test_dates_written_in_italian_or_japanese_are_read(written, published):
    # An Italian CMS writes its locale's names into RFC 822 dates; some Japanese feeds write
    # 年月日. Undated, each entry took the day it was first seen: a new subscription put its
    # whole backlog on that one day, where it clustered.
    body = rss(
        item("Japan Italy first", "https://n.example/1", written),
        item("Japan Italy second", "https://n.example/2", written),
    )
    assert [(a.published, a.dated) for a in parse_feed(body, BASE, NOW).articles] == [
        (published, True)
    ] * 2


def test_atom_text_in_xhtml_is_read():
    # RFC 4287 lets an Atom title or summary be XHTML; the parser read none of it, so every
    # entry titled so was skipped and such a feed was "ok" with nothing in it.
    xhtml = 'type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title {xhtml}The <b>Wire</b></div></title><entry>"
        f"<title {xhtml}Japan and <b>Italy</b> sign a pact</div></title>"
        '<link href="https://a.example/1"/><updated>2026-01-16T10:00:00Z</updated>'
        f"<summary {xhtml}Rome <i>and</i> Tokyo &amp; more</div></summary></entry></feed>"
    ).encode()
    parsed = parse_feed(body, BASE, NOW)
    assert parsed.title == "The Wire"
    assert [(a.title, a.summary) for a in parsed.articles] == [
        ("Japan and Italy sign a pact", "Rome and Tokyo & more")
    ]


def test_an_unclosed_xhtml_text_holds_the_rest_of_the_document():
    # Each of many XHTML titles never closed was searched for its end to the end of the body:
    # 420 KB of them took 33 s. The first such one now holds the rest, left as it is.
    rest = b'<title type="xhtml"><div>x y' * 3
    body = b'<?xml version="1.0"?><feed><title type="xhtml"><div>A</div></title>' + rest
    assert readable(body) == (
        b'<?xml version="1.0"?><feed><title type="html">&lt;div&gt;A&lt;/div&gt;</title>' + rest
    )


def test_a_title_that_only_names_the_outlet_gives_way_to_the_summary():
    # "ANSA - ANSA" from Google News, or an entry titled with its feed's own name: the event
    # was titled "ANSA", which says nothing of what happened.
    google = (
        "<title>ANSA - ANSA</title><link>https://news.google.com/rss/articles/CBMiX?oc=5</link>"
        '<source url="https://www.ansa.it">ANSA</source>'
        "<description>Italy and Japan sign a space accord</description>"
    )
    body = rss(
        google,
        item("Wire", "https://n.example/1", summary="Meloni and Takaichi meet in Rome"),
        item(" – ", "https://n.example/2", summary="Tokyo and Rome agree on GCAP"),
        item("Wire", "https://n.example/3"),  # nothing else to go by: skipped
        title="Wire",
    )
    parsed = parse_feed(body, BASE, NOW)
    assert [a.title for a in parsed.articles] == [
        "Italy and Japan sign a space accord",
        "Meloni and Takaichi meet in Rome",
        "Tokyo and Rome agree on GCAP",
    ]
    assert parsed.skipped == 1


def test_a_reference_written_with_leading_zeros_keeps_its_character():
    # XML allows any number of leading zeros: "&#x00000E9;" is é, not a code point beyond
    # U+10FFFF to drop for having seven digits.
    body = rss(item("Japan Italy caff&#x00000E9; e caff&#00000233; Q&A", "https://n.example/1"))
    assert [a.title for a in parse_feed(body, BASE, NOW).articles] == [
        "Japan Italy caffé e caffé Q&A"
    ]
