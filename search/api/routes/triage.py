"""POST /api/triage: a ticket's text in, likely categories and guides, a confidence and the matrix priority out."""

from __future__ import annotations

import threading

from fastapi import APIRouter

from ...content.models import PriorityId
from ...content.triage import triage_priority
from ...index import Generation
from ...index.triage import TriageResult
from ...index.triage import triage as triage_ticket
from .. import schemas, views
from ..deps import IndexDep
from ..problems import ProblemError, problem_doc

router = APIRouter(tags=["triage"])
# One ticket scored at a time: scoring is pure Python, so parallel requests only contend for the
# GIL, and many of them at once would slow every other route; queued requests wait on this lock
# without holding the GIL. (A shorter GIL switch interval helped search latency next to scoring
# but cost a third of search throughput under 16 connections, so it is not used.)
SCORING = threading.Lock()


def triage_out(gen: Generation, found: TriageResult, pid: PriorityId | None) -> schemas.TriageOut:
    """The answer for a scored ticket, also what ``kb triage`` prints."""
    return schemas.TriageOut(
        categories=[
            schemas.CategorySuggestion(category=c.category, title=c.title, kind=c.kind, score=c.score, matched=c.matched, evidence=c.evidence, url=c.url)
            for c in found.categories
        ],
        guides=[schemas.GuideSuggestion(id=g.id, title=g.title, category=g.category, url=g.url, score=g.score) for g in found.guides],
        confidence=found.confidence,
        confident=found.confident,
        priority=views.priority_out(gen, pid) if pid else None,
        generation=gen.number,
    )


@router.post(
    "/triage",
    operation_id="triage",
    response_model=schemas.TriageOut,
    responses=problem_doc(400, 413, 503),
    summary="Suggest categories and priority for a ticket",
)
def triage(gen: IndexDep, body: schemas.TriageIn) -> schemas.TriageOut:
    """Ranked categories (keywords and knowledge-base evidence, README "Triage"), the guides to
    try, a calibrated confidence and whether it is a confident match; with ``impact`` and
    ``urgency`` also the priority from the impact x urgency matrix."""
    text = f"{body.subject}\n{body.description}"
    try:
        pid = triage_priority(gen.content, body.impact, body.urgency)
    except ValueError as exc:  # the levels are content, so they cannot be in the static schema
        raise ProblemError(400, str(exc), kind="unknown-priority-level", title="Unknown impact or urgency") from None
    with SCORING:
        found = triage_ticket(gen, text, body.limit)
    return triage_out(gen, found, pid)
