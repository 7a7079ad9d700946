"""The Whoosh internals path and the public fallback read the same postings (every segment's Whoosh index)."""

from __future__ import annotations

from array import array

from search.index import Generation
from search.index.engine import whoosh_adapter
from search.index.engine.schema import TEXT_FIELDS


def test_internals_are_read_only_on_the_pinned_version() -> None:
    import whoosh

    assert (tuple(whoosh.__version__[:3]) == whoosh_adapter.PINNED) == whoosh_adapter.INTERNALS
    assert whoosh_adapter.INTERNALS, "pyproject pins whoosh-reloaded 2.7.5; the fast path should be on"


def test_fast_path_and_public_fallback_agree_on_every_posting_list(generation: Generation) -> None:
    compared = 0
    for field, reader in ((f, s.searcher.reader()) for s in generation.segments for f in TEXT_FIELDS):
        for term in list(reader.lexicon(field)):
            fast = whoosh_adapter.leaf_postings(reader.postings(field, term))
            ids, weights = array("I"), array("f")
            whoosh_adapter.public_postings(reader.postings(field, term), ids, weights)
            assert (fast[0], fast[1]) == (ids, weights), (field, term)
            compared += 1
    assert compared > 100
