"""An opened index generation: its segments' postings, the catalog and the text store.

A :class:`Generation` is read-only and safe to share: searches are serialised by a lock because
they fill shared caches. The service swaps its handle to a newer generation on
reload; the old one stays valid for requests still holding it and is closed when released.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import query as wq

from ..content.fuzzy import SimilarNames
from ..content.publishing import Policy
from ..content.repository import Repository, load_repository
from ..content.taxonomy import parent_ids, resolve_category, suggest_categories
from ..content.triage import Triage
from .answers.models import ARTICLE_ENTRIES, ArticleEntry, Catalog
from .engine.postings import Postings, parts_of
from .engine.query import MAX_QUERY_CHARS, Compiled, QueryError, apply_corrections, compile_query, parse_query
from .engine.segments import SEGMENTS_DIR, Segment
from .engine.snippets import SCAN_BYTES, Highlighter, Snippet
from .engine.spelling import MAX_CORRECTED_WORDS, Speller
from .engine.synonyms import SynonymTable
from .lifecycle.pins import Pin
from .lifecycle.store import STORE_FILE, TextRow, TextStore

MANIFEST = "manifest.json"
CATALOG = "catalog.json"
CATALOG_PARTS = "catalog"  # catalog/<part>.json: the article entries, in the parts the manifest lists (decision record 0048)
DOCS = "docs.json"
VOCABULARY = "vocabulary.json"
SYNONYMS = "synonyms.json"
TRIAGE = "triage.json"
CONTENT_DIR = "content"  # snapshot of guides/ (trees, taxonomy, protocol, templates) for walks
MAX_LIMIT = 50
_WORD = re.compile(r"\w+")
MAX_FACETS = 25


class IndexUnavailable(RuntimeError):
    """No usable generation (never built, the pointer is unreadable, or the generation is damaged)."""


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def generation_files(path: Path) -> list[Path]:
    """Every file of a generation the manifest vouches for (all but the manifest itself)."""
    return sorted(p for p in path.rglob("*") if p.is_file() and p.relative_to(path).as_posix() != MANIFEST)


def verify_files(path: Path, files: dict[str, list[Any]], digests: bool = True) -> None:
    """Compare each file's size, then (``digests``) its SHA-256, with the manifest; raise ValueError naming the first damaged file."""
    for rel, (size, _digest) in files.items():
        file = path / rel
        try:
            actual = file.stat().st_size
        except FileNotFoundError:
            raise ValueError(f"{rel} is missing") from None
        if actual != size:
            raise ValueError(f"{rel} has {actual} bytes, the manifest says {size}")
    if not digests:
        return
    for rel, (_, digest) in files.items():
        if file_digest(path / rel) != digest:
            raise ValueError(f"{rel} does not match its checksum")


def generation_number(name: str) -> int:
    """``gen-000007`` -> 7 (ValueError for anything else)."""
    prefix, _, digits = name.partition("-")
    if prefix != "gen" or len(digits) != 6 or not digits.isdigit():
        raise ValueError(f"not a generation name: {name!r}")
    return int(digits)


@dataclass
class Hit:
    docnum: int
    id: str
    type: str
    title: str
    category: str | None
    url: str
    score: float
    snippet: Snippet
    title_matches: list[tuple[int, int]]


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    facets: list[tuple[str, int]]
    suggestion: str | None = None
    corrected: bool = False
    relaxed: bool = False
    terms: set[str] = field(default_factory=set)


