"""Ranking over a compact copy of Whoosh's postings, exported once per generation.

Whoosh's matchers decode pickled posting blocks and score one posting at a time in Python:
on ~8,000 real articles two common words take 30-60 ms. At build time, after Whoosh has
committed and been validated, every posting list of the text fields is copied from Whoosh's
own segment into ``postings.bin`` (document numbers as uint32, term frequencies as float32)
with per-document field lengths. At query time the compiled Whoosh query objects are evaluated
here: per-term BM25 scores are computed in bulk from these arrays (and cached), ``AND`` /
``OR`` / ``NOT`` are dictionary and set operations. Whoosh itself still answers phrases, which
need positions; their document sets are cached per generation.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import mmap
import os
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import query as wq

from .schema import TEXT_FIELDS
from .whoosh_adapter import leaf_postings

POSTINGS_FILE = "postings.bin"
TERMS_FILE = "terms.json"
K1 = 1.2
B = 0.75
TERM_CACHE_POSTINGS = 3_000_000  # cached scored postings, all terms together
PHRASE_CACHE = 512

Scores = dict[int, float]


def export_postings(reader: Any, target: Path) -> None:
    """Copy the text fields' postings and field lengths out of a Whoosh reader into ``target``."""
    table: dict[str, Any] = {"doc_count": reader.doc_count_all(), "fields": {}}
    position = 0
    with open(target / POSTINGS_FILE, "wb") as out:
        for field in TEXT_FIELDS:
            terms: list[str] = []
            offsets: list[int] = []
            dfs: list[int] = []
            for bterm in reader.lexicon(field):
                term = bterm.decode("utf-8") if isinstance(bterm, bytes) else bterm
                ids, weights = leaf_postings(reader.postings(field, term))
                terms.append(term)
                offsets.append(position)
                dfs.append(len(ids))
                out.write(ids.tobytes())
                out.write(weights.tobytes())
                position += 8 * len(ids)
            lengths = array("I", (reader.doc_field_length(n, field, 0) or 0 for n in range(reader.doc_count_all())))
            table["fields"][field] = {"terms": terms, "offsets": offsets, "df": dfs, "lengths_offset": position}
            out.write(lengths.tobytes())
            position += 4 * len(lengths)
        out.flush()
        os.fsync(out.fileno())
    with open(target / TERMS_FILE, "w", encoding="utf-8") as out:
        json.dump(table, out, ensure_ascii=False, separators=(",", ":"))
        out.flush()
        os.fsync(out.fileno())


class _Field:
    def __init__(self, spec: dict[str, Any], data: Any, doc_count: int) -> None:
        self.terms: list[str] = spec["terms"]
        self.offsets: list[int] = spec["offsets"]
        self.df: list[int] = spec["df"]
        self.index = {t: i for i, t in enumerate(self.terms)}
        lengths = array("I")
        start = spec["lengths_offset"]
        lengths.frombytes(data[start : start + 4 * doc_count])
        average = (sum(lengths) / doc_count) if doc_count else 1.0
        average = average or 1.0
        self.norm = [K1 * (1 - B + B * n / average) for n in lengths]


class Postings:
    """Term statistics and bulk BM25 scoring for one generation."""

    def __init__(self, path: Path) -> None:
        table = json.loads((path / TERMS_FILE).read_text("utf-8"))
        self.doc_count: int = table["doc_count"]
        self._file = open(path / POSTINGS_FILE, "rb")  # noqa: SIM115  (mapped for the generation's life; close())
        size = os.fstat(self._file.fileno()).st_size
        self._data: Any = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.fields = {name: _Field(spec, self._data, self.doc_count) for name, spec in table["fields"].items()}
        self._cache: OrderedDict[tuple[str, str, float], Scores] = OrderedDict()
        self._cached = 0
        self._phrases: OrderedDict[Any, frozenset[int]] = OrderedDict()

    def close(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._file.close()

    def doc_frequency(self, fieldname: str, text: str) -> int:
        spec = self.fields.get(fieldname)
        if spec is None:
            return 0
        i = spec.index.get(text)
        return spec.df[i] if i is not None else 0

    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[str]:
        spec = self.fields.get(fieldname)
        if spec is None:
            return
        for term in itertools.islice(spec.terms, bisect.bisect_left(spec.terms, prefix), None):
            if not term.startswith(prefix):
                return
            yield term

    def postings(self, fieldname: str, text: str) -> tuple[array[int], array[float]]:
        spec = self.fields[fieldname]
        i = spec.index.get(text)
        ids, weights = array("I"), array("f")
        if i is None:
            return ids, weights
        start, df = spec.offsets[i], spec.df[i]
        ids.frombytes(self._data[start : start + 4 * df])
        weights.frombytes(self._data[start + 4 * df : start + 8 * df])
        return ids, weights

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
        norm = self.fields[fieldname].norm
        scores = {d: c * w / (w + norm[d]) for d, w in zip(ids, weights, strict=True)}
        self._cache[key] = scores
        self._cached += df
        while self._cached > TERM_CACHE_POSTINGS and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached -= len(old)
        return scores

    def evaluate(self, q: wq.Query, searcher: Any, filters: dict[str, Any]) -> Scores:
        """Document -> score for a query built by :mod:`search.index.engine.query`."""
        if q is wq.NullQuery:
            return {}
        if isinstance(q, wq.Term):
            if q.fieldname in self.fields:
                return self.term_scores(q.fieldname, q.text, q.boost)
            docs = filters.get(q.fieldname, {}).get(q.text, ())
            return dict.fromkeys(docs, 0.0)
        if isinstance(q, wq.Phrase):
            docs = self._phrase_docs(q, searcher)
            total: Scores = {}
            for word in q.words:
                scores = self.term_scores(q.fieldname, word, q.boost)
                for d in docs:
                    total[d] = total.get(d, 0.0) + scores.get(d, 0.0)
            return total
        if isinstance(q, wq.Or):
            parts = sorted((self.evaluate(sub, searcher, filters) for sub in q.subqueries), key=len, reverse=True)
            if not parts:
                return {}
            merged = dict(parts[0])
            for part in parts[1:]:
                for d, s in part.items():
                    merged[d] = merged.get(d, 0.0) + s
            return merged
        if isinstance(q, wq.And):
            positive = [self.evaluate(sub, searcher, filters) for sub in q.subqueries if not isinstance(sub, wq.Not)]
            negative = [sub.query for sub in q.subqueries if isinstance(sub, wq.Not)]
            if not positive:
                return {}
            positive.sort(key=len)
            first, rest = positive[0], positive[1:]
            result = {d: s + sum(p[d] for p in rest) for d, s in first.items() if all(d in p for p in rest)}
            for sub in negative:
                for d in self.evaluate(sub, searcher, filters):
                    result.pop(d, None)
            return result
        if isinstance(q, wq.Not):
            raise ValueError("a NOT query needs a positive part")
        raise TypeError(f"unsupported query object {type(q).__name__}")

    def _phrase_docs(self, q: wq.Phrase, searcher: Any) -> frozenset[int]:
        key = (q.fieldname, tuple(q.words))
        docs = self._phrases.get(key)
        if docs is None:
            if any(self.doc_frequency(q.fieldname, w) == 0 for w in q.words):
                docs = frozenset()
            else:
                docs = frozenset(wq.Phrase(q.fieldname, list(q.words)).docs(searcher))
            self._phrases[key] = docs
            while len(self._phrases) > PHRASE_CACHE:
                self._phrases.popitem(last=False)
        return docs
