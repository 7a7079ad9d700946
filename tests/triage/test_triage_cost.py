"""Triage costs a bounded amount of work per ticket, whatever the text and the vocabulary size."""

from __future__ import annotations

import difflib
import random
import string

import pytest

from search.content.fuzzy import NearWords
from search.content.triage import MAX_CORRECTED_WORDS, SPELLING_CUTOFF, Triage
from support.cost import at_most_cpu

RNG_SEED = 5


def _word(rng: random.Random, low: int = 5, high: int = 11) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(low, high)))


def _one_edit(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    kind = rng.choice("dist")
    if kind == "d":
        return word[:i] + word[i + 1 :]
    if kind == "i":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i:]
    if kind == "s":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    return word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]


@pytest.fixture(scope="module")
def big_triage() -> Triage:
    """A vocabulary of 30,000 words in 300 categories: larger than the full shared corpus gives."""
    rng = random.Random(RNG_SEED)
    titles = {f"cat{n}": f"Category {n}" for n in range(300)}
    vocab = {_word(rng): {f"cat{rng.randrange(300)}": "content"} for _ in range(30_000)}
    vocab["password"] = {"cat1": "keyword"}
    return Triage.from_state({"titles": titles, "vocab": vocab, "idf": {t: 1.0 for t in vocab}})


def test_near_words_finds_what_difflib_finds_one_edit_away() -> None:
    rng = random.Random(RNG_SEED)
    words = sorted({_word(rng) for _ in range(3_000)})
    near = NearWords(words)
    for word in rng.sample(words, 400):
        typo = _one_edit(rng, word)
        if typo in words:
            continue
        expected = difflib.get_close_matches(typo, words, n=1, cutoff=SPELLING_CUTOFF)
        assert near.closest(typo, SPELLING_CUTOFF) == (expected[0] if expected else None), typo


def test_near_words_ignores_words_longer_than_any_in_the_vocabulary() -> None:
    near = NearWords(["password", "printer"])
    assert near.candidates("x" * 50_000) == set()
    assert near.closest("pasword", SPELLING_CUTOFF) == "password"


def test_thousands_of_unknown_words_cost_milliseconds_not_seconds(big_triage: Triage) -> None:
    # before: one difflib scan of the whole vocabulary per unknown word (minutes on this vocabulary)
    rng = random.Random(RNG_SEED + 1)
    hostile = [
        " ".join(_word(rng, 4, 12) for _ in range(2_500)),
        " ".join(_word(rng, 30, 300) for _ in range(60)),
        " ".join([_word(rng)] * 3_000),
        " ".join(_one_edit(rng, w) for w in rng.sample(sorted(big_triage.vocab), 2_500)),
        " ".join(_word(rng, 3, 14) for _ in range(12_000)),
    ]
    for text in hostile:
        with at_most_cpu(0.5):
            big_triage.suggest(text, 3)


def test_a_typo_is_still_corrected_among_unknown_words(big_triage: Triage) -> None:
    rng = random.Random(RNG_SEED + 2)
    text = " ".join(_word(rng, 20, 24) for _ in range(MAX_CORRECTED_WORDS // 2)) + " pasword"
    assert any("pasword~password" in s.matched for s in big_triage.suggest(text, 20))


def test_corrections_stop_after_the_cap(big_triage: Triage) -> None:
    """Past MAX_CORRECTED_WORDS distinct unknown words, further typos count for nothing (known words still do)."""
    rng = random.Random(RNG_SEED + 3)
    filler = " ".join(_word(rng, 20, 24) for _ in range(MAX_CORRECTED_WORDS + 10))
    suggestions = big_triage.suggest(filler + " pasword", 20)
    assert not any("pasword~password" in s.matched for s in suggestions)
    assert any("password" in s.matched for s in big_triage.suggest(filler + " password", 20))
