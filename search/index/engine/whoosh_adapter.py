"""The one place that reads Whoosh's internals (decision record 0001).

``whoosh-reloaded`` is pinned to 2.7.5 in pyproject.toml and archived upstream, so its private
block-matcher fields will not move under us. Reading a posting list through them copies whole
decoded blocks (ids and weights) at a time; the public ``id()``/``weight()``/``next()`` interface
costs a Python call per posting, which was the search p99 on an 8,000-article corpus. Any other
Whoosh version, or a matcher class without these fields, takes the public path: slower, same
result (the build validates every generation before it is served).
"""

from __future__ import annotations

import copyreg
import itertools
import pickle
import struct
from array import array
from collections.abc import Iterator
from typing import Any

import whoosh
from whoosh.fields import TEXT
from whoosh.writing import SegmentWriter

PINNED = (2, 7, 5)
INTERNALS = tuple(whoosh.__version__[:3]) == PINNED


_UINT = struct.Struct("!I")  # whoosh.system.pack_uint: the count before a posting's positions
Analysed = dict[str, list[int]]  # term -> positions, in order of first occurrence


class PreAnalysedText(TEXT):  # type: ignore[misc]  # whoosh is untyped
    """A ``TEXT`` field that also indexes a value analysed already (:data:`Analysed`, what the
    field's analyzer yields for the text, grouped; decision record 0050), so a segment writer
    analyses each text once, without the analyzer's chain of generators and a Token per word.

    For such a value ``index()`` returns what ``Positions.word_values`` does for the text: per
    term its UTF-8 bytes, frequency, weight (frequency x field boost) and positions encoded as
    ``Positions.encode`` encodes them. A string is analysed as by ``TEXT``. The field pickles as
    a plain ``TEXT``: the schema in a Whoosh index's table of contents holds Whoosh's own classes
    only, so reading an index never needs this class."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, dict):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        if INTERNALS and type(self.format).__name__ == "Positions":
            pack, dumps = _UINT.pack, pickle.dumps
            for term, positions in value.items():
                count = len(positions)
                # a fresh bytes object per posting: Whoosh pickles a block's values, and a shared one would be memoised (other bytes on disk)
                deltas = positions if count == 1 else [b - a for a, b in zip([0, *positions], positions, strict=False)]
                yield term.encode("utf-8"), count, count * 1.0 * boost, pack(count) + dumps(deltas, 2)
        else:
            for term, positions in value.items():
                yield term.encode("utf-8"), len(positions), len(positions) * 1.0 * boost, self.format.encode(positions)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return copyreg._reconstructor, (TEXT, object, None), self.__dict__  # type: ignore[attr-defined]


def segment_writer(index: Any, **options: Any) -> Any:
    """``index.writer(**options)``; on the pinned version, one whose posting writer reads the
    field lengths from memory (:class:`_Lengths`). Whoosh writes the same files either way."""
    return _SegmentWriter(index, **options) if INTERNALS else index.writer(**options)


class _SegmentWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
    def per_document_reader(self) -> Any:
        return _Lengths(super().per_document_reader())


class _Lengths:
    """Whoosh's per-document reader, with each field's lengths read once: the posting writer of
    a commit asks ``doc_field_length`` once per posting, and the reader answers each question
    by seeking and reading the lengths column."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[tuple[str, int], list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get((fieldname, default))
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = self._lengths[fieldname, default] = [read(n, fieldname, default) for n in range(self._reader.doc_count_all())]
        return lengths[docnum]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


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
