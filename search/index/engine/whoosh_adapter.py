"""The one place that reads Whoosh's internals (decision record 0001).

``whoosh-reloaded`` is pinned to 2.7.5 in pyproject.toml and archived upstream, so its private
block-matcher fields will not move under us. Reading a posting list through them copies whole
decoded blocks (ids and weights) at a time; the public ``id()``/``weight()``/``next()`` interface
costs a Python call per posting, which was the search p99 on an 8,000-article corpus. Any other
Whoosh version, or a matcher class without these fields, takes the public path: slower, same
result (the build validates every generation before it is served).
"""

from __future__ import annotations

import itertools
from array import array
from typing import Any

import whoosh

PINNED = (2, 7, 5)
INTERNALS = tuple(whoosh.__version__[:3]) == PINNED


def leaf_postings(matcher: Any) -> tuple[array[int], array[float]]:
    """All (doc numbers, weights) of one Whoosh posting list, read block by block when we may."""
    ids, weights = array("I"), array("f")
    if INTERNALS and hasattr(matcher, "_read_data") and hasattr(matcher, "_lastblock"):
        while True:
            if matcher._data is None:
                matcher._read_data()
            raw_ids, raw_weights = matcher._data[0], matcher._data[1]
            ids.extend(raw_ids if matcher._byteids else itertools.accumulate(raw_ids))
            count = len(raw_ids)
            if raw_weights is None:
                weights.extend([1.0] * count)
            elif isinstance(raw_weights, float):
                weights.extend([raw_weights] * count)
            else:
                weights.extend(raw_weights)
            if matcher._lastblock:
                break
            matcher._next_block()
    else:
        public_postings(matcher, ids, weights)
    return ids, weights


def public_postings(matcher: Any, ids: array[int], weights: array[float]) -> None:
    """The same through Whoosh's public matcher interface (the fallback)."""
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
