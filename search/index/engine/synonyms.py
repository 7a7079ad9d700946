"""Synonym groups from ``guides/synonyms.yml``, matched on analyzed terms at query time.

A group member may be several words ("blue screen"); its key is the tuple of its index terms,
so "printing", "printer" and "print" match through their stems.
"""

from __future__ import annotations

from collections.abc import Sequence

from .schema import analyze


class SynonymTable:
    """Finds synonym groups in a sequence of analyzed words."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.groups: list[list[tuple[str, ...]]] = []
        self.by_key: dict[tuple[str, ...], int] = {}
        for members in groups:
            keys: list[tuple[str, ...]] = []
            for member in members:
                key = tuple(analyze(member))
                if key and key not in keys:
                    keys.append(key)
            if len(keys) < 2:
                continue
            index = len(self.groups)
            self.groups.append(keys)
            for key in keys:
                self.by_key.setdefault(key, index)
        self.longest = max((len(k) for k in self.by_key), default=0)

    def match(self, words: Sequence[tuple[str, ...]], start: int) -> tuple[int, int] | None:
        """(group index, number of words) of the longest synonym starting at ``words[start]``."""
        for count in range(min(self.longest, len(words) - start), 0, -1):
            key = tuple(t for word in words[start : start + count] for t in word)
            if key in self.by_key:
                return self.by_key[key], count
        return None

    def alternatives(self, group: int) -> list[tuple[str, ...]]:
        return self.groups[group]
