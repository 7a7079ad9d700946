"""The one problem record reported by the loader and every check."""

from __future__ import annotations

import difflib
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
    return suggestion_hint(difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6))


def suggestion_hint(suggestions: Sequence[str]) -> str:
    """The one did-you-mean wording: `` (did you mean "a" or "b"?)``, or an empty string."""
    if not suggestions:
        return ""
    return " (did you mean " + " or ".join(f'"{s}"' for s in suggestions) + "?)"
