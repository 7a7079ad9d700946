"""Triage a ticket with the category vocabulary and two kinds of evidence from the knowledge base itself.

1. **Keywords** (:class:`search.content.triage.Triage`): idf-weighted matches of the ticket's
   words against each category's keywords, titles, tags and its guides' and articles' titles and
   symptoms, misspellings included (at a discount).
2. **The knowledge base**: the ticket's words, as index terms (stemmed, synonyms added at a
   discount, unknown words spelled against the index vocabulary at a discount), rank the
   documents of the generation by BM25 over title, tags and body (the same postings search
   uses); the best ``HITS`` documents vote for their categories in proportion to their scores.
   This is what reaches words no keyword list has: a guide's steps and an article's body.
3. **Category profiles** (:class:`Profiles`): the same terms' log-lift in each category's
   documents against the whole knowledge base (naive Bayes), so that every document of a
   category counts, not only the best hits (decision record 0032).

Each candidate category gets the shares (its score over the best category's, per kind) and
a calibrated **confidence**: a logistic model of those shares, the margin to the next
candidate, the absolute strength of the evidence and how many of the ticket's terms support
it, fitted by ``bench/triage_fit.py`` on the dev half of the labelled tickets and noise texts
(coefficients in :data:`MODEL`). Confidence is
the estimated chance that the category is the right one. The answer is **confident** only when
the best candidate's confidence reaches ``MODEL.threshold``; otherwise it says "no confident
match" (the candidates are still listed). Strength features count exact matches only, so a
ticket that matches through spelling corrections alone can never look strong.

The cost is bounded: the keyword scorer reads at most ``MAX_TICKET_CHARS`` characters and bounds
its own work; the evidence search reads the first ``EVIDENCE_CHARS`` and scores at most
``MAX_EVIDENCE_TERMS`` distinct index terms (the rarest) and ``POSTINGS_BUDGET`` postings; the
profiles read the first ``MAX_PROFILE_TERMS`` terms, each term's postings once per generation.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from ..content.models import Kind
from ..content.triage import MAX_TICKET_CHARS, Suggestion
from .engine.schema import FIELD_BOOSTS, TEXT_FIELDS, analyze
from .engine.spelling import MAX_CORRECTED_WORDS
from .engine.synonyms import SynonymTable
from .generation import Generation

MAX_EVIDENCE_TERMS = 24
EVIDENCE_CHARS = 2_000  # the text searched for evidence: a ticket says what it is about first, and analysis costs per character
POSTINGS_BUDGET = 6_000  # postings scored per ticket at most (the rarest terms first): bounds the cost on a large index
HITS = 8  # documents that vote
SYNONYM_WEIGHT = 0.6
SUBJECT_WEIGHT = 1.5  # a ticket's first line (its subject) says what it is about: its terms weigh more
CORRECTED_WEIGHT = 0.5
CANDIDATES = 8  # categories scored by the model (the rest cannot reach the top)
PROFILE_GAP = 5.0  # where the profile gap feature stops growing (per square root of the scored terms' weight: a sum over k terms spreads as sqrt(k))
# How requesters phrase asking for something (a service request) and reporting a fault (an
# incident): general English, not taken from any ticket set. Their balance in a ticket is the
# "intent" a candidate's kind agrees or disagrees with.
REQUEST_CUES = re.compile(
    r"\b(can i (get|have)|could i (get|have)|could you|can you (create|add|set up|give|grant|install|provide|order)"
    r"|please (create|add|set up|install|provide|grant|give|order|arrange|prepare|remove|disable|close)"
    r"|(i|we) (need|want|would like|'d like)|would like|requesting|request for|order(ing)?( a| an| one)?\b"
    r"|new (starter|hire|employee|joiner|user|colleague)|joining|starts? on|starting|onboarding|offboarding"
    r"|leaving|leaver|last (working )?day|access to|permissions? (to|for|on)|approv(e|ed|al|er)"
    r"|licen[cs]e for|replacement|who approves|process to|how do i (get|request|order))\b"
)
INCIDENT_CUES = re.compile(
    r"\b(not working|(does|do|did|is|are)(n't| not) (work|open|start|load|connect|print|show|sync|arrive|ring)"
    r"|stopped|broken|error|fail(s|ed|ing|ure)?|crash(es|ed|ing)?|freez(e|es|ing)|frozen|can'?t|cannot|can not"
    r"|won'?t|not responding|no longer|disappeared|missing|slow|drop(s|ping|ped)?|stuck|unable|keeps)\b"
)


@dataclass(frozen=True)
class Model:
    """Two logistic models fitted by bench/triage_fit.py (see README "Triage").

    ``rank``: the chance that a candidate is the ticket's category, from :func:`rank_features`;
    candidates are ranked by it. ``confidence``: the chance that the best candidate is right, from
    :func:`confidence_features` (its rank logit, the margin to the next, absolute strength).
    """

    rank: tuple[float, ...]  # intercept, then one weight per RANK_FEATURES
    confidence: tuple[float, ...]  # intercept, then one weight per CONFIDENCE_FEATURES
    threshold: float  # the least confidence that is a confident match


RANK_FEATURES = (
    "keyword share",
    "keyword fraction",
    "evidence share",
    "evidence fraction",
    "best hit share",
    "first by keywords",
    "first by evidence",
    "intent agrees with kind",
    "profile posterior",
    "first by profile",
    "profile gap",
    "supporting terms share",
    "keyword strength",
    "sub-category",
)
CONFIDENCE_FEATURES = (
    "rank logit",
    "margin to the next",
    "exact keyword strength",
    "best hit strength",
    "known terms share",
    "profile lift",
    "supporting terms",
    "exactly matched keywords",
)
MODEL = Model(
    rank=(-7.8135, 3.1733, 1.0171, -0.1377, 0.53, 0.4501, 1.5677, 0.2559, 0.5939, 1.9377, -0.1021, 2.3099, 0.7216, 0.8544, 1.6896),
    confidence=(-4.209, 0.4413, 0.1463, 0.2568, -0.1434, 2.5705, 0.6028, 0.0589, 1.0731),
    threshold=0.5231,
)


@dataclass(frozen=True)
class Candidate:
    """One category with the evidence for it (the model's input)."""

    category: str
    keyword: float  # keyword score, corrections included
    keyword_exact: float  # the part of it from exactly spelled words
    matched: list[str]
    votes: float  # summed BM25 of this category's voting hits
    best_hit: float  # the BM25 score of its best hit (0 without one)
    evidence: list[str]  # ids of its voting hits, best first
    intent: float  # request cues minus incident cues in the ticket (-2..2), signed by the category's kind
    profile: float = 0.0  # summed log-lift of the ticket's terms in the category's documents
    known: float = 0.0  # share of the ticket's terms the knowledge base has (exactly spelled)
    scored: float = 0.0  # summed weight of the ticket's terms the profiles scored
    support: int = 0  # typed terms markedly more common in the category's documents than at large


@dataclass(frozen=True)
class CategoryMatch:
    category: str
    title: str
    kind: Kind
    url: str
    score: float  # the ranking model's chance that this is the ticket's category, 0..1
    matched: list[str]  # keywords that matched (word~keyword: a corrected typo)
    evidence: list[str]  # documents of this category among the best hits


@dataclass(frozen=True)
class GuideMatch:
    id: str
    title: str
    category: str | None
    url: str
    score: float  # its category's score times its hit strength relative to the best hit


@dataclass(frozen=True)
class TriageResult:
    categories: list[CategoryMatch]
    guides: list[GuideMatch]
    confidence: float  # the best category's confidence (0 without any candidate)
    confident: bool  # False: "no confident match"; the candidates are shown as possibilities only
    corrected: list[str] = field(default_factory=list)  # word~correction used as evidence


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -60 else 0.0


def _linear(weights: tuple[float, ...], row: tuple[float, ...]) -> float:
    return weights[0] + sum(w * x for w, x in zip(weights[1:], row, strict=True))


def rank_features(candidates: list[Candidate]) -> list[tuple[float, ...]]:
    """Each candidate's evidence relative to the other candidates of the ticket (see RANK_FEATURES)."""
    top_keyword = max((c.keyword for c in candidates), default=0.0) or 1.0
    total_keyword = sum(c.keyword for c in candidates) or 1.0
    top_votes = max((c.votes for c in candidates), default=0.0) or 1.0
    total_votes = sum(c.votes for c in candidates) or 1.0
    top_hit = max((c.best_hit for c in candidates), default=0.0) or 1.0
    top_profile = max((c.profile for c in candidates), default=0.0)
    norm = sum(math.exp(max(c.profile - top_profile, -60)) for c in candidates) or 1.0
    top_support = max((c.support for c in candidates), default=0) or 1
    return [
        (
            c.keyword / top_keyword,
            c.keyword / total_keyword,
            c.votes / top_votes,
            c.votes / total_votes,
            c.best_hit / top_hit,
            1.0 if c.keyword and c.keyword >= top_keyword else 0.0,
            1.0 if c.votes and c.votes >= top_votes else 0.0,
            c.intent,
            math.exp(max(c.profile - top_profile, -60)) / norm,
            1.0 if c.profile >= top_profile and c.profile > 0 else 0.0,
            max((c.profile - top_profile) / math.sqrt(max(c.scored, 1.0)), -PROFILE_GAP) / PROFILE_GAP,
            c.support / top_support,
            math.log1p(c.keyword),
            1.0 if "/" in c.category else 0.0,
        )
        for c in candidates
    ]


def confidence_features(best: Candidate, logit: float, next_logit: float | None) -> tuple[float, ...]:
    """The best candidate's rank logit, its margin over the next and its exact evidence strength.

    Strength counts exactly spelled keyword matches and the best hit only, so matches through
    spelling corrections alone never make a confident answer.
    """
    margin = logit - next_logit if next_logit is not None else 4.0
    return (
        logit,
        min(margin, 4.0),
        math.log1p(best.keyword_exact),
        math.log1p(best.best_hit),
        best.known,
        math.log1p(max(best.profile, 0.0)),
        math.log1p(best.support),
        math.log1p(sum("~" not in term for term in best.matched)),
    )


class Evidence:
    """Documents of a generation ranked for a ticket's text (BM25 over the exported postings)."""

    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        self.synonyms: SynonymTable = gen.synonyms

    def terms(self, text: str) -> tuple[dict[str, float], list[str]]:
        """Index term -> weight (1 typed, less for a synonym or a spelling correction), and the corrections."""
        gen = self.gen
        analyzed = analyze(text)
        subject = set(analyze(text.split("\n", 1)[0])) if "\n" in text else set()
        weights: dict[str, float] = {}
        for term in analyzed:
            weights[term] = SUBJECT_WEIGHT if term in subject else 1.0
        words = [(t,) for t in analyzed]
        i = 0
        while i < len(words):
            match = self.synonyms.match(words, i)
            if match is None:
                i += 1
                continue
            group, count = match
            for alternative in self.synonyms.alternatives(group):
                for term in alternative:
                    weights.setdefault(term, SYNONYM_WEIGHT)
            i += count
        corrected: list[str] = []
        probes = 0
        for word in dict.fromkeys(w for w in text.lower().split() if w.isalpha() and w.isascii()):
            if probes >= MAX_CORRECTED_WORDS:
                break
            if gen.speller.known(word) or len(word) < 4:
                continue
            stems = analyze(word)
            if not stems or self.df(stems[0]):
                continue
            probes += 1
            fixed = gen.speller.correct(word)
            if fixed:
                corrected.append(f"{word}~{fixed}")
                for term in analyze(fixed):
                    weights.setdefault(term, CORRECTED_WEIGHT)
        return weights, corrected

    def df(self, term: str) -> int:
        return sum(self.gen.postings.doc_frequency(f, term) for f in TEXT_FIELDS)

    def rank(self, weights: dict[str, float], limit: int = HITS) -> list[tuple[int, float]]:
        """The best documents for the weighted terms: the rarest known terms score, at most
        ``MAX_EVIDENCE_TERMS`` of them and ``POSTINGS_BUDGET`` postings (a term too common to
        fit adds little: its idf is low)."""
        known = [(df, term) for term in weights if (df := self.df(term))]
        scores: dict[int, float] = defaultdict(float)
        postings = self.gen.postings
        spent = 0
        for df, term in heapq.nsmallest(MAX_EVIDENCE_TERMS, known):
            spent += df
            if spent > POSTINGS_BUDGET and scores:
                break
            weight = weights[term]
            for fieldname in TEXT_FIELDS:
                for doc, score in postings.term_scores(fieldname, term, FIELD_BOOSTS[fieldname]).items():
                    scores[doc] += weight * score
        return heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))


