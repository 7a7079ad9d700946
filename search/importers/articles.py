"""Write imported articles into ``kb/articles/``: the one writer behind every ``kb import``.

An importer reads its source into :class:`Incoming` articles (fields it could map, body, links
still as the source wrote them). This module finds the articles of earlier imports by their
import record (``source:`` front matter: system + origin + a short hash per field it wrote),
gives new ones an id and a file, rewrites links between imported articles, and writes only what
changed in the source since the last import:

- a field the source did not change is left alone, so a local edit of it survives;
- a field the source changed is overwritten, and when it had been edited here the report says so;
- fields the import never writes (``review_every_days``, ``audience`` ...) are never touched;
- a second import of the same source writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypedDict

from ..content.models import ArticleMeta, Audience, Status
from ..content.problems import Problem, Severity
from ..content.progress import Progress, no_progress
from ..content.repository import ARTICLES_DIR
from ..content.sources import MAX_MARKDOWN_BYTES, parse_yaml, read_text, split_front_matter, validate
from .body import Link, convert_body
from .categories import CategoryPlan, load_category_map
from .frontmatter import yaml_value

System = Literal["markdown", "zendesk"]
Action = Literal["created", "updated", "unchanged", "failed"]
_SLUG_BAD = re.compile(r"[^a-z0-9]+")
MAX_ID = 80
# The front matter fields in the order they are written; other fields follow in their own order.
FIELD_ORDER = ("id", "title", "description", "category", "tags", "owner", "reviewed", "review_every_days", "status", "audience", "source")


def slug(text: str) -> str:
    """Kebab-case id from any text (``Windows Server/DNS`` -> ``windows-server-dns``)."""
    return _SLUG_BAD.sub("-", text.lower()).strip("-")[:MAX_ID].strip("-") or "untitled"


class Owned(TypedDict, total=False):
    """Front matter fields an importer read from the source (absent = the source has none)."""

    title: str
    description: str
    category: str | None
    tags: list[str]
    owner: str
    reviewed: dt.date
    status: Status
    audience: Audience


@dataclass(frozen=True)
class Asset:
    """A file an article links to that is copied beside it (images, attachments)."""

    source: Path
    dest: str  # repository path


# What a link in an article points at, as the importer sees it.
@dataclass(frozen=True)
class ToArticle:
    origin: str
    anchor: str = ""
    web: str | None = None  # where it is on the web, for when it is not in this import


@dataclass(frozen=True)
class ToAsset:
    asset: Asset


@dataclass(frozen=True)
class ToUrl:
    url: str


@dataclass(frozen=True)
class Dropped:
    """Keep only the link's text; ``reason`` is reported."""

    reason: str


Target = ToArticle | ToAsset | ToUrl | Dropped | None  # None: keep the link as it is


@dataclass
class Incoming:
    """One article read from a source, before it is placed."""

    origin: str  # the source's key of the article: its path in the folder, or its Zendesk id
    where: str  # how reports name it (a path, or "articles page 2: id 123")
    owned: Owned
    body: str
    body_line: int  # 1-based line of the body in the source file (for report positions)
    folder: str  # where new files go, under kb/articles/<into>/
    id_hint: str
    link: Callable[[Link], Target]  # what a link of this article points at
    url: str | None = None
    id_from_source: bool = False  # the source declared the id (a clash is then reported)


@dataclass
class Written:
    origin: str
    path: str
    id: str
    action: Action
    overwritten: list[str] = field(default_factory=list)  # fields edited here that the source changed


@dataclass
class ImportReport:
    """What an import did (or, dry run, would do), and everything it could not map."""

    system: System
    dry_run: bool = False
    articles: list[Written] = field(default_factory=list)
    categories_added: list[str] = field(default_factory=list)
    assets_copied: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(w.action == action for w in self.articles)

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)


@dataclass
class _Existing:
    path: str
    data: dict[str, Any]
    body: str


def field_hash(value: object) -> str:
    """The short hash an import record keeps per field (dates and enums by their text)."""
    if isinstance(value, (Status, Audience)):
        value = value.value
    return hashlib.sha256(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:8]


