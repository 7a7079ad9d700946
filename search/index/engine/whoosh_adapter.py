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
import operator
import pickle
import struct
from array import array
from collections.abc import Iterator
from typing import Any

import whoosh
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.fields import TEXT
from whoosh.formats import Positions
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
        encode = _encode_positions if INTERNALS and type(self.format) is Positions else self.format.encode
        for term, positions in value.items():
            yield term.encode("utf-8"), len(positions), len(positions) * 1.0 * boost, encode(positions)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return copyreg._reconstructor, (TEXT, object, None), self.__dict__  # type: ignore[attr-defined]


class AnalysedPostings(dict[str, tuple["array[int]", "array[float]", list[bytes]]]):
    """One text field's postings as a segment writer was given them: term -> (document numbers,
    frequencies, positions encoded as Whoosh stores them), in document order (bytes, not lists:
    a list per posting kept alive makes each garbage collection walk them all). They are what Whoosh writes for the field, and
    what ``postings.bin`` holds (a posting's weight is its frequency times the field's boost)."""

    def add(self, docnum: int, analysed: Analysed) -> int:
        """Add one document's analysed value; returns its field length (the frequencies' sum)."""
        length = 0
        for term, positions in analysed.items():
            entry = self.get(term)
            if entry is None:
                entry = self[term] = (array("I"), array("f"), [])
            count = len(positions)
            entry[0].append(docnum)
            entry[1].append(count)
            entry[2].append(_encode_positions(positions))
            length += count
        return length


def segment_writer(index: Any, **options: Any) -> _SegmentWriter:
    """``index.writer(**options)`` that also keeps the postings of the :class:`PreAnalysedText`
    fields it is given (``writer.analysed``). On the pinned version with Whoosh's own codec it
    writes them per term and block (:meth:`_SegmentWriter._flush_segment`) and reads field lengths
    from memory (:class:`_Lengths`); otherwise Whoosh indexes them. The files are the same."""
    return _SegmentWriter(index, **options)


class _SegmentWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh's ``SegmentWriter``. Stock Whoosh turns each posting into a tuple in its pool, sorts
    them all, and at commit hands them one by one to the postings writer (assertions, appends,
    a field-length look-up per posting). The postings of an analysed value are already grouped
    by term and in document order, so on the pinned version they bypass the pool: the commit
    gives the postings writer whole blocks (ids, weights, encoded positions, length bounds) and
    lets Whoosh's own ``_write_block`` encode them (decision record 0050)."""

    def __init__(self, index: Any, **options: Any) -> None:
        super().__init__(index, **options)
        self.analysed = {name: AnalysedPostings() for name, field in self.schema.items() if isinstance(field, PreAnalysedText)}
        direct = (
            INTERNALS
            and type(self.fieldwriter) is W3FieldWriter
            and self.codec.length_stats
            and all(type(self.schema[name].format) is Positions for name in self.analysed)
        )
        self._given: _GivenLengths | None = None
        if direct:
            self._given = _GivenLengths(self.perdocwriter)  # type: ignore[has-type]  # set by the untyped base class
            self.perdocwriter = self._given

    def add_document(self, **fields: Any) -> None:
        given: dict[str, int] = {}
        for name, postings in self.analysed.items():
            value = fields.get(name)
            if isinstance(value, dict):
                length = postings.add(self.docnum, value)
                if self._given is not None:
                    given[name] = length if self.schema[name].scorable else 0
                    fields[name] = {}  # Whoosh indexes nothing from it; the commit writes the postings
        if self._given is not None:
            self._given.given = given
        super().add_document(**fields)

    def per_document_reader(self) -> Any:
        reader = super().per_document_reader()
        return _Lengths(reader) if INTERNALS else reader

    def _flush_segment(self) -> None:
        if self._given is None:
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        # fields in name order, as Whoosh's sorted pool gives them (a field's number in the terms file is its turn)
        direct = sorted(name for name, postings in self.analysed.items() if postings)
        for fieldname, items in itertools.groupby(self.pool.iter_postings(), key=operator.itemgetter(0)):
            while direct and direct[0] < fieldname:
                self._write_analysed(direct.pop(0), lengths)
            self.fieldwriter.add_postings(self.schema, lengths, items)
        for name in direct:
            self._write_analysed(name, lengths)
        self.fieldwriter.close()
        lengths.close()

    def _write_analysed(self, fieldname: str, lengths: _Lengths) -> None:
        """What ``FieldWriter.add_postings`` does for one field, a block at a time: each block's
        attributes set as ``add_posting`` would have left them, then Whoosh's ``_write_block``
        (the last one through ``finish_term``)."""
        field = self.schema[fieldname]
        boost = field.format.field_boost
        doc_length = lengths.field_lengths(fieldname).__getitem__
        writer = self.fieldwriter
        writer.start_field(fieldname, field)
        postings = self.analysed[fieldname]
        for term in sorted(postings):  # code point order: the order of the UTF-8 bytes Whoosh sorts
            ids, freqs, values = postings[term]
            writer.start_term(term.encode("utf-8"))
            block = writer._postwriter
            size = block._blocklimit
            for start in range(0, len(ids), size):
                counts = freqs[start : start + size]
                block._ids = ids[start : start + size]
                block._weights = counts if boost == 1 else array("f", [c * 1.0 * boost for c in counts])
                block._maxweight = max(0, max(counts) * 1.0 * boost)  # stock: the largest weight above 0, else int 0
                block._values = values[start : start + size]
                sized = [n for n in map(doc_length, block._ids) if n]
                block._minlength = min(sized) if sized else None
                block._maxlength = max(sized, default=0)
                if start + size < len(ids):
                    block._write_block()
            writer.finish_term()
        writer.finish_field()


def _encode_positions(positions: list[int]) -> bytes:
    """``Positions.encode``: the count, then the pickled deltas. A fresh bytes object per posting:
    Whoosh pickles a block's values, and a shared one would be memoised (other bytes on disk)."""
    count = len(positions)
    deltas = positions if count == 1 else [b - a for a, b in zip([0, *positions], positions, strict=False)]
    return _UINT.pack(count) + pickle.dumps(deltas, 2)


class _GivenLengths:
    """Whoosh's per-document writer, told the length of each field whose postings the writer keeps
    (Whoosh sums the frequencies of the postings it indexes, and indexes none of those)."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.given: dict[str, int] = {}

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int) -> None:
        self._writer.add_field(fieldname, fieldobj, value, self.given.pop(fieldname, length))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


class _Lengths:
    """Whoosh's per-document reader, with each field's lengths read once: the posting writer of
    a commit asks ``doc_field_length`` once per posting, and the reader answers each question
    by seeking and reading the lengths column."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[tuple[str, int], list[int]] = {}

    def field_lengths(self, fieldname: str, default: int = 0) -> list[int]:
        lengths = self._lengths.get((fieldname, default))
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = self._lengths[fieldname, default] = [read(n, fieldname, default) for n in range(self._reader.doc_count_all())]
        return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self.field_lengths(fieldname, default)[docnum]

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