PROFILE_SMOOTHING = 8.0  # pseudo-documents pulling a category's term rates towards the knowledge base's
SUPPORT_LIFT = 2.0  # log-lift above which a term supports a category (about 7 times more common in it)
PROFILE_CANDIDATES = 5  # categories added as candidates by their profile alone
MAX_PROFILE_TERMS = 96  # ticket terms the profiles score, in ticket order (a long ticket has said what it is about by then)


class Profiles:
    """How much more often each category's documents contain a term than the knowledge base's at large.

    Per term, the documents of each category that contain it (any text field), read once from
    the postings and kept for the generation's life. A ticket's score for a category sums the
    log-lift of its terms (Bernoulli naive Bayes against the background, smoothed towards it):
    every document of a category speaks, not only the best hits.
    """

    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        self.sizes: dict[str, int] = defaultdict(int)
        for category in gen.categories:
            if category is not None:
                self.sizes[category] += 1
        self.total = sum(self.sizes.values()) or 1
        a = PROFILE_SMOOTHING
        self.absent = {category: math.log(a / (size + a)) for category, size in self.sizes.items()}
        self._terms: dict[str, tuple[int, dict[str, int], list[tuple[str, float]]]] = {}

    def counts(self, term: str) -> tuple[int, dict[str, int]]:
        """Labelled documents containing the term, in all and per category."""
        df, per, _ = self._term(term)
        return df, per

    def _term(self, term: str) -> tuple[int, dict[str, int], list[tuple[str, float]]]:
        """The term's counts and, per category it occurs in, its log-lift there (computed once;
        kept only for index terms, so the cache is bounded by the vocabulary whatever tickets say)."""
        cached = self._terms.get(term)
        if cached is None:
            docs: set[int] = set()
            for fieldname in TEXT_FIELDS:
                docs.update(self.gen.postings.postings(fieldname, term)[0])
            if not docs:
                return 0, {}, []
            per: dict[str, int] = defaultdict(int)
            for doc in docs:
                category = self.gen.categories[doc]
                if category is not None:
                    per[category] += 1
            df = sum(per.values())
            background = df / self.total
            a = PROFILE_SMOOTHING
            lifts = [(c, math.log((n + a * background) / (self.sizes[c] + a) / background)) for c, n in per.items()]
            cached = self._terms[term] = (df, dict(per), lifts)
        return cached

    def score(self, weights: dict[str, float]) -> tuple[dict[str, float], dict[str, int], float]:
        """Per category: the summed log-lift, and how many typed terms are markedly more common in it.

        A term absent from a category has the same lift for every term (``log(a / (size + a))``),
        so only the categories a term occurs in are visited: the cost follows the postings, not
        the number of categories."""
        total_weight = 0.0
        present: dict[str, float] = defaultdict(float)
        support: dict[str, int] = defaultdict(int)
        absent = self.absent
        for term, weight in itertools.islice(weights.items(), MAX_PROFILE_TERMS):
            df, _, lifts = self._term(term)
            if not df:
                continue
            total_weight += weight
            for category, lift in lifts:
                present[category] += weight * (lift - absent[category])
                if lift > SUPPORT_LIFT and weight >= 1.0:
                    support[category] += 1
        scores = {category: total_weight * base + present.get(category, 0.0) for category, base in absent.items()}
        return scores, support, total_weight


