"""Relevance as evidence: does an article concern the pair, why, which topics, what kind.

An article is kept when the evidence for the relationship outweighs the evidence against it:
both sides named (in the title counts most), relation cues (talks, accordo, 会談), a joint
programme or treaty (GCAP, ACSA), against the tell-tales of look-alikes that name both countries
(a volleyball fixture, a market report, a G7 round-up with five other countries, the Rome
Statute, the Holy See, a heatwave, fashion in Tokyo). Every verdict says why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from amity.store import Config
from amity.store.languages import all_languages
from amity.store.model import KINDS

from .matcher import Hit, Matcher, normalise, without, words

T = TypeVar("T")

# Raise when the way evidence is weighed or events are formed changes (the weights below are
# in the fingerprint already), so stored articles are judged again (see rules_fingerprint).
RULES_VERSION = 4
KEEP_AT = 2.0
# Evidence weights: a term in the title says more than one in the lead.
BOTH_IN_TITLE, ONE_IN_TITLE = 2.0, 1.0
CUE_TITLE, CUE_LEAD, CUES_COUNTED = 1.0, 0.5, 2
JOINT = 2.0
LEADERS = 1.0  # people of both sides named: they met, called, wrote to each other
AGAINST_TITLE, AGAINST_LEAD = 2.0, 1.0
THIRD_COUNTRY = 0.75  # each third country beyond the first: the pair is two of many
# A title naming one side and a third state (the UK, the Holy See) is about that other
# relationship, the pair's other side being mentioned in passing.
OTHER_PAIR = 3.5
# A G7, G20 or NATO meeting named without any third country is mostly where the two met (their
# leaders and ministers meet on its sidelines): in the dev half "g7" was in as many reports of
# the relationship as look-alikes. Round-ups name other members, which count in full.
GROUP_ALONE = 0.5
TOPIC_AT = 2  # a topic needs a keyword in the title, or two in the lead
# A frame topic (diplomacy) this strong counts beside any other: three of its acts in the title
# (a president's talks at Hiroshima, however many remembrance words the report has).
FRAME_ENOUGH = 6
_WEIGHTS: tuple[float, ...] = (KEEP_AT, BOTH_IN_TITLE, ONE_IN_TITLE, CUE_TITLE, CUE_LEAD)
_WEIGHTS += (CUES_COUNTED, JOINT, LEADERS, AGAINST_TITLE, AGAINST_LEAD, THIRD_COUNTRY, OTHER_PAIR)
_WEIGHTS += (TOPIC_AT, GROUP_ALONE, FRAME_ENOUGH)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one article and its evidence. `topics` maps topic id to its weight of
    evidence (title keywords 2, lead keywords 1); `entities` are language-independent ids of
    who and what the article is about (meloni, acsa, cavour), used to cluster reports."""

    relevant: bool
    rule: str
    lang: str
    score: float = 0.0
    terms: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    topics: dict[str, int] = field(default_factory=dict)
    kind: str = "news"
    entities: frozenset[str] = frozenset()
    frame: frozenset[str] = frozenset()
    headline: frozenset[str] = frozenset()  # the entities of the title: what it is about

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """The topics this article alone is about (enough evidence), strongest first. A frame
        topic (diplomacy) counts only when it weighs as much as the strongest other topic, or
        FRAME_ENOUGH: the defence ministers' talks are about defence, a summit's talks about
        diplomacy."""
        return topics_of(self.topics, self.frame)

    def why(self) -> dict[str, Any]:
        """The explanation stored with the article and its event (JSON)."""
        why: dict[str, Any] = {"rule": self.rule, "terms": list(self.terms), "lang": self.lang}
        why["score"] = self.score
        if self.against:
            why["against"] = list(self.against)
        return why


