"""The index fields and the one analyzer shared by indexing, queries, snippets and spelling.

Every text field uses the same stemming analysis, so one analyzed query term applies to all of
them; tags are text too, so "printers" finds the tag "printer". The analysis is Whoosh's
``StemmingAnalyzer`` (tokens of ``TOKEN``, lowercased, stop words and one-letter tokens dropped
with positions renumbered, Porter stems) done in bulk over a whole text (decision record 0033):
a regular expression over the text, then one dictionary look-up per token.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem as _porter_stem

TEXT_FIELDS = ("title", "tags", "body")
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
FILTER_FIELDS = ("category", "type")
# What a user may name in a query (``title:vpn``); anything else before a colon is plain text.
FIELD_ALIASES = {"title": "title", "tags": "tags", "tag": "tags", "body": "body", "text": "body", "category": "category", "type": "type"}
TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
_STOP = frozenset(STOP_WORDS)
_STEMS: dict[str, str | None] = {}  # lowercase token -> stem, or None for a dropped token
_MAX_STEMS = 500_000


def analyze(text: str) -> list[str]:
    """Index terms of ``text`` in order (lowercased, stop words removed, stemmed); a term's
    position is its index in this list."""
    stems = _STEMS
    out: list[str] = []
    for token in TOKEN.findall(text):
        term = stems.get(token, "")
        if term == "":
            term = stems[token] = _term(token)
        if term is not None:
            out.append(term)
    if len(stems) > _MAX_STEMS:
        stems.clear()
    return out


def _term(token: str) -> str | None:
    lower = token.lower()
    if len(lower) < 2 or lower in _STOP:
        return None
    return stem_word(lower)


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Stem of one lowercase word, as the analyzer would produce it."""
    stem: str = _porter_stem(word)
    return stem


def stopwords() -> frozenset[str]:
    return _STOP
