"""Index segments: a Whoosh index of a run of documents, plus the arrays we rank from.

A segment is written once, by one process, and never changed (decision record 0033): Whoosh's
writer indexes the segment's documents (our schema and ``StemmingAnalyzer``,
:mod:`.schema`), then its postings are exported into arrays for ranking (decision record 0001).
A full build writes one segment per chunk of documents in parallel worker processes; an
incremental build links the previous generation's segments into the new one and writes only
the changed documents as a new segment, marking their old copies deleted in the generation's
``docs.json`` (decision record 0034).

Files of ``segments/<name>/``::

    whoosh/       the Whoosh index of these documents (one Whoosh segment; phrases use its positions)
    meta.json     per document: key (content hash), id, type, title, category, url, tags, text
                  offsets; and ``words`` (surface word -> documents, for the spelling vocabulary)
    terms.json    per text field: sorted terms, byte offset and document frequency of each
    postings.bin  exported from Whoosh: per term document numbers (uint32) and frequencies
                  (float32); per field the lengths as Whoosh stored them (uint32)
    text.bin      plain text and Markdown of each document (:mod:`..lifecycle.store`)
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import os
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec import default_codec
from whoosh.searching import Searcher

from ...content.prose import one_line
from ...content.taxonomy import parent_ids
from ..lifecycle.store import STORE_FILE, TextRow, write_store
from .schema import TEXT_FIELDS, build_schema, term_positions, whoosh_term_positions
from .spelling import WORD
from .text import markdown_to_text
from .whoosh_adapter import AnalysedPostings, leaf_postings, segment_writer

SEGMENTS_DIR = "segments"
WHOOSH_DIR = "whoosh"
META = "meta.json"
TERMS = "terms.json"
POSTINGS = "postings.bin"
MAX_INDEXED_CHARS = 200_000  # body text beyond this is stored for display but not indexed
CHECKED_DOCS = 2  # documents per segment whose analysis the writer compares with Whoosh's analyzer
CHECKED_TERMS = 16  # terms per field whose exported postings a segment writer compares with Whoosh's
FORMAT = 1  # part of every document key: a new format re-indexes everything
# zlib level of Whoosh's posting blocks (its default is 3): most blocks hold one to a few postings,
# where zlib's set-up cost most of its time (~12% of a segment's CPU) for a third of the bytes;
# each block records its level, so stock Whoosh reads them either way (decision record 0050)
POSTING_COMPRESSION = 0


@dataclass(frozen=True)
class SourceDoc:
    """One searchable document as the content gives it; its plain text is derived in the segment
    writer (in a worker process), so :attr:`key` is known before any conversion."""

    id: str
    type: str  # "guide" | "article"
    title: str
    category: str | None
    tags: tuple[str, ...]
    url: str
    markdown: str
    before: tuple[str, ...] = ()  # plain-text parts before the Markdown's text (a guide's summary, symptoms)
    after: tuple[str, ...] = ()  # and after it (gather items, tree node texts)

    @functools.cached_property
    def key(self) -> str:
        """Content hash of everything the segment stores for this document (computed once; a
        worker process receives it with the document)."""
        digest = hashlib.blake2b(str(FORMAT).encode(), digest_size=16)
        for part in (self.id, self.type, self.title, self.category or "", *self.tags, "", self.url, self.markdown, *self.before, "", *self.after):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        return digest.hexdigest()

    def text(self) -> str:
        if not self.before and not self.after:
            return markdown_to_text(self.markdown)
        return one_line(" ".join(p for p in (*self.before, markdown_to_text(self.markdown), *self.after) if p))


class SegmentMismatch(RuntimeError):
    """The segment writer's analysis differs from Whoosh's analyzer, or its exported postings from
    what Whoosh wrote (a bug either way; decision record 0050)."""


class SegmentMeta(TypedDict):
    keys: list[str]
    ids: list[str]
    types: list[str]
    titles: list[str]
    categories: list[str | None]
    urls: list[str]
    tags: list[list[str]]
    offsets: list[TextRow]
    words: dict[str, int]


class FieldTable(TypedDict):
    terms: list[str]
    offsets: list[int]
    df: list[int]
    lengths_offset: int


class TermsTable(TypedDict):
    doc_count: int
    fields: dict[str, FieldTable]


def whoosh_codec() -> Any:
    """Whoosh's own codec, configured through its public options as every segment is written."""
    return default_codec(compression=POSTING_COMPRESSION)


