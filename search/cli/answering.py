"""``kb diagnose``, ``kb search``, ``kb guides`` and the JSON of ``kb categories``, ``walk``, ``triage``
and ``build``: the API's answers on the terminal (decision record 0037).

Each answer is the object the API route builds, made by the route's own function from the index
generation on disk (the one ``--index-dir`` serves when it holds this content, else one built for
the run): no server and no HTTP. ``--format json`` prints it as the API sends it; ``human`` reads
it out. Unknown ids get the API's did-you-mean.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..content.problems import suggestion_hint
from . import INDEX_OPTION, ROOT_OPTION, _clean_repository, _generation_for, _priority, _settings

# The API's modules (FastAPI with them) are imported by the commands that answer, not by every kb run.
if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..api.problems import ProblemError
    from ..content.models import PriorityId
    from ..index import Generation
    from ..index.triage import TriageResult

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: the API's answer for the same request."
)


def echo_json(answer: BaseModel) -> None:
    """One answer as the API serialises it (indented for reading)."""
    click.echo(answer.model_dump_json(indent=2))


@contextmanager
def generation(root: Path, index_dir: Path | None) -> Iterator[Generation]:
    """The generation that answers for the content under ``root`` (content errors end the command)."""
    with _generation_for(_clean_repository(root), index_dir if index_dir is not None else root / ".kb-index") as gen:
        yield gen


def category_id(gen: Generation, name: str, param_hint: str) -> str:
    """A category id from an id or ticket-tool tag, or a usage error with the closest ids."""
    cid = gen.resolve_category(name)
    if cid is None:
        raise click.BadParameter(f'unknown category "{name}"{suggestion_hint(gen.category_suggestions(name))}; see kb categories', param_hint=param_hint)
    return cid


def usage_error(exc: ProblemError, param_hint: str) -> click.BadParameter:
    """An API problem (unknown id, answer not offered, bad query) as the terminal's usage error."""
    return click.BadParameter(exc.detail, param_hint=param_hint)


@click.command()
@ROOT_OPTION
@INDEX_OPTION
@click.argument("category")
@click.option("--priority", help="P1..P4 or urgent/high/normal/low: the escalation protocol and SLA targets for it (default: all four).")
@FORMAT_OPTION
def diagnose(root: Path, index_dir: Path | None, category: str, priority: str | None, fmt: str) -> None:
    """The guides, escalation protocol and articles for a ticket's category (id or ticket-tool tag).

    The same answer as GET /api/diagnose. Example: kb diagnose vpn --priority P2
    """
    from ..api.routes.diagnose import diagnosis

    pid = _priority(priority)
    with generation(root, index_dir) as gen:
        answer = diagnosis(gen, category_id(gen, category, "CATEGORY"), pid, None, _settings(root=root).max_query_chars)
    if fmt == "json":
        echo_json(answer)
        return
    c = answer.category
    click.secho(f"{c.id}: {c.title} ({c.kind})", bold=True)
    if c.description:
        click.echo(f"  {c.description}")
    inherited = f" (from {answer.guides_from})" if answer.guides_from and answer.guides_from != c.id else ""
    click.echo(f"Guides{inherited}:" if answer.guides else "No guides for this category.")
    for guide in answer.guides:
        click.echo(f"  {guide.id}  {guide.title}" + (f" - {guide.summary}" if guide.summary else ""))
    for protocol in answer.escalation:
        p = protocol.priority
        click.echo(f"Escalation {p.id} {p.name} (first response {p.sla.first_response}, resolution {p.sla.resolution}):")
        for n, step in enumerate(protocol.steps, 1):
            click.echo(f"  {n}. {step.tier} {step.team} ({step.queue}): {step.trigger}")
    if answer.articles:
        click.echo("Articles: " + "; ".join(f"{a.id} ({a.title})" for a in answer.articles))
    if answer.guides:
        click.echo(f"Next: kb walk {answer.guides[0].id}" + (f" --priority {pid}" if pid else ""))


