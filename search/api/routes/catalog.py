"""GET /api/categories, /api/guides, /api/guides/{id}, /api/articles, /api/articles/{id}, /api/escalation.

Every answer here depends only on the generation and the request, so each carries a strong
``ETag`` and answers ``304`` to a matching ``If-None-Match`` without being built (README: ETags).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from ...content.taxonomy import is_within
from ...index import Generation
from ...index.answers.models import ArticleEntry, GuideEntry
from .. import schemas, views
from ..answers import Cached, answers_for, etag
from ..deps import IndexDep, SettingsDep
from ..problems import problem_doc

router = APIRouter()
PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 200
E = TypeVar("E", GuideEntry, ArticleEntry)

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT, description=f"Items per page (default {PAGE_LIMIT}).")]
After = Annotated[str | None, Query(max_length=200, description="Start after this id: the cursor the previous page's next link carries.")]
CategoryFilter = Annotated[str | None, Query(max_length=200, description="Only this category (id or ticket-tool tag) and its sub-categories.")]
TagFilter = Annotated[str | None, Query(max_length=100, description="Only items with this tag.")]


@router.get(
    "/categories",
    operation_id="listCategories",
    response_model=schemas.CategoriesOut,
    responses=problem_doc(503),
    tags=["categories"],
    summary="The category taxonomy",
)
async def categories(request: Request, gen: IndexDep, settings: SettingsDep) -> Response:
    """Every category with its parents, children, counts and site URL (not paginated: clients need
    the whole tree to show it, and a taxonomy has tens or hundreds of categories)."""
    answers = answers_for(gen)
    cached = answers.categories
    if cached is None:
        out = views.categories_out(gen)
        cached = answers.categories = Cached(out.model_dump_json().encode(), etag(gen, settings.site_url, "categories"))
    body = cached.body
    return views.conditional(request, cached.etag, lambda: body)


def _listed(gen: Generation, table: dict[str, E], kind: str) -> list[str]:
    """Ids of the entries lists show (retired ones are reachable by id only), sorted; kept per generation."""
    answers = answers_for(gen)
    found = answers.listed_guides if kind == "guides" else answers.listed_articles
    if found is None:
        found = sorted(i for i, e in table.items() if e.status != "retired")
        if kind == "guides":
            answers.listed_guides = found
        else:
            answers.listed_articles = found
    return found


def listed(gen: Generation, table: dict[str, E], kind: str, cid: str | None, tag: str | None) -> Sequence[str]:
    """Ids a list shows, ordered by id: only those in ``cid`` (or below it) and with ``tag`` when given
    (also what ``kb guides`` lists)."""
    ids: Sequence[str] = _listed(gen, table, kind)
    if cid is not None or tag is not None:
        ids = [i for i in ids if (cid is None or is_within(table[i].category or "", cid)) and (tag is None or tag in table[i].tags)]
    return ids


def _page(
    request: Request,
    gen: IndexDep,
    site_url: str,
    kind: str,
    table: dict[str, E],
    filters: tuple[str | None, str | None, str | None, int],
    make: Callable[[list[E], str | None], schemas.GuidesPage | schemas.ArticlesPage],
) -> Response:
    """One page of a list ordered by id; the cursor is the last id shown, so pages stay in step
    when a new generation adds or removes items between two requests."""
    category, tag, after, limit = filters
    cid = views.resolve_category(gen, category) if category else None
    tag_value = etag(gen, site_url, kind, cid, tag, after, limit)
    if (not_modified := views.unchanged(request, tag_value)) is not None:
        return not_modified
    ids = listed(gen, table, kind, cid, tag)
    start = bisect.bisect_right(ids, after) if after else 0
    chosen = ids[start : start + limit]
    next_url = None
    if start + limit < len(ids):
        query = {k: v for k, v in (("category", category), ("tag", tag), ("limit", str(limit)), ("after", chosen[-1])) if v}
        next_url = f"{request.url.path}?{urlencode(query)}"
    return views.fresh(tag_value, make([table[i] for i in chosen], next_url), {"Link": f'<{next_url}>; rel="next"'} if next_url else None)


@router.get("/guides", operation_id="listGuides", response_model=schemas.GuidesPage, responses=problem_doc(404, 503), tags=["guides"], summary="List guides")
async def list_guides(
    request: Request,
    gen: IndexDep,
    settings: SettingsDep,
    category: CategoryFilter = None,
    tag: TagFilter = None,
    after: After = None,
    limit: Limit = PAGE_LIMIT,
) -> Response:
    """Guides ordered by id, a page at a time: follow ``next`` (or the ``Link`` header) until it is null."""

    return _page(
        request,
        gen,
        settings.site_url,
        "guides",
        gen.catalog.guides,
        (category, tag, after, limit),
        lambda entries, next_url: views.guides_page(gen, entries, next_url),
    )


@router.get(
    "/guides/{guide_id}", operation_id="getGuide", response_model=schemas.GuideDetail, responses=problem_doc(404, 503), tags=["guides"], summary="One guide"
)
async def guide(request: Request, gen: IndexDep, settings: SettingsDep, guide_id: Annotated[str, Path(max_length=200)]) -> Response:
    """A guide with its information to gather, numbered steps, tree and prose."""
    entry = gen.catalog.guides.get(guide_id)
    if entry is None:
        raise views.not_found("guide", guide_id, gen.id_suggestions("guide", guide_id))
    return views.conditional(request, etag(gen, settings.site_url, "guide", guide_id), lambda: views.guide_out(entry, detail=True))


@router.get(
    "/articles",
    operation_id="listArticles",
    response_model=schemas.ArticlesPage,
    responses=problem_doc(404, 503),
    tags=["articles"],
    summary="List KB articles",
)
async def list_articles(
    request: Request,
    gen: IndexDep,
    settings: SettingsDep,
    category: CategoryFilter = None,
    tag: TagFilter = None,
    after: After = None,
    limit: Limit = PAGE_LIMIT,
) -> Response:
    """KB articles ordered by id, a page at a time: follow ``next`` (or the ``Link`` header) until it is null."""

    def make(entries: list[ArticleEntry], next_url: str | None) -> schemas.ArticlesPage:
        return schemas.ArticlesPage(
            articles=[schemas.ArticleSummary.model_validate(e, from_attributes=True) for e in entries], next=next_url, generation=gen.number
        )

    return _page(request, gen, settings.site_url, "articles", gen.catalog.articles, (category, tag, after, limit), make)


@router.get(
    "/articles/{article_id}",
    operation_id="getArticle",
    response_model=schemas.ArticleOut,
    responses=problem_doc(404, 503),
    tags=["articles"],
    summary="One KB article",
)
async def article(request: Request, gen: IndexDep, settings: SettingsDep, article_id: Annotated[str, Path(max_length=200)]) -> Response:
    """A KB article's metadata, Markdown body and plain text."""
    entry = gen.catalog.articles.get(article_id)
    docnum = gen.docnum_by_key.get(("article", article_id))
    if entry is None or docnum is None:
        raise views.not_found("article", article_id, gen.id_suggestions("article", article_id))
    found = docnum
    return views.conditional(
        request,
        etag(gen, settings.site_url, "article", article_id),
        lambda: schemas.ArticleOut(**entry.model_dump(), markdown=gen.markdown_of(found), text=gen.text_of(found)),
    )


@router.get(
    "/escalation",
    operation_id="getEscalation",
    response_model=schemas.EscalationOut,
    responses=problem_doc(404, 503),
    tags=["escalation"],
    summary="Escalation protocol",
)
async def escalation(
    request: Request,
    gen: IndexDep,
    settings: SettingsDep,
    category: Annotated[str | None, Query(max_length=200, description="Category id or ticket-tool tag; omit for the steps that serve every category.")] = None,
    priority: Annotated[views.PriorityParam | None, Query(description=views.PRIORITY_HELP + " Omit for all four.")] = None,
) -> Response:
    """Escalation steps (team, queue, trigger, contact, hand-off, time-based escalation) with SLA targets."""
    cid = views.resolve_category(gen, category) if category else None
    pid = views.resolve_priority(priority)

    def build() -> schemas.EscalationOut:
        ref = None
        if cid:
            c = gen.catalog.categories[cid].category
            ref = schemas.CategoryRef(id=c.id, title=c.title, url=c.url)
        return schemas.EscalationOut(category=ref, protocols=views.protocols(gen, cid, pid), generation=gen.number)

    return views.conditional(request, etag(gen, settings.site_url, "escalation", cid, pid), build)