def doc_words(title: str, tags: Sequence[str], text: str) -> set[str]:
    """The surface words a document adds to the spelling vocabulary."""
    return set(WORD.findall(f"{title} {' '.join(tags)} {text[:MAX_INDEXED_CHARS]}".lower()))


def write_segment(path: Path, docs: Sequence[SourceDoc]) -> int:
    """Index ``docs`` with Whoosh into the new directory ``path`` and export its postings; returns
    the document count. Runs in a worker process during a parallel build: everything it needs is
    in ``docs``."""
    path.mkdir(parents=True)
    (path / WHOOSH_DIR).mkdir()
    texts = [doc.text() for doc in docs]
    words: Counter[str] = Counter()
    ix = whoosh_index.create_in(str(path / WHOOSH_DIR), build_schema())
    # One writer, one Whoosh segment: Whoosh document numbers are the order of ``docs``.
    # compound=False: Whoosh's files stay apart; opening a compound file cost the service ~100 MB
    # of RSS at full size (decision record 0041)
    writer = segment_writer(ix, limitmb=256, compound=False, codec=whoosh_codec())
    try:
        for number, (doc, text) in enumerate(zip(docs, texts, strict=True)):
            words.update(doc_words(doc.title, doc.tags, text))
            # analysed once, here: Whoosh indexes these terms and positions, the export writes their postings (decision record 0050)
            values = {"title": doc.title, "tags": " ".join(doc.tags), "body": text[:MAX_INDEXED_CHARS]}
            analysed = {field: term_positions(value) for field, value in values.items()}
            if number < CHECKED_DOCS and analysed != {field: whoosh_term_positions(value) for field, value in values.items()}:
                raise SegmentMismatch(f"document {doc.id}: the segment writer's analysis differs from Whoosh's analyzer")
            writer.add_document(
                id=doc.id,
                type=doc.type,
                category=doc.category or "",
                cat_path=" ".join([doc.category, *parent_ids(doc.category)]) if doc.category else "",
                **analysed,
            )
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=True)
    with ix.reader() as reader:
        export_postings(reader, writer.analysed, path)
    ix.close()
    for file in (path / WHOOSH_DIR).iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    meta: SegmentMeta = {
        "keys": [d.key for d in docs],
        "ids": [d.id for d in docs],
        "types": [d.type for d in docs],
        "titles": [d.title for d in docs],
        "categories": [d.category for d in docs],
        "urls": [d.url for d in docs],
        "tags": [list(d.tags) for d in docs],
        "offsets": write_store(path / STORE_FILE, ((t, d.markdown) for d, t in zip(docs, texts, strict=True))),
        "words": dict(words),
    }
    write_json(path / META, meta)
    return len(docs)


