"""Import a folder of third-party Markdown articles as KB articles of a content repository.

Made for the shared Microsoft support corpus (``manifest.jsonl`` with ``path``, ``category``,
``title``) and usable for any folder of ``.md`` files (category = the folder path). Imported
articles must pass ``kb check`` like hand-written ones, so the importer rewrites what our rules
refuse: raw HTML is escaped (``\\<``), links to files outside the set become plain text, script
URLs are neutralised. Front matter is replaced by ours (id, title, category, owner, reviewed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..content import sitemap
from ..content.models import Taxonomy
from ..content.problems import Problem
from ..content.prose import CODE_SPAN, Kind, classify, open_fence
from ..content.sources import parse_yaml, read_text, validate
from ..content.yamlload import CONTROL_CHARACTER

_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_SCRIPT = re.compile(r"(?i)(javascript|vbscript|data)(\s*):")
_SLUG_BAD = re.compile(r"[^a-z0-9]+")
_DATE = re.compile(r"^\s*ms\.date:\s*['\"]?(\d{1,2})/(\d{1,2})/(\d{4})", re.M)
_TITLE = re.compile(r"^\s*title:\s*(.+?)\s*$", re.M)


@dataclass(frozen=True)
class ImportReport:
    articles: int
    categories: list[str]
    skipped: list[str]


def slug(text: str) -> str:
    """Kebab-case id from any text (``Windows Server/DNS`` -> ``windows-server-dns``)."""
    return _SLUG_BAD.sub("-", text.lower()).strip("-") or "untitled"


def category_id(folder: str) -> str:
    """A taxonomy id from a folder path: each segment slugged, at most two levels."""
    parts = [slug(p) for p in folder.replace("\\", "/").split("/") if p.strip()]
    return "/".join(parts[:2]) or "imported"


def _sanitize_segment(segment: str) -> str:
    def link(match: re.Match[str]) -> str:
        bang, text, target = match.groups()
        if not target or (sitemap.has_scheme(target) and not _SCRIPT.match(target)) or target.startswith("#"):
            return match.group(0)
        if target.startswith("/"):
            return f"{bang}[{text}](https://learn.microsoft.com{target})" if not bang else text
        return text

    segment = _LINK.sub(link, segment)
    segment = _SCRIPT.sub(r"\1-\2", segment)
    return re.sub(r"(?<!\\)<", r"\\<", segment)


def sanitize_markdown(body: str) -> str:
    """Rewrite Markdown so our content rules accept it; code blocks and code spans are kept as is."""
    out: list[str] = []
    # stray C0/C1 controls (text decoded with the wrong code page) and bidi overrides are never
    # content; kb check refuses them (control-character), so the import drops them
    body = CONTROL_CHARACTER.sub("", body.replace("\r\n", "\n"))
    for _, line, kind in classify(body):
        if kind is not Kind.PROSE:
            out.append(line)
            continue
        pieces: list[str] = []
        last = 0
        for span in CODE_SPAN.finditer(line):
            pieces.append(_sanitize_segment(line[last : span.start()]))
            pieces.append(span.group(0))
            last = span.end()
        pieces.append(_sanitize_segment(line[last:]))
        out.append("".join(pieces))
    fence = open_fence(body)
    if fence is not None:
        out.append(fence)  # close a fence the author left open, or the rest reads as code
    return "\n".join(out)


def _split(text: str) -> tuple[str, str]:
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :])
    return "", text


def _entries(source: Path) -> Iterator[tuple[Path, str, str | None]]:
    manifest = source / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                yield source / row["path"], row.get("category") or Path(row["path"]).parent.as_posix(), row.get("title")
        return
    for path in sorted(source.rglob("*.md")):
        yield path, path.parent.relative_to(source).as_posix(), None


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def import_articles(
    source: Path,
    dest: Path,
    *,
    base: Path | None = None,
    limit: int | None = None,
    category_of: Callable[[str], str | None] | None = None,
    exclude: Collection[str] = (),
) -> ImportReport:
    """Create a content repository in ``dest`` with ``base``'s content plus the articles of ``source``.

    ``base`` supplies guides/ (taxonomy, priorities, escalation, synonyms, guides) and kb/; the
    imported categories are added to its taxonomy. ``limit`` imports only the first N articles.
    ``category_of`` maps a source folder to a category of ``base``'s taxonomy (None: the folder's
    own imported category), so imported articles count as knowledge of the desk's categories
    (triage evidence). ``exclude`` names source paths (as in the manifest) to leave out.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if base is not None:
        for folder in ("guides", "kb"):
            if (base / folder).is_dir():
                shutil.copytree(base / folder, dest / folder, dirs_exist_ok=True)
    (dest / "guides").mkdir(exist_ok=True)
    articles_dir = dest / "kb" / "articles" / "imported"
    articles_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = {p.stem for p in (dest / "kb" / "articles").rglob("*.md")}
    categories: dict[str, str] = {}
    skipped: list[str] = []
    count = 0
    for path, folder, title in _entries(source):
        if limit is not None and count >= limit:
            break
        if path.relative_to(source).as_posix() in exclude:
            continue
        try:
            text = path.read_text("utf-8").lstrip("\ufeff")
        except (OSError, UnicodeDecodeError):
            skipped.append(str(path))
            continue
        front, body = _split(text)
        if title is None:
            found = _TITLE.search(front)
            title = found.group(1).strip("'\"") if found else path.stem.replace("-", " ")
        title = re.sub(r"\s+", " ", title.replace("<", "‹").replace(">", "›")).strip() or path.stem
        date = _DATE.search(front)
        reviewed = dt.date(int(date.group(3)), int(date.group(1)), int(date.group(2))) if date else dt.date(2024, 1, 1)
        mapped = category_of(folder) if category_of is not None else None
        cid = mapped or category_id(folder)
        for i, _ in enumerate(cid.split("/") if mapped is None else ()):
            key = "/".join(cid.split("/")[: i + 1])
            categories.setdefault(key, key.rsplit("/", 1)[-1].replace("-", " ").title())
        article_id = slug(path.stem)[:80].strip("-")
        n = 2
        while article_id in used:
            article_id = f"{slug(path.stem)[:76].strip('-')}-{n}"
            n += 1
        used.add(article_id)
        front_matter = "\n".join(
            [
                "---",
                f"id: {article_id}",
                f"title: {_yaml(title)}",
                f"category: {cid}",
                "owner: Microsoft Corporation and contributors (CC BY 4.0)",
                f"reviewed: {reviewed.isoformat()}",
                "review_every_days: 36500",
                "---",
                "",
            ]
        )
        (articles_dir / f"{article_id}.md").write_text(front_matter + sanitize_markdown(body), "utf-8")
        count += 1
    _extend_taxonomy(dest, categories)
    return ImportReport(count, sorted(categories), skipped)


