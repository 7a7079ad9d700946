"""The Whoosh schema and the one analyzer shared by indexing, queries, snippets and spelling.

Every text field uses the same stemming analyzer, so one analyzed query term applies to all of
them; tags are text too, so "printers" finds the tag "printer". Writing a segment analyses with
:func:`term_positions`, which gives exactly the terms and positions of that analyzer without a
Token object per word (decision record 0050); queries, snippets and spelling use the analyzer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, Schema
from whoosh.lang.porter import stem as _porter_stem

from .whoosh_adapter import Analysed, PreAnalysedText

TEXT_FIELDS = ("title", "tags", "body")
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
FILTER_FIELDS = ("category", "type")
# What a user may name in a query (``title:vpn``); anything else before a colon is plain text.
FIELD_ALIASES = {"title": "title", "tags": "tags", "tag": "tags", "body": "body", "text": "body", "category": "category", "type": "type"}
TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
MIN_TERM = 2  # StemmingAnalyzer's minsize: shorter words are stopped
STEM_CACHE = 500_000  # distinct words whose stems a process keeps (the corpus holds about 150,000)


@lru_cache(maxsize=1)
def analyzer() -> StemmingAnalyzer:
    """The analyzer every text field uses (cached: building one compiles regexes)."""
    return StemmingAnalyzer(expression=TOKEN.pattern, cachesize=50000)


def build_schema() -> Schema:
    """The index schema. Only ``id`` is stored: everything shown comes from the generation's own files."""
    a = analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID,
        category=ID,
        cat_path=KEYWORD(lowercase=False, commas=False),
        title=PreAnalysedText(analyzer=a, phrase=True),
        tags=PreAnalysedText(analyzer=a, phrase=True),
        body=PreAnalysedText(analyzer=a, phrase=True),
    )


class _Stems(dict[str, str]):
    """Stem of each lowercase word seen (a dict miss computes it): the analyzer's stem cache
    costs a Python call per word, a hit here none."""

    def __missing__(self, word: str) -> str:
        if len(self) >= STEM_CACHE:
            self.clear()
        stem: str = _porter_stem(word)
        self[word] = stem
        return stem


_STEMS = _Stems()
_STOPS = frozenset(STOP_WORDS)


def term_positions(text: str) -> Analysed:
    """Each index term of ``text`` with its positions, in order of first occurrence: what
    :func:`analyzer` yields, grouped (tests/index/test_fast_analysis.py proves them equal).

    As in Whoosh's chain: a token is a ``TOKEN`` match, lowercased; stop words and words shorter
    than ``MIN_TERM`` are dropped; the first kept word keeps its token number as its position
    and each later kept word takes the next number (``StopFilter(renumber=True)``)."""
    words = list(map(str.lower, TOKEN.findall(text)))
    stops = _STOPS
    kept = [w for w in words if w not in stops and len(w) >= MIN_TERM]
    if not kept:
        return {}
    first = next(i for i, w in enumerate(words) if w not in stops and len(w) >= MIN_TERM)
    found: defaultdict[str, list[int]] = defaultdict(list)
    for position, stem in enumerate(map(_STEMS.__getitem__, kept), first):
        found[stem].append(position)
    return found


def whoosh_term_positions(text: str) -> Analysed:
    """What :func:`analyzer` yields for ``text``, grouped as :func:`term_positions` groups it: the
    reference that function is checked against (tests, and each segment writer on its first documents)."""
    found: Analysed = {}
    for token in analyzer()(text, positions=True, mode="index"):
        found.setdefault(token.text, []).append(token.pos)
    return found


def analyze(text: str) -> list[str]:
    """Index terms of ``text`` (lowercased, stop words removed, stemmed)."""
    return [t.text for t in analyzer()(text)]


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Stem of one lowercase word, as the analyzer would produce it."""
    stem: str = _porter_stem(word)
    return stem


def stopwords() -> frozenset[str]:
    from whoosh.analysis import STOP_WORDS

    return frozenset(STOP_WORDS)
