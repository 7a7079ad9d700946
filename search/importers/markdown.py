"""``kb import markdown DIR``: a folder tree of Markdown files with any front matter.

Front matter fields are matched by meaning (``FIELDS``: title, description, dates, author-like
and tag-like names, status and draft flags); every field or value that maps onto nothing is
reported at its ``path:line:col``. Bytes that are not UTF-8 are read as Windows-1252 (what such
files usually are) and reported; a BOM is dropped and reported. A file whose front matter cannot
be read at all (never closed, not YAML) is reported as an error and left out, nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content.files import is_secret_name
from ..content.models import SLUG_RE, Audience, Status
from ..content.problems import Problem, Severity
from ..content.progress import Progress, no_progress
from ..content.prose import one_line
from ..content.sitemap import has_scheme
from ..content.sources import MAX_MARKDOWN_BYTES
from ..content.yamlload import CONTROL_CHARACTER
from .articles import Asset, Dropped, ImportOptions, ImportReport, Incoming, Owned, Target, ToArticle, ToAsset, ToUrl, run_import, slug
from .body import Link, clean_text
from .categories import CategoryPlan
from .frontmatter import Field, read_front_matter

# Front matter keys (lower-cased) by the field they fill, the preferred spelling first.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "slug"),
    "title": ("title", "name", "heading"),
    "description": ("description", "summary", "excerpt", "abstract", "subtitle"),
    "reviewed": (
        "reviewed",
        "updated",
        "updated_at",
        "last_updated",
        "last_modified",
        "lastmod",
        "modified",
        "ms.date",
        "date",
        "created",
        "created_at",
        "published_at",
    ),
    "owner": ("owner", "owners", "author", "authors", "ms.author", "maintainer", "maintainers"),
    "tags": ("tags", "labels", "keywords", "keyword", "f1.keywords", "f1_keywords"),
    "status": ("status", "draft", "published"),
    "audience": ("audience", "visibility"),
}
_KIND_OF = {key: kind for kind, keys in FIELDS.items() for key in keys}
_MERGED = ("tags",)  # every tag-like field adds tags; the other kinds take the first field present
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y")
_STATUS = {
    "draft": Status.draft,
    "wip": Status.draft,
    "review": Status.draft,
    "in review": Status.draft,
    "unpublished": Status.draft,
    "published": Status.published,
    "live": Status.published,
    "public": Status.published,
    "retired": Status.retired,
    "archived": Status.retired,
    "deprecated": Status.retired,
    "obsolete": Status.retired,
}
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_SLUG = re.compile(SLUG_RE)
_INDEX_NAMES = ("index.md", "README.md", "readme.md", "_index.md")


@dataclass(frozen=True)
class MarkdownSource:
    """What ``kb import markdown`` was asked to read."""

    folder: Path
    into: str = "imported"  # under kb/articles/
    base_url: str | None = None  # for site-absolute links (/path) of the source site
    files: tuple[str, ...] | None = None  # only these (relative paths); default every .md file


def read_tree(source: MarkdownSource, categories: CategoryPlan, problems: list[Problem], progress: Progress = no_progress) -> list[Incoming]:
    """Every ``.md`` file under the folder as an :class:`Incoming` article (sorted by path)."""
    files = sorted(source.files if source.files is not None else _markdown_files(source.folder, problems))
    known = set(files)
    found: list[Incoming] = []
    for n, rel in enumerate(files, 1):
        item = _read_one(source, rel, known, categories, problems)
        if item is not None:
            found.append(item)
        progress("reading", n, len(files))
    return found


def _markdown_files(folder: Path, problems: list[Problem]) -> Iterator[str]:
    """Relative paths of the regular ``.md`` files; links and hidden folders are not followed."""
    for current, dirs, names in os.walk(folder, followlinks=False):
        rel_dir = Path(current).relative_to(folder).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if not name.lower().endswith(".md"):
                continue
            if os.path.islink(os.path.join(current, name)):
                problems.append(
                    Problem(prefix + name, 1, 1, "symlink", "a symbolic link; links are not followed, import the file it points to", Severity.WARNING)
                )
                continue
            yield prefix + name


def _decode(raw: bytes, where: str, problems: list[Problem]) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(where, 1, 1, "encoding", "byte-order mark (BOM) at the start of the file; removed", Severity.WARNING))
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        text = raw.decode("cp1252", "replace")
        lost = text.count("\ufffd")
        problems.append(
            Problem(
                where,
                line,
                col,
                "encoding",
                f"not UTF-8 (byte 0x{raw[exc.start]:02x}); read as Windows-1252"
                + (f", {lost} bytes had no character there and became U+FFFD" if lost else "")
                + "; check the accented characters",
                Severity.WARNING,
            )
        )
        return text.replace("\ufffd", "?") if lost else text


def _read_one(source: MarkdownSource, rel: str, known: set[str], categories: CategoryPlan, problems: list[Problem]) -> Incoming | None:
    path = source.folder / rel
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 1, 1, "unreadable", f"cannot read the file: {exc.strerror}; not imported"))
        return None
    if len(raw) > MAX_MARKDOWN_BYTES:
        problems.append(
            Problem(rel, 1, 1, "too-large", f"{len(raw):,} bytes, over the {MAX_MARKDOWN_BYTES:,}-byte limit of an article; split it, then import again")
        )
        return None
    text = _decode(raw, rel, problems).replace("\r\n", "\n").replace("\r", "\n")
    front = read_front_matter(text, rel, problems)
    if front is None:
        return None
    owned: Owned = {}
    used: set[str] = set()
    mapped = _map_fields(front.fields, rel, problems, used)
    owned.update(mapped)
    for key, f in front.fields.items():
        if key not in used:
            kind = _KIND_OF.get(key)
            why = f'another {kind} field ("{FIELDS[kind][0]}"-like) came first' if kind else "has no place in an article"
            problems.append(Problem(rel, f.line, f.col, "unmapped-field", f'"{f.key}" {why}; not imported ({_shown(f.value)})', Severity.WARNING))
    if "title" not in owned:
        heading = _H1.search(front.body)
        title = clean_text(heading.group(1) if heading else Path(rel).stem.replace("-", " ").replace("_", " "))[0]
        owned["title"] = title or Path(rel).stem
        what = "the first heading" if heading else "the file name"
        message = "no front matter" if not front.present else "no title field"
        problems.append(Problem(rel, 1, 1, "missing-title", f"{message}; the title is {what}: {owned['title']!r}", Severity.WARNING))
    folder = posixpath.dirname(rel)
    owned["category"] = categories.resolve([folder], Path(folder).name or "Imported", rel)
    declared = front.fields.get("id") or front.fields.get("slug")
    id_field = _string(declared.value) if declared else None
    if declared is not None and (id_field is None or not _SLUG.match(id_field)):
        problems.append(
            Problem(
                rel,
                declared.line,
                declared.col,
                "unmapped-value",
                f'"{declared.key}" {_shown(declared.value)} is not a kebab-case id; the id was made from the file name',
                Severity.WARNING,
            )
        )
        id_field = None
    stem = Path(rel).stem
    hint = id_field or (slug(posixpath.basename(folder)) if stem.lower() in ("index", "readme", "_index") and folder else slug(stem))
    return Incoming(
        origin=rel,
        where=rel,
        owned=owned,
        body=front.body,
        body_line=front.body_line,
        folder="/".join(slug(p) for p in folder.split("/")) if folder else "",
        id_hint=hint,
        id_from_source=id_field is not None,
        link=lambda link: _link(source, rel, link, known),
    )


def _map_fields(fields: dict[str, Field], where: str, problems: list[Problem], used: set[str]) -> Owned:
    owned: Owned = {}
    tags: list[str] = []
    for key, f in fields.items():
        kind = _KIND_OF.get(key)
        if kind is None or kind == "id":
            if kind == "id":
                used.add(key)
            continue
        if kind not in _MERGED and kind in owned:
            continue  # a second field of the same kind: reported as unmapped below
        used.add(key)  # mapped, or its value refused (reported there)
        value = _convert(kind, f, where, problems)
        if value is None:
            continue
        if kind == "tags":
            tags.extend(t for t in value if t not in tags)
        else:
            owned[kind] = value  # type: ignore[literal-required]
    if tags:
        owned["tags"] = tags
    return owned


def _convert(kind: str, f: Field, where: str, problems: list[Problem]) -> Any:
    """A front matter value as the field ``kind`` takes it, or None (reported as unmapped)."""

    def refuse(why: str) -> Any:
        problems.append(Problem(where, f.line, f.col, "unmapped-value", f'"{f.key}" {_shown(f.value)} {why}; not imported', Severity.WARNING))
        return None

    if kind in ("title", "description"):
        text = _string(f.value)
        if text is None:
            return refuse("is not text")
        cleaned, changed = clean_text(text)
        if changed:
            problems.append(
                Problem(where, f.line, f.col, "text-changed", f'"{f.key}": HTML tags or control characters made safe: {cleaned[:60]!r}', Severity.WARNING)
            )
        return cleaned or refuse("is empty")
    if kind == "reviewed":
        text = _string(f.value)
        date = _date(text) if text is not None else None
        return date if date is not None else refuse("is not a date (YYYY-MM-DD, MM/DD/YYYY, ...)")
    if kind == "owner":
        names = _strings(f.value)
        return ", ".join(names) if names else refuse("names nobody")
    if kind == "tags":
        found = [t for t in (clean_text(v)[0] for v in _strings(f.value, split=True)) if t]
        return found or refuse("holds no tags")
    text = (_string(f.value) or "").strip().lower()
    if kind == "audience":
        return Audience(text) if text in ("internal", "public") else refuse("is not internal or public")
    if f.key.lower() == "draft":
        return Status.draft if text in _TRUE else Status.published if text in _FALSE else refuse("is not true or false")
    if f.key.lower() == "published":
        return Status.published if text in _TRUE else Status.draft if text in _FALSE else refuse("is not true or false")
    return _STATUS.get(text) or refuse(f"is not a status ({', '.join(sorted(set(_STATUS)))})")


def _string(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _strings(value: Any, split: bool = False) -> list[str]:
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        if isinstance(item, str):
            found.extend(p.strip() for p in (item.split(",") if split else [item]) if p.strip())
    return list(dict.fromkeys(found))


def _date(text: str) -> dt.date | None:
    head = text.strip()
    try:
        return dt.datetime.fromisoformat(head.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None


def _shown(value: Any) -> str:
    text = one_line(CONTROL_CHARACTER.sub("", str(value)))
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def _link(source: MarkdownSource, rel: str, link: Link, known: set[str]) -> Target:
    """Where a link of the article at ``rel`` points: another imported file, a file to copy, the web."""
    target = link.target
    if not target or target.startswith("#") or has_scheme(target):
        return None
    if target.startswith("/"):
        if source.base_url:
            return ToUrl(source.base_url.rstrip("/") + target)
        return Dropped("is site-absolute (starts with /); pass --base-url to keep such links as web links")
    path, _, anchor = target.partition("#")
    path = path.split("?", 1)[0]
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path.replace("%20", " ")))
    if resolved.startswith("../") or resolved == "..":
        return Dropped("points outside the imported folder")
    for candidate in (resolved, resolved + ".md", *(f"{resolved}/{name}" for name in _INDEX_NAMES)):
        if candidate in known:
            return ToArticle(candidate, f"#{anchor}" if anchor else "")
    file = source.folder / resolved
    if resolved.lower().endswith(".md") or not file.is_file() or file.is_symlink():
        return Dropped("points to a file that is not in the imported folder")
    if is_secret_name(file.name):
        return Dropped("points to a configuration or secret-like file, which is never copied")
    folder = "/".join(slug(p) for p in posixpath.dirname(resolved).split("/") if p)
    name = f"{slug(Path(resolved).stem)}{Path(resolved).suffix.lower()}"
    dest = "/".join(p for p in ("kb/articles", source.into, folder, name) if p)
    return ToAsset(Asset(file, dest))


def import_markdown(root: Path, source: MarkdownSource, options: ImportOptions) -> ImportReport:
    """Import the folder into the repository at ``root`` (README "Importing")."""
    return run_import(root, "markdown", source.into, options, lambda plan, problems: read_tree(source, plan, problems, options.progress))
