"""Load the whole content repository once into one validated model.

Layout (relative to the repository root):

- ``kb/articles/**.md``   KB articles (front matter + Markdown)
- ``kb/*.md``             other site pages (checked for unsafe HTML and links only)
- ``guides/<id>.md``      a guide: front matter + prose; its tree is ``guides/<id>.yml``
- ``guides/categories.yml``, ``priorities.yml``, ``escalation.yml``, ``synonyms.yml``,
  ``templates.yml``: taxonomy, priority matrix + SLA targets, escalation protocol, search
  synonyms and message templates.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .cache import FileCache, file_digest
from .files import ContentFiles, scan
from .history import ContentVersion, History, content_versions
from .models import (
    ArticleMeta,
    Escalation,
    GuideMeta,
    Priorities,
    Synonyms,
    Taxonomy,
    Templates,
    Tree,
)
from .problems import Problem
from .progress import Progress, no_progress
from .publishing import Policy
from .sources import MAX_MARKDOWN_BYTES, Markdown, Salvaged, parse_yaml, read_text, salvage, split_front_matter, validate
from .yamlload import Document, describe

KB_DIR = "kb"
ARTICLES_DIR = "kb/articles"
GUIDES_DIR = "guides"
CONFIG_FILES: dict[str, type[BaseModel]] = {
    "categories.yml": Taxonomy,
    "priorities.yml": Priorities,
    "escalation.yml": Escalation,
    "synonyms.yml": Synonyms,
    "templates.yml": Templates,
}
REQUIRED_CONFIG = ("categories.yml", "priorities.yml", "escalation.yml")


@dataclass
class Article:
    """A KB article with where it came from."""

    meta: ArticleMeta
    body: str
    path: str
    doc: Document
    body_line: int
    cut: frozenset[str] = frozenset()  # front-matter fields with a reported schema problem (see sources.salvage)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def files(self) -> tuple[str, ...]:
        """The files its content version covers."""
        return (self.path,)


@dataclass
class Guide:
    """A troubleshooting guide: front matter, prose and its decision tree."""

    meta: GuideMeta
    tree: Tree
    body: str
    path: str
    tree_path: str
    doc: Document
    tree_doc: Document
    body_line: int
    cut: frozenset[str] = frozenset()  # front-matter fields with a reported schema problem (see sources.salvage)
    cut_nodes: frozenset[str] = frozenset()  # tree nodes with a reported schema problem, left out of ``tree``

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def files(self) -> tuple[str, ...]:
        """The files its content version covers: the page and the tree."""
        return (self.path, self.tree_path)

    @property
    def revision(self) -> str:
        """Authored version plus a hash of the tree: a walk recorded against another tree is stale."""
        return f"{self.meta.version}+{self._tree_digest}"

    @cached_property
    def _tree_digest(self) -> str:
        """Hashed once: a loaded tree is not changed (a reload loads new ``Guide`` objects)."""
        return hashlib.sha256(self.tree.model_dump_json().encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Unloaded:
    """A guide or article that exists but failed to load; its own problems are already reported.

    Kept so that one fault gives one problem: links to it are not "unknown guide", and its
    category is not "without a guide".
    """

    kind: str  # "guide" or "article"
    path: str
    ids: frozenset[str]  # the id it declares (if it is text) and its file name's stem
    category: str | None


def _unloaded(kind: str, path: Path, rel: str, md: Markdown | None) -> Unloaded:
    data = md.meta.data if md is not None and isinstance(md.meta.data, dict) else {}
    declared, category = data.get("id"), data.get("category")
    ids = frozenset({path.stem} | ({declared} if isinstance(declared, str) else set()))
    return Unloaded(kind, rel, ids, category if isinstance(category, str) else None)


@dataclass
class Page:
    """A plain site page in ``kb/`` (not an article); ``meta`` is its front matter, if it has one."""

    path: str
    body: str
    body_line: int = 1
    meta: Document | None = None


@dataclass
class Repository:
    """Everything in git, loaded and schema-validated; cross-file rules live in ``search.checks``."""

    root: Path
    guides: list[Guide] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    taxonomy: Taxonomy | None = None
    priorities: Priorities | None = None
    escalation: Escalation | None = None
    synonyms: Synonyms | None = None
    templates: Templates | None = None
    config_docs: dict[str, Document] = field(default_factory=dict)
    orphan_trees: list[str] = field(default_factory=list)
    unloaded: list[Unloaded] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: ContentFiles = field(default_factory=ContentFiles)
    policy: Policy = field(default_factory=Policy)  # what is published; see ``publishing``
    digests: dict[str, str | None] = field(default_factory=dict)  # content digest of each file read, when loaded with a cache
    # Document path -> content version: read from git (or hashed) on first use, or given by whoever
    # knows better (an index generation's snapshot has no git: its catalog says). See version_of.
    versions: dict[str, ContentVersion] | None = None

    @property
    def documents(self) -> list[Guide | Article]:
        """Guides, then articles: everything with front matter, an owner and a review date."""
        return [*self.guides, *self.articles]

    @cached_property
    def guide_by_id(self) -> dict[str, Guide]:
        """Guides by id (the first one wins a duplicate id); built once, after loading."""
        return _first_by_id(self.guides)

    @cached_property
    def article_by_id(self) -> dict[str, Article]:
        """Articles by id (the first one wins a duplicate id); built once, after loading."""
        return _first_by_id(self.articles)

    def load_versions(self, history: History | None = None) -> dict[str, ContentVersion]:
        """Every guide's and article's content version, from one ``git log`` (``history``: one
        already open), kept for :meth:`version_of`."""
        self.versions = content_versions(self.root, [(d.path, d.files) for d in self.documents], history)
        return self.versions

    def version_of(self, doc: Guide | Article) -> ContentVersion:
        """The one source of a document's content version (the commit that last changed its files
        and its date, or a hash of them without git): its page, the API and transcripts quote it."""
        versions = self.versions if self.versions is not None else self.load_versions()
        if doc.path not in versions:  # not known to whoever gave the versions (an older index's catalog)
            versions.update(content_versions(self.root, [(doc.path, doc.files)]))
        return versions[doc.path]

    @cached_property
    def content_version(self) -> str:
        """A short hash of all loaded content, shown by the API and in transcripts; computed once,
        after loading (an index build asks for it more than once)."""
        h = hashlib.sha256()
        for g in sorted(self.guides, key=lambda g: g.path):
            h.update(f"{g.path}\0{g.revision}\0{g.meta.model_dump_json()}\0{g.body}".encode())
        for a in sorted(self.articles, key=lambda a: a.path):
            h.update(f"{a.path}\0{a.meta.model_dump_json()}\0{a.body}".encode())
        for name in sorted(self.config_docs):
            h.update(f"{name}\0{self.config_docs[name].data!r}".encode())
        return h.hexdigest()[:12]


def _first_by_id(items: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found


def load_repository(root: Path | str, policy: Policy | None = None, progress: Progress = no_progress, cache: FileCache | None = None) -> Repository:
    """Load and schema-validate every content file under ``root``; problems are collected, not raised.
    ``policy`` (default: from ``KB_PREVIEW``/``KB_AUDIENCE``) is what the build will publish; the
    checks use it for ``link-to-unpublished``. ``progress`` hears of each KB file loaded. With a
    ``cache``, a KB file whose bytes are unchanged since it was cached is not parsed again."""
    with _collector_paused():
        repo = _load(Path(root), progress, cache)
    repo.policy = policy if policy is not None else Policy.from_env()
    return repo


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading only creates objects that live as long as the repository, yet each thousand of
    them triggers the cyclic collector, which rescans the growing heap and frees nothing: about
    40% of the load time. Reference counting still frees everything short-lived."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Loaded:
    """What one KB file loads as, with its loader problems (a cache entry)."""

    result: Article | Unloaded | Page | None
    problems: tuple[Problem, ...]


def _load(root: Path, progress: Progress, cache: FileCache | None) -> Repository:
    # Only regular files are read: links and special files are reported by the checks, never followed.
    repo = Repository(root=root, files=scan(root))
    regular = repo.files.files
    guides_dir = root / GUIDES_DIR
    for name, model in CONFIG_FILES.items():
        path = guides_dir / name
        rel = f"{GUIDES_DIR}/{name}"
        if rel not in regular:
            if name in REQUIRED_CONFIG and rel not in repo.files.not_files:  # a link is reported by the checks
                repo.problems.append(Problem(rel, 1, 1, "missing-file", f"{rel} is missing; create it (see README: content layout)"))
            continue
        text = read_text(path, rel, repo.problems)
        doc = parse_yaml(text, rel, repo.problems) if text is not None else None
        if doc is None:
            continue
        repo.config_docs[rel] = doc
        setattr(repo, {"categories.yml": "taxonomy"}.get(name, name.removesuffix(".yml")), validate(model, doc, rel, repo.problems))

    claimed: set[str] = set(CONFIG_FILES)
    for md_rel in repo.files.under(GUIDES_DIR, ".md", recursive=False):
        guide = _load_guide(root, root / md_rel, repo.problems, claimed, repo.files)
        if cache is not None and isinstance(guide, Guide):  # guides are few: parsed each time, their digests key the rules' cache
            repo.digests[guide.path], repo.digests[guide.tree_path] = file_digest(root / guide.path), file_digest(root / guide.tree_path)
        (repo.guides if isinstance(guide, Guide) else repo.unloaded).append(guide)  # type: ignore[arg-type]
    for yml_rel in repo.files.under(GUIDES_DIR, ".yml", recursive=False):
        if yml_rel.removeprefix(GUIDES_DIR + "/") not in claimed:
            repo.orphan_trees.append(yml_rel)

    markdown_files = repo.files.under(KB_DIR, ".md")
    for done, rel in enumerate(markdown_files):
        progress("loading", done, len(markdown_files))
        loaded = _load_kb_file(root / rel, rel, cache, repo.digests)
        repo.problems.extend(loaded.problems)
        if isinstance(loaded.result, Page):
            repo.pages.append(loaded.result)
        elif isinstance(loaded.result, Article):
            repo.articles.append(loaded.result)
        elif loaded.result is not None:
            repo.unloaded.append(loaded.result)
    progress("loading", len(markdown_files), len(markdown_files))
    return repo


def _load_kb_file(path: Path, rel: str, cache: FileCache | None, digests: dict[str, str | None]) -> Loaded:
    """An article or page: from the cache when its bytes are those cached, else parsed (and cached)."""
    digest = None
    if cache is not None:
        digest = digests[rel] = file_digest(path)
        hit = cache.get("load", rel, digest, Loaded)
        if hit is not None:
            return hit
    problems: list[Problem] = []
    result = _load_article(path, rel, problems) if rel.startswith(ARTICLES_DIR + "/") else _load_page(path, rel, problems)
    loaded = Loaded(result, tuple(problems))
    if cache is not None:
        cache.put("load", rel, digest, loaded)
    return loaded


def _load_page(path: Path, rel: str, problems: list[Problem]) -> Page | None:
    """A plain page; its front matter (optional) is read by our YAML loader, as an article's is."""
    text = read_text(path, rel, problems, MAX_MARKDOWN_BYTES)
    if text is None:
        return None
    if text.split("\n", 1)[0].strip() != "---":
        return Page(rel, text)
    md = split_front_matter(text, rel, problems)
    return Page(rel, md.body, md.body_line, md.meta) if md is not None else None


