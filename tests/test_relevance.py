"""Relevance in three languages: what amity keeps, what it drops, and why it says so."""

from __future__ import annotations

import pytest
from amity.feeds.classify import judge, rules_fingerprint
from amity.feeds.matcher import Hit, Matcher, normalise
from amity.store import Config, ConfigError, load_config

KEPT = [
    ("Japan, Italy agree to bolster defense ties as ACSA takes effect", ""),
    ("Italia e Giappone firmano l'accordo ACSA", "Crosetto e l'omologo giapponese a Roma."),
    ("Meloni a Tokyo: vertice con Takaichi", "Rapporti tra Italia e Giappone più stretti."),
    ("日伊首脳会談　高市首相とメローニ首相が会談", "両国関係を戦略的パートナーシップに格上げ"),
    ("日伊ＡＣＳＡが発効", "自衛隊とイタリア軍の物品役務相互提供協定が発効した。"),
    ("La portaerei Cavour fa scalo a Yokosuka", "Esercitazione con la marina giapponese."),
    ("GCAP industry partners launch joint company Edgewing", "BAE, Leonardo and JAIEC."),
    # Japan named only through its imperial family or the 2025 Expo, in every language.
    ("Crown Prince Akishino welcomed in Rome for the anniversary", "He met the president."),
    ("秋篠宮ご夫妻がイタリアを公式訪問", "ローマで大統領と会見された。"),
    ("Italy pavilion at Osaka Expo opens its doors to the press", "A Renaissance square."),
    ("Il padiglione Italia all'Expo di Osaka svela i suoi tesori", "Arte e scienza."),
    # Japan named only by its fleet or its ships.
    ("イタリア空母の司令官が来訪", "自衛艦隊司令官と会談し、共同訓練の継続で一致した。"),
]
DROPPED = [
    ("Volleyball: Italy beat Japan in the Nations League semifinal", "", "sport"),
    ("Italia-Giappone 3-1, le azzurre vincono il torneo", "Partita di pallavolo.", "sport"),
    ("Tokyo stocks rise as Italian bonds rally", "Markets in Asia and Europe.", "market"),
    ("日本株が上昇、イタリア国債も買われる", "為替は円安。株価指数は最高値。", "market"),
    ("Japan and Italy among states urged to honour the Rome Statute", "ICC.", "rome-statute"),
    ("ローマ教皇が来日、広島訪問へ", "教皇は長崎と広島を訪れる。", "one side"),
    (
        "G7 leaders meet in Canada",
        "Leaders of the US, Japan, Italy, Germany, France, the UK and Canada met.",
        "multilateral",
    ),
    ("UK-Japan defence treaty signed", "Italy is mentioned in passing as a GCAP partner.", ""),
    # Katakana shared with Italian names: Kabul (not the carrier Cavour), a medicine (not Urso).
    ("外務省、カブールの日本大使館を一時閉鎖", "邦人の退避を進める。", "one side"),
    ("ウルソ錠の出荷を調整 日本の製薬会社", "供給が不安定になっている。", "one side"),
    # "Emperor" alone is also Rome's; only Japan's imperial names stand for Japan.
    ("The emperor's villa reopens near Rome", "Italy restored Hadrian's retreat.", "one side"),
    # Other imperial families, and fairs that share the Expo's year in their name.
    ("Scoperta a Roma una tomba legata alla famiglia imperiale giulio-claudia", "", "one side"),
    ("Romanov imperial household jewels on show in Rome", "A loan from Moscow.", "one side"),
    ("ロシア皇室の至宝展、ローマで開幕", "ロマノフ家の宝飾品を展示。", "one side"),
    ("エリザベート皇后展、ローマで開幕", "ハプスブルク家の至宝を展示。", "one side"),
    ("スペイン国王両陛下、ローマを訪問", "大統領と会談した。", "one side"),
    ("Smart Building Expo 2025 apre a Milano", "Fiera dell'edilizia.", "one side"),
    # A number is no anniversary: "160°" reads as 160, the spread's points.
    ("Tokyo: Borsa in calo, yen su. Spread Italia a 160", "Titoli di Stato sotto pressione.", ""),
    # A training squadron (練習艦隊) is any navy's: the Italian one's world tour names no Japan.
    ("イタリア海軍の練習艦隊、シドニーに寄港", "帆船が世界一周の途中で寄港した。", "one side"),
]


@pytest.mark.parametrize(("title", "lead"), KEPT)
def test_reports_of_the_relationship_are_kept_in_any_language(title, lead):
    verdict = judge(title, lead, Config())
    assert verdict.relevant, verdict.rule
    assert verdict.terms and verdict.why()["rule"] == verdict.rule


@pytest.mark.parametrize(("title", "lead", "kind"), DROPPED)
def test_look_alikes_are_dropped_with_the_reason(title, lead, kind):
    verdict = judge(title, lead, Config())
    assert not verdict.relevant
    assert kind in verdict.rule


