"""Index generations: build a new directory, validate it, then switch a pointer atomically.

Layout of an index directory::

    CURRENT          "gen-000007" — the generation being served (replaced with os.replace)
    gen-000006/      the previous generation, kept for servers that have not reloaded yet
    gen-000007/      manifest.json catalog.json docs.json vocabulary.json synonyms.json text.bin whoosh/
    .lock            held (flock) by the one build running at a time
    .pins/           one file per (process, generation) open for serving; clean() keeps those

manifest.json holds the size and SHA-256 of every other file; opening a generation verifies
them, and a server falls back to the newest intact older generation when the current one is
damaged (:func:`open_served`).

A build writes into ``tmp-gen-000008-<pid>/``, validates it (document counts, smoke queries),
renames it to ``gen-000008`` and only then replaces ``CURRENT``. Whoosh's multi-file index is
not crash safe; this way an interrupted or failed build never touches what is served, and its
leftovers are removed by the next build. Generation numbers only grow.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from ...content.progress import Progress, no_progress
from ...content.publishing import published
from ...content.repository import Checked, Repository
from ...content.triage import Triage
from ..answers import catalog as catalog_mod
from ..engine.postings import export_postings
from ..engine.query import QueryError
from ..engine.schema import build_schema
from ..engine.spelling import build_vocabulary
from ..generation import (
    CATALOG,
    CONTENT_DIR,
    DOCS,
    MANIFEST,
    SYNONYMS,
    TRIAGE,
    VOCABULARY,
    WHOOSH_DIR,
    Generation,
    IndexUnavailable,
    file_digest,
    generation_files,
    generation_number,
)
from .pins import pin, pinned
from .store import STORE_FILE, write_store

CURRENT = "CURRENT"
LOCK = ".lock"
TMP_PREFIX = "tmp-"
INDEX_SCHEMA = 2  # 2: guide documents include the steps' help: text
MAX_INDEXED_CHARS = 200_000  # body text beyond this is stored for display but not indexed
SMOKE_QUERIES = 3


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


def write_generation(repo: Repository, target: Path, progress: Progress = no_progress) -> dict[str, Any]:
    """Write every file of a generation into ``target`` (an empty new directory). Returns the manifest.
    Only what ``repo.policy`` publishes goes in (``content.publishing``): no draft, and no internal
    content in a public generation, in the search index, the catalog, triage or the guide files."""
    started = time.monotonic()
    repo = published(repo, repo.policy)
    docs = catalog_mod.searchable_documents(repo)
    catalog = catalog_mod.build_catalog(repo)
    offsets = write_store(target / STORE_FILE, ((d.text, d.markdown) for d in docs))
    _write_json(
        target / DOCS,
        {
            "ids": [d.id for d in docs],
            "types": [d.type for d in docs],
            "titles": [d.title for d in docs],
            "categories": [d.category for d in docs],
            "urls": [d.url for d in docs],
            "offsets": offsets,
        },
    )
    _write_bytes(target / CATALOG, catalog.model_dump_json().encode())
    min_df = 2 if len(docs) >= 200 else 1
    _write_json(target / VOCABULARY, build_vocabulary((f"{d.title} {' '.join(d.tags)} {d.text[:MAX_INDEXED_CHARS]}" for d in docs), min_df))
    _write_json(target / SYNONYMS, [list(g) for g in repo.synonyms.groups] if repo.synonyms else [])
    _write_json(target / TRIAGE, Triage(repo).to_state())
    _snapshot_guides(repo, target / CONTENT_DIR)
    _write_whoosh(target / WHOOSH_DIR, docs, progress)
    counts = {"guides": sum(d.type == "guide" for d in docs), "articles": sum(d.type == "article" for d in docs)}
    manifest = {
        "index_schema": INDEX_SCHEMA,
        "content_version": repo.content_version,
        "audience": repo.policy.audience.value,
        "preview": repo.policy.preview,
        "documents": len(docs),
        **counts,
        "categories": len(catalog.categories),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.monotonic() - started, 3),
        "files": {p.relative_to(target).as_posix(): [p.stat().st_size, file_digest(p)] for p in generation_files(target)},
    }
    _write_json(target / MANIFEST, manifest)
    return manifest


def _snapshot_guides(repo: Repository, target: Path) -> None:
    """Copy the guide files and config files the generation was built from (walks load them)."""
    files = [*repo.config_docs, *(p for g in repo.guides for p in (g.path, g.tree_path))]
    for rel in files:
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(repo.root) / rel, destination)


def _write_whoosh(path: Path, docs: list[catalog_mod.IndexedDoc], progress: Progress) -> None:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    # One writer, one segment: Whoosh document numbers equal our order in docs.json.
    writer = ix.writer(limitmb=256)
    try:
        for done, doc in enumerate(docs):
            if done % 64 == 0:
                progress("indexing", done, len(docs))
            cat_path = " ".join([doc.category, *_ancestors(doc.category)]) if doc.category else ""
            writer.add_document(
                id=doc.id,
                type=doc.type,
                category=doc.category or "",
                cat_path=cat_path,
                title=doc.title,
                tags=" ".join(doc.tags),
                body=doc.text[:MAX_INDEXED_CHARS],
            )
    except BaseException:
        writer.cancel()
        raise
    progress("indexing", len(docs), len(docs))
    writer.commit(optimize=True)
    with ix.reader() as reader:
        export_postings(reader, path.parent)
    ix.close()
    for file in path.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())


def _ancestors(category: str) -> list[str]:
    parts = category.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def validate_generation(path: Path, name: str, expected: dict[str, Any]) -> None:
    """Open a freshly written generation and prove it answers; raise :class:`BuildError` if not."""
    try:
        gen = Generation(path, name=name)
    except IndexUnavailable as exc:
        raise BuildError(str(exc)) from exc
    try:
        if gen.counts["total"] != expected["documents"] or gen.counts["guides"] != expected["guides"]:
            raise BuildError(f"generation {path.name} holds {gen.counts}, expected {expected['documents']} documents")
        stored = [fields.get("id") for fields in gen.searcher.all_stored_fields()]
        if stored != gen.ids:
            raise BuildError(f"generation {path.name}: Whoosh document order differs from the catalog")
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
) -> BuildResult:
    """Build, validate and switch to a new generation of checked ``content`` in ``index_dir``
    (``progress``: documents indexed).

    ``before_switch`` runs after the new generation is written and
    validated, just before CURRENT points at it (see :func:`switch_current`). Any failure raises
    (a full disk or other write error as :class:`BuildError` naming the path) and leaves
    ``CURRENT`` as it was.
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
                manifest = write_generation(repo, tmp, progress)
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
