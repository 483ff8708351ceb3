"""The days an article states, in English, Italian and Japanese, and what they decide: a preview
or follow-up weeks away from a curated milestone joins it when it states the milestone's day and
names it; a nearer event that scores as well keeps it, and a day stated without a name joins
nothing."""

from __future__ import annotations

import pytest
from amity.feeds.articles import Article
from amity.feeds.cluster import Timeline
from amity.feeds.stated_dates import StatedDay, stated_days
from amity.store import Config, ConfigError, Event, load_config
from amity.store.curated import bundled_sets

CONFIG = Config()


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # English: day first or month first, ordinals, abbreviations, a year beside the day.
        ("The ACSA entered into force on 5 September", {(9, 5, None)}),
        ("Summit in Tokyo on January 16, 2026", {(1, 16, 2026)}),
        ("Talks set for the 16th of January", {(1, 16, None)}),
        ("The agreement takes effect Sept. 5", {(9, 5, None)}),
        ("The Vespucci calls at Tokyo from 25-30 August", {(8, d, None) for d in range(25, 31)}),
        # Italian.
        ("L'accordo ACSA entra in vigore il 5 settembre", {(9, 5, None)}),
        ("Vertice a Tokyo il 16 gennaio 2026", {(1, 16, 2026)}),
        ("Mattarella in Giappone dal 3 al 9 marzo", {(3, d, None) for d in range(3, 10)}),
        ("Il 1° settembre a Roma", {(9, 1, None)}),
        # Japanese: era-less and with a year, full-width digits, a span of days.
        ("日伊映画共同製作協定が8月9日に発効", {(8, 9, None)}),
        ("日伊首脳会談は１月１６日に行われた", {(1, 16, None)}),
        ("2026年1月16日、東京で会談", {(1, 16, 2026)}),
        ("令和6年8月9日に発効する", {(8, 9, None)}),
        ("メローニ首相が1月15〜17日来日", {(1, 15, None), (1, 16, None), (1, 17, None)}),
    ],
)
def test_days_stated_in_three_languages(text, days):
    assert stated_days(text, CONFIG) == {StatedDay(*day) for day in days}


@pytest.mark.parametrize(
    "text",
    [
        "Meloni will visit Tokyo in January 2026",  # a month, no day
        "Italia-Giappone 3-1, le azzurre vincono 3 set a 1",  # a score, not a day
        "日本代表は2026年1月にイタリアと対戦",  # a month, no day
        "Talks at 10:30 on the 16th floor",
        "",
    ],
)
def test_no_day_where_none_is_stated(text):
    assert stated_days(text, CONFIG) == set()


def test_a_configured_language_states_days_with_its_month_names(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[languages]]\ncode = "fr"\n[languages.months]\n9 = ["septembre"]\n')
    config = load_config(path)
    assert stated_days("L'accord entre en vigueur le 5 septembre", config) == {StatedDay(9, 5)}
    path.write_text('[[languages]]\ncode = "fr"\n[languages.months]\nsept = ["septembre"]\n')
    with pytest.raises(ConfigError, match=r"\[\[languages\]\] 1: months are numbered 1 to 12"):
        load_config(path)


# -- what a stated day decides ---------------------------------------------------------------


def _timeline(*extra: Event) -> Timeline:
    events = {e.id: e for s in bundled_sets() for e in s.events()}
    events.update((e.id, e) for e in extra)
    return Timeline(CONFIG, events, {})


def _take(timeline: Timeline, day: str, title: str, summary: str = "") -> Event:
    article = Article(
        id=f"https://example.org/{abs(hash(title))}",
        url=f"https://example.org/{abs(hash(title))}",
        title=title,
        summary=summary,
        published=f"{day}T09:00:00Z",
    )
    assert timeline.add(article, "https://example.org/feed", f"{day}T09:00:00Z") == "new"
    event_id = timeline.articles[article.id]["event"]
    return timeline.events[event_id]