def write_articles(
    root: Path,
    system: System,
    incoming: list[Incoming],
    categories: CategoryPlan,
    *,
    into: str,
    defaults: Owned,
    report: ImportReport,
    progress: Progress = no_progress,
) -> None:
    """Place, link and write ``incoming`` under ``root`` (nothing is written on a dry run)."""
    existing, used_ids = _scan_existing(root, system, report)
    placed: dict[str, tuple[str, str]] = {}  # origin -> (article id, repository path)
    used_paths = {e.path for e in existing.values()}
    for item in incoming:
        if item.origin in placed:
            report.problems.append(Problem(item.where, 1, 1, "duplicate-origin", f'"{item.origin}" appears twice in the source; the first one was imported'))
            continue
        if item.origin in existing:
            found = existing[item.origin]
            placed[item.origin] = (str(found.data.get("id", "")), found.path)
            continue
        article_id = _unique(item.id_hint, used_ids)
        if item.id_from_source and article_id != item.id_hint:
            report.problems.append(
                Problem(item.where, 1, 1, "duplicate-id", f'id "{item.id_hint}" is taken by another article; imported as "{article_id}"', Severity.WARNING)
            )
        folder = "/".join(p for p in (ARTICLES_DIR, into, item.folder) if p)
        path = f"{folder}/{article_id}.md"
        n = 2
        while path in used_paths:
            path = f"{folder}/{article_id}-{n}.md"
            n += 1
        used_ids.add(article_id)
        used_paths.add(path)
        placed[item.origin] = (article_id, path)
    drafts = {item.origin: item.owned.get("status") is Status.draft for item in incoming}
    total = len(placed)
    done = 0
    assets: dict[str, Asset] = {}
    first: dict[str, Incoming] = {}
    for item in incoming:
        if first.setdefault(item.origin, item) is not item:
            continue
        article_id, path = placed[item.origin]
        problems: list[Problem] = []

        def where(severity: Severity, rule: str, message: str, line: int, col: int, item: Incoming = item, problems: list[Problem] = problems) -> None:
            problems.append(Problem(item.where, item.body_line + line, col + 1, rule, message, severity))

        def resolve(link: Link, item: Incoming = item, path: str = path) -> str | None:
            target = item.link(link)
            if target is None:
                return link.target
            if isinstance(target, ToArticle):
                if target.origin not in placed and target.web:
                    return target.web
                if target.origin not in placed:
                    where(
                        Severity.WARNING,
                        "link-outside-import",
                        f'link "{link.target}" points to an article that is not in this import; kept as text',
                        link.line,
                        link.col,
                    )
                    return None
                if drafts.get(target.origin) and not drafts.get(item.origin):
                    where(
                        Severity.WARNING,
                        "link-to-draft",
                        f'link "{link.target[:80]}" points to a draft, which the site does not publish; kept as text until it is published (then import again)',
                        link.line,
                        link.col,
                    )
                    return None
                return posixpath.relpath(placed[target.origin][1], posixpath.dirname(path)) + target.anchor
            if isinstance(target, ToAsset):
                assets[target.asset.dest] = target.asset
                return posixpath.relpath(target.asset.dest, posixpath.dirname(path))
            if isinstance(target, ToUrl):
                return target.url
            where(Severity.WARNING, "link-outside-import", f'link "{link.target[:80]}" {target.reason}; kept as text', link.line, link.col)
            return None

        body = convert_body(item.body, resolve, where)
        report.problems.extend(problems)
        written = _write_one(root, system, item, article_id, path, body, existing.get(item.origin), defaults, categories, report)
        report.articles.append(written)
        done += 1
        progress("writing", done, total)
    for dest, asset in sorted(assets.items()):
        target = root / dest
        if target.is_file() and target.read_bytes() == asset.source.read_bytes():
            continue
        report.assets_copied.append(dest)
        if not report.dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset.source, target)


def _unique(hint: str, used: set[str]) -> str:
    base = slug(hint)
    article_id, n = base, 2
    while article_id in used:
        article_id = f"{base[: MAX_ID - 1 - len(str(n))].strip('-')}-{n}"
        n += 1
    return article_id


def _scan_existing(root: Path, system: System, report: ImportReport) -> tuple[dict[str, _Existing], set[str]]:
    """Articles already in the repository: those of earlier imports from ``system`` by origin, and every id in use."""
    found: dict[str, _Existing] = {}
    used: set[str] = set()
    base = root / ARTICLES_DIR
    for md in sorted(base.rglob("*.md")) if base.is_dir() else []:
        rel = md.relative_to(root).as_posix()
        used.add(md.stem)
        problems: list[Problem] = []
        text = read_text(md, rel, problems, MAX_MARKDOWN_BYTES)
        doc = split_front_matter(text, rel, problems) if text is not None else None
        data = doc.meta.data if doc is not None else None
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("id"), str):
            used.add(data["id"])
        source = data.get("source")
        if isinstance(source, dict) and source.get("system") == system and isinstance(source.get("origin"), str) and doc is not None:
            if source["origin"] in found:
                report.problems.append(
                    Problem(
                        rel, 1, 1, "duplicate-origin", f'also imported from "{source["origin"]}" as {found[source["origin"]].path}; this copy is not updated'
                    )
                )
                continue
            found[source["origin"]] = _Existing(rel, data, doc.body)
    return found, used


