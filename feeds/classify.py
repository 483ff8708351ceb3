"""Relevance as evidence: does an article concern the pair, why, which topics, what kind.

An article is kept when the evidence for the relationship outweighs the evidence against it:
both sides named (in the title counts most), relation cues (talks, accordo, 会談), a joint
programme or treaty (GCAP, ACSA), against the tell-tales of look-alikes that name both countries
(a volleyball fixture, a market report, a G7 round-up with five other countries, the Rome
Statute, the Holy See, a heatwave, fashion in Tokyo). Every verdict says why.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from amity.store import Config
from amity.store.languages import all_languages
from amity.store.model import KINDS

from .matcher import Hit, Matcher, normalise

# Raise when the rules below change, so stored articles are judged again (see rules_fingerprint).
RULES_VERSION = 1
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
TOPIC_AT = 2  # a topic needs a keyword in the title, or two in the lead


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

    @property
    def topic_ids(self) -> tuple[str, ...]:
        """The topics this article alone is about (enough evidence), strongest first."""
        return tuple(
            t for t, n in sorted(self.topics.items(), key=lambda i: -i[1]) if n >= TOPIC_AT
        )

    def why(self) -> dict[str, Any]:
        """The explanation stored with the article and its event (JSON)."""
        why: dict[str, Any] = {"rule": self.rule, "terms": list(self.terms), "lang": self.lang}
        why["score"] = self.score
        if self.against:
            why["against"] = list(self.against)
        return why


@dataclass(frozen=True, slots=True)
class _Rules:
    matcher: Matcher
    pair: tuple[str, ...]
    joint: frozenset[str]
    people: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]


@cache
def _rules(config: Config) -> _Rules:
    entries: list[tuple[str, Hit]] = []
    topics = config.topic_ids
    joint: set[str] = set()
    people: set[tuple[str, str]] = set()
    for language in all_languages(config.languages):
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
            ("kind", language.kinds, code),
            ("against", language.negative, code),
        ):
            for key, terms in groups:
                if what == "topic" and key not in topics:
                    continue
                entries += [(t, Hit(what, key, lang, t)) for t in terms]
    for country in config.pair:
        entries += [
            (t, Hit("side", country.code, "*", t)) for t in (country.name, *country.aliases)
        ]
    for topic in config.topics:
        entries += [(t, Hit("topic", topic.id, "*", t)) for t in topic.keywords]
    pair = tuple(country.code for country in config.pair)
    people_ids = tuple(sorted((code, name.lower()) for code, name in people))
    return _Rules(Matcher(entries), pair, frozenset(joint), people_ids, topics)


def rules_fingerprint(config: Config) -> str:
    """Changes whenever what decides relevance, topics or clustering changes: the rules'
    version, the languages (built-in and configured), the pair and the topics."""
    text = repr((RULES_VERSION, all_languages(config.languages), config.pair, config.topics))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def judge(title: str, summary: str, config: Config) -> Verdict:
    """Weigh the evidence of one article (its title and lead)."""
    rules = _rules(config)
    title_text, lead_text = normalise(title), normalise(summary)
    title_hits, lead_hits = rules.matcher.find(title_text), rules.matcher.find(lead_text)
    lang = _language(title_hits + lead_hits)
    if lang:
        title_hits = [h for h in title_hits if h.lang in ("*", lang)]
        lead_hits = [h for h in lead_hits if h.lang in ("*", lang)]
    in_title = {h.key for h in title_hits if h.what == "side"}
    in_lead = {h.key for h in lead_hits if h.what == "side"}
    sides = [code for code in rules.pair if code in in_title | in_lead]
    entities = frozenset(h.key for h in (*title_hits, *lead_hits) if h.what == "entity")
    topics = _weights(title_hits, lead_hits, "topic")
    kind = _kind(title_hits) or _kind(lead_hits) or "news"
    side_terms = _terms(h for h in (*title_hits, *lead_hits) if h.what == "side")
    if len(sides) < len(rules.pair):
        rule = "one side only" if sides else "neither side named"
        return Verdict(False, rule, lang, 0.0, side_terms, (), topics, kind, entities)
    score, reasons, terms = 0.0, [], list(side_terms)
    if all(code in in_title for code in rules.pair):
        score += BOTH_IN_TITLE
        reasons.append("both sides in the title")
    elif in_title:
        score += ONE_IN_TITLE
        reasons.append("both sides in title and lead")
    else:
        reasons.append("both sides in the lead")
    title_cues = _terms(h for h in title_hits if h.what == "cue")
    lead_cues = _terms(h for h in lead_hits if h.what == "cue" and h.term not in title_cues)
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
        named_first = any(h.key in joint for h in title_hits if h.what == "entity")
        score += JOINT if named_first else JOINT / 2
        reasons.append("joint programme or treaty")
        terms += [h.term for h in (*title_hits, *lead_hits) if h.key in joint]
    against, against_terms = _against(title_hits, lead_hits)
    third = [h for h in title_hits if h.what == "against" and h.key in ("others", "holy-see")]
    if third and not all(code in in_title for code in rules.pair):
        against += OTHER_PAIR
    score -= against
    score = round(score, 2)
    relevant = score >= KEEP_AT
    if relevant:
        rule = ", ".join(reasons)
    else:
        kinds = sorted({h.key for h in (*title_hits, *lead_hits) if h.what == "against"})
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
    )


def _language(hits: list[Hit]) -> str:
    counts = Counter(h.key for h in {h for h in hits if h.what == "marker"})
    # Most distinct markers wins; a tie goes to the first in alphabetical order (deterministic).
    return min(counts, key=lambda code: (-counts[code], code)) if counts else ""


def _terms(hits: Iterable[Hit]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(h.term for h in hits))


def _weights(title_hits: list[Hit], lead_hits: list[Hit], what: str) -> dict[str, int]:
    # A keyword in the title weighs 2; in the lead 1, or 2 for a phrase ("economic security",
    # "space dialogue", 経済安全保障), which is specific enough to stand alone.
    weights: Counter[str] = Counter()
    for key, _term in {(h.key, h.term) for h in title_hits if h.what == what}:
        weights[key] += 2
    for key, term in {(h.key, h.term) for h in lead_hits if h.what == what}:
        weights[key] += 2 if " " in term or (len(term) >= 4 and not term.isascii()) else 1
    return dict(weights)


def _kind(hits: list[Hit]) -> str:
    found = {h.key for h in hits if h.what == "kind"}
    return next((kind for kind in KINDS if kind in found), "")


def _against(title_hits: list[Hit], lead_hits: list[Hit]) -> tuple[float, tuple[str, ...]]:
    # Each look-alike kind counts once, by where it shows most; third countries count by number.
    weight: dict[str, float] = {}
    terms: list[str] = []
    others: set[str] = set()
    for hits, value in ((title_hits, AGAINST_TITLE), (lead_hits, AGAINST_LEAD)):
        for hit in hits:
            if hit.what != "against":
                continue
            terms.append(hit.term)
            if hit.key == "others":
                others.add(hit.term)
            else:
                weight[hit.key] = max(weight.get(hit.key, 0.0), value)
    total = sum(weight.values()) + THIRD_COUNTRY * max(0, len(others) - 1)
    return total, tuple(dict.fromkeys(terms))