def test_why_names_the_rule_the_terms_and_the_language():
    why = judge("Giappone e Italia, accordo sui caccia GCAP", "", Config()).why()
    assert why["lang"] == "it"
    assert {"giappone", "italia", "accordo", "gcap"} <= set(why["terms"])
    assert "both sides in the title" in why["rule"]


def test_italian_inflections_and_japanese_compounds_match():
    verdict = judge("Delegazione giapponese ricevuta dal ministro italiano", "", Config())
    assert {"giapponese", "italiano"} <= set(verdict.terms)
    # 日 and 伊 alone are everyday characters: only compounds name the sides.
    assert not judge("伊藤さんが日曜日に東京で", "", Config()).relevant


def test_full_width_and_case_are_normalised():
    assert normalise("ＡＣＳＡ と Ｇ７") == "acsa と g7"
    assert "acsa" in judge("日本とイタリアのＡＣＳＡが発効", "", Config()).entities


def test_matcher_finds_words_phrases_prefixes_and_substrings():
    cue, side, pope = (
        Hit("cue", "", "*", ""),
        Hit("side", "IT", "*", ""),
        Hit("against", "", "", ""),
    )
    matcher = Matcher(
        [
            ("port call", cue),
            ("giappon*", cue),
            ("会談", cue),
            ("ローマ", side),
            ("ローマ教皇", pope),
        ]
    )
    found = matcher.find(normalise("Port-call: giapponesi al 会談, ローマ教皇"))
    # Rome inside "the Pope of Rome" is not Rome; elsewhere it is.
    assert sorted(h.term for h in found) == ["giapponesi", "port call", "ローマ教皇", "会談"]
    assert "ローマ" in [h.term for h in matcher.find(normalise("ローマ教皇がローマで"))]


@pytest.mark.parametrize(
    "title",
    ["", " - ANSA", "\x1b[31m日伊\x1b[0m", "&lt;b&gt;Japan&lt;/b&gt; Italy", "ＧＣＡＰ" * 999],
)
def test_bad_input_gets_a_decision_not_a_crash(title):
    verdict = judge(title, title, Config())
    assert isinstance(verdict.relevant, bool)


def test_a_config_language_adds_words_and_changes_the_rules_fingerprint(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[languages]]\ncode = "fr"\nmarkers = ["le", "l", "et", "les"]\ncues = ["accord"]\n'
        '[languages.sides]\nJP = ["japon*"]\nIT = ["itali*"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    verdict = judge("Le Japon et l'Italie signent un accord", "", config)
    assert verdict.relevant and verdict.lang == "fr"
    assert rules_fingerprint(config) != rules_fingerprint(Config())


def test_a_malformed_language_names_the_setting(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[languages]]\ncode = "fr"\ncues = "accord"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[\[languages\]\] 1: cues"):
        load_config(path)


def test_a_g7_meeting_alone_is_where_the_two_met_but_a_round_up_is_dropped():
    bilateral = judge(
        "Urso in missione in Giappone, focus su microelettronica e G7",
        "Il ministro incontra a Tokyo i colleghi giapponesi su investimenti e semiconduttori.",
        Config(),
    )
    assert bilateral.relevant, bilateral.rule
    round_up = judge(
        "G7 leaders pledge support for Ukraine",
        "Japan, Italy, Germany, France and the United States agreed on new sanctions.",
        Config(),
    )
    assert not round_up.relevant and "multilateral" in round_up.rule


def test_diplomacy_is_a_topic_only_where_it_is_the_main_subject():
    # Every report has talks, visits or ties: the defence ministers' call is about defence.
    call = judge(
        "Crosetto and Koizumi hold talks on defence cooperation",
        "The Italian and Japanese defence ministers discussed GCAP, joint exercises and the navy.",
        Config(),
    )
    assert call.topic_ids == ("defense",)
    summit = judge(
        "Meloni and Takaichi hold summit talks in Tokyo",
        "The prime ministers met at the Kantei; the leaders signed a joint statement.",
        Config(),
    )
    assert summit.topic_ids[0] == "diplomacy"


def test_a_frame_topic_of_ones_own_taxonomy_is_a_true_or_false_setting(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[topics]]\nid = "ties"\nframe = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[\[topics\]\] 1: frame must be true or false"):
        load_config(path)
    path.write_text(
        '[[topics]]\nid = "ties"\nframe = true\nkeywords = ["talks"]\n'
        '[[topics]]\nid = "navy"\nkeywords = ["navy", "frigate"]\n',
        encoding="utf-8",
    )
    verdict = judge("Japan and Italy hold talks on a navy frigate visit", "", load_config(path))
    assert verdict.topic_ids == ("navy",)


def test_a_look_alike_word_inside_a_name_is_not_counted_against_it():
    # セット (a volleyball set) is inside クロセット (Crosetto); ローマ (Rome) inside ローマ教皇.
    verdict = judge("クロセット国防相が来日、日伊防衛相会談", "防衛協力を確認した。", Config())
    assert verdict.relevant and "セット" not in verdict.against
    pope = judge("ローマ教皇が来日、広島訪問へ", "教皇は長崎と広島を訪れる。", Config())
    assert not pope.relevant and "ローマ" not in pope.terms
