"""POST /api/guides/{id}/walk: the stateless step-through, transcript and messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ...content.models import ActionNode, QuestionNode
from ...index import Generation
from ...workflow.messages import MessageError, messages_for
from ...workflow.transcript import transcript_json
from ...workflow.walk import StepRecord
from .. import schemas, views
from ..deps import IndexDep
from ..problems import problem_doc

router = APIRouter(tags=["guides"])


@router.post(
    "/guides/{guide_id}/walk",
    operation_id="walkGuide",
    response_model=schemas.WalkOut,
    responses=problem_doc(400, 404, 409, 413, 503),
    summary="Step through a guide",
)
def walk_guide(gen: IndexDep, guide_id: Annotated[str, Path(max_length=200)], body: schemas.WalkIn) -> schemas.WalkOut:
    """Follow ``answers`` from the start node; answer with the current node, its choices and the path.

    ``records`` (a note and a time per answer), ``confirmed`` (follow-up check ids) and ``handoff``
    (hand-off item id -> value) go into the transcript. At a leaf the outcome, the transcript and
    the filled message templates are included. A checklist id the leaf does not have is a 409
    naming its ids. An
    answer the node does not offer, an answer after the walk ended, or answers recorded against
    another revision of the guide conflict with the current tree: a 409 problem naming the
    current revision (and the choices offered).
    """
    return walk_out(gen, guide_id, body)


def walk_out(gen: Generation, guide_id: str, body: schemas.WalkIn) -> schemas.WalkOut:
    """The walk's answer (raises the route's 404/409 problems), also what ``kb walk --format json`` prints."""
    repo = gen.content
    guide = views.guide_or_404(gen, guide_id)
    priority = views.resolve_priority(body.priority)
    records = [StepRecord(r.note, r.at) for r in body.records]
    state = views.walk_or_409(guide, body.answers, body.revision, records=records, confirmed=frozenset(body.confirmed), handoff=body.handoff, repo=repo)
    node = state.node
    gathered = views.gathered_notes(guide, body.gathered)
    data = transcript_json(state, repo, priority, gathered, body.opened_at)
    messages: dict[str, schemas.Message] = {}
    if state.outcome is not None and state.outcome.type != "link":
        try:
            ticket = body.ticket.model_dump(exclude_none=True) if body.ticket else {}
            filled = messages_for(state, repo, priority, gathered, ticket, body.opened_at)
            messages = {k: schemas.Message(audience=v.audience, subject=v.subject, body=v.body) for k, v in filled.items()}
        except MessageError:
            messages = {}
    return schemas.WalkOut(
        guide=data.guide,
        current=schemas.NodeOut(
            id=state.current,
            type=node.type,
            text=node.text,
            help=node.help if isinstance(node, (QuestionNode, ActionNode)) else None,
            choices=state.choices,
        ),
        path=data.steps,
        finished=state.outcome is not None,
        outcome=data.outcome,
        transcript=data.text,
        transcript_data=data,
        messages=messages,
        content_version=gen.content_version,
        generation=gen.number,
    )