_PROFILES: weakref.WeakKeyDictionary[Generation, Profiles] = weakref.WeakKeyDictionary()


def profiles(gen: Generation) -> Profiles:
    found = _PROFILES.get(gen)
    if found is None:
        found = _PROFILES[gen] = Profiles(gen)
    return found


def candidates(gen: Generation, text: str) -> tuple[list[Candidate], list[tuple[int, float]], list[str]]:
    """Every category with keyword or knowledge-base evidence, the voting hits and the corrections."""
    text = text[:MAX_TICKET_CHARS]
    keyword: dict[str, Suggestion] = {s.category: s for s in gen.triage.suggest(text, len(gen.triage.titles))}
    evidence = Evidence(gen)
    weights, corrected = evidence.terms(text[:EVIDENCE_CHARS])  # analysis and spelling: no shared state changes
    with gen.lock:  # scoring fills the postings' score cache, which searches share
        hits = evidence.rank(weights)
        profile, support, scored = profiles(gen).score(weights)
    known = {c: v for c, v in profile.items() if c in gen.catalog.categories}
    top_profile = heapq.nlargest(PROFILE_CANDIDATES, known, key=lambda c: known[c]) if any(known.values()) else []
    votes: dict[str, float] = defaultdict(float)
    best: dict[str, float] = {}
    docs: dict[str, list[str]] = defaultdict(list)
    for doc, score in hits:
        category = gen.categories[doc]
        if category is None:
            continue
        votes[category] += score
        best.setdefault(category, score)
        docs[category].append(gen.ids[doc])
    typed = set(analyze(text[:EVIDENCE_CHARS]))
    known_share = sum(1 for term in typed if evidence.df(term)) / len(typed) if typed else 0.0
    lowered = text.lower()
    intent = max(-2.0, min(2.0, float(len(REQUEST_CUES.findall(lowered)) - len(INCIDENT_CUES.findall(lowered)))))
    found: list[Candidate] = []
    for category in dict.fromkeys([*keyword, *votes, *top_profile]):
        entry = gen.catalog.categories.get(category)
        if entry is None:
            continue
        s = keyword.get(category)
        found.append(
            Candidate(
                category=category,
                keyword=s.score if s else 0.0,
                keyword_exact=s.score - s.fuzzy if s else 0.0,
                matched=s.matched if s else [],
                votes=votes.get(category, 0.0),
                best_hit=best.get(category, 0.0),
                evidence=docs.get(category, []),
                intent=intent if entry.category.kind == "request" else -intent,
                profile=known.get(category, 0.0),
                known=known_share,
                support=support.get(category, 0),
                scored=scored,
            )
        )
    return found, hits, corrected


