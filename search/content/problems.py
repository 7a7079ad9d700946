"""The one problem record reported by the loader and every check."""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A content problem at ``path:line:col`` (1-based), sortable by position."""

    path: str
    line: int
    col: int
    rule: str = field(compare=True)
    message: str = field(compare=True)
    severity: Severity = field(default=Severity.ERROR, compare=False)

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value} [{self.rule}] {self.message}"


class ContentError(Exception):
    """Raised by callers that need a clean repository (site build, index) and got problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        shown = "\n".join(p.format() for p in self.problems[:20])
        more = len(self.problems) - 20
        super().__init__(shown + (f"\n... and {more} more" if more > 0 else ""))


def did_you_mean(word: str, candidates: Iterable[str], n: int = 1) -> str:
    """`` (did you mean "x"?)`` suffix for an unknown identifier, or an empty string."""
    return suggestion_hint(close_matches(word, candidates, n=n))


def close_matches(word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """What :func:`difflib.get_close_matches` returns, found faster in a large list (a link among
    8,000 page paths: 12 s down to well under one): ``ratio()``, the costly measure, is taken in
    descending order of its cheap upper bound ``quick_ratio()``, and no more once that bound is
    below the n-th best ratio found (no later candidate can rank higher)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounded: list[tuple[float, str]] = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and (bound := matcher.quick_ratio()) >= cutoff:
            bounded.append((bound, candidate))
    bounded.sort(key=lambda pair: pair[0], reverse=True)
    best: list[tuple[float, str]] = []  # a min-heap of the n best (ratio, candidate) so far
    for bound, candidate in bounded:
        if len(best) == n and bound < best[0][0]:
            break
        matcher.set_seq1(candidate)
        if (score := matcher.ratio()) >= cutoff:
            (heapq.heappush if len(best) < n else heapq.heappushpop)(best, (score, candidate))
    return [candidate for _, candidate in sorted(best, reverse=True)]


def suggestion_hint(suggestions: Sequence[str]) -> str:
    """The one did-you-mean wording: `` (did you mean "a" or "b"?)``, or an empty string."""
    if not suggestions:
        return ""
    return " (did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?)"
