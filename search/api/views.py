"""Catalog entries (plain JSON from the generation) -> response models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from ..content.escalation import normalize_priority, with_due
from ..content.models import PRIORITY_IDS, PriorityId, PriorityParam
from ..content.problems import suggestion_hint
from ..content.repository import Guide, Repository
from ..index import Generation
from ..index.answers.models import ArticleEntry, GuideEntry
from ..workflow.transcript import UnknownChecklistItem, check_leaf_record
from ..workflow.walk import AnswerNotOffered, RecordTooLong, StaleRevision, StepRecord, WalkError, WalkState, walk
from . import schemas
from .answers import CACHE_CONTROL, matches
from .problems import ProblemError

__all__ = ["PriorityParam"]  # the query parameter type, re-exported for the routes
PRIORITY_HELP = "P1..P4 (or p1..p4), or a Zendesk priority: urgent, high, normal, low."
OPENED_AT_HELP = "When the ticket was opened, ISO 8601 with a UTC offset (2026-12-02T09:00:00Z): each timed escalation step then has its due_at."


def not_found(kind: str, name: str, suggestions: list[str]) -> ProblemError:
    """404 problem for an unknown id, with did-you-mean suggestions."""
    hint = suggestion_hint(suggestions)
    return ProblemError(404, f'no {kind} "{name[:100]}"{hint}', kind=f"unknown-{kind}", title=f"Unknown {kind}", suggestions=suggestions)


def resolve_category(gen: Generation, name: str) -> str:
    """Category id from an id or ticket-tool tag, or a 404 problem with suggestions."""
    cid = gen.resolve_category(name)
    if cid is None:
        suggestions = gen.category_suggestions(name)
        hint = suggestion_hint(suggestions)
        raise ProblemError(
            404, f'unknown category "{name[:100]}"{hint}; see /api/categories', kind="unknown-category", title="Unknown category", suggestions=suggestions
        )
    return cid


def resolve_priority(value: str | None) -> PriorityId | None:
    if value is None or value == "":
        return None
    pid = normalize_priority(value)
    if pid is None:
        raise ProblemError(
            422,
            f'unknown priority "{value[:40]}"; use P1..P4 or urgent, high, normal, low',
            kind="validation",
            title="Invalid request",
            errors=[{"loc": ["query", "priority"], "msg": "must be P1..P4 or urgent/high/normal/low", "type": "value_error"}],
        )
    return pid


def category_out(gen: Generation, cid: str) -> schemas.CategoryOut:
    entry = gen.catalog.categories[cid]
    info = entry.category
    return schemas.CategoryOut(
        id=info.id,
        title=info.title,
        description=info.description,
        keywords=info.keywords,
        zendesk_tags=info.zendesk_tags,
        kind=info.kind,
        url=info.url,
        parents=[schemas.CategoryRef(id=p.id, title=p.title, url=p.url) for p in entry.parents],
        children=entry.children,
        guide_count=entry.guide_count,
        article_count=entry.article_count,
    )


def categories_out(gen: Generation) -> schemas.CategoriesOut:
    return schemas.CategoriesOut(categories=[category_out(gen, c) for c in gen.catalog.categories], generation=gen.number)


def guides_page(gen: Generation, entries: list[GuideEntry], next_url: str | None) -> schemas.GuidesPage:
    return schemas.GuidesPage(guides=[schemas.GuideSummary.model_validate(e, from_attributes=True) for e in entries], next=next_url, generation=gen.number)


def priority_out(gen: Generation, pid: PriorityId, cid: str | None = None) -> schemas.PriorityOut | None:
    """The priority with the SLA targets of ``cid``'s kind (incident targets without a category)."""
    level = gen.catalog.priorities_for(cid).get(pid)
    if level is None:
        return None
    return schemas.PriorityOut(
        id=pid,
        name=level.name,
        zendesk=level.zendesk,
        description=level.description,
        sla=schemas.SlaTargets(
            kind=level.kind,
            first_response=level.first_response,
            first_response_minutes=level.first_response_minutes,
            resolution=level.resolution,
            resolution_minutes=level.resolution_minutes,
        ),
    )


