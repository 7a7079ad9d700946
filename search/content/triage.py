"""Suggest categories for a ticket's subject and description, with the reasons.

Scores are term weights summed over matches against each category's vocabulary: its keywords
and aliases (strongest), its title and ticket-tool tags, then the titles, symptoms and tags of
its guides and articles. Rare terms weigh more (idf). Misspelt words match a vocabulary word
when they are close enough, so "pasword" and "vpm" still count.

The cost of one ticket is bounded whatever its text: at most ``MAX_TICKET_CHARS`` are read,
each distinct word is corrected once, at most ``MAX_CORRECTED_WORDS`` distinct unknown words are
corrected (a real ticket has far fewer), and a correction is a few look-ups in a deletion index
(:mod:`.fuzzy`), not a scan of the vocabulary.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .fuzzy import NearWords
from .models import PriorityId
from .repository import Repository

MAX_TICKET_CHARS = 20_000
MAX_CORRECTED_WORDS = 200
SPELLING_CUTOFF = 0.85
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "do",
        "does",
        "doesn't",
        "don't",
        "for",
        "from",
        "get",
        "gets",
        "got",
        "has",
        "have",
        "i",
        "i'm",
        "in",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "since",
        "so",
        "still",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "will",
        "with",
        "won't",
        "work",
        "working",
        "works",
        "you",
        "your",
        "hi",
        "hello",
        "thanks",
        "thank",
        "help",
        "need",
        "needs",
        "issue",
        "problem",
        "anymore",
        "today",
        "yesterday",
        "again",
        "just",
        "cant",
        "can't",
        "im",
        "i've",
        "ive",
        "after",
        "before",
        "all",
        "any",
        "some",
        "also",
        "very",
        "really",
        "keeps",
        "keep",
        "every",
        "since",
        "trying",
        "tried",
        "try",
        "able",
    ]
)
WEIGHTS = {"keyword": 3.0, "title": 2.0, "content": 1.0}


def tokens(text: str) -> list[str]:
    """Lowercase word tokens; hyphenated words also yield their joined form (wi-fi -> wifi)."""
    found: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        found.append(token)
        if "-" in token:
            found.append(token.replace("-", ""))
    return found


@dataclass
class Suggestion:
    category: str
    title: str
    score: float
    matched: list[str] = field(default_factory=list)
    fuzzy: float = 0.0  # the part of ``score`` from corrected misspellings


class Triage:
    """Category vocabulary built once from the repository; :meth:`suggest` is cheap per ticket."""

    def __init__(self, repo: Repository) -> None:
        self.titles: dict[str, str] = {}
        # term (a word or a space-joined phrase) -> category -> weight kind
        vocab: dict[str, dict[str, str]] = defaultdict(dict)

        def add(category: str, text: str, kind: str, phrase: bool = False) -> None:
            words = [w for w in tokens(text) if w not in STOPWORDS]
            # the whole phrase is strong; a word of it alone is content evidence ("blue" is no "blue screen")
            whole = phrase and len(tokens(text)) > 1
            entries = [(" ".join(tokens(text)), kind), *((w, "content") for w in words)] if whole else [(w, kind) for w in words]
            for term, term_kind in entries:
                current = vocab[term].get(category)
                if current is None or WEIGHTS[term_kind] > WEIGHTS[current]:
                    vocab[term][category] = term_kind

        for category in repo.taxonomy.categories if repo.taxonomy else []:
            self.titles[category.id] = category.title
            for keyword in [*category.keywords, *category.zendesk_tags]:
                add(category.id, keyword, "keyword", phrase=True)
            add(category.id, category.title, "title", phrase=True)
            add(category.id, category.id.replace("/", " "), "title")
        for doc in repo.documents:
            served = doc.meta.category
            if served is None or served not in self.titles:
                continue
            add(served, doc.meta.title, "content")
            for tag in doc.meta.tags:
                add(served, tag, "content")
            for symptom in getattr(doc.meta, "symptoms", []):
                add(served, symptom, "content")
        for group in repo.synonyms.groups if repo.synonyms else []:
            owners = {c: k for term in group for c, k in vocab.get(" ".join(tokens(term)), {}).items()}
            for term in group:
                for owner, kind in owners.items():
                    vocab[" ".join(tokens(term))].setdefault(owner, kind)
        n = max(len(self.titles), 1)
        self.vocab = dict(vocab)
        self.idf = {term: math.log(1 + n / len(cats)) for term, cats in vocab.items()}
        self._index_words()

    def to_state(self) -> dict[str, object]:
        """The built vocabulary as JSON-able data (stored with each index generation)."""
        return {"titles": self.titles, "vocab": self.vocab, "idf": self.idf}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Triage:
        """A :class:`Triage` from :meth:`to_state` data, without the repository."""
        triage = cls.__new__(cls)
        triage.titles, triage.vocab, triage.idf = state["titles"], state["vocab"], state["idf"]
        triage._index_words()
        return triage

    def _index_words(self) -> None:
        self.near = NearWords(t for t in self.vocab if " " not in t and len(t) >= 3)
        self.max_phrase = max((t.count(" ") + 1 for t in self.vocab), default=1)
        self.phrase_starts = frozenset(t.split(" ", 1)[0] for t in self.vocab if " " in t)

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        """Ranked categories for ``text`` (best first), each with its score and matched terms."""
        words = tokens(text[:MAX_TICKET_CHARS])
        scores: dict[str, float] = defaultdict(float)
        fuzzy: dict[str, float] = defaultdict(float)
        matched: dict[str, list[str]] = defaultdict(list)
        seen: set[str] = set()
        used = bytearray(len(words))  # word positions already counted in a longer phrase
        corrections: dict[str, str | None] = {}
        starts = [i for i, word in enumerate(words) if word in self.phrase_starts]
        for size in range(self.max_phrase, 0, -1):
            for i in range(len(words)) if size == 1 else [i for i in starts if i + size <= len(words)]:
                if used[i] if size == 1 else any(used[i : i + size]):
                    continue
                term = words[i] if size == 1 else " ".join(words[i : i + size])
                if term in seen:
                    continue
                shown = term
                factor = 1.0
                if term not in self.vocab and size == 1 and len(term) >= 4 and term not in STOPWORDS:
                    if term not in corrections:
                        corrections[term] = self.near.closest(term, SPELLING_CUTOFF) if len(corrections) < MAX_CORRECTED_WORDS else None
                    close = corrections[term]
                    if close is None:
                        continue
                    shown, term, factor = f"{term}~{close}", close, 0.7
                if term not in self.vocab or term in seen:
                    continue
                seen.add(term)
                used[i : i + size] = b"\x01" * size
                for category, kind in self.vocab[term].items():
                    weight = WEIGHTS[kind] * self.idf[term] * factor * size
                    scores[category] += weight
                    if factor != 1.0:
                        fuzzy[category] += weight
                    matched[category].append(shown)
        ranked = sorted(scores, key=lambda c: (-scores[c], c))[:limit]
        return [Suggestion(c, self.titles[c], round(scores[c], 3), matched[c], round(fuzzy[c], 3)) for c in ranked]


def triage_priority(repo: Repository, impact: str | None, urgency: str | None) -> PriorityId | None:
    """Priority from the technician's impact and urgency answers (both or neither)."""
    if impact is None and urgency is None:
        return None
    priorities = repo.priorities
    if priorities is None:
        raise ValueError("no priority matrix: add guides/priorities.yml")
    if impact is None or urgency is None:
        raise ValueError("give both impact and urgency to compute a priority")
    if impact not in priorities.impact:
        raise ValueError(f'unknown impact "{impact}"; use one of {", ".join(priorities.impact)}')
    if urgency not in priorities.urgency:
        raise ValueError(f'unknown urgency "{urgency}"; use one of {", ".join(priorities.urgency)}')
    return priorities.matrix[impact][urgency]