def topics_of(weights: Mapping[str, float], frame: frozenset[str]) -> tuple[str, ...]:
    """The topics evidence of these weights is about, strongest first: TOPIC_AT, and a frame
    topic only beside as strong another (or FRAME_ENOUGH). An event's topics are its reports'
    average weights judged the same way (feeds/cluster.py)."""
    ranked = sorted(weights.items(), key=lambda i: -i[1])
    strongest = max((n for t, n in ranked if t not in frame), default=0)
    enough = min(strongest, FRAME_ENOUGH)
    return tuple(t for t, n in ranked if n >= TOPIC_AT and (t not in frame or n >= enough))


@dataclass(frozen=True, slots=True)
class _Rules:
    matcher: Matcher
    pair: tuple[str, ...]
    joint: frozenset[str]
    people: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]
    frame: frozenset[str]
    periods: frozenset[str]


def per_config(build: Callable[[Config], T]) -> Callable[[Config], T]:
    """Cache `build(config)` by the config object's identity, then by value: hashing a whole
    Config (every language's terms) on every article cost more than judging the article."""
    by_value = cache(build)
    last: dict[int, tuple[Config, T]] = {}

    def get(config: Config) -> T:
        known = last.get(id(config))
        if known is not None and known[0] is config:
            return known[1]
        value = by_value(config)
        if len(last) > 8:
            last.clear()
        last[id(config)] = (config, value)
        return value

    return get


@per_config
def _rules(config: Config) -> _Rules:
    entries: list[tuple[str, Hit]] = []
    topics = config.topic_ids
    joint: set[str] = set()
    people: set[tuple[str, str]] = set()
    languages = all_languages(config.languages)
    frame = frozenset(topic.id for topic in config.topics if topic.frame)
    # Leaders named are the frame topic's (diplomacy's) keywords, in every spelling of them.
    leaders = {key for language in languages for key in language.leaders}
    for language in languages:
        code = language.code
        joint.update(language.joint)
        split = (p.upper().partition(":") for p in language.people if ":" in p)
        people.update((side, name) for side, _, name in split)
        entries += [(t, Hit("marker", code, code, t)) for t in language.markers]
        entries += [(t, Hit("cue", "", code, t)) for t in language.cues]
        for what, groups, lang in (
            ("side", language.sides, "*"),
            ("entity", language.entities, "*"),
            ("topic", language.topics, code),
            ("context", language.context, code),
            ("kind", language.kinds, code),
            ("against", language.negative, code),
        ):
            for key, terms in groups:
                if what in ("topic", "context") and key not in topics:
                    continue
                entries += [(t, Hit(what, key, lang, t)) for t in terms]
                if what == "entity" and key in leaders:
                    entries += [(t, Hit("topic", f, "*", t)) for f in frame for t in terms]
    for country in config.pair:
        entries += [
            (t, Hit("side", country.code, "*", t)) for t in (country.name, *country.aliases)
        ]
    for topic in config.topics:
        entries += [(t, Hit("topic", topic.id, "*", t)) for t in topic.keywords]
    pair = tuple(country.code for country in config.pair)
    people_ids = tuple(sorted((code, name.lower()) for code, name in people))
    periods = frozenset(key for language in languages for key in language.periods)
    return _Rules(Matcher(entries), pair, frozenset(joint), people_ids, topics, frame, periods)


def frame_of(config: Config) -> frozenset[str]:
    """The ids of the configured frame topics (diplomacy)."""
    return _rules(config).frame


def rules_fingerprint(config: Config) -> str:
    """Changes whenever what decides relevance, topics or clustering changes: the rules'
    version and weights, the languages (built-in and configured), the pair and the topics."""
    languages = all_languages(config.languages)
    text = repr((RULES_VERSION, _WEIGHTS, languages, config.pair, config.topics))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class _Evidence:
    """The hits of one part of an article (title or lead) sorted by what they signal, in one
    pass (a refresh judges every article, so this is the hot loop)."""

    __slots__ = ("against", "context", "cues", "entities", "kinds", "sides", "terms", "topics")

    def __init__(self, hits: list[Hit], lang: str) -> None:
        self.sides: set[str] = set()
        self.terms: dict[str, None] = {}  # side terms, in order
        self.cues: dict[str, None] = {}
        self.entities: dict[str, str] = {}  # entity id -> the term that named it
        self.topics: dict[str, set[str]] = {}
        self.context: dict[str, set[str]] = {}
        self.kinds: set[str] = set()
        self.against: list[Hit] = []
        for hit in hits:
            what = hit.what
            if what == "marker" or (lang and hit.lang != "*" and hit.lang != lang):
                continue
            if what == "side":
                self.sides.add(hit.key)
                self.terms[hit.term] = None
            elif what == "cue":
                self.cues[hit.term] = None
            elif what == "entity":
                self.entities.setdefault(hit.key, hit.term)
            elif what == "topic":
                self.topics.setdefault(hit.key, set()).add(hit.term)
            elif what == "context":
                self.context.setdefault(hit.key, set()).add(hit.term)
            elif what == "kind":
                self.kinds.add(hit.key)
            else:
                self.against.append(hit)


