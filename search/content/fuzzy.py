"""Close spellings of a word found in microseconds, whatever the vocabulary's size.

A symmetric deletion index (the SymSpell idea): every word is filed under itself and each of its
one-letter deletions; a probe looks up itself and its own deletions, so one probe is at most
``len(word) + 1`` dictionary look-ups and finds every word one insertion, deletion, substitution
or adjacent transposition away (and some two edits away). Candidates are then ranked by
:func:`difflib.SequenceMatcher` ratio, the measure used before, but only over those few words
instead of the whole vocabulary. Callers still cap how many words one request may probe.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class NearWords:
    """A deletion index over ``words`` for :meth:`closest` look-ups."""

    def __init__(self, words: Iterable[str]) -> None:
        index: dict[str, list[str]] = defaultdict(list)
        longest = 0
        for word in set(words):
            longest = max(longest, len(word))
            for key in _deletions(word) | {word}:
                index[key].append(word)
        self._index = dict(index)
        self._longest = longest

    def candidates(self, word: str) -> set[str]:
        """Vocabulary words at most one deletion apart from a common form of ``word``."""
        if len(word) > self._longest + 1:
            return set()
        found: set[str] = set()
        for key in _deletions(word) | {word}:
            found.update(self._index.get(key, ()))
        return found

    def closest(self, word: str, cutoff: float) -> str | None:
        """The candidate with the highest similarity ratio of at least ``cutoff`` (ties: the larger word)."""
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for candidate in self.candidates(word):
            if candidate == word:
                continue
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:  # cheap upper bounds first
                continue
            ratio = matcher.ratio()
            if ratio >= cutoff and (best is None or (ratio, candidate) > best):
                best = (ratio, candidate)
        return best[1] if best else None


class SimilarNames:
    """ "Did you mean" over many identifiers (guide, article and category ids) at a bounded cost per look-up.

    ``difflib.get_close_matches`` over 8,000 ids costs up to half a second for one 30-character
    probe (every id that passes its cheap bounds gets a full ratio). Here only a few candidates get
    a ratio: ids one deletion apart (a :class:`NearWords` index over whole ids) and ids sharing a
    hyphen-separated word with the probe, at most ``MAX_CANDIDATES`` of them.
    """

    MAX_CANDIDATES = 200
    MAX_PROBE = 200

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        self.near = NearWords(self.names)
        by_word: dict[str, list[str]] = defaultdict(list)
        for name in self.names:
            for word in set(re.split(r"[-_/.\s]+", name)):
                if word:
                    by_word[word].append(name)
        self.by_word = dict(by_word)

    def similar(self, name: str, n: int = 3, cutoff: float = 0.6) -> list[str]:
        """Up to ``n`` names, best first: those starting with the probe (``vpn`` finds
        ``vpn-cannot-connect``), then close spellings, then those sharing most of its words."""
        probe = name.strip().lower()[: self.MAX_PROBE]
        if not probe:
            return []
        start = bisect.bisect_left(self.names, probe)
        prefixed = sorted(itertools.takewhile(lambda found: found.startswith(probe), self.names[start : start + self.MAX_CANDIDATES]), key=len)
        candidates = self.near.candidates(probe)
        shared: dict[str, int] = defaultdict(int)
        for word in dict.fromkeys(re.split(r"[-_/.\s]+", probe)):
            for found in self.by_word.get(word, ())[: self.MAX_CANDIDATES]:
                if len(candidates) >= self.MAX_CANDIDATES:
                    break
                candidates.add(found)
                shared[found] += 1
        close = difflib.get_close_matches(probe, sorted(candidates), n=n, cutoff=cutoff)
        worded = sorted(shared, key=lambda found: (-shared[found], len(found), found))
        return [found for found in dict.fromkeys([*prefixed, *close, *worded]) if found != probe][:n]