def score(found: list[Candidate], model: Model = MODEL) -> list[tuple[Candidate, float]]:
    """Candidates ranked best first, each with its rank logit."""
    logits = [_linear(model.rank, row) for row in rank_features(found)]
    ranked = sorted(zip(found, logits, strict=True), key=lambda item: (-item[1], item[0].category))
    return ranked[:CANDIDATES]


def triage(gen: Generation, text: str, limit: int = 3, model: Model = MODEL) -> TriageResult:
    """Ranked categories with confidences, the guides to try, and whether the match is confident."""
    found, hits, corrected = candidates(gen, text)
    if not found:
        return TriageResult([], [], 0.0, False, corrected)
    ranked = score(found, model)
    best, logit = ranked[0]
    top = _logistic(_linear(model.confidence, confidence_features(best, logit, ranked[1][1] if len(ranked) > 1 else None)))
    catalog = gen.catalog.categories
    matches = [
        CategoryMatch(
            category=c.category,
            title=catalog[c.category].category.title,
            kind=catalog[c.category].category.kind,
            url=catalog[c.category].category.url,
            score=round(_logistic(value), 4),
            matched=c.matched,
            evidence=c.evidence,
        )
        for c, value in ranked[:limit]
    ]
    return TriageResult(matches, _guides(gen, matches, hits, limit), round(top, 4), top >= model.threshold, corrected)


def _guides(gen: Generation, matches: list[CategoryMatch], hits: list[tuple[int, float]], limit: int) -> list[GuideMatch]:
    """Guides for the suggested categories: those among the best hits, else each category's first guide."""
    strength = {gen.ids[d]: s for d, s in hits if gen.types[d] == "guide"}
    top = max(strength.values(), default=1.0)
    found: dict[str, float] = {}
    for match in matches:
        entry = gen.catalog.categories[match.category]
        ranked = sorted(entry.guides, key=lambda g: -strength.get(g, 0.0))
        for position, guide_id in enumerate(ranked):
            hit = strength.get(guide_id, 0.0)
            if hit or position == 0:
                score = match.score * (hit / top if hit else 0.25)
                found[guide_id] = max(found.get(guide_id, 0.0), score)
    best = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]
    guides = gen.catalog.guides
    return [GuideMatch(g, guides[g].title, guides[g].category, guides[g].url, round(s, 4)) for g, s in best if g in guides]
