"""``kb import markdown|zendesk``: bring an existing knowledge base in (README "Importing").

Exit codes: 0 imported (warnings are listed), 1 some files could not be imported, 2 usage errors.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .progress import ProgressDisplay

if TYPE_CHECKING:
    from ..importers.articles import ImportReport

SHOWN_PER_RULE = 5  # human output: the first problems of each rule, then a count

CATEGORY_MAP_OPTION = click.option(
    "--category-map",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="YAML file: source folder (or Zendesk section id or name) -> category id. Without it, folders (sections) become categories.",
)
DRY_RUN_OPTION = click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: every article and problem as one object."
)
INTO_OPTION = click.option("--into", default=None, help="Folder under kb/articles/ for new articles (default: the system's name).")


def _with_root(fn: Callable[..., None]) -> Callable[..., None]:
    from . import ROOT_OPTION  # the package imports this module at its end (as apikeys)

    return ROOT_OPTION(fn)


@click.group("import")
def import_group() -> None:
    """Import articles from another knowledge base into kb/articles/.

    \b
    A re-import updates the articles it wrote before (found by their `source:` field), never
    duplicates them, and keeps local edits of fields the source did not change.
    """


@import_group.command("markdown")
@_with_root
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@CATEGORY_MAP_OPTION
@INTO_OPTION
@click.option("--owner", default="unassigned (imported)", show_default=True, help="Owner of articles whose front matter names no author.")
@click.option("--base-url", help="Web address of the source site: links starting with / become links to it (otherwise they are reported and kept as text).")
@DRY_RUN_OPTION
@FORMAT_OPTION
def markdown(root: Path, folder: Path, category_map: Path | None, into: str | None, owner: str, base_url: str | None, dry_run: bool, fmt: str) -> None:
    """Import a folder tree of Markdown files with any front matter."""
    from ..importers.articles import ImportOptions
    from ..importers.markdown import MarkdownSource, import_markdown
    from . import _require_root

    _require_root(root)
    source = MarkdownSource(folder.resolve(), into=into if into is not None else "imported", base_url=base_url)
    with ProgressDisplay("import") as progress:
        report = import_markdown(root, source, ImportOptions(owner, category_map, dry_run=dry_run, progress=progress))
    _show(report, fmt)


@import_group.command("zendesk")
@_with_root
@click.argument("export", type=click.Path(exists=True, path_type=Path))
@CATEGORY_MAP_OPTION
@INTO_OPTION
@click.option(
    "--owner", default="unassigned (imported from Zendesk)", show_default=True, help="Owner of the imported articles (Zendesk names authors by id only)."
)
@DRY_RUN_OPTION
@FORMAT_OPTION
def zendesk(root: Path, export: Path, category_map: Path | None, into: str | None, owner: str, dry_run: bool, fmt: str) -> None:
    """Import a Zendesk Help Center export: a JSON file or a folder of them.

    \b
    The files are the pages of GET /api/v2/help_center/articles.json (and of the sections and
    categories listings, for category names), saved as they came.
    """
    from ..importers.articles import ImportOptions
    from ..importers.zendesk import ZendeskSource, import_zendesk
    from . import _require_root

    _require_root(root)
    source = ZendeskSource(export.resolve(), into=into if into is not None else "zendesk")
    with ProgressDisplay("import") as progress:
        report = import_zendesk(root, source, ImportOptions(owner, category_map, dry_run=dry_run, progress=progress))
    _show(report, fmt)


def _show(report: ImportReport, fmt: str) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "system": report.system,
                    "dry_run": report.dry_run,
                    "counts": {a: report.count(a) for a in ("created", "updated", "unchanged", "failed")},
                    "articles": [{"origin": w.origin, "path": w.path, "id": w.id, "action": w.action, "overwritten": w.overwritten} for w in report.articles],
                    "categories_added": report.categories_added,
                    "assets_copied": report.assets_copied,
                    "problems": [
                        {"path": p.path, "line": p.line, "col": p.col, "severity": p.severity.value, "rule": p.rule, "message": p.message}
                        for p in report.problems
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        shown: Counter[str] = Counter()
        for problem in sorted(report.problems):
            shown[problem.rule] += 1
            if shown[problem.rule] <= SHOWN_PER_RULE:
                click.echo(problem.format())
        for rule, count in sorted(shown.items()):
            if count > SHOWN_PER_RULE:
                click.echo(f"... and {count - SHOWN_PER_RULE:,} more [{rule}] (all of them: --format json)")
        verb = "would be " if report.dry_run else ""
        click.echo(
            f"{report.system} import{' (dry run)' if report.dry_run else ''}: {report.count('created'):,} {verb}created, {report.count('updated'):,} {verb}updated, "
            f"{report.count('unchanged'):,} unchanged, {len({p.path for p in report.problems if p.severity.value == 'error'}):,} not imported; "
            f"{len(report.categories_added)} categories {verb}added, {len(report.assets_copied)} files {verb}copied; "
            f"{sum(p.severity.value == 'warning' for p in report.problems):,} warnings",
            err=True,
        )
    sys.exit(1 if report.errors else 0)
