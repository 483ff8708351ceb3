"""One event per happening across outlets and languages, curated milestones included; Google News
copies are the outlet's article; changed rules re-apply without undoing the person's edits.
Real refreshes against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from amity.feeds import refresh
from amity.store import Config, Store
from feedserver import feed_events, item, rss, short_config, store_with

ACSA_DAY = "Fri, 05 Sep 2025 10:00:00 +0900"
ACSA_MILESTONE = "jp-it-2025-09-05-acsa-in-force"


def events_by_id(store: Store) -> dict:
    return {e.id: e for e in store.snapshot().events}


async def test_reports_in_three_languages_join_the_curated_milestone(server, tmp_path):
    urls = [
        server.serve(
            "/en",
            rss(item("Japan-Italy ACSA enters into force", "https://en.example/acsa", ACSA_DAY)),
        ),
        server.serve(
            "/it",
            rss(
                item(
                    "In vigore l'accordo ACSA tra Italia e Giappone",
                    "https://it.example/a",
                    ACSA_DAY,
                )
            ),
        ),
        server.serve(
            "/ja",
            rss(item("日伊物品役務相互提供協定が発効", "https://ja.example/a", ACSA_DAY)),
        ),
    ]
    store = store_with(tmp_path / "db.json", urls)
    curated_topics = events_by_id(store)[ACSA_MILESTONE].topics
    report = await refresh(store, short_config())

    assert report.new_articles == 3 and report.new_events == 0
    milestone = events_by_id(store)[ACSA_MILESTONE]
    assert {s.url for s in milestone.sources} >= {
        "https://en.example/acsa",
        "https://it.example/a",
        "https://ja.example/a",
    }
    assert milestone.topics == curated_topics  # a curated entry keeps its topics


async def test_one_event_per_happening_and_neighbours_stay_apart(server, tmp_path):
    summit = "Fri, 16 Jan 2026 18:00:00 +0900"
    urls = [
        server.serve(
            "/a",
            rss(
                item("Meloni e Takaichi, vertice a Tokyo", "https://a.example/1", summit),
                item(
                    "Giappone e Italia: portaerei Cavour a Yokosuka",
                    "https://a.example/2",
                    "Sat, 17 Jan 2026 09:00:00 +0900",
                ),
            ),
        ),
        server.serve(
            "/b",
            rss(item("高市首相とメローニ首相が首脳会談", "https://b.example/1", summit)),
        ),
    ]
    store = store_with(tmp_path / "db.json", urls)
    with store.transaction() as txn:  # without the curated summit, feed events must form
        txn.remove_events(["jp-it-2026-01-16-special-strategic-partnership"])
    await refresh(store, short_config())

    events = feed_events(store)
    by_source = {s.url: e.id for e in events for s in e.sources}
    assert by_source["https://a.example/1"] == by_source["https://b.example/1"]
    assert by_source["https://a.example/2"] != by_source["https://a.example/1"]
    summit_event = next(e for e in events if e.id == by_source["https://a.example/1"])
    assert summit_event.why is not None and summit_event.why["reports"] == 2
    assert set(summit_event.why["langs"]) == {"it", "ja"}


async def test_a_google_news_copy_is_the_outlets_article(server, tmp_path):
    title = "Italy and Japan sign film co-production agreement"
    outlet = server.serve("/outlet", rss(item(title, "https://outlet.example/film")))
    copy = item(
        f"{title} - Outlet News",
        "https://news.google.com/rss/articles/CBMiXYZ?oc=5",
        summary="&lt;a href='x'&gt;" + title + "&lt;/a&gt; Outlet News",
    )
    gnews = server.serve("/gnews", rss(copy))
    store = store_with(tmp_path / "db.json", [outlet, gnews])
    report = await refresh(store, short_config())

    assert report.new_articles == 1
    with store.transaction() as txn:
        (record,) = txn.articles().values()
    assert record["url"] == "https://outlet.example/film"
    assert record["also"] == ["https://news.google.com/rss/articles/CBMiXYZ?oc=5"]
    assert len(record["feeds"]) == 2


async def test_google_news_alone_names_the_outlet_and_keeps_the_headline(server, tmp_path):
    copy = item(
        "Meloni e Takaichi firmano il partenariato strategico - ANSA",
        "https://news.google.com/rss/articles/CBMiABC?oc=5",
    )
    store = store_with(tmp_path / "db.json", [server.serve("/gnews", rss(copy))])
    await refresh(store, short_config())
    (source,) = [s for e in store.snapshot().events for s in e.sources if "google" in s.url]
    assert source.title == "Meloni e Takaichi firmano il partenariato strategico"
    assert source.publisher == "ANSA"


async def test_the_source_element_names_the_outlet(server, tmp_path):
    # Google News writes the outlet in <source>: it is the publisher even where the headline's
    # tail is shortened or missing, and any feed's <source> names the item's original channel.
    # An HTML <source> inside a description names nothing.
    shortened = item(
        "Japan and Italy sign an accord on critical minerals supply chains - Kyodo",
        "https://news.google.com/rss/articles/CBMiK1?oc=5",
        summary="&lt;video&gt;&lt;source src='v.mp4'&gt;&lt;/video&gt; Tokyo and Rome agree.",
    )
    shortened += '<source url="https://english.kyodonews.net">Kyodo News</source>'
    untailed = item(
        "日伊首脳が電話会談 防衛協力を確認",
        "https://news.google.com/rss/articles/CBMiK2?oc=5",
        "Tue, 20 Jan 2026 10:00:00 +0900",
    )
    untailed += "<source url='https://www3.nhk.or.jp'><![CDATA[NHK & 共同]]></source>"
    planet = item(
        "Italy and Japan hold space dialogue in Rome - Italian Space Agency",
        "https://planet.example/asi/1",
        "Mon, 26 Jan 2026 10:00:00 +0900",
    )
    planet += '<source url="https://asi.example/rss">Italian Space Agency</source>'
    video = item(
        "Japanese and Italian navies train together off Sicily",
        "https://navy.example/1",
        "Mon, 02 Feb 2026 10:00:00 +0900",
        "&lt;video&gt;&lt;source src='https://navy.example/v.mp4'&gt;Watch&lt;/source&gt;"
        "&lt;/video&gt;",
    )
    url = server.serve("/gnews", rss(shortened, untailed, planet, video, title="Feed"))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())

    sources = {s.url: s for e in store.snapshot().events for s in e.sources}
    kyodo = sources["https://news.google.com/rss/articles/CBMiK1?oc=5"]
    assert (kyodo.title, kyodo.publisher) == (
        "Japan and Italy sign an accord on critical minerals supply chains",
        "Kyodo News",
    )
    nhk = sources["https://news.google.com/rss/articles/CBMiK2?oc=5"]
    assert (nhk.title, nhk.publisher) == ("日伊首脳が電話会談 防衛協力を確認", "NHK & 共同")
    asi = sources["https://planet.example/asi/1"]
    assert (asi.title, asi.publisher) == (
        "Italy and Japan hold space dialogue in Rome",
        "Italian Space Agency",
    )
    assert sources["https://navy.example/1"].publisher == "Feed"


async def test_a_broken_source_element_and_long_blank_runs_do_not_hold_up_the_feed(
    server, tmp_path
):
    # A <source> never closed, then a long run of blanks (a cut or hostile feed): the scan
    # must stay linear in the body, so the feed is read and the good item keeps its outlet.
    broken = item("Japan and Italy: talks in Rome", "https://a.example/1")
    broken += '<source url="https://s.example/"/>' + " " * 20_000
    blank_link = "<title>Meloni meets Takaichi</title><link>" + " " * 20_000 + "</link>"
    blank_link += '<source url="https://s.example/">' + " " * 20_000
    good = item(
        "Italy and Japan sign a defence accord - ANSA",
        "https://ansa.example/2",
        "Tue, 20 Jan 2026 10:00:00 +0900",
    )
    good += '<source url="https://www.ansa.it">ANSA</source>'
    url = server.serve("/hostile", rss(good, broken, blank_link, title="Feed"))
    store = store_with(tmp_path / "db.json", [url])
    report = await refresh(store, short_config())

    assert [f.status for f in report.feeds] == ["ok"]
    sources = {s.url: s for e in store.snapshot().events for s in e.sources}
    ansa = sources["https://ansa.example/2"]
    assert (ansa.title, ansa.publisher) == ("Italy and Japan sign a defence accord", "ANSA")


async def test_changed_rules_reapply_but_never_undo_the_persons_edits(server, tmp_path):
    # The Spanish report is dropped until a config adds Spanish words for the pair; the English
    # ones make events, one of which the person retitles.
    spanish = item(
        "Japón e Italia firman un acuerdo de defensa",
        "https://es.example/1",
        "Mon, 02 Feb 2026 10:00:00 +0000",
    )
    talks = item(
        "Japan and Italy hold defence talks on GCAP",
        "https://en.example/1",
        "Mon, 09 Feb 2026 10:00:00 +0000",
    )
    film = item(
        "Japan and Italy sign a film agreement",
        "https://en.example/2",
        "Mon, 23 Feb 2026 10:00:00 +0000",
    )
    url = server.serve("/feed", rss(spanish, talks, film))
    store = store_with(tmp_path / "db.json", [url])
    await refresh(store, short_config())
    by_title = {e.title: e for e in feed_events(store)}
    film_title = "Japan and Italy sign a film agreement"
    assert set(by_title) == {"Japan and Italy hold defence talks on GCAP", film_title}
    edited = by_title[film_title].with_changes(
        title="My title", edits={"title": "2026-02-24T00:00:00Z"}
    )
    store.put_events([edited])
    assert "space-science" not in by_title["Japan and Italy hold defence talks on GCAP"].topics

    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[[languages]]\ncode = "es"\nmarkers = ["e", "un", "de"]\ncues = ["acuerdo"]\n'
        '[languages.sides]\nJP = ["japón"]\nIT = ["italia"]\n'
        '[[languages]]\ncode = "en"\n[languages.topics]\nspace-science = ["film", "talks"]\n',
        encoding="utf-8",
    )
    from amity.store import load_config

    config = Config(refresh=short_config().refresh, languages=load_config(config_file).languages)
    await refresh(store, config, force=True)

    events = {e.title: e for e in feed_events(store)}
    assert set(events) == {
        "My title",
        "Japan and Italy hold defence talks on GCAP",
        "Japón e Italia firman un acuerdo de defensa",
    }
    mine = events["My title"]
    assert mine.id == edited.id and mine.edits == edited.edits
    # The stored articles were judged again: the new keyword re-tags the event nobody edited,
    # while the person's event keeps what it had.
    assert "space-science" in events["Japan and Italy hold defence talks on GCAP"].topics
    assert mine.topics == edited.topics


async def test_an_events_topics_weigh_the_whole_evidence_of_its_reports(server, tmp_path):
    # One report of a leaders' call mentions the Expo pavilion in passing, the other puts
    # defence in its headline: the event is about the call and defence, not culture.
    call = "Tue, 08 Apr 2025 20:00:00 +0900"
    urls = [
        server.serve(
            "/it",
            rss(
                item(
                    "Telefonata Meloni-Ishiba, confermata la missione in Giappone",
                    "https://it.example/call",
                    call,
                    "La presidente del Consiglio visiterà anche il padiglione italiano all'Expo; "
                    "si è parlato di Ucraina e del G7.",
                )
            ),
        ),
        server.serve(
            "/it2",
            rss(
                item(
                    "Telefonata Meloni-Ishiba, intesa su difesa e caccia GCAP",
                    "https://it2.example/call",
                    call,
                    "Le due premier confermano la missione in Giappone e la cooperazione militare.",
                )
            ),
        ),
    ]
    store = store_with(tmp_path / "db.json", urls)
    await refresh(store, short_config())

    (event,) = feed_events(store)
    assert event.why is not None and event.why["reports"] == 2
    assert set(event.topics) == {"diplomacy", "defense"}
