"""``kb review`` (what is due, by owner; record a review) and ``kb changes`` (what changed, for staff)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import ROOT_OPTION, _require_root

if TYPE_CHECKING:
    from ..workflow.review import ReviewItem

TODAY_OPTION = click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Count from this date (default: today).")


@click.command()
@ROOT_OPTION
@click.option("--owner", help="Only this owner's content (case-insensitive).")
@click.option("--within", "within", type=click.IntRange(0), default=30, show_default=True, help="Due soon: due within this many days.")
@click.option("--all", "show_all", is_flag=True, help="List every guide and article, not only overdue and due soon.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True, help="table for people; csv or json for reports."
)
@TODAY_OPTION
@click.option("--done", "done", metavar="ID", help="Record a review of this guide or article: set its reviewed date (and reviewer).")
@click.option("--by", help="With --done: who reviewed it (written as reviewed_by).")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d"]), default=None, help="With --done: the review date (default: today).")
def review(
    root: Path,
    owner: str | None,
    within: int,
    show_all: bool,
    fmt: str,
    today: dt.datetime | None,
    done: str | None,
    by: str | None,
    date: dt.datetime | None,
) -> None:
    """List guides and articles overdue or due soon for their review, by owner; or record a review.

    \b
    Examples:
      kb review                         overdue and due within 30 days, as a table
      kb review --owner "Network Operations" --within 60 --format csv
      kb review --done vpn-no-connect --by "Ana Lopez"
    """
    from ..content.repository import load_repository
    from ..workflow.review import ReviewItem, review_items

    repo = load_repository(_require_root(root))
    day = (today or dt.datetime.now()).date()
    if done is not None:
        _record(repo.root, [(d.id, d.path) for d in repo.documents], done, by, (date.date() if date else day))
        return
    if by is not None or date is not None:
        raise click.UsageError("--by and --date go with --done ID")
    items = [i for i in review_items(repo, day, within) if show_all or i.state != "ok"]
    if owner is not None:
        items = [i for i in items if i.owner.casefold() == owner.casefold()]
    items.sort(key=lambda i: (i.owner.casefold(), i.due, i.title.casefold()))
    rows = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in dataclasses.asdict(i).items()} for i in items]
    if fmt == "json":
        click.echo(json.dumps({"today": day.isoformat(), "within_days": within, "items": rows}, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[f.name for f in dataclasses.fields(ReviewItem)], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        _table(items, day, within)


def _table(items: list[ReviewItem], day: dt.date, within: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    if not items:
        console.print(f"Nothing is overdue or due within {within} days (as of {day.isoformat()}).")
        return
    table = Table(title=f"Reviews overdue or due within {within} days, as of {day.isoformat()}")
    for column in ("Owner", "State", "Kind", "Id", "Title", "Last reviewed", "By", "Due", "Days left"):
        table.add_column(column, justify="right" if column == "Days left" else "left")
    for i in items:
        style = "red" if i.state == "overdue" else "yellow" if i.state == "due-soon" else None
        table.add_row(i.owner, i.state, i.kind, i.id, i.title, i.reviewed.isoformat(), i.reviewed_by or "", i.due.isoformat(), str(i.days_left), style=style)
    console.print(table)


def _record(root: Path, documents: list[tuple[str, str]], doc_id: str, by: str | None, day: dt.date) -> None:
    """Set the reviewed date (and reviewer) in the document's file, every other byte kept."""
    from ..content.edit import EditError, record_review
    from ..content.fuzzy import SimilarNames
    from ..content.problems import suggestion_hint

    paths = {i: p for i, p in documents}
    if doc_id not in paths:
        raise click.BadParameter(f'no guide or article "{doc_id}"{suggestion_hint(SimilarNames(paths).similar(doc_id))}', param_hint="--done")
    same_id = [p for i, p in documents if i == doc_id]
    if len(same_id) > 1:
        raise click.BadParameter(f'"{doc_id}" is the id of {" and ".join(same_id)}; give one of them a new id (kb check: duplicate-id)', param_hint="--done")
    path = root / paths[doc_id]
    try:
        edited = record_review(path.read_bytes(), paths[doc_id], day, by)
    except EditError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    _write_atomically(path, edited)
    click.echo(f"{paths[doc_id]}: reviewed {day.isoformat()}" + (f" by {by}" if by else ""))


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace the file in one step, keeping its permissions (an editor or git never sees half a file)."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command()
@ROOT_OPTION
@click.option("--since", required=True, help="A date (YYYY-MM-DD) or a git revision (tag, branch, commit): list what changed after it.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--site-url", envvar="KB_SITE_URL", help="The published site's URL, to link each document's page. Env: KB_SITE_URL.")
def changes(root: Path, since: str, fmt: str, site_url: str | None) -> None:
    """Summarise what changed in the content since a date or revision, ready to send to staff.

    Decision trees are compared in meaning: nodes added, removed and reworded, answers
    re-pointed, escalation steps and priorities changed. Without git history (a tarball) it
    says so and exits 0.

    \b
    Examples:
      kb changes --since 2026-11-01
      kb changes --since v1.4 --format markdown --site-url https://kb.example.org
    """
    from ..workflow.changes import ChangeError, render_summary, summarize

    try:
        summary = summarize(_require_root(root), since)
    except ChangeError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    if fmt == "json":
        click.echo(summary.model_dump_json(indent=2))
    else:
        click.echo(render_summary(summary, markdown=fmt == "markdown", site_url=site_url), nl=False)