def _load_article(path: Path, rel: str, problems: list[Problem]) -> Article | Unloaded:
    text = read_text(path, rel, problems, MAX_MARKDOWN_BYTES)
    md = split_front_matter(text, rel, problems) if text is not None else None
    meta = salvage(ArticleMeta, md.meta, rel, problems, _placeholders(path)) if md else None
    if md is None or meta is None or meta.model is None:
        return _unloaded("article", path, rel, md)
    return Article(meta=meta.model, body=md.body, path=rel, doc=md.meta, body_line=md.body_line, cut=meta.cut)


def _placeholders(path: Path) -> dict[str, object]:
    """Stand-ins for required front-matter fields with a schema problem, so the rest of the file is
    still checked; rules skip a document's ``cut`` fields, so no stand-in is ever reported."""
    return {"id": path.stem, "title": path.stem, "owner": "-", "reviewed": dt.date.min, "version": "-"}


def _load_guide(root: Path, path: Path, problems: list[Problem], claimed: set[str], files: ContentFiles) -> Guide | Unloaded:
    rel = path.relative_to(root).as_posix()
    text = read_text(path, rel, problems, MAX_MARKDOWN_BYTES)
    md = split_front_matter(text, rel, problems) if text is not None else None
    salvaged = salvage(GuideMeta, md.meta, rel, problems, _placeholders(path)) if md else None
    meta = salvaged.model if salvaged else None
    tree_name = meta.tree if meta and meta.tree else path.stem + ".yml"
    claimed.add(tree_name)
    tree_file = path.parent / tree_name
    tree_rel = f"{GUIDES_DIR}/{tree_name}"
    if tree_rel not in files.files:  # also refuses "tree: ../../etc/passwd"
        if tree_rel in files.not_files:
            return _unloaded("guide", path, rel, md)  # a link or special file: reported by the checks (one fault, one problem)
        line, col = md.meta.pos(("tree",)) if md else (1, 1)
        problems.append(
            Problem(
                rel,
                line,
                col,
                "missing-file",
                f'decision tree "{tree_rel}" not found; create it beside the guide (a regular file, not a link) or set "tree:" to the tree file name',
            )
        )
        return _unloaded("guide", path, rel, md)
    tree_text = read_text(tree_file, tree_rel, problems)
    tree_doc, tree = _parse_tree(tree_text, tree_rel, problems) if tree_text is not None else (None, Salvaged[Tree](None))
    if md is None or salvaged is None or meta is None or tree_doc is None or tree.model is None:
        return _unloaded("guide", path, rel, md)
    cut_nodes = frozenset(c.removeprefix("nodes/") for c in tree.cut if c.startswith("nodes/"))
    return Guide(
        meta=meta,
        tree=tree.model,
        body=md.body,
        path=rel,
        tree_path=tree_rel,
        doc=md.meta,
        tree_doc=tree_doc,
        body_line=md.body_line,
        cut=salvaged.cut,
        cut_nodes=cut_nodes,
    )


