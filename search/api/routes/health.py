"""GET /api/health: which generation answers, with document counts and content version."""

from __future__ import annotations

from fastapi import APIRouter

from .. import schemas
from ..deps import IndexDep
from ..problems import problem_doc

router = APIRouter(tags=["health"])


@router.get("/health", response_model=schemas.HealthOut, responses=problem_doc(503), summary="Service and index status")
async def health(gen: IndexDep) -> schemas.HealthOut:
    """503 (problem) while no index generation can be served."""
    return schemas.HealthOut(
        status="ok",
        generation=gen.number,
        generation_name=gen.name,
        documents=schemas.Documents(**gen.counts),
        categories=len(gen.catalog["categories"]),
        content_version=gen.content_version,
        built_at=gen.manifest.get("built_at"),
    )