class Generation:
    """A built generation opened for reading."""

    def __init__(
        self, path: Path, url_prefix: str = "/", name: str | None = None, pin: Pin | None = None, digests: bool = True, trusted: frozenset[str] = frozenset()
    ) -> None:
        """Verify every file against the manifest's checksums, then load and open it all.

        Everything a request can need is loaded here (or held open: text and postings memory
        maps), so damage is found before the generation serves, not by a
        request; ``pin`` (see :mod:`.pins`) keeps builds from deleting it while it is open.
        ``trusted``: files a build's validation need not load (linked from a validated
        generation, see ``validate_generation``); they are loaded when first used.
        """
        self.path = path
        self.pin = pin
        self.name = name or path.name
        self.number = generation_number(self.name)
        self.url_prefix = url_prefix
        self.lock = threading.RLock()
        self._similar_names: dict[str, SimilarNames] = {}  # did-you-mean indexes, built on first use
        try:
            try:
                self.manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(f"{MANIFEST} is unreadable: {exc}") from exc
            if not isinstance(self.manifest, dict) or not isinstance(self.manifest.get("files"), dict):
                raise ValueError(f"{MANIFEST} lists no file checksums")
            verify_files(path, self.manifest["files"], digests)
            self.catalog = Catalog.model_validate_json((path / CATALOG).read_bytes())
            articles: dict[str, ArticleEntry] = {}
            for part in self.manifest.get("catalog_parts", {}):
                articles |= ARTICLE_ENTRIES.validate_json((path / CATALOG_PARTS / f"{part}.json").read_bytes())
            self.catalog.articles = dict(sorted(articles.items()))
            docs = json.loads((path / DOCS).read_text("utf-8"))
            vocabulary = json.loads((path / VOCABULARY).read_text("utf-8"))
            synonym_groups = json.loads((path / SYNONYMS).read_text("utf-8"))
        except (OSError, ValueError, TypeError) as exc:
            raise IndexUnavailable(f"generation {path.name} is damaged: {exc}") from exc
        self.segments: list[Segment] = []
        try:
            for entry in docs["segments"]:
                self.segments.append(Segment(path / SEGMENTS_DIR / entry["name"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._close_segments()
            raise IndexUnavailable(f"generation {path.name}: a segment is unreadable: {exc}") from exc
        deleted: list[list[int]] = [entry["deleted"] for entry in docs["segments"]]
        self.ids: list[str] = []
        self.types: list[str] = []
        self.titles: list[str] = []
        self.categories: list[str | None] = []
        urls: list[str] = []
        files: list[int] = []
        rows: list[TextRow] = []
        for number, (segment, gone) in enumerate(zip(self.segments, deleted, strict=True)):
            meta, dead = segment.meta, set(gone)
            live = [n for n in range(segment.doc_count) if n not in dead]
            self.ids += [meta["ids"][n] for n in live]
            self.types += [meta["types"][n] for n in live]
            self.titles += [meta["titles"][n] for n in live]
            self.categories += [meta["categories"][n] for n in live]
            urls += [meta["urls"][n] for n in live]
            rows += [meta["offsets"][n] for n in live]
            files += [number] * len(live)
        self.rank: list[int] = docs["rank"]  # position in a full build's order: breaks score ties the same way
        if len(self.rank) != len(self.ids):
            self._close_segments()
            raise IndexUnavailable(f"generation {path.name}: docs.json ranks {len(self.rank)} documents, the segments hold {len(self.ids)}")
        self.urls: list[str] = [url_prefix + u for u in urls]
        self.docnum_by_key = {(t, i): n for n, (t, i) in enumerate(zip(self.types, self.ids, strict=True))}
        self.speller = Speller(vocabulary)
        self.synonyms = SynonymTable(synonym_groups)
        self.catalog.prefix_urls(url_prefix)
        self.by_type: dict[str, frozenset[int]] = {}
        for doc_type in ("guide", "article"):
            self.by_type[doc_type] = frozenset(n for n, t in enumerate(self.types) if t == doc_type)
        within: dict[str, set[int]] = {}
        for n, category in enumerate(self.categories):
            if category:
                for c in (category, *parent_ids(category)):
                    within.setdefault(c, set()).add(n)
        self.in_category = {c: frozenset(s) for c, s in within.items()}
        self.postings = Postings(parts_of(self.segments, deleted), len(self.ids))
        self.store = TextStore([seg.path / STORE_FILE for seg in self.segments], files, rows)
        self._filters = {"cat_path": self.in_category, "type": self.by_type}
        try:
            self.content: Repository = load_repository(path / CONTENT_DIR, Policy())  # the snapshot holds published content only
            # no git in the snapshot: the guides' versions are the ones the catalog recorded (transcripts quote them)
            self.content.versions = {
                g.path: e.content_version.version() for g in self.content.guides if (e := self.catalog.guides.get(g.id)) and e.content_version
            }
            self._triage: Triage | None = None if TRIAGE in trusted else self._load_triage()
        except Exception as exc:  # any failure of a verified file is a defect to report, not to serve
            self.close()
            raise IndexUnavailable(f"generation {path.name}: cannot load its guides or triage data: {exc}") from exc

    def _load_triage(self) -> Triage:
        return Triage.from_state(json.loads((self.path / TRIAGE).read_text("utf-8")))

    @property
    def triage(self) -> Triage:
        if self._triage is None:
            self._triage = self._load_triage()
        return self._triage

    @property
    def content_version(self) -> str:
        return str(self.manifest.get("content_version", ""))

    @property
    def counts(self) -> dict[str, int]:
        return {"guides": len(self.by_type["guide"]), "articles": len(self.by_type["article"]), "total": len(self.ids)}

    def close(self) -> None:
        with self.lock:
            try:
                self.store.close()
            finally:
                self._close_segments()
                if self.pin is not None:
                    self.pin.release()

    def _close_segments(self) -> None:
        for segment in self.segments:
            segment.close()

    def resolve_category(self, name: str) -> str | None:
        """A category id from an id or a ticket-tool tag (case-insensitive)."""
        return resolve_category(name, self.catalog.categories, self.catalog.zendesk_tags)

    def category_suggestions(self, name: str) -> list[str]:
        return suggest_categories(name, self.catalog.categories, self.catalog.zendesk_tags)

    def id_suggestions(self, doc_type: str, name: str) -> list[str]:
        """Close ids for a 404's "did you mean" (bounded work per look-up, see SimilarNames)."""
        key = "guides" if doc_type == "guide" else "articles"
        names = self._similar_names.get(key)
        if names is None:  # built once, outside the lock searches take (about 1 s for 8,000 ids)
            names = self._similar_names.setdefault(key, SimilarNames(self.catalog.guides if key == "guides" else self.catalog.articles))
        return names.similar(name)

    def compile(self, text: str, max_chars: int = MAX_QUERY_CHARS) -> Compiled:
        """Parse and compile user text (raises :class:`QueryError`)."""
        node = parse_query(text, max_chars)
        with self.lock:
            return compile_query(node, self.postings, self.speller, self.synonyms)

    def search(
        self,
        text: str,
        *,
        category: str | None = None,
        doc_type: str | None = None,
        limit: int = 10,
        within: Iterable[int] | None = None,
        snippets: bool = True,
        max_chars: int = MAX_QUERY_CHARS,
    ) -> SearchResult:
        """Ranked hits with plain-text snippets, category facets and a spelling suggestion."""
        limit = max(1, min(limit, MAX_LIMIT))
        compiled = self.compile(text, max_chars)
        allowed = self._allowed(category, doc_type, within)
        with self.lock:
            top, matched = self._run(compiled.query, limit, allowed)
            relaxed = False
            if not top and compiled.relaxed_query is not None:
                top, matched = self._run(compiled.relaxed_query, limit, allowed)
                relaxed = bool(top)
            facets = Counter(self.categories[n] for n in matched if self.categories[n])
            highlighter = Highlighter(compiled.terms)
            hits = [self._hit(docnum, score, highlighter, snippets) for docnum, score in top]
        suggestion = apply_corrections(text, compiled.corrections) if compiled.corrections else None
        if suggestion is None and not hits:
            suggestion = self._suggest(text, max_chars)
        return SearchResult(
            query=text,
            hits=hits,
            total=len(matched),
            facets=sorted(facets.items(), key=lambda item: (-item[1], item[0]))[:MAX_FACETS],
            suggestion=suggestion,
            corrected=bool(compiled.corrections),
            relaxed=relaxed,
            terms=compiled.terms,
        )

    def _allowed(self, category: str | None, doc_type: str | None, within: Iterable[int] | None) -> frozenset[int] | None:
        sets: list[frozenset[int]] = []
        if category is not None:
            sets.append(self.in_category.get(category, frozenset()))
        if doc_type is not None:
            sets.append(self.by_type.get(doc_type, frozenset()))
        if within is not None:
            sets.append(frozenset(within))
        if not sets:
            return None
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]

    def _run(self, query: wq.Query, limit: int, allowed: frozenset[int] | None) -> tuple[list[tuple[int, float]], Any]:
        if query is wq.NullQuery or (allowed is not None and not allowed):
            return [], set()
        scores = self.postings.evaluate(query, self._filters)
        if allowed is not None:
            scores = {d: s for d, s in scores.items() if d in allowed} if len(scores) < len(allowed) * 4 else {d: scores[d] for d in allowed if d in scores}
        # ties broken by the full build's order, so equal scores rank alike in every generation
        rank = self.rank
        top = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], rank[item[0]]))
        return top, scores.keys()

    def _hit(self, docnum: int, score: float, highlighter: Highlighter, snippets: bool) -> Hit:
        title = self.titles[docnum]
        snippet = highlighter.snippet(self.store.text(docnum, SCAN_BYTES)) if snippets else Snippet("", [])
        return Hit(docnum, self.ids[docnum], self.types[docnum], title, self.categories[docnum], self.urls[docnum], score, snippet, highlighter.find(title))

    def _suggest(self, text: str, max_chars: int) -> str | None:
        """For a query that found nothing: the same words with every unknown one corrected."""
        try:
            node = parse_query(text, max_chars)
        except QueryError:
            return None
        corrections = []
        probes = 0
        for pos, word in _words(node):
            lowered = word.lower()
            if lowered.isalpha() and not self.speller.known(lowered):
                fixed = self.speller.correct(lowered) if probes < MAX_CORRECTED_WORDS else None
                probes += 1
                if fixed:
                    corrections.append((pos, word, fixed))
        return apply_corrections(text, corrections) if corrections else None

    def text_of(self, docnum: int) -> str:
        return self.store.text(docnum)

    def markdown_of(self, docnum: int) -> str:
        return self.store.markdown(docnum)


def _words(node: Any) -> list[tuple[int, str]]:
    """(position, word) of every positive word, phrase words included."""
    from .engine.query import And, Or, Phrase, Word

    if isinstance(node, (And, Or)):
        return [w for item in node.items for w in _words(item)]
    if isinstance(node, Word):
        return [(node.pos, node.text)]
    if isinstance(node, Phrase):
        return [(node.pos + 1 + m.start(), m.group(0)) for m in _WORD.finditer(node.text)]
    return []
