"""GET /api/search: ranked guides and articles with plain-text snippets and category facets."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from ...content import sitemap
from ...index import Generation, QueryError, SearchResult, best_step
from .. import schemas, views
from ..deps import IndexDep, SettingsDep
from ..problems import ProblemError, problem_doc

router = APIRouter(tags=["search"])


def query_problem(q: str, exc: QueryError) -> ProblemError:
    if exc.position is None:
        return ProblemError(400, f"cannot search for this query: {exc.message}", kind="invalid-query", title="Invalid query")
    return ProblemError(400, f"cannot search for this query: {exc.message}", kind="invalid-query", title="Invalid query", position=exc.position)


def _step(gen: Generation, hit_id: str, terms: set[str]) -> schemas.StepHit | None:
    guide = gen.catalog.guides.get(hit_id)
    step = best_step(guide, terms) if guide is not None else None
    if guide is None or step is None:
        return None
    return schemas.StepHit(node=step.node, number=step.number, text=step.text, url=f"{guide.url}#{sitemap.NODE_ANCHOR}{step.node}")


def search_out(gen: Generation, result: SearchResult) -> schemas.SearchOut:
    """The answer for a search result, also what ``kb search`` prints."""
    titles = {c: e.category.title for c, e in gen.catalog.categories.items()}
    return schemas.SearchOut(
        query=result.query,
        total=result.total,
        hits=[
            schemas.SearchHit(
                id=h.id,
                type=h.type,
                title=h.title,
                title_matches=[schemas.Match(start=s, end=e) for s, e in h.title_matches],
                category=h.category,
                url=h.url,
                score=round(h.score, 4),
                snippet=schemas.Snippet(text=h.snippet.text, matches=[schemas.Match(start=s, end=e) for s, e in h.snippet.matches]),
                step=_step(gen, h.id, result.terms) if h.type == "guide" else None,
            )
            for h in result.hits
        ],
        facets=schemas.Facets(categories=[schemas.Facet(id=c, title=titles.get(c, c), count=n) for c, n in result.facets]),
        suggestion=result.suggestion,
        corrected=result.corrected,
        relaxed=result.relaxed,
        generation=gen.number,
    )


@router.get("/search", operation_id="search", response_model=schemas.SearchOut, responses=problem_doc(400, 404, 503), summary="Search guides and articles")
async def search(
    gen: IndexDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, description='Words, "phrases", AND/OR/NOT, -word, print*, title:/tags:/body:/category:/type: fields.')],
    category: Annotated[str | None, Query(max_length=200, description="Only this category (id or tag) and its sub-categories.")] = None,
    type: Annotated[Literal["guide", "article"] | None, Query(description="Only guides or only articles.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    snippets: Annotated[bool, Query(description="Include snippets (plain text with match offsets).")] = True,
) -> Response:
    """Ranked hits. Synonyms are expanded; an unknown word is replaced by the closest known spelling
    (``corrected``); when no document has every word, documents with some of them are returned
    (``relaxed``); when nothing matches, ``suggestion`` offers a respelled query."""
    cid = views.resolve_category(gen, category) if category else None
    try:
        result = gen.search(q, category=cid, doc_type=type, limit=limit, snippets=snippets, max_chars=settings.max_query_chars)
    except QueryError as exc:
        raise query_problem(q, exc) from exc
    return Response(search_out(gen, result).model_dump_json().encode(), media_type="application/json")