@click.command()
@ROOT_OPTION
@INDEX_OPTION
@click.argument("query", nargs=-1, required=True)
@click.option("--category", help="Only this category (id or ticket-tool tag) and its sub-categories.")
@click.option("--type", "doc_type", type=click.Choice(["guide", "article"]), help="Only guides or only articles.")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True)
@FORMAT_OPTION
def search(root: Path, index_dir: Path | None, query: tuple[str, ...], category: str | None, doc_type: str | None, limit: int, fmt: str) -> None:
    """Search guides and articles (the query language of GET /api/search: "phrases", OR, -word, title:...)."""
    from ..api.routes.search import query_problem, search_out
    from ..index import QueryError

    text = " ".join(query).strip()
    if not text:
        raise click.UsageError("the query is empty")
    with generation(root, index_dir) as gen:
        cid = category_id(gen, category, "--category") if category else None
        try:
            answer = search_out(gen, gen.search(text, category=cid, doc_type=doc_type, limit=limit, max_chars=_settings(root=root).max_query_chars))
        except QueryError as exc:
            raise usage_error(query_problem(text, exc), "QUERY") from None
    if fmt == "json":
        echo_json(answer)
        return
    if answer.corrected and answer.suggestion:
        click.echo(f"Showing results for: {answer.suggestion}")
    elif answer.relaxed:
        click.echo("No document has every word; these have some of them.")
    if not answer.hits:
        click.echo("No matches" + (f'; try "{answer.suggestion}"' if answer.suggestion else "") + ".")
    for n, hit in enumerate(answer.hits, 1):
        click.echo(f"{n}. [{hit.type}] {hit.id}  {hit.title}" + (f"  ({hit.category})" if hit.category else ""))
        if hit.snippet.text:
            click.echo(f"   {hit.snippet.text}")
    if answer.total > len(answer.hits):
        click.echo(f"({answer.total} matches; --limit shows more)")


@click.command()
@ROOT_OPTION
@INDEX_OPTION
@click.option("--category", help="Only this category (id or ticket-tool tag) and its sub-categories.")
@click.option("--tag", help="Only guides with this tag.")
@FORMAT_OPTION
def guides(root: Path, index_dir: Path | None, category: str | None, tag: str | None, fmt: str) -> None:
    """List the guides (all of them: the answer of GET /api/guides without pages)."""
    from ..api import views
    from ..api.routes.catalog import listed

    with generation(root, index_dir) as gen:
        cid = category_id(gen, category, "--category") if category else None
        table = gen.catalog.guides
        answer = views.guides_page(gen, [table[i] for i in listed(gen, table, "guides", cid, tag)], None)
    if fmt == "json":
        echo_json(answer)
        return
    width = max((len(g.id) for g in answer.guides), default=0)
    for guide in answer.guides:
        click.echo(f"{guide.id:<{width}}  {guide.title}  [{guide.category or '-'}]" + ("" if guide.status == "published" else f" ({guide.status})"))
    click.echo(f"{len(answer.guides)} guides; walk one with: kb walk ID", err=True)


def categories_json(root: Path, index_dir: Path | None) -> None:
    """``kb categories --format json``: the answer of GET /api/categories."""
    from ..api import views

    with generation(root, index_dir) as gen:
        echo_json(views.categories_out(gen))


def triage_json(gen: Generation, found: TriageResult, priority: PriorityId | None) -> None:
    """``kb triage --format json``: the answer of POST /api/triage."""
    from ..api.routes.triage import triage_out

    echo_json(triage_out(gen, found, priority))


def walk_json(root: Path, index_dir: Path | None, guide_id: str, answers: tuple[str, ...], priority: PriorityId | None) -> None:
    """``kb walk --format json``: the answer of POST /api/guides/{id}/walk for ``answers`` (no prompts)."""
    from ..api import schemas
    from ..api.problems import ProblemError
    from ..api.routes.walk import walk_out

    with generation(root, index_dir) as gen:
        try:
            echo_json(walk_out(gen, guide_id, schemas.WalkIn(answers=list(answers), priority=priority)))
        except ProblemError as exc:
            raise usage_error(exc, "GUIDE_ID" if exc.status == 404 else "--answer") from None


def build_json(index_dir: Path) -> None:
    """``kb build --format json``: the index generation the build made, as GET /api/health describes it."""
    from ..api.routes.health import health_out
    from ..index import open_current

    gen = open_current(index_dir)
    try:
        echo_json(health_out(gen))
    finally:
        gen.close()
