"""Index segments: the postings, positions, field lengths and stored text of a run of documents.

A segment is written once, by one process, and never changed (decision record 0033): a full
build writes one segment per core in parallel; an incremental build links the previous
generation's segments into the new one and writes only the changed documents as a new segment,
marking their old copies deleted in the generation's ``docs.json`` (decision record 0034).

Files of ``segments/<name>/``::

    meta.json     per document: key (content hash), id, type, title, category, url, tags, text
                  offsets; and ``words`` (surface word -> documents, for the spelling vocabulary)
    terms.json    per text field: sorted terms, byte offset and document frequency of each
    postings.bin  per term: document numbers (uint32), frequencies (float32), then every
                  position (uint32) document after document; per field the token counts (uint32)
    text.bin      plain text and Markdown of each document (:mod:`..lifecycle.store`)
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import mmap
import os
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from ...content.prose import one_line
from ..lifecycle.store import STORE_FILE, TextRow, write_store
from .schema import TEXT_FIELDS, analyze
from .spelling import WORD
from .text import markdown_to_text

SEGMENTS_DIR = "segments"
META = "meta.json"
TERMS = "terms.json"
POSTINGS = "postings.bin"
MAX_INDEXED_CHARS = 200_000  # body text beyond this is stored for display but not indexed
FORMAT = 1  # part of every document key: a new format re-indexes everything


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


def doc_words(title: str, tags: Sequence[str], text: str) -> set[str]:
    """The surface words a document adds to the spelling vocabulary."""
    return set(WORD.findall(f"{title} {' '.join(tags)} {text[:MAX_INDEXED_CHARS]}".lower()))


def write_segment(path: Path, docs: Sequence[SourceDoc]) -> int:
    """Write ``docs`` as a segment into the new directory ``path``; returns the document count.
    Runs in a worker process during a parallel build: everything it needs is in ``docs``."""
    path.mkdir(parents=True)
    texts = [doc.text() for doc in docs]
    inverted: dict[str, dict[str, tuple[list[int], list[list[int]]]]] = {f: {} for f in TEXT_FIELDS}
    lengths: dict[str, array[int]] = {f: array("I") for f in TEXT_FIELDS}
    words: Counter[str] = Counter()
    for local, (doc, text) in enumerate(zip(docs, texts, strict=True)):
        words.update(doc_words(doc.title, doc.tags, text))
        for field, value in (("title", doc.title), ("tags", " ".join(doc.tags)), ("body", text[:MAX_INDEXED_CHARS])):
            terms = analyze(value)
            lengths[field].append(len(terms))
            positions: dict[str, list[int]] = {}
            for i, term in enumerate(terms):
                at = positions.get(term)
                if at is None:
                    positions[term] = [i]
                else:
                    at.append(i)
            table = inverted[field]
            for term, at in positions.items():
                entry = table.get(term)
                if entry is None:
                    table[term] = ([local], [at])
                else:
                    entry[0].append(local)
                    entry[1].append(at)
    terms_table: TermsTable = {"doc_count": len(docs), "fields": {}}
    position = 0
    with open(path / POSTINGS, "wb") as out:
        for field in TEXT_FIELDS:
            spec: FieldTable = {"terms": sorted(inverted[field]), "offsets": [], "df": [], "lengths_offset": 0}
            for term in spec["terms"]:
                ids, at_lists = inverted[field][term]
                spec["offsets"].append(position)
                spec["df"].append(len(ids))
                blob = array("I", ids).tobytes() + array("f", map(len, at_lists)).tobytes() + array("I", itertools.chain.from_iterable(at_lists)).tobytes()
                out.write(blob)
                position += len(blob)
            spec["lengths_offset"] = position
            out.write(lengths[field].tobytes())
            position += 4 * len(lengths[field])
            terms_table["fields"][field] = spec
        os.fsync(out.fileno())
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
    write_json(path / TERMS, terms_table)
    write_json(path / META, meta)
    return len(docs)


def write_json(path: Path, data: object) -> None:
    with open(path, "wb") as out:
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        os.fsync(out.fileno())


class FieldPostings:
    """One field of one segment: term look-up, postings with positions, token counts."""

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

    def positions(self, term: str) -> dict[int, array[int]]:
        """Local document number -> positions of ``term`` in it."""
        i = self.index.get(term)
        if i is None:
            return {}
        ids, freqs = self.postings(term)
        at = array("I")
        start = self.offsets[i] + 8 * len(ids)
        at.frombytes(self._data[start : start + 4 * int(sum(freqs))])
        found: dict[int, array[int]] = {}
        cursor = 0
        for doc, freq in zip(ids, freqs, strict=True):
            n = int(freq)
            found[doc] = at[cursor : cursor + n]
            cursor += n
        return found


class Segment:
    """A segment opened for reading (its postings file memory-mapped)."""

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

    def close(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._file.close()
