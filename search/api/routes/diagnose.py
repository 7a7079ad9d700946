"""GET /api/diagnose: everything a technician needs for a ticket's category and priority."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ...content.models import PriorityId
from ...index import Generation, QueryError
from .. import schemas, views
from ..answers import Cached, answers_for, etag
from ..problems import problem_doc
from .search import query_problem

router = APIRouter(tags=["diagnose"])


def diagnosis(gen: Generation, cid: str, pid: PriorityId | None, q: str | None, max_chars: int, opened_at: dt.datetime | None = None) -> schemas.Diagnosis:
    """The answer for a category (an id, resolved), also what ``kb diagnose`` prints."""
    entry = gen.catalog.categories[cid]
    guide_ids = list(entry.guides)
    article_ids = list(entry.articles)
    if q:
        try:
            docnums = [gen.docnum_by_key[("guide", g)] for g in guide_ids]
            ranked = [h.id for h in gen.search(q, doc_type="guide", within=docnums, limit=50, snippets=False, max_chars=max_chars).hits]
            guide_ids = ranked + [g for g in guide_ids if g not in ranked]
            scope = entry.guides_from or cid
            found = [h.id for h in gen.search(q, doc_type="article", category=scope, limit=10, snippets=False, max_chars=max_chars).hits]
            article_ids = (found + [a for a in article_ids if a not in found])[: len(article_ids) or 10]
        except QueryError as exc:
            raise query_problem(q, exc) from exc
    guides = gen.catalog.guides
    articles = gen.catalog.articles
    return schemas.Diagnosis(
        category=views.category_out(gen, cid),
        priority=views.priority_out(gen, pid, cid) if pid else None,
        query=q,
        guides_from=entry.guides_from,
        guides=[views.guide_out(guides[g]) for g in guide_ids],
        escalation=views.protocols(gen, cid, pid, opened_at),
        articles=[views.article_ref(articles[a]) for a in article_ids if a in articles],
        content_version=gen.content_version,
        generation=gen.number,
    )


@router.get(
    "/diagnose",
    operation_id="diagnose",
    response_model=schemas.Diagnosis,
    responses=problem_doc(400, 404, 503),
    summary="Guides, diagnosis steps, escalation protocol and articles for a ticket",
)
async def diagnose(
    request: Request,
    category: Annotated[str, Query(min_length=1, max_length=200, description="Category id (network/vpn) or ticket-tool tag (vpn).")],
    priority: Annotated[views.PriorityParam | None, Query(description=views.PRIORITY_HELP)] = None,
    q: Annotated[str | None, Query(description="Ticket text: ranks the category's guides and articles by it.")] = None,
    opened_at: Annotated[schemas.IsoAwareTime | None, Query(description=views.OPENED_AT_HELP)] = None,
) -> Response:
    """Answer for a ticket's category (id or Zendesk tag) and priority.

    Guides come from the category, else from its nearest parent with guides; each has the
    information to gather, its tree as numbered steps and the tree itself. Without ``q`` the
    answer is precomputed per generation and served from memory.
    """
    # The throughput-critical route: it reads the index handle from the app state itself instead
    # of through IndexDep/SettingsDep, because each FastAPI dependency costs ~20 us per request.
    state = request.app.state
    gen = state.index.get()
    cid = views.resolve_category(gen, category)
    pid = views.resolve_priority(priority)
    q = q.strip() if q else None
    settings = state.settings
    if opened_at is not None:  # deadlines differ per ticket: not cached
        return views.conditional(
            request,
            etag(gen, settings.site_url, "diagnose", cid, pid, q, opened_at.isoformat()),
            lambda: diagnosis(gen, cid, pid, q, settings.max_query_chars, opened_at),
        )
    if not q:
        cache = answers_for(gen).diagnose
        cached = cache.get((cid, pid))
        if cached is None:
            body = diagnosis(gen, cid, pid, None, settings.max_query_chars).model_dump_json().encode()
            cached = cache[(cid, pid)] = Cached(body, etag(gen, settings.site_url, "diagnose", cid, pid))
        found = cached.body
        return views.conditional(request, cached.etag, lambda: found)
    text = q
    return views.conditional(request, etag(gen, settings.site_url, "diagnose", cid, pid, q), lambda: diagnosis(gen, cid, pid, text, settings.max_query_chars))
