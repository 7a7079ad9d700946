"""The one way text becomes a single line (transcripts, step lists, indexed text)."""

from __future__ import annotations

import re
import sys

from search.content.prose import one_line

UNICODE_SPACE = [chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))]


def test_every_whitespace_run_becomes_one_space_and_ends_are_trimmed() -> None:
    # the page script's oneLine mirrors this set (Python's \s, which is str.isspace)
    assert [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()] == UNICODE_SPACE
    for space in UNICODE_SPACE:
        assert one_line(f"{space}Restart{space}{space}the\tlaptop.{space}") == "Restart the laptop."
    assert one_line("a\u00a0b\u2028c\r\nd") == "a b c d"
    assert one_line("") == "" and one_line(" \n\t") == ""
    assert one_line("plain") == "plain"