def export_postings(reader: Any, postings: dict[str, AnalysedPostings], target: Path) -> None:
    """Write the text fields' postings and Whoosh's field lengths into ``target`` (decision record
    0001). The postings are the ones the writer gave Whoosh (decision record 0050: a posting's
    weight in Whoosh is its frequency, each field's boost being 1), checked against what Whoosh
    wrote: each field's terms against its lexicon, and the postings of ``CHECKED_TERMS`` terms
    spread over it (the most frequent among them) against Whoosh's own posting lists."""
    doc_count = reader.doc_count_all()
    table: TermsTable = {"doc_count": doc_count, "fields": {}}
    position = 0
    with open(target / POSTINGS, "wb") as out:
        for field in TEXT_FIELDS:
            terms = sorted(postings[field])  # code point order: the order of Whoosh's UTF-8 lexicon
            lexicon = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(field)]
            if lexicon != terms:
                raise SegmentMismatch(f"segment {target.name}: Whoosh's {field} terms differ from the analysed ones ({len(lexicon)} / {len(terms)})")
            checked = terms[:: max(1, len(terms) // CHECKED_TERMS)] + ([max(terms, key=lambda t: len(postings[field][t][0]))] if terms else [])
            for term in checked:
                if leaf_postings(reader.postings(field, term)) != postings[field][term][:2]:
                    raise SegmentMismatch(f"segment {target.name}: Whoosh's postings of {field}:{term} differ from the analysed ones")
            spec: FieldTable = {"terms": terms, "offsets": [], "df": [], "lengths_offset": 0}
            for term in terms:
                ids, weights, _ = postings[field][term]
                spec["offsets"].append(position)
                spec["df"].append(len(ids))
                out.write(ids.tobytes())
                out.write(weights.tobytes())
                position += 8 * len(ids)
            # lengths as Whoosh stored them (one byte, logarithmic): BM25 as on the indexes the triage model was fitted on
            lengths = array("I", (reader.doc_field_length(n, field, 0) or 0 for n in range(doc_count)))
            spec["lengths_offset"] = position
            out.write(lengths.tobytes())
            position += 4 * len(lengths)
            table["fields"][field] = spec
        os.fsync(out.fileno())
    write_json(target / TERMS, table)


def write_json(path: Path, data: object) -> None:
    with open(path, "wb") as out:
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        os.fsync(out.fileno())


class FieldPostings:
    """One field of one segment: term look-up, postings, field lengths."""

    def __init__(self, spec: FieldTable, data: bytes | mmap.mmap, doc_count: int) -> None:
        self.terms = spec["terms"]
        self.offsets = spec["offsets"]
        self.df = spec["df"]
        self.index = {t: i for i, t in enumerate(self.terms)}
        self._data = data
        self.lengths = array("I")
        start = spec["lengths_offset"]
        self.lengths.frombytes(data[start : start + 4 * doc_count])

    def postings(self, term: str) -> tuple[array[int], array[float]]:
        """Local document numbers and term frequencies (empty when the term is absent)."""
        ids, freqs = array("I"), array("f")
        i = self.index.get(term)
        if i is not None:
            start, df = self.offsets[i], self.df[i]
            ids.frombytes(self._data[start : start + 4 * df])
            freqs.frombytes(self._data[start + 4 * df : start + 8 * df])
        return ids, freqs


class Segment:
    """A segment opened for reading: its exported postings memory-mapped, its Whoosh index open
    for phrases (positions)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.meta: SegmentMeta = json.loads((path / META).read_bytes())
        table: TermsTable = json.loads((path / TERMS).read_bytes())
        self.doc_count = table["doc_count"]
        if self.doc_count != len(self.meta["ids"]):
            raise ValueError(f"segment {self.name} holds {self.doc_count} documents, its meta.json {len(self.meta['ids'])}")
        self._file = open(path / POSTINGS, "rb")  # noqa: SIM115  (mapped for the generation's life; close())
        size = os.fstat(self._file.fileno()).st_size
        self._data: bytes | mmap.mmap = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.fields = {name: FieldPostings(spec, self._data, self.doc_count) for name, spec in table["fields"].items()}
        try:
            self.searcher: Searcher = whoosh_index.open_dir(str(path / WHOOSH_DIR)).searcher()
        except Exception as exc:  # whoosh raises plain Exception subclasses for damaged files
            self._close_postings()
            raise ValueError(f"segment {self.name}: its Whoosh index is unreadable: {exc}") from exc

    def phrase_docs(self, fieldname: str, words: list[str]) -> array[int]:
        """Local numbers of the documents holding ``words`` at consecutive positions (Whoosh's phrase matcher)."""
        return array("I", sorted(wq.Phrase(fieldname, words).docs(self.searcher)))

    def stored_ids(self) -> list[str]:
        """The ids Whoosh stored, in its document order (validation: must equal ``meta.json``'s)."""
        return [fields.get("id") for fields in self.searcher.all_stored_fields()]

    def close(self) -> None:
        try:
            self.searcher.close()
        finally:
            self._close_postings()

    def _close_postings(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._file.close()