def joint_entities(config: Config) -> frozenset[str]:
    """The entity ids of joint programmes, treaties and ships (GCAP, ACSA, Cavour)."""
    return _rules(config).joint


def period_entities(config: Config) -> frozenset[str]:
    """The entity ids that name a span of many happenings (an anniversary year)."""
    return _rules(config).periods


def entities_in(text: str, config: Config) -> frozenset[str]:
    """The language-independent ids of who and what `text` names (meloni, acsa, cavour)."""
    hits = _rules(config).matcher.find(normalise(text))
    return frozenset(h.key for h in hits if h.what == "entity")


def judge(title: str, summary: str, config: Config) -> Verdict:
    """Weigh the evidence of one article (its title and lead)."""
    rules = _rules(config)
    title_hits = rules.matcher.find(normalise(title))
    lead_hits = rules.matcher.find(normalise(summary))
    sides = {h.key: h.term for h in (*title_hits, *lead_hits) if h.what == "side"}
    if not all(code in sides for code in rules.pair):
        # Most articles of a general feed stop here, before any other weighing.
        named = any(code in sides for code in rules.pair)
        rule = "one side only" if named else "neither side named"
        return Verdict(False, rule, "", 0.0, tuple(dict.fromkeys(sides.values())))
    lang = _language(title_hits, lead_hits)
    head, lead = _Evidence(title_hits, lang), _Evidence(lead_hits, lang)
    _apart(head.topics, normalise(title))
    _apart(lead.topics, normalise(summary))
    entities = frozenset((*head.entities, *lead.entities))
    side_terms = tuple({**head.terms, **lead.terms})
    topics = _weights(head, lead)
    kind = _kind(head.kinds) or _kind(lead.kinds) or "news"
    score, reasons, terms = 0.0, [], list(side_terms)
    both_in_title = all(code in head.sides for code in rules.pair)
    if both_in_title:
        score += BOTH_IN_TITLE
        reasons.append("both sides in the title")
    elif head.sides:
        score += ONE_IN_TITLE
        reasons.append("both sides in title and lead")
    else:
        reasons.append("both sides in the lead")
    title_cues = list(head.cues)
    lead_cues = [cue for cue in lead.cues if cue not in head.cues]
    cue_score = CUE_TITLE * min(len(title_cues), CUES_COUNTED)
    cue_score += CUE_LEAD * min(len(lead_cues), CUES_COUNTED)
    if cue_score:
        score += cue_score
        reasons.append("relation cues")
        terms += title_cues + lead_cues
    met = {code for code, person in rules.people if person in entities}
    if all(code in met for code in rules.pair):
        score += LEADERS
        reasons.append("people of both sides")
    joint = sorted(entities & rules.joint)
    if joint:
        named_first = any(key in head.entities for key in joint)
        score += JOINT if named_first else JOINT / 2
        reasons.append("joint programme or treaty")
        terms += [(head.entities.get(key) or lead.entities[key]) for key in joint]
    against, against_terms = _against(head.against, lead.against)
    if not both_in_title and any(h.key in ("others", "holy-see") for h in head.against):
        against += OTHER_PAIR
    score = round(score - against, 2)
    relevant = score >= KEEP_AT
    if relevant:
        rule = ", ".join(reasons)
    else:
        kinds = sorted({h.key for h in (*head.against, *lead.against)})
        rule = "looks like " + "/".join(kinds) if against else "no sign of the relationship"
        rule += f" (score {score:g} < {KEEP_AT:g})"
    return Verdict(
        relevant,
        rule,
        lang,
        score,
        tuple(dict.fromkeys(terms)),
        against_terms,
        topics,
        kind,
        entities,
        rules.frame,
        frozenset(head.entities),
    )