def _extend_taxonomy(dest: Path, categories: dict[str, str]) -> None:
    path = dest / "guides" / "categories.yml"
    problems: list[Problem] = []
    text = read_text(path, "guides/categories.yml", problems) if path.is_file() else None
    doc = parse_yaml(text, "guides/categories.yml", problems) if text is not None else None
    taxonomy = validate(Taxonomy, doc, "guides/categories.yml", problems) if doc is not None else None
    existing = taxonomy.categories if taxonomy else []
    known = {c.id for c in existing}
    lines = ["# Generated by search.importers.corpus.import_articles", "categories:"]
    for category in existing:
        lines += [f"  - id: {category.id}", f"    title: {_yaml(category.title)}"]
        if category.description:
            lines.append(f"    description: {_yaml(category.description)}")
        if category.keywords:
            lines.append(f"    keywords: [{', '.join(_yaml(k) for k in category.keywords)}]")
        if category.zendesk_tags:
            lines.append(f"    zendesk_tags: [{', '.join(_yaml(t) for t in category.zendesk_tags)}]")
    for cid in sorted(categories):
        if cid not in known:
            lines += [f"  - id: {cid}", f"    title: {_yaml(categories[cid])}", f"    zendesk_tags: [{_yaml(cid.replace('/', '-'))}]"]
    (dest / "guides" / "categories.yml").write_text("\n".join(lines) + "\n", "utf-8")
