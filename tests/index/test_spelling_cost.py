"""Spelling correction in /api/search costs a bounded amount per query, whatever the words."""

from __future__ import annotations

import random
import string

from search.index import Generation
from search.index.engine.spelling import MAX_CORRECTED_WORDS, MEMO_SIZE, Speller
from support.cost import at_most_cpu


def test_a_query_of_long_unknown_words_corrects_a_bounded_number(generation: Generation) -> None:
    # without the cap all 12 typos would be corrected, and each of the 16 long words probed
    text = " ".join(["pasword"] * 4 + ["".join(random.Random(n).choices(string.ascii_lowercase, k=20)) for n in range(16)] + ["pasword"] * 8)
    with at_most_cpu(0.5):
        result = generation.search(text)
    assert len(generation.compile(text).corrections) == 4 < MAX_CORRECTED_WORDS  # the first 8 unknown words only
    assert result.suggestion is None or result.suggestion.count("password") == 4


def test_corrections_are_remembered_and_the_memory_is_bounded() -> None:
    speller = Speller({"password": 9, "printer": 4})
    assert speller.correct("pasword") == "password"
    assert speller.correct("pasword") == "password"
    for n in range(MEMO_SIZE + 10):
        speller.correct("zz" + "".join(random.Random(n).choices(string.ascii_lowercase, k=8)))
    assert len(speller._memo) <= MEMO_SIZE
    assert speller.correct("printr") == "printer"


def test_did_you_mean_over_thousands_of_ids_is_bounded_and_finds_typos() -> None:
    from search.content.fuzzy import SimilarNames

    rng = random.Random(3)
    ids = sorted({"-".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(rng.randint(2, 6))) for _ in range(8_200)})
    names = SimilarNames(ids)
    for probe in ["".join(rng.choices(string.ascii_lowercase + "-", k=30)) for _ in range(20)] + ["x" * 5_000]:
        with at_most_cpu(0.05):  # difflib over all ids: up to 0.45 s for such a probe
            names.similar(probe)
    for real in rng.sample(ids, 50):
        i = rng.randrange(len(real))
        typo = real[:i] + real[i + 1 :]
        assert real in names.similar(typo)
        words = real.split("-")
        assert real in names.similar("-".join(words[:-1]), n=50) or len(words) < 3


def test_category_did_you_mean_is_bounded_on_a_large_taxonomy() -> None:
    from search.content.taxonomy import suggest_categories

    rng = random.Random(4)
    ids = sorted({"/".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 12))) for _ in range(rng.randint(1, 3))) for _ in range(300)})
    tags = {"".join(rng.choices(string.ascii_lowercase + "_", k=12)): rng.choice(ids) for _ in range(1_500)}
    for probe in ["".join(rng.choices(string.ascii_lowercase + "/-", k=k)) for k in (10, 30, 100, 5_000)]:
        with at_most_cpu(0.1):  # was O(categories x tags) full ratios: ~0.5 s
            suggest_categories(probe, ids, tags)
    target = ids[7]
    assert suggest_categories(target[:-1], ids, tags)[0] == target
