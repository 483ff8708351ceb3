"""Reports of a curated milestone join it in any language, and a report about something else
stays out of a milestone its lead merely mentions (feeds.cluster.Timeline with the shipped
milestones)."""

from __future__ import annotations

from amity.feeds.articles import Article, article_key
from amity.feeds.cluster import Timeline
from amity.store import Config
from amity.store.curated import bundled_sets

NOW = "2026-11-27T08:00:00Z"


def shipped() -> Timeline:
    events = {event.id: event for s in bundled_sets() for event in s.events()}
    return Timeline(Config(), events=events, articles={})


def report(url: str, day: str, title: str, summary: str) -> Article:
    return Article(
        id=article_key(url),
        url=url,
        title=title,
        summary=summary,
        published=f"{day}T09:00:00Z",
        publisher="Outlet",
    )


def joined(timeline: Timeline, article: Article) -> tuple[str, str]:
    """The date and origin of the event the article went to."""
    assert timeline.add(article, "https://outlet.example/feed", NOW) == "new"
    (event,) = (e for e in timeline.events.values() if article.url in {s.url for s in e.sources})
    return event.date, event.origin


def test_a_milestone_is_named_by_what_it_is_about_in_each_language() -> None:
    # None names the milestone by one of its phrases ("Japan-Italy working holiday",
    # "Japan-Italy Information Security Agreement"), but each names what it is about.
    holiday = report(
        "https://en.example/working-holiday",
        "2022-05-04",
        "Italy and Japan open a working holiday scheme for young people",
        "Young Italians and Japanese can spend a year in the other country and take jobs.",
    )
    secrets = report(
        "https://en.example/secrets",
        "2016-06-08",
        "Italy and Japan's information security agreement takes effect",
        "The two governments may now share classified defence information under common rules.",
    )
    assert joined(shipped(), holiday) == ("2022-05-02", "curated")
    assert joined(shipped(), secrets) == ("2016-06-07", "curated")


def test_a_headline_about_another_programme_does_not_join_a_milestone_its_lead_mentions() -> None:
    # The Expo pavilion's plans were presented on board the Vespucci in Tokyo: pavilion news.
    pavilion = report(
        "https://ja.example/pavilion",
        "2024-08-28",
        "大阪・関西万博のイタリアパビリオン、古代彫刻を展示へ",
        "東京に寄港した帆船ヴェスプッチ号の船上で、イタリア館の展示計画が日本の関係者に紹介された。",
    )
    # A report headlined on the ship is the ship's, whatever else its lead names.
    ship = report(
        "https://it.example/vespucci",
        "2024-08-26",
        "Il Vespucci a Tokyo, festa a bordo con il Giappone",
        "Il veliero accoglie i visitatori giapponesi; si parla anche del padiglione all'Expo.",
    )
    assert joined(shipped(), pavilion) == ("2024-08-28", "feed")
    assert joined(shipped(), ship) == ("2024-08-25", "curated")


def test_an_anniversary_year_ties_reports_to_its_milestone_not_to_each_other() -> None:
    # The 150th anniversary was a year of events: the programme presented in Rome and the
    # season opened in Tokyo the next day are two happenings; the anniversary's day is its
    # milestone's, also written 日本とイタリア (not 日伊, as the milestone's phrases are).
    rome = report(
        "https://it.example/roma",
        "2016-01-19",
        "Italia-Giappone, a Roma presentato il programma per i 150 anni",
        "Mostre e concerti in tutta Italia per l'anniversario del trattato del 1866.",
    )
    tokyo = report(
        "https://it.example/tokyo",
        "2016-01-20",
        "Tokyo celebra i 150 anni di relazioni con l'Italia",
        "L'ambasciata italiana apre la stagione di eventi con un ricevimento.",
    )
    day = report(
        "https://ja.example/150",
        "2016-08-26",
        "日本とイタリア、国交150周年を祝う式典",
        "両国の政府関係者が東京で記念行事に出席し、これまでの交流を振り返った。",
    )
    timeline = shipped()
    assert joined(timeline, rome) == ("2016-01-19", "feed")
    assert joined(timeline, tokyo) == ("2016-01-20", "feed")
    assert joined(timeline, day) == ("2016-08-25", "curated")


def test_the_fighter_programme_is_gcap_however_it_is_named() -> None:
    # The treaty signed in Tokyo, named by what the programme builds, not by GCAP or GIGO.
    treaty = report(
        "https://en.example/treaty",
        "2023-12-14",
        "Britain, Japan and Italy sign a treaty on their fighter jet programme",
        "The three governments set up a body in Britain to run the work on the new aircraft.",
    )
    assert joined(shipped(), treaty) == ("2023-12-14", "curated")
