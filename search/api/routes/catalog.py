"""GET /api/categories, /api/guides/{id}, /api/articles/{id}, /api/escalation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from .. import schemas, views
from ..answers import answers_for
from ..deps import IndexDep
from ..problems import problem_doc

router = APIRouter()


@router.get(
    "/categories",
    operation_id="listCategories",
    response_model=schemas.CategoriesOut,
    responses=problem_doc(503),
    tags=["categories"],
    summary="The category taxonomy",
)
async def categories(gen: IndexDep) -> schemas.CategoriesOut:
    """Every category with its parents, children, counts and site URL."""
    answers = answers_for(gen)
    cached = answers.categories
    if cached is None:
        cached = answers.categories = schemas.CategoriesOut(categories=[views.category_out(gen, c) for c in gen.catalog.categories], generation=gen.number)
    return cached


@router.get(
    "/guides/{guide_id}", operation_id="getGuide", response_model=schemas.GuideDetail, responses=problem_doc(404, 503), tags=["guides"], summary="One guide"
)
async def guide(gen: IndexDep, guide_id: Annotated[str, Path(max_length=200)]) -> schemas.GuideOut:
    """A guide with its information to gather, numbered steps, tree and prose."""
    entry = gen.catalog.guides.get(guide_id)
    if entry is None:
        raise views.not_found("guide", guide_id, gen.id_suggestions("guide", guide_id))
    return views.guide_out(entry, detail=True)


@router.get(
    "/articles/{article_id}",
    operation_id="getArticle",
    response_model=schemas.ArticleOut,
    responses=problem_doc(404, 503),
    tags=["articles"],
    summary="One KB article",
)
async def article(gen: IndexDep, article_id: Annotated[str, Path(max_length=200)]) -> schemas.ArticleOut:
    """A KB article's metadata, Markdown body and plain text."""
    entry = gen.catalog.articles.get(article_id)
    docnum = gen.docnum_by_key.get(("article", article_id))
    if entry is None or docnum is None:
        raise views.not_found("article", article_id, gen.id_suggestions("article", article_id))
    return schemas.ArticleOut(**entry.model_dump(), markdown=gen.markdown_of(docnum), text=gen.text_of(docnum))


@router.get(
    "/escalation",
    operation_id="getEscalation",
    response_model=schemas.EscalationOut,
    responses=problem_doc(404, 503),
    tags=["escalation"],
    summary="Escalation protocol",
)
async def escalation(
    gen: IndexDep,
    category: Annotated[str | None, Query(max_length=200, description="Category id or ticket-tool tag; omit for the steps that serve every category.")] = None,
    priority: Annotated[views.PriorityParam | None, Query(description=views.PRIORITY_HELP + " Omit for all four.")] = None,
) -> schemas.EscalationOut:
    """Escalation steps (team, queue, trigger, contact, hand-off, time-based escalation) with SLA targets."""
    cid = views.resolve_category(gen, category) if category else None
    pid = views.resolve_priority(priority)
    ref = None
    if cid:
        c = gen.catalog.categories[cid].category
        ref = schemas.CategoryRef(id=c.id, title=c.title, url=c.url)
    return schemas.EscalationOut(category=ref, protocols=views.protocols(gen, cid, pid), generation=gen.number)