def _language(*parts: list[Hit]) -> str:
    markers: dict[str, set[str]] = {}
    for hits in parts:
        for hit in hits:
            if hit.what == "marker":
                markers.setdefault(hit.key, set()).add(hit.term)
    # Most distinct markers wins; a tie goes to the first in alphabetical order (deterministic).
    return min(markers, key=lambda code: (-len(markers[code]), code)) if markers else ""


def _weights(head: _Evidence, lead: _Evidence) -> dict[str, int]:
    # Context words (an embassy, a visit) weigh as keywords do, but only for a topic its own
    # keywords name, or when no topic has enough evidence (then the relations are the subject).
    weights = _summed(head.topics, lead.topics)
    named = any(n >= TOPIC_AT for n in weights.values())
    for key, weight in _summed(head.context, lead.context).items():
        if key in weights or not named:
            weights[key] = weights.get(key, 0) + weight
    return weights


def _apart(topics: dict[str, set[str]], text: str) -> None:
    # A topic's word inside a longer term of another topic counts only where it stands outside
    # it: "economic security" and 経済安全保障 are the economy's, not defence's "security" and
    # 安全保障, while "security and economic security" names both.
    if len(topics) < 2:
        return
    found = [(term, key) for key, terms in topics.items() for term in terms]
    for term, key in found:
        longer = [o for o, k in found if k != key and o != term and _within(term, o)]
        if longer and not _within(term, text, longer):
            topics[key].discard(term)
            if not topics[key]:
                del topics[key]


def _within(term: str, text: str, blank: Iterable[str] = ()) -> bool:
    """`term` in `text` once the `blank` terms are taken out; whole words for ASCII terms
    ("port-call" is "port call")."""
    if not term.isascii():
        return term in without(text, blank)
    spaced = f" {' '.join(words(text))} "
    for other in blank:
        spaced = spaced.replace(f" {' '.join(words(other))} ", " | ")
    return f" {' '.join(words(term))} " in spaced


def _summed(title: dict[str, set[str]], lead: dict[str, set[str]]) -> dict[str, int]:
    # A term in the title weighs 2; in the lead 1, or 2 for a phrase ("economic security",
    # "indo-pacific", 経済安全保障), which is specific enough to stand alone.
    weights = {key: 2 * len(terms) for key, terms in title.items()}
    for key, terms in lead.items():
        weights[key] = weights.get(key, 0) + sum(_lead_weight(term) for term in terms)
    return weights


def _lead_weight(term: str) -> int:
    phrase = len(words(term)) > 1 or (len(term) >= 4 and not term.isascii())
    return 2 if phrase else 1


def _kind(found: set[str]) -> str:
    return next((kind for kind in KINDS if kind in found), "") if found else ""


def _against(title_hits: list[Hit], lead_hits: list[Hit]) -> tuple[float, tuple[str, ...]]:
    # Each look-alike kind counts once, by where it shows most; third countries count by number.
    weight: dict[str, float] = {}
    terms: list[str] = []
    others: set[str] = set()
    for hits, value in ((title_hits, AGAINST_TITLE), (lead_hits, AGAINST_LEAD)):
        for hit in hits:
            terms.append(hit.term)
            if hit.key == "others":
                others.add(hit.term)
            else:
                weight[hit.key] = max(weight.get(hit.key, 0.0), value)
    if not others and "multilateral" in weight:
        weight["multilateral"] *= GROUP_ALONE
    total = sum(weight.values()) + THIRD_COUNTRY * max(0, len(others) - 1)
    return total, tuple(dict.fromkeys(terms))
