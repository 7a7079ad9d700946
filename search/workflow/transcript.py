"""The one transcript format: what a technician pastes into the ticket as an internal note.

The text is built only from *fragments* computed here (one per step choice and per outcome);
assembling is plain concatenation. The site embeds the fragments and its script joins them the
way :func:`assemble` does, so the copied text equals the API's and ``kb walk``'s byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..content.escalation import ProtocolStep, sla_targets
from ..content.models import PRIORITY_IDS, ActionNode, EscalationNode, EscalationStep, LinkNode, QuestionNode, ResolutionNode
from ..content.prose import one_line
from ..content.repository import Guide, Repository
from ..content.taxonomy import CategoryIndex
from .sla import applied_leaf
from .walk import DONE, WalkState


def fragments(guide: Guide, repo: Repository) -> dict[str, Any]:
    """Every piece of transcript text for one guide, keyed for assembly."""
    categories = CategoryIndex(repo.taxonomy)
    category = categories.by_id.get(guide.meta.category or "")
    header = [
        f"Guide: {one_line(guide.meta.title)} ({guide.id}, revision {guide.revision})",
        f"Category: {guide.meta.category} ({one_line(category.title)})" if category else f"Category: {guide.meta.category or 'none'}",
    ]
    steps_by_id = repo.escalation.steps if repo.escalation else {}
    header += _request_lines(guide, steps_by_id)
    kind = categories.kind_of(guide.meta.category)
    priorities = {}
    for pid in PRIORITY_IDS:
        targets = sla_targets(repo.priorities, pid, kind)
        if targets is not None:
            clock = "fulfilment" if targets.kind == "request" else "resolution"
            priorities[pid] = f"Priority: {pid} {targets.name} (first response {targets.first_response}, {clock} {targets.resolution})"
    steps: dict[str, dict[str, str]] = {}
    outcomes: dict[str, list[str]] = {}
    guides = repo.guide_by_id
    for node_id, node in guide.tree.nodes.items():
        if isinstance(node, QuestionNode):
            steps[node_id] = {label: f"Asked: {one_line(node.text)} Answer: {label}" for label in node.answers}
        elif isinstance(node, ActionNode):
            steps[node_id] = {DONE: f"Done: {one_line(node.text)}"}
        elif isinstance(node, ResolutionNode):
            lines = [f"Outcome: Resolved. {one_line(node.text)}"]
            if node.follow_up:
                lines += ["Follow-up checks:", *(f"- {one_line(c)}" for c in node.follow_up)]
            if node.user_note:
                lines.append(f"Note for the user: {one_line(node.user_note)}")
            outcomes[node_id] = lines
        elif isinstance(node, EscalationNode):
            step = steps_by_id.get(node.step)
            if step is None:
                outcomes[node_id] = [f"Outcome: Escalate to {node.step}. {one_line(node.text)}"]
                continue
            outcomes[node_id] = [
                f"Outcome: Escalated to {step.team} ({step.tier}), queue {step.queue}. {one_line(node.text)}",
                f"Contact: {one_line(step.contact)}",
                "Hand-off checklist:",
                *(f"- {one_line(item)}" for item in [*step.handoff, *node.handoff]),
            ]
        elif isinstance(node, LinkNode):
            target = guides.get(node.guide)
            title = one_line(target.meta.title) if target else node.guide
            reason = f" {one_line(node.text)}" if node.text else ""
            outcomes[node_id] = [f"Outcome: Continue with guide {title} ({node.guide}).{reason}"]
    return {
        "header": header,
        "priorities": priorities,
        "gather": [{"id": item.id, "text": one_line(item.text)} for item in guide.meta.gather],
        "steps": steps,
        "outcomes": outcomes,
    }


def _request_lines(guide: Guide, steps: Mapping[str, EscalationStep]) -> list[str]:
    """A fulfilment guide's approval and fulfilling team, so the ticket records both."""
    lines = []
    approval = guide.meta.approval
    if approval is not None:
        who = f"required from {one_line(approval.by)}" if approval.required and approval.by else "not required"
        lines.append(f"Approval: {who}. {one_line(approval.how)}")
    if guide.meta.fulfilled_by:
        step = steps.get(guide.meta.fulfilled_by)
        lines.append(f"Fulfilled by: {step.team} (queue {step.queue})" if step else f"Fulfilled by: {guide.meta.fulfilled_by}")
    return lines


Gathered = Mapping[str, str]  # gather item id -> what the technician noted (blank = not gathered)
NOTHING_GATHERED: Gathered = {}


def assemble(
    parts: Mapping[str, Any], path: Sequence[tuple[str, str]], current: str, priority: str | None = None, gathered: Gathered = NOTHING_GATHERED
) -> str:
    """Join fragments for a walk: ``path`` is (node id, choice) pairs, ``current`` the node reached.

    ``gathered`` maps the guide's gather item ids to the technician's notes; they are listed in
    the guide's order. Mirrored line for line by ``assembleTranscript`` in the site's script.
    """
    lines = list(parts["header"])
    if priority and priority in parts["priorities"]:
        lines.append(parts["priorities"][priority])
    notes = [(item["text"], one_line(gathered[item["id"]])) for item in parts["gather"] if gathered.get(item["id"], "").strip()]
    if notes:
        lines.append("Information gathered:")
        lines += [f"- {item}: {value}" for item, value in notes]
    if path:
        lines.append("Steps:")
        lines += [f"{n}. {parts['steps'][node_id][choice]}" for n, (node_id, choice) in enumerate(path, 1)]
    lines += parts["outcomes"].get(current, ["Outcome: In progress (walk not finished)."])
    return "\n".join(lines) + "\n"


