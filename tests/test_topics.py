"""Which topics a report is about, in English, Italian and Japanese: diplomacy takes a
diplomatic act, not the scene (an embassy, a visit) where something else happens."""

from __future__ import annotations

import pytest
from amity.feeds.classify import judge
from amity.store import Config, load_config

PORT_CALLS = [
    (
        "JMSDF training squadron visits Naples",
        "Two Japanese training ships called at Naples; the ambassador welcomed the crews at the "
        "Italian Navy's logistics command.",
    ),
    (
        "Le navi scuola giapponesi in visita a Napoli",
        "L'ambasciatore ha accolto gli equipaggi della Marina di autodifesa al comando logistico "
        "della Marina Militare.",
    ),
    (
        "海自練習艦隊がイタリア・ナポリに寄港",
        "駐イタリア大使が乗員を出迎え、イタリア海軍の司令部を訪問した。",
    ),
]
EMBASSY_CULTURE = [
    (
        "Japanese embassy in Rome hosts a summer of Japanese cinema",
        "The ambassador opened a week of films, calligraphy workshops and a concert on Tiber "
        "Island, calling relations between Italy and Japan a long friendship.",
    ),
    (
        "Ambasciata del Giappone: a Roma la rassegna del cinema giapponese",
        "L'ambasciatore apre una settimana di film, laboratori di calligrafia e un concerto "
        "sull'Isola Tiberina.",
    ),
    (
        "在イタリア日本大使館、ローマで日本映画祭を開催",
        "大使があいさつし、書道や箏の体験、映画の上映が行われた。",
    ),
]
DIPLOMATIC_ACTS = [
    (
        "Tajani meets Motegi in Rome",
        "The foreign ministers held talks on the strategic partnership.",
    ),
    ("Tajani incontra Motegi a Roma", "Colloquio tra i ministri degli esteri sul partenariato."),
    ("日伊外相会談　茂木外相がタヤーニ外相と会談", "戦略的パートナーシップの強化で一致した。"),
    (
        "New Japanese ambassador presents credentials to Italy's President Mattarella",
        "The envoy arrived in Rome last month.",
    ),
    (
        "Il nuovo ambasciatore del Giappone presenta le credenziali al Quirinale",
        "Il diplomatico è arrivato a Roma il mese scorso.",
    ),
    (
        "駐イタリア日本大使、マッタレッラ大統領に信任状を捧呈",
        "ローマの大統領官邸で式典が行われた。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), PORT_CALLS)
def test_a_ships_port_call_is_defence_even_where_the_ambassador_welcomes_it(title, lead):
    verdict = judge(title, lead, Config())
    assert verdict.relevant, verdict.rule
    assert verdict.topic_ids == ("defense",)


@pytest.mark.parametrize(("title", "lead"), EMBASSY_CULTURE)
def test_an_embassys_film_week_is_culture_not_diplomacy(title, lead):
    verdict = judge(title, lead, Config())
    assert verdict.relevant, verdict.rule
    assert verdict.topic_ids == ("culture",)


@pytest.mark.parametrize(("title", "lead"), DIPLOMATIC_ACTS)
def test_talks_and_credentials_are_diplomacy(title, lead):
    verdict = judge(title, lead, Config())
    assert verdict.relevant, verdict.rule
    assert verdict.topic_ids == ("diplomacy",)


def test_an_embassy_or_the_relations_with_nothing_else_named_are_diplomacy():
    verdict = judge(
        "Italy's ambassador to Japan on the state of relations",
        "An interview on the ties between Rome and Tokyo.",
        Config(),
    )
    assert verdict.topic_ids == ("diplomacy",)


def test_a_languages_context_words_from_the_config_only_support_a_named_topic(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[languages]]\ncode = "fr"\nmarkers = ["le", "la", "et", "des"]\n'
        '[languages.sides]\nJP = ["japon*"]\nIT = ["itali*"]\n'
        '[languages.topics]\nculture = ["cinéma"]\ndiplomacy = ["sommet"]\n'
        '[languages.context]\ndiplomacy = ["ambassade"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    film = judge("L'ambassade du Japon et la semaine du cinéma italien", "", config)
    assert film.topic_ids == ("culture",)
    summit = judge("Sommet Italie-Japon à l'ambassade", "", config)
    assert summit.topic_ids == ("diplomacy",)


LEADERS_ABROAD = [
    (
        "Mattarella visits Hiroshima",
        "Italy's head of state laid a wreath at the memorial on the last day of his stay in Japan.",
    ),
    (
        "Hiroshima: Mattarella visita il Memoriale della pace",
        "Ultima tappa del viaggio in Giappone: una corona di fiori e i sopravvissuti.",
    ),
    ("マッタレッラ伊大統領、広島を訪問", "日本訪問の最終日、慰霊碑に献花した。"),
]


@pytest.mark.parametrize(("title", "lead"), LEADERS_ABROAD)
def test_a_head_of_state_at_a_memorial_is_on_a_state_visit(title, lead):
    verdict = judge(title, lead, Config())
    assert verdict.relevant, verdict.rule
    assert set(verdict.topic_ids) == {"diplomacy", "culture"}


def test_leaders_meeting_aboard_a_carrier_is_diplomacy_as_well_as_defence():
    aboard = judge(
        "Meloni and Takaichi meet aboard the carrier Cavour in Yokosuka",
        "The prime ministers held talks on the flight deck after the carrier's port call.",
        Config(),
    )
    assert set(aboard.topic_ids) == {"diplomacy", "defense"}
    port_call = judge(
        "Italy's Cavour carrier makes first port call in Japan",
        "The Italian Navy's flagship docked at Yokosuka for joint drills with the JMSDF.",
        Config(),
    )
    assert port_call.topic_ids == ("defense",)


def test_defence_ministers_calls_stay_defence_in_italian_and_japanese():
    for title, lead in (
        ("Crosetto e Koizumi: colloquio telefonico sulla difesa", "Si è parlato di GCAP."),
        (
            "小泉防衛相、クロセット伊国防相と電話会談",
            "次期戦闘機の共同開発と共同訓練について協議した。",
        ),
    ):
        assert judge(title, lead, Config()).topic_ids == ("defense",), title


CULTURAL_DIPLOMACY = [
    (
        "Italian Cultural Institute in Tokyo: cultural diplomacy between Italy and Japan",
        "A season of design exhibitions and concerts opens at the institute.",
    ),
    (
        "All'Istituto giapponese di cultura a Roma la diplomazia culturale tra Italia e Giappone",
        "Mostre, concerti e corsi di lingua per la nuova stagione.",
    ),
    (
        "ローマ日本文化会館、日伊の文化外交を語る催し",
        "展覧会とコンサートで新しいシーズンが始まった。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), CULTURAL_DIPLOMACY)
def test_the_word_diplomacy_qualified_by_another_field_is_that_field(title, lead):
    assert judge(title, lead, Config()).topic_ids == ("culture",)


CHAMBERS = [
    (
        "Italian Chamber of Commerce in Japan holds its general assembly in Tokyo",
        "Italy's ambassador urged members to bring the two economies closer.",
    ),
    (
        "Camera di commercio italiana in Giappone, l'assemblea generale a Tokyo",
        "L'ambasciatore d'Italia invita i soci ad avvicinare le due economie.",
    ),
    (
        "在日イタリア商工会議所、東京で年次総会",
        "駐日イタリア大使が出席し、両国の結びつきを呼びかけた。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), CHAMBERS)
def test_a_chamber_of_commerce_at_the_embassy_is_the_economy(title, lead):
    assert judge(title, lead, Config()).topic_ids == ("economic-security",)


OPEN_SHIPS = [
    (
        "Japanese training ships in Naples open to the public",
        "Two JMSDF ships welcomed visitors aboard, with taiko drums on the quay.",
    ),
    (
        "Navi scuola giapponesi a Napoli, visite a bordo aperte al pubblico",
        "Due navi della Marina di autodifesa nel porto, con tamburi taiko sulla banchina.",
    ),
    (
        "海自練習艦隊がイタリア・ナポリで一般公開",
        "2隻の練習艦に多くの市民が乗艦し、和太鼓の演奏もあった。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), OPEN_SHIPS)
def test_training_ships_open_to_the_public_are_defence_and_culture(title, lead):
    assert set(judge(title, lead, Config()).topic_ids) == {"defense", "culture"}


ARTS = [
    (
        "A Japanese summer in Rome: films, calligraphy and koto on Tiber Island",
        "The Japanese embassy's programme for the season of the two countries' friendship.",
    ),
    (
        "Italia-Giappone, a Roma mostre e spettacoli per l'amicizia tra i due Paesi",
        "L'ambasciatore giapponese presenta il programma dell'anno.",
    ),
    ("ローマで日本の夏 映画上映と書道の催し", "日本大使館が日伊友好の一環として開いた。"),
]


@pytest.mark.parametrize(("title", "lead"), ARTS)
def test_the_arts_by_name_are_culture(title, lead):
    assert judge(title, lead, Config()).topic_ids == ("culture",)


NEW_AMBASSADORS = [
    (
        "Japan's new ambassador to Italy greets the Italian public",
        "He recalls 150 years of exchanges and promises closer ties between Rome and Tokyo.",
    ),
    (
        "Il saluto del nuovo ambasciatore del Giappone in Italia",
        "Ricorda i 150 anni di scambi e promette rapporti più stretti tra Roma e Tokyo.",
    ),
    (
        "新任の駐イタリア日本大使が着任のあいさつ",
        "国交150年の交流を振り返り、両国関係の一層の発展を約束した。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), NEW_AMBASSADORS)
def test_an_ambassador_on_the_relations_with_a_passing_mention_of_exchanges_is_diplomacy(
    title, lead
):
    # One word of culture in the lead is not enough for culture: the relations are the subject.
    assert judge(title, lead, Config()).topic_ids == ("diplomacy",)


NATIONAL_DAYS_AND_TOURISTS = [
    (
        "Italian Republic Day reception at the embassy in Tokyo",
        "The ambassador toasted 160 years of relations between Italy and Japan.",
    ),
    (
        "Festa della Repubblica, ricevimento all'ambasciata d'Italia a Tokyo",
        "L'ambasciatore ricorda i 160 anni di rapporti tra Italia e Giappone.",
    ),
    (
        "イタリア共和国建国記念日のレセプション、東京で",
        "大使公邸で開かれ、大使は日伊の両国関係を強調した。",
    ),
    ("Giappone, record di turisti italiani", "I voli tra Roma e Tokyo sono pieni tutto l'anno."),
]


@pytest.mark.parametrize(("title", "lead"), NATIONAL_DAYS_AND_TOURISTS)
def test_a_national_day_and_tourists_are_culture(title, lead):
    assert "culture" in judge(title, lead, Config()).topic_ids


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        (
            "Mattarella meets hibakusha and lays a wreath at the Hiroshima Peace Memorial",
            "The president held talks with atomic bomb survivors and toured the memorial museum.",
        ),
        (
            "イタリア大統領、被爆者と会談 原爆慰霊碑に献花",
            "マッタレッラ大統領が広島を訪問し、平和記念公園の慰霊碑に献花、被爆者の証言を聞いた。",
        ),
    ],
)
def test_strong_diplomatic_evidence_counts_beside_many_words_of_another_topic(title, lead):
    # Each remembrance word adds to culture; a president's talks are diplomacy all the same.
    assert set(judge(title, lead, Config()).topic_ids) == {"diplomacy", "culture"}


PEOPLE_MOVING = [
    (
        "Italy and Japan open a working holiday scheme for young people",
        "Citizens aged 18 to 30 may spend a year in the other country and take casual work.",
    ),
    (
        "Italia-Giappone, al via il visto vacanza-lavoro",
        "I giovani dei due Paesi potranno restare un anno nell'altro e lavorare.",
    ),
    (
        "日伊ワーキング・ホリデー制度が始まる",
        "両国の若者が1年間相手国に滞在し、就労もできるようになる。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), PEOPLE_MOVING)
def test_visas_and_working_holidays_for_young_people_are_people_to_people(title, lead):
    assert judge(title, lead, Config()).topic_ids == ("culture",)


POSTED_WORKERS = [
    (
        "Japan-Italy social security agreement enters into force",
        "Staff sent abroad for up to five years pay into one pension system only, ending "
        "double contributions for employers.",
    ),
    (
        "Italia-Giappone, in vigore l'accordo di sicurezza sociale",
        "I lavoratori distaccati versano i contributi previdenziali in un solo Paese.",
    ),
    (
        "日本とイタリアの社会保障協定が発効",
        "5年以内の派遣者は派遣元の年金制度だけに加入すればよく、保険料の二重負担がなくなる。",
    ),
]


@pytest.mark.parametrize(("title", "lead"), POSTED_WORKERS)
def test_social_security_for_workers_posted_abroad_is_the_economy(title, lead):
    assert judge(title, lead, Config()).topic_ids == ("economic-security",)


ECONOMIC_SECURITY = [
    (
        "Japan and Italy to work together on economic security",
        "The two governments will share data on critical supply chains.",
    ),
    ("日伊、経済安全保障で連携へ", "重要物資のサプライチェーンについて情報を共有する。"),
]


@pytest.mark.parametrize(("title", "lead"), ECONOMIC_SECURITY)
def test_economic_security_is_not_defence_security(title, lead):
    # "security" (安全保障) inside the economy's longer term is not defence's word.
    assert judge(title, lead, Config()).topic_ids == ("economic-security",)


SECURITY_COUNCIL = [
    ("Japan and Italy discuss reform of the UN Security Council", "The ministers held talks."),
    ("Italia e Giappone, confronto sulla riforma del Consiglio di sicurezza", "Colloquio."),
    ("日伊外相、安保理改革で意見交換", "両外相が会談した。"),
    ("日伊外相、国連安全保障理事会の改革で意見交換", "両外相が会談した。"),
]


@pytest.mark.parametrize(("title", "lead"), SECURITY_COUNCIL)
def test_the_security_council_is_diplomacy_not_defence(title, lead):
    # 安保 (defence) inside 安保理, the Council, is no defence word, nor "security" in its name.
    assert "defense" not in judge(title, lead, Config()).topic_ids


def test_personal_data_protection_is_no_classified_information():
    # 情報保護 (protecting classified information) is inside 個人情報保護, privacy law.
    title = "日伊の個人情報保護当局、協力覚書に署名"
    assert "defense" not in judge(title, "データの越境移転で協力する。", Config()).topic_ids
    assert "defense" in judge("日伊情報保護協定に署名", "", Config()).topic_ids


def test_security_named_apart_from_economic_security_is_defence_as_well():
    for title in (
        "Japan and Italy pledge cooperation on security and economic security",
        "日伊首脳、安全保障と経済安全保障で協力",
    ):
        assert set(judge(title, "", Config()).topic_ids) >= {"defense", "economic-security"}


CLASSES = [
    # Forces and their equipment by name.
    (
        "Italy's F-35s arrive in Japan",
        "The jets will fly with Japanese pilots for two weeks.",
        "defense",
    ),
    (
        "Giappone, i velivoli italiani in addestramento a Komatsu",
        "Per due settimane i piloti italiani voleranno con quelli del Paese ospite.",
        "defense",
    ),
    ("日伊、安保協力を強化へ イタリア国防相が来日", "", "defense"),
    # Earth observation, the business federations, sister cities.
    ("Italy and Japan to share earth observation data", "", "space-science"),
    ("Italia e Giappone insieme nell'osservazione della Terra", "", "space-science"),
    ("日本とイタリア、地球観測で協力", "", "space-science"),
    (
        "Mattarella addresses Keidanren in Tokyo",
        "Italy's president spoke on ties with Japan.",
        "economic-security",
    ),
    ("Mattarella al Keidanren: Italia e Giappone unite", "", "economic-security"),
    ("イタリア大統領が経団連で講演 日本との関係を語る", "", "economic-security"),
    ("Kyoto and Florence: Japan and Italy's sister cities turn 60", "", "culture"),
    ("Firenze e Kyoto, sessant'anni di gemellaggio tra Italia e Giappone", "", "culture"),
    ("京都市とフィレンツェ市 日本とイタリアの姉妹都市が60年", "", "culture"),
]


@pytest.mark.parametrize(("title", "lead", "topic"), CLASSES)
def test_each_class_of_a_topics_words_is_named_in_every_language(title, lead, topic):
    assert topic in judge(title, lead, Config()).topic_ids


INFLECTED = [
    ("Italia e Giappone per la sicurezza indo-pacifica", "", "indo-pacific"),
    ("Japan and Italy agree to cut tariffs", "", "economic-security"),
    (
        "Italia-Giappone, due telefonate in un mese",
        "Le due capitali si sono sentite di nuovo per la cooperazione.",
        "diplomacy",
    ),
]


@pytest.mark.parametrize(("title", "lead", "topic"), INFLECTED)
def test_plural_and_feminine_forms_name_their_topic(title, lead, topic):
    # Whole words are matched, so each form a headline uses is listed.
    assert topic in judge(title, lead, Config()).topic_ids


def test_the_top_brass_is_no_summit():
    # "I vertici" of the forces or of industry are their leaders, not a summit (il vertice).
    verdict = judge(
        "Giappone, i vertici delle forze armate italiane a Tokyo",
        "Cooperazione militare con l'Italia e scambi tra le due marine.",
        Config(),
    )
    assert verdict.topic_ids == ("defense",)


HERITAGE_AND_TRADE = [
    ("Italy's president tours a Kyoto temple on his visit to Japan", "", "culture"),
    ("Mattarella in Giappone visita il tempio di Kiyomizu a Kyoto", "", "culture"),
    ("イタリア大統領、京都の寺院と神社を訪問 日本滞在の2日目", "", "culture"),
    ("Japan and Italy stand for free trade", "", "economic-security"),
    ("Giappone, Mattarella: Italia per il libero scambio", "", "economic-security"),
    ("日本とイタリア、自由貿易を守る", "", "economic-security"),
]


@pytest.mark.parametrize(("title", "lead", "topic"), HERITAGE_AND_TRADE)
def test_heritage_sites_are_culture_and_free_trade_the_economy(title, lead, topic):
    assert topic in judge(title, lead, Config()).topic_ids


def test_free_trade_is_no_cultural_exchange():
    # scambi* (exchanges) is culture's, but inside "libero scambio" it is the economy's.
    topics = judge("Italia e Giappone per il libero scambio", "", Config()).topic_ids
    assert topics == ("economic-security",)


@pytest.mark.parametrize(
    "title",
    [
        "Japan and Italy sign an agreement to protect classified information",
        "Italia e Giappone firmano l'accordo sulla protezione delle informazioni classificate",
        "日本とイタリア、情報保護協定に署名",
    ],
)
def test_an_agreement_on_classified_information_is_defence(title):
    assert "defense" in judge(title, "", Config()).topic_ids


HOMONYMS = [
    # Words that name forces elsewhere but here name an exchange, airlines, cables, data, the sea.
    ("Young Italians join Japan's JET Programme to teach in schools", ""),
    ("ITA Airways and Japan Airlines: the two carriers widen their Rome-Tokyo codeshare", ""),
    ("Japan and Italy to cooperate on submarine cables between Europe and Asia", ""),
    ("Japan and Italy push data interoperability for trusted data flows", ""),
    ("Italia e Giappone insieme per proteggere le aree marine", ""),
    ("Cavi sottomarini, accordo tra Italia e Giappone", ""),
]


@pytest.mark.parametrize(("title", "lead"), HOMONYMS)
def test_words_that_also_name_civil_things_are_no_defence(title, lead):
    assert "defense" not in judge(title, lead, Config()).topic_ids
