"""``kb import zendesk FILE|DIR``: a Zendesk Help Center export into ``kb/articles/zendesk/``.

The export is what ``GET /api/v2/help_center/articles.json`` pages (``articles[{id, title, body,
section_id, label_names, locale, draft, updated_at, html_url, ...}]``) and the sections and
categories listings return, one JSON document per file, in any order. Articles are keyed by
``id/locale`` (translations share an id), so links between articles (``/hc/en-us/articles/123-x``)
point at the imported file and a later export updates the same files. Mapping: HTML body ->
Markdown (:mod:`.html`, removals reported), ``label_names`` -> tags, section (and its category)
-> category through the folder rule or ``--category-map`` (keys: ``Category/Section``, the
section's name or its id), ``draft`` -> status, ``edited_at``/``updated_at`` -> reviewed,
``user_segment_id`` (visible to a segment only) -> audience internal, else public. Other article
keys are reported once each with how many articles had them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..content.models import Audience, Status
from ..content.problems import Problem, Severity
from .articles import Dropped, ImportOptions, ImportReport, Incoming, Owned, Target, ToArticle, ToUrl, run_import, slug
from .body import Link, clean_text
from .categories import CategoryPlan
from .html import html_to_markdown

MAX_EXPORT_BYTES = 200_000_000
_ARTICLE_LINK = re.compile(r"^(?:https?://[^/]+)?/hc/(?:([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)/)?articles/(\d+)[^#?]*(?:\?[^#]*)?(#.*)?$")
_READ = ("id", "title", "body", "section_id", "label_names", "locale", "draft", "updated_at", "edited_at", "html_url", "user_segment_id")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class ZArticle(_Lenient):
    id: int
    title: str = ""
    body: str | None = None
    section_id: int | None = None
    label_names: list[str] = Field(default_factory=list)
    locale: str = ""
    draft: bool = False
    updated_at: dt.datetime | None = None
    edited_at: dt.datetime | None = None
    html_url: str | None = None
    user_segment_id: int | None = None


class ZSection(_Lenient):
    id: int
    name: str
    category_id: int | None = None


class ZCategory(_Lenient):
    id: int
    name: str


@dataclass(frozen=True)
class ZendeskSource:
    path: Path  # one export file, or a folder of them
    into: str = "zendesk"


@dataclass
class _Export:
    articles: list[tuple[str, ZArticle]]  # (where, article)
    sections: dict[int, ZSection]
    categories: dict[int, ZCategory]


def read_export(path: Path, problems: list[Problem]) -> _Export:
    """Every JSON file of the export (a file, or the ``*.json`` files under a folder, sorted)."""
    files = sorted(p for p in path.rglob("*.json") if p.is_file() and not p.is_symlink()) if path.is_dir() else [path]
    export = _Export([], {}, {})
    for file in files:
        rel = file.relative_to(path).as_posix() if path.is_dir() else file.name
        try:
            raw = file.read_bytes()
            if len(raw) > MAX_EXPORT_BYTES:
                problems.append(Problem(rel, 1, 1, "too-large", f"{len(raw):,} bytes, over the {MAX_EXPORT_BYTES:,}-byte limit of one export file; not read"))
                continue
            data = json.loads(raw.decode("utf-8-sig"))
        except OSError as exc:
            problems.append(Problem(rel, 1, 1, "unreadable", f"cannot read the file: {exc.strerror}; not imported"))
            continue
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, 1, 1, "encoding", f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); not imported"))
            continue
        except json.JSONDecodeError as exc:
            problems.append(Problem(rel, exc.lineno, exc.colno, "json", f"not JSON ({exc.msg}); not imported"))
            continue
        if not isinstance(data, dict) or not any(k in data for k in ("articles", "article", "sections", "categories")):
            problems.append(Problem(rel, 1, 1, "json", "not a Help Center export page (no articles, sections or categories); not imported", Severity.WARNING))
            continue
        items = data.get("articles") or ([data["article"]] if isinstance(data.get("article"), dict) else [])
        for n, item in enumerate(data.get("sections") or []):
            try:
                section = ZSection.model_validate(item)
                export.sections[section.id] = section
            except ValidationError as exc:
                problems.append(Problem(rel, 1, 1, "json", f"sections[{n}]: {_first_error(exc)}; not imported"))
        for n, item in enumerate(data.get("categories") or []):
            try:
                category = ZCategory.model_validate(item)
                export.categories[category.id] = category
            except ValidationError as exc:
                problems.append(Problem(rel, 1, 1, "json", f"categories[{n}]: {_first_error(exc)}; not imported"))
        for n, item in enumerate(items if isinstance(items, list) else []):
            try:
                article = ZArticle.model_validate(item)
            except ValidationError as exc:
                problems.append(Problem(rel, 1, 1, "json", f"articles[{n}]: {_first_error(exc)}; not imported"))
                continue
            export.articles.append((f"{rel}#article-{article.id}", article))
    return export


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    return f'"{".".join(map(str, error["loc"]))}" {error["msg"].lower()}'


def _incoming(export: _Export, categories: CategoryPlan, problems: list[Problem]) -> list[Incoming]:
    locales = Counter(a.locale for _, a in export.articles)
    default_locale = locales.most_common(1)[0][0] if locales else ""
    unmapped: Counter[str] = Counter()
    first_file: dict[str, str] = {}
    found: list[Incoming] = []
    for where, article in export.articles:
        for key in article.model_extra or {}:
            unmapped[key] += 1
            first_file.setdefault(key, where.split("#", 1)[0])
        title, changed = clean_text(article.title)
        if changed:
            problems.append(Problem(where, 1, 1, "text-changed", f"title: HTML tags or control characters made safe: {title[:60]!r}", Severity.WARNING))
        body, removed = html_to_markdown(article.body or "")
        if removed:
            shown = ", ".join(f"{count} {what}" for what, count in sorted(removed.items()))
            problems.append(Problem(where, 1, 1, "html-removed", f"removed from the HTML (nothing executable is imported): {shown}", Severity.WARNING))
        owned: Owned = {
            "title": title or f"Zendesk article {article.id}",
            "status": Status.draft if article.draft else Status.published,
            "audience": Audience.internal if article.user_segment_id is not None else Audience.public,
            "category": categories.resolve(*_section_keys(export, article, where)),
        }
        tags = [t for t in (clean_text(label)[0] for label in article.label_names) if t]
        if tags:
            owned["tags"] = list(dict.fromkeys(tags))
        changed_at = article.edited_at or article.updated_at
        if changed_at is not None:
            owned["reviewed"] = changed_at.date()
        section = export.sections.get(article.section_id or -1)
        locale = article.locale or default_locale
        found.append(
            Incoming(
                origin=f"{article.id}/{locale}",
                where=where,
                owned=owned,
                body=body,
                body_line=1,
                folder=slug(section.name) if section else (f"section-{article.section_id}" if article.section_id else ""),
                id_hint=_url_slug(article) or title or str(article.id),
                url=article.html_url,
                link=partial(_link, article, locale),
            )
        )
    for key, count in sorted(unmapped.items()):
        problems.append(
            Problem(
                first_file[key],
                1,
                1,
                "unmapped-field",
                f'"{key}" ({count} of {len(found)} articles) has no place in an article; not imported',
                Severity.WARNING,
            )
        )
    return found


def _url_slug(article: ZArticle) -> str:
    """``.../articles/1001-Reset-your-VPN-client`` -> ``Reset-your-VPN-client``: the id Zendesk's own URLs use."""
    match = re.search(r"/articles/\d+-([^/?#]+)", article.html_url or "")
    return match.group(1) if match else ""


