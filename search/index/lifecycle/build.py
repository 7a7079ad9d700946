"""Index generations: build a new directory, validate it, then switch a pointer atomically.

Layout of an index directory::

    CURRENT          "gen-000007" — the generation being served (replaced with os.replace)
    gen-000006/      the previous generation, kept for servers that have not reloaded yet
    gen-000007/      manifest.json catalog.json catalog/ (article entries in parts) docs.json words.json vocabulary.json synonyms.json
                     triage.json content/ segments/<name>/ (:mod:`..engine.segments`)
    .lock            held (flock) by the one build running at a time
    .pins/           one file per (process, generation) open for serving; clean() keeps those

manifest.json holds the size and SHA-256 of every other file; opening a generation verifies
them, and a server falls back to the newest intact older generation when the current one is
damaged (:func:`open_served`).

A build writes into ``tmp-gen-000008-<pid>/``, validates it (document counts, smoke queries),
renames it to ``gen-000008`` and only then replaces ``CURRENT``. An interrupted or failed build
never touches what is served, and its leftovers are removed by the next build. Generation
numbers only grow.

Incremental builds (decision record 0034): the segments of the served generation are hard-linked
into the new one (segment files are never changed once written); documents whose content key is
gone or changed are marked deleted in the new ``docs.json``, and only new or changed documents
are indexed, by Whoosh, into one new segment. Too many deleted documents or segments, or a
previous generation of another format, make a full build, which splits the documents over the
cores: one Whoosh writer per worker process and segment (decision record 0033).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...content import triage as triage_mod
from ...content.progress import Progress, no_progress
from ...content.publishing import published
from ...content.repository import Checked, Repository
from ...content.triage import Triage
from ..answers import catalog as catalog_mod
from ..answers.models import ARTICLE_ENTRIES
from ..engine.query import QueryError
from ..engine.segments import META, SEGMENTS_DIR, SegmentMeta, SegmentMismatch, SourceDoc, doc_words, write_segment
from ..engine.spelling import MAX_WORDS
from ..generation import (
    CATALOG,
    CATALOG_PARTS,
    CONTENT_DIR,
    DOCS,
    MANIFEST,
    SYNONYMS,
    TRIAGE,
    VOCABULARY,
    Generation,
    IndexUnavailable,
    file_digest,
    generation_files,
    generation_number,
    verify_files,
)
from .pins import pin, pinned
from .store import STORE_FILE, TextStore

CURRENT = "CURRENT"
LOCK = ".lock"
TMP_PREFIX = "tmp-"
INDEX_SCHEMA = 5  # 2: guide documents include the steps' help: text; 3: segments, each a Whoosh index (decision record 0033); 4: not compound (0041); 5: catalog article entries in parts (0048)
SMOKE_QUERIES = 3
WORDS = "words.json"  # surface word -> live documents holding it, before the vocabulary's cut
SEGMENT_DOCS = 2_000  # documents per segment of a full build, at most (progress steps, worker memory)
PARALLEL_MIN_DOCS = 400  # fewer documents than this are analysed in this process: a worker costs more
MAX_SEGMENTS = 16  # an incremental build with more than this many segments makes a full build instead
MAX_DELETED_SHARE = 0.25  # ... and so does one where more than this share of stored documents is deleted


class BuildError(RuntimeError):
    """A generation could not be built or failed validation; what is served is unchanged."""


@dataclass(frozen=True)
class BuildResult:
    generation: int
    name: str
    path: Path
    guides: int
    articles: int
    content_version: str
    seconds: float
    previous: str | None


def gen_name(number: int) -> str:
    return f"gen-{number:06d}"


def _pointer(index_dir: Path) -> str | None:
    """Name CURRENT holds; None when there is no CURRENT; IndexUnavailable when it is damaged."""
    try:
        raw = (Path(index_dir) / CURRENT).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise IndexUnavailable(f"{CURRENT} is unreadable: {exc.strerror or exc}") from None
    try:
        name = raw.decode("utf-8").strip()
        generation_number(name)
    except ValueError:
        raise IndexUnavailable(f"{CURRENT} is damaged (holds {raw[:40]!r}, not a generation name)") from None
    return name


def read_current(index_dir: Path) -> str | None:
    """Name of the served generation, or None when there is none or CURRENT is damaged (a build replaces it)."""
    try:
        return _pointer(index_dir)
    except IndexUnavailable:
        return None


def current_path(index_dir: Path) -> Path:
    """Directory of the served generation (raises :class:`IndexUnavailable`)."""
    name = _pointer(index_dir)
    if name is None:
        raise IndexUnavailable(f'no index in "{index_dir}"; build one with: kb index')
    path = Path(index_dir) / name
    if not path.is_dir():
        raise IndexUnavailable(f'"{index_dir}/{CURRENT}" names {name}, which does not exist; rebuild with: kb index')
    return path


def open_generation(index_dir: Path, name: str, url_prefix: str = "/") -> Generation:
    """Pin and open one generation (raises :class:`IndexUnavailable` when it is missing or damaged)."""
    held = pin(Path(index_dir), name)  # before opening, so a clean-up from now on keeps it
    try:
        path = Path(index_dir) / name
        if not path.is_dir():
            raise IndexUnavailable(f"generation {name} does not exist")
        return Generation(path, url_prefix, pin=held)
    except BaseException:
        if held is not None:
            held.release()
        raise


def open_current(index_dir: Path, url_prefix: str = "/") -> Generation:
    """Open the generation CURRENT names, or raise :class:`IndexUnavailable`."""
    return open_generation(index_dir, current_path(index_dir).name, url_prefix)


@dataclass
class Served:
    generation: Generation
    problem: str | None  # why this is not (or may not be) the generation CURRENT names; None when it is


def open_served(index_dir: Path, url_prefix: str = "/") -> Served:
    """Open what a server should answer with: the current generation, or when CURRENT or that
    generation is damaged, the newest intact older one (with the reason). Raises
    :class:`IndexUnavailable` when nothing can be served."""
    index_dir = Path(index_dir)
    problems: list[str] = []
    numbers = list_generations(index_dir)
    try:
        name = _pointer(index_dir)
    except IndexUnavailable as exc:
        name = None
        problems.append(str(exc))
    if name is None and not problems:
        raise IndexUnavailable(f'no index in "{index_dir}"; build one with: kb index')
    target = generation_number(name) if name else None
    candidates = ([name] if name else []) + [gen_name(n) for n in reversed(numbers) if target is None or n < target]
    for candidate in candidates:
        try:
            generation = open_generation(index_dir, candidate, url_prefix)
        except IndexUnavailable as exc:
            problems.append(str(exc))
            continue
        return Served(generation, "; ".join(problems) or None)
    raise IndexUnavailable("; ".join([*problems, "no intact generation is left; rebuild with: kb index"]))


def list_generations(index_dir: Path) -> list[int]:
    numbers = []
    for entry in Path(index_dir).iterdir() if Path(index_dir).is_dir() else []:
        try:
            numbers.append(generation_number(entry.name))
        except ValueError:
            continue
    return sorted(numbers)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory (others wait)."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(index_dir) / LOCK, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def clean_leftovers(index_dir: Path) -> list[str]:
    """At service start: remove what interrupted builds left behind, unless a build is running now."""
    index_dir = Path(index_dir)
    try:
        handle = open(index_dir / LOCK, "a+")  # noqa: SIM115  (closed by the with block below)
    except OSError:
        return []  # missing or read-only (an index shipped as an artifact): nothing to clean
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []  # a build holds the lock; it cleans up itself
        try:
            return clean(index_dir)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def clean(index_dir: Path) -> list[str]:
    """Remove tmp leftovers, stray pointer temp files and generations other than current + previous.

    Call with the build lock held. Returns the names removed.
    """
    index_dir = Path(index_dir)
    removed: list[str] = []
    current = read_current(index_dir)
    current_number = generation_number(current) if current else None
    numbers = list_generations(index_dir)
    if current_number is None:
        keep = set(numbers[-1:])  # no pointer: keep the newest so numbering still only grows
    else:
        older = [n for n in numbers if n < current_number]
        keep = {current_number, *older[-1:]}
    keep |= {generation_number(name) for name in pinned(index_dir) if _is_generation_name(name)}
    for entry in sorted(index_dir.iterdir()):
        name = entry.name
        if name.startswith(TMP_PREFIX) or name.startswith(CURRENT + ".tmp"):
            _remove(entry)
            removed.append(name)
            continue
        try:
            number = generation_number(name)
        except ValueError:
            continue
        if number not in keep:
            _remove(entry)
            removed.append(name)
    return removed


def _is_generation_name(name: str) -> bool:
    try:
        generation_number(name)
    except ValueError:
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, data: Any) -> None:
    _write_bytes(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def switch_current(index_dir: Path, name: str, before: Callable[[], None] | None = None) -> None:
    """Point CURRENT at ``name`` atomically (write a temp file, fsync, os.replace).

    ``before`` runs once the new pointer is written and just before it replaces the old one
    (``kb build`` swaps the site in there); if it raises, CURRENT is unchanged.
    """
    index_dir = Path(index_dir)
    tmp = index_dir / f"{CURRENT}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(name + "\n")
            out.flush()
            os.fsync(out.fileno())
        if before is not None:
            before()
        os.replace(tmp, index_dir / CURRENT)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(index_dir)


@dataclass
class _Plan:
    """Which stored documents a new generation keeps from the previous one and which it analyses."""

    kept: list[tuple[str, list[int]]] = field(default_factory=list)  # (segment name, deleted local numbers)
    order: list[int] = field(default_factory=list)  # live kept documents in segment order, as indexes into docs
    fresh: list[int] = field(default_factory=list)  # documents to analyse, as indexes into docs
    gone: list[tuple[str, int]] = field(default_factory=list)  # (segment name, local number) deleted by this build
    words: Counter[str] = field(default_factory=Counter)  # the previous generation's words.json
    manifest: dict[str, Any] = field(default_factory=dict)  # the previous generation's manifest.json


def _plan(docs: list[SourceDoc], previous: Path | None) -> _Plan:
    """Match documents to the previous generation's by content key (a full build when there is
    no usable previous generation or it is too fragmented)."""
    plan = _Plan()
    full = _Plan(fresh=list(range(len(docs))))
    if previous is None:
        return full
    try:
        manifest = json.loads((previous / MANIFEST).read_bytes())
        if manifest.get("index_schema") != INDEX_SCHEMA:
            return full
        entries = json.loads((previous / DOCS).read_bytes())["segments"]
        plan.manifest = manifest
        plan.words = Counter(json.loads((previous / WORDS).read_bytes()))
        metas = [json.loads((previous / SEGMENTS_DIR / e["name"] / META).read_bytes()) for e in entries]
    except (OSError, ValueError, KeyError, TypeError):
        return full  # unreadable: a full build does not need it
    wanted: dict[str, int] = {}
    for i, doc in enumerate(docs):
        wanted.setdefault(doc.key, i)
    claimed: set[int] = set()
    stored = dead = 0
    for entry, meta in zip(entries, metas, strict=True):
        already = set(entry["deleted"])
        deleted: list[int] = []
        for local, key in enumerate(meta["keys"]):
            match = wanted.get(key)
            if local in already or match is None or match in claimed:
                deleted.append(local)
                if local not in already:
                    plan.gone.append((entry["name"], local))
            else:
                claimed.add(match)
                plan.order.append(match)
        stored += len(meta["keys"])
        dead += len(deleted)
        if len(deleted) < len(meta["keys"]):
            plan.kept.append((entry["name"], deleted))
    plan.fresh = [i for i in range(len(docs)) if i not in claimed]
    if len(plan.kept) + 1 > MAX_SEGMENTS or dead > MAX_DELETED_SHARE * (stored + len(plan.fresh)):
        return full
    if not _intact(previous, [name for name, _ in plan.kept], manifest["files"]):
        return full  # a damaged segment is not carried into a new generation: everything is analysed again
    return plan


def _intact(previous: Path, segments: list[str], files: dict[str, list[Any]]) -> bool:
    """Whether the named segments' files match the previous manifest (sizes and SHA-256)."""
    prefixes = tuple(f"{SEGMENTS_DIR}/{name}/" for name in segments)
    try:
        verify_files(previous, {rel: entry for rel, entry in files.items() if rel.startswith(prefixes)})
    except (OSError, ValueError):
        return False
    return True


