"""Markdown to plain text for the user's messages (search/workflow/plaintext.py): marks go, the
words and link targets stay, and the parser decides what is a mark (not a regular expression)."""

from __future__ import annotations

import pytest

from search.workflow.plaintext import to_plain


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("choose **Sign in another way** and *then* _retry_", "choose Sign in another way and then retry"),
        ("run `ipconfig /all` and `a<b & c`", "run ipconfig /all and a<b & c"),
        ("see [the reset page](https://id.example.com/reset).", "see the reset page (https://id.example.com/reset)."),
        ("open <https://portal.example.com> now", "open https://portal.example.com now"),
        ("mail [the desk](mailto:help@example.com)", "mail the desk (mailto:help@example.com)"),
        ("read [the article](../kb/articles/vpn.md) first", "read the article first"),  # a site-relative link means nothing in an email
        ("[ref link][r]\n\n[r]: https://x.example.com", "ref link (https://x.example.com)"),
        ("snake_case_name and 2 * 3 * 4 stay", "snake_case_name and 2 * 3 * 4 stay"),
        ("2*3*4", "234"),  # emphasis to Markdown, and so on the site: the message says what the page shows
        (r"a literal \*star\* and AT&T", "a literal *star* and AT&T"),
        ("- one\n- **two**\n\nthen a paragraph\nwith a soft break", "- one\n- two\n\nthen a paragraph with a soft break"),
        ("1. first\n2. second", "1. first\n2. second"),
        ("line one  \nline two", "line one\nline two"),
        ("", ""),
    ],
)
def test_markdown_becomes_plain_text(markdown: str, plain: str) -> None:
    assert to_plain(markdown) == plain
