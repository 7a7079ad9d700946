"""Ranking over a generation's segments: BM25 in bulk, ``AND`` / ``OR`` / ``NOT`` as set
operations, phrases from Whoosh's positions (decision records 0001, 0033).

Each segment (:mod:`.segments`) is a Whoosh index plus its postings exported once into arrays
(document numbers, frequencies, field lengths): Whoosh's matchers score one posting at a time
in Python, 30-60 ms for two common words at 8,000 articles. Here per-term BM25 scores of every
live document are computed in one pass and cached; Whoosh itself answers phrases, per segment. Global document
numbers count the live documents of the segments in order, so a generation reads as if it were
one freshly built index: document counts, frequencies and average field lengths are those of
its live documents only, and an incremental build answers exactly as a full build does.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from .schema import TEXT_FIELDS
from .segments import Segment

K1 = 1.2
B = 0.75
TERM_CACHE_POSTINGS = 3_000_000  # cached scored postings, all terms together
PHRASE_CACHE = 512
DF_CACHE = 50_000

Scores = dict[int, float]


@dataclass
class Part:
    """A segment as one generation sees it: ``base`` is the global number of its first live
    document; ``remap`` (local -> global, -1 when deleted) only when some of its documents are deleted."""

    segment: Segment
    base: int
    remap: array[int] | None

    def global_ids(self, local: array[int]) -> list[int]:
        if self.remap is None:
            base = self.base
            return [d + base for d in local] if base else list(local)
        remap = self.remap
        return [remap[d] for d in local]


def parts_of(segments: list[Segment], deleted: list[list[int]]) -> list[Part]:
    """Number the live documents of ``segments`` (``deleted``: local numbers per segment)."""
    parts: list[Part] = []
    base = 0
    for segment, gone in zip(segments, deleted, strict=True):
        if gone:
            dead = set(gone)
            remap = array("i", [-1] * segment.doc_count)
            n = base
            for local in range(segment.doc_count):
                if local not in dead:
                    remap[local] = n
                    n += 1
            parts.append(Part(segment, base, remap))
            base = n
        else:
            parts.append(Part(segment, base, None))
            base += segment.doc_count
    return parts


class Postings:
    """Term statistics and bulk BM25 scoring for one generation."""

    def __init__(self, parts: list[Part], doc_count: int) -> None:
        self.parts = parts
        self.doc_count = doc_count
        self.norms: dict[str, list[float]] = {}
        for field in TEXT_FIELDS:
            lengths = [n for part in parts for n, live in zip(part.segment.fields[field].lengths, _live(part), strict=True) if live]
            average = (sum(lengths) / doc_count) if doc_count else 1.0
            average = average or 1.0
            self.norms[field] = [K1 * (1 - B + B * n / average) for n in lengths]
        self._cache: OrderedDict[tuple[str, str, float], Scores] = OrderedDict()
        self._cached = 0
        self._phrases: OrderedDict[Any, frozenset[int]] = OrderedDict()
        self._df: dict[tuple[str, str], int] = {}

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Live documents holding the term in the field."""
        if fieldname not in self.norms:
            return 0
        key = (fieldname, text)
        df = self._df.get(key)
        if df is None:
            df = 0
            for part in self.parts:
                field = part.segment.fields[fieldname]
                if part.remap is None:
                    i = field.index.get(text)
                    df += field.df[i] if i is not None else 0
                else:
                    remap = part.remap
                    df += sum(1 for d in field.postings(text)[0] if remap[d] >= 0)
            if len(self._df) >= DF_CACHE:
                self._df.clear()
            self._df[key] = df
        return df

    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[str]:
        """Terms of live documents starting with ``prefix``, in order."""
        if fieldname not in self.norms:
            return
        runs = [_with_prefix(part.segment.fields[fieldname].terms, prefix) for part in self.parts]
        last = None
        for term in heapq.merge(*runs):
            if term != last and self.doc_frequency(fieldname, term):
                yield term
            last = term

    def postings(self, fieldname: str, text: str) -> tuple[list[int], list[float]]:
        """Global numbers of the live documents holding the term, and its frequency in each."""
        ids: list[int] = []
        freqs: list[float] = []
        for part in self.parts:
            local, weights = part.segment.fields[fieldname].postings(text)
            if not local:
                continue
            found = part.global_ids(local)
            if part.remap is None:
                ids += found
                freqs += weights
            else:
                for d, w in zip(found, weights, strict=True):
                    if d >= 0:
                        ids.append(d)
                        freqs.append(w)
        return ids, freqs

    def term_scores(self, fieldname: str, text: str, boost: float = 1.0) -> Scores:
        """BM25 score of every document containing the term (cached; callers must not mutate it)."""
        key = (fieldname, text, boost)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        ids, weights = self.postings(fieldname, text)
        df = len(ids)
        idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
        c = boost * idf * (K1 + 1)
        norm = self.norms[fieldname]
        scores = {d: c * w / (w + norm[d]) for d, w in zip(ids, weights, strict=True)}
        self._cache[key] = scores
        self._cached += df
        while self._cached > TERM_CACHE_POSTINGS and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached -= len(old)
        return scores

    def evaluate(self, q: wq.Query, filters: dict[str, Any]) -> Scores:
        """Document -> score for a query built by :mod:`search.index.engine.query`."""
        if q is wq.NullQuery:
            return {}
        if isinstance(q, wq.Term):
            if q.fieldname in self.norms:
                return self.term_scores(q.fieldname, q.text, q.boost)
            docs = filters.get(q.fieldname, {}).get(q.text, ())
            return dict.fromkeys(docs, 0.0)
        if isinstance(q, wq.Phrase):
            docs = self._phrase_docs(q)
            total: Scores = {}
            for word in q.words:
                scores = self.term_scores(q.fieldname, word, q.boost)
                for d in docs:
                    total[d] = total.get(d, 0.0) + scores.get(d, 0.0)
            return total
        if isinstance(q, wq.Or):
            parts = sorted((self.evaluate(sub, filters) for sub in q.subqueries), key=len, reverse=True)
            if not parts:
                return {}
            merged = dict(parts[0])
            for part in parts[1:]:
                for d, s in part.items():
                    merged[d] = merged.get(d, 0.0) + s
            return merged
        if isinstance(q, wq.And):
            positive = [self.evaluate(sub, filters) for sub in q.subqueries if not isinstance(sub, wq.Not)]
            negative = [sub.query for sub in q.subqueries if isinstance(sub, wq.Not)]
            if not positive:
                return {}
            positive.sort(key=len)
            first, rest = positive[0], positive[1:]
            result = {d: s + sum(p[d] for p in rest) for d, s in first.items() if all(d in p for p in rest)}
            for sub in negative:
                for d in self.evaluate(sub, filters):
                    result.pop(d, None)
            return result
        if isinstance(q, wq.Not):
            raise ValueError("a NOT query needs a positive part")
        raise TypeError(f"unsupported query object {type(q).__name__}")

    def _phrase_docs(self, q: wq.Phrase) -> frozenset[int]:
        key = (q.fieldname, tuple(q.words))
        docs = self._phrases.get(key)
        if docs is None:
            if any(self.doc_frequency(q.fieldname, w) == 0 for w in q.words):
                docs = frozenset()
            else:
                docs = frozenset(d for part in self.parts for d in _phrase_in(part, q.fieldname, list(q.words)))
            self._phrases[key] = docs
            while len(self._phrases) > PHRASE_CACHE:
                self._phrases.popitem(last=False)
        return docs


def _phrase_in(part: Part, fieldname: str, words: list[str]) -> list[int]:
    """Global numbers of the live documents of one segment holding ``words`` as a phrase."""
    index = part.segment.fields[fieldname].index
    if any(w not in index for w in words):
        return []
    return [d for d in part.global_ids(part.segment.phrase_docs(fieldname, words)) if d >= 0]


def _live(part: Part) -> Iterator[bool]:
    if part.remap is None:
        return (True for _ in range(part.segment.doc_count))
    return (d >= 0 for d in part.remap)


def _with_prefix(terms: list[str], prefix: str) -> Iterator[str]:
    for term in itertools.islice(terms, bisect.bisect_left(terms, prefix), None):
        if not term.startswith(prefix):
            return
        yield term
