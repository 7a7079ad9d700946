"""GET /api/health: which generation answers, with document counts and content version."""

from __future__ import annotations

from fastapi import APIRouter

from ...index import Generation
from .. import schemas
from ..deps import IndexDep, StateDep
from ..problems import problem_doc

router = APIRouter(tags=["health"])


@router.get("/health", operation_id="getHealth", response_model=schemas.HealthOut, responses=problem_doc(503), summary="Service and index status")
async def health(gen: IndexDep, state: StateDep) -> schemas.HealthOut:
    """503 (problem) while no index generation can be served; "degraded" with the reason while an
    older generation stands in for a damaged one, or the served one was removed from disk."""
    reason = f"{state.problem}; serving {gen.name}" if state.problem and gen is state.current else None
    if reason is None and not gen.path.is_dir():
        reason = f"generation {gen.name} was removed from disk; answering from what is loaded; rebuild with: kb index"
    return health_out(gen, reason)


def health_out(gen: Generation, reason: str | None = None) -> schemas.HealthOut:
    """The generation's status, also what ``kb build --format json`` prints for the index it built."""
    return schemas.HealthOut(
        status="degraded" if reason else "ok",
        reason=reason,
        generation=gen.number,
        generation_name=gen.name,
        documents=schemas.Documents(**gen.counts),
        categories=len(gen.catalog.categories),
        content_version=gen.content_version,
        built_at=gen.manifest.get("built_at"),
    )
