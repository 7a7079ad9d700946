"""The Whoosh schema and the one analyzer shared by indexing, queries, snippets and spelling.

Every text field uses the same stemming analyzer, so one analyzed query term applies to all of
them; tags are text too, so "printers" finds the tag "printer".
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.lang.porter import stem as _porter_stem

TEXT_FIELDS = ("title", "tags", "body")
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
FILTER_FIELDS = ("category", "type")
# What a user may name in a query (``title:vpn``); anything else before a colon is plain text.
FIELD_ALIASES = {"title": "title", "tags": "tags", "tag": "tags", "body": "body", "text": "body", "category": "category", "type": "type"}
TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


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
        title=TEXT(analyzer=a, phrase=True),
        tags=TEXT(analyzer=a, phrase=True),
        body=TEXT(analyzer=a, phrase=True),
    )


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