def _write_one(
    root: Path,
    system: System,
    item: Incoming,
    article_id: str,
    path: str,
    body: str,
    old: _Existing | None,
    defaults: Owned,
    categories: CategoryPlan,
    report: ImportReport,
) -> Written:
    body = body.rstrip("\n") + "\n"
    new: dict[str, Any] = {k: v for k, v in item.owned.items() if v is not None and v != []}
    new_hashes = {k: field_hash(v) for k, v in new.items()} | {"body": field_hash(body)}
    overwritten: list[str] = []
    if old is None:
        meta: dict[str, Any] = {"id": article_id, **{k: v for k, v in defaults.items() if k not in new}, **new}
        new_body = body
        action: Action = "created"
    else:
        meta, new_body = dict(old.data), old.body
        record = meta.get("source")
        recorded: dict[str, str] = record["fields"] if isinstance(record, dict) and isinstance(record.get("fields"), dict) else {}
        for name in sorted(set(new_hashes) | set(recorded)):
            if new_hashes.get(name) == recorded.get(name):
                continue  # the source did not change it: a local edit stays
            current = old.body if name == "body" else meta.get(name)
            if name in recorded and field_hash(current) != recorded[name]:
                overwritten.append(name)
            if name == "body":
                new_body = body
            elif name in new:
                meta[name] = new[name]
            elif name not in _REQUIRED:  # the source no longer has it
                meta.pop(name, None)
        action = "updated"
    if isinstance(meta.get("category"), str):
        categories.use(meta["category"])
    record_now = {"system": system, "origin": item.origin, **({"url": item.url} if item.url else {}), "fields": new_hashes}
    if old is not None and old.data.get("source") == record_now:
        return Written(item.origin, path, str(meta.get("id", article_id)), "unchanged")  # the source changed nothing: the file stays as it is
    meta["source"] = record_now
    text = _front_matter(meta) + new_body
    target = root / path
    problems: list[Problem] = []
    doc = parse_yaml(_yaml_lines(meta), path, problems, line_offset=1)
    if doc is not None:
        validate(ArticleMeta, doc, path, problems)
    if problems:  # a value the mapping let through that the schema refuses: reported, not written broken
        report.problems.extend(replace(p, path=item.where) for p in problems)
        return Written(item.origin, path, str(meta.get("id", article_id)), "failed")
    if not report.dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    if overwritten:
        report.problems.append(
            Problem(
                path,
                1,
                1,
                "overwrote-local-edit",
                f"edited here and changed in the source, so the source's version was written: {', '.join(overwritten)}",
                Severity.WARNING,
            )
        )
    return Written(item.origin, path, str(meta.get("id", article_id)), action, overwritten)


_REQUIRED = ("title", "owner", "reviewed")


def _yaml_lines(meta: dict[str, Any]) -> str:
    keys = [k for k in FIELD_ORDER if k in meta] + [k for k in meta if k not in FIELD_ORDER]
    return "".join(f"{k}: {yaml_value(meta[k])}\n" for k in keys)


def _front_matter(meta: dict[str, Any]) -> str:
    return "---\n" + _yaml_lines(meta) + "---\n"


@dataclass(frozen=True)
class ImportOptions:
    """How an import runs, whatever its source (the CLI's options)."""

    owner: str  # of articles whose source names no author
    category_map: Path | None = None
    today: dt.date | None = None  # the reviewed date of new articles (default: today)
    dry_run: bool = False
    progress: Progress = no_progress


def run_import(root: Path, system: System, into: str, options: ImportOptions, read: Callable[[CategoryPlan, list[Problem]], list[Incoming]]) -> ImportReport:
    """One import: plan the categories, ``read`` the source's articles (reporting what it cannot
    map), place and write them, then report unmapped categories and add the new ones."""
    report = ImportReport(system, options.dry_run)
    plan = _plan_categories(root, options.category_map, report)
    if plan is None:
        return report
    incoming = read(plan, report.problems)
    defaults: Owned = {"owner": options.owner, "reviewed": options.today or dt.date.today()}
    write_articles(root, system, incoming, plan, into=into, defaults=defaults, report=report, progress=options.progress)
    report.problems.extend(plan.problems())
    report.categories_added = sorted(plan.added)
    if not report.dry_run:
        plan.write(report.problems)
    report.problems.sort()
    return report


def _plan_categories(root: Path, category_map: Path | None, report: ImportReport) -> CategoryPlan | None:
    """The categories of an import; None (problems reported) when the mapping file is unusable."""
    mapping = None
    if category_map is not None:
        mapping = load_category_map(category_map, report.problems)
        if mapping is None:
            return None
    return CategoryPlan.load(root, mapping, report.problems)
