"""Where Markdown prose is and where code is: the one fence tracker for checks, index and import;
and the one way a text becomes a single line (:func:`one_line`).

Code blocks and code spans may hold anything (HTML, ``javascript:``, log lines); rules that
read prose skip them, and text extraction keeps their words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def one_line(text: str) -> str:
    """Whitespace runs as one space, trimmed (str.split's whitespace is re's \\s: str.isspace).
    Titles, transcript lines and indexed text all use this one form."""
    return " ".join(text.split())


class Kind(Enum):
    PROSE = "prose"
    FENCE = "fence"  # an opening or closing fence line
    CODE = "code"  # a line inside a fenced block


def classify(text: str) -> Iterator[tuple[int, str, Kind]]:
    """(0-based line index, line, kind) for every line of Markdown ``text``."""
    fence: str | None = None
    for i, line in enumerate(text.split("\n")):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            yield i, line, Kind.FENCE
        elif fence is not None and line.strip().startswith(fence):
            fence = None
            yield i, line, Kind.FENCE
        else:
            yield i, line, Kind.CODE if fence is not None else Kind.PROSE


def open_fence(text: str) -> str | None:
    """The fence left open at the end of ``text`` (to close it), or None."""
    opened: str | None = None
    for _, line, kind in classify(text):
        if kind is Kind.FENCE and opened is None:
            marker = FENCE.match(line).group(1)  # type: ignore[union-attr]  # an opening line always matches
            opened = marker[0] * len(marker)
        elif kind is Kind.FENCE:
            opened = None
    return opened


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(0-based line index, line with code spans blanked) for the prose lines of ``text``."""
    for i, line, kind in classify(text):
        if kind is Kind.PROSE:
            yield i, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
