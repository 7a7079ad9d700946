"""The shared Microsoft support corpus (``../shared/corpus``) as a ``kb import markdown`` source.

Benchmarks and tests import it through the one Markdown importer; this module only adds what
the corpus itself says: its ``manifest.jsonl`` (``path``, ``category``, a fixed shuffle, so the
first N rows are a stable sample) becomes the category mapping and the file list, its
attribution becomes the owner, and its site-absolute links point at the site it came from.
"""

from __future__ import annotations

import json
import posixpath
import shutil
from collections.abc import Callable, Collection
from pathlib import Path

from ..content.progress import Progress, no_progress
from .articles import ImportOptions, ImportReport
from .categories import category_from_folder
from .frontmatter import yaml_value
from .markdown import MarkdownSource, import_markdown

OWNER = "Microsoft Corporation and contributors (CC BY 4.0)"
BASE_URL = "https://learn.microsoft.com"
CATEGORY_MAP = "corpus-categories.yml"  # written beside kb/ and guides/, not content


def manifest_rows(source: Path, limit: int | None = None) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in (source / "manifest.jsonl").read_text("utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit is not None else rows


def category_map(rows: list[dict[str, str]], category_of: Callable[[str], str | None] | None = None) -> str:
    """The mapping file text: each article's folder -> ``category_of`` its manifest category (a
    category of the desk's taxonomy), else that category slugged."""
    folders = {
        posixpath.dirname(row["path"]): (category_of(row["category"]) if category_of else None) or category_from_folder(row["category"]) or "imported"
        for row in rows
    }
    return "".join(f"{yaml_value(folder)}: {category}\n" for folder, category in sorted(folders.items()))


def import_corpus(
    source: Path,
    dest: Path,
    *,
    base: Path | None = None,
    limit: int | None = None,
    category_of: Callable[[str], str | None] | None = None,
    exclude: Collection[str] = (),
    progress: Progress = no_progress,
) -> ImportReport:
    """A repository in ``dest``: ``base``'s guides/ and kb/ plus the first ``limit`` corpus articles
    but those in ``exclude`` (manifest paths, e.g. held out for an evaluation). ``category_of``
    maps a manifest category to one of ``base``'s taxonomy (None: its own imported category)."""
    dest.mkdir(parents=True, exist_ok=True)
    for folder in ("guides", "kb"):
        if base is not None and (base / folder).is_dir():
            shutil.copytree(base / folder, dest / folder, dirs_exist_ok=True)
    rows = [row for row in manifest_rows(source, limit) if row["path"] not in exclude]
    (dest / CATEGORY_MAP).write_text(category_map(rows, category_of), "utf-8")
    files = tuple(row["path"] for row in rows)
    return import_markdown(dest, MarkdownSource(source, base_url=BASE_URL, files=files), ImportOptions(OWNER, dest / CATEGORY_MAP, progress=progress))