def parse_tree(text: str, rel: str, problems: list[Problem]) -> tuple[Document | None, Tree | None]:
    """A decision tree's text through the loader and the model (also for a tree at an older git revision)."""
    doc, tree = _parse_tree(text, rel, problems, salvaging=False)
    return doc, tree.model


def _parse_tree(text: str, rel: str, problems: list[Problem], salvaging: bool = True) -> tuple[Document | None, Salvaged[Tree]]:
    doc = parse_yaml(text, rel, problems)
    if doc is None:
        return None, Salvaged(None)
    _stringify_answers(doc, rel, problems)
    return doc, salvage(Tree, doc, rel, problems, {} if salvaging else None)


def _stringify_answers(doc: Document, rel: str, problems: list[Problem]) -> None:
    """Report answer labels that YAML did not load as text, then keep going with their text form."""
    nodes = doc.data.get("nodes") if isinstance(doc.data, dict) else None
    if not isinstance(nodes, dict):
        return
    for node_id, node in nodes.items():
        answers = node.get("answers") if isinstance(node, dict) else None
        if not isinstance(answers, dict):
            continue
        if all(isinstance(k, str) for k in answers):
            continue
        fixed: dict[str, Any] = {}
        for label, target in answers.items():
            text = label if isinstance(label, str) else getattr(label, "raw", "null" if label is None else str(label).lower())
            fixed[text] = target
            if isinstance(label, str):
                continue
            path = ("nodes", node_id, "answers", label)
            line, col = doc.key_pos(path)
            problems.append(Problem(rel, line, col, "answer-not-string", f'answer label {describe(label)} is not text; quote it: "{text}":'))
            doc.rename_key(path, text)
        node["answers"] = fixed


@dataclass(frozen=True)
class Checked:
    """A repository that ``kb check`` found free of errors: what the index builder accepts.

    Made by :func:`search.checks.checked`, so a builder never runs (or skips) the checks itself.
    ``unverified`` is for callers that vouch for content the checks would take too long on (a
    benchmark over an imported corpus); it says so where it is used.
    """

    repo: Repository
    warnings: tuple[Problem, ...] = ()

    @classmethod
    def unverified(cls, repo: Repository) -> Checked:
        return cls(repo)