@pytest.mark.parametrize(
    ("day", "title", "summary", "joins"),
    [
        # A preview weeks ahead, in Japanese: the day and the agreement's name.
        (
            "2024-07-20",
            "日伊映画共同製作協定、8月9日に発効へ",
            "映画の共同製作が進む。",
            "2024-08-09",
        ),
        # A follow-up weeks late, in Italian: the day and the ship's name.
        (
            "2024-09-12",
            "Amerigo Vespucci: bilancio della tappa a Tokyo del 25 agosto",
            "La nave scuola italiana in Giappone: visitatori al Villaggio Italia.",
            "2024-08-25",
        ),
        # A preview that names the milestone by who meets (Meloni, Takaichi), not its terms.
        (
            "2026-01-05",
            "イタリア・メローニ首相が1月15〜17日来日 高市首相と会談へ",
            "首脳会談とワーキングランチが予定されている。",
            "2026-01-16",
        ),
        # The same day beyond the reach (four months late): a happening of its own.
        (
            "2024-12-20",
            "Amerigo Vespucci: la tappa a Tokyo del 25 agosto ricordata a Roma",
            "La nave scuola italiana in Giappone.",
            None,
        ),
        # A day stated without the milestone's name: nothing ties them.
        (
            "2024-09-12",
            "Italia e Giappone, mostra d'arte a Roma dal 25 agosto",
            "Dipinti giapponesi in una mostra dell'ambasciata.",
            None,
        ),
    ],
)
def test_a_report_weeks_away_joins_the_milestone_whose_day_it_states_and_name_it_gives(
    day, title, summary, joins
):
    event = _take(_timeline(), day, title, summary)
    if joins is None:
        assert event.origin == "feed"
    else:
        assert (event.origin, event.date) == ("curated", joins)


@pytest.mark.parametrize(
    ("day", "title", "summary"),
    [
        # Reported on the milestone's own day: the farther day it states is a reference.
        (
            "2025-08-06",
            "In vigore dal 5 settembre l'accordo Giappone-Italia sulle forze armate",
            "Scambiate a Tokyo le note sull'Acsa, che entrerà in vigore il 5 settembre.",
        ),
        # Days late, stating its own milestone's day as well as the farther one.
        (
            "2025-08-12",
            "外務省、日伊ACSAの9月5日発効を発表(8月6日)",
            "公文交換により日伊ACSAは9月5日に発効する。",
        ),
    ],
)
def test_a_report_that_fits_a_milestone_of_its_own_days_stays_with_it(day, title, summary):
    event = _take(_timeline(), day, title, summary)
    assert (event.origin, event.date) == ("curated", "2025-08-06")


def test_between_milestones_a_report_goes_to_the_one_whose_days_it_falls_on():
    # Mattarella's visit runs 3-9 March 2025; his talks with Ishiba were on the 5th. A report
    # of his Hiroshima day that words it as talks (会談) belongs to the visit, however like
    # the reports of those talks it reads.
    timeline = _timeline()
    talks = _take(
        timeline,
        "2025-03-05",
        "石破首相、マッタレッラ大統領と会談 被爆者の声も話題に",
        "来日中のイタリア大統領と首相が会談し、広島訪問や原爆慰霊碑への献花も話題になった。",
    )
    assert talks.date == "2025-03-05"
    event = _take(
        timeline,
        "2025-03-09",
        "イタリア大統領、被爆者と会談 原爆慰霊碑に献花",
        "来日中のマッタレッラ大統領が広島で献花し、被爆者と面会した。",
    )
    assert (event.origin, event.date) == ("curated", "2025-03-03")


def test_a_report_weeks_away_is_judged_by_the_milestone_not_by_its_other_reports():
    # A report of the Vespucci's day in Tokyo that names the Italy pavilion, then a follow-up
    # weeks later stating that day and naming only the pavilion (not the ship, none of the
    # milestone's terms): read in one refresh or in two, the follow-up is placed the same way.
    report = (
        "2024-08-25",
        "Amerigo Vespucci a Tokyo, festa con l'Expo e il padiglione Italia",
        "La nave scuola italiana in Giappone: visitatori al Villaggio Italia, con il padiglione.",
    )
    follow_up = (
        "2024-10-10",
        "Padiglione Italia: bilancio della festa a Tokyo del 25 agosto",
        "Visitatori al Villaggio Italia in Giappone.",
    )
    together = _timeline()
    assert _take(together, *report).id == "jp-it-2024-08-25-amerigo-vespucci-in-tokyo"
    alone = _take(_timeline(), *follow_up)

    after_the_report = _take(together, *follow_up)

    assert alone.origin == "feed"  # the milestone's own name is not given
    assert (after_the_report.origin, after_the_report.date) == (alone.origin, alone.date)
