"""The did-you-mean search returns exactly what difflib.get_close_matches returns, only sooner."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from search.content.problems import close_matches

_words = st.text(alphabet="abcde/-", max_size=8)


@given(word=_words, candidates=st.lists(_words, max_size=60), n=st.integers(1, 3))
def test_close_matches_is_get_close_matches(word: str, candidates: list[str], n: int) -> None:
    assert close_matches(word, candidates, n) == difflib.get_close_matches(word, candidates, n)
