"""Spelling correction from the generation's own vocabulary (edit distance 1, Damerau).

The vocabulary (surface words with document frequencies) is computed at index time. Correcting
a word tries every single deletion, transposition, substitution and insertion against it: a few
hundred set look-ups (about 1.5 ms for a 24-letter word), with no per-query scan of the term
list. A query corrects at most ``MAX_CORRECTED_WORDS`` words, and answers are remembered (the
"did you mean" pass asks again for the words the query compiler already asked about).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable

WORD = re.compile(r"[a-z]{3,24}")
LETTERS = string.ascii_lowercase
MIN_CORRECTABLE = 3  # a three-letter word only by changing its second or third letter (vpm -> vpn): see _candidates
MAX_WORDS = 150_000
MAX_CORRECTED_WORDS = 8  # per query: a person makes a few typos, a hostile client makes 32 long ones
MEMO_SIZE = 4_096


def build_vocabulary(texts: Iterable[str], min_df: int = 1) -> dict[str, int]:
    """Lowercase alphabetic words -> number of documents containing them (``min_df`` or more)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(WORD.findall(text.lower())))
    common = [(w, n) for w, n in counts.items() if n >= min_df]
    common.sort(key=lambda item: (-item[1], item[0]))
    return dict(common[:MAX_WORDS])


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + transposes + replaces + inserts)


class Speller:
    """Suggests the most frequent known word one edit away from an unknown one."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._memo: dict[str, str | None] = {}

    def known(self, word: str) -> bool:
        return word in self.vocabulary

    def correct(self, word: str) -> str | None:
        """A correction for ``word`` (lowercase letters only, 3+ long), or None."""
        if len(word) < MIN_CORRECTABLE or len(word) > 24 or not word.isalpha() or not word.isascii():
            return None
        if word in self._memo:
            return self._memo[word]
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[word] = fixed = self._closest(word)
        return fixed

    def _closest(self, word: str) -> str | None:
        vocab = self.vocabulary
        best: tuple[int, str] | None = None
        for candidate in _candidates(word):
            df = vocab.get(candidate)
            if df is not None and candidate != word and (best is None or (df, best[1]) > (best[0], candidate)):
                best = (df, candidate)
        return best[1] if best else None


def _candidates(word: str) -> set[str]:
    """Words one edit away. A three-letter word has too many neighbours for every edit to be a
    likely typo (cat, act, at, coat...): only a changed second or third letter, as in vpm -> vpn."""
    if len(word) > 3:
        return edits1(word)
    return {word[:i] + c + word[i + 1 :] for i in (1, 2) for c in LETTERS}