def protocols(gen: Generation, cid: str | None, pid: PriorityId | None, opened_at: dt.datetime | None = None) -> list[schemas.EscalationProtocol]:
    """The protocol per priority; with ``opened_at`` each timed step also has its ``due_at``."""
    table = gen.catalog.categories[cid].escalation if cid else gen.catalog.default_escalation
    out = []
    for p in [pid] if pid else PRIORITY_IDS:
        priority = priority_out(gen, p, cid)
        if priority is not None:
            out.append(schemas.EscalationProtocol(priority=priority, steps=[with_due(step, opened_at) for step in table.get(p, [])]))
    return out


def guide_out(entry: GuideEntry, detail: bool = False) -> schemas.GuideOut:
    return (schemas.GuideDetail if detail else schemas.GuideOut).model_validate(entry, from_attributes=True)


def article_ref(entry: ArticleEntry) -> schemas.ArticleRef:
    return schemas.ArticleRef(id=entry.id, title=entry.title, category=entry.category, url=entry.url)


def gathered_notes(guide: Guide, gathered: dict[str, str] | list[str]) -> dict[str, str]:
    """The walk's notes keyed by gather item id; the deprecated list form is read in the items' order.
    An id the guide does not have (renamed since the notes were taken) is a 409 naming the ids it has."""
    ids = [item.id for item in guide.meta.gather]
    if isinstance(gathered, list):
        return dict(zip(ids, gathered, strict=False))
    unknown = [key for key in gathered if key not in ids]
    if unknown:
        raise ProblemError(
            409,
            f'guide "{guide.id}" has no gather item "{unknown[0][:100]}"; its items are: {", ".join(ids) or "none"}',
            kind="unknown-gather-item",
            title="Unknown gather item",
            offered=ids,
            current_revision=guide.revision,
        )
    return gathered


def unchanged(request: Request, tag: str) -> Response | None:
    """``304`` (no body) when the request's ``If-None-Match`` names ``tag``, else None."""
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
    return None


def fresh(tag: str, made: BaseModel | bytes, headers: dict[str, str] | None = None) -> Response:
    """The answer's JSON with its ``ETag`` and ``Cache-Control``."""
    body = made if isinstance(made, bytes) else made.model_dump_json().encode()
    return Response(body, media_type="application/json", headers={"ETag": tag, "Cache-Control": CACHE_CONTROL, **(headers or {})})


def conditional(request: Request, tag: str, build: Callable[[], BaseModel | bytes]) -> Response:
    """The answer, or ``304`` without building it when ``If-None-Match`` names its tag."""
    return unchanged(request, tag) or fresh(tag, build())


def guide_or_404(gen: Generation, guide_id: str) -> Guide:
    """The guide a walk names, or a 404 problem with the ids it may have meant."""
    guide = gen.content.guide_by_id.get(guide_id)
    if guide is None:
        raise not_found("guide", guide_id, gen.id_suggestions("guide", guide_id))
    return guide


def walk_or_409(
    guide: Guide,
    answers: list[str],
    revision: str | None,
    *,
    records: Sequence[StepRecord] = (),
    confirmed: frozenset[str] = frozenset(),
    handoff: Mapping[str, str] | None = None,
    repo: Repository | None = None,
) -> WalkState:
    """The walk of ``answers`` through ``guide``, for every route that replays one: a 409 problem
    naming the current revision when the answers conflict with the tree (a stale revision, an
    answer not offered, an answer after the walk ended, a checklist id the leaf does not have,
    checked when ``repo`` is given), a 400 for more step records than answers."""
    try:
        state = walk(guide, answers, revision, records, confirmed, handoff)
        if repo is not None:
            check_leaf_record(state, repo)
        return state
    except RecordTooLong as exc:
        raise ProblemError(400, str(exc), kind="too-many-records", title="More step records than answers") from None
    except UnknownChecklistItem as exc:
        raise ProblemError(
            409, str(exc), kind="unknown-checklist-item", title="Unknown checklist item", offered=exc.offered, current_revision=guide.revision
        ) from None
    except StaleRevision as exc:
        raise ProblemError(409, str(exc), kind="stale-revision", title="Stale guide revision", current_revision=exc.current) from None
    except AnswerNotOffered as exc:
        raise ProblemError(
            409,
            str(exc),
            kind="answer-not-offered",
            title="Answer not offered",
            node=exc.node_id,
            index=exc.index,
            offered=exc.offered,
            current_revision=guide.revision,
        ) from None
    except WalkError as exc:
        raise ProblemError(409, str(exc), kind="walk-finished", title="Walk already finished", current_revision=guide.revision) from None
