"""Plain-text snippets with match offsets, cut from stored text without Whoosh's highlighter.

Whoosh's highlighter re-analyzes the whole document per hit (~110 ms p99 on real articles) and
its formatters do not escape HTML. Here a per-query regex finds candidate words by their first
letters in a bounded prefix of the stored plain text; only candidates are stemmed and compared
with the query's index terms. The result is text plus ``(start, end)`` offsets into it (Python
string indices, i.e. Unicode code points), never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import stem_word, stopwords

SNIPPET_CHARS = 200
SCAN_BYTES = 32_000
MAX_CANDIDATES = 400
_LEAD = 40
_STOP = stopwords()


@dataclass(frozen=True)
class Snippet:
    text: str
    matches: list[tuple[int, int]]


class Highlighter:
    """Finds where a query's index terms occur in plain text. Build one per query."""

    def __init__(self, terms: set[str]) -> None:
        self.terms = {t for t in terms if t}
        heads = sorted({t[:3] if len(t) >= 3 else t for t in self.terms}, key=len, reverse=True)
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(h) for h in heads) + r")[\w.]*", re.I | re.UNICODE) if heads else None

    def _word_matches(self, word: str) -> int:
        """Length of the matching part of a candidate (trailing dots dropped), or 0."""
        word = word.rstrip(".")
        lower = word.lower()
        if lower in self.terms:
            return len(word)
        if lower in _STOP or len(lower) < 2:
            return 0
        if stem_word(lower) in self.terms:
            return len(word)
        head = re.match(r"\w+", lower)
        if head and head.group(0) != lower and (head.group(0) in self.terms or stem_word(head.group(0)) in self.terms):
            return len(head.group(0))
        return 0

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matching word in ``text``."""
        if self._pattern is None:
            return []
        found: list[tuple[int, int]] = []
        for count, match in enumerate(self._pattern.finditer(text)):
            if count >= MAX_CANDIDATES:
                break
            length = self._word_matches(match.group(0))
            if length:
                found.append((match.start(), match.start() + length))
        return found

    def snippet(self, text: str, width: int = SNIPPET_CHARS) -> Snippet:
        """The window of ``text`` with the most distinct matched terms, and the offsets within it."""
        spans = self.find(text)
        if not spans:
            return Snippet(_cut(text, 0, width)[0], [])
        best_start, best_score = spans[0][0], -1
        lowered = [text[s:e].lower() for s, e in spans]
        j = 0
        for i, (start, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= start + width - _LEAD:
                j += 1
            distinct = len({stem_word(w) for w in lowered[i:j]})
            score = distinct * 1000 + (j - i)
            if score > best_score:
                best_start, best_score = start, score
        snippet, offset, body = _cut(text, max(0, best_start - _LEAD), width)
        shifted = [(s - offset, e - offset) for s, e in spans if body[0] <= s - offset and e - offset <= body[1]]
        return Snippet(snippet, shifted)


def _cut(text: str, start: int, width: int) -> tuple[str, int, tuple[int, int]]:
    """About ``width`` characters from ``start`` on word boundaries, with ellipses.

    Returns the snippet, the shift from original to snippet offsets, and the snippet range that
    holds original text (between the ellipses).
    """
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + text[start:end] + suffix, start - len(prefix), (len(prefix), len(prefix) + end - start)