def write_generation(
    repo: Repository, target: Path, progress: Progress = no_progress, previous: Path | None = None, procs: int | None = None
) -> dict[str, Any]:
    """Write every file of a generation into ``target`` (an empty new directory). Returns the manifest.

    Only what ``repo.policy`` publishes goes in (``content.publishing``): no draft, and no internal
    content in a public generation, in the search index, the catalog, triage or the guide files.
    ``previous``: the served generation, whose unchanged documents are reused; ``procs``: worker
    processes for the analysis (default: one per core, none for a few documents).
    """
    started = time.monotonic()
    repo = published(repo, repo.policy)
    docs = catalog_mod.searchable_documents(repo)
    plan = _plan(docs, previous)
    (target / CATALOG_PARTS).mkdir()
    known_parts: dict[str, str] = plan.manifest.get("catalog_parts", {})
    linked: set[str] = set()

    def kept(part: str, key: str) -> bool:
        rel = f"{CATALOG_PARTS}/{part}.json"
        if _reuse_file(previous, target, rel, plan.manifest, known_parts.get(part) == key):
            linked.add(rel)
            return True
        return False

    segments_dir = target / SEGMENTS_DIR
    segments_dir.mkdir()
    if plan.kept and previous is not None:
        for name, _ in plan.kept:
            _link_tree(previous / SEGMENTS_DIR / name, segments_dir / name)
    triage_key = _triage_key(repo)
    # the segments are written in worker processes while this one writes what does not need them
    with _SegmentWriting(segments_dir, f"s{secrets.token_hex(4)}", [docs[i] for i in plan.fresh], progress, procs) as writing:
        built = catalog_mod.build_catalog(repo, kept)
        catalog = built.catalog
        for part, entries in built.parts.items():
            _write_bytes(target / CATALOG_PARTS / f"{part}.json", ARTICLE_ENTRIES.dump_json(entries))
        _write_bytes(target / CATALOG, catalog.model_dump_json().encode())
        _write_json(target / SYNONYMS, [list(g) for g in repo.synonyms.groups] if repo.synonyms else [])
        if _reuse_file(previous, target, TRIAGE, plan.manifest, plan.manifest.get("triage_key") == triage_key):
            linked.add(TRIAGE)
        else:
            _write_json(target / TRIAGE, Triage(repo).to_state())
        _snapshot_guides(repo, target / CONTENT_DIR)
        fresh = writing.finish()
    words = plan.words
    if plan.kept and previous is not None:
        words -= _words_of(previous, plan.gone)
    else:
        words = Counter()
    for name in fresh:
        words.update(_read_meta(segments_dir / name)["words"])
    segments = [{"name": name, "deleted": deleted} for name, deleted in plan.kept] + [{"name": name, "deleted": []} for name in fresh]
    _write_json(target / DOCS, {"segments": segments, "rank": plan.order + plan.fresh})
    _write_json(target / WORDS, dict(words))
    min_df = 2 if len(docs) >= 200 else 1
    common = sorted(((w, n) for w, n in words.items() if n >= min_df), key=lambda item: (-item[1], item[0]))
    _write_json(target / VOCABULARY, dict(common[:MAX_WORDS]))
    counts = {"guides": sum(d.type == "guide" for d in docs), "articles": sum(d.type == "article" for d in docs)}
    manifest = {
        "index_schema": INDEX_SCHEMA,
        "content_version": repo.content_version,
        "audience": repo.policy.audience.value,
        "preview": repo.policy.preview,
        "documents": len(docs),
        **counts,
        "categories": len(catalog.categories),
        "reused": len(plan.order),
        "analysed": len(plan.fresh),
        "segments": len(segments),
        "triage_key": triage_key,
        "catalog_parts": built.keys,
        # taken from the previous generation after checking them against its manifest: validated
        # when they were written, so validation does not open them again (decision record 0048)
        "linked": sorted(linked) + [name for name, _ in plan.kept],
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.monotonic() - started, 3),
        "files": _file_digests(target, plan.manifest.get("files", {}), linked),
    }
    _write_json(target / MANIFEST, manifest)
    return manifest