def transcript_text(state: WalkState, repo: Repository, priority: str | None = None, gathered: Gathered = NOTHING_GATHERED) -> str:
    """The plain-text transcript of a walk."""
    return assemble(fragments(state.guide, repo), [(v.node_id, v.choice) for v in state.path], state.current, priority, gathered)


class GuideRef(BaseModel):
    id: str
    title: str
    version: str
    revision: str = Field(description="Version plus tree hash; walks recorded against another revision are stale.")


class GatheredItem(BaseModel):
    id: str = Field(description="The gather item's id (the key of the walk request's gathered object).")
    item: str = Field(description="The guide's information-to-gather item.")
    value: str = Field(description="What the technician noted.")


class StepTaken(BaseModel):
    node: str
    type: str
    text: str
    choice: str = Field(description='The answer given, or "done" after an action.')


class ResolutionOutcome(BaseModel):
    type: Literal["resolution"]
    node: str
    text: str
    follow_up: list[str] = Field(description="Checks to do before closing.")
    user_note: str | None = Field(description="Final instructions for the user.")


_FLAT = "Deprecated: the same as escalation's; removed in the next major version."


class EscalationOutcome(BaseModel):
    type: Literal["escalation"]
    node: str
    text: str
    step: str = Field(description="Step id in the escalation protocol.")
    escalation: ProtocolStep | None = Field(
        description="The step as /api/escalation shows it (escalate_after_minutes for the walk's priority); null if the protocol does not define it."
    )
    team: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    tier: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    queue: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    contact: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    handoff: list[str] = Field(description="The step's hand-off checklist, then this case's extra items.")


class LinkOutcome(BaseModel):
    type: Literal["link"]
    node: str
    guide: str = Field(description="The guide the walk continues in.")
    text: str | None


Outcome = Annotated[ResolutionOutcome | EscalationOutcome | LinkOutcome, Field(discriminator="type")]


class TranscriptData(BaseModel):
    """The transcript as structured data (for ticket tools); ``text`` is the same as the site's and ``kb walk``'s."""

    guide: GuideRef
    category: str | None
    priority: str | None
    gathered: list[GatheredItem]
    steps: list[StepTaken]
    outcome: Outcome | None = Field(description="At a leaf: the resolution, escalation (team, queue, contact, hand-off) or link.")
    text: str


def outcome_of(
    state: WalkState, repo: Repository, priority: str | None = None, opened_at: dt.datetime | None = None
) -> ResolutionOutcome | EscalationOutcome | LinkOutcome | None:
    """What the walk ended in, or None while it is in progress (``opened_at``: the escalation's ``due_at``)."""
    leaf = state.outcome
    if isinstance(leaf, ResolutionNode):
        return ResolutionOutcome(type="resolution", node=state.current, text=leaf.text, follow_up=list(leaf.follow_up), user_note=leaf.user_note)
    if isinstance(leaf, EscalationNode):
        applied = applied_leaf(repo, leaf.step, state.guide.meta.category, priority)
        step = ProtocolStep.of(applied, opened_at) if applied else None
        return EscalationOutcome(
            type="escalation",
            node=state.current,
            text=leaf.text,
            step=leaf.step,
            escalation=step,
            team=step.team if step else None,
            tier=step.tier if step else None,
            queue=step.queue if step else None,
            contact=step.contact if step else None,
            handoff=[*(step.handoff if step else []), *leaf.handoff],
        )
    if isinstance(leaf, LinkNode):
        return LinkOutcome(type="link", node=state.current, guide=leaf.guide, text=leaf.text)
    return None


def transcript_json(
    state: WalkState, repo: Repository, priority: str | None = None, gathered: Gathered = NOTHING_GATHERED, opened_at: dt.datetime | None = None
) -> TranscriptData:
    """The same transcript as structured data (for ticket tools)."""
    guide = state.guide
    nodes = guide.tree.nodes
    return TranscriptData(
        guide=GuideRef(id=guide.id, title=guide.meta.title, version=guide.meta.version, revision=guide.revision),
        category=guide.meta.category,
        priority=priority,
        gathered=[GatheredItem(id=item.id, item=item.text, value=gathered[item.id]) for item in guide.meta.gather if gathered.get(item.id, "").strip()],
        steps=[StepTaken(node=v.node_id, type=nodes[v.node_id].type, text=_node_text(nodes[v.node_id]), choice=v.choice) for v in state.path],
        outcome=outcome_of(state, repo, priority, opened_at),
        text=transcript_text(state, repo, priority, gathered),
    )


def _node_text(node: object) -> str:
    text = getattr(node, "text", None)
    return text if isinstance(text, str) else ""