def _section_keys(export: _Export, article: ZArticle, where: str) -> tuple[list[str], str, str]:
    """(mapping keys, new category title, where) of an article's section: ``Category/Section``, the
    section's name, its id."""
    section = export.sections.get(article.section_id or -1)
    if section is None:
        key = f"section {article.section_id}" if article.section_id else "no section"
        return [key], key.capitalize(), where
    category = export.categories.get(section.category_id or -1)
    full = f"{category.name}/{section.name}" if category else section.name
    return [full, section.name, str(section.id)], section.name, where


def _link(article: ZArticle, locale: str, link: Link) -> Target:
    """Links to other Help Center articles go to their imported file (or their web address);
    other links relative to the help center become web addresses."""
    target = link.target
    match = _ARTICLE_LINK.match(target)
    if match:
        linked_locale, linked_id, anchor = match.groups()
        if _external(target, article):
            return _absolute(article, target)
        web = _absolute(article, target)
        return ToArticle(f"{linked_id}/{linked_locale or locale}", anchor or "", web.url if isinstance(web, ToUrl) else None)
    if not target or target.startswith("#") or urlsplit(target).scheme:
        return None
    return _absolute(article, target)


def _external(target: str, article: ZArticle) -> bool:
    """A link to another help center's article (another host)."""
    host = urlsplit(target).netloc
    return bool(host) and bool(article.html_url) and host != urlsplit(article.html_url or "").netloc


def _absolute(article: ZArticle, target: str) -> Target:
    if not article.html_url:
        return Dropped("is relative to the help center, and the article has no html_url to resolve it against")
    return ToUrl(urljoin(article.html_url, target))


def import_zendesk(root: Path, source: ZendeskSource, options: ImportOptions) -> ImportReport:
    """Import the export into the repository at ``root`` (README "Importing")."""

    def read(plan: CategoryPlan, problems: list[Problem]) -> list[Incoming]:
        export = read_export(source.path, problems)
        for category in export.categories.values():
            plan.titles.setdefault(slug(category.name), category.name)
        if export.articles and not export.sections:
            problems.append(
                Problem(source.path.name, 1, 1, "no-sections", "the export has no sections listing; categories are named after section ids", Severity.WARNING)
            )
        return _incoming(export, plan, problems)

    return run_import(root, "zendesk", source.into, options, read)