class _SegmentWriting:
    """Index documents into segments named ``<prefix>-<n>``: in parallel worker processes when
    there are enough documents, each worker running one Whoosh writer per segment (decision record
    0033). The workers start with the ``with`` block, so this process writes the generation's other
    files meanwhile (decision record 0050); :meth:`finish` waits for them (or, with one worker,
    writes the segments here) and returns the names. Leaving the block without it cancels."""

    def __init__(self, folder: Path, prefix: str, docs: list[SourceDoc], progress: Progress, procs: int | None) -> None:
        workers = procs if procs is not None else (os.cpu_count() or 1) if len(docs) >= PARALLEL_MIN_DOCS else 1
        workers = max(1, min(workers, len(docs)))
        count = workers * -(-len(docs) // (workers * SEGMENT_DOCS))  # a multiple of the workers, each at most SEGMENT_DOCS
        size = -(-len(docs) // count) if docs else 1
        self.chunks = [docs[i : i + size] for i in range(0, len(docs), size)]
        self.names = [f"{prefix}-{n}" for n in range(len(self.chunks))]
        self.paths = [folder / name for name in self.names]
        self.total = len(docs)
        self.progress = progress
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[int]] = []
        if docs:
            progress("indexing", 0, len(docs))
        if workers > 1:
            # fork: workers start at once with the modules loaded; the build runs in a CLI process
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
            self.futures = [self.pool.submit(_write_segment_in_worker, path, chunk) for path, chunk in zip(self.paths, self.chunks, strict=True)]

    def __enter__(self) -> _SegmentWriting:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def finish(self) -> list[str]:
        done = 0
        try:
            for n, (path, chunk) in enumerate(zip(self.paths, self.chunks, strict=True)):
                done += self.futures[n].result() if self.pool is not None else write_segment(path, chunk)
                self.progress("indexing", done, self.total)
        except SegmentMismatch as exc:
            raise BuildError(str(exc)) from exc
        return self.names


def _write_segment_in_worker(path: Path, docs: list[SourceDoc]) -> int:
    """:func:`write_segment` in a worker process, with the cyclic garbage collector paused: a
    segment's postings (millions of objects) live until its commit, and each collection walked
    them all (~7% of a segment's CPU) to find nothing; the worker does nothing else meanwhile."""
    gc.disable()
    try:
        return write_segment(path, docs)
    finally:
        gc.enable()


def _triage_key(repo: Repository) -> str:
    """Digest of what :class:`Triage` is built from: its code, the configuration files (taxonomy,
    synonyms) and every document's front matter. Equal keys give equal triage state, so an edit
    to bodies only (the usual one) reuses the previous generation's file (decision record 0041)."""
    digest = hashlib.blake2b(Path(triage_mod.__file__).read_bytes(), digest_size=16)
    for name in sorted(repo.config_docs):
        digest.update(f"\0{name}\0{repo.config_docs[name].data!r}".encode())
    for doc in repo.documents:
        digest.update(f"\0{doc.path}\0{doc.meta.model_dump_json()}".encode())
    return digest.hexdigest()


def _reuse_file(previous: Path | None, target: Path, rel: str, manifest: dict[str, Any], same: bool) -> bool:
    """Hard-link ``previous``'s file ``rel`` into ``target`` when it was built from the same
    inputs (``same``: the keys in the manifests agree) and is intact (its ``manifest`` checksum);
    the caller writes it otherwise."""
    if previous is None or not same or rel not in manifest.get("files", {}):
        return False
    try:
        verify_files(previous, {rel: manifest["files"][rel]})
        os.link(previous / rel, target / rel)
    except (OSError, ValueError):
        (target / rel).unlink(missing_ok=True)
        return False
    return True


def _read_meta(path: Path) -> SegmentMeta:
    meta: SegmentMeta = json.loads((path / META).read_bytes())
    return meta


def _words_of(previous: Path, gone: list[tuple[str, int]]) -> Counter[str]:
    """The vocabulary words of documents an incremental build deletes (read from their old segments)."""
    words: Counter[str] = Counter()
    by_segment: dict[str, list[int]] = {}
    for name, local in gone:
        by_segment.setdefault(name, []).append(local)
    for name, locals_ in by_segment.items():
        path = previous / SEGMENTS_DIR / name
        meta = _read_meta(path)
        store = TextStore([path / STORE_FILE], [0] * len(meta["offsets"]), meta["offsets"])
        try:
            for local in locals_:
                words.update(doc_words(meta["titles"][local], meta["tags"][local], store.text(local)))
        finally:
            store.close()
    return words


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link a segment's files, its Whoosh index's included (never modified once written);
    copy where links are refused."""
    target.mkdir()
    for entry in source.iterdir():
        if entry.is_dir():
            _link_tree(entry, target / entry.name)
            continue
        try:
            os.link(entry, target / entry.name)
        except OSError:
            shutil.copy2(entry, target / entry.name)


def _file_digests(target: Path, known: dict[str, list[Any]], linked: set[str]) -> dict[str, list[Any]]:
    """Size and SHA-256 of every file; a file linked from the previous generation (segments,
    ``linked``) keeps its digest from the previous manifest (``known``)."""
    files: dict[str, list[Any]] = {}
    for path in generation_files(target):
        rel = path.relative_to(target).as_posix()
        size = path.stat().st_size
        reuse = known.get(rel) if rel.startswith(SEGMENTS_DIR + "/") or rel in linked else None
        files[rel] = [size, reuse[1]] if reuse is not None and reuse[0] == size else [size, file_digest(path)]
    return files


def _snapshot_guides(repo: Repository, target: Path) -> None:
    """Copy the guide files and config files the generation was built from (walks load them)."""
    files = [*repo.config_docs, *(p for g in repo.guides for p in (g.path, g.tree_path))]
    for rel in files:
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(repo.root) / rel, destination)


def validate_generation(path: Path, name: str, expected: dict[str, Any]) -> None:
    """Open a freshly written generation and prove it answers; raise :class:`BuildError` if not.
    What ``expected["linked"]`` names (segments and files of the previous generation, checked
    against its checksums) was validated when it was written and is not opened again here."""
    linked = frozenset(expected.get("linked", ()))
    try:
        gen = Generation(path, name=name, digests=False, trusted=linked)  # just written or linked: sizes are checked, not every byte again
    except IndexUnavailable as exc:
        raise BuildError(str(exc)) from exc
    try:
        if gen.counts["total"] != expected["documents"] or gen.counts["guides"] != expected["guides"]:
            raise BuildError(f"generation {path.name} holds {gen.counts}, expected {expected['documents']} documents")
        if sorted(gen.rank) != list(range(len(gen.ids))):
            raise BuildError(f"generation {path.name}: docs.json does not rank every document once")
        for segment in gen.segments:
            if segment.name not in linked and segment.stored_ids() != segment.meta["ids"]:
                raise BuildError(f"generation {path.name}: Whoosh document order of segment {segment.name} differs from its meta.json")
        if set(gen.catalog.categories) != set(expected.get("category_ids", gen.catalog.categories)):
            raise BuildError(f"generation {path.name}: catalog categories differ from the taxonomy")
        total = len(gen.ids)
        picks = sorted({0, total // 2, total - 1})[:SMOKE_QUERIES] if total else []
        for docnum in picks:
            title = gen.titles[docnum]
            try:
                result = gen.search(title.replace('"', " ")[:200], limit=50, snippets=False)
            except QueryError:
                continue  # a title of operators or stop words only: nothing to prove with it
            if not any(h.title == title for h in result.hits):
                raise BuildError(f'generation {path.name}: smoke query "{title}" does not find its own document')
    finally:
        gen.close()


def build_generation(
    content: Checked,
    index_dir: Path | str,
    *,
    progress: Progress = no_progress,
    before_switch: Callable[[], None] | None = None,
    incremental: bool = True,
    procs: int | None = None,
) -> BuildResult:
    """Build, validate and switch to a new generation of checked ``content`` in ``index_dir``
    (``progress``: documents indexed).

    ``before_switch`` runs after the new generation is written and
    validated, just before CURRENT points at it (see :func:`switch_current`). Any failure raises
    (a full disk or other write error as :class:`BuildError` naming the path) and leaves
    ``CURRENT`` as it was. ``incremental``: reuse the served generation's unchanged documents
    (off: analyse everything); ``procs``: worker processes (see :func:`write_generation`).
    """
    repo = content.repo
    index_dir = Path(index_dir)
    started = time.monotonic()
    try:
        with build_lock(index_dir):
            previous = read_current(index_dir)
            seen = list_generations(index_dir) + ([generation_number(previous)] if previous else [])
            number = max(seen, default=0) + 1
            clean(index_dir)
            name = gen_name(number)
            tmp = index_dir / f"{TMP_PREFIX}{name}-{os.getpid()}"
            final = index_dir / name
            tmp.mkdir()
            try:
                reuse = index_dir / previous if incremental and previous and (index_dir / previous).is_dir() else None
                manifest = write_generation(repo, tmp, progress, reuse, procs)
                expected = {**manifest, "category_ids": [c.id for c in repo.taxonomy.categories] if repo.taxonomy else []}
                validate_generation(tmp, name, expected)
                os.rename(tmp, final)
                _fsync_dir(index_dir)
                switch_current(index_dir, name, before_switch)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                if read_current(index_dir) != name:
                    shutil.rmtree(final, ignore_errors=True)
                raise
            clean(index_dir)
    except OSError as exc:
        raise BuildError(f"cannot write the index: {exc.filename or index_dir}: {exc.strerror or exc}") from exc
    return BuildResult(
        number, name, final, manifest["guides"], manifest["articles"], manifest["content_version"], round(time.monotonic() - started, 3), previous
    )
